using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AccelSim.Statistics;
using ScottPlot;

namespace AccelSim.Reports;

/// <summary>The figures of an HTML report, each as PNG and SVG, set in the bundled fonts. They only draw what the result
/// and the context hold.</summary>
internal static partial class ReportFigures
{
    private const int Width = 1000;

    /// <summary>The stall causes' colours, as the trace plot colours them, and compute's.</summary>
    private static readonly ImmutableDictionary<StallCause, Color> StallColours = new Dictionary<StallCause, Color>
    {
        [StallCause.Ifmap] = Colors.Crimson,
        [StallCause.Weights] = Colors.DeepPink,
        [StallCause.OutputDrain] = Colors.SaddleBrown,
        [StallCause.SramBandwidth] = Colors.Gold,
        [StallCause.Converter] = Colors.Orchid,
        [StallCause.DramBandwidth] = Colors.Navy,
        [StallCause.FillDrain] = Colors.DarkSeaGreen,
        [StallCause.VectorUnit] = Colors.Olive,
    }.ToImmutableDictionary();

    private static readonly Color ComputeColour = Colors.SeaGreen;

    /// <summary>Cycles per layer, one horizontal bar each (first layer on top), stacked: compute, then each stall cause.</summary>
    public static IEnumerable<ReportFile> Cycles(RunResult result)
    {
        var plot = new Plot();
        int n = result.Layers.Length;
        var bars = new List<Bar>();
        for (int i = 0; i < n; i++)
        {
            LayerResult layer = result.Layers[i];
            double position = n - 1 - i;
            double at = 0;
            bars.Add(Segment(position, ref at, layer.ComputeCycles, ComputeColour));
            foreach (StallCause cause in StallCauses.All)
            {
                bars.Add(Segment(position, ref at, layer.StallCyclesByCause.GetValueOrDefault(cause), StallColours.GetValueOrDefault(cause, Colors.Gray)));
            }
        }

        plot.Add.Bars(bars).Horizontal = true;
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "compute", FillColor = ComputeColour });
        foreach (StallCause cause in StallCauses.All)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"stall: {StallCauses.Name(cause)}", FillColor = StallColours.GetValueOrDefault(cause, Colors.Gray) });
        }

        LayerTicks(plot.Axes.Left, result);
        plot.Axes.SetLimitsY(-0.6, n - 0.4);
        plot.Axes.SetLimitsX(0, Math.Max(1, result.Layers.Select(l => l.TotalCycles).DefaultIfEmpty(0).Max()) * 1.02);
        plot.Title("Cycles per layer: compute and stalls by cause");
        plot.XLabel("cycles");
        plot.ShowLegend(Edge.Right);
        return Save(plot, "cycles", LayerRowsHeight(n));
    }

    /// <summary>The roofline: attainable MACs per cycle against MACs per DRAM byte, log-log, under the PE array's peak, the
    /// DRAM bandwidth and each buffer's read bandwidth; every layer with MACs placed by its intensity and achieved rate.</summary>
    public static IEnumerable<ReportFile> Roofline(RunResult result, RooflineCeilings ceilings)
    {
        var points = Roofline(result);
        double peak = Math.Max(ceilings.PeakMacsPerCycle, 1e-9);
        double ridge = peak / Math.Max(ceilings.DramBytesPerCycle, 1e-9);
        double low = Math.Min(points.Select(p => p.Intensity).DefaultIfEmpty(ridge).Min(), ridge) / 8;
        double high = Math.Max(points.Select(p => p.Intensity).DefaultIfEmpty(ridge).Max(), ridge) * 8;
        double bottom = Math.Min(points.Select(p => p.Rate).DefaultIfEmpty(peak).Min(), Math.Min(peak, low * ceilings.DramBytesPerCycle)) / 2;

        var plot = new Plot();
        Ceiling(plot, ceilings.DramBytesPerCycle, peak, low, high, Colors.Navy,
            string.Create(CultureInfo.InvariantCulture, $"DRAM {Compact(ceilings.DramBytesPerCycle)} B/cycle, peak {Compact(peak)} MACs/cycle"));
        var palette = new ScottPlot.Palettes.Category10();
        int colour = 2;
        foreach ((string name, double bytesPerCycle) in ceilings.Sram)
        {
            Ceiling(plot, bytesPerCycle, peak, low, high, palette.GetColor(colour++),
                string.Create(CultureInfo.InvariantCulture, $"{name} SRAM read {Compact(bytesPerCycle)} B/cycle"));
        }

        foreach (var group in points.GroupBy(p => p.Type).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var scatter = plot.Add.ScatterPoints(
                group.Select(p => Math.Log10(p.Intensity)).ToArray(), group.Select(p => Math.Log10(p.Rate)).ToArray(),
                group.Key == "fc" ? Colors.DarkOrange : Colors.Crimson);
            scatter.MarkerSize = 8;
            scatter.LegendText = $"{group.Key} layers";
        }

        plot.Axes.Bottom.TickGenerator = LogTicks();
        plot.Axes.Left.TickGenerator = LogTicks();
        plot.Axes.SetLimits(Math.Log10(low), Math.Log10(high), Math.Log10(bottom), Math.Log10(peak * 2));
        plot.Title("Roofline: achieved MACs per cycle against MACs per DRAM byte");
        plot.XLabel("operational intensity, MACs per DRAM byte (log)");
        plot.YLabel("MACs per cycle (log)");
        plot.ShowLegend(Alignment.LowerRight);
        return Save(plot, "roofline", 600);
    }

    /// <summary>Each layer with MACs and DRAM traffic: its intensity (MACs per DRAM byte) and achieved rate (MACs per cycle).</summary>
    public static List<(string Name, string Type, double Intensity, double Rate)> Roofline(RunResult result) =>
        [.. result.Layers.Where(l => l.Macs > 0 && l.DramReadBytes + l.DramWriteBytes > 0 && l.TotalCycles > 0)
            .Select(l => (l.Name, l.Type, (double)l.Macs / (l.DramReadBytes + l.DramWriteBytes), (double)l.Macs / l.TotalCycles))];

    /// <summary>Energy per layer, stacked by component, µJ.</summary>
    public static IEnumerable<ReportFile> EnergyByLayer(RunResult result)
    {
        var components = result.EnergyPicoJoulesByComponent.Keys.ToList();
        var palette = new ScottPlot.Palettes.Category10();
        var plot = new Plot();
        int n = result.Layers.Length;
        var bars = new List<Bar>();
        for (int i = 0; i < n; i++)
        {
            var parts = result.Layers[i].Energy.ByComponent;
            double at = 0;
            for (int c = 0; c < components.Count; c++)
            {
                bars.Add(Segment(n - 1 - i, ref at, parts.GetValueOrDefault(components[c]) / 1e6, palette.GetColor(c)));
            }
        }

        plot.Add.Bars(bars).Horizontal = true;
        for (int c = 0; c < components.Count; c++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = components[c], FillColor = palette.GetColor(c) });
        }

        LayerTicks(plot.Axes.Left, result);
        plot.Axes.SetLimitsY(-0.6, n - 0.4);
        plot.Axes.SetLimitsX(0, Math.Max(1e-9, result.Layers.Select(l => l.EnergyPicoJoules / 1e6).DefaultIfEmpty(0).Max()) * 1.02);
        plot.Title("Energy per layer by component");
        plot.XLabel("energy, µJ");
        plot.ShowLegend(Edge.Right);
        return Save(plot, "energy_layers", LayerRowsHeight(n));
    }

    /// <summary>The run's energy by action (component.action), largest on top, µJ, coloured by component.</summary>
    public static IEnumerable<ReportFile> EnergyByAction(RunResult result)
    {
        var components = result.EnergyPicoJoulesByComponent.Keys.ToList();
        var actions = result.EnergyPicoJoulesByAction.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
        var palette = new ScottPlot.Palettes.Category10();
        var plot = new Plot();
        int n = actions.Count;
        var bars = new List<Bar>();
        for (int i = 0; i < n; i++)
        {
            string component = actions[i].Key[..actions[i].Key.LastIndexOf('.')];
            double at = 0;
            bars.Add(Segment(n - 1 - i, ref at, actions[i].Value / 1e6, palette.GetColor(components.IndexOf(component))));
        }

        plot.Add.Bars(bars).Horizontal = true;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, n).Select(i => (double)(n - 1 - i))], [.. actions.Select(a => a.Key)]);
        plot.Axes.SetLimitsY(-0.6, Math.Max(n, 1) - 0.4);
        plot.Axes.SetLimitsX(0, Math.Max(1e-9, actions.Select(a => a.Value / 1e6).DefaultIfEmpty(0).Max()) * 1.02);
        plot.Title("Energy of the run by action");
        plot.XLabel("energy, µJ");
        return Save(plot, "energy_actions", LayerRowsHeight(n));
    }

    /// <summary>Measured SQNR per layer (first layer on top), accumulated and local, beside the four-stage model's
    /// prediction. Local SQNR exists only for layers on the BFP datapath, so it is drawn as points, not a line.</summary>
    public static IEnumerable<ReportFile> Sqnr(RunResult result)
    {
        var plot = new Plot();
        var layers = result.Layers;
        int n = layers.Length;
        void Line(string label, Color colour, Func<LayerResult, double?> value, bool joined)
        {
            var points = Enumerable.Range(0, n).Select(i => (Row: (double)(n - 1 - i), Db: value(layers[i]))).Where(p => p.Db is { } db && double.IsFinite(db)).ToList();
            if (points.Count == 0)
            {
                return;
            }

            var scatter = plot.Add.Scatter(points.Select(p => p.Db!.Value).ToArray(), points.Select(p => p.Row).ToArray(), colour);
            scatter.LegendText = label;
            scatter.MarkerSize = 7;
            scatter.LineWidth = joined ? 1.5f : 0;
        }

        Line("measured, accumulated", Colors.Crimson, l => l.Numerics?.Accumulated.SqnrDb, joined: true);
        Line("measured, local (the layer's own)", Colors.SteelBlue, l => l.Numerics?.Local?.SqnrDb, joined: false);
        Line("predicted (four-stage model)", Colors.Gray, l => l.Numerics?.PredictedSqnrDb, joined: true);
        LayerTicks(plot.Axes.Left, result);
        plot.Axes.AutoScaleX();
        plot.Axes.SetLimitsY(-0.6, n - 0.4);
        plot.Title("SQNR per layer: measured against predicted");
        plot.XLabel("SQNR, dB");
        plot.ShowLegend(Edge.Right);
        return Save(plot, "sqnr", LayerRowsHeight(n));
    }

    private static Bar Segment(double position, ref double at, double value, Color colour)
    {
        var bar = new Bar { Position = position, ValueBase = at, Value = at + value, FillColor = colour, LineWidth = 0, Size = 0.8 };
        at += value;
        return bar;
    }

    /// <summary>One layer per row, first on top, labelled by name.</summary>
    private static void LayerTicks(IAxis axis, RunResult result)
    {
        int n = result.Layers.Length;
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, n).Select(i => (double)(n - 1 - i))], [.. result.Layers.Select(l => l.Name)]);
    }

    /// <summary>Room for every row, and at least for the longest legend (compute and the seven stall causes).</summary>
    private static int LayerRowsHeight(int rows) => 160 + (18 * Math.Max(rows, 14));

    /// <summary>min(peak, intensity × bandwidth) over [low, high], in log10 coordinates.</summary>
    private static void Ceiling(Plot plot, double bytesPerCycle, double peak, double low, double high, Color colour, string label)
    {
        double ridge = peak / Math.Max(bytesPerCycle, 1e-12);
        var xs = new List<double> { low };
        if (ridge > low && ridge < high)
        {
            xs.Add(ridge);
        }

        xs.Add(high);
        var line = plot.Add.Scatter(xs.Select(Math.Log10).ToArray(), xs.Select(x => Math.Log10(Math.Min(peak, x * bytesPerCycle))).ToArray(), colour);
        line.MarkerSize = 0;
        line.LineWidth = 2;
        line.LegendText = label;
    }

    /// <summary>Ticks at the powers of ten of a log10 axis, labelled with the value.</summary>
    private static ScottPlot.TickGenerators.NumericAutomatic LogTicks() =>
        new() { LabelFormatter = v => Compact(Math.Pow(10, v)), MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(), IntegerTicksOnly = true };

    /// <summary>A number in at most about four significant digits, never in exponent form below 10^15.</summary>
    internal static string Compact(double value) => Math.Abs(value) switch
    {
        >= 1e6 => value.ToString("#,0", CultureInfo.InvariantCulture),
        >= 100 => value.ToString("0", CultureInfo.InvariantCulture),
        >= 1 => value.ToString("0.##", CultureInfo.InvariantCulture),
        0 => "0",
        _ => value.ToString("0.####", CultureInfo.InvariantCulture) is "0" or "-0" ? value.ToString("0.###E+0", CultureInfo.InvariantCulture) : value.ToString("0.####", CultureInfo.InvariantCulture),
    };

    /// <summary>The plot as <c>NAME.png</c> and <c>NAME.svg</c>, in the bundled font. Lines are solid: Skia's SVG canvas
    /// cannot draw dashes and says so on the console.</summary>
    private static IEnumerable<ReportFile> Save(Plot plot, string name, int height)
    {
        Plotting.PlotFonts.EnsureRegistered();
        plot.Font.Set(Plotting.PlotFonts.FontFamily);
        plot.Legend.FontName = Plotting.PlotFonts.FontFamily;
        byte[] png = plot.GetImageBytes(Width, height, ImageFormat.Png);
        string svg = NumberClips(plot.GetSvgXml(Width, height));
        return [new ReportFile(name + ".png", [.. png]), new ReportFile(name + ".svg", [.. Encoding.UTF8.GetBytes(svg)])];
    }

    /// <summary>Skia names an SVG's clip paths from a counter (in hexadecimal) that lives as long as the process, so the same plot drawn
    /// twice would differ; they are renumbered from 1 in the order they appear.</summary>
    internal static string NumberClips(string svg)
    {
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        return ClipReference().Replace(svg, m =>
        {
            if (!numbers.TryGetValue(m.Groups[2].Value, out int n))
            {
                n = numbers.Count + 1;
                numbers[m.Groups[2].Value] = n;
            }

            return string.Create(CultureInfo.InvariantCulture, $"{m.Groups[1].Value}{n}{m.Groups[3].Value}");
        });
    }

    [GeneratedRegex("""(id="cl_|url\(#cl_)([0-9a-f]+)([")])""")]
    private static partial Regex ClipReference();
}
