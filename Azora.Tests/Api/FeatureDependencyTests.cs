using System.Reflection;
using System.Reflection.Emit;
using Azora.Api.Auth;

namespace Azora.Tests.Api;

/// <summary>
/// The API's feature folders (the namespaces <c>Azora.Api.X</c>) depend on each other in one direction only; a cycle
/// means an idea sits in the wrong folder. References are read from the compiled assembly (signatures, attributes and
/// method bodies, lambdas and async state machines included), so neither a fully qualified name nor a global using
/// can hide one.
/// </summary>
public sealed class FeatureDependencyTests
{
    private static readonly Lazy<IReadOnlyDictionary<string, HashSet<string>>> Graph = new(() => FeatureGraph(typeof(CurrentUser).Assembly));

    [Fact]
    public void Rate_limiting_knows_nothing_of_auth_and_auth_may_use_rate_limiting()
    {
        // The allowed direction is seen, so the scan itself reads the references it should.
        Assert.Contains("RateLimiting", Graph.Value["Auth"]);
        Assert.DoesNotContain("Auth", Graph.Value["RateLimiting"]);
    }

    [Fact]
    public void The_feature_folders_depend_on_each_other_without_a_cycle()
    {
        var cycles = Graph.Value
            .SelectMany(from => from.Value.Select(to => PathBetween(to, from.Key) is { } back ? string.Join(" -> ", [from.Key, .. back]) : null))
            .OfType<string>()
            .ToList();

        Assert.True(cycles.Count == 0, "Feature folders that depend on each other (move the shared idea to the folder it belongs to, "
            + "or let one side read it through a small abstraction it owns):\n" + string.Join("\n", cycles));
    }

    private static List<string>? PathBetween(string from, string to)
    {
        var previous = new Dictionary<string, string> { [from] = from };
        var queue = new Queue<string>([from]);
        while (queue.TryDequeue(out var current))
        {
            if (current == to)
            {
                var path = new List<string> { to };
                while (path[0] != from)
                {
                    path.Insert(0, previous[path[0]]);
                }

                return path;
            }

            foreach (var next in Graph.Value.GetValueOrDefault(current) ?? [])
            {
                if (previous.TryAdd(next, current))
                {
                    queue.Enqueue(next);
                }
            }
        }

        return null;
    }

    /// <summary>Feature → the other features its types reference.</summary>
    private static Dictionary<string, HashSet<string>> FeatureGraph(Assembly assembly)
    {
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (var type in assembly.GetTypes())
        {
            if (FeatureOf(type) is not { } feature)
            {
                continue;
            }

            var uses = graph.TryGetValue(feature, out var existing) ? existing : graph[feature] = [];
            foreach (var referenced in References(type).SelectMany(Flatten))
            {
                if (referenced.Assembly == assembly && FeatureOf(referenced) is { } other && other != feature)
                {
                    uses.Add(other);
                }
            }
        }

        return graph;
    }

    /// <summary>The folder right under Azora.Api (a nested or compiler-generated type has its outer type's namespace).</summary>
    private static string? FeatureOf(Type type) =>
        type.Namespace?.Split('.') is ["Azora", "Api", var feature, ..] ? feature : null;

    private static IEnumerable<Type> References(Type type)
    {
        const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var referenced in type.GetInterfaces()
            .Concat(type.GetCustomAttributesData().Select(attribute => attribute.AttributeType))
            .Concat(type.GetFields(Declared).Select(field => field.FieldType))
            .Concat(type.GetProperties(Declared).Select(property => property.PropertyType)))
        {
            yield return referenced;
        }

        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info)
            {
                yield return info.ReturnType;
            }

            foreach (var referenced in method.GetParameters().Select(parameter => parameter.ParameterType)
                .Concat(method.GetCustomAttributesData().Select(attribute => attribute.AttributeType))
                .Concat(BodyReferences(method)))
            {
                yield return referenced;
            }
        }
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    /// <summary>The types and members a method body names (calls, fields, casts, newobj, ldtoken), read from its IL.</summary>
    private static IEnumerable<Type> BodyReferences(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray() ?? [];
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var offset = 0; offset < il.Length;)
        {
            var code = il[offset] == 0xFE
                ? OpCodesByValue[unchecked((short)(0xFE00 | il[offset + 1]))]
                : OpCodesByValue[il[offset]];
            offset += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    if (Resolve(method.Module, BitConverter.ToInt32(il, offset), typeArguments, methodArguments) is { } member)
                    {
                        foreach (var referenced in TypesOf(member))
                        {
                            yield return referenced;
                        }
                    }

                    offset += 4;
                    break;
                case OperandType.InlineSwitch:
                    offset += 4 + 4 * BitConverter.ToInt32(il, offset);
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    offset += 1;
                    break;
                case OperandType.InlineVar:
                    offset += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    offset += 8;
                    break;
                case OperandType.InlineNone:
                    break;
                default:
                    offset += 4;
                    break;
            }
        }
    }

    private static MemberInfo? Resolve(Module module, int token, Type[]? typeArguments, Type[]? methodArguments)
    {
        try
        {
            return module.ResolveMember(token, typeArguments, methodArguments);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static IEnumerable<Type> TypesOf(MemberInfo member) => member switch
    {
        Type type => [type],
        MethodInfo { IsGenericMethod: true } method => [method.DeclaringType!, .. method.GetGenericArguments()],
        _ => member.DeclaringType is { } declaring ? [declaring] : [],
    };

    /// <summary>A type and what it is built from: generic arguments, array and by-ref element types.</summary>
    private static IEnumerable<Type> Flatten(Type type)
    {
        if (type.HasElementType)
        {
            return Flatten(type.GetElementType()!);
        }

        return type.IsGenericType && !type.IsGenericTypeDefinition
            ? type.GetGenericArguments().SelectMany(Flatten).Prepend(type.GetGenericTypeDefinition())
            : [type];
    }
}
