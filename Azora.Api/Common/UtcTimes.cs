namespace Azora.Api.Common;

public static class UtcTimes
{
    /// <summary>
    /// A <c>timestamptz</c> as read through Dapper (a <see cref="DateTime"/> in UTC) as the API shows it.
    /// </summary>
    public static DateTimeOffset AsUtcOffset(this DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public static DateTimeOffset? AsUtcOffset(this DateTime? value) => value?.AsUtcOffset();
}
