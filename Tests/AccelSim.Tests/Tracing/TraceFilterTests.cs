using AccelSim.Hardware;
using AccelSim.Reports;
using AccelSim.Tracing;

namespace AccelSim.Tests.Tracing;

/// <summary>Filters keep what they name, in network time, and nothing else.</summary>
public sealed class TraceFilterTests : TraceTestBase
{
    // Configs/tiny.yaml on Workloads/tiny.yaml: c1 takes 343 cycles, p1 236, fc 129 (pinned by the consistency test's
    // report; here only the report's own numbers are used).
    private const string Config = "Configs/tiny.yaml";
    private const string Workload = "Workloads/tiny.yaml";

    [Test]
    public void LayerFilter_KeepsOnlyThatLayer_AtItsNetworkStart()
    {
        string path = Path.Combine(Work, "t.json");
        RunResult result = RunTraced(Config, Workload, new TraceFilter { Layers = ["p1"] }, TraceFormats.DefaultMaxBytes, path);

        TraceDocument trace = TraceFile.Read(path);
        long p1Start = result.Layers[0].TotalCycles;
        long p1End = p1Start + result.Layers[1].TotalCycles;
        Assert.Multiple(() =>
        {
            Assert.That(trace.Layers.Select(l => (l.Name, l.StartCycle, l.DurationCycles)), Is.EqualTo(new[] { ("p1", p1Start, result.Layers[1].TotalCycles) }));
            Assert.That(trace.Slices.All(s => s.StartCycle >= p1Start && s.EndCycle <= p1End), Is.True);
            Assert.That(trace.Slices.Where(s => s.Category == TraceCategory.Compute).Sum(s => s.DurationCycles), Is.EqualTo(result.Layers[1].ComputeCycles));
            Assert.That(trace.Slices.Select(s => s.Track).Distinct(), Does.Not.Contain("pe_array"), "a pooling layer runs on the vector unit");
        });
    }

    [Test]
    public void ComponentFilter_KeepsThoseComponents_AndTheLayerSlices()
    {
        string path = Path.Combine(Work, "t.json");
        RunTraced(Config, Workload, new TraceFilter { Components = ["dram"] }, TraceFormats.DefaultMaxBytes, path);

        TraceDocument trace = TraceFile.Read(path);
        Assert.Multiple(() =>
        {
            Assert.That(trace.Slices.Select(s => s.Track).Distinct(), Is.EquivalentTo(new[] { "layers", "dram" }));
            Assert.That(trace.Counters.Select(c => c.Track).Distinct(), Is.EqualTo(new[] { TraceNames.DramBandwidth }));
        });
    }

    [Test]
    public void CycleWindow_KeepsSlicesOverlappingIt_AndCountersInsideIt()
    {
        string full = Path.Combine(Work, "full.json");
        string windowed = Path.Combine(Work, "w.json");
        RunTraced(Config, Workload, TraceFilter.All, TraceFormats.DefaultMaxBytes, full);
        RunTraced(Config, Workload, new TraceFilter { FromCycle = 300, ToCycle = 400 }, TraceFormats.DefaultMaxBytes, windowed);

        TraceDocument all = TraceFile.Read(full);
        TraceDocument window = TraceFile.Read(windowed);
        Assert.Multiple(() =>
        {
            Assert.That(window.Slices, Is.EquivalentTo(all.Slices.Where(s => s.EndCycle > 300 && s.StartCycle < 400)));
            Assert.That(window.Counters.Where(c => c.Cycle > 300), Is.EquivalentTo(all.Counters.Where(c => c.Cycle is > 300 and < 400)));
            // At 300 each counter (of the layer running then, c1) starts at the value it last took before it.
            foreach (var track in window.Counters.Where(c => c.Cycle == 300).GroupBy(c => c.Track))
            {
                Assert.That(track.Last().Value, Is.EqualTo(all.Counters.Last(c => c.Track == track.Key && c.Cycle <= 300).Value), track.Key);
            }

            Assert.That(window.Counters.Where(c => c.Cycle == 300).Select(c => c.Track).Distinct(),
                Is.EquivalentTo(all.Counters.Where(c => c.Cycle <= 300).Select(c => c.Track).Distinct()));
            Assert.That(window.Slices, Is.Not.Empty);
            Assert.That(window.Slices.Length, Is.LessThan(all.Slices.Length));
        });
    }

    [Test]
    public void AddressTrace_HasOneAddressPerSramWordTheHardwareCounts()
    {
        string path = Path.Combine(Work, "t.csv");
        RunResult result = RunTraced(Config, Workload, TraceFilter.All, TraceFormats.DefaultMaxBytes, path);
        var accelerator = AccelSim.Configuration.ConfigLoader.LoadAccelerator(Shipped(Config), []);
        var network = AccelSim.Configuration.ConfigLoader.LoadWorkload(Shipped(Workload));
        var activity = network.Layers.Select(l => AccelSim.Execution.LayerSimulator.Run(l, network.Batch, accelerator).Activity).ToList();

        var rows = Lines(path).Select(l => l.Split(',')).ToList();
        long Addresses(string port) => rows.Where(r => r[1] == port).Sum(r => (long)(r.Length - 2));
        Assert.Multiple(() =>
        {
            Assert.That(Addresses("ifmap.sram_read"), Is.EqualTo(activity.Sum(a => a.Of(ComputeEngine.IfmapReadWords, ComponentId.Ifmap))));
            Assert.That(Addresses("weights.sram_read"), Is.EqualTo(activity.Sum(a => a.Of(ComputeEngine.WeightReadWords))));
            Assert.That(Addresses("ofmap.sram_write"), Is.EqualTo(activity.Sum(a => a.Of(OutputBuffer.WriteWords, ComponentId.Ofmap))));
            Assert.That(rows.Select(r => long.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture)), Is.All.InRange(0, result.TotalCycles - 1));
            Assert.That(rows.Select(r => r[1]).Distinct(), Is.EquivalentTo(new[] { "dram.read", "dram.write", "ifmap.sram_read", "weights.sram_read", "ofmap.sram_write" }));
        });
    }
}
