using AspNet.Security.OAuth.Wikimedia.Benchmarks;
using BenchmarkDotNet.Running;

// `--paired`: the interleaved ratio measurement (see PairedRunner); `--paired-refresh`: the Redis refresh coordinator
// against the in-process one (see PairedRefreshRunner); `--paired-stock [--quick]`: side by side with Microsoft's
// OAuthHandler (SideBySide/StockSideBySideRunner); anything else goes to BenchmarkDotNet.
if (args is ["--paired", ..])
{
    await PairedRunner.RunAsync();
}
else if (args is ["--paired-refresh", ..])
{
    await PairedRefreshRunner.RunAsync();
}
else if (args is ["--paired-stock", ..])
{
    await AspNet.Security.OAuth.Wikimedia.Benchmarks.SideBySide.StockSideBySideRunner.RunAsync(args);
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
