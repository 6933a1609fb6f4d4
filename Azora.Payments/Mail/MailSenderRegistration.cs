using Microsoft.Extensions.Options;

namespace Azora.Payments.Mail;

public static class MailSenderRegistration
{
    /// <summary>
    /// The SMTP sender of the mail outbox, its metrics, and its settings, checked on start: outside Development the
    /// relay's host is required, and the lease must outlast a send.
    /// </summary>
    public static IServiceCollection AddMailSender(this IServiceCollection services)
    {
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section)
            .ValidateDataAnnotations()
            .Validate<IHostEnvironment>(
                (smtp, environment) => smtp.IsConfigured || environment.IsDevelopment(),
                $"{SmtpOptions.Section}:Host is not set: the worker cannot send mail. Name the SMTP relay (and its Port, Security, Username and Password).")
            .Validate(smtp => smtp.Timeout > TimeSpan.Zero, $"{SmtpOptions.Section}:Timeout must be positive.")
            .ValidateOnStart();
        services.AddOptions<MailSenderOptions>().BindConfiguration(MailSenderOptions.Section)
            .ValidateDataAnnotations()
            .Validate(sender => sender.PollInterval > TimeSpan.Zero && sender.FirstRetryDelay > TimeSpan.Zero,
                $"{MailSenderOptions.Section}:PollInterval and FirstRetryDelay must be positive.")
            .Validate(sender => sender.MaximumRetryDelay >= sender.FirstRetryDelay,
                $"{MailSenderOptions.Section}:MaximumRetryDelay must not be shorter than FirstRetryDelay.")
            .Validate<IOptions<SmtpOptions>>(
                (sender, smtp) => sender.Lease >= smtp.Value.Timeout * 3,
                $"{MailSenderOptions.Section}:Lease must be at least three times {SmtpOptions.Section}:Timeout, so a claimed message is sent before its lease ends.")
            .ValidateOnStart();
        services.AddSingleton<MailMetrics>();
        services.AddHostedService<MailSender>();
        return services;
    }
}
