using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;
using AccelSim.Configuration;
using AccelSim.Energy;
using AccelSim.Execution;
using AccelSim.Reports;
using AccelSim.Statistics;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Reports;

/// <summary>The HTML report: one page and its figures, self-contained, the same bytes for the same run.</summary>
public sealed partial class HtmlReportTests
{
    internal static readonly ReportContext Context = new()
    {
        Command = "accelsim run -c Configs/tiny.yaml -w Workloads/resnet_block.yaml --report out",
        Ceilings = new RooflineCeilings(16, 4, [("ifmap", 16), ("weights", 16), ("ofmap", 16)]),
        Configuration = [("accelerator", "tiny")],
    };

    internal static RunResult Shipped(bool numerics)
    {
        var accelerator = ConfigLoader.LoadAcceleratorWithEnergy(Path.Combine(RepoPaths.Configs, "tiny.yaml"));
        var network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "resnet_block.yaml"));
        return NetworkRunner.Run(accelerator.Hardware, accelerator.Energy, network, new RunOptions(Numerics: numerics, Threads: 1));
    }

    [GeneratedRegex("(?:src|href)=\"([^\"]*)\"")]
    private static partial Regex References();

    [Test]
    public void Page_ShowsEveryFigureByARelativeName_AndNothingFromElsewhere()
    {
        var files = HtmlReport.Render(Shipped(numerics: true), Context);
        string page = Encoding.UTF8.GetString(files.Single(f => f.Name == HtmlReport.PageName).Bytes.AsSpan());
        string[] references = [.. References().Matches(page).Select(m => m.Groups[1].Value)];
        string[] figures = ["cycles", "roofline", "energy_layers", "energy_actions", "sqnr"];

        Assert.Multiple(() =>
        {
            Assert.That(files.Select(f => f.Name), Is.EqualTo(figures.SelectMany(f => new[] { f + ".png", f + ".svg" }).Append(HtmlReport.PageName)));
            Assert.That(references, Is.EquivalentTo(figures.SelectMany(f => new[] { f + ".png", f + ".svg" })));
            Assert.That(page, Does.Not.Contain("://").And.Not.Contain("@import").And.Not.Contain("url("), "no network, no external font or style");
            Assert.That(page, Does.Contain(System.Net.WebUtility.HtmlEncode(Context.Command)));
            // PNG files start with the 8-byte PNG signature; SVG files are XML with an svg root.
            foreach (ReportFile file in files.Where(f => f.Name.EndsWith(".png", StringComparison.Ordinal)))
            {
                Assert.That(file.Bytes.Take(8), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), file.Name);
            }

            foreach (ReportFile file in files.Where(f => f.Name.EndsWith(".svg", StringComparison.Ordinal)))
            {
                Assert.That(Encoding.UTF8.GetString(file.Bytes.AsSpan()), Does.Contain("<svg"), file.Name);
            }
        });
    }

    [Test]
    public void SameRun_GivesTheSameBytes_AndTimingOnlyHasNoSqnrFigure()
    {
        RunResult result = Shipped(numerics: false);
        var first = HtmlReport.Render(result, Context);
        var second = HtmlReport.Render(result, Context);

        Assert.Multiple(() =>
        {
            Assert.That(second.Select(f => f.Name), Is.EqualTo(first.Select(f => f.Name)));
            for (int i = 0; i < first.Length; i++)
            {
                Assert.That(second[i].Bytes.SequenceEqual(first[i].Bytes), Is.True, first[i].Name);
            }

            Assert.That(first.Select(f => f.Name), Has.None.StartsWith("sqnr"));
        });
    }

    [Test]
    public void Roofline_PlacesALayerByMacsPerDramByteAndMacsPerCycle()
    {
        // 6,400 MACs over 100 + 300 = 400 DRAM bytes = 16 MACs per byte; over 800 cycles = 8 MACs per cycle. The pooling
        // layer has no MACs and is not placed.
        LayerResult Layer(string name, string type, long macs) => new()
        {
            Name = name, Type = type, Macs = macs, TotalCycles = 800, ComputeCycles = 800,
            StallCyclesByCause = ImmutableSortedDictionary<StallCause, long>.Empty, OverallUtilization = 0.5, DramReadBytes = 100,
            DramWriteBytes = 300, Energy = EnergyBreakdown.Empty, Numerics = null, Mapping = "", Events = 0,
        };
        var result = new RunResult
        {
            ConfigName = "c", WorkloadName = "w", Batch = 1, PeCount = 16, ClockMegahertz = 1000, Agreement = null,
            Layers = [Layer("c", "conv", 6400), Layer("p", "max_pool", 0)],
        };

        Assert.That(ReportFigures.Roofline(result), Is.EqualTo(new[] { ("c", "conv", 16.0, 8.0) }));
    }
}
