using System.Threading.Channels;

namespace Azora.Api.Auth.Recovery;

/// <summary>
/// Reset requests waiting to be looked up and mailed. The endpoint only validates the address and hands it over here,
/// so its answer takes the same work and the same time whether or not an account uses the address, and no database
/// error on the mailing path can ever show in the answer. Bounded: when full (a flood the per-address limit did not
/// stop), a request is dropped and logged rather than held in memory; requests still queued when the process stops are
/// lost, and the person asks again.
/// </summary>
public sealed class PasswordResetQueue(ILogger<PasswordResetQueue> logger)
{
    public const int Capacity = 1024;

    private readonly Channel<string> _emails = Channel.CreateBounded<string>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    public void Enqueue(string email)
    {
        if (!_emails.Writer.TryWrite(email))
        {
            logger.LogWarning("Password-reset queue full ({Capacity}); a reset request was dropped", Capacity);
        }
    }

    public IAsyncEnumerable<string> ReadAllAsync(CancellationToken cancellationToken) => _emails.Reader.ReadAllAsync(cancellationToken);
}

/// <summary>Takes reset requests off <see cref="PasswordResetQueue"/> one at a time and mails each eligible account.</summary>
public sealed class PasswordResetMailer(PasswordResetQueue queue, IServiceScopeFactory scopes, ILogger<PasswordResetMailer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var email in queue.ReadAllAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<PasswordResets>().MailResetLinkAsync(email, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "A password-reset request could not be processed");
            }
        }
    }
}
