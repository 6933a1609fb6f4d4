using Azora.Manifests.Model;
using k8s.Models;

namespace Azora.Manifests.Generation;

/// <summary>
/// Staging only: Azora.StripeEmulator as a Deployment, so the purchase journey runs against staging with no Stripe
/// account. The API and the worker send their Stripe calls to it; it signs its webhooks with the staging
/// <c>azora-stripe</c> webhook secret and delivers them to the payments Service; its card controls
/// (<c>/emulator/payment_intents/…</c>) and its partner webhook sinks (<c>/emulator/webhook-sinks/…</c>) are routed on
/// the staging host for the end-to-end suite, and so is its test checkout page (<c>/emulator/checkout/…</c>), where the
/// staging portal sends buyers and which may send them back only to the portal. Production never has it (a manifest
/// policy checks).
/// </summary>
public static class StripeEmulator
{
    public const string Name = "stripe-emulator";

    /// <summary>The path prefix of the card controls that the staging Ingress routes to the emulator.</summary>
    public const string ControlsPath = "/emulator/payment_intents";

    /// <summary>
    /// The path prefix of its partner webhook endpoints. The worker delivers to them through the public staging host,
    /// as to any partner, so the SSRF guard and the HTTPS egress policy stay exactly as in production.
    /// </summary>
    public const string WebhookSinksPath = "/emulator/webhook-sinks";

    /// <summary>
    /// The path prefix of its test checkout page (the GET that shows the card form and the POST that submits it), where
    /// the portal sends the browser instead of Stripe's Payment Element.
    /// </summary>
    public const string CheckoutPath = "/emulator/checkout";

    /// <summary>The public address of its routed paths, as a browser reaches them: the API's staging host.</summary>
    public const string PublicUrl = $"https://{StagingOverlay.Host}";

    /// <summary>Where the services find it: its Service inside the namespace.</summary>
    public const string ApiBase = $"http://{Name}";

    // Shaped like an Aspire project with an HTTP endpoint, so it gets the same Deployment, probes and hardening.
    public static readonly AspireResource Project = new(
        Name, AspireResource.Project, Image: null, Entrypoint: null, Args: [],
        Env: new Dictionary<string, string>(),
        Bindings: new Dictionary<string, AspireBinding> { ["http"] = new("http", null) },
        Volumes: [], Secret: false);

    /// <param name="returnOrigin">The portal's origin: the only place besides its own host that its checkout page sends a browser back to.</param>
    public static ServiceSettings Settings(string environmentName, string paymentsService, string returnOrigin) => new(
        new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = environmentName,
            ["DOTNET_ENVIRONMENT"] = environmentName,
            ["Emulator__ReturnOrigins__0"] = returnOrigin,
            ["Emulator__WebhookUrl"] = $"http://{paymentsService}/webhooks/stripe",
        },
        [("Emulator__WebhookSecret", SecretCatalog.ForParameter("stripe-webhook-secret"))]);

    public static IEnumerable<object> Objects(string environmentName, string paymentsService, string returnOrigin)
    {
        var settings = Settings(environmentName, paymentsService, returnOrigin);
        yield return Workloads.SettingsConfigMap(Project, settings);
        yield return Workloads.Deployment(Project, settings);
        yield return Workloads.Service(Project);
    }

    /// <summary>The API and the worker call it; it calls the worker's webhook endpoint; the ingress controller reaches its routed paths (controls, webhook sinks, checkout page).</summary>
    /// <summary>The paths the staging Ingress sends to it on the API's host.</summary>
    public static IEnumerable<(string Path, string PathType, string Service)> Routes() =>
        [(ControlsPath, "Prefix", Name), (WebhookSinksPath, "Prefix", Name), (CheckoutPath, "Prefix", Name)];

    public static IEnumerable<V1NetworkPolicy> Policies(IReadOnlyList<string> stripeClients, string paymentsService)
    {
        var http = NetworkPolicies.Port(Conventions.HttpPort, "TCP");
        var emulatorPods = new V1NetworkPolicyPeer { PodSelector = NetworkPolicies.NameSelector(Name) };
        yield return NetworkPolicies.Policy($"{Name}-ingress", NetworkPolicies.NameSelector(Name), ingress:
        [
            new V1NetworkPolicyIngressRule
            {
                FromProperty =
                [
                    new V1NetworkPolicyPeer { PodSelector = NetworkPolicies.NamesSelector(stripeClients) },
                    NetworkPolicies.PodsIn(NetworkPolicies.IngressController.Namespace, NetworkPolicies.IngressController.Labels),
                ],
                Ports = [http],
            },
        ], egress: null);
        yield return NetworkPolicies.Policy($"{Name}-egress", NetworkPolicies.NameSelector(Name), ingress: null, egress:
            [new V1NetworkPolicyEgressRule { To = [new V1NetworkPolicyPeer { PodSelector = NetworkPolicies.NameSelector(paymentsService) }], Ports = [http] }]);
        yield return NetworkPolicies.Policy($"{Name}-clients-egress", NetworkPolicies.NamesSelector(stripeClients), ingress: null, egress:
            [new V1NetworkPolicyEgressRule { To = [emulatorPods], Ports = [http] }]);
        yield return NetworkPolicies.Policy($"{paymentsService}-from-{Name}", NetworkPolicies.NameSelector(paymentsService), ingress:
            [new V1NetworkPolicyIngressRule { FromProperty = [emulatorPods], Ports = [http] }], egress: null);
        // A delivery to the public staging host leaves for the load balancer's address, which the cluster's proxy
        // rewrites to the ingress controller's pods (private addresses https-egress excludes) before policies apply.
        yield return NetworkPolicies.Policy($"{paymentsService}-to-ingress-controller", NetworkPolicies.NameSelector(paymentsService), ingress: null, egress:
        [
            new V1NetworkPolicyEgressRule
            {
                To = [NetworkPolicies.PodsIn(NetworkPolicies.IngressController.Namespace, NetworkPolicies.IngressController.Labels)],
                Ports = [NetworkPolicies.Port(NetworkPolicies.HttpsPort, "TCP")],
            },
        ]);
    }
}
