using Azora.Contract.Mail;

namespace Azora.Api.Auth.Verification;

/// <summary>
/// The messages of email verification. None of them repeats a name or text the requester typed to someone else's
/// address, so registering with a stranger's email cannot put words into the stranger's inbox.
/// </summary>
public static class VerificationMails
{
    public static RenderedMail VerifyNewAccount(Uri link, TimeSpan lifetime) => MailComposer.Render(new MailContent(
        "Confirm your email for Azora",
        "Hello,",
        [
            "Welcome to Azora. Confirm that this address is yours to finish setting up your account; you need a confirmed address to buy courses.",
        ],
        new MailAction("Confirm my email", link),
        Footnote: $"The link works once, for {Duration(lifetime)}. If you did not create an Azora account, ignore this message: nothing is done without the link."));

    public static RenderedMail VerifyNewAddress(Uri link, TimeSpan lifetime) => MailComposer.Render(new MailContent(
        "Confirm your new email for Azora",
        "Hello,",
        [
            "Someone signed in to Azora asked to use this address for their account. If it was you, confirm it: the account moves to this address only when you do.",
        ],
        new MailAction("Confirm my new email", link),
        Footnote: $"The link works once, for {Duration(lifetime)}. If you did not ask for this, ignore this message: nothing changes without the link."));

    public static RenderedMail RegistrationAttempt(string name, Uri resetPasswordPage) => MailComposer.Render(new MailContent(
        "Someone tried to register with your email",
        $"Hello {name},",
        [
            "Someone just tried to create a new Azora account with this email address. It already has an account, so nothing was created and nothing about your account changed.",
            "If it was you, sign in with your password as usual. If you forgot it, you can set a new one:",
        ],
        new MailAction("Reset my password", resetPasswordPage),
        Footnote: "If it was not you, you can ignore this message."));

    public static RenderedMail EmailChanged(string name, string newEmail) => MailComposer.Render(new MailContent(
        "Your Azora email was changed",
        $"Hello {name},",
        [
            $"The email address of your Azora account was changed to {newEmail}, which its owner confirmed. Messages about your account now go there, and you sign in with it.",
            "If you did not make this change, contact Azora support right away and reply from this address: support can restore it.",
        ]));

    private static string Duration(TimeSpan lifetime) => lifetime.TotalHours >= 1 && lifetime.TotalHours % 1 == 0
        ? $"{lifetime.TotalHours:0} hour{(lifetime.TotalHours == 1 ? "" : "s")}"
        : $"{Math.Ceiling(lifetime.TotalMinutes):0} minutes";
}
