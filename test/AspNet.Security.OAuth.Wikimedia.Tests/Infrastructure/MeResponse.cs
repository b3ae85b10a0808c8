using System.Net.Http.Json;
using System.Security.Claims;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;

/// <summary>What the test app's <c>/me</c> route returns.</summary>
public sealed record MeResponse(List<MeResponse.ClaimDto> Claims, Dictionary<string, string> Tokens)
{
    public static async Task<MeResponse> ReadAsync(HttpResponseMessage response)
    {
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/me", response.RequestMessage!.RequestUri!.AbsolutePath);
        return (await response.Content.ReadFromJsonAsync<MeResponse>())!;
    }

    public string? Value(string type) => Claims.SingleOrDefault(c => c.Type == type)?.Value;

    public string[] Values(string type) => Claims.Where(c => c.Type == type).Select(c => c.Value).ToArray();

    public string? Name => Value(ClaimTypes.Name);

    public sealed record ClaimDto(string Type, string Value, string ValueType);
}
