using Microsoft.Extensions.DependencyInjection;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

/// <summary>
/// <c>IWikimediaTokenRefreshCoordinator</c> is the documented extension point for web farms, which keep the result
/// of a refresh in a shared store and hand it to the instances that waited. <c>WikimediaTokenResult.IssuedAt</c>
/// is not required, so a coordinator may well hand back a success without it.
/// The session's bookkeeping must stay readable whatever a coordinator returns.
/// </summary>
public class CoordinatorResultTests
{
    /// <summary>A web-farm coordinator as one would write it: it keeps the tokens and their expiry.</summary>
    private sealed class StoredResultCoordinator : IWikimediaTokenRefreshCoordinator
    {
        public async Task<WikimediaTokenResult> RefreshAsync(
            string sessionKey, Func<CancellationToken, Task<WikimediaTokenResult>> refresh, CancellationToken cancellationToken)
        {
            var result = await refresh(CancellationToken.None);
            return new WikimediaTokenResult
            {
                Status = result.Status,
                AccessToken = result.AccessToken,
                RefreshToken = result.RefreshToken,
                TokenType = result.TokenType,
                ExpiresAt = result.ExpiresAt,
                Error = result.Error,
                StatusCode = result.StatusCode,
                Message = result.Message,
            };
        }
    }

    [Fact]
    public async Task A_session_refreshed_through_a_coordinator_whose_result_has_no_issue_time_is_refreshed_again_when_due()
    {
        await using var session = await RefreshFixture.SignedInAsync(services: s => s.AddSingleton<IWikimediaTokenRefreshCoordinator, StoredResultCoordinator>());
        session.Time.Advance(TimeSpan.FromHours(4));
        var first = await session.MeAsync();
        Assert.Single(session.Refreshes);

        session.Time.Advance(TimeSpan.FromHours(4));
        var second = await session.MeAsync();
        var token = await session.TokenAsync();

        Assert.Equal(2, session.Refreshes.Count);
        Assert.NotEqual(first.Tokens["access_token"], second.Tokens["access_token"]);
        Assert.Equal("Success", token.Status);
    }
}
