using System.Globalization;
using Microsoft.AspNetCore.Authentication;

namespace AspNet.Security.OAuth.Wikimedia.Tokens;

/// <summary>
/// The refresh bookkeeping of one Wikimedia session, kept as one compact item of its <see cref="AuthenticationProperties"/>:
/// <c>{next check}|{tokens issued at}|{generation}|{session id}|{scheme}</c> (times in Unix milliseconds).
/// </summary>
/// <remarks>
/// The refresh check runs on every authenticated request, so the common answer ("not due") needs one lookup and one
/// integer parse (<see cref="TryReadNextCheck"/>); the rest is parsed only when something is to be done.
/// </remarks>
/// <param name="NextCheck">When to look at the tokens next; <see cref="Never"/> once the server refused refresh for good.</param>
/// <param name="IssuedAt">When the current tokens were issued (sign-in or last refresh).</param>
/// <param name="Generation">How many times the session's tokens were rotated: 0 at sign-in. A cookie with a lower
/// generation than one this process has seen for the same session carries spent tokens.</param>
/// <param name="SessionId">A random id given at sign-in; it names the session to the rotation ledger, never a token.</param>
/// <param name="Scheme">The Wikimedia scheme that signed the session in.</param>
internal readonly record struct SessionState(DateTimeOffset NextCheck, DateTimeOffset IssuedAt, int Generation, string SessionId, string Scheme)
{
    /// <summary>The item's key; its presence marks a refreshable session.</summary>
    public const string Item = ".wikimedia";

    /// <summary>The next-check time of a session whose refresh the server refused for good.</summary>
    public static readonly DateTimeOffset Never = DateTimeOffset.MaxValue;

    private static readonly long NeverMilliseconds = Never.ToUnixTimeMilliseconds();

    /// <summary>The hot path: only the next-check time, without allocating.</summary>
    public static bool TryReadNextCheck(AuthenticationProperties properties, out DateTimeOffset nextCheck)
    {
        nextCheck = default;
        if (!properties.Items.TryGetValue(Item, out var state) || state is null)
        {
            return false;
        }

        var separator = state.IndexOf('|', StringComparison.Ordinal);
        if (separator <= 0 || !TryParseTime(state.AsSpan(0, separator), out nextCheck))
        {
            return false;
        }

        return true;
    }

    /// <summary>The generation and session id, without allocating, for the rotation ledger's per-request look-up.</summary>
    public static bool TryReadIdentity(AuthenticationProperties properties, out int generation, out ReadOnlySpan<char> sessionId)
    {
        generation = 0;
        sessionId = default;
        if (!properties.Items.TryGetValue(Item, out var state) || state is null)
        {
            return false;
        }

        var rest = state.AsSpan();
        for (var skip = 0; skip < 2; skip++)
        {
            var separator = rest.IndexOf('|');
            if (separator < 0)
            {
                return false;
            }

            rest = rest[(separator + 1)..];
        }

        var end = rest.IndexOf('|');
        if (end <= 0 || !int.TryParse(rest[..end], NumberStyles.None, CultureInfo.InvariantCulture, out generation))
        {
            return false;
        }

        rest = rest[(end + 1)..];
        end = rest.IndexOf('|');
        if (end <= 0)
        {
            return false;
        }

        sessionId = rest[..end];
        return true;
    }

    public static bool TryRead(AuthenticationProperties properties, out SessionState state)
    {
        state = default;
        if (!properties.Items.TryGetValue(Item, out var value) || value is null)
        {
            return false;
        }

        var parts = value.Split('|', 5);
        if (parts.Length != 5 ||
            !TryParseTime(parts[0], out var nextCheck) ||
            !TryParseTime(parts[1], out var issuedAt) ||
            !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var generation) ||
            parts[3].Length == 0 || parts[4].Length == 0)
        {
            return false;
        }

        state = new SessionState(nextCheck, issuedAt, generation, parts[3], parts[4]);
        return true;
    }

    public void WriteTo(AuthenticationProperties properties)
        => properties.Items[Item] = string.Join('|',
            NextCheck.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            IssuedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            Generation.ToString(CultureInfo.InvariantCulture),
            SessionId,
            Scheme);

    private static bool TryParseTime(ReadOnlySpan<char> text, out DateTimeOffset time)
    {
        time = default;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
        {
            return false;
        }

        time = milliseconds >= NeverMilliseconds ? Never : DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        return true;
    }
}
