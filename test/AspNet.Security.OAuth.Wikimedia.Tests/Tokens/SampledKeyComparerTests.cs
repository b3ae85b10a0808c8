using AspNet.Security.OAuth.Wikimedia.Tokens;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Tokens;

/// <summary>The decoded-ticket cache's key comparer: a sampled hash, but exact equality.</summary>
public class SampledKeyComparerTests
{
    private static readonly WikimediaSessionTicketFormat.SampledKeyComparer Comparer = WikimediaSessionTicketFormat.SampledKeyComparer.Instance;

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(3400)]
    public void Equal_keys_hash_alike_and_keys_that_differ_anywhere_are_not_equal(int length)
    {
        var key = Cookie(length, seed: 1);
        var copy = new string(key.AsSpan());

        Assert.True(Comparer.Equals(key, copy));
        Assert.Equal(Comparer.GetHashCode(key), Comparer.GetHashCode(copy));
        for (var position = 0; position < length; position += 7)
        {
            // Whether or not the hash samples this character, the keys are told apart.
            var changed = key.ToCharArray();
            changed[position] = changed[position] == 'A' ? 'B' : 'A';
            Assert.False(Comparer.Equals(key, new string(changed)));
        }
    }

    [Fact]
    public void Cookies_of_different_sessions_do_not_collide()
    {
        var hashes = Enumerable.Range(0, 1000).Select(seed => Comparer.GetHashCode(Cookie(3400, seed))).ToHashSet();

        Assert.True(hashes.Count >= 999, $"{1000 - hashes.Count} collisions among 1,000 cookies");
    }

    /// <summary>Random base64url text, as protected cookies are.</summary>
    private static string Cookie(int length, int seed)
    {
        var random = new Random(seed);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return string.Create(length, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[r.Next(alphabet.Length)];
            }
        });
    }
}
