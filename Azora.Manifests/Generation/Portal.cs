using k8s.Models;

namespace Azora.Manifests.Generation;

/// <summary>
/// The web portal (Azora.Web, resource <c>web</c>): the site people open, at the environment's bare host
/// (<c>azora.world</c>, <c>staging.azora.world</c>), beside the API's host. It calls the API's Service and keeps its
/// sign-in sessions and Data Protection keys in the cache, so it reaches those two and DNS and nothing else: no
/// database, no HTTPS to the internet. Sessions live in the cache, so any replica serves any browser and the Ingress
/// needs no affinity.
/// </summary>
public static class Portal
{
    public const string Name = "web";

    /// <summary>The workload it calls, by its Service (http://api, service discovery's entry in the manifests).</summary>
    public const string Api = "api";

    public const string StagingHost = "staging.azora.world";
    public const string ProductionHost = "azora.world";

    /// <summary>
    /// Production's Stripe publishable key, for Stripe's Payment Element at checkout. It is not a secret (Stripe.js
    /// hands it to every browser), so it is a setting like the mail relay's host: this placeholder, which Stripe
    /// refuses, is replaced by the operator with the account's live key (<c>pk_live_…</c>) before the first deploy, then
    /// <c>scripts/generate-manifests.sh</c> (docs/deployment/STRIPE.md, "Paying in the portal").
    /// </summary>
    public const string ProductionPublishableKey = "pk_live_replace_before_first_deploy";

    /// <summary>
    /// The portal's endpoints for the cluster (probes, Prometheus), which a route of "/" would otherwise publish on the
    /// public host: a second Ingress for the same host refuses them (403) to every client address. Prefix paths, so
    /// "/metrics/" is refused too. nginx matches case-sensitively while ASP.NET Core routes do not, so "/METRICS" still
    /// reaches the portal: serving these endpoints on a port the Service does not expose would close that.
    /// </summary>
    public static readonly string[] InternalPaths = ["/alive", "/health", "/metrics"];

    /// <summary>The Ingress for the host (every path to the portal) and the one that keeps its internal paths inside.</summary>
    public static IEnumerable<V1Ingress> Ingresses(string host, string clusterIssuer)
    {
        yield return OverlayParts.IngressFor(Name, host, [("/", "Prefix", Name)], new Dictionary<string, string>
        {
            ["cert-manager.io/cluster-issuer"] = clusterIssuer,
        });
        // ingress-nginx applies an Ingress's annotations to that Ingress's paths only; the longer prefixes win over "/".
        // Nothing is allowed but loopback, which no client of the controller has. Both names of the annotation:
        // allowlist- since controller 1.9, whitelist- before it.
        yield return OverlayParts.IngressFor($"{Name}-internal-paths", host, InternalPaths.Select(path => (path, "Prefix", Name)), new Dictionary<string, string>
        {
            ["nginx.ingress.kubernetes.io/allowlist-source-range"] = "127.0.0.1/32",
            ["nginx.ingress.kubernetes.io/whitelist-source-range"] = "127.0.0.1/32",
        });
    }

    /// <summary>
    /// Its egress to the API's pods, and the API's admission of it (the ingress controller's rule does not cover it).
    /// The cache rules list it among the cache's clients; DNS is every pod's.
    /// </summary>
    public static IEnumerable<V1NetworkPolicy> Policies()
    {
        var http = NetworkPolicies.Port(Conventions.HttpPort, "TCP");
        yield return NetworkPolicies.Policy($"{Name}-to-{Api}", NetworkPolicies.NameSelector(Name), ingress: null, egress:
            [new V1NetworkPolicyEgressRule { To = [new V1NetworkPolicyPeer { PodSelector = NetworkPolicies.NameSelector(Api) }], Ports = [http] }]);
        yield return NetworkPolicies.Policy($"{Api}-from-{Name}", NetworkPolicies.NameSelector(Api), ingress:
            [new V1NetworkPolicyIngressRule { FromProperty = [new V1NetworkPolicyPeer { PodSelector = NetworkPolicies.NameSelector(Name) }], Ports = [http] }],
            egress: null);
    }
}
