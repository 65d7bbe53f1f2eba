using System.Text.Json;
using AccelSim.Hardware;
using AccelSim.Reports;
using AccelSim.Statistics;
using AccelSim.Tracing;

namespace AccelSim.Tests.Tracing;

/// <summary>The trace and the report tell the same story: per layer, the compute slices add up to the report's compute
/// cycles and the stall slices, by cause, to its stall cycles; layers sit end to end in network time.</summary>
public sealed class TraceConsistencyTests : TraceTestBase
{
    [TestCase("Configs/tiny.yaml", "Workloads/tiny.yaml")]
    [TestCase("Configs/tiny.yaml", "Workloads/resnet_block.yaml")]
    [TestCase("Configs/default.yaml", "Workloads/vgg16.yaml")]
    [TestCase("Configs/unified_buffer.yaml", "Workloads/resnet_block.yaml")]
    [TestCase("Configs/eyeriss_rs.yaml", "Workloads/resnet_block.yaml")]
    public void PerLayerSlices_AddUpToTheReportsComputeAndStallCycles(string config, string workload)
    {
        string path = Path.Combine(Work, "trace.json");
        RunResult result = RunTraced(config, workload, TraceFilter.All, TraceFormats.DefaultMaxBytes, path);

        // Read back with a plain JSON parser, not the tools' reader, so the check does not share its code.
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var events = document.RootElement.GetProperty("traceEvents").EnumerateArray().ToList();
        var threadNames = events.Where(e => e.GetProperty("ph").GetString() == "M" && e.GetProperty("name").GetString() == "thread_name")
            .ToDictionary(e => e.GetProperty("tid").GetInt64(), e => e.GetProperty("args").GetProperty("name").GetString()!);
        var slices = events.Where(e => e.GetProperty("ph").GetString() == "X")
            .Select(e => (Track: threadNames[e.GetProperty("tid").GetInt64()], Name: e.GetProperty("name").GetString()!, Category: e.GetProperty("cat").GetString()!,
                Start: e.GetProperty("ts").GetInt64(), Duration: e.GetProperty("dur").GetInt64()))
            .ToList();
        var layers = slices.Where(s => s.Category == "layer").OrderBy(s => s.Start).ToList();

        Assert.That(layers.Select(l => l.Name), Is.EqualTo(result.Layers.Select(l => l.Name)));
        long start = 0;
        foreach (var (layer, report) in layers.Zip(result.Layers))
        {
            var inside = slices.Where(s => s.Category != "layer" && s.Start >= layer.Start && s.Start < layer.Start + layer.Duration).ToList();
            var stalls = inside.Where(s => s.Category == "stall").GroupBy(s => s.Name).ToDictionary(g => g.Key, g => g.Sum(s => s.Duration));
            Assert.Multiple(() =>
            {
                Assert.That(layer.Start, Is.EqualTo(start), $"{layer.Name} starts where the earlier layers end");
                Assert.That(layer.Duration, Is.EqualTo(report.TotalCycles), layer.Name);
                Assert.That(inside.Where(s => s.Category == "compute").Sum(s => s.Duration), Is.EqualTo(report.ComputeCycles), $"{layer.Name} compute");
                foreach (StallCause cause in Enum.GetValues<StallCause>())
                {
                    Assert.That(stalls.GetValueOrDefault(StallCauses.Name(cause)), Is.EqualTo(report.StallCyclesByCause[cause]), $"{layer.Name} {cause}");
                }

                Assert.That(inside.All(s => s.Start + s.Duration <= layer.Start + layer.Duration), Is.True, $"{layer.Name}: every slice ends within its layer");
            });
            start += report.TotalCycles;
        }
    }

    [Test]
    public void Summarize_StallsByCause_EqualTheReportTotals()
    {
        string path = Path.Combine(Work, "trace.json");
        RunResult result = RunTraced("Configs/tiny.yaml", "Workloads/tiny.yaml", TraceFilter.All, TraceFormats.DefaultMaxBytes, path);

        TraceSummary summary = TraceSummary.Of(TraceFile.Read(path));

        Assert.Multiple(() =>
        {
            Assert.That(summary.SpanCycles, Is.EqualTo(result.TotalCycles));
            foreach (StallCause cause in Enum.GetValues<StallCause>())
            {
                long expected = result.Layers.Sum(l => l.StallCyclesByCause[cause]);
                Assert.That(summary.StallCyclesByCause.GetValueOrDefault(StallCauses.Name(cause)), Is.EqualTo(expected), cause.ToString());
            }

            Assert.That(summary.Layers.Select(l => l.ComputeCycles), Is.EqualTo(result.Layers.Select(l => l.ComputeCycles)));
            // The DRAM channel is busy exactly the beats of its transfers: bytes / 4 per cycle, rounded up per transfer,
            // so at least (read + written bytes) / 4 cycles.
            long dramBusy = summary.Components.Single(c => c.Track == "dram").BusyCycles;
            Assert.That(dramBusy, Is.GreaterThanOrEqualTo((result.Layers.Sum(l => l.DramReadBytes + l.DramWriteBytes) + 3) / 4));
        });
    }

    [Test]
    public void Tracing_DoesNotChangeTheResults()
    {
        string path = Path.Combine(Work, "trace.json");
        RunResult traced = RunTraced("Configs/tiny.yaml", "Workloads/resnet_block.yaml", TraceFilter.All, TraceFormats.DefaultMaxBytes, path);
        var config = AccelSim.Configuration.ConfigLoader.LoadAcceleratorWithEnergy(Shipped("Configs/tiny.yaml"), []);
        var network = AccelSim.Configuration.ConfigLoader.LoadWorkload(Shipped("Workloads/resnet_block.yaml"));
        RunResult plain = AccelSim.Execution.NetworkRunner.Run(config.Hardware, config.Energy, network, new AccelSim.Execution.RunOptions(Numerics: false, Threads: 2));

        static string Json(RunResult r)
        {
            var text = new StringWriter();
            new JsonReportWriter().Write(r, text);
            return text.ToString();
        }

        Assert.That(Json(traced), Is.EqualTo(Json(plain)));
    }
}
