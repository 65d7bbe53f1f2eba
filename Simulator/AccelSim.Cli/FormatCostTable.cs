using System.Globalization;
using AccelSim.Configuration;
using AccelSim.Hardware;
using AccelSim.Execution;
using AccelSim.Files;
using AccelSim.Numerics;
using AccelSim.Workloads;
using Spectre.Console;

namespace AccelSim.Cli;

/// <summary><c>accelsim bfp-cost --formats</c>: per conv/FC layer and number format, storage bits, scale overhead and
/// converter work (docs/mx-formats.md, "Storage and cost").</summary>
internal static class FormatCostTable
{
    private static readonly string[] Columns =
    [
        "bits/weight", "weight bits", "weight scale bits", "input bits", "input scale bits", "scale overhead %", "input blocks",
        "max comparisons", "look-ahead", "multiplier bits", "accumulator bits",
    ];

    /// <summary>The formats of a comma-separated list: <c>bfp</c> (null) or MX/NVFP4 names, in the order given.</summary>
    public static IReadOnlyList<(string Name, MxFormat? Format)> Parse(string list)
    {
        var result = new List<(string, MxFormat?)>();
        foreach (string name in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            MxFormat? format = MxFormat.Find(name);
            if (format is null && name != "bfp")
            {
                throw new UsageException($"--formats: '{name}' is not a format; allowed: bfp, {string.Join(", ", MxFormat.All.Select(f => f.Name))}");
            }

            result.Add((name, format));
        }

        return result.Count > 0 ? result : throw new UsageException("--formats needs at least one format, e.g. bfp,mxfp8_e4m3");
    }

    /// <param name="hardware">The accelerator and its energy table, for each format's PE area and FPGA resources; null: none shown.</param>
    public static void Write(
        Network network, BfpSettings config, IReadOnlyList<(string Name, MxFormat? Format)> formats, TextWriter stdout, string? csvPath, LoadedAccelerator? hardware = null)
    {
        var settings = formats.Select(f => (f.Name, Settings: config.WithFormats(f.Format, f.Format))).ToList();
        var rows = new List<(string Layer, string Format, ConvShape Shape, FormatCost Cost)>();
        foreach (Layer layer in network.Layers)
        {
            ConvShape? g = ConvShape.Of(layer, network.Batch);
            if (g is not null)
            {
                rows.AddRange(settings.Select(s => (layer.Name, Label(s.Name, s.Settings), g, FormatCost.Of(g, s.Settings))));
            }
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 240;
        var table = new Table().Border(TableBorder.Rounded).Title($"{network.Name}: cost per number format (weights as stored, inputs as converted)");
        table.AddColumn("layer");
        table.AddColumn("format");
        foreach (string column in Columns)
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var row in rows)
        {
            table.AddRow([.. new[] { row.Layer, row.Format }.Concat(Cells(row.Shape, row.Cost)).Select(Markup.Escape)]);
        }

        foreach (var s in settings)
        {
            var mine = rows.Where(r => r.Format == Label(s.Name, s.Settings)).ToList();
            long weights = mine.Sum(r => r.Shape.WeightLength);
            long weightBits = mine.Sum(r => r.Cost.WeightElementBits);
            long weightScale = mine.Sum(r => r.Cost.WeightScaleBits);
            long inputBits = mine.Sum(r => r.Cost.InputElementBits);
            long inputScale = mine.Sum(r => r.Cost.InputScaleBits);
            table.AddRow([.. new[]
            {
                "total", Label(s.Name, s.Settings), F((double)(weightBits + weightScale) / weights, "F3"), N(weightBits), N(weightScale), N(inputBits), N(inputScale),
                F(100.0 * (weightScale + inputScale) / (weightBits + inputBits), "F2"), N(mine.Sum(r => r.Cost.InputBlocks)),
                N(mine.Sum(r => r.Cost.MaxComparisons)), "", "", "",
            }.Select(Markup.Escape)]);
        }

        console.Write(table);
        if (hardware is not null)
        {
            foreach (var s in settings)
            {
                stdout.WriteLine(PeCost(Label(s.Name, s.Settings), hardware with { Hardware = hardware.Hardware with { Bfp = s.Settings } }));
            }
        }

        if (csvPath is not null)
        {
            AtomicFile.Write(csvPath, w =>
            {
                w.Write("layer,format,bits_per_weight,weight_bits,weight_scale_bits,input_bits,input_scale_bits,scale_overhead,input_blocks,max_comparisons,look_ahead,multiplier_bits,accumulator_bits\n");
                foreach (var row in rows)
                {
                    FormatCost c = row.Cost;
                    w.Write(string.Create(CultureInfo.InvariantCulture,
                        $"{row.Layer},{row.Format},{c.WeightBitsPerElement(row.Shape):R},{c.WeightElementBits},{c.WeightScaleBits},{c.InputElementBits},{c.InputScaleBits},{c.ScaleOverhead:R},{c.InputBlocks},{c.MaxComparisons},{c.LookAheadElements},{c.MultiplierBits:R},{c.AccumulatorBits}\n"));
                }
            });
        }
    }

    /// <summary>One PE's arithmetic under a format: its parts' areas from the energy table, and its FPGA resources.</summary>
    private static string PeCost(string label, LoadedAccelerator a)
    {
        if (CostEstimator.Area(a.Hardware, a.Energy) is not { } area)
        {
            return $"{label}: the energy table '{a.Energy.Name}' gives no areas.";
        }

        var parts = area.Lines.Where(l => l.Component == ComponentId.PeArray.Path).ToList();
        string fpga = CostEstimator.Fpga(a.Hardware, a.Energy) is { } f
            ? string.Create(CultureInfo.InvariantCulture, $"; FPGA per PE {f.Dsp / a.Hardware.PeArray.PeCount} DSP, {f.Lut / a.Hardware.PeArray.PeCount} LUT")
            : "; no FPGA estimate";
        return string.Create(CultureInfo.InvariantCulture,
            $"{label}: PE arithmetic {parts.Sum(l => l.SquareMicrometresEach):F1} µm² ({string.Join(", ", parts.Select(l => $"{l.Part} {l.SquareMicrometresEach:F1}"))}; table '{area.Table}'){fpga}");
    }

    private static string Label(string name, BfpSettings s) =>
        s.WeightMx is null ? string.Create(CultureInfo.InvariantCulture, $"bfp({s.Weights.ExponentBits}, {s.Weights.MantissaBits})") : name;

    private static IEnumerable<string> Cells(ConvShape g, FormatCost c) =>
    [
        F(c.WeightBitsPerElement(g), "F3"), N(c.WeightElementBits), N(c.WeightScaleBits), N(c.InputElementBits), N(c.InputScaleBits),
        F(100 * c.ScaleOverhead, "F2"), N(c.InputBlocks), N(c.MaxComparisons), N(c.LookAheadElements), F(c.MultiplierBits, "F2"), N(c.AccumulatorBits),
    ];

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
