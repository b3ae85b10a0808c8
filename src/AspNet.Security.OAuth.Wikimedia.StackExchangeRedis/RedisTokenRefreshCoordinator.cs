using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AspNet.Security.OAuth.Wikimedia.StackExchangeRedis;

/// <summary>
/// Coordinates refreshes across the instances of a web farm through Redis: one token request per refresh token,
/// whichever instance the session's requests reach.
/// </summary>
/// <remarks>
/// <para>Within an instance, the requests of a session share one attempt. Across instances, the attempt that takes the
/// session key's lease (<c>SET NX PX</c>) calls the token endpoint, extending the lease while it runs, and publishes
/// the result, encrypted (<see cref="RefreshResultCodec"/>), for <see cref="WikimediaRedisRefreshCoordinatorOptions.ResultRetention"/>;
/// the others wait for it (a pub/sub message wakes them, a short poll covers a lost message) and adopt it. A holder
/// that stopped cannot block the session longer than its lease: once the lease has expired without a result, a
/// waiting instance takes over.</para>
/// <para>When Redis cannot be reached the request is never failed: by default the refresh is not tried (a transient
/// failure: the session keeps its access token while it is valid and tries again after the back-off of
/// docs/token-refresh.md), because two instances spending one refresh token end the session on servers without a grace
/// period; <see cref="WikimediaRedisRefreshCoordinatorOptions.RefreshLocallyWhenUnavailable"/> refreshes within the
/// instance instead.</para>
/// <para>Lease and poll times are real time, not the app's <see cref="TimeProvider"/>: they are Redis's.</para>
/// </remarks>
internal sealed partial class RedisTokenRefreshCoordinator : IWikimediaTokenRefreshCoordinator, IDisposable
{
    /// <summary>How long a failure is shared: long enough for the requests that waited for it to read it.</summary>
    internal static readonly TimeSpan FailureRetention = TimeSpan.FromSeconds(10);

    /// <summary>How often a waiting instance looks for the result when no message came.</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest a request waits for a refresh running on another instance (whose lease it keeps extending).</summary>
    internal static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(2);

    private readonly IConnectionMultiplexer _connection;
    private readonly WikimediaRedisRefreshCoordinatorOptions _options;
    private readonly RefreshResultCodec _codec;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisTokenRefreshCoordinator> _logger;
    private readonly ConcurrentDictionary<string, Lazy<Task<WikimediaTokenResult>>> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _wakeUps = new(StringComparer.Ordinal);
    private readonly RedisChannel _channel;
    private readonly Action<RedisChannel, RedisValue> _onDone;
    private readonly SemaphoreSlim _subscribing = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _subscribed;
    private int _unavailable;

    public RedisTokenRefreshCoordinator(
        IConnectionMultiplexer connection, IOptions<WikimediaRedisRefreshCoordinatorOptions> options, RefreshResultCodec codec, TimeProvider time,
        ILogger<RedisTokenRefreshCoordinator> logger)
    {
        _connection = connection;
        _options = options.Value;
        _codec = codec;
        _time = time;
        _logger = logger;
        _channel = RedisChannel.Literal(_options.KeyPrefix + "done");
        _onDone = (_, message) =>
        {
            if (message.HasValue && _wakeUps.TryGetValue(message.ToString(), out var wakeUp))
            {
                wakeUp.TrySetResult();
            }
        };
    }

    public void Dispose()
    {
        // Refreshes in flight stop with the application; the source is not disposed, so that a refresh starting
        // during shutdown still reads its (cancelled) token.
        _stopping.Cancel();
        if (_subscribed)
        {
            // Only this coordinator's handler: the connection may serve others (another app in the process, say).
            _connection.GetSubscriber().Unsubscribe(_channel, _onDone, CommandFlags.FireAndForget);
        }

        _subscribing.Dispose();
    }

    public async Task<WikimediaTokenResult> RefreshAsync(
        string sessionKey, Func<CancellationToken, Task<WikimediaTokenResult>> refresh, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionKey);
        ArgumentNullException.ThrowIfNull(refresh);

        // One attempt per session key in this instance, run apart from its callers: a request that goes away does not
        // cancel the refresh that the others wait for.
        var created = new Lazy<Task<WikimediaTokenResult>>(() => Task.Run(async () =>
        {
            try
            {
                return await CoordinateAsync(sessionKey, refresh);
            }
            finally
            {
                _wakeUps.TryRemove(sessionKey, out _);
            }
        }));
        var attempt = _inFlight.GetOrAdd(sessionKey, created);
        if (attempt != created)
        {
            return await attempt.Value.WaitAsync(cancellationToken) with { Adopted = true };
        }

        _ = attempt.Value.ContinueWith(_ => _inFlight.TryRemove(new KeyValuePair<string, Lazy<Task<WikimediaTokenResult>>>(sessionKey, created)), TaskScheduler.Default);
        return await attempt.Value.WaitAsync(cancellationToken);
    }

    private async Task<WikimediaTokenResult> CoordinateAsync(string sessionKey, Func<CancellationToken, Task<WikimediaTokenResult>> refresh)
    {
        if (!_connection.IsConnected)
        {
            return await UnavailableAsync(refresh, exception: null);
        }

        var resultKey = new RedisKey(_options.KeyPrefix + sessionKey + ":result");
        var leaseKey = new RedisKey(_options.KeyPrefix + sessionKey + ":lease");
        var owner = (RedisValue)Guid.NewGuid().ToString("N");
        var waitedForAnother = false;
        var started = TimeProvider.System.GetTimestamp();
        IDatabase database;
        try
        {
            database = _connection.GetDatabase();
            await SubscribeAsync();
            while (true)
            {
                if (await ReadResultAsync(database, resultKey, sessionKey) is { } shared)
                {
                    Available();
                    return shared;
                }

                if (await database.LockTakeAsync(leaseKey, owner, _options.LeaseTime))
                {
                    Available();
                    // Between the look and the lease, a holder may have finished: its result stands.
                    if (await ReadResultAsync(database, resultKey, sessionKey) is { } justFinished)
                    {
                        await database.LockReleaseAsync(leaseKey, owner);
                        return justFinished;
                    }

                    if (waitedForAnother)
                    {
                        Log.TookOver(_logger, _options.LeaseTime);
                    }

                    break;
                }

                Available();
                waitedForAnother = true;
                if (TimeProvider.System.GetElapsedTime(started) > MaxWait)
                {
                    return Transient($"Another instance's refresh of this session did not finish within {MaxWait.TotalSeconds:0} s.");
                }

                await WakeUpAsync(sessionKey);
            }
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            return await UnavailableAsync(refresh, ex);
        }

        return await RefreshHoldingLeaseAsync(database, sessionKey, resultKey, leaseKey, owner, refresh);
    }

    /// <summary>Runs the refresh while extending the lease, then shares its result. Past the token request, Redis failing
    /// costs only the sharing: the tokens are this request's in any case.</summary>
    private async Task<WikimediaTokenResult> RefreshHoldingLeaseAsync(
        IDatabase database, string sessionKey, RedisKey resultKey, RedisKey leaseKey, RedisValue owner, Func<CancellationToken, Task<WikimediaTokenResult>> refresh)
    {
        using var stop = new CancellationTokenSource();
        var extending = ExtendLeaseAsync(database, leaseKey, owner, stop.Token);
        WikimediaTokenResult result;
        try
        {
            result = await refresh(_stopping.Token);
        }
        finally
        {
            await stop.CancelAsync();
            await extending;
        }

        try
        {
            await database.StringSetAsync(resultKey, _codec.Protect(sessionKey, result), result.Succeeded ? _options.ResultRetention : FailureRetention, When.Always);
            await database.PublishAsync(_channel, sessionKey);
            await database.LockReleaseAsync(leaseKey, owner);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            // The other instances' requests take over once the lease expires; on a server with a grace period for the
            // rotated refresh token they succeed, on one without it they end the session.
            Log.CouldNotShare(_logger, ex.GetType().FullName, ex);
        }

        return result;
    }

    private async Task ExtendLeaseAsync(IDatabase database, RedisKey leaseKey, RedisValue owner, CancellationToken stop)
    {
        var every = _options.LeaseTime / 3;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, stop);
                await database.LockExtendAsync(leaseKey, owner, _options.LeaseTime);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                // Keep refreshing: the worst case is that another instance takes over after the lease.
            }
        }
    }

    private async Task<WikimediaTokenResult?> ReadResultAsync(IDatabase database, RedisKey resultKey, string sessionKey)
    {
        var value = await database.StringGetAsync(resultKey);
        if (value.IsNull)
        {
            return null;
        }

        if (_codec.Unprotect(sessionKey, (byte[])value!) is { } result)
        {
            return result;
        }

        // Spending the refresh token again would end the session on a strict server: wait for the next attempt instead.
        Log.Unreadable(_logger);
        return Transient("The shared refresh result could not be decrypted: do all instances share their Data Protection keys?");
    }

    private async Task SubscribeAsync()
    {
        if (_subscribed)
        {
            return;
        }

        await _subscribing.WaitAsync();
        try
        {
            if (!_subscribed)
            {
                await _connection.GetSubscriber().SubscribeAsync(_channel, _onDone);
                _subscribed = true;
            }
        }
        finally
        {
            _subscribing.Release();
        }
    }

    /// <summary>Waits for the message that a refresh of <paramref name="sessionKey"/> ended, or a poll interval.</summary>
    private async Task WakeUpAsync(string sessionKey)
    {
        var wakeUp = _wakeUps.GetOrAdd(sessionKey, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await Task.WhenAny(wakeUp.Task, Task.Delay(PollInterval));
        if (wakeUp.Task.IsCompleted)
        {
            _wakeUps.TryRemove(new KeyValuePair<string, TaskCompletionSource>(sessionKey, wakeUp));
        }
    }

    private async Task<WikimediaTokenResult> UnavailableAsync(Func<CancellationToken, Task<WikimediaTokenResult>> refresh, Exception? exception)
    {
        if (Interlocked.Exchange(ref _unavailable, 1) == 0)
        {
            Log.Unavailable(_logger, _options.RefreshLocallyWhenUnavailable, exception?.GetType().FullName ?? "not connected", exception);
        }

        return _options.RefreshLocallyWhenUnavailable
            ? await refresh(_stopping.Token)
            : Transient("Redis, which coordinates refreshes across instances, cannot be reached: not refreshed, so that two instances never spend one refresh token.");
    }

    private void Available()
    {
        if (Interlocked.Exchange(ref _unavailable, 0) == 1)
        {
            Log.Available(_logger);
        }
    }

    private WikimediaTokenResult Transient(string message)
        => new() { Status = WikimediaTokenStatus.Unavailable, Message = message, IssuedAt = _time.GetUtcNow() };

    private static bool IsRedisFailure(Exception exception)
        => exception is RedisException or TimeoutException or ObjectDisposedException;

    private static partial class Log
    {
        [LoggerMessage(60, LogLevel.Error, "Redis cannot be reached ({Cause}): Wikimedia token refreshes are not coordinated across instances until it is back. " +
            "Refresh within each instance meanwhile: {RefreshLocally} (otherwise sessions keep their current access token and retry after a back-off).")]
        public static partial void Unavailable(ILogger logger, bool refreshLocally, string cause, Exception? exception);

        [LoggerMessage(61, LogLevel.Information, "Redis is reachable again: Wikimedia token refreshes are coordinated across instances.")]
        public static partial void Available(ILogger logger);

        [LoggerMessage(62, LogLevel.Warning, "A refresh running on another instance ended without a result (the instance stopped, or lost Redis); this instance took over " +
            "after its lease ({Lease}) expired.")]
        public static partial void TookOver(ILogger logger, TimeSpan lease);

        [LoggerMessage(63, LogLevel.Error, "The result of a refresh could not be shared through Redis ({ExceptionType}); the other instances take over after the lease.")]
        public static partial void CouldNotShare(ILogger logger, string? exceptionType, Exception exception);

        [LoggerMessage(64, LogLevel.Warning, "A refresh result shared through Redis could not be decrypted: do all instances share their Data Protection keys (and application name)?")]
        public static partial void Unreadable(ILogger logger);
    }
}
