using System.Diagnostics.Metrics;
using AspNet.Security.OAuth.Wikimedia.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

/// <summary>The in-process coordinator forgets every refresh in time, whether or not anybody waited for it.</summary>
public class CoordinatorMemoryTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly InProcessTokenRefreshCoordinator _coordinator;

    public CoordinatorMemoryTests()
        => _coordinator = new(_time, new WikimediaTokenMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>()));

    [Fact]
    public async Task A_thousand_refreshes_whose_browsers_went_away_leave_nothing_behind()
    {
        var refreshes = Enumerable.Range(0, 1000).Select(_ => new TaskCompletionSource<WikimediaTokenRefreshResult>()).ToArray();
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
            refresh.SetResult(new WikimediaTokenRefreshResult { AccessToken = "new", IssuedAt = _time.GetUtcNow() });
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
        var refresh = new TaskCompletionSource<WikimediaTokenRefreshResult>();
        using var aborted = new CancellationTokenSource();
        aborted.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _coordinator.RefreshAsync("session", _ => refresh.Task, aborted.Token));

        refresh.SetResult(new WikimediaTokenRefreshResult { Error = "invalid_grant", StatusCode = 400 });
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
        Task<WikimediaTokenRefreshResult> Refresh(CancellationToken _)
        {
            Interlocked.Increment(ref calls);
            return Task.FromResult(new WikimediaTokenRefreshResult { AccessToken = "new" });
        }

        await _coordinator.RefreshAsync("session", Refresh, CancellationToken.None);
        await _coordinator.RefreshAsync("session", Refresh, CancellationToken.None);
        Assert.Equal(1, calls);

        _time.Advance(InProcessTokenRefreshCoordinator.SuccessRetention);
        await _coordinator.RefreshAsync("session", Refresh, CancellationToken.None);
        Assert.Equal(2, calls);
    }
}
