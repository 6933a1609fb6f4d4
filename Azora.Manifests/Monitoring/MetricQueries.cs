using Azora.Manifests.Generation;

namespace Azora.Manifests.Monitoring;

/// <summary>
/// The PromQL behind both the alerts and the dashboard, for one namespace and the services' containers, so a panel
/// plots exactly what its alert compares with a threshold.
/// </summary>
public sealed class MetricQueries(string ns, IEnumerable<string> services, IEnumerable<string> deployments)
{
    private readonly string _scope = $"namespace=\"{ns}\"";
    private readonly string _deployments = $"namespace=\"{ns}\",deployment=~\"{string.Join('|', deployments)}\"";
    private readonly string _containers = $"namespace=\"{ns}\",container=~\"{string.Join('|', services)}\"";

    // The portal's pages wait for the API, so its requests have alerts and panels of their own (and thresholds of
    // their own); the API and worker figures leave it out.
    private readonly string _backend = $"namespace=\"{ns}\",app_kubernetes_io_name!=\"{Portal.Name}\"";
    private readonly string _portal = $"namespace=\"{ns}\",app_kubernetes_io_name=\"{Portal.Name}\"";

    public string RequestRate =>
        $"sum by (app_kubernetes_io_name) (rate(http_server_request_duration_seconds_count{{{_scope}}}[5m]))";

    public string ErrorRatio =>
        $"sum by (app_kubernetes_io_name) (rate(http_server_request_duration_seconds_count{{{_backend},http_response_status_code=~\"5..\"}}[5m])) / sum by (app_kubernetes_io_name) (rate(http_server_request_duration_seconds_count{{{_backend}}}[5m]))";

    public string P95RequestSeconds =>
        $"histogram_quantile(0.95, sum by (le, app_kubernetes_io_name) (rate(http_server_request_duration_seconds_bucket{{{_backend}}}[5m])))";

    /// <summary>The portal's requests by route (its pages by their templates, and its static files).</summary>
    public string PortalRequestRate =>
        $"sum by (http_route) (rate(http_server_request_duration_seconds_count{{{_portal}}}[5m]))";

    /// <summary>The share of the portal's answers that are 5xx: pages it could not render, usually because the API failed it.</summary>
    public string PortalErrorRatio =>
        $"sum(rate(http_server_request_duration_seconds_count{{{_portal},http_response_status_code=~\"5..\"}}[5m])) / sum(rate(http_server_request_duration_seconds_count{{{_portal}}}[5m]))";

    /// <summary>The portal's 95th percentile answer time: a page's own work plus the API calls it waits for.</summary>
    public string PortalP95RequestSeconds =>
        $"histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{{{_portal}}}[5m])))";

    public string CpuOfLimit =>
        $"sum by (pod) (rate(container_cpu_usage_seconds_total{{{_containers}}}[5m])) / sum by (pod) (kube_pod_container_resource_limits{{{_containers},resource=\"cpu\"}})";

    public string MemoryOfLimit =>
        $"sum by (pod) (container_memory_working_set_bytes{{{_containers}}}) / sum by (pod) (kube_pod_container_resource_limits{{{_containers},resource=\"memory\"}})";

    public string CacheHitRatio =>
        $"sum(rate(azora_cache_lookups_total{{{_scope},result=\"hit\"}}[15m])) / sum(rate(azora_cache_lookups_total{{{_scope}}}[15m]))";

    public string DatabaseUnavailableRate => $"sum(rate(azora_database_unavailable_total{{{_scope}}}[5m]))";

    public string RateLimitedRate => $"sum by (policy) (rate(azora_ratelimit_rejected_total{{{_scope}}}[5m]))";

    public string PaymentTransitionRate => $"sum by (status, source) (rate(azora_payments_transitions_total{{{_scope}}}[5m]))";

    public string WebhookAttemptRate => $"sum by (outcome) (rate(azora_webhooks_delivery_attempts_total{{{_scope}}}[5m]))";

    /// <summary>Mail the worker tried to send, by outcome: sent, retry (a temporary failure), failed (given up).</summary>
    public string MailAttemptRate => $"sum by (outcome) (rate(azora_mail_send_attempts_total{{{_scope}}}[5m]))";

    /// <summary>Messages given up on in the last 15 minutes; each is mail a learner will not get unless resent.</summary>
    public string MailFailedRate => MailOutcomeRate("failed");

    /// <summary>Retries in the last 15 minutes while nothing at all was sent: the relay refuses or cannot be reached.</summary>
    public string MailRetryingWithoutSending => $"{MailOutcomeRate("retry")} > 0 unless {MailOutcomeRate("sent")} > 0";

    /// <summary>
    /// How long the oldest unsent message has waited. Every worker pod reads the same table, so the pods report the
    /// same figure; max keeps one.
    /// </summary>
    public string MailOldestPendingSeconds => $"max(azora_mail_oldest_pending_age_seconds{{{_scope}}})";

    public string MailPending => $"max(azora_mail_pending{{{_scope}}})";

    private string MailOutcomeRate(string outcome) => $"sum(rate(azora_mail_send_attempts_total{{{_scope},outcome=\"{outcome}\"}}[15m]))";

    /// <summary>
    /// Ready pods per Deployment, from kube-state-metrics: it reads the API server, so it still reports when every pod
    /// has left the load balancer and the services' own counters have nobody left to count.
    /// </summary>
    public string AvailableReplicas => $"sum by (deployment) (kube_deployment_status_replicas_available{{{_deployments}}})";

    /// <summary>Empty when kube-state-metrics reports none of the Deployments, which would silence the replica alert.</summary>
    public string ReplicaMetricsAbsent => $"absent(kube_deployment_status_replicas_available{{{_deployments}}})";

    // Requests against use for every Azora namespace this Prometheus sees (kube-state-metrics and the kubelet's cAdvisor),
    // so over-asking shows as a gap between the two lines: requests are what the nodes are sized and paid for.
    private const string AzoraNamespaces = "namespace=~\"azora-.*\"";

    public static string CpuRequestedByNamespace =>
        $"sum by (namespace) (kube_pod_container_resource_requests{{{AzoraNamespaces},resource=\"cpu\"}})";

    public static string CpuUsedByNamespace =>
        $"sum by (namespace) (rate(container_cpu_usage_seconds_total{{{AzoraNamespaces},container!=\"\"}}[5m]))";

    public static string MemoryRequestedByNamespace =>
        $"sum by (namespace) (kube_pod_container_resource_requests{{{AzoraNamespaces},resource=\"memory\"}})";

    public static string MemoryUsedByNamespace =>
        $"sum by (namespace) (container_memory_working_set_bytes{{{AzoraNamespaces},container!=\"\"}})";

    /// <summary>Clients queued in PgBouncer for a server connection (every pool full): requests waiting on the database.</summary>
    public string PoolerClientsWaiting => $"sum(pgbouncer_pools_client_waiting_connections{{{_scope}}})";

    public string PoolerLongestWaitSeconds => $"max(pgbouncer_pools_client_maxwait_seconds{{{_scope}}})";

    public string PoolerServerConnections =>
        $"label_replace(sum(pgbouncer_pools_server_active_connections{{{_scope}}}), \"state\", \"active\", \"\", \"\") or label_replace(sum(pgbouncer_pools_server_idle_connections{{{_scope}}}), \"state\", \"idle\", \"\", \"\")";

    /// <summary>The scrape status of one service's pods.</summary>
    public string Up(string service) => $"up{{{_scope},app_kubernetes_io_name=\"{service}\"}}";
}
