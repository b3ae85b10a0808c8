using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AspNet.Security.OAuth.Wikimedia.Json;
using AspNet.Security.OAuth.Wikimedia.StackExchangeRedis;
using AspNet.Security.OAuth.Wikimedia.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Json;

/// <summary>
/// What keeps the packages trimmable and AOT-compatible: the build's trim and AOT analyzers, which their project files
/// turn on (and warnings are errors), and JSON metadata generated at build time for every type the API client returns.
/// </summary>
public class AotSafetyTests
{
    [Theory]
    [InlineData(typeof(WikimediaProfile))]
    [InlineData(typeof(WikimediaRedisRefreshCoordinatorOptions))]
    public void The_packages_are_built_as_trimmable_and_so_with_the_trim_and_aot_analyzers(Type fromPackage)
    {
        var metadata = fromPackage.Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);

        Assert.Equal("True", metadata.GetValueOrDefault("IsTrimmable"));
    }

    [Fact]
    public void The_emulator_does_not_claim_to_be_trimmable()
        => Assert.DoesNotContain(
            typeof(WikimediaEmulator).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>(), a => a.Key == "IsTrimmable");

    public static TheoryData<Type> ApiResultTypes()
    {
        var types = typeof(WikimediaApiClient).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Select(m => m.ReturnType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Task<>))
            .Select(t => t.GetGenericArguments()[0])
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(WikimediaApiResult<>))
            .Select(t => t.GetGenericArguments()[0])
            .Distinct();
        return new TheoryData<Type>(types);
    }

    [Theory]
    [MemberData(nameof(ApiResultTypes))]
    public void Every_type_the_api_client_returns_has_generated_metadata_down_to_its_members(Type type)
    {
        // The context alone, with no reflection fallback: a type it does not cover is not found, where the default
        // resolver would quietly read it through reflection, which trimming and AOT break.
        var options = new JsonSerializerOptions { TypeInfoResolver = WikimediaJsonContext.Default };
        var seen = new HashSet<Type>();
        Walk(type);
        Assert.NotEmpty(seen);

        void Walk(Type t)
        {
            if (!seen.Add(t))
            {
                return;
            }

            var info = WikimediaJsonContext.Default.GetTypeInfo(t);
            Assert.True(info is not null, $"{t} has no generated JSON metadata: add it to {nameof(WikimediaJsonContext)}.");
            Assert.Same(info.Type, options.GetTypeInfo(t).Type);
            foreach (var property in info.Properties)
            {
                Walk(property.PropertyType);
            }

            if (info.ElementType is { } element)
            {
                Walk(element);
            }
        }
    }

    [Fact]
    public void The_profile_reader_uses_the_generated_contract_not_reflection()
    {
        var info = WikimediaProfileJson.TypeInfo;

        Assert.Equal(JsonTypeInfoKind.Object, info.Kind);
        Assert.IsNotType<DefaultJsonTypeInfoResolver>(info.Options.TypeInfoResolver);
        Assert.Equal(
            ["sub", "username", "editcount", "confirmed_email", "blocked", "registered", "groups", "rights", "grants", "realname", "email"],
            info.Properties.Select(p => p.Name));
        Assert.All(info.Properties, p => Assert.NotNull(p.CustomConverter));
    }
}
