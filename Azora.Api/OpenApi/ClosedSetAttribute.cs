using System.Collections;
using System.Reflection;

namespace Azora.Api.OpenApi;

/// <summary>
/// The property (or each item of an array property) takes only the values of a static collection of strings on
/// <paramref name="owner"/>, such as <c>CourseLevels.All</c>; the contract lists them as an <c>enum</c>. Dictionaries
/// contribute their keys.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class ClosedSetAttribute(Type owner, string member = "All") : Attribute
{
    public IReadOnlyList<string> Values { get; } = Read(owner, member);

    internal static IReadOnlyList<string> Read(Type owner, string member)
    {
        var value = owner.GetField(member, BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
            ?? owner.GetProperty(member, BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
            ?? throw new InvalidOperationException($"{owner.Name}.{member} is not a public static member.");
        return value switch
        {
            IDictionary dictionary => dictionary.Keys.Cast<string>().ToArray(),
            IEnumerable<string> strings => strings.ToArray(),
            _ => throw new InvalidOperationException($"{owner.Name}.{member} is not a collection of strings."),
        };
    }
}
