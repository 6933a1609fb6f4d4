using System.Security.Cryptography;

/// <summary>
/// Where the services find Stripe. With the parameters <c>stripe-secret-key</c> and <c>stripe-webhook-secret</c> set
/// (user secrets: <c>dotnet user-secrets set Parameters:stripe-secret-key sk_test_… --project Azora.AppHost</c>),
/// Stripe itself. Without them, in run mode, the local Stripe emulator: the API creates intents on it and it signs
/// webhooks to the worker with a secret made for this run (or <c>Azora:Stripe:EmulatorWebhookSecret</c>, for tests).
/// The emulator is never part of a published model. Returns the emulator when there is one, for the portal's checkout.
/// </summary>
internal static class StripeWiring
{
    public const string EmulatorSecretKey = "sk_test_azora_emulator";

    public static IResourceBuilder<ProjectResource>? AddAzoraStripe(
        this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> api, IResourceBuilder<ProjectResource> payments)
    {
        var useStripe = !string.IsNullOrWhiteSpace(builder.Configuration["Parameters:stripe-secret-key"]);
        if (useStripe || builder.ExecutionContext.IsPublishMode)
        {
            var secretKey = builder.AddParameter("stripe-secret-key", secret: true);
            var webhookSecret = builder.AddParameter("stripe-webhook-secret", secret: true);
            api.WithEnvironment("Azora__Stripe__SecretKey", secretKey);
            payments.WithEnvironment("Azora__Stripe__SecretKey", secretKey).WithEnvironment("Azora__Stripe__WebhookSecret", webhookSecret);
            return null;
        }

        var emulatorWebhookSecret = builder.Configuration["Azora:Stripe:EmulatorWebhookSecret"]
            ?? "whsec_dev_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var emulator = builder.AddProject<Projects.Azora_StripeEmulator>("stripe")
            .WithEnvironment("Emulator__WebhookSecret", emulatorWebhookSecret)
            .WithEnvironment("Emulator__WebhookUrl", ReferenceExpression.Create($"{payments.GetEndpoint("http")}/webhooks/stripe"))
            .WithHttpHealthCheck("/alive");
        var emulatorUrl = emulator.GetEndpoint("http");
        api.WithEnvironment("Azora__Stripe__SecretKey", EmulatorSecretKey)
            .WithEnvironment("Azora__Stripe__ApiBase", emulatorUrl);
        payments.WithEnvironment("Azora__Stripe__SecretKey", EmulatorSecretKey)
            .WithEnvironment("Azora__Stripe__ApiBase", emulatorUrl)
            .WithEnvironment("Azora__Stripe__WebhookSecret", emulatorWebhookSecret);
        return emulator;
    }
}
