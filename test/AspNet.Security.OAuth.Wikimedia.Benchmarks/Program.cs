using AspNet.Security.OAuth.Wikimedia.Benchmarks;
using BenchmarkDotNet.Running;

// `--paired`: the interleaved ratio measurement (see PairedRunner); `--paired-refresh`: the Redis refresh coordinator
// against the in-process one (see PairedRefreshRunner); anything else goes to BenchmarkDotNet.
if (args is ["--paired", ..])
{
    await PairedRunner.RunAsync();
}
else if (args is ["--paired-refresh", ..])
{
    await PairedRefreshRunner.RunAsync();
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
