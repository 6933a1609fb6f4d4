using Azora.Manifests.Generation;
using Azora.Manifests.Model;

namespace Azora.Tests.Deployment;

/// <summary>What the generator refuses: a model it cannot express faithfully stops generation with a message.</summary>
public sealed class ManifestGeneratorTests
{
    private static AspireManifest ModelWithApiEnv(string variable, string value, string extraResources = "") => AspireManifest.Parse($$"""
        {
          "resources": {
            "api": {
              "type": "project.v0",
              "path": "Azora.Api.csproj",
              "env": { "{{variable}}": "{{value}}" },
              "bindings": { "http": { "scheme": "http", "protocol": "tcp", "transport": "http" } }
            }{{extraResources}}
          }
        }
        """);

    [Fact]
    public void A_secret_parameter_without_a_home_in_the_secret_catalog_stops_generation()
    {
        var model = ModelWithApiEnv("Azora__Mail__ApiKey", "{mail-api-key.value}", """
            , "mail-api-key": { "type": "parameter.v0", "value": "{mail-api-key.inputs.value}", "inputs": { "value": { "type": "string", "secret": true } } }
            """);

        var error = Assert.Throws<InvalidOperationException>(() => ManifestGenerator.Generate(model));

        Assert.Contains("'mail-api-key'; add it to SecretCatalog", error.Message);
    }

    [Fact]
    public void A_value_the_generator_cannot_express_stops_generation()
    {
        var model = ModelWithApiEnv("Azora__Api__PublicUrl", "https://{api.bindings.https.host}/");

        var error = Assert.Throws<InvalidOperationException>(() => ManifestGenerator.Generate(model));

        Assert.Contains("Azora__Api__PublicUrl=https://{api.bindings.https.host}/", error.Message);
    }

    [Fact]
    public void Plain_settings_go_to_the_config_map_and_secrets_stay_references()
    {
        var model = ModelWithApiEnv("Azora__Stripe__SecretKey", "{stripe-secret-key.value}", """
            , "stripe-secret-key": { "type": "parameter.v0", "value": "{stripe-secret-key.inputs.value}", "inputs": { "value": { "type": "string", "secret": true } } }
            """);

        var settings = ServiceSettings.From(model.Get("api"), model);

        Assert.Empty(settings.Plain);
        var (variable, secret) = Assert.Single(settings.Secrets);
        Assert.Equal("Azora__Stripe__SecretKey", variable);
        Assert.Equal(new SecretCatalog.SecretKey("azora-stripe", "secret-key"), secret);
    }

    [Fact]
    public void A_plain_parameter_takes_each_environments_value_from_the_generator_and_one_without_a_value_stops_generation()
    {
        const string parameter = """
            , "mail-public-base-url": { "type": "parameter.v0", "value": "{mail-public-base-url.inputs.value}", "inputs": { "value": { "type": "string" } } }
            """;
        var model = ModelWithApiEnv("Azora__Mail__PublicBaseUrl", "{mail-public-base-url.value}", parameter);

        var layers = new BaseLayer(model);
        var noExtra = new Dictionary<string, IDictionary<string, string>>();

        Assert.DoesNotContain("Azora__Mail__PublicBaseUrl", layers.Files().Single(file => file.Path == "base/api.yaml").Render());
        Assert.Equal("https://staging.azora.world/",
            OverlayParts.SettingsPatches(layers, "Staging", MailSettings.Staging.ParameterValues(), noExtra).Single().Data["Azora__Mail__PublicBaseUrl"]);
        Assert.Equal("https://azora.world/",
            OverlayParts.SettingsPatches(layers, "Production", MailSettings.Production.ParameterValues(), noExtra).Single().Data["Azora__Mail__PublicBaseUrl"]);

        var unknown = new BaseLayer(ModelWithApiEnv("Azora__Mail__ReplyTo", "{mail-reply-to.value}", parameter.Replace("mail-public-base-url", "mail-reply-to")));
        var error = Assert.Throws<InvalidOperationException>(() => OverlayParts.SettingsPatches(unknown, "Staging", MailSettings.Staging.ParameterValues(), noExtra).ToList());
        Assert.Contains("'api' reads the parameter 'mail-reply-to', which has no value for Staging", error.Message);
    }

    [Fact]
    public void A_reference_to_another_project_becomes_its_service_in_plain_http_and_one_to_anything_else_stops_generation()
    {
        var model = AspireManifest.Parse("""
            {
              "resources": {
                "api": { "type": "project.v0", "path": "Azora.Api.csproj", "bindings": { "http": { "scheme": "http" }, "https": { "scheme": "https" } } },
                "web": {
                  "type": "project.v0",
                  "path": "Azora.Web.csproj",
                  "env": {
                    "services__api__http__0": "{api.bindings.http.url}",
                    "services__api__https__0": "{api.bindings.https.url}",
                    "API_HTTP": "{api.bindings.http.url}",
                    "API_HTTPS": "{api.bindings.https.url}"
                  },
                  "bindings": { "http": { "scheme": "http" } }
                }
              }
            }
            """);

        var settings = ServiceSettings.From(model.Get("web"), model);

        // TLS ends at the ingress: an https entry would be preferred by service discovery and fail inside the cluster.
        Assert.Equal(new Dictionary<string, string> { ["services__api__http__0"] = "http://api" }, settings.Plain);
        Assert.Empty(settings.Secrets);

        var elsewhere = AspireManifest.Parse("""
            { "resources": { "web": { "type": "project.v0", "path": "Azora.Web.csproj", "env": { "services__mail__http__0": "{mail.bindings.http.url}" }, "bindings": { "http": { "scheme": "http" } } } } }
            """);
        var error = Assert.Throws<InvalidOperationException>(() => ServiceSettings.From(elsewhere.Get("web"), elsewhere));
        Assert.Contains("services__mail__http__0={mail.bindings.http.url}", error.Message);
    }
}
