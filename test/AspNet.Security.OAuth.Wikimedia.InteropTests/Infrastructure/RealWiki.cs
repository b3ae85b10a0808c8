using System.Diagnostics;

namespace AspNet.Security.OAuth.Wikimedia.InteropTests.Infrastructure;

/// <summary>
/// The genuine MediaWiki (1.39, or 1.43 with <c>REALWIKI_VERSION=1.43</c>) with Extension:OAuth that test/realwiki builds and serves on 127.0.0.1, with its fixed
/// users and consumers (test/realwiki/consumers.env). <c>./test.sh</c> starts it before these tests and stops it
/// after; run alone, the fixture starts it (test/realwiki/start.sh reuses a server that already runs) and stops
/// what it started.
/// </summary>
public sealed class RealWiki : IAsyncLifetime
{
    /// <summary>The port of the callback the consumers are registered with; apps under test listen on it.</summary>
    public const int AppPort = 5555;

    private bool _startedHere;

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The wiki's REST root, which is the handler's Authority.</summary>
    public string Authority => new Uri(BaseAddress, "w/rest.php").ToString();

    /// <summary>The wiki's REST API root, for <c>WikimediaApi:BaseAddress</c>.</summary>
    public Uri RestRoot => new(BaseAddress, "w/rest.php/");

    public IReadOnlyDictionary<string, string> Settings { get; private set; } = new Dictionary<string, string>();

    public static Uri AppAddress { get; } = new($"http://127.0.0.1:{AppPort}/");

    public WikiAccount Alice => Account("ALICE");

    public WikiAccount Bob => Account("BOB");

    /// <summary>The one user with an edit rate limit (1 edit a day; test/realwiki/settings.php, "Editing").</summary>
    public WikiAccount Carol => Account("CAROL");

    /// <summary>A page only sysops may edit (test/realwiki/setup.php, "Editing").</summary>
    public string ProtectedPage => Settings["REALWIKI_PROTECTED_PAGE"];

    /// <summary>The wiki's action API, where change tags show.</summary>
    public Uri ActionApi => new(BaseAddress, "w/api.php");

    public WikiConsumer Consumer(ConsumerKind kind) => new(
        kind,
        Settings[$"REALWIKI_{kind.ToString().ToUpperInvariant()}_CLIENT_ID"],
        Settings.TryGetValue($"REALWIKI_{kind.ToString().ToUpperInvariant()}_CLIENT_SECRET", out var secret) ? secret : null);

    public async Task InitializeAsync()
    {
        _startedHere = !File.Exists(Path.Combine(Directory, "server.pid"));
        var output = await RunAsync("start.sh");
        Settings = ReadSettings(Path.Combine(RepositoryRoot, "test", "realwiki", "consumers.env"))
            .Concat(ReadSettings(Path.Combine(Directory, "server.env")))
            .GroupBy(p => p.Key)
            .ToDictionary(g => g.Key, g => g.Last().Value);
        BaseAddress = new Uri(Settings["REALWIKI_BASE_URL"].TrimEnd('/') + "/");
        if (new Uri(Settings["REALWIKI_CALLBACK_URL"]).Port != AppPort)
        {
            throw new InvalidOperationException("The consumers' callback is not on port " + AppPort + ": " + output);
        }
    }

    public async Task DisposeAsync()
    {
        if (_startedHere)
        {
            await RunAsync("stop.sh");
        }
    }

    /// <summary>
    /// Which MediaWiki: <c>1.39</c> (the default) or <c>1.43</c>, from <c>REALWIKI_VERSION</c>, as test/realwiki's scripts
    /// read it (./test.sh runs the real-wiki tests once per version).
    /// </summary>
    public static string Version { get; } = Environment.GetEnvironmentVariable("REALWIKI_VERSION") is { Length: > 0 } version ? version : "1.39";

    private static string Directory => Environment.GetEnvironmentVariable("REALWIKI_DIR") is { Length: > 0 } dir
        ? dir
        : Path.Combine(RepositoryRoot, ".test-output", Version == "1.39" ? "realwiki" : "realwiki" + Version.Replace(".", "", StringComparison.Ordinal));

    private WikiAccount Account(string key) => new(Settings[$"REALWIKI_{key}_USER"], Settings[$"REALWIKI_{key}_PASSWORD"], Settings[$"REALWIKI_{key}_EMAIL"]);

    private static async Task<string> RunAsync(string script)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot, "test", "realwiki", script)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"test/realwiki/{script} failed ({process.ExitCode}): {await output} {await error}");
        }

        return await output;
    }

    private static IEnumerable<KeyValuePair<string, string>> ReadSettings(string path)
        => File.ReadLines(path)
            .Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains('=', StringComparison.Ordinal))
            .Select(l => new KeyValuePair<string, string>(l[..l.IndexOf('=', StringComparison.Ordinal)], l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]));

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AspNet.Security.OAuth.Wikimedia.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root was not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>The tests that use the real wiki share it, and the app port its consumers are registered with: one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class RealWikiGroup : ICollectionFixture<RealWiki>
{
    public const string Name = "Real wiki";
}

public sealed record WikiAccount(string User, string Password, string Email);

/// <summary>The consumers test/realwiki registers.</summary>
public enum ConsumerKind
{
    /// <summary>Confidential, identity only (mwoauth-authonly).</summary>
    Identity,

    /// <summary>Public (no secret, PKCE), identity only; REL1_39 refuses its refresh tokens.</summary>
    Public,

    /// <summary>Confidential, identity and e-mail (mwoauth-authonlyprivate).</summary>
    Private,

    /// <summary>Confidential, grant "basic": may call the wiki's REST API as the user.</summary>
    Basic,

    /// <summary>Confidential, grants "basic", "editpage" and "createeditmovepage": edits pages as the user.</summary>
    Edit,
}

public sealed record WikiConsumer(ConsumerKind Kind, string ClientId, string? ClientSecret);
