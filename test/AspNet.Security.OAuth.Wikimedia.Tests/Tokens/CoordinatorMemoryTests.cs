using System.Diagnostics.Metrics;
using AspNet.Security.OAuth.Wikimedia.Diagnostics;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

/// <summary>The in-process coordinator forgets every refresh in time, whether or not anybody waited for it.</summary>
public sealed class CoordinatorMemoryTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly InProcessTokenRefreshCoordinator _coordinator;

    public CoordinatorMemoryTests()
        => _coordinator = new(_time, new WikimediaTokenMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>()));

    public void Dispose() => _coordinator.Dispose();

    [Fact]
    public async Task A_thousand_refreshes_whose_browsers_went_away_leave_nothing_behind()
    {
        var refreshes = Enumerable.Range(0, 1000).Select(_ => new TaskCompletionSource<WikimediaTokenResult>()).ToArray();
        using var aborted = new CancellationTokenSource();
        aborted.Cancel();

        for (var i = 0; i < refreshes.Length; i++)
        {
            var refresh = refreshes[i];
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _coordinator.RefreshAsync("session-" + i, _ => refresh.Task, aborted.Token));
        }

        Assert.Equal(1000, _coordinator.Count);
        foreach (var refresh in refreshes)
        {
            refresh.SetResult(new WikimediaTokenResult { Status = WikimediaTokenStatus.Success, AccessToken = "new", IssuedAt = _time.GetUtcNow() });
        }

        // The refreshes end on the thread pool: poll, with a deadline, until each has recorded its end.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            _time.Advance(InProcessTokenRefreshCoordinator.SuccessRetention);
            _coordinator.Purge(force: true);
            await Task.Yield();
        }
        while (_coordinator.Count > 0 && DateTime.UtcNow < deadline);

        Assert.Equal(0, _coordinator.Count);
    }

    [Fact]
    public async Task A_failed_refresh_is_forgotten_as_soon_as_it_ends_even_without_waiters()
    {
        var refresh = new TaskCompletionSource<WikimediaTokenResult>();
        using var aborted = new CancellationTokenSource();
        aborted.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _coordinator.RefreshAsync("session", _ => refresh.Task, aborted.Token));

        refresh.SetResult(new WikimediaTokenResult { Status = WikimediaTokenStatus.SessionEnded, Error = "invalid_grant", StatusCode = 400 });
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_coordinator.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Yield();
        }

        Assert.Equal(0, _coordinator.Count);
    }

    [Fact]
    public async Task A_success_is_shared_within_the_retention_and_not_after()
    {
        var calls = 0;
        Task<WikimediaTokenResult> Refresh(CancellationToken _)
        {
            Interlocked.Increment(ref calls);
            return Task.FromResult(new WikimediaTokenResult { Status = WikimediaTokenStatus.Success, AccessToken = "new" });
        }

        var ran = await _coordinator.RefreshAsync("session", Refresh, CancellationToken.None);
        var adopted = await _coordinator.RefreshAsync("session", Refresh, CancellationToken.None);
        Assert.Equal(1, calls);
        Assert.Equal((false, true, "new"), (ran.Adopted, adopted.Adopted, adopted.AccessToken));

        _time.Advance(InProcessTokenRefreshCoordinator.SuccessRetention);
        await _coordinator.RefreshAsync("session", Refresh, CancellationToken.None);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Concurrent_callers_share_one_refresh_and_only_the_one_that_ran_it_is_told_so()
    {
        var release = new TaskCompletionSource<WikimediaTokenResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        Task<WikimediaTokenResult> Refresh(CancellationToken _)
        {
            Interlocked.Increment(ref calls);
            return release.Task;
        }

        var callers = Enumerable.Range(0, 20).Select(_ => _coordinator.RefreshAsync("session", Refresh, CancellationToken.None)).ToArray();
        release.SetResult(new WikimediaTokenResult { Status = WikimediaTokenStatus.Success, AccessToken = "new" });
        var results = await Task.WhenAll(callers);

        Assert.Equal(1, calls);
        Assert.Single(results, r => !r.Adopted);
        Assert.All(results, r => Assert.Equal("new", r.AccessToken));
    }

    [Fact]
    public async Task The_refresh_gets_a_token_that_is_cancelled_when_the_coordinator_is_disposed_and_not_by_a_waiter()
    {
        var started = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<WikimediaTokenResult> Refresh(CancellationToken stopping)
        {
            started.SetResult(stopping);
            await Task.Delay(Timeout.Infinite, stopping);
            throw new InvalidOperationException("not reached");
        }

        using var waiter = new CancellationTokenSource();
        var call = _coordinator.RefreshAsync("session", Refresh, waiter.Token);
        var token = await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await waiter.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(token.CanBeCanceled);
        Assert.False(token.IsCancellationRequested);

        _coordinator.Dispose();

        Assert.True(token.IsCancellationRequested);
    }
}
