using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace AspNet.Security.OAuth.Wikimedia.StackExchangeRedis;

/// <summary>
/// A refresh result as it is shared through Redis: JSON, encrypted with Data Protection under a purpose of its own
/// and the session key, so that a value copied under another key does not decrypt.
/// </summary>
internal sealed class RefreshResultCodec(IDataProtectionProvider dataProtection)
{
    public const string Purpose = "AspNet.Security.OAuth.Wikimedia.StackExchangeRedis.RefreshResult.v2";

    private readonly IDataProtector _protector = dataProtection.CreateProtector(Purpose);

    public byte[] Protect(string sessionKey, WikimediaTokenResult result)
        => _protector.CreateProtector(sessionKey).Protect(JsonSerializer.SerializeToUtf8Bytes(Shared.From(result), SharedJson.Default.Shared));

    /// <summary>The result, or null when the value does not decrypt (tampered with, or encrypted with keys this instance lacks).</summary>
    public WikimediaTokenResult? Unprotect(string sessionKey, byte[] value)
    {
        try
        {
            return JsonSerializer.Deserialize(_protector.CreateProtector(sessionKey).Unprotect(value), SharedJson.Default.Shared)?.ToResult();
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or JsonException)
        {
            return null;
        }
    }

    /// <summary>What is shared: every member of the result but <see cref="WikimediaTokenResult.Adopted"/>, which is
    /// true for whoever reads it.</summary>
    internal sealed record Shared(
        WikimediaTokenStatus Status, string? AccessToken, string? RefreshToken, string? TokenType, DateTimeOffset? ExpiresAt, DateTimeOffset IssuedAt,
        string? Error, int? StatusCode, string? Message)
    {
        public static Shared From(WikimediaTokenResult r)
            => new(r.Status, r.AccessToken, r.RefreshToken, r.TokenType, r.ExpiresAt, r.IssuedAt, r.Error, r.StatusCode, r.Message);

        public WikimediaTokenResult ToResult() => new()
        {
            Status = Status,
            Adopted = true,
            AccessToken = AccessToken,
            RefreshToken = RefreshToken,
            TokenType = TokenType,
            ExpiresAt = ExpiresAt,
            IssuedAt = IssuedAt,
            Error = Error,
            StatusCode = StatusCode,
            Message = Message,
        };
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(RefreshResultCodec.Shared))]
internal sealed partial class SharedJson : System.Text.Json.Serialization.JsonSerializerContext;
