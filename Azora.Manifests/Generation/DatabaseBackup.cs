using Azora.Manifests.Model;
using k8s.Models;

namespace Azora.Manifests.Generation;

/// <summary>
/// The nightly logical backup: at 02:00 UTC a CronJob dumps the database with <c>pg_dump</c> (the model's PostgreSQL
/// image, so the client matches the server's major version) to a volume, and removes dumps older than 30 days.
/// scripts/restore-drill.sh runs the same dump and restore against the local stack.
/// </summary>
public static class DatabaseBackup
{
    public const string Name = "postgres-backup";
    public const string Schedule = "0 2 * * *";
    public const int RetentionDays = 30;

    /// <summary>pg_dump reads a libpq URL, not the Npgsql connection string the services use.</summary>
    public static readonly SecretCatalog.SecretKey DatabaseUrl = new("azora-database", "url");

    private const string Script = """
        set -eu
        file="/backups/azora-$(date -u +%Y%m%dT%H%M%SZ).dump"
        pg_dump --format=custom --no-owner --no-privileges --file="$file.partial" "$DATABASE_URL"
        mv "$file.partial" "$file"
        find /backups -name 'azora-*.dump' -mtime +RETENTION -delete
        ls -l /backups
        """;

    public static IEnumerable<object> Objects(AspireManifest model)
    {
        var postgres = model.Get("postgres");
        var labels = Conventions.SelectorLabels(Name);
        yield return new V1PersistentVolumeClaim
        {
            ApiVersion = "v1",
            Kind = "PersistentVolumeClaim",
            Metadata = Conventions.Metadata("postgres-backups", "backup"),
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("50Gi") } },
            },
        };

        yield return new V1CronJob
        {
            ApiVersion = "batch/v1",
            Kind = "CronJob",
            Metadata = Conventions.Metadata(Name, "backup"),
            Spec = new V1CronJobSpec
            {
                Schedule = Schedule,
                TimeZone = "Etc/UTC",
                ConcurrencyPolicy = "Forbid",
                StartingDeadlineSeconds = 3600,
                SuccessfulJobsHistoryLimit = 3,
                FailedJobsHistoryLimit = 3,
                JobTemplate = new V1JobTemplateSpec
                {
                    Spec = new V1JobSpec
                    {
                        BackoffLimit = 2,
                        ActiveDeadlineSeconds = 3 * 3600,
                        Template = new V1PodTemplateSpec
                        {
                            Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels) { ["app.kubernetes.io/component"] = "backup" } },
                            Spec = new V1PodSpec
                            {
                                RestartPolicy = "Never",
                                AutomountServiceAccountToken = false,
                                EnableServiceLinks = false,
                                SecurityContext = Workloads.RestrictedPod(999),
                                Containers =
                                [
                                    new V1Container
                                    {
                                        Name = "pg-dump",
                                        Image = postgres.Image,
                                        ImagePullPolicy = Workloads.AlwaysPull,
                                        Command = ["/bin/sh", "-c", Script.Replace("RETENTION", (RetentionDays - 1).ToString(System.Globalization.CultureInfo.InvariantCulture))],
                                        Env = [new V1EnvVar { Name = "DATABASE_URL", ValueFrom = DatabaseUrl.ToEnvSource() }],
                                        Resources = Conventions.Resources("100m", "128Mi", "1", "512Mi"),
                                        SecurityContext = Workloads.RestrictedContainer(),
                                        VolumeMounts =
                                        [
                                            new V1VolumeMount { Name = "backups", MountPath = "/backups" },
                                            new V1VolumeMount { Name = "tmp", MountPath = "/tmp" },
                                        ],
                                    },
                                ],
                                Volumes =
                                [
                                    new V1Volume { Name = "backups", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = "postgres-backups" } },
                                    new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() },
                                ],
                            },
                        },
                    },
                },
            },
        };
    }
}
