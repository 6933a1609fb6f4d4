using k8s;
using k8s.Models;

namespace Azora.Tests.Deployment;

/// <summary>
/// What every built overlay must satisfy before it may reach a cluster. Each rule returns findings instead of
/// asserting, so the tests can show a rule catches the mistake it exists for.
/// </summary>
internal static class ManifestPolicy
{
    public static IReadOnlyList<string> Check(IReadOnlyList<object> objects)
    {
        var overlay = new BuiltOverlay("checked", "", objects);
        return
        [
            .. Containers(overlay), .. Secrets(overlay), .. Services(overlay), .. LabelSelectors(overlay), .. ScalingTargets(overlay), .. Namespaces(overlay),
            .. NetworkIsolation(overlay), .. EgressDestinations(overlay), .. IngressSources(overlay),
        ];
    }

    /// <summary>Production's extra rules: the Stripe emulator (staging only) must never be there.</summary>
    public static IReadOnlyList<string> CheckProduction(IReadOnlyList<object> objects)
    {
        var overlay = new BuiltOverlay("production", "", objects);
        return [.. Check(objects), .. NoStripeEmulator(overlay)];
    }

    // Deny by default: a pod no NetworkPolicy selects may talk to anything and be reached by anything.
    private static IEnumerable<string> NetworkIsolation(BuiltOverlay overlay)
    {
        var policies = overlay.All<V1NetworkPolicy>().ToList();
        if (!policies.Any(policy => IsEmpty(policy.Spec.PodSelector) && policy.Spec.Ingress is null && policy.Spec.Egress is null
                && policy.Spec.PolicyTypes is { } types && types.Contains("Ingress") && types.Contains("Egress")))
        {
            yield return "no NetworkPolicy denies all ingress and egress by default";
        }

        foreach (var (owner, template) in overlay.PodTemplates())
        {
            if (!policies.Any(policy => BuiltOverlay.Selects(policy.Spec.PodSelector, template.Metadata.Labels)))
            {
                yield return $"{owner} is selected by no NetworkPolicy";
            }
        }
    }

    // A rule with ports and no destination reaches those ports anywhere, as does 0.0.0.0/0 without the private ranges cut out.
    private static IEnumerable<string> EgressDestinations(BuiltOverlay overlay)
    {
        string[] privateRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"];
        foreach (var policy in overlay.All<V1NetworkPolicy>())
        {
            foreach (var rule in policy.Spec.Egress ?? [])
            {
                if (rule.To is not { Count: > 0 })
                {
                    yield return $"NetworkPolicy/{policy.Metadata.Name} has an egress rule without destinations";
                }

                foreach (var block in (rule.To ?? []).Select(peer => peer.IpBlock).OfType<V1IPBlock>())
                {
                    var missing = block.Cidr is "0.0.0.0/0" ? privateRanges.Except(block.Except ?? []).ToList() : [];
                    if (missing.Count > 0)
                    {
                        yield return $"NetworkPolicy/{policy.Metadata.Name} lets egress to {block.Cidr} reach private addresses ({string.Join(", ", missing)})";
                    }
                }
            }
        }
    }

    // The services believe X-Forwarded-For from the pod network, so only chosen pods (the ingress controller,
    // Prometheus, a backing service's clients) may connect: never a whole namespace or anyone.
    private static IEnumerable<string> IngressSources(BuiltOverlay overlay)
    {
        foreach (var policy in overlay.All<V1NetworkPolicy>())
        {
            foreach (var rule in policy.Spec.Ingress ?? [])
            {
                if (rule.FromProperty is not { Count: > 0 } || rule.FromProperty.Any(peer => peer.IpBlock is null && (peer.PodSelector is null || IsEmpty(peer.PodSelector))))
                {
                    yield return $"NetworkPolicy/{policy.Metadata.Name} admits every pod of a namespace or any source";
                }
            }
        }
    }

    private static IEnumerable<string> NoStripeEmulator(BuiltOverlay overlay)
    {
        foreach (var (owner, template) in overlay.PodTemplates())
        {
            foreach (var container in template.Spec.Containers)
            {
                if (container.Image.Contains("stripe-emulator", StringComparison.Ordinal))
                {
                    yield return $"{owner} runs the Stripe emulator";
                }
            }
        }

        foreach (var settings in overlay.All<V1ConfigMap>().Where(map => map.Data?.ContainsKey("Azora__Stripe__ApiBase") == true))
        {
            yield return $"ConfigMap/{settings.Metadata.Name} sends Stripe calls to {settings.Data["Azora__Stripe__ApiBase"]} instead of Stripe";
        }
    }

    private static bool IsEmpty(V1LabelSelector selector) => selector.MatchLabels is not { Count: > 0 } && selector.MatchExpressions is not { Count: > 0 };

    private static IEnumerable<string> Containers(BuiltOverlay overlay)
    {
        foreach (var (owner, template) in overlay.PodTemplates())
        {
            var runsContinuously = owner.StartsWith("Deployment/", StringComparison.Ordinal) || owner.StartsWith("StatefulSet/", StringComparison.Ordinal);
            var pod = template.Spec;
            if (pod.AutomountServiceAccountToken != false)
            {
                yield return $"{owner} mounts a service account token it never uses";
            }

            foreach (var container in pod.Containers.Concat(pod.InitContainers ?? []))
            {
                var where = $"{owner} container {container.Name}";
                foreach (var resource in (string[])["cpu", "memory"])
                {
                    if (container.Resources?.Requests?.ContainsKey(resource) != true)
                    {
                        yield return $"{where} has no {resource} request";
                    }

                    if (container.Resources?.Limits?.ContainsKey(resource) != true)
                    {
                        yield return $"{where} has no {resource} limit";
                    }
                }

                if (runsContinuously && (container.LivenessProbe is null || container.ReadinessProbe is null))
                {
                    yield return $"{where} lacks a liveness or readiness probe";
                }

                if (container.SecurityContext?.RunAsNonRoot != true && pod.SecurityContext?.RunAsNonRoot != true)
                {
                    yield return $"{where} may run as root";
                }

                if ((container.SecurityContext?.RunAsUser ?? pod.SecurityContext?.RunAsUser) is 0)
                {
                    yield return $"{where} runs as uid 0";
                }

                if (container.SecurityContext?.AllowPrivilegeEscalation != false || container.SecurityContext?.ReadOnlyRootFilesystem != true)
                {
                    yield return $"{where} allows privilege escalation or a writable root filesystem";
                }

                if (container.SecurityContext?.Capabilities?.Drop?.Contains("ALL") != true || container.SecurityContext.Capabilities.Add is { Count: > 0 })
                {
                    yield return $"{where} keeps Linux capabilities (drop ALL, add none)";
                }

                if ((container.SecurityContext?.SeccompProfile ?? pod.SecurityContext?.SeccompProfile)?.Type is not ("RuntimeDefault" or "Localhost"))
                {
                    yield return $"{where} runs without a seccomp profile";
                }

                if (container.ImagePullPolicy != "Always")
                {
                    yield return $"{where} may start from a cached image without the registry's say (imagePullPolicy {container.ImagePullPolicy ?? "unset"})";
                }

                var tag = container.Image?.Split('/').Last().Split(':') is [_, var imageTag] ? imageTag : null;
                if (tag is null or "latest")
                {
                    yield return $"{where} uses image '{container.Image}' without a pinned tag";
                }
            }
        }
    }

    private static IEnumerable<string> Secrets(BuiltOverlay overlay) =>
        overlay.All<V1Secret>()
            .Where(secret => secret.Data is { Count: > 0 } || secret.StringData is { Count: > 0 })
            .Select(secret => $"Secret/{secret.Metadata.Name} carries data; secrets are created in the cluster, never committed");

    private static IEnumerable<string> Services(BuiltOverlay overlay)
    {
        var templates = overlay.PodTemplates().ToList();
        foreach (var service in overlay.All<V1Service>())
        {
            if (service.Spec.Selector is not { Count: > 0 } selector || !templates.Any(template => BuiltOverlay.Selects(selector, template.Template.Metadata.Labels)))
            {
                yield return $"Service/{service.Metadata.Name} selects no pod";
            }
        }
    }

    // NetworkPolicies and PodDisruptionBudgets pick their pods with a label selector; one that matches no pod protects nothing.
    private static IEnumerable<string> LabelSelectors(BuiltOverlay overlay)
    {
        var templates = overlay.PodTemplates().ToList();
        var selectors = overlay.All<V1NetworkPolicy>().Select(policy => (Owner: $"NetworkPolicy/{policy.Metadata.Name}", Selector: policy.Spec.PodSelector))
            .Concat(overlay.All<V1PodDisruptionBudget>().Select(budget => (Owner: $"PodDisruptionBudget/{budget.Metadata.Name}", Selector: budget.Spec.Selector)));
        foreach (var (owner, selector) in selectors)
        {
            if (!templates.Any(template => BuiltOverlay.Selects(selector, template.Template.Metadata.Labels)))
            {
                yield return $"{owner} selects no pod";
            }
        }
    }

    private static IEnumerable<string> ScalingTargets(BuiltOverlay overlay)
    {
        var deployments = overlay.All<V1Deployment>().Select(deployment => deployment.Metadata.Name).ToHashSet();
        foreach (var autoscaler in overlay.All<V2HorizontalPodAutoscaler>())
        {
            if (autoscaler.Spec.ScaleTargetRef.Kind != "Deployment" || !deployments.Contains(autoscaler.Spec.ScaleTargetRef.Name))
            {
                yield return $"HorizontalPodAutoscaler/{autoscaler.Metadata.Name} scales nothing that exists";
            }
        }
    }

    private static IEnumerable<string> Namespaces(BuiltOverlay overlay)
    {
        var namespaces = overlay.All<V1Namespace>().Select(item => item.Metadata.Name).ToList();
        if (namespaces.Count != 1)
        {
            yield return $"expected one Namespace, found {namespaces.Count}";
            yield break;
        }

        foreach (var item in overlay.Objects.OfType<IKubernetesObject<V1ObjectMeta>>().Where(item => item is not V1Namespace))
        {
            if (item.Metadata.NamespaceProperty != namespaces[0])
            {
                yield return $"{item.Kind}/{item.Metadata.Name} is outside {namespaces[0]}";
            }
        }
    }
}
