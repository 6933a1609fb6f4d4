using System.Globalization;
using k8s.Models;

namespace Azora.Manifests.Generation;

/// <summary>
/// PgBouncer in transaction mode between the services and PostgreSQL: a Deployment (PgBouncer and its Prometheus
/// exporter), its Service, its settings and its disruption budget. The services' <c>ConnectionStrings:azora</c> names
/// the Service (port 6432); LISTEN and the migrations' session lock use <c>ConnectionStrings:azora-direct</c>
/// (<see cref="SecretCatalog.DirectDatabase"/>), which PgBouncer in transaction mode cannot serve.
/// </summary>
public static class PgBouncer
{
    public const string Name = "pgbouncer";
    public const int Port = 6432;
    public const int MetricsPort = 9127;

    /// <summary>1.21 is the first that keeps protocol-level prepared statements in transaction mode (Npgsql's auto-prepare).</summary>
    public const string Image = "ghcr.io/cloudnative-pg/pgbouncer:1.24.0";

    public const string ExporterImage = "quay.io/prometheuscommunity/pgbouncer-exporter:v0.10.2";

    /// <summary>The image's pgbouncer user and group.</summary>
    private const long UserId = 998;

    /// <summary>
    /// How many PostgreSQL connections an environment can give PgBouncer, and how it divides them. Every figure the
    /// infrastructure guide's "Connection pooling" table shows comes from here; <see cref="ServerConnectionsAtMost"/>
    /// is what the pools can open together, and it must stay within <see cref="PooledBudget"/>.
    /// </summary>
    /// <param name="MaxConnections">PostgreSQL's <c>max_connections</c> (staging: the image's default; production: the managed server's setting)</param>
    /// <param name="SuperuserReserved">PostgreSQL's <c>superuser_reserved_connections</c> (default 3)</param>
    /// <param name="DirectConnections">connections that bypass PgBouncer at most: one LISTEN per API and worker pod at their most, two for the migrations Job, one for the backup</param>
    /// <param name="OperatorConnections">kept for people: psql, the admin command, a restore</param>
    public sealed record Sizing(
        int Replicas, int MaxConnections, int SuperuserReserved, int DirectConnections, int OperatorConnections,
        int DefaultPoolSize, int ReservePoolSize, int MaxClientConnections)
    {
        /// <summary>What one PgBouncer pod may open to PostgreSQL (<c>max_db_connections</c>).</summary>
        public int MaxDbConnections => DefaultPoolSize + ReservePoolSize;

        public int PooledBudget => MaxConnections - SuperuserReserved - DirectConnections - OperatorConnections;

        public int ServerConnectionsAtMost => Replicas * MaxDbConnections;
    }

    /// <summary>
    /// Staging: PostgreSQL's default 100 connections; 2 API and 2 worker pods (4 LISTEN), the migrations Job (2).
    /// </summary>
    public static readonly Sizing Staging = new(
        Replicas: 2, MaxConnections: 100, SuperuserReserved: 3, DirectConnections: 2 + 2 + 2, OperatorConnections: 5,
        DefaultPoolSize: 30, ReservePoolSize: 10, MaxClientConnections: 1000);

    /// <summary>
    /// Production: a managed server set to 200 connections; at most 10 pods of each API colour and 10 worker pods
    /// (30 LISTEN), the migrations Job (2) and the backup (1).
    /// </summary>
    public static readonly Sizing Production = new(
        Replicas: 3, MaxConnections: 200, SuperuserReserved: 3, DirectConnections: 10 + 10 + 10 + 2 + 1, OperatorConnections: 10,
        DefaultPoolSize: 40, ReservePoolSize: 10, MaxClientConnections: 2000);

    /// <summary>
    /// pgbouncer.ini. Transaction pooling: a server connection is a client's only for one transaction, which is all
    /// the services need (SET LOCAL, transaction advisory locks). <c>max_prepared_statements</c> lets Npgsql keep
    /// auto-preparing (Max Auto Prepare=64 per connection) through it. The <c>[databases]</c> line names staging's
    /// in-cluster server; production's comes from the Secret (its host is the provider's), through %include.
    /// </summary>
    public static string Ini(Sizing sizing, string? databaseHost)
    {
        string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
        var databases = databaseHost is null
            ? "%include /etc/pgbouncer-secret/databases.ini"
            : $"azora = host={databaseHost} port={NetworkPolicies.DatabasePort} dbname=azora";
        return $"""
            [databases]
            {databases}

            [pgbouncer]
            listen_addr = 0.0.0.0
            listen_port = {Number(Port)}
            unix_socket_dir =
            pool_mode = transaction
            auth_type = scram-sha-256
            auth_file = /etc/pgbouncer-secret/userlist.txt
            admin_users =
            stats_users = azora_stats
            max_client_conn = {Number(sizing.MaxClientConnections)}
            default_pool_size = {Number(sizing.DefaultPoolSize)}
            reserve_pool_size = {Number(sizing.ReservePoolSize)}
            reserve_pool_timeout = 3
            max_db_connections = {Number(sizing.MaxDbConnections)}
            max_prepared_statements = 200
            server_reset_query =
            server_check_query = select 1
            server_lifetime = 3600
            server_idle_timeout = 300
            query_wait_timeout = 30
            server_tls_sslmode = {(databaseHost is null ? "require" : "prefer")}
            ignore_startup_parameters = extra_float_digits
            log_connections = 0
            log_disconnections = 0
            stats_period = 60

            """;
    }

    public static IEnumerable<object> Objects(Sizing sizing, string? databaseHost, bool acrossZones)
    {
        var labels = Conventions.SelectorLabels(Name);
        yield return new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = Conventions.Metadata(Conventions.SettingsConfigMap(Name), "pooler"),
            Data = new Dictionary<string, string> { ["pgbouncer.ini"] = Ini(sizing, databaseHost) },
        };

        yield return new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = Conventions.Metadata(Name, "pooler"),
            Spec = new V1ServiceSpec
            {
                Type = "ClusterIP",
                Selector = labels,
                Ports = [new V1ServicePort { Name = "postgres", Port = Port, TargetPort = "postgres", Protocol = "TCP" }],
            },
        };

        var tcp = new V1TCPSocketAction { Port = "postgres" };
        yield return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = Conventions.Metadata(Name, "pooler"),
            Spec = new V1DeploymentSpec
            {
                // A fixed count, no autoscaler: each pod's pool counts against PostgreSQL's max_connections (Sizing).
                Replicas = sizing.Replicas,
                RevisionHistoryLimit = 5,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Strategy = new V1DeploymentStrategy
                {
                    Type = "RollingUpdate",
                    // Replaces one pod at a time without a surge, so the pods never hold more than Replicas pools.
                    RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 0, MaxUnavailable = 1 },
                },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta
                    {
                        Labels = new Dictionary<string, string>(labels) { ["app.kubernetes.io/component"] = "pooler" },
                        Annotations = new Dictionary<string, string>
                        {
                            ["prometheus.io/scrape"] = "true",
                            ["prometheus.io/port"] = MetricsPort.ToString(CultureInfo.InvariantCulture),
                            ["prometheus.io/path"] = "/metrics",
                        },
                    },
                    Spec = new V1PodSpec
                    {
                        AutomountServiceAccountToken = false,
                        EnableServiceLinks = false,
                        // PgBouncer finishes the transactions under way on SIGTERM (safe shutdown) within this.
                        TerminationGracePeriodSeconds = 40,
                        SecurityContext = Workloads.RestrictedPod(UserId),
                        TopologySpreadConstraints = Workloads.Spread(labels, acrossZones),
                        Containers =
                        [
                            new V1Container
                            {
                                Name = Name,
                                Image = Image,
                                ImagePullPolicy = Workloads.AlwaysPull,
                                // The image's entrypoint writes its settings from variables; the ConfigMap has them all.
                                Command = ["/usr/bin/pgbouncer", "/etc/pgbouncer-config/pgbouncer.ini"],
                                Ports = [new V1ContainerPort { Name = "postgres", ContainerPort = Port, Protocol = "TCP" }],
                                // One thread: a full core is the most it can use. Each client connection costs a few KiB.
                                Resources = Conventions.Resources("100m", "64Mi", "1", "128Mi"),
                                SecurityContext = Workloads.RestrictedContainer(),
                                StartupProbe = new V1Probe { TcpSocket = tcp, PeriodSeconds = 2, FailureThreshold = 15 },
                                LivenessProbe = new V1Probe { TcpSocket = tcp, PeriodSeconds = 10, FailureThreshold = 3, TimeoutSeconds = 3 },
                                ReadinessProbe = new V1Probe { TcpSocket = tcp, PeriodSeconds = 5, FailureThreshold = 2, TimeoutSeconds = 3 },
                                // The Service stops sending new clients before PgBouncer starts its shutdown.
                                Lifecycle = new V1Lifecycle { PreStop = new V1LifecycleHandler { Sleep = new V1SleepAction { Seconds = 5 } } },
                                VolumeMounts =
                                [
                                    new V1VolumeMount { Name = "config", MountPath = "/etc/pgbouncer-config", ReadOnlyProperty = true },
                                    new V1VolumeMount { Name = "secret", MountPath = "/etc/pgbouncer-secret", ReadOnlyProperty = true },
                                    new V1VolumeMount { Name = "tmp", MountPath = "/tmp" },
                                ],
                            },
                            new V1Container
                            {
                                Name = "exporter",
                                Image = ExporterImage,
                                ImagePullPolicy = Workloads.AlwaysPull,
                                Args = ["--pgBouncer.connectionString=$(PGBOUNCER_URL)", $"--web.listen-address=:{MetricsPort.ToString(CultureInfo.InvariantCulture)}"],
                                Env = [new V1EnvVar { Name = "PGBOUNCER_URL", ValueFrom = SecretCatalog.PgBouncerExporterUrl.ToEnvSource() }],
                                Ports = [new V1ContainerPort { Name = "metrics", ContainerPort = MetricsPort, Protocol = "TCP" }],
                                Resources = Conventions.Resources("10m", "32Mi", "100m", "64Mi"),
                                SecurityContext = Workloads.RestrictedContainer(),
                                LivenessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/", Port = "metrics" }, PeriodSeconds = 30, TimeoutSeconds = 3 },
                                ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/", Port = "metrics" }, PeriodSeconds = 30, TimeoutSeconds = 3 },
                            },
                        ],
                        Volumes =
                        [
                            new V1Volume { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = Conventions.SettingsConfigMap(Name) } },
                            new V1Volume
                            {
                                Name = "secret",
                                Secret = new V1SecretVolumeSource
                                {
                                    SecretName = SecretCatalog.PgBouncerSecret,
                                    // Named, so a Secret without one of them stops the pod at once instead of PgBouncer later.
                                    Items = (databaseHost is null ? (string[])["databases.ini", "userlist.txt"] : ["userlist.txt"])
                                        .Select(key => new V1KeyToPath { Key = key, Path = key }).ToList(),
                                },
                            },
                            new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("16Mi") } },
                        ],
                    },
                },
            },
        };

        yield return new V1PodDisruptionBudget
        {
            ApiVersion = "policy/v1",
            Kind = "PodDisruptionBudget",
            Metadata = Conventions.Metadata(Name, "pooler"),
            Spec = new V1PodDisruptionBudgetSpec
            {
                MaxUnavailable = 1,
                Selector = new V1LabelSelector { MatchLabels = labels },
            },
        };
    }
}
