namespace Azora.Contract.Mail;

/// <summary>Why a message was sent: the <c>kind</c> of a <c>mail_messages</c> row and the label of the mail metrics.</summary>
public static class MailKinds
{
    public const string VerifyEmail = "verify_email";
    public const string EmailChanged = "email_changed";
    public const string RegistrationAttempt = "registration_attempt";
    public const string PasswordReset = "password_reset";
    public const string PasswordChanged = "password_changed";
    public const string PaymentReceipt = "payment_receipt";
    public const string RefundNotice = "refund_notice";
    public const string AccountDeleted = "account_deleted";
}
