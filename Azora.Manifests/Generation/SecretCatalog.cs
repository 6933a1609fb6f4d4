using k8s.Models;

namespace Azora.Manifests.Generation;

/// <summary>
/// Which Kubernetes Secret holds each secret of the Aspire model. The manifests only name them; operators create them
/// (docs/deployment/INFRASTRUCTURE-GUIDE.md, "Secrets"). A secret the catalog does not know stops generation, so a new
/// secret parameter cannot reach the manifests without a home.
/// </summary>
public static class SecretCatalog
{
    public sealed record SecretKey(string Secret, string Key, bool Optional = false)
    {
        public V1EnvVarSource ToEnvSource() => new()
        {
            SecretKeyRef = new V1SecretKeySelector { Name = Secret, Key = Key, Optional = Optional ? true : null },
        };
    }

    private static readonly Dictionary<string, SecretKey> ConnectionStrings = new(StringComparer.Ordinal)
    {
        ["azora"] = new("azora-database", "connection-string"),
        ["cache"] = new("azora-cache", "connection-string"),
    };

    /// <summary>
    /// In the clusters <c>ConnectionStrings:azora</c> goes through PgBouncer in transaction mode. What needs a session of
    /// its own on PostgreSQL (LISTEN, the migrations' session advisory lock) reads this one, straight to PostgreSQL.
    /// Required, not optional: without it a LISTEN through the pooler is accepted and then never hears anything.
    /// </summary>
    public static readonly SecretKey DirectDatabase = new("azora-database", "direct-connection-string");

    /// <summary>The setting that carries <see cref="DirectDatabase"/> (ServiceDefaults' <c>BackingServices.DirectConnectionName</c>).</summary>
    public const string DirectDatabaseVariable = "ConnectionStrings__azora-direct";

    /// <summary>PgBouncer's <c>userlist.txt</c> (and, in production, the managed server's <c>databases.ini</c>).</summary>
    public const string PgBouncerSecret = "azora-pgbouncer";

    /// <summary>The exporter's libpq URL of PgBouncer's admin console, as its stats user.</summary>
    public static readonly SecretKey PgBouncerExporterUrl = new(PgBouncerSecret, "exporter-url");

    private static readonly Dictionary<string, SecretKey> Parameters = new(StringComparer.Ordinal)
    {
        ["postgres-password"] = new("azora-database", "password"),
        ["cache-password"] = new("azora-cache", "password"),
        ["stripe-secret-key"] = new("azora-stripe", "secret-key"),
        ["stripe-webhook-secret"] = new("azora-stripe", "webhook-secret"),
        ["smtp-password"] = new("azora-mail", "smtp-password"),
        ["jwt-signing-key"] = new("azora-jwt", "signing-key.pem"),
        // Present only during a key rotation, so pods start without it.
        ["jwt-previous-signing-key"] = new("azora-jwt", "previous-signing-key.pem", Optional: true),
    };

    public static SecretKey ForConnectionString(string resource) =>
        ConnectionStrings.TryGetValue(resource, out var key)
            ? key
            : throw new InvalidOperationException($"No Secret is assigned to the connection string of '{resource}'; add it to SecretCatalog.");

    public static SecretKey ForParameter(string parameter) =>
        Parameters.TryGetValue(parameter, out var key)
            ? key
            : throw new InvalidOperationException($"No Secret is assigned to the secret parameter '{parameter}'; add it to SecretCatalog.");
}
