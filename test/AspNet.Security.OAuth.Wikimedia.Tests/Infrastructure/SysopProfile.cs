using AspNet.Security.OAuth.Wikimedia.Testing;

namespace AspNet.Security.OAuth.Wikimedia.Tests.Infrastructure;

/// <summary>The largest profile the cookie must carry, for the cookie-size tests of every project that links this file.</summary>
internal static class SysopProfile
{
    /// <summary>An administrator as Wikimedia describes one: 150 rights, 10 groups, a long name.</summary>
    public static EmulatorUser Create()
    {
        var user = new EmulatorUser { Id = "98765432", Username = "Administrator With A Rather Long User Name (WMF)", EditCount = 250_000, Email = "sysop@example.org", ConfirmedEmail = true };
        foreach (var group in new[] { "sysop", "bureaucrat", "checkuser", "oversight", "interface-admin", "bot", "rollbacker" })
        {
            user.Groups.Add(group);
        }

        // Names as varied as MediaWiki's own (apihighlimits, deletedhistory, editinterface, ...), so that they
        // compress no better than real ones do.
        var names = new Random(150);
        while (user.Rights.Count < 150)
        {
            user.Rights.Add(new string(Enumerable.Range(0, names.Next(6, 22)).Select(_ => (char)('a' + names.Next(26))).ToArray()));
        }

        return user;
    }
}
