using AspNet.Security.OAuth.Wikimedia.Benchmarks;
using BenchmarkDotNet.Running;

// `--paired`: the interleaved ratio measurement (see PairedRunner); anything else goes to BenchmarkDotNet.
if (args is ["--paired", ..])
{
    await PairedRunner.RunAsync();
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
