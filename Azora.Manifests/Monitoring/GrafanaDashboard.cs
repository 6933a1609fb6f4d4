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

    public static V1ConfigMap For(string ns)
    {
        var scope = $"namespace=\"{ns}\"";
        (string Title, string Unit, string Query, string Legend)[] panels =
        [
            ("Requests per second", "reqps",
                $"sum by (app_kubernetes_io_name) (rate(http_server_request_duration_seconds_count{{{scope}}}[5m]))", "{{app_kubernetes_io_name}}"),
            ("5xx ratio", "percentunit",
                $"sum by (app_kubernetes_io_name) (rate(http_server_request_duration_seconds_count{{{scope},http_response_status_code=~\"5..\"}}[5m])) / sum by (app_kubernetes_io_name) (rate(http_server_request_duration_seconds_count{{{scope}}}[5m]))",
                "{{app_kubernetes_io_name}}"),
            ("p95 request time", "s",
                $"histogram_quantile(0.95, sum by (le, app_kubernetes_io_name) (rate(http_server_request_duration_seconds_bucket{{{scope}}}[5m])))", "{{app_kubernetes_io_name}}"),
            ("CPU of limit", "percentunit",
                $"sum by (pod) (rate(container_cpu_usage_seconds_total{{{scope},container=~\"api|payments\"}}[5m])) / sum by (pod) (kube_pod_container_resource_limits{{{scope},container=~\"api|payments\",resource=\"cpu\"}})",
                "{{pod}}"),
            ("Memory of limit", "percentunit",
                $"sum by (pod) (container_memory_working_set_bytes{{{scope},container=~\"api|payments\"}}) / sum by (pod) (kube_pod_container_resource_limits{{{scope},container=~\"api|payments\",resource=\"memory\"}})",
                "{{pod}}"),
            ("Catalog cache hit ratio", "percentunit",
                $"sum(rate(azora_cache_lookups_total{{{scope},result=\"hit\"}}[15m])) / sum(rate(azora_cache_lookups_total{{{scope}}}[15m]))", "hit ratio"),
            ("Requests refused: database unreachable", "reqps",
                $"sum(rate(azora_database_unavailable_total{{{scope}}}[5m]))", "503s"),
            ("Rate-limited requests", "reqps",
                $"sum by (policy) (rate(azora_ratelimit_rejected_total{{{scope}}}[5m]))", "{{policy}}"),
            ("Payments moved", "ops",
                $"sum by (status, source) (rate(azora_payments_transitions_total{{{scope}}}[5m]))", "{{status}} ({{source}})"),
            ("Partner webhook attempts", "ops",
                $"sum by (outcome) (rate(azora_webhooks_delivery_attempts_total{{{scope}}}[5m]))", "{{outcome}}"),
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
