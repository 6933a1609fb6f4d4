using k8s.Models;

namespace Azora.Manifests.Monitoring;

/// <summary>
/// Production alerts. Each names its runbook section (docs/operations/OPERATIONS-RUNBOOK.md) and a severity that sets
/// the response time there: critical 15 min, high 1 h, medium 4 h.
/// </summary>
public static class AlertRules
{
    private const string Runbook = "docs/operations/OPERATIONS-RUNBOOK.md";

    public static PrometheusRule For(string ns, IReadOnlyList<string> services, IReadOnlyList<string> deployments)
    {
        var queries = new MetricQueries(ns, services, deployments);
        var rules = new List<AlertRule>();
        foreach (var service in services)
        {
            var up = queries.Up(service);
            rules.Add(Alert(
                "AzoraServiceDown", $"sum({up}) == 0 or absent({up})", "1m", "critical", "service-down",
                $"No {service} pod in {ns} has answered a metrics scrape for a minute.",
                new Dictionary<string, string> { ["service"] = service }));
        }

        // These two still fire when every pod fails its readiness probe (the database alert then goes quiet, because
        // no request reaches a pod to be refused) and when the replica figures stop arriving at all.
        rules.Add(Alert(
            "AzoraNoAvailableReplicas", $"{queries.AvailableReplicas} == 0", "1m", "critical", "no-available-replicas",
            "Deployment {{ $labels.deployment }} has no ready pod: nothing behind its Service answers."));
        rules.Add(Alert(
            "AzoraReplicaMetricsAbsent", queries.ReplicaMetricsAbsent, "5m", "high", "replica-metrics-absent",
            $"kube-state-metrics reports no Azora Deployment in {ns}, so AzoraNoAvailableReplicas cannot fire."));
        rules.Add(Alert(
            "AzoraHighErrorRate", $"{queries.ErrorRatio} > 0.05", "5m", "critical", "high-error-rate",
            "More than 5% of {{ $labels.app_kubernetes_io_name }} requests fail with a 5xx (the portal has its own alert)."));
        rules.Add(Alert(
            "AzoraHighLatency", $"{queries.P95RequestSeconds} > 0.2", "10m", "high", "high-latency",
            "The 95th percentile of {{ $labels.app_kubernetes_io_name }} request time is over 200 ms."));
        rules.Add(Alert(
            "AzoraWebHighErrorRate", $"{queries.PortalErrorRatio} > 0.05", "5m", "critical", "portal-high-error-rate",
            "More than 5% of the portal's requests fail with a 5xx: people see the error page instead of theirs."));
        rules.Add(Alert(
            "AzoraWebHighLatency", $"{queries.PortalP95RequestSeconds} > 0.5", "10m", "high", "portal-high-latency",
            "The 95th percentile of the portal's request time is over 500 ms."));
        rules.Add(Alert(
            "AzoraDatabaseConnectionFailures", $"{queries.DatabaseUnavailableRate} > 0", "2m", "critical", "database-issues",
            "Requests are failing with 503 because PostgreSQL cannot be reached."));
        rules.Add(Alert(
            "AzoraConnectionPoolSaturated", $"{queries.PoolerClientsWaiting} > 0", "5m", "high", "connection-pool-saturated",
            "Clients have been queueing in PgBouncer for a server connection for 5 minutes: every pool is in use."));
        rules.Add(Alert(
            "AzoraHighCpu", $"{queries.CpuOfLimit} > 0.7", "10m", "high", "high-latency",
            "Pod {{ $labels.pod }} uses more than 70% of its CPU limit."));
        rules.Add(Alert(
            "AzoraHighMemory", $"{queries.MemoryOfLimit} > 0.8", "10m", "high", "out-of-memory",
            "Pod {{ $labels.pod }} uses more than 80% of its memory limit."));
        rules.Add(Alert(
            "AzoraLowCacheHitRatio", $"{queries.CacheHitRatio} < 0.8", "15m", "medium", "low-cache-hit-ratio",
            "Fewer than 80% of catalog reads are served from the cache."));
        rules.Add(Alert(
            "AzoraMailBackingUp", $"{queries.MailOldestPendingSeconds} > 900", "5m", "high", "mail-backing-up",
            "The oldest unsent message has waited over 15 minutes: receipts, verification and password reset mail are late."));
        rules.Add(Alert(
            "AzoraMailFailing", $"{queries.MailFailedRate} > 0 or ({queries.MailRetryingWithoutSending})", "5m", "high", "mail-failing",
            "Mail is being given up on, or every attempt in 15 minutes was a retry and none was sent."));

        return new PrometheusRule
        {
            Metadata = new V1ObjectMeta
            {
                Name = "azora-alerts",
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = "azora", ["prometheus"] = "azora" },
            },
            Spec = new PrometheusRuleSpec { Groups = [new RuleGroup { Name = "azora", Rules = rules }] },
        };
    }

    private static AlertRule Alert(
        string name, string expr, string duration, string severity, string runbookSection, string summary,
        IDictionary<string, string>? extraLabels = null)
    {
        var labels = new Dictionary<string, string> { ["severity"] = severity };
        foreach (var (key, value) in extraLabels ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }

        return new AlertRule
        {
            Alert = name,
            Expr = expr,
            For = duration,
            Labels = labels,
            Annotations = new Dictionary<string, string>
            {
                ["summary"] = summary,
                ["runbook"] = $"{Runbook}#{runbookSection}",
            },
        };
    }
}
