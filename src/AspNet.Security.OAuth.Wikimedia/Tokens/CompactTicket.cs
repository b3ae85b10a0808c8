using System.Buffers;
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
    /// <summary>The largest ticket decompressed: a session is a few KB; anything larger is not one of ours.</summary>
    public const int MaxTicketBytes = 256 * 1024;

    // Quality 1 and a 64 KB window: a ticket is a few KB, and this runs on every authenticated request, where the
    // decoder's set-up dominates. With the stream API and its default 4 MB window, decoding cost about 6 µs a request
    // (docs/benchmarks.md); the span API with this window costs a fraction of that.
    private const int Quality = 1;
    private const int Window = 16;

    public static byte[] Compress(AuthenticationTicket ticket)
    {
        var serialized = TicketSerializer.Default.Serialize(ticket);
        var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(serialized.Length)];
        if (!BrotliEncoder.TryCompress(serialized, buffer, out var written, Quality, Window))
        {
            throw new InvalidOperationException("A ticket could not be compressed.");
        }

        return buffer.AsSpan(0, written).ToArray();
    }

    /// <summary>
    /// The ticket; null when it would inflate beyond <see cref="MaxTicketBytes"/> (defence in depth: the input was
    /// authenticated before) or is not Brotli; or an exception of the kinds <see cref="IsUnreadable"/> names.
    /// </summary>
    public static AuthenticationTicket? Decompress(byte[] compressed)
    {
        // Most tickets fit 16 KB; the buffer grows (up to the cap) only for larger ones.
        for (var size = 16 * 1024; size <= MaxTicketBytes; size *= 4)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                using var decoder = new BrotliDecoder();
                var status = decoder.Decompress(compressed, buffer.AsSpan(0, size), out var consumed, out var written);
                if (status == OperationStatus.Done && consumed == compressed.Length)
                {
                    return TicketSerializer.Default.Deserialize(buffer.AsSpan(0, written).ToArray());
                }

                if (status != OperationStatus.DestinationTooSmall)
                {
                    return null;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="exception"/> says the input was damaged (truncated, tampered, foreign), not that something failed.</summary>
    public static bool IsUnreadable(Exception exception)
        => exception is FormatException or System.Security.Cryptography.CryptographicException or InvalidDataException or EndOfStreamException or IOException;
}
