using System.IO.Compression;
using Microsoft.AspNetCore.Authentication;

namespace AspNet.Security.OAuth.Wikimedia.Tokens;

/// <summary>
/// A ticket serialized by <see cref="TicketSerializer"/> and Brotli-compressed: how Wikimedia sessions are kept, in
/// the cookie (<see cref="WikimediaSessionTicketFormat"/>) and in the server-side store (Sessions/DistributedSessionStore.cs).
/// </summary>
/// <remarks>
/// Tokens (about 1.7 KB) and the profile's claims (a role claim per group, each repeating its 59-character claim
/// type) compress to about half. Compression happens before encryption; docs/security.md says why that leaks nothing here.
/// </remarks>
internal static class CompactTicket
{
    public static byte[] Compress(AuthenticationTicket ticket)
    {
        using var compressed = new MemoryStream();
        using (var brotli = new BrotliStream(compressed, CompressionLevel.Fastest))
        {
            brotli.Write(TicketSerializer.Default.Serialize(ticket));
        }

        return compressed.ToArray();
    }

    /// <summary>The largest ticket decompressed: a session is a few KB; anything larger is not one of ours.</summary>
    public const int MaxTicketBytes = 256 * 1024;

    /// <summary>
    /// The ticket; null when it would inflate beyond <see cref="MaxTicketBytes"/> (defence in depth: the input was
    /// authenticated before); or an exception of the kinds <see cref="IsUnreadable"/> names for damaged input.
    /// </summary>
    public static AuthenticationTicket? Decompress(byte[] compressed)
    {
        using var brotli = new BrotliStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var serialized = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = brotli.Read(buffer)) > 0)
        {
            if (serialized.Length + read > MaxTicketBytes)
            {
                return null;
            }

            serialized.Write(buffer, 0, read);
        }

        return TicketSerializer.Default.Deserialize(serialized.ToArray());
    }

    /// <summary>Whether <paramref name="exception"/> says the input was damaged (truncated, tampered, foreign), not that something failed.</summary>
    public static bool IsUnreadable(Exception exception)
        => exception is FormatException or System.Security.Cryptography.CryptographicException or InvalidDataException or EndOfStreamException or IOException;
}
