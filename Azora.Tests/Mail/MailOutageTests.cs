using Azora.Tests.Stack;
using Npgsql;

namespace Azora.Tests.Mail;

/// <summary>
/// The SMTP relay down, and the worker killed mid-send: mail waits and then goes, none is lost, and a crash sends a
/// message at most twice.
/// </summary>
[Collection(StackCollection.Name)]
public class MailOutageTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task With_the_relay_down_messages_wait_with_their_attempts_recorded_then_all_go_once_it_is_back()
    {
        var recipient = OutboxMail.NewRecipient("outage");
        var subjects = Enumerable.Range(1, 5).Select(number => $"Outage message {number}").ToArray();

        await StackResources.StopAsync(stack, "mail");
        IReadOnlyList<Guid> ids;
        try
        {
            ids = await OutboxMail.EnqueueAsync(stack, [.. subjects.Select(subject => OutboxMail.Message(recipient, subject))]);
            var waiting = await Eventually.ReadAsync(
                () => stack.CountAsync(
                    "SELECT count(*) FROM mail_messages WHERE id = ANY (@ids) AND status = 'pending' AND attempt_count >= 2 AND last_error IS NOT NULL",
                    new { ids = ids.ToArray() }),
                count => count == ids.Count, attempts: 300, TimeSpan.FromMilliseconds(200));
            Assert.Equal(ids.Count, waiting);
            Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM mail_messages WHERE id = ANY (@ids) AND status <> 'pending'", new { ids = ids.ToArray() }));
        }
        finally
        {
            await StackResources.StartAsync(stack, "mail");
        }

        using var catcher = stack.CreateMailCatcher();
        foreach (var subject in subjects)
        {
            await catcher.WaitForMessageAsync(recipient, mail => mail.Subject == subject, TimeSpan.FromSeconds(60));
        }

        var sent = await Eventually.ReadAsync(
            () => stack.CountAsync("SELECT count(*) FROM mail_messages WHERE id = ANY (@ids) AND status = 'sent'", new { ids = ids.ToArray() }),
            count => count == ids.Count, attempts: 100, TimeSpan.FromMilliseconds(100));
        Assert.Equal(ids.Count, sent);
        var caught = await catcher.SummariesAsync();
        foreach (var subject in subjects)
        {
            Assert.Single(caught, mail => mail.To.Contains(recipient) && mail.Subject == subject);
        }
    }

    [Fact]
    public async Task A_worker_killed_after_the_relay_took_a_message_and_before_recording_it_loses_nothing_and_sends_it_at_most_twice()
    {
        var recipient = OutboxMail.NewRecipient("crash");
        var lockKey = Random.Shared.NextInt64(1, long.MaxValue);
        var trigger = $"mail_crash_{Guid.NewGuid():N}";
        await using var holder = new NpgsqlConnection(await stack.ConnectionStringAsync("azora"));
        await holder.OpenAsync();

        // The worker's recording of this recipient's messages waits for an advisory lock the test holds: the crash
        // then falls exactly between the relay's acceptance and the record.
        await stack.ExecuteAsync(
            $"""
            CREATE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.recipient = '{recipient}' AND NEW.status = 'sent' THEN PERFORM pg_advisory_xact_lock({lockKey}); END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER {trigger} BEFORE UPDATE ON mail_messages FOR EACH ROW EXECUTE FUNCTION {trigger}();
            """);
        IReadOnlyList<Guid> inFlight, writtenWhileDown;
        try
        {
            await using (var hold = new NpgsqlCommand($"SELECT pg_advisory_lock({lockKey})", holder))
            {
                await hold.ExecuteNonQueryAsync();
            }

            inFlight = await OutboxMail.EnqueueAsync(stack, OutboxMail.Message(recipient, "In flight at the crash"));
            using (var catcher = stack.CreateMailCatcher())
            {
                await catcher.WaitForMessageAsync(recipient, mail => mail.Subject == "In flight at the crash");
            }

            var blocked = await Eventually.ReadAsync(
                () => stack.CountAsync("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"),
                count => count > 0, attempts: 200, TimeSpan.FromMilliseconds(50));
            Assert.True(blocked > 0, "The worker never reached the recording of the sent message.");
            await StackResources.KillAsync(stack, "payments");

            // Written while no worker runs: must go once one does.
            writtenWhileDown = await OutboxMail.EnqueueAsync(
                stack, OutboxMail.Message(recipient, "Written while the worker was down 1"), OutboxMail.Message(recipient, "Written while the worker was down 2"));
        }
        finally
        {
            await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", holder))
            {
                await release.ExecuteNonQueryAsync();
            }

            await stack.ExecuteAsync($"DROP TRIGGER IF EXISTS {trigger} ON mail_messages; DROP FUNCTION IF EXISTS {trigger}();");
        }

        await StackResources.StartAsync(stack, "payments");

        IReadOnlyList<Guid> all = [.. inFlight, .. writtenWhileDown];
        // The in-flight message is claimed again only when its lease (10 s in the test stack) ends.
        var sent = await Eventually.ReadAsync(
            () => stack.CountAsync("SELECT count(*) FROM mail_messages WHERE id = ANY (@ids) AND status = 'sent'", new { ids = all.ToArray() }),
            count => count == all.Count, attempts: 300, TimeSpan.FromMilliseconds(200));
        Assert.Equal(all.Count, sent);

        using var reader = stack.CreateMailCatcher();
        var caught = (await reader.MessagesToAsync(recipient)).ToList();
        var crashed = caught.Where(mail => mail.Subject == "In flight at the crash").ToList();
        Assert.InRange(crashed.Count, 1, 2);
        Assert.Single(crashed.Select(mail => mail.MessageId).Distinct());
        Assert.Single(caught, mail => mail.Subject == "Written while the worker was down 1");
        Assert.Single(caught, mail => mail.Subject == "Written while the worker was down 2");
    }
}
