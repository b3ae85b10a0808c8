using AspNet.Security.OAuth.Wikimedia.Benchmarks;
using BenchmarkDotNet.Running;

// `--paired`: the interleaved ratio measurement (see PairedRunner); `--paired-stock [--quick]`: side by side with
// Microsoft's OAuthHandler (SideBySide/StockSideBySideRunner); anything else goes to BenchmarkDotNet.
if (args is ["--paired", ..])
{
    await PairedRunner.RunAsync();
}
else if (args is ["--paired-stock", ..])
{
    await AspNet.Security.OAuth.Wikimedia.Benchmarks.SideBySide.StockSideBySideRunner.RunAsync(args);
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
