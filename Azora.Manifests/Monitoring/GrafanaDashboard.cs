using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;

namespace Azora.Manifests.Monitoring;

/// <summary>
/// The "Azora overview" dashboard as a ConfigMap that Grafana's dashboard sidecar loads (label grafana_dashboard=1).
/// Every metrics panel plots a query the alerts use, so an alert can be read off the dashboard; the logs panels show the
/// chosen services' lines and one request's lines by its traceId (Loki).
/// </summary>
public static class GrafanaDashboard
{
    public const string Uid = "azora-overview";

    public static V1ConfigMap For(string ns, IReadOnlyList<string> services, IReadOnlyList<string> deployments)
    {
        var queries = new MetricQueries(ns, services, deployments);
        (string Title, string Unit, (string Query, string Legend)[] Targets)[] panels =
        [
            ("Requests per second", "reqps", [(queries.RequestRate, "{{app_kubernetes_io_name}}")]),
            ("5xx ratio", "percentunit", [(queries.ErrorRatio, "{{app_kubernetes_io_name}}")]),
            ("p95 request time", "s", [(queries.P95RequestSeconds, "{{app_kubernetes_io_name}}")]),
            ("Portal requests per second", "reqps", [(queries.PortalRequestRate, "{{http_route}}")]),
            ("Portal 5xx ratio", "percentunit", [(queries.PortalErrorRatio, "5xx")]),
            ("Portal p95 request time", "s", [(queries.PortalP95RequestSeconds, "p95")]),
            ("CPU of limit", "percentunit", [(queries.CpuOfLimit, "{{pod}}")]),
            ("Memory of limit", "percentunit", [(queries.MemoryOfLimit, "{{pod}}")]),
            ("Catalog cache hit ratio", "percentunit", [(queries.CacheHitRatio, "hit ratio")]),
            ("Requests refused: database unreachable", "reqps", [(queries.DatabaseUnavailableRate, "503s")]),
            ("Rate-limited requests", "reqps", [(queries.RateLimitedRate, "{{policy}}")]),
            ("Payments moved", "ops", [(queries.PaymentTransitionRate, "{{status}} ({{source}})")]),
            ("Partner webhook attempts", "ops", [(queries.WebhookAttemptRate, "{{outcome}}")]),
            ("Mail send attempts", "ops", [(queries.MailAttemptRate, "{{outcome}}")]),
            ("Oldest unsent mail", "s", [(queries.MailOldestPendingSeconds, "waiting")]),
            ("Available replicas", "short", [(queries.AvailableReplicas, "{{deployment}}")]),
            ("CPU requested vs used", "short", [(MetricQueries.CpuRequestedByNamespace, "requested {{namespace}}"), (MetricQueries.CpuUsedByNamespace, "used {{namespace}}")]),
            ("Memory requested vs used", "bytes", [(MetricQueries.MemoryRequestedByNamespace, "requested {{namespace}}"), (MetricQueries.MemoryUsedByNamespace, "used {{namespace}}")]),
            ("PgBouncer clients waiting", "short", [(queries.PoolerClientsWaiting, "waiting"), (queries.PoolerLongestWaitSeconds, "longest wait (s)")]),
            ("PgBouncer server connections", "short", [(queries.PoolerServerConnections, "{{state}}")]),
        ];

        var panelArray = new JsonArray();
        for (var index = 0; index < panels.Length; index++)
        {
            var (title, unit, targets) = panels[index];
            panelArray.Add(new JsonObject
            {
                ["id"] = index + 1,
                ["type"] = "timeseries",
                ["title"] = title,
                ["datasource"] = new JsonObject { ["type"] = "prometheus", ["uid"] = "${datasource}" },
                ["gridPos"] = new JsonObject { ["h"] = 8, ["w"] = 12, ["x"] = index % 2 * 12, ["y"] = index / 2 * 8 },
                ["fieldConfig"] = new JsonObject { ["defaults"] = new JsonObject { ["unit"] = unit }, ["overrides"] = new JsonArray() },
                ["targets"] = new JsonArray(targets
                    .Select(JsonNode? (target, number) => new JsonObject { ["refId"] = ((char)('A' + number)).ToString(), ["expr"] = target.Query, ["legendFormat"] = target.Legend })
                    .ToArray()),
            });
        }

        // Logs from Loki, as the cluster's log collector labels them (namespace, container = the service's name), read
        // with the JSON the services write outside Development.
        var logs = new LogQueries(ns, services);
        (string Title, string Query)[] logPanels =
        [
            ("Service logs", logs.ServiceLines),
            ("Trace logs", logs.TraceLines),
        ];
        var nextRow = (panels.Length + 1) / 2 * 8;
        for (var index = 0; index < logPanels.Length; index++)
        {
            var (title, query) = logPanels[index];
            panelArray.Add(new JsonObject
            {
                ["id"] = panels.Length + index + 1,
                ["type"] = "logs",
                ["title"] = title,
                ["datasource"] = new JsonObject { ["type"] = "loki", ["uid"] = "${loki}" },
                ["gridPos"] = new JsonObject { ["h"] = 10, ["w"] = 24, ["x"] = 0, ["y"] = nextRow + index * 10 },
                ["options"] = new JsonObject { ["showTime"] = true, ["wrapLogMessage"] = true, ["sortOrder"] = "Descending", ["enableLogDetails"] = true },
                ["targets"] = new JsonArray(new JsonObject
                {
                    ["refId"] = "A",
                    ["datasource"] = new JsonObject { ["type"] = "loki", ["uid"] = "${loki}" },
                    ["expr"] = query,
                    ["queryType"] = "range",
                }),
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
                ["list"] = new JsonArray(
                    new JsonObject
                    {
                        ["name"] = "datasource",
                        ["type"] = "datasource",
                        ["query"] = "prometheus",
                        ["label"] = "Prometheus",
                    },
                    new JsonObject
                    {
                        ["name"] = "loki",
                        ["type"] = "datasource",
                        ["query"] = "loki",
                        ["label"] = "Loki",
                    },
                    new JsonObject
                    {
                        ["name"] = LogQueries.ServiceVariable,
                        ["type"] = "custom",
                        ["label"] = "Service",
                        ["query"] = string.Join(',', services),
                        ["includeAll"] = true,
                        ["allValue"] = string.Join('|', services),
                        ["multi"] = true,
                        ["current"] = new JsonObject { ["text"] = "All", ["value"] = "$__all" },
                    },
                    new JsonObject
                    {
                        ["name"] = LogQueries.LevelVariable,
                        ["type"] = "custom",
                        ["label"] = "Log level",
                        ["query"] = "Trace,Debug,Information,Warning,Error,Critical",
                        ["includeAll"] = true,
                        ["allValue"] = ".+",
                        ["multi"] = true,
                        ["current"] = new JsonObject { ["text"] = "All", ["value"] = "$__all" },
                    },
                    new JsonObject
                    {
                        ["name"] = LogQueries.TraceIdVariable,
                        ["type"] = "textbox",
                        ["label"] = "traceId",
                        ["query"] = "",
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
