using System.Net;
using System.Text;

namespace AspNet.Security.OAuth.Wikimedia.Testing.Internal;

/// <summary>
/// The emulator's stand-in for Special:UserLogin and Special:OAuth/approve in one small page: pick a user,
/// then Allow or Cancel. The request's parameters travel in hidden fields and are checked again on submit.
/// </summary>
internal static class ConsentPage
{
    public static string Render(EmulatorClient client, string[] scopes, IEnumerable<EmulatorUser> users, IReadOnlyDictionary<string, string> query)
    {
        static string E(string? value) => WebUtility.HtmlEncode(value ?? "");

        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Authorize application - Wikimedia emulator</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>
            body{font-family:sans-serif;background:#f8f9fa;margin:0;padding:2rem;color:#202122}
            main{max-width:34rem;margin:auto;background:#fff;border:1px solid #a2a9b1;border-radius:2px;padding:1.5rem 2rem}
            h1{font-family:Georgia,serif;font-weight:normal;border-bottom:1px solid #a2a9b1;padding-bottom:.3rem}
            .banner{background:#fef6e7;border:1px solid #fc3;padding:.5rem;margin-bottom:1rem;font-size:.9rem}
            label{display:block;padding:.3rem 0} button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem;border-radius:2px;cursor:pointer}
            #allow{background:#36c;color:#fff;border:1px solid #36c} #cancel{background:#f8f9fa;border:1px solid #a2a9b1}
            </style></head><body><main>
            <div class="banner">This is the <strong>Wikimedia emulator</strong>, not the real Wikimedia. No password is needed.</div>
            """);
        html.Append("<h1>").Append(E(client.Name)).Append(" would like to access your account</h1>");
        html.Append("<p>Requested grants: <span id=\"grants\">").Append(E(string.Join(", ", scopes))).Append("</span></p>");
        html.Append("<form method=\"post\" action=\"").Append(AuthorizeEndpoint.DecisionPath).Append("\"><fieldset><legend>Sign in as</legend>");
        var first = true;
        foreach (var user in users)
        {
            html.Append("<label><input type=\"radio\" name=\"user\" value=\"").Append(E(user.Username)).Append('"')
                .Append(first ? " checked" : "").Append("> ").Append(E(user.Username)).Append("</label>");
            first = false;
        }

        html.Append("</fieldset>");
        foreach (var (name, value) in query)
        {
            html.Append("<input type=\"hidden\" name=\"").Append(E(name)).Append("\" value=\"").Append(E(value)).Append("\">");
        }

        html.Append("<p><button id=\"allow\" type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>");
        html.Append("<button id=\"cancel\" type=\"submit\" name=\"decision\" value=\"cancel\">Cancel</button></p>");
        html.Append("</form></main></body></html>");
        return html.ToString();
    }
}
