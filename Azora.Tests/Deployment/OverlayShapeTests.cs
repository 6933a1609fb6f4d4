using k8s.Models;

namespace Azora.Tests.Deployment;

/// <summary>What each environment promises operators, read off the built overlays.</summary>
public sealed class OverlayShapeTests
{
    [Fact]
    public async Task Staging_runs_two_of_each_service_with_postgres_and_redis_inside_the_cluster()
    {
        var staging = await BuiltOverlay.GetAsync("staging");

        var services = staging.All<V1Deployment>().Where(deployment => deployment.Metadata.Name is not ("stripe-emulator" or "pgbouncer")).ToList();
        Assert.All(services, deployment => Assert.Equal(2, deployment.Spec.Replicas));
        Assert.Equal(["api", "payments", "web"], services.Select(deployment => deployment.Metadata.Name).Order());
        foreach (var name in (string[])["postgres", "cache"])
        {
            var statefulSet = staging.Single<V1StatefulSet>(name);
            Assert.Single(statefulSet.Spec.VolumeClaimTemplates);
            Assert.Contains(statefulSet.Spec.Template.Spec.Containers[0].VolumeMounts, mount => mount.Name == "data");
            Assert.NotNull(staging.Single<V1Service>(name));
        }

        Assert.Equal("api-staging.azora.world", staging.Single<V1Ingress>("azora").Spec.Rules.Single().Host);
        Assert.All(staging.Objects.OfType<k8s.IKubernetesObject<V1ObjectMeta>>().Where(item => item is not V1Namespace),
            item => Assert.Equal("azora-staging", item.Metadata.NamespaceProperty));
    }

    [Fact]
    public async Task Production_serves_the_api_blue_green_with_one_colour_live()
    {
        var production = await BuiltOverlay.GetAsync("production");

        var colours = production.All<V1Deployment>().Where(deployment => deployment.Metadata.Name.StartsWith("api", StringComparison.Ordinal)).ToList();
        Assert.Equal(["blue", "green"], colours.Select(deployment => deployment.Spec.Template.Metadata.Labels["version"]).Order());
        var live = production.Single<V1Service>("api");
        var selected = colours.Where(deployment => BuiltOverlay.Selects(live.Spec.Selector, deployment.Spec.Template.Metadata.Labels)).ToList();
        Assert.Equal("api-blue", Assert.Single(selected).Metadata.Name);
        Assert.Equal("green", production.Single<V1Service>("api-green").Spec.Selector["version"]);
    }

    [Theory]
    [InlineData("api-blue")]
    [InlineData("api-green")]
    [InlineData("payments")]
    [InlineData("web")]
    public async Task Production_scales_each_service_from_3_to_10_pods_at_70_percent_cpu_and_keeps_2_during_disruptions(string name)
    {
        var production = await BuiltOverlay.GetAsync("production");

        // The autoscaler alone sets the count (never below 3): a count in the manifest would undo its scaling at every apply.
        Assert.Null(production.Single<V1Deployment>(name).Spec.Replicas);
        var autoscaler = production.Single<V2HorizontalPodAutoscaler>(name);
        Assert.Equal((3, 10), (autoscaler.Spec.MinReplicas, autoscaler.Spec.MaxReplicas));
        Assert.Equal(70, autoscaler.Spec.Metrics.Single().Resource.Target.AverageUtilization);
        Assert.True(autoscaler.Spec.Behavior.ScaleDown.StabilizationWindowSeconds >= 300);
        Assert.Equal(1, autoscaler.Spec.Behavior.ScaleDown.Policies.Single().Value);
        var budget = production.Single<V1PodDisruptionBudget>(name);
        Assert.Equal("2", budget.Spec.MinAvailable.Value);
        Assert.True(BuiltOverlay.Selects(budget.Spec.Selector, production.Single<V1Deployment>(name).Spec.Template.Metadata.Labels));
    }

    [Fact]
    public async Task Production_denies_all_traffic_but_what_each_service_needs()
    {
        var production = await BuiltOverlay.GetAsync("production");
        var policies = production.All<V1NetworkPolicy>().ToDictionary(policy => policy.Metadata.Name);

        var deny = policies["default-deny"];
        Assert.Empty(deny.Spec.PodSelector.MatchLabels ?? new Dictionary<string, string>());
        Assert.Equal(["Egress", "Ingress"], deny.Spec.PolicyTypes.Order());
        Assert.Null(deny.Spec.Ingress);
        Assert.Null(deny.Spec.Egress);

        var fromIngress = policies["payments-ingress"].Spec.Ingress.Single();
        Assert.Contains(fromIngress.FromProperty, peer => peer.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] == "ingress-nginx");
        Assert.Equal("5432", policies["database-egress"].Spec.Egress.Single().Ports.Single().Port.Value);
        Assert.Equal("controller", fromIngress.FromProperty[0].PodSelector.MatchLabels["app.kubernetes.io/component"]);

        // The managed servers are reached on their private networks only; HTTPS only on public addresses.
        Assert.Equal(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], policies["database-egress"].Spec.Egress.Single().To.Select(peer => peer.IpBlock.Cidr));
        Assert.Equal(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], policies["cache-egress"].Spec.Egress.Single().To.Select(peer => peer.IpBlock.Cidr));
        var https = policies["https-egress"].Spec.Egress.Single().To.Single().IpBlock;
        Assert.Equal("0.0.0.0/0", https.Cidr);
        Assert.Superset(new HashSet<string> { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10", "127.0.0.0/8" }, https.Except.ToHashSet());

        var ingress = production.Single<V1Ingress>("azora");
        Assert.Equal("letsencrypt", ingress.Metadata.Annotations["cert-manager.io/cluster-issuer"]);
        Assert.Equal(["api.azora.world"], ingress.Spec.Tls.Single().Hosts);
        var routes = ingress.Spec.Rules.Single().Http.Paths;
        var toPayments = Assert.Single(routes, route => route.Backend.Service.Name == "payments");
        Assert.Equal(("/webhooks/stripe", "Exact"), (toPayments.Path, toPayments.PathType));
        Assert.DoesNotContain(routes, route => route.Path is "/" or "/health" or "/metrics");
    }

    [Fact]
    public async Task Staging_has_the_production_policies_with_postgres_and_redis_reached_as_its_own_pods()
    {
        var staging = (await BuiltOverlay.GetAsync("staging")).All<V1NetworkPolicy>().ToDictionary(policy => policy.Metadata.Name);
        var production = (await BuiltOverlay.GetAsync("production")).All<V1NetworkPolicy>().Select(policy => policy.Metadata.Name);

        Assert.Subset(staging.Keys.ToHashSet(), production.ToHashSet());
        Assert.Equal("postgres", staging["database-egress"].Spec.Egress.Single().To.Single().PodSelector.MatchLabels["app.kubernetes.io/name"]);
        Assert.Equal("cache", staging["cache-egress"].Spec.Egress.Single().To.Single().PodSelector.MatchLabels["app.kubernetes.io/name"]);
        Assert.Equal(["api", "migrations", "payments", "pgbouncer"], staging["postgres-ingress"].Spec.Ingress.Single().FromProperty.Single().PodSelector.MatchExpressions.Single().Values);
        Assert.Equal(["api", "payments", "web"], staging["cache-ingress"].Spec.Ingress.Single().FromProperty.Single().PodSelector.MatchExpressions.Single().Values);
    }

    [Theory]
    [InlineData("staging", "smtp-test.azora.world", "https://staging.azora.world/", "no-reply@staging.azora.world")]
    [InlineData("production", "smtp-relay.azora.world", "https://azora.world/", "no-reply@azora.world")]
    public async Task The_worker_mails_through_the_environments_relay_and_alone_may_reach_its_port_on_public_addresses(
        string environment, string relay, string publicBaseUrl, string fromAddress)
    {
        var overlay = await BuiltOverlay.GetAsync(environment);

        var payments = overlay.Single<V1ConfigMap>("payments-settings").Data;
        Assert.Equal((relay, "587", "StartTls", $"azora-{environment}"),
            (payments["Azora__Mail__Smtp__Host"], payments["Azora__Mail__Smtp__Port"], payments["Azora__Mail__Smtp__Security"], payments["Azora__Mail__Smtp__Username"]));
        foreach (var service in (string[])["api", "payments"])
        {
            var settings = overlay.Single<V1ConfigMap>($"{service}-settings").Data;
            Assert.Equal((publicBaseUrl, fromAddress), (settings["Azora__Mail__PublicBaseUrl"], settings["Azora__Mail__FromAddress"]));
        }

        // The password is a Secret reference on the worker alone; the API only writes mail to the outbox.
        var password = overlay.Single<V1Deployment>("payments").Spec.Template.Spec.Containers[0].Env.Single(env => env.Name == "Azora__Mail__Smtp__Password");
        Assert.Equal(("azora-mail", "smtp-password"), (password.ValueFrom.SecretKeyRef.Name, password.ValueFrom.SecretKeyRef.Key));
        Assert.DoesNotContain(overlay.All<V1Deployment>().Where(deployment => deployment.Metadata.Name != "payments"),
            deployment => deployment.Spec.Template.Spec.Containers.Any(container => container.Env?.Any(env => env.Name.StartsWith("Azora__Mail__Smtp", StringComparison.Ordinal)) == true));
        Assert.DoesNotContain("Azora__Mail__Smtp__Host", overlay.Single<V1ConfigMap>("api-settings").Data.Keys);

        var policies = overlay.All<V1NetworkPolicy>().ToList();
        var smtp = Assert.Single(policies, policy => policy.Spec.Egress?.Any(rule => rule.Ports?.Any(port => port.Port.Value is "25" or "465" or "587") == true) == true);
        Assert.Equal("smtp-egress", smtp.Metadata.Name);
        Assert.Equal("payments", smtp.Spec.PodSelector.MatchLabels["app.kubernetes.io/name"]);
        var rule = smtp.Spec.Egress.Single();
        Assert.Equal(("587", "TCP"), (rule.Ports.Single().Port.Value, rule.Ports.Single().Protocol));
        var destination = rule.To.Single().IpBlock;
        Assert.Equal("0.0.0.0/0", destination.Cidr);
        Assert.Superset(new HashSet<string> { "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10", "127.0.0.0/8" }, destination.Except.ToHashSet());
    }

    [Fact]
    public async Task Production_backs_the_database_up_daily_at_2_utc_and_keeps_30_days()
    {
        var production = await BuiltOverlay.GetAsync("production");

        var backup = production.Single<V1CronJob>("postgres-backup");

        Assert.Equal("0 2 * * *", backup.Spec.Schedule);
        Assert.Equal("Etc/UTC", backup.Spec.TimeZone);
        Assert.Equal("Forbid", backup.Spec.ConcurrencyPolicy);
        var script = backup.Spec.JobTemplate.Spec.Template.Spec.Containers.Single().Command.Last();
        Assert.Contains("pg_dump --format=custom", script);
        Assert.Contains("-mtime +29 -delete", script);
        Assert.Contains(backup.Spec.JobTemplate.Spec.Template.Spec.Volumes, volume => volume.PersistentVolumeClaim?.ClaimName == "postgres-backups");
        Assert.NotNull(production.Single<V1PersistentVolumeClaim>("postgres-backups"));
    }

    [Fact]
    public async Task The_dashboard_shows_each_services_logs_and_one_traces_logs_from_loki()
    {
        var production = await BuiltOverlay.GetAsync("production");
        using var dashboard = System.Text.Json.JsonDocument.Parse(production.Single<V1ConfigMap>("azora-grafana-dashboard").Data["azora-overview.json"]);

        var variables = dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
            .ToDictionary(variable => variable.GetProperty("name").GetString()!, variable => variable.GetProperty("type").GetString());
        Assert.Equal("datasource", variables["loki"]);
        Assert.Equal("custom", variables["service"]);
        Assert.Equal("textbox", variables["traceId"]);

        var logPanels = dashboard.RootElement.GetProperty("panels").EnumerateArray().Where(panel => panel.GetProperty("type").GetString() == "logs")
            .ToDictionary(panel => panel.GetProperty("title").GetString()!, panel => panel);
        Assert.All(logPanels.Values, panel => Assert.Equal("loki", panel.GetProperty("datasource").GetProperty("type").GetString()));
        string Query(string title) => logPanels[title].GetProperty("targets")[0].GetProperty("expr").GetString()!;
        Assert.Equal("{namespace=\"azora-production\", container=~\"$service\"} | json | LogLevel=~\"$level\"", Query("Service logs"));
        Assert.Equal("{namespace=\"azora-production\", container=~\"api|payments|web\"} |= \"$traceId\"", Query("Trace logs"));
    }

    [Theory]
    [InlineData("staging", "staging.azora.world", "Staging")]
    [InlineData("production", "azora.world", "Production")]
    public async Task The_portal_serves_the_environments_bare_host_over_tls_and_keeps_its_probes_and_metrics_inside(
        string environment, string host, string environmentName)
    {
        var overlay = await BuiltOverlay.GetAsync(environment);

        var ingress = overlay.Single<V1Ingress>("web");
        Assert.Equal([host], ingress.Spec.Tls.Single().Hosts);
        Assert.Equal(host.Replace('.', '-') + "-tls", ingress.Spec.Tls.Single().SecretName);
        Assert.Equal("letsencrypt", ingress.Metadata.Annotations["cert-manager.io/cluster-issuer"]);
        Assert.Equal("true", ingress.Metadata.Annotations["nginx.ingress.kubernetes.io/ssl-redirect"]);
        var route = Assert.Single(ingress.Spec.Rules.Single(rule => rule.Host == host).Http.Paths);
        Assert.Equal(("/", "Prefix", "web", "http"), (route.Path, route.PathType, route.Backend.Service.Name, route.Backend.Service.Port.Name));
        // Sessions are in the cache, so any replica serves any browser: no sticky sessions.
        Assert.DoesNotContain(ingress.Metadata.Annotations.Keys, key => key.Contains("affinity", StringComparison.Ordinal));

        // The same host's paths for probes and Prometheus answer no client of the controller.
        var inside = overlay.Single<V1Ingress>("web-internal-paths");
        var paths = inside.Spec.Rules.Single(rule => rule.Host == host).Http.Paths;
        Assert.Equal(["/alive", "/health", "/metrics"], paths.Select(path => path.Path).Order());
        Assert.All(paths, path => Assert.Equal(("Prefix", "web"), (path.PathType, path.Backend.Service.Name)));
        Assert.Equal("127.0.0.1/32", inside.Metadata.Annotations["nginx.ingress.kubernetes.io/allowlist-source-range"]);
        Assert.Equal("127.0.0.1/32", inside.Metadata.Annotations["nginx.ingress.kubernetes.io/whitelist-source-range"]);
        Assert.DoesNotContain(overlay.Single<V1Ingress>("azora").Spec.Rules.SelectMany(rule => rule.Http.Paths), path => path.Backend.Service.Name == "web");

        var deployment = overlay.Single<V1Deployment>("web");
        var container = deployment.Spec.Template.Spec.Containers.Single();
        Assert.Equal(("/alive", "/alive", "/health"), (container.StartupProbe.HttpGet.Path, container.LivenessProbe.HttpGet.Path, container.ReadinessProbe.HttpGet.Path));
        Assert.StartsWith("ghcr.io/azora-world/azora-web:", container.Image);
        Assert.NotNull(container.Resources.Limits["memory"]);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.True(BuiltOverlay.Selects(overlay.Single<V1Service>("web").Spec.Selector, deployment.Spec.Template.Metadata.Labels));

        // It finds the API by its Service, in plain HTTP inside the cluster, and reaches the cache; never the database.
        var settings = overlay.Single<V1ConfigMap>("web-settings").Data;
        Assert.Equal(("http://api", environmentName), (settings["services__api__http__0"], settings["ASPNETCORE_ENVIRONMENT"]));
        Assert.DoesNotContain(settings.Keys, key => key.StartsWith("services__api__https", StringComparison.Ordinal) || key.StartsWith("API_", StringComparison.Ordinal));
        var secrets = container.Env.Select(env => (env.Name, env.ValueFrom.SecretKeyRef.Name, env.ValueFrom.SecretKeyRef.Key));
        Assert.Equal([("ConnectionStrings__cache", "azora-cache", "connection-string")], secrets);
    }

    [Theory]
    [InlineData("staging")]
    [InlineData("production")]
    public async Task The_portal_may_reach_only_the_api_the_cache_and_dns_and_both_accept_it(string environment)
    {
        var overlay = await BuiltOverlay.GetAsync(environment);
        var policies = overlay.All<V1NetworkPolicy>().ToList();
        var web = overlay.Single<V1Deployment>("web").Spec.Template.Metadata.Labels;

        var egress = policies.Where(policy => policy.Spec.PolicyTypes.Contains("Egress") && BuiltOverlay.Selects(policy.Spec.PodSelector, web)).ToList();
        Assert.Equal(["allow-dns", "cache-egress", "default-deny", "web-to-api"], egress.Select(policy => policy.Metadata.Name).Order());
        var rules = egress.SelectMany(policy => policy.Spec.Egress ?? []).ToList();
        Assert.Equal(["53/TCP", "53/UDP", "6379/TCP", "8080/TCP"], rules.SelectMany(rule => rule.Ports).Select(port => $"{port.Port.Value}/{port.Protocol}").Order());
        Assert.All(rules, rule => Assert.NotEmpty(rule.To));
        var toApi = rules.Single(rule => rule.Ports.Any(port => port.Port.Value == "8080")).To.Single();
        Assert.Equal(("api", null), (toApi.PodSelector.MatchLabels["app.kubernetes.io/name"], toApi.NamespaceSelector));
        var toCache = rules.Single(rule => rule.Ports.Any(port => port.Port.Value == "6379")).To;
        if (environment == "staging")
        {
            Assert.Equal("cache", toCache.Single().PodSelector.MatchLabels["app.kubernetes.io/name"]);
        }
        else
        {
            Assert.Equal(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], toCache.Select(peer => peer.IpBlock.Cidr));
        }

        // Every API pod (both colours in production) admits the portal on its port; in staging the cache pods do too.
        foreach (var api in overlay.All<V1Deployment>().Where(deployment => deployment.Metadata.Name.StartsWith("api", StringComparison.Ordinal)))
        {
            Assert.Contains(policies, policy => BuiltOverlay.Selects(policy.Spec.PodSelector, api.Spec.Template.Metadata.Labels)
                && policy.Spec.Ingress?.Any(rule => rule.Ports.Any(port => port.Port.Value == "8080")
                    && rule.FromProperty.Any(peer => peer.NamespaceSelector is null && BuiltOverlay.Selects(peer.PodSelector, web))) == true);
        }

        if (environment == "staging")
        {
            var cache = overlay.Single<V1StatefulSet>("cache").Spec.Template.Metadata.Labels;
            Assert.Contains(policies, policy => BuiltOverlay.Selects(policy.Spec.PodSelector, cache)
                && policy.Spec.Ingress?.Any(rule => rule.FromProperty.Any(peer => BuiltOverlay.Selects(peer.PodSelector, web))) == true);
        }
    }
}
