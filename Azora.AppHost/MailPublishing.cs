/// <summary>
/// Mail in a published model (Kubernetes): the payments worker's SMTP relay and, for both services, where links in mail
/// point and who mail is from. Every value is a parameter, so each environment gives its own; the manifest generator
/// supplies staging's and production's (Azora.Manifests, MailSettings), and the password comes from a Secret. Running
/// locally, mail goes to the local catcher instead (MailWiring).
/// </summary>
internal static class MailPublishing
{
    public static void AddAzoraMailPublishing(
        this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> api, IResourceBuilder<ProjectResource> payments)
    {
        var publicBaseUrl = builder.AddParameter("mail-public-base-url");
        var fromAddress = builder.AddParameter("mail-from-address");
        foreach (var service in new[] { api, payments })
        {
            service.WithEnvironment("Azora__Mail__PublicBaseUrl", publicBaseUrl)
                .WithEnvironment("Azora__Mail__FromAddress", fromAddress);
        }

        payments.WithEnvironment("Azora__Mail__Smtp__Host", builder.AddParameter("smtp-host"))
            .WithEnvironment("Azora__Mail__Smtp__Port", builder.AddParameter("smtp-port"))
            .WithEnvironment("Azora__Mail__Smtp__Security", builder.AddParameter("smtp-security"))
            .WithEnvironment("Azora__Mail__Smtp__Username", builder.AddParameter("smtp-username"))
            .WithEnvironment("Azora__Mail__Smtp__Password", builder.AddParameter("smtp-password", secret: true));
    }
}
