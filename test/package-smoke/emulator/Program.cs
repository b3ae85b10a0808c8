// The stand-in for Wikimedia in the package smoke test (test/package-smoke/run.sh): the packed emulator package,
// started on a free loopback port. Every authorization is approved at once as "Example User", so that curl can sign
// in without a consent page. Prints its authority for the script; stops when killed, or after ten minutes at most.
using AspNet.Security.OAuth.Wikimedia.Testing;

using var wikimedia = WikimediaEmulator.Start(options => options.AutoApproveAs = "Example User");
Console.WriteLine($"authority={wikimedia.Authority}");
Console.WriteLine($"public-client-id={WikimediaEmulatorOptions.DefaultPublicClientId}");
await Task.Delay(TimeSpan.FromMinutes(10));
