using Microsoft.Kiota.Abstractions.Serialization;

namespace Azora.Client.Http;

/// <summary>
/// A request body written from its JSON member names, the wire contract, rather than from a generated request model:
/// the generated models may be renamed, split (a PATCH schema apart from a POST one) or retyped (enums) when the
/// OpenAPI document is refined, and the convenience methods must keep compiling when the generator runs again.
/// Members that are null are left out, which is what PATCH takes as "unchanged".
/// </summary>
internal sealed class JsonBody(params (string Name, object? Value)[] members) : IParsable
{
    public IDictionary<string, Action<IParseNode>> GetFieldDeserializers() => new Dictionary<string, Action<IParseNode>>();

    public void Serialize(ISerializationWriter writer)
    {
        foreach (var (name, value) in members)
        {
            switch (value)
            {
                case null:
                    break;
                case string text:
                    writer.WriteStringValue(name, text);
                    break;
                case bool flag:
                    writer.WriteBoolValue(name, flag);
                    break;
                case Guid id:
                    writer.WriteGuidValue(name, id);
                    break;
                case DateTimeOffset time:
                    writer.WriteDateTimeOffsetValue(name, time);
                    break;
                case IEnumerable<string> texts:
                    writer.WriteCollectionOfPrimitiveValues(name, texts.ToList());
                    break;
                default:
                    throw new ArgumentException($"No JSON writing for {value.GetType()} ({name}).", nameof(members));
            }
        }
    }
}
