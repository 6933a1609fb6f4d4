using k8s.Models;

namespace Azora.Tests.Deployment;

/// <summary>
/// Staging pays through the Stripe emulator, so the end-to-end purchase journey runs there with no Stripe account;
/// production never has it (ManifestPolicy.CheckProduction).
/// </summary>
public sealed class StagingPaymentsTests
{
    [Fact]
    public async Task Staging_sends_stripe_calls_to_its_emulator_which_signs_webhooks_to_the_payments_worker()
    {
        var staging = await BuiltOverlay.GetAsync("staging");

        foreach (var service in (string[])["api", "payments"])
        {
            Assert.Equal("http://stripe-emulator", staging.Single<V1ConfigMap>($"{service}-settings").Data["Azora__Stripe__ApiBase"]);
        }

        var emulator = staging.Single<V1Deployment>("stripe-emulator").Spec.Template.Spec.Containers.Single();
        Assert.StartsWith("ghcr.io/azora-world/azora-stripe-emulator:", emulator.Image);
        Assert.Equal("http://payments/webhooks/stripe", staging.Single<V1ConfigMap>("stripe-emulator-settings").Data["Emulator__WebhookUrl"]);
        var secret = emulator.Env.Single(env => env.Name == "Emulator__WebhookSecret").ValueFrom.SecretKeyRef;
        Assert.Equal(("azora-stripe", "webhook-secret"), (secret.Name, secret.Key));
        Assert.True(BuiltOverlay.Selects(staging.Single<V1Service>("stripe-emulator").Spec.Selector, staging.Single<V1Deployment>("stripe-emulator").Spec.Template.Metadata.Labels));

        // Only the card controls and the partner webhook sinks are public, not the emulated Stripe API or its faults.
        var routes = staging.Single<V1Ingress>("azora").Spec.Rules.Single().Http.Paths.Where(path => path.Backend.Service.Name == "stripe-emulator");
        Assert.Equal([("/emulator/payment_intents", "Prefix"), ("/emulator/webhook-sinks", "Prefix")], routes.Select(route => (route.Path, route.PathType)));
    }

    [Fact]
    public async Task The_policies_let_the_services_and_the_emulator_reach_each_other_and_nothing_more()
    {
        var policies = (await BuiltOverlay.GetAsync("staging")).All<V1NetworkPolicy>().ToDictionary(policy => policy.Metadata.Name);

        Assert.Equal(["api", "payments"], policies["stripe-emulator-clients-egress"].Spec.PodSelector.MatchExpressions.Single().Values);
        Assert.Equal("payments", policies["stripe-emulator-egress"].Spec.Egress.Single().To.Single().PodSelector.MatchLabels["app.kubernetes.io/name"]);
        Assert.Equal("stripe-emulator", policies["payments-from-stripe-emulator"].Spec.Ingress.Single().FromProperty.Single().PodSelector.MatchLabels["app.kubernetes.io/name"]);

        // Deliveries to a webhook sink go out through the public host, which the cluster rewrites to the ingress controller.
        var toController = policies["payments-to-ingress-controller"].Spec.Egress.Single();
        Assert.Equal("controller", toController.To.Single().PodSelector.MatchLabels["app.kubernetes.io/component"]);
        Assert.Equal("443", toController.Ports.Single().Port.Value);
    }

    [Fact]
    public void The_staging_end_to_end_run_is_told_where_its_emulator_is_and_how_to_make_instructors_and_production_is_not()
    {
        var deploy = File.ReadAllText(Repository.PathOf(".github/workflows/deploy.yml"));

        Assert.Contains("AZORA_STRIPE_EMULATOR_URL: https://api-staging.azora.world", deploy);
        Assert.Contains("AZORA_E2E_KUBECTL_NAMESPACE: azora-staging", deploy);
        Assert.DoesNotContain("AZORA_STRIPE_EMULATOR_URL: https://api.azora.world", deploy);
        Assert.DoesNotContain("AZORA_E2E_KUBECTL_NAMESPACE: azora-production", deploy);
    }
}
