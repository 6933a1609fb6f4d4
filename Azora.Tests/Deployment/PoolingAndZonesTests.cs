using System.Text.RegularExpressions;
using Azora.Manifests.Generation;
using k8s.Models;

namespace Azora.Tests.Deployment;

/// <summary>
/// PgBouncer between the services and PostgreSQL in both overlays, production spread over zones, and the node counts
/// the guide promises, read off the built overlays.
/// </summary>
public sealed partial class PoolingAndZonesTests
{
    private const string Guide = "docs/deployment/INFRASTRUCTURE-GUIDE.md";

    private static Dictionary<string, string> IniOf(BuiltOverlay overlay) =>
        IniLine().Matches(overlay.Single<V1ConfigMap>("pgbouncer-settings").Data["pgbouncer.ini"])
            .ToDictionary(line => line.Groups["key"].Value, line => line.Groups["value"].Value.Trim());

    [Theory]
    [InlineData("staging", 2)]
    [InlineData("production", 3)]
    public async Task PgBouncer_pools_in_transaction_mode_and_its_pools_fit_in_postgres_max_connections(string environment, int replicas)
    {
        var overlay = await BuiltOverlay.GetAsync(environment);
        var sizing = environment == "staging" ? PgBouncer.Staging : PgBouncer.Production;
        var ini = IniOf(overlay);

        Assert.Equal("transaction", ini["pool_mode"]);
        // Npgsql's auto-prepared statements survive transaction pooling only with this (PgBouncer 1.21 and later).
        Assert.True(int.Parse(ini["max_prepared_statements"]) >= 64, "max_prepared_statements must hold Npgsql's Max Auto Prepare=64");
        var version = ImageVersion().Match(overlay.Single<V1Deployment>("pgbouncer").Spec.Template.Spec.Containers[0].Image);
        Assert.True(new Version(version.Groups[1].Value) >= new Version(1, 21), "PgBouncer before 1.21 drops prepared statements between transactions");

        var deployment = overlay.Single<V1Deployment>("pgbouncer");
        Assert.Equal(replicas, deployment.Spec.Replicas);
        Assert.Equal(replicas, sizing.Replicas);
        var perPod = int.Parse(ini["max_db_connections"]);
        Assert.Equal(int.Parse(ini["default_pool_size"]) + int.Parse(ini["reserve_pool_size"]), perPod);
        // Every PgBouncer pod's pool, the connections that bypass it, the superuser reserve and the operators' share
        // fit in max_connections; and a rollout never runs an extra pod with a pool of its own.
        Assert.True(replicas * perPod <= sizing.PooledBudget, $"{replicas} × {perPod} > {sizing.PooledBudget}");
        Assert.Equal(sizing.MaxConnections,
            sizing.PooledBudget + sizing.DirectConnections + sizing.SuperuserReserved + sizing.OperatorConnections);
        Assert.Equal("0", deployment.Spec.Strategy.RollingUpdate.MaxSurge.Value);

        // Probes and metrics: PgBouncer's port, the exporter beside it, and a budget that keeps one pod out at most.
        var containers = deployment.Spec.Template.Spec.Containers.ToDictionary(container => container.Name);
        Assert.Equal("postgres", containers["pgbouncer"].ReadinessProbe.TcpSocket.Port.Value);
        Assert.StartsWith("quay.io/prometheuscommunity/pgbouncer-exporter:", containers["exporter"].Image);
        Assert.Equal(("azora-pgbouncer", "exporter-url"), (containers["exporter"].Env.Single().ValueFrom.SecretKeyRef.Name, containers["exporter"].Env.Single().ValueFrom.SecretKeyRef.Key));
        Assert.Equal("azora_stats", ini["stats_users"]);
        Assert.Equal("1", overlay.Single<V1PodDisruptionBudget>("pgbouncer").Spec.MaxUnavailable.Value);
        Assert.True(BuiltOverlay.Selects(overlay.Single<V1Service>("pgbouncer").Spec.Selector, deployment.Spec.Template.Metadata.Labels));
    }

    [Theory]
    [InlineData("staging")]
    [InlineData("production")]
    public async Task The_services_reach_postgres_through_pgbouncer_and_keep_a_direct_connection_for_listen_and_migrations(string environment)
    {
        var overlay = await BuiltOverlay.GetAsync(environment);
        var policies = overlay.All<V1NetworkPolicy>().ToList();

        foreach (var name in (string[])["api", "payments"])
        {
            var pods = overlay.All<V1Deployment>().Where(deployment => deployment.Spec.Template.Metadata.Labels["app.kubernetes.io/name"] == name).ToList();
            Assert.NotEmpty(pods);
            foreach (var pod in pods.Select(deployment => deployment.Spec.Template))
            {
                // The pod may open PgBouncer's port on PgBouncer's pods, and PgBouncer admits it.
                Assert.Contains(policies, policy => BuiltOverlay.Selects(policy.Spec.PodSelector, pod.Metadata.Labels)
                    && policy.Spec.Egress?.Any(rule => rule.Ports.Any(port => port.Port.Value == "6432")
                        && rule.To.Any(peer => peer.PodSelector?.MatchLabels?["app.kubernetes.io/name"] == "pgbouncer")) == true);
                Assert.Contains(policies.Single(policy => policy.Metadata.Name == "pgbouncer-ingress").Spec.Ingress,
                    rule => rule.Ports.Any(port => port.Port.Value == "6432") && rule.FromProperty.Any(peer => BuiltOverlay.Selects(peer.PodSelector, pod.Metadata.Labels)));
            }
        }

        // PgBouncer reaches PostgreSQL; the exporter's port is open to Prometheus alone.
        var pgbouncer = overlay.Single<V1Deployment>("pgbouncer").Spec.Template.Metadata.Labels;
        Assert.Contains(policies, policy => BuiltOverlay.Selects(policy.Spec.PodSelector, pgbouncer)
            && policy.Spec.Egress?.Any(rule => rule.Ports.Any(port => port.Port.Value == "5432")) == true);
        var metrics = policies.Single(policy => policy.Metadata.Name == "pgbouncer-ingress").Spec.Ingress.Single(rule => rule.Ports.Any(port => port.Port.Value == "9127"));
        Assert.Equal("monitoring", metrics.FromProperty.Single().NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);

        // Every workload that has the database has the direct connection too, as a required Secret key: a LISTEN sent
        // through the pooler would be accepted and never hear a notification.
        foreach (var (owner, template) in overlay.PodTemplates().Where(pod => pod.Template.Spec.Containers.Any(container =>
                     container.Env?.Any(env => env.Name == "ConnectionStrings__azora") == true)))
        {
            var direct = template.Spec.Containers.SelectMany(container => container.Env ?? []).SingleOrDefault(env => env.Name == "ConnectionStrings__azora-direct");
            Assert.True(direct is not null, $"{owner} has ConnectionStrings__azora but not ConnectionStrings__azora-direct");
            Assert.Equal(("azora-database", "direct-connection-string", null), (direct.ValueFrom.SecretKeyRef.Name, direct.ValueFrom.SecretKeyRef.Key, direct.ValueFrom.SecretKeyRef.Optional));
        }
    }

    [Theory]
    [InlineData("api-blue")]
    [InlineData("api-green")]
    [InlineData("payments")]
    [InlineData("web")]
    [InlineData("pgbouncer")]
    public async Task Production_spreads_each_workload_over_zones_and_keeps_its_budget_with_a_zone_lost(string name)
    {
        var production = await BuiltOverlay.GetAsync("production");
        var deployment = production.Single<V1Deployment>(name);

        var constraints = deployment.Spec.Template.Spec.TopologySpreadConstraints.ToDictionary(constraint => constraint.TopologyKey);
        var zone = constraints["topology.kubernetes.io/zone"];
        Assert.Equal((1, "DoNotSchedule", "Honor"), (zone.MaxSkew, zone.WhenUnsatisfiable, zone.NodeTaintsPolicy));
        Assert.Equal((1, "ScheduleAnyway"), (constraints["kubernetes.io/hostname"].MaxSkew, constraints["kubernetes.io/hostname"].WhenUnsatisfiable));
        Assert.All(constraints.Values, constraint => Assert.True(BuiltOverlay.Selects(constraint.LabelSelector, deployment.Spec.Template.Metadata.Labels)));

        // With the fewest pods spread one skew apart over 3 zones, a lost zone takes at most ceil(pods / 3) of them;
        // the rest still meet the disruption budget, so no drain is blocked forever and no request goes unanswered.
        var fewest = production.All<V2HorizontalPodAutoscaler>().SingleOrDefault(hpa => hpa.Spec.ScaleTargetRef.Name == name)?.Spec.MinReplicas
            ?? deployment.Spec.Replicas!.Value;
        var survivors = fewest - (int)Math.Ceiling(fewest / 3.0);
        var budget = production.All<V1PodDisruptionBudget>().Single(pdb => BuiltOverlay.Selects(pdb.Spec.Selector, deployment.Spec.Template.Metadata.Labels));
        var required = budget.Spec.MinAvailable is { } minAvailable ? int.Parse(minAvailable.Value) : fewest - int.Parse(budget.Spec.MaxUnavailable.Value);
        Assert.Equal(2, survivors);
        Assert.True(survivors >= required, $"{name}: {survivors} pods survive a zone, the budget wants {required}");
        Assert.Contains($"{survivors} of {fewest}", File.ReadAllText(Repository.PathOf(Guide)));
    }

    [Fact]
    public async Task The_guides_cost_table_is_what_the_overlays_requests_need()
    {
        var rows = new List<string>();
        foreach (var environment in (CapacityPlan.Environment[])[CapacityPlan.Staging, CapacityPlan.Production])
        {
            var row = CapacityPlan.For(environment, (await BuiltOverlay.GetAsync(environment.Name)).Objects);
            Assert.True(row.MinNodes <= row.MaxNodes);
            Assert.True(row.MinNodes >= environment.BaseNodes);
            rows.Add(row.Markdown());
        }

        var section = Markdown.Section(Repository.PathOf(Guide), "cost");
        Assert.Contains(CapacityPlan.MarkdownHeader + "\n" + string.Join('\n', rows), section.Replace("\r\n", "\n"));
    }

    [Fact]
    public void The_node_count_grows_in_whole_zones_and_leaves_room_for_a_lost_zone()
    {
        // 4.5 CPU on 1.5-CPU nodes: 3 nodes' worth, which two zones must hold alone: 2 a zone, 6 in all; up to 4 nodes' worth
        // (6 CPU) still fits 2 a zone, a fifth needs 3 a zone.
        Assert.Equal(6, CapacityPlan.NodesFor(CapacityPlan.Production, 4.5, 1));
        Assert.Equal(6, CapacityPlan.NodesFor(CapacityPlan.Production, 6, 1));
        Assert.Equal(9, CapacityPlan.NodesFor(CapacityPlan.Production, 6.1, 1));
        // One zone: no zone to lose.
        Assert.Equal(2, CapacityPlan.NodesFor(CapacityPlan.Staging, 3, 1));
        // Memory decides when it is the scarcer: 13 GiB on 6.5 GiB nodes.
        Assert.Equal(3, CapacityPlan.NodesFor(CapacityPlan.Production, 0.1, 13));
    }

    [GeneratedRegex(@"^(?<key>[a-z_]+) = ?(?<value>.*)$", RegexOptions.Multiline)]
    private static partial Regex IniLine();

    [GeneratedRegex(@":(\d+\.\d+)(?:\.\d+)?$")]
    private static partial Regex ImageVersion();
}
