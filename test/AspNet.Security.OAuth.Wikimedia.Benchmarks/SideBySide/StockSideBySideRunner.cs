using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using AspNet.Security.OAuth.Wikimedia.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace AspNet.Security.OAuth.Wikimedia.Benchmarks.SideBySide;

/// <summary>
/// <c>--paired-stock</c>: the Wikimedia handler side by side with Microsoft's stock <c>AddOAuth</c> on the same
/// emulator, in the same run (docs/benchmarks.md, "Side by side with Microsoft's OAuthHandler"):
/// <list type="number">
/// <item>the callback leg of a sign-in, both apps answered by the same recorded emulator answers (the handler's CPU),
/// then both talking to the live emulator (its cost included in both);</item>
/// <item>where the sign-in's time goes, phase by phase;</item>
/// <item>an authenticated request of the sample's app versus a plain cookie app holding the stock app's session.</item>
/// </list>
/// Every figure is a median ratio of neighbouring batches (<see cref="PairedRunner.MeasureAsync"/>).
/// </summary>
internal static class StockSideBySideRunner
{
    private const int PoolSize = 32;

    public static async Task RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        using var emulator = WikimediaEmulator.Start(o => o.AutoApproveAs = "Example User");
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        await using var wikimedia = SideBySideApp.Wikimedia(emulator);
        await using var stock = SideBySideApp.Stock(emulator);
        await using var plain = SideBySideApp.PlainCookie();
        // The same app as `wikimedia`, whose decoded-ticket cache never hits: every request decodes the cookie, as the
        // first request of a session after a minute does.
        await using var uncached = SideBySideApp.Wikimedia(emulator, s => s.AddSingleton<TimeProvider>(new EveryTimestampAMinuteLater()));
        // The same app with AutomaticRefresh off: the cookie handler writes the session itself, uncompressed, as the
        // stock app's; what is left is the protocol handler's own cost.
        await using var unwrapped = SideBySideApp.Wikimedia(emulator, configure: o => o.AutomaticRefresh = false, name: "AddWikimedia, AutomaticRefresh off");

        // One live sign-in each: both apps sign in against the emulator itself, and the Wikimedia app's records the
        // token and profile answers that the replayed sign-ins then get, both apps alike.
        var recorded = new Dictionary<string, RecordedAnswer>(StringComparer.Ordinal);
        wikimedia.Backchannel!.Recorder = recorded;
        await SignInAsync(wikimedia, browser);
        wikimedia.Backchannel.Recorder = null;
        await SignInAsync(stock, browser);
        await SignInAsync(uncached, browser);
        await SignInAsync(unwrapped, browser);

        foreach (var app in new[] { wikimedia, stock, uncached, unwrapped })
        {
            app.Backchannel!.Replay = recorded;
        }

        // The sessions of replayed sign-ins: the same claims and the same tokens in every app.
        var wikimediaCookie = await SignInAsync(wikimedia, browser);
        var stockCookie = await SignInAsync(stock, browser);
        var uncachedCookie = await SignInAsync(uncached, browser);
        var unwrappedCookie = await SignInAsync(unwrapped, browser);
        var wikimediaSession = await wikimedia.AuthenticateAsync(wikimediaCookie);
        var stockSession = await stock.AuthenticateAsync(stockCookie);
        CheckSameSession(wikimediaSession, stockSession);
        CheckSameSession(await unwrapped.AuthenticateAsync(unwrappedCookie), stockSession);
        var plainCookie = await plain.SignInAsync(stockSession.Principal!, stockSession.Properties!);
        CheckSameSession(await plain.AuthenticateAsync(plainCookie), stockSession);

        Console.WriteLine($"session: {wikimediaSession.Principal!.Claims.Count()} claims ({string.Join(", ", wikimediaSession.Principal!.Claims.Select(c => ShortType(c.Type)))}), " +
                          $"tokens {string.Join(", ", wikimediaSession.Properties!.GetTokens().Select(t => $"{t.Name} {t.Value.Length} chars"))}");
        Console.WriteLine($"Cookie header: AddWikimedia {wikimediaCookie.Length} B, stock AddOAuth {stockCookie.Length} B, cookie only {plainCookie.Length} B, " +
                          $"AutomaticRefresh off {unwrappedCookie.Length} B");

        // 1. Sign-in, replayed answers: the handlers' own CPU.
        // Batches of 500: a sign-in allocates 60 to 80 KB, so a batch of a hundred meets a gen0 collection or none,
        // which made neighbouring batches differ by a third.
        var (rounds, batch) = quick ? (20, 200) : (100, 500);
        var wikimediaPool = await PoolAsync(wikimedia, browser);
        var stockPool = await PoolAsync(stock, browser);
        var unwrappedPool = await PoolAsync(unwrapped, browser);
        if (args is [_, "--spin", var which, var seconds, ..])
        {
            // A driver for a profiler (perf record with DOTNET_PerfMapEnabled=1): one pipeline, nothing else.
            Func<Task> spun = which switch
            {
                "stock" => Cycle(stock, stockPool),
                "wikimedia" => Cycle(wikimedia, wikimediaPool),
                "wikimedia-refresh-off" => Cycle(unwrapped, unwrappedPool),
                "request-plain" => Pipeline(plain, plainCookie).InvokeAsync,
                "request-wikimedia" => Pipeline(wikimedia, wikimediaCookie).InvokeAsync,
                "request-uncached" => Pipeline(uncached, uncachedCookie).InvokeAsync,
                _ => throw new ArgumentException("--spin stock|wikimedia|wikimedia-refresh-off|request-plain|request-wikimedia|request-uncached SECONDS"),
            };
            await SpinAsync(spun, TimeSpan.FromSeconds(double.Parse(seconds, CultureInfo.InvariantCulture)));
            return;
        }

        var signIn = new (string Name, Func<Task> Invoke)[]
        {
            (wikimedia.Name, Cycle(wikimedia, wikimediaPool)),
            (unwrapped.Name + " (cookie uncompressed)", Cycle(unwrapped, unwrappedPool)),
        };
        await MeasureAsync("sign-in callback, replayed emulator answers", "sign-ins", ("stock AddOAuth", Cycle(stock, stockPool)), signIn, rounds, batch, warmUp: true);
        Console.WriteLine(Invariant($"allocated per sign-in: stock AddOAuth {await AllocatedAsync(Cycle(stock, stockPool)):0} B, AddWikimedia {await AllocatedAsync(Cycle(wikimedia, wikimediaPool)):0} B, AutomaticRefresh off {await AllocatedAsync(Cycle(unwrapped, unwrappedPool)):0} B"));

        // 2. Where the sign-in's time goes.
        await BreakdownAsync("replayed answers", [(stock, Next(stockPool)), (unwrapped, Next(unwrappedPool)), (wikimedia, Next(wikimediaPool))], quick ? 20 : 100, 100);

        // 3. Sign-in, live emulator: fresh codes prepared before each round, outside the timed batches.
        foreach (var app in new[] { wikimedia, stock })
        {
            app.Backchannel!.Replay = null;
        }

        var (liveRounds, liveBatch) = quick ? (10, 10) : (40, 100);

        // Where a live sign-in's time goes: each callback with a sign-in of its own, all prepared beforehand.
        var (breakdownRounds, breakdownBatch) = quick ? (5, 20) : (30, 100);
        var liveStock = new Queue<PreparedSignIn>();
        var liveWikimedia = new Queue<PreparedSignIn>();
        for (var i = 0; i < breakdownRounds * breakdownBatch; i++)
        {
            liveStock.Enqueue(await stock.PrepareSignInAsync(browser));
            liveWikimedia.Enqueue(await wikimedia.PrepareSignInAsync(browser));
        }

        GC.Collect();
        await BreakdownAsync("live emulator", [(stock, liveStock.Dequeue), (wikimedia, liveWikimedia.Dequeue)], breakdownRounds, breakdownBatch);

        var wikimediaQueue = new Queue<PreparedSignIn>();
        var stockQueue = new Queue<PreparedSignIn>();
        async Task PrepareAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                stockQueue.Enqueue(await stock.PrepareSignInAsync(browser));
                wikimediaQueue.Enqueue(await wikimedia.PrepareSignInAsync(browser));
            }
        }

        // Before a round: its sign-ins, then the preparation's garbage collected and one untimed sign-in of each app,
        // so that what the preparation leaves behind is not timed in whichever batch comes first (the first batch
        // alternates between the apps, and such a cost split the ratios into two groups whose median was either).
        async Task PrepareRoundAsync(int count)
        {
            await PrepareAsync(count + 1);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await stock.CallbackAsync(stockQueue.Dequeue());
            await wikimedia.CallbackAsync(wikimediaQueue.Dequeue());
        }

        await PrepareAsync(200);
        for (var i = 0; i < 200; i++)
        {
            await stock.CallbackAsync(stockQueue.Dequeue());
            await wikimedia.CallbackAsync(wikimediaQueue.Dequeue());
        }

        await MeasureAsync(
            "sign-in callback, live emulator (its token and profile answers included in both)", "sign-ins",
            ("stock AddOAuth", () => stock.CallbackAsync(stockQueue.Dequeue())), [("AddWikimedia", () => wikimedia.CallbackAsync(wikimediaQueue.Dequeue()))],
            liveRounds, liveBatch, warmUp: false, beforeRound: () => PrepareRoundAsync(liveBatch), wallClock: false);

        // 4. An authenticated request: the sample's app and its session versus a plain cookie app holding the stock
        // app's session (same claims, same tokens); the stock app itself for reference.
        var (requestRounds, requestBatch) = quick ? (40, 500) : (200, 1000);
        await MeasureAsync(
            "authenticated request", "requests", (Label(plain, plainCookie), Pipeline(plain, plainCookie).InvokeAsync),
            [
                (Label(wikimedia, wikimediaCookie) + ", Wikimedia session, decoded-ticket cache hit", Pipeline(wikimedia, wikimediaCookie).InvokeAsync),
                (Label(uncached, uncachedCookie) + ", Wikimedia session, cache missed (first request after a minute)", Pipeline(uncached, uncachedCookie).InvokeAsync),
                (Label(stock, stockCookie) + ", its session", Pipeline(stock, stockCookie).InvokeAsync),
            ],
            requestRounds, requestBatch, warmUp: true);
    }

    /// <summary>
    /// Runs the pipelines in turn until the JIT has had nothing to compile for two seconds (at most a minute): tiered
    /// compilation recompiles hot methods, with instrumentation and then optimized, for many seconds after start-up on
    /// a loaded machine; its thread's CPU time would count in the batches, and code not yet optimized would be timed.
    /// (The framework's code starts precompiled, this library's does not: timing it early would favour the stock app.)
    /// </summary>
    private static async Task WarmUpAsync(IReadOnlyList<Func<Task>> pipelines)
    {
        var started = Stopwatch.GetTimestamp();
        var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        var quiet = 0;
        while (quiet < 2 && Stopwatch.GetElapsedTime(started) < TimeSpan.FromMinutes(1))
        {
            var second = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(second) < TimeSpan.FromSeconds(1))
            {
                foreach (var pipeline in pipelines)
                {
                    await pipeline();
                }
            }

            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            quiet = now == compiled ? quiet + 1 : 0;
            compiled = now;
        }

        Console.WriteLine(Invariant($"(warm-up: {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s, {compiled} methods compiled)"));
    }

    private static async Task SpinAsync(Func<Task> call, TimeSpan duration)
    {
        await WarmUpAsync([call]);
        var count = 0;
        var started = Stopwatch.GetTimestamp();
        var cpu = CpuClock.IsAvailable ? CpuClock.ProcessSeconds() : 0;
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            for (var i = 0; i < 100; i++)
            {
                await call();
            }

            count += 100;
        }

        Console.WriteLine(Invariant($"spin: {count} calls, {(CpuClock.IsAvailable ? (CpuClock.ProcessSeconds() - cpu) / count * 1e6 : 0):0.0} us CPU each"));
    }

    private static string Label(SideBySideApp app, string cookie) => $"{app.Name} (Cookie header {cookie.Length} B)";

    /// <summary>
    /// Paired batches (<see cref="PairedRunner.MeasureAsync"/>) timed by the process's CPU time, then, unless
    /// <paramref name="wallClock"/> is false, again by the wall clock; prints the medians and quartiles.
    /// </summary>
    private static async Task MeasureAsync(
        string title, string unit, (string Name, Func<Task> Invoke) baseline, (string Name, Func<Task> Invoke)[] variants,
        int rounds, int batch, bool warmUp, Func<Task>? beforeRound = null, bool wallClock = true)
    {
        if (warmUp)
        {
            await WarmUpAsync([baseline.Invoke, .. variants.Select(v => v.Invoke)]);
        }

        var clocks = new List<(string Name, Func<double>? Read)>();
        if (CpuClock.IsAvailable)
        {
            clocks.Add(("process CPU time", CpuClock.ProcessSeconds));
        }

        if (wallClock || !CpuClock.IsAvailable)
        {
            clocks.Add(("wall clock", null));
        }

        foreach (var (clockName, read) in clocks)
        {
            var (microseconds, ratios) = await PairedRunner.MeasureAsync(
                baseline.Invoke, variants.Select(v => v.Invoke).ToArray(), rounds, batch, warmup: 0, beforeRound, read);
            Console.WriteLine();
            Console.WriteLine($"{title}, {clockName}: {rounds} x {batch} {unit} per app");
            Console.WriteLine(Invariant($"{baseline.Name}: median {PairedRunner.Median(microseconds):0.00} us per {unit.TrimEnd('s')}"));
            foreach (var (variant, v) in variants.Select((variant, v) => (variant, v)))
            {
                PairedRunner.Report($"{variant.Name} / {baseline.Name}", ratios[v]);
            }
        }
    }

    private static AuthenticatedRequestBenchmarks.Pipeline Pipeline(SideBySideApp app, string cookie)
        => new(app.Pipeline, app.Scopes) { Cookie = cookie };

    /// <summary>
    /// A complete sign-in through the app's pipeline, against the live emulator or the replayed answers (as the app's
    /// backchannel is set); returns the session's Cookie header.
    /// </summary>
    private static async Task<string> SignInAsync(SideBySideApp app, HttpClient browser)
    {
        var signIn = await app.PrepareSignInAsync(browser);
        var reply = await app.SendAsync("/signin-wikimedia", signIn.Query, signIn.Cookie);
        var session = SideBySideApp.SessionCookie(reply.Cookies);
        if (reply.Status != 302 || reply.Location != "/" || session.Length == 0)
        {
            throw new InvalidOperationException($"{app.Name}: the sign-in failed (HTTP {reply.Status}, Location {reply.Location}).");
        }

        return session;
    }

    /// <summary>Sign-ins under way, from real challenges and the emulator's real redirects; replayed callbacks cycle through them.</summary>
    private static async Task<PreparedSignIn[]> PoolAsync(SideBySideApp app, HttpClient browser)
    {
        var pool = new PreparedSignIn[PoolSize];
        for (var i = 0; i < pool.Length; i++)
        {
            pool[i] = await app.PrepareSignInAsync(browser);
        }

        return pool;
    }

    private static Func<Task> Cycle(SideBySideApp app, PreparedSignIn[] pool)
    {
        var next = Next(pool);
        return () => app.CallbackAsync(next());
    }

    /// <summary>The pool's sign-ins in turn, from the start again after the last (replayed answers only: codes are single use).</summary>
    private static Func<PreparedSignIn> Next(PreparedSignIn[] pool)
    {
        var next = 0;
        return () => pool[next++ % pool.Length];
    }

    private static async Task<double> AllocatedAsync(Func<Task> signIn, int count = 2_000)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < count; i++)
        {
            await signIn();
        }

        return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)count;
    }

    /// <summary>
    /// The replayed callback cut into phases by <see cref="PhaseProbe"/>'s marks, the apps interleaved in batches;
    /// prints the median microseconds of each phase, and each app's difference from the first. The total leaves out
    /// the backchannel's answers (the replay's, or the emulator's and the loopback's).
    /// </summary>
    private static async Task BreakdownAsync(string title, (SideBySideApp App, Func<PreparedSignIn> Next)[] apps, int rounds, int batch)
    {
        (string Name, Phase From, Phase To)[] phases =
        [
            ("callback to token request (state, correlation, form)", Phase.Start, Phase.TokenSent),
            ("token answer to profile request (parse, save tokens)", Phase.TokenAnswered, Phase.ProfileSent),
            ("profile answer to cookie sign-in (parse, claims, ticket)", Phase.ProfileAnswered, Phase.CookieSigningIn),
            ("cookie sign-in (ticket protected, Set-Cookie)", Phase.CookieSigningIn, Phase.CookieSignedIn),
            ("after the cookie (redirect, scope end)", Phase.CookieSignedIn, Phase.End),
            ("(backchannel: the token answer, replayed or the emulator's)", Phase.TokenSent, Phase.TokenAnswered),
            ("(backchannel: the profile answer, replayed or the emulator's)", Phase.ProfileSent, Phase.ProfileAnswered),
            ("total, without the backchannel", Phase.Start, Phase.End),
        ];
        var samples = apps.Select(_ => phases.Select(_ => new List<double>(rounds * batch)).ToArray()).ToArray();
        foreach (var (app, _) in apps)
        {
            app.Probe.Enabled = true;
        }

        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < apps.Length; k++)
            {
                var a = round % 2 == 0 ? k : apps.Length - 1 - k;
                var (app, next) = apps[a];
                for (var i = 0; i < batch; i++)
                {
                    await app.CallbackAsync(next());
                    var m = app.Probe.Marks;
                    var backchannel = m[(int)Phase.TokenAnswered] - m[(int)Phase.TokenSent] + m[(int)Phase.ProfileAnswered] - m[(int)Phase.ProfileSent];
                    for (var p = 0; p < phases.Length; p++)
                    {
                        var ticks = m[(int)phases[p].To] - m[(int)phases[p].From] - (phases[p].From == Phase.Start && phases[p].To == Phase.End ? backchannel : 0);
                        samples[a][p].Add(ticks * 1e6 / Stopwatch.Frequency);
                    }
                }
            }
        }

        foreach (var (app, _) in apps)
        {
            app.Probe.Enabled = false;
        }

        Console.WriteLine();
        Console.WriteLine($"sign-in phases, {title}, wall clock: median us over {rounds} x {batch} sign-ins per app");
        Console.WriteLine($"| Phase | {string.Join(" | ", apps.Select(a => a.App.Name))} |");
        foreach (var (phase, p) in phases.Select((phase, p) => (phase, p)))
        {
            var medians = samples.Select(app => PairedRunner.Median(app[p])).ToArray();
            Console.WriteLine($"| {phase.Name} | {string.Join(" | ", medians.Select((m, a) => a == 0 ? Invariant($"{m:0.0}") : Invariant($"{m:0.0} ({Math.Round(m - medians[0], 1) + 0.0:+0.0;-0.0;+0.0})")))} |");
        }
    }

    /// <summary>Both sessions hold the same claims (type, value, value type, issuer) and the same tokens.</summary>
    private static void CheckSameSession(AuthenticateResult wikimedia, AuthenticateResult stock)
    {
        static string Claims(ClaimsPrincipal? principal)
            => string.Join("\n", principal?.Claims.Select(c => $"{c.Type}={c.Value} ({c.ValueType}, {c.Issuer})") ?? []);

        static string Tokens(AuthenticationProperties? properties)
            => string.Join("\n", properties?.GetTokens().Where(t => t.Name != "expires_at").Select(t => $"{t.Name}={t.Value}") ?? []);

        if (!wikimedia.Succeeded || !stock.Succeeded || Claims(wikimedia.Principal) != Claims(stock.Principal) || Tokens(wikimedia.Properties) != Tokens(stock.Properties))
        {
            throw new InvalidOperationException($"The sessions differ.\n{Claims(wikimedia.Principal)}\n---\n{Claims(stock.Principal)}");
        }
    }

    private static string ShortType(string type) => type[(type.LastIndexOfAny(['/', ':']) + 1)..];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A clock whose timestamps move a minute on with every reading, so that nothing cached by timestamp is ever fresh; the time of day is the real one.</summary>
    private sealed class EveryTimestampAMinuteLater : TimeProvider
    {
        private long _timestamp;

        public override long GetTimestamp() => Interlocked.Add(ref _timestamp, TimestampFrequency * 61);
    }
}
