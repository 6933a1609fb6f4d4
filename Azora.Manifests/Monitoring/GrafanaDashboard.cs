using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;

namespace Azora.Manifests.Monitoring;

/// <summary>
/// The "Azora overview" dashboard as a ConfigMap that Grafana's dashboard sidecar loads (label grafana_dashboard=1).
/// Every panel plots a query the alerts use, so an alert can be read off the dashboard.
/// </summary>
public static class GrafanaDashboard
{
    public const string Uid = "azora-overview";

    public static V1ConfigMap For(string ns, IReadOnlyList<string> services)
    {
        var queries = new MetricQueries(ns, services);
        (string Title, string Unit, string Query, string Legend)[] panels =
        [
            ("Requests per second", "reqps", queries.RequestRate, "{{app_kubernetes_io_name}}"),
            ("5xx ratio", "percentunit", queries.ErrorRatio, "{{app_kubernetes_io_name}}"),
            ("p95 request time", "s", queries.P95RequestSeconds, "{{app_kubernetes_io_name}}"),
            ("CPU of limit", "percentunit", queries.CpuOfLimit, "{{pod}}"),
            ("Memory of limit", "percentunit", queries.MemoryOfLimit, "{{pod}}"),
            ("Catalog cache hit ratio", "percentunit", queries.CacheHitRatio, "hit ratio"),
            ("Requests refused: database unreachable", "reqps", queries.DatabaseUnavailableRate, "503s"),
            ("Rate-limited requests", "reqps", queries.RateLimitedRate, "{{policy}}"),
            ("Payments moved", "ops", queries.PaymentTransitionRate, "{{status}} ({{source}})"),
            ("Partner webhook attempts", "ops", queries.WebhookAttemptRate, "{{outcome}}"),
        ];

        var panelArray = new JsonArray();
        for (var index = 0; index < panels.Length; index++)
        {
            var (title, unit, query, legend) = panels[index];
            panelArray.Add(new JsonObject
            {
                ["id"] = index + 1,
                ["type"] = "timeseries",
                ["title"] = title,
                ["datasource"] = new JsonObject { ["type"] = "prometheus", ["uid"] = "${datasource}" },
                ["gridPos"] = new JsonObject { ["h"] = 8, ["w"] = 12, ["x"] = index % 2 * 12, ["y"] = index / 2 * 8 },
                ["fieldConfig"] = new JsonObject { ["defaults"] = new JsonObject { ["unit"] = unit }, ["overrides"] = new JsonArray() },
                ["targets"] = new JsonArray(new JsonObject { ["refId"] = "A", ["expr"] = query, ["legendFormat"] = legend }),
            });
        }

        var dashboard = new JsonObject
        {
            ["uid"] = Uid,
            ["title"] = "Azora overview",
            ["tags"] = new JsonArray("azora"),
            ["timezone"] = "utc",
            ["schemaVersion"] = 39,
            ["refresh"] = "30s",
            ["time"] = new JsonObject { ["from"] = "now-6h", ["to"] = "now" },
            ["templating"] = new JsonObject
            {
                ["list"] = new JsonArray(new JsonObject
                {
                    ["name"] = "datasource",
                    ["type"] = "datasource",
                    ["query"] = "prometheus",
                    ["label"] = "Prometheus",
                }),
            },
            ["panels"] = panelArray,
        };

        return new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta
            {
                Name = "azora-grafana-dashboard",
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = "azora", ["grafana_dashboard"] = "1" },
            },
            Data = new Dictionary<string, string>
            {
                ["azora-overview.json"] = dashboard.ToJsonString(new JsonSerializerOptions { WriteIndented = true }),
            },
        };
    }
}
