using AccelSim.Sweeps;
using SkiaSharp;

namespace AccelSim.Tests.Sweeps;

public sealed class SweepPlotsTests
{
    private SweepFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = new SweepFolder();

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    private string RunWithPlots(string spec)
    {
        string output = _folder.Output("plots");
        SweepFolder.Run(_folder.Spec(spec), output, SweepFolder.Options() with { Plots = true });
        return Path.Combine(output, SweepRunner.PlotsFolder);
    }

    [Test]
    public void TwoFactorSweep_GetsTheParetoScatter_ALinePlotPerAxis_AndHeatmaps()
    {
        string plots = RunWithPlots(SweepFolder.SmallSpec);

        string[] expected =
        [
            "pareto",
            "line_pe_array.rows__cycles", "line_pe_array.rows__energy_pj",
            "line_buffers.ifmap.capacity_bytes___buffers.weights.capacity_bytes__cycles",
            "line_buffers.ifmap.capacity_bytes___buffers.weights.capacity_bytes__energy_pj",
            "heatmap_cycles", "heatmap_energy_pj",
        ];
        Assert.That(Directory.GetFiles(plots).Select(Path.GetFileName).Order(StringComparer.Ordinal),
            Is.EqualTo(expected.SelectMany(n => new[] { n + ".png", n + ".svg" }).Order(StringComparer.Ordinal)));
    }

    [Test]
    public void Plots_SetTheirTextInTheBundledFont()
    {
        string plots = RunWithPlots(SweepFolder.SmallSpec);

        string svg = File.ReadAllText(Path.Combine(plots, "pareto.svg"));
        using SKBitmap png = SKBitmap.Decode(Path.Combine(plots, "pareto.png"));

        // The title is drawn in the top 30 pixel rows; with text there, some of them are dark.
        int dark = 0;
        for (int y = 0; y < 30; y++)
        {
            for (int x = 0; x < png.Width; x++)
            {
                dark += png.GetPixel(x, y).Red < 100 ? 1 : 0;
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(File.Exists(Path.Combine(AppContext.BaseDirectory, SweepPlots.FontFolder, "DejaVuSans.ttf")), Is.True);
            Assert.That(File.Exists(Path.Combine(AppContext.BaseDirectory, SweepPlots.FontFolder, "DejaVuSans-Bold.ttf")), Is.True);
            Assert.That(File.Exists(Path.Combine(AppContext.BaseDirectory, SweepPlots.FontFolder, "LICENSE.txt")), Is.True);
            Assert.That(svg, Does.Contain("font-family=\"DejaVu Sans\"").And.Not.Contain("DejaVu Serif"));
            Assert.That((png.Width, png.Height), Is.EqualTo((720, 450)));
            Assert.That(dark, Is.GreaterThan(100), "the title's glyphs");
        }
    }

    [Test]
    public void RandomSweep_PlotsEachKeyAgainstItsValues_WithoutAHeatmap()
    {
        string spec = SweepFolder.SmallSpec
            .Replace("  - grid:\n      pe_array.rows: [2, 4, 8, 16]\n", "  - random:\n      samples: 5\n      seed: 9\n      keys: { pe_array.rows: [2, 4, 8, 16], pe_array.cols: [2, 4] }\n", StringComparison.Ordinal);

        string plots = RunWithPlots(spec);

        var names = Directory.GetFiles(plots, "*.png").Select(Path.GetFileNameWithoutExtension).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(names, Does.Contain("line_pe_array.rows__cycles").And.Contain("line_pe_array.cols__cycles"));
            Assert.That(names.Where(n => n!.StartsWith("heatmap", StringComparison.Ordinal)), Is.Empty);
        }
    }

    [TestCase(0.873, "0.873")]
    [TestCase(1234, "1.23k")]
    [TestCase(36568537, "36.6M")]
    [TestCase(9.51e9, "9.51G")]
    [TestCase(-2.5e6, "-2.5M")]
    public void Compact_KeepsThreeSignificantDigitsWithAnSiSuffix(double value, string expected)
    {
        Assert.That(SweepPlots.Compact(value), Is.EqualTo(expected));
    }
}
