using System.Runtime.InteropServices;

namespace AspNet.Security.OAuth.Wikimedia.Benchmarks.SideBySide;

/// <summary>
/// The CPU time the process has used, all threads (GC included), in seconds: <c>clock_gettime(CLOCK_PROCESS_CPUTIME_ID)</c>,
/// nanosecond resolution (Process.TotalProcessorTime reads /proc in 10 ms ticks). Unlike the wall clock it leaves out
/// the time the machine gave to other processes, which on this shared 2-core machine makes a few sign-ins in a
/// hundred take milliseconds.
/// </summary>
internal static class CpuClock
{
    private const int ProcessCpuTime = 2;

    /// <summary>Whether the clock can be read here (Linux); elsewhere the runner falls back to the wall clock.</summary>
    public static bool IsAvailable { get; } = OperatingSystem.IsLinux() && Probe();

    public static double ProcessSeconds()
    {
        if (ClockGetTime(ProcessCpuTime, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed.");
        }

        return time.Seconds + (time.Nanoseconds * 1e-9);
    }

    private static bool Probe()
    {
        try
        {
            return ClockGetTime(ProcessCpuTime, out _) == 0;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ClockGetTime(int clockId, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
