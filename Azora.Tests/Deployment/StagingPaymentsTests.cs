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

        // Only the card controls, the partner webhook sinks and the test checkout page are public, not the emulated
        // Stripe API or its faults.
        var routes = staging.Single<V1Ingress>("azora").Spec.Rules.Single().Http.Paths.Where(path => path.Backend.Service.Name == "stripe-emulator");
        Assert.Equal(
            [("/emulator/payment_intents", "Prefix"), ("/emulator/webhook-sinks", "Prefix"), ("/emulator/checkout", "Prefix")],
            routes.Select(route => (route.Path, route.PathType)));
    }

    [Fact]
    public async Task The_staging_portal_sends_buyers_to_the_emulators_checkout_page_which_may_send_them_back_only_to_the_portal()
    {
        var staging = await BuiltOverlay.GetAsync("staging");

        // The address the browser is sent to is the host whose Ingress routes the checkout page to the emulator, over TLS.
        var apiIngress = staging.Single<V1Ingress>("azora");
        var emulatorUrl = new Uri(staging.Single<V1ConfigMap>("web-settings").Data["Azora__Web__Stripe__EmulatorUrl"]);
        Assert.Equal(("https", "/"), (emulatorUrl.Scheme, emulatorUrl.AbsolutePath));
        var rule = apiIngress.Spec.Rules.Single(rule => rule.Host == emulatorUrl.Host);
        Assert.Contains(rule.Http.Paths, path => (path.Path, path.PathType, path.Backend.Service.Name) == ("/emulator/checkout", "Prefix", "stripe-emulator"));
        Assert.Contains(emulatorUrl.Host, apiIngress.Spec.Tls.SelectMany(tls => tls.Hosts));
        Assert.DoesNotContain("Azora__Web__Stripe__PublishableKey", staging.Single<V1ConfigMap>("web-settings").Data.Keys);

        // Back only to the portal's own public origin.
        var portalHost = staging.Single<V1Ingress>("web").Spec.Rules.Single().Host;
        var origins = staging.Single<V1ConfigMap>("stripe-emulator-settings").Data.Where(setting => setting.Key.StartsWith("Emulator__ReturnOrigins__", StringComparison.Ordinal));
        Assert.Equal([("Emulator__ReturnOrigins__0", $"https://{portalHost}")], origins.Select(setting => (setting.Key, setting.Value)));

        // The ingress controller may reach the emulator's HTTP port, so the routed page answers.
        var emulatorPods = staging.Single<V1Deployment>("stripe-emulator").Spec.Template.Metadata.Labels;
        var admitted = staging.All<V1NetworkPolicy>()
            .Where(policy => policy.Spec.PolicyTypes.Contains("Ingress") && BuiltOverlay.Selects(policy.Spec.PodSelector, emulatorPods))
            .SelectMany(policy => policy.Spec.Ingress ?? [])
            .Where(ingress => ingress.FromProperty.Any(from => from.PodSelector?.MatchLabels?.Contains(new KeyValuePair<string, string>("app.kubernetes.io/component", "controller")) == true));
        Assert.Contains(admitted, ingress => ingress.Ports.Any(port => port.Port.Value == "8080"));
    }

    [Fact]
    public async Task The_production_portal_shows_stripes_payment_element_with_a_publishable_key_and_no_emulator()
    {
        var production = await BuiltOverlay.GetAsync("production");

        var settings = production.Single<V1ConfigMap>("web-settings").Data;
        Assert.StartsWith("pk_live_", settings["Azora__Web__Stripe__PublishableKey"]);
        Assert.DoesNotContain("Azora__Web__Stripe__EmulatorUrl", settings.Keys);
        Assert.DoesNotContain(production.All<V1Ingress>().SelectMany(ingress => ingress.Spec.Rules).SelectMany(rule => rule.Http.Paths),
            path => path.Path.StartsWith("/emulator", StringComparison.Ordinal));
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
