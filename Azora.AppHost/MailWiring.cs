using System.Reflection;
using System.Runtime.InteropServices;
using Azora.AppHost.Infrastructure;

/// <summary>
/// Mail in run mode: smtp4dev, a mail catcher whose web UI (http://localhost:5083) shows every message the stack sends
/// and whose REST API the tests read. It runs as the <c>rnwood/smtp4dev</c> container when containers are the
/// infrastructure, otherwise as a local process from the <c>Rnwood.Smtp4dev</c> tool of the repository's tool manifest
/// (restored by building the AppHost). It keeps mail in memory only and binds to loopback. The payments worker's sender
/// delivers to it over plain SMTP. A published model gets no mail resource: deployments name a real SMTP relay.
/// </summary>
internal static class MailWiring
{
    public const string ResourceName = "mail";
    public const int WebPort = 5083;

    /// <summary>
    /// Where links in mail point locally: the planned web portal's address, not the API's (the pages that take a
    /// token live in the portal).
    /// </summary>
    public const string LocalPublicBaseUrl = "http://localhost:5090";

    private const string ContainerImage = "rnwood/smtp4dev";
    private const string ContainerTag = "v3";

    public static void AddAzoraMail(
        this IDistributedApplicationBuilder builder, InfrastructurePlan plan, string repositoryRoot,
        IResourceBuilder<ProjectResource> api, IResourceBuilder<ProjectResource> payments)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return;
        }

        IResourceBuilder<IResourceWithEndpoints> mail = plan.Mode == InfrastructureMode.Containers
            ? AddContainer(builder)
            : AddLocalProcess(builder, repositoryRoot);
        mail.WithHttpHealthCheck("/api/messages?pageSize=1");

        var smtp = mail.GetEndpoint("smtp");
        api.WithEnvironment("Azora__Mail__PublicBaseUrl", LocalPublicBaseUrl);
        payments.WithEnvironment("Azora__Mail__PublicBaseUrl", LocalPublicBaseUrl)
            .WithEnvironment("Azora__Mail__Smtp__Host", smtp.Property(EndpointProperty.Host))
            .WithEnvironment("Azora__Mail__Smtp__Port", smtp.Property(EndpointProperty.Port))
            .WithEnvironment("Azora__Mail__Smtp__Security", "None")
            .WaitFor(mail);
    }

    private static IResourceBuilder<IResourceWithEndpoints> AddContainer(IDistributedApplicationBuilder builder) =>
        builder.AddContainer(ResourceName, ContainerImage, ContainerTag)
            .WithHttpEndpoint(port: WebPort, targetPort: 80, name: "http")
            .WithEndpoint(targetPort: 25, name: "smtp", scheme: "tcp")
            .WithArgs("--db=", "--imapport=", "--pop3port=", "--messagestokeep=100000", "--sessionstokeep=100")
            .WithIconName("Mail");

    private static IResourceBuilder<IResourceWithEndpoints> AddLocalProcess(IDistributedApplicationBuilder builder, string repositoryRoot)
    {
        // The tool's own executable rather than 'dotnet tool run', which starts it as a child process that a killed
        // 'dotnet' would leave behind.
        var (command, prefix) = RestoredExecutable() is { } executable
            ? (executable, Array.Empty<string>())
            : ("dotnet", ["tool", "run", "smtp4dev", "--"]);

        var mail = builder.AddExecutable(ResourceName, command, repositoryRoot, prefix)
            .WithHttpEndpoint(port: WebPort, name: "http")
            .WithEndpoint(name: "smtp", scheme: "tcp")
            .WithIconName("Mail");
        var web = mail.GetEndpoint("http");
        var smtp = mail.GetEndpoint("smtp");
        mail.WithArgs(context =>
        {
            context.Args.Add(ReferenceExpression.Create($"--urls=http://127.0.0.1:{web.Property(EndpointProperty.TargetPort)}"));
            context.Args.Add(ReferenceExpression.Create($"--smtpport={smtp.Property(EndpointProperty.TargetPort)}"));
            // In memory; no IMAP or POP3 (their default ports, 143 and 110, would collide between stacks); and none
            // of the settings smtp4dev keeps in the user's profile.
            foreach (var argument in new[]
                     {
                         "--bindaddress=127.0.0.1", "--db=", "--imapport=", "--pop3port=", "--nousersettings",
                         "--messagestokeep=100000", "--sessionstokeep=100",
                     })
            {
                context.Args.Add(argument);
            }
        });
        return mail;
    }

    /// <summary>The <c>Rnwood.Smtp4dev</c> executable for this machine's runtime, when the tool restore put it in the NuGet folder.</summary>
    private static string? RestoredExecutable()
    {
        var metadata = typeof(MailWiring).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(attribute => attribute.Key, attribute => attribute.Value);
        if (metadata.GetValueOrDefault("NuGetPackageRoot") is not { Length: > 0 } packageRoot
            || metadata.GetValueOrDefault("Smtp4devVersion") is not { Length: > 0 } version)
        {
            return null;
        }

        var runtime = RuntimeInformation.RuntimeIdentifier;
        var name = OperatingSystem.IsWindows() ? "Rnwood.Smtp4dev.exe" : "Rnwood.Smtp4dev";
        var path = Path.Combine(packageRoot, $"rnwood.smtp4dev.{runtime}", version, "tools", "net10.0", runtime, name);
        return File.Exists(path) ? path : null;
    }
}
