using System.Reflection;
using AspNet.Security.OAuth.Wikimedia;

namespace WikimediaSample;

/// <summary>
/// The sample's User-Agent, as Wikimedia's policy asks: <c>name/version (contact) library/version</c>. Both versions
/// are the build's (<c>VersionPrefix</c> in Directory.Build.props), so that no file repeats them;
/// <c>Authentication:Schemes:Wikimedia:UserAgent</c> replaces the whole value.
/// </summary>
public static class SampleUserAgent
{
    /// <summary>Where Wikimedia's operators can find out about the sample.</summary>
    public const string Contact = "https://github.com/aspnet-security-oauth-wikimedia/AspNet.Security.OAuth.Wikimedia";

    /// <summary>Gets the User-Agent: <c>AspNet.Security.OAuth.Wikimedia.Sample/{version} ({contact}) AspNet.Security.OAuth.Wikimedia/{version}</c>.</summary>
    public static string Value { get; } =
        $"AspNet.Security.OAuth.Wikimedia.Sample/{VersionOf(typeof(SampleUserAgent).Assembly)} ({Contact}) " +
        $"AspNet.Security.OAuth.Wikimedia/{VersionOf(typeof(WikimediaAuthenticationHandler).Assembly)}";

    // The informational version without the "+commit" suffix the SDK appends, as the library's own default agent.
    private static string VersionOf(Assembly assembly)
        => assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
           ?? assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
