using System.Reflection;
using System.Text;
using AspNet.Security.OAuth.Wikimedia.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.PublicApi;

/// <summary>
/// The public surface of the packages, snapshotted: a change to it fails this test until the snapshot file is
/// updated in the same commit, so that every change of public API is a decision. To accept one, copy the file the
/// failure names over the snapshot.
/// </summary>
public class PublicApiTests
{
    [Theory]
    [InlineData(typeof(WikimediaAuthenticationHandler), "AspNet.Security.OAuth.Wikimedia.txt")]
    [InlineData(typeof(WikimediaEmulator), "AspNet.Security.OAuth.Wikimedia.Testing.txt")]
    [InlineData(typeof(StackExchangeRedis.WikimediaRedisRefreshCoordinatorOptions), "AspNet.Security.OAuth.Wikimedia.StackExchangeRedis.txt")]
    public void The_public_api_matches_its_snapshot(Type anchor, string snapshot)
    {
        var actual = Describe(anchor.Assembly);
        var path = Path.Combine(SourceDirectory(), snapshot);
        var expected = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "";
        if (actual != expected)
        {
            // Beside the test assembly, not in /tmp: several checkouts (worktrees) must not overwrite each other's proposal.
            var proposed = Path.Combine(AppContext.BaseDirectory, snapshot + ".proposed");
            File.WriteAllText(proposed, actual);
            Assert.Fail($"The public API of {anchor.Assembly.GetName().Name} changed. Review {proposed} and copy it over {path}.");
        }
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string file = "") => Path.GetDirectoryName(file)!;

    private static string Describe(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            text.Append(Kind(type)).Append(' ').Append(type.FullName);
            if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && baseType != typeof(Enum))
            {
                text.Append(" : ").Append(Name(baseType));
            }

            text.Append('\n');
            const BindingFlags Flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var members = type.GetMembers(Flags)
                .Where(m => m switch
                {
                    MethodBase method => (method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly) && (method is ConstructorInfo || !method.IsSpecialName) && !method.Name.StartsWith('<'),
                    PropertyInfo property => property.GetMethod is { } get && (get.IsPublic || get.IsFamily),
                    FieldInfo field => field.IsPublic || field.IsFamily,
                    EventInfo => true,
                    _ => false,
                })
                .Where(m => !type.IsEnum || m is FieldInfo { IsStatic: true })
                .Select(Member)
                .Order(StringComparer.Ordinal);
            foreach (var member in members)
            {
                text.Append("  ").Append(member).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Kind(Type type) => type switch
    {
        { IsInterface: true } => "interface",
        { IsEnum: true } => "enum",
        { IsValueType: true } => "struct",
        { IsAbstract: true, IsSealed: true } => "static class",
        { IsSealed: true } => "sealed class",
        { IsAbstract: true } => "abstract class",
        _ => "class",
    };

    private static string Member(MemberInfo member) => member switch
    {
        ConstructorInfo c => $"ctor({Parameters(c)})",
        MethodInfo m => $"{(m.IsStatic ? "static " : "")}{(m.IsVirtual && !m.IsFinal ? "virtual " : "")}{Name(m.ReturnType)} {m.Name}({Parameters(m)})",
        PropertyInfo p => $"{Name(p.PropertyType)} {p.Name} {{ get;{(p.SetMethod is { } set && (set.IsPublic || set.IsFamily) ? (set.ReturnParameter.GetRequiredCustomModifiers().Any(t => t.Name == "IsExternalInit") ? " init;" : " set;") : "")} }}",
        FieldInfo f => $"{(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{(f.IsInitOnly ? "readonly " : "")}{Name(f.FieldType)} {f.Name}",
        EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
        _ => member.Name,
    };

    private static string Parameters(MethodBase method)
        => string.Join(", ", method.GetParameters().Select(p => $"{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : "")}"));

    private static string Name(Type type)
    {
        if (type.IsByRef)
        {
            return Name(type.GetElementType()!) + "&";
        }

        if (type.IsGenericType)
        {
            var name = type.GetGenericTypeDefinition().FullName ?? type.Name;
            return name[..name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
        }

        return type.IsGenericParameter ? type.Name : type.FullName ?? type.Name;
    }
}
