using k8s.Models;

namespace Azora.Manifests.Generation;

/// <summary>
/// Deny-by-default NetworkPolicies, the same in both overlays except where PostgreSQL and Redis live: every pod may
/// resolve names; only the ingress controller's pods and Prometheus reach the services; each workload reaches the
/// PostgreSQL and Redis it has connection strings for (their pods in staging, the managed servers' networks in
/// production); the API and the worker reach HTTPS on public addresses only; the portal reaches the API
/// (<see cref="Portal.Policies"/>).
/// </summary>
public static class NetworkPolicies
{
    public const int DatabasePort = 5432;
    public const int CachePort = 6379;
    public const int HttpsPort = 443;

    /// <summary>Where a backing service is: its pods in this namespace (app name), or networks outside the cluster (CIDR).</summary>
    public sealed record Destination(string? App, IReadOnlyList<string> Networks)
    {
        public static Destination Pods(string app) => new(app, []);

        public static Destination External(params string[] networks) => new(null, networks);

        public IList<V1NetworkPolicyPeer> Peers() => App is not null
            ? [new V1NetworkPolicyPeer { PodSelector = NameSelector(App) }]
            : Networks.Select(network => new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = network } }).ToList();
    }

    /// <summary>
    /// The ingress-nginx controller's pods (the labels of its Helm chart). Only they and Prometheus may open a
    /// connection to a service, which is what makes believing X-Forwarded-For from the pod network safe.
    /// </summary>
    public static readonly (string Namespace, IReadOnlyDictionary<string, string> Labels) IngressController =
        ("ingress-nginx", new Dictionary<string, string> { ["app.kubernetes.io/name"] = "ingress-nginx", ["app.kubernetes.io/component"] = "controller" });

    /// <summary>
    /// The network the ingress controller's and the portal's pods get their addresses from, whose X-Forwarded-For the
    /// API believes (<c>Azora:Api:TrustedProxies</c>): the controller's, and the portal's, which forwards its browser's
    /// address so the API's per-client limits apply to the browser. The policies let no other pod but Prometheus
    /// connect to the API, so only those two can set a client address; narrow it to the cluster's pod CIDR (both run
    /// as pods, with addresses that change) and regenerate.
    /// </summary>
    public const string TrustedProxyNetwork = "10.0.0.0/8";

    /// <summary>kube-prometheus-stack's Prometheus pods, which scrape <c>/metrics</c>.</summary>
    public static readonly (string Namespace, IReadOnlyDictionary<string, string> Labels) Prometheus =
        ("monitoring", new Dictionary<string, string> { ["app.kubernetes.io/name"] = "prometheus" });

    /// <summary>
    /// What HTTPS egress may not reach: private, shared, loopback, link-local (cloud metadata), documentation,
    /// benchmarking, multicast and reserved IPv4 ranges. The cluster's API server and every pod and node are on private
    /// addresses, so they are excluded too; add a public API server address here if the cluster has one.
    /// </summary>
    public static readonly string[] NonPublicIpv4 =
    [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    ];

    /// <param name="services">the workloads that serve HTTP (api, payments, web): the ingress controller and Prometheus reach them</param>
    /// <param name="databaseClients">every workload that connects to PostgreSQL</param>
    /// <param name="cacheClients">every workload that connects to Redis</param>
    /// <param name="httpsClients">the workloads that call out over HTTPS (Stripe, partners' webhooks): not the portal</param>
    /// <param name="extra">policies only this overlay needs</param>
    /// <param name="pooledClients">the services that reach PostgreSQL through PgBouncer (they also keep a direct connection for LISTEN, so they stay database clients)</param>
    public static IEnumerable<V1NetworkPolicy> For(
        IReadOnlyList<string> services, IReadOnlyList<string> databaseClients, IReadOnlyList<string> cacheClients, IReadOnlyList<string> httpsClients,
        Destination database, Destination cache, IEnumerable<V1NetworkPolicy>? extra = null, IReadOnlyList<string>? pooledClients = null)
    {
        if (pooledClients is not null)
        {
            databaseClients = [.. databaseClients, PgBouncer.Name];
        }

        yield return Policy("default-deny", new V1LabelSelector(), ingress: [], egress: []);
        yield return Policy("allow-dns", new V1LabelSelector(), ingress: null, egress:
        [
            new V1NetworkPolicyEgressRule
            {
                To = [PodsIn("kube-system", new Dictionary<string, string> { ["k8s-app"] = "kube-dns" })],
                Ports = [Port(53, "UDP"), Port(53, "TCP")],
            },
        ]);
        foreach (var service in services)
        {
            // The Ingress rules decide which paths reach each service.
            yield return Policy($"{service}-ingress", NameSelector(service), ingress:
            [
                new V1NetworkPolicyIngressRule
                {
                    FromProperty = [PodsIn(IngressController.Namespace, IngressController.Labels), PodsIn(Prometheus.Namespace, Prometheus.Labels)],
                    Ports = [Port(Conventions.HttpPort, "TCP")],
                },
            ], egress: null);
        }

        yield return Policy("database-egress", NamesSelector(databaseClients), ingress: null, egress:
            [new V1NetworkPolicyEgressRule { To = database.Peers(), Ports = [Port(DatabasePort, "TCP")] }]);
        yield return Policy("cache-egress", NamesSelector(cacheClients), ingress: null, egress:
            [new V1NetworkPolicyEgressRule { To = cache.Peers(), Ports = [Port(CachePort, "TCP")] }]);
        // Stripe's API for both services; partners' HTTPS webhook endpoints for the payments worker.
        yield return Policy("https-egress", NamesSelector(httpsClients), ingress: null, egress:
        [
            new V1NetworkPolicyEgressRule
            {
                To = [new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = "0.0.0.0/0", Except = NonPublicIpv4 } }],
                Ports = [Port(HttpsPort, "TCP")],
            },
        ]);

        if (pooledClients is not null)
        {
            yield return Policy("pgbouncer-egress", NamesSelector(pooledClients), ingress: null, egress:
                [new V1NetworkPolicyEgressRule { To = [new V1NetworkPolicyPeer { PodSelector = NameSelector(PgBouncer.Name) }], Ports = [Port(PgBouncer.Port, "TCP")] }]);
            yield return Policy($"{PgBouncer.Name}-ingress", NameSelector(PgBouncer.Name), ingress:
            [
                new V1NetworkPolicyIngressRule { FromProperty = [new V1NetworkPolicyPeer { PodSelector = NamesSelector(pooledClients) }], Ports = [Port(PgBouncer.Port, "TCP")] },
                new V1NetworkPolicyIngressRule { FromProperty = [PodsIn(Prometheus.Namespace, Prometheus.Labels)], Ports = [Port(PgBouncer.MetricsPort, "TCP")] },
            ], egress: null);
        }

        // Backing services running as pods here accept their clients and nobody else.
        if (database.App is not null)
        {
            yield return InboundFrom(database.App, databaseClients, DatabasePort);
        }

        if (cache.App is not null)
        {
            yield return InboundFrom(cache.App, cacheClients, CachePort);
        }

        foreach (var policy in extra ?? [])
        {
            yield return policy;
        }
    }

    public static V1NetworkPolicy InboundFrom(string app, IEnumerable<string> clients, int port) =>
        Policy($"{app}-ingress", NameSelector(app), ingress:
            [new V1NetworkPolicyIngressRule { FromProperty = [new V1NetworkPolicyPeer { PodSelector = NamesSelector(clients) }], Ports = [Port(port, "TCP")] }],
            egress: null);

    public static V1NetworkPolicy Policy(string name, V1LabelSelector pods, IList<V1NetworkPolicyIngressRule>? ingress, IList<V1NetworkPolicyEgressRule>? egress)
    {
        var types = new List<string>();
        if (ingress is not null)
        {
            types.Add("Ingress");
        }

        if (egress is not null)
        {
            types.Add("Egress");
        }

        return new V1NetworkPolicy
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "NetworkPolicy",
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = Conventions.PartOf } },
            Spec = new V1NetworkPolicySpec
            {
                PodSelector = pods,
                PolicyTypes = types,
                Ingress = ingress is { Count: > 0 } ? ingress : null,
                Egress = egress is { Count: > 0 } ? egress : null,
            },
        };
    }

    public static V1LabelSelector NameSelector(string name) =>
        new() { MatchLabels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = name } };

    public static V1LabelSelector NamesSelector(IEnumerable<string> names) => new()
    {
        MatchExpressions = [new V1LabelSelectorRequirement { Key = "app.kubernetes.io/name", OperatorProperty = "In", Values = names.Order(StringComparer.Ordinal).ToList() }],
    };

    public static V1NetworkPolicyPeer PodsIn(string ns, IReadOnlyDictionary<string, string> labels) => new()
    {
        NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = ns } },
        PodSelector = new V1LabelSelector { MatchLabels = labels.ToDictionary() },
    };

    public static V1NetworkPolicyPort Port(int port, string protocol) => new() { Port = port, Protocol = protocol };
}
