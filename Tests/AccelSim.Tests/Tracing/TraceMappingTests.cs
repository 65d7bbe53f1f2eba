using System.Text.Json;
using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Reports;
using AccelSim.Tracing;
using AccelSim.Workloads;

namespace AccelSim.Tests.Tracing;

/// <summary>Each PE-array step in a trace names the mapping point its layer ran and its coordinates in that mapping's
/// loop nest.</summary>
public sealed class TraceMappingTests : TraceTestBase
{
    [TestCase("Configs/tiny.yaml", "Workloads/tiny.yaml", "", "group column_fold pixel_band row_fold channel_chunk")]
    [TestCase("Configs/tiny.yaml", "Workloads/resnet_block.yaml", "pe_array.dataflow=weight_stationary", "group column_fold pass k_fold piece")]
    [TestCase("Configs/tiny.yaml", "Workloads/resnet_block.yaml", "pe_array.dataflow=input_stationary", "group column_fold pass k_fold piece")]
    [TestCase("Configs/eyeriss_rs.yaml", "Workloads/resnet_block.yaml", "mapper.search=exhaustive",
        "group batch_block strip filter_block filter_row_pass channel_chunk")]
    public void EveryArrayStep_CarriesItsMappingPointAndLoopCoordinates(string config, string workload, string setting, string loops)
    {
        string path = Path.Combine(Work, "trace.json");
        RunResult result = Run(config, workload, setting, path);

        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var events = document.RootElement.GetProperty("traceEvents").EnumerateArray().Where(e => e.GetProperty("ph").GetString() == "X").ToList();
        var layers = events.Where(e => e.GetProperty("cat").GetString() == "layer").ToList();
        var steps = events.Where(e => e.GetProperty("cat").GetString() == "compute" && e.GetProperty("args").TryGetProperty("macs", out _)).ToList();
        Assert.That(steps, Is.Not.Empty);
        foreach (LayerResult report in result.Layers.Where(l => l.Type is "conv" or "fc"))
        {
            JsonElement layer = layers.Single(l => l.GetProperty("name").GetString() == report.Name);
            long from = layer.GetProperty("ts").GetInt64();
            long to = from + layer.GetProperty("dur").GetInt64();
            var mine = steps.Where(s => s.GetProperty("ts").GetInt64() >= from && s.GetProperty("ts").GetInt64() < to)
                .OrderBy(s => s.GetProperty("ts").GetInt64()).Select(s => s.GetProperty("args")).ToList();
            var coordinates = mine.Select(a => Parse(a.GetProperty("loop").GetString()!)).ToList();

            using (Assert.EnterMultipleScope())
            {
                Assert.That(mine, Is.Not.Empty, report.Name);
                Assert.That(mine.Select(a => a.GetProperty("mapping_point").GetString()).Distinct(), Is.EqualTo(new[] { report.MappingPoint }), report.Name);
                Assert.That(coordinates.Select(c => string.Join(' ', c.Select(p => p.Name))).Distinct(), Is.EqualTo(new[] { loops }), report.Name);

                // The coordinates list the loops outermost first, so the steps, run in loop order, have strictly increasing
                // coordinates: each step is its own loop iteration, and a later one is a later iteration.
                Assert.That(coordinates.Zip(coordinates.Skip(1)).All(p => Compare(p.First, p.Second) < 0), report.Name);
                Assert.That(coordinates[0].All(p => p.Index == 0), report.Name);
            }
        }

        if (setting.StartsWith("mapper.", StringComparison.Ordinal))
        {
            // The search moved off the heuristic somewhere, so the test sees a point other than "heuristic" in the trace.
            Assert.That(result.Layers.Select(l => l.MappingPoint), Has.Some.Not.EqualTo("heuristic"));
        }
    }

    private static RunResult Run(string config, string workload, string setting, string path)
    {
        LoadedAccelerator accelerator = ConfigLoader.LoadAcceleratorWithEnergy(Shipped(config), setting.Length == 0 ? [] : [ConfigOverride.Parse(setting)]);
        Network network = ConfigLoader.LoadWorkload(Shipped(workload));
        var metadata = new TraceMetadata(accelerator.Hardware.Name, network.Name, accelerator.Hardware.ClockMegahertz, accelerator.Hardware.Dram.BandwidthBytesPerCycle);
        using var session = new TraceSession([TraceFormats.Open(path, TraceFormat.PerfettoJson, TraceFormats.DefaultMaxBytes, metadata)], TraceFilter.All, recordAccesses: false);
        RunResult result = NetworkRunner.Run(accelerator.Hardware, accelerator.Energy, network, new RunOptions(Numerics: false, Threads: 1, Trace: session));
        session.Complete();
        return result;
    }

    private static List<(string Name, long Index)> Parse(string loop) =>
        [.. loop.Split(' ').Select(pair => pair.Split('=')).Select(p => (p[0], long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)))];

    private static int Compare(List<(string Name, long Index)> a, List<(string Name, long Index)> b) =>
        a.Zip(b).Select(p => p.First.Index.CompareTo(p.Second.Index)).FirstOrDefault(c => c != 0);
}
