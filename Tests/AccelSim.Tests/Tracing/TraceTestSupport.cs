using System.Collections.Immutable;
using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Reports;
using AccelSim.Tests.Support;
using AccelSim.Tracing;
using AccelSim.Workloads;

namespace AccelSim.Tests.Tracing;

/// <summary>A temporary folder per test, and runs of shipped configs with traces written into it.</summary>
public abstract class TraceTestBase
{
    protected string Work { get; private set; } = "";

    [SetUp]
    public void CreateWorkFolder()
    {
        Work = Path.Combine(Path.GetTempPath(), "accelsim-trace-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Work);
    }

    [TearDown]
    public void DeleteWorkFolder() => Directory.Delete(Work, recursive: true);

    protected static string Shipped(string relative) => Path.Combine(RepoPaths.Root, relative);

    protected static TraceMetadata Metadata { get; } = new("test", "test", 1000, 4);

    /// <summary>Runs the timing of a shipped config and workload with traces into <paramref name="files"/>.</summary>
    protected static RunResult RunTraced(string config, string workload, TraceFilter filter, long maxBytes, params string[] files)
    {
        LoadedAccelerator accelerator = ConfigLoader.LoadAcceleratorWithEnergy(Shipped(config), []);
        Network network = ConfigLoader.LoadWorkload(Shipped(workload));
        var metadata = new TraceMetadata(accelerator.Hardware.Name, network.Name, accelerator.Hardware.ClockMegahertz, accelerator.Hardware.Dram.BandwidthBytesPerCycle);
        var writers = files.Select(f => TraceFormats.Open(f, TraceFormats.FromPath(f)!.Value, maxBytes, metadata)).ToList();
        using var session = new TraceSession(writers, filter, recordAccesses: files.Any(f => f.EndsWith(".csv", StringComparison.Ordinal)));
        RunResult result = NetworkRunner.Run(accelerator.Hardware, accelerator.Energy, network, new RunOptions(Numerics: false, Threads: 1, Trace: session));
        session.Complete();
        return result;
    }

    /// <summary>A layer with the given records, already in network time.</summary>
    protected static LayerTrace Layer(string name, long start, long cycles, TraceSlice[]? slices = null, TraceCounter[]? counters = null,
        TraceAccess[]? accesses = null, TraceFilter? filter = null) =>
        new(name, start, cycles, [.. slices ?? []], [.. counters ?? []], [.. accesses ?? []], filter ?? TraceFilter.All);

    protected static ImmutableArray<string> Lines(string path) => [.. File.ReadAllLines(path)];
}
