using System.Security.Claims;
using System.Text;
using System.Text.Json;
using AspNet.Security.OAuth.Wikimedia.ClaimMapping;
using AspNet.Security.OAuth.Wikimedia.Json;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Json;

/// <summary>The typed profile as it is read from Wikimedia's answer (docs/protocol.md section 6), without a server.</summary>
public class WikimediaProfileJsonTests
{
    private const string Full = """
        {"sub":"12345678","username":"Example User","editcount":42,"email_verified":true,"confirmed_email":true,
         "blocked":false,"registered":"20190312084511","groups":["*","user","autoconfirmed"],
         "rights":["read","edit"],"grants":["basic"],"realname":"Ex Ample","email":"example@example.org"}
        """;

    private static WikimediaProfile? Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return WikimediaProfileJson.Read(document.RootElement);
    }

    [Fact]
    public void Every_documented_member_is_read()
    {
        var profile = Read(Full)!;

        Assert.Equal("12345678", profile.Id);
        Assert.Equal("Example User", profile.Username);
        Assert.Equal(42, profile.EditCount);
        Assert.True(profile.ConfirmedEmail);
        Assert.False(profile.Blocked);
        Assert.Equal(new DateTimeOffset(2019, 3, 12, 8, 45, 11, TimeSpan.Zero), profile.Registered);
        Assert.Equal(TimeSpan.Zero, profile.Registered!.Value.Offset);
        Assert.Equal(["user", "autoconfirmed"], profile.Groups);
        Assert.Equal(["read", "edit"], profile.Rights);
        Assert.Equal(["basic"], profile.Grants);
        Assert.Equal("Ex Ample", profile.RealName);
        Assert.Equal("example@example.org", profile.Email);
    }

    [Theory]
    [InlineData("""{"sub":"12345678"}""")]
    [InlineData("""{"sub":12345678}""")]
    public void Sub_is_read_as_a_string_or_as_the_digits_of_a_number(string json)
    {
        Assert.Equal("12345678", Read(json)!.Id);
        Assert.Equal("12345678", WikimediaProfileJson.Read(Encoding.UTF8.GetBytes(json))!.Id);
    }

    [Fact]
    public void Missing_optional_members_are_null_or_empty_lists()
    {
        var profile = Read("""{"sub":"5","blocked":true}""")!;

        Assert.Equal(("5", true), (profile.Id, profile.Blocked));
        Assert.Null(profile.Username);
        Assert.Null(profile.EditCount);
        Assert.Null(profile.ConfirmedEmail);
        Assert.Null(profile.Registered);
        Assert.Null(profile.RealName);
        Assert.Null(profile.Email);
        Assert.Empty(profile.Groups);
        Assert.Empty(profile.Rights);
        Assert.Empty(profile.Grants);
    }

    [Theory]
    [InlineData("""{"sub":"7","username":42,"editcount":"42","confirmed_email":"yes","blocked":1,"registered":20190312,"groups":"user","rights":null,"grants":{"a":[1]},"realname":[],"email":false}""")]
    [InlineData("""{"sub":"7","username":null,"editcount":4.5,"confirmed_email":null,"blocked":[true],"registered":"2019-03-12","groups":[1,null,"",{}],"rights":[["read"]],"grants":7,"realname":{},"email":null}""")]
    [InlineData("""{"sub":"7","editcount":99999999999999999999,"registered":"","groups":{}}""")]
    public void Optional_members_of_the_wrong_type_are_left_out_not_fatal(string json)
    {
        var profile = Read(json)!;

        Assert.Equal("7", profile.Id);
        Assert.Null(profile.Username);
        Assert.Null(profile.EditCount);
        Assert.Null(profile.ConfirmedEmail);
        Assert.Null(profile.Blocked);
        Assert.Null(profile.Registered);
        Assert.Empty(profile.Groups);
        Assert.Empty(profile.Rights);
        Assert.Empty(profile.Grants);
        Assert.Null(profile.RealName);
        Assert.Null(profile.Email);
    }

    [Fact]
    public void Unknown_members_are_ignored_and_list_entries_of_the_wrong_type_left_out()
    {
        var profile = Read("""{"future":{"x":[1,2,{"y":null}]},"sub":"8","groups":["*",3,"user",null,"sysop"],"grants":["basic",false]}""")!;

        Assert.Equal(["user", "sysop"], profile.Groups);
        Assert.Equal(["basic"], profile.Grants);
    }

    [Theory]
    [InlineData("""{"username":"Nobody"}""")]
    [InlineData("""{"sub":null}""")]
    [InlineData("""{"sub":""}""")]
    [InlineData("""{"sub":true}""")]
    [InlineData("""{"sub":[1,2]}""")]
    [InlineData("""{"sub":{"id":1}}""")]
    [InlineData("[]")]
    [InlineData("\"12345678\"")]
    public void A_profile_without_a_usable_sub_is_refused(string json)
    {
        Assert.Null(Read(json));
        var ex = Assert.Throws<JsonException>(() => WikimediaProfileJson.Read(Encoding.UTF8.GetBytes(json)));
        Assert.False(string.IsNullOrEmpty(ex.Message));
    }

    [Fact]
    public void A_json_null_body_is_no_profile()
        => Assert.Null(WikimediaProfileJson.Read("null"u8));

    [Fact]
    public void An_app_serializes_and_reads_back_the_profile_with_its_own_serializer()
    {
        var profile = Read(Full)!;

        var json = JsonSerializer.Serialize(profile, JsonSerializerOptions.Web);
        var back = JsonSerializer.Deserialize<WikimediaProfile>(json, JsonSerializerOptions.Web)!;

        Assert.Contains("\"sub\":\"12345678\"", json, StringComparison.Ordinal);
        Assert.Contains("\"registered\":\"2019-03-12T08:45:11+00:00\"", json, StringComparison.Ordinal);
        Assert.Equal(JsonSerializer.Serialize(profile), JsonSerializer.Serialize(back));
    }

    [Fact]
    public void The_built_in_claim_actions_give_the_same_claims_from_the_json_as_from_the_profile()
    {
        var options = new WikimediaAuthenticationOptions().MapGrantClaims().MapRightClaims();
        using var document = JsonDocument.Parse(Full);
        var typed = new ClaimsIdentity();
        var fromJson = new ClaimsIdentity();

        foreach (var action in options.ClaimActions)
        {
            ((ProfileClaimAction)action).Run(WikimediaProfileJson.Read(document.RootElement)!, typed, "issuer");
            action.Run(document.RootElement, fromJson, "issuer");
        }

        Assert.Equal(Claims(typed), Claims(fromJson));
        Assert.Equal(
            [
                $"{ClaimTypes.NameIdentifier}=12345678", $"{ClaimTypes.Name}=Example User", $"{ClaimTypes.Email}=example@example.org",
                $"{ClaimTypes.Role}=user", $"{ClaimTypes.Role}=autoconfirmed", $"{WikimediaAuthenticationConstants.Claims.EditCount}=42",
                $"{WikimediaAuthenticationConstants.Claims.Registered}=2019-03-12T08:45:11Z", $"{WikimediaAuthenticationConstants.Claims.Blocked}=false",
                $"{WikimediaAuthenticationConstants.Claims.ConfirmedEmail}=true", $"{WikimediaAuthenticationConstants.Claims.Grant}=basic",
                $"{WikimediaAuthenticationConstants.Claims.Right}=read", $"{WikimediaAuthenticationConstants.Claims.Right}=edit",
            ],
            Claims(typed));

        static string[] Claims(ClaimsIdentity identity) => identity.Claims.Select(c => $"{c.Type}={c.Value}").ToArray();
    }
}
