using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using AccelSim.Configuration;
using AccelSim.Files;
using ScottPlot;

namespace AccelSim.Sweeps;

/// <summary>
/// Plots of a finished sweep, each saved as PNG and SVG: the objective scatter with the Pareto front highlighted, one
/// line plot per axis (the best value of each objective at each axis value), and a heatmap per objective when the
/// sweep is a two-axis grid. Plots are per workload. Text uses the DejaVu Sans files shipped beside the program, so it
/// renders on machines without any fonts installed.
/// </summary>
public static class SweepPlots
{
    /// <summary>The font family every plot is set in, as registered from the bundled files.</summary>
    public const string FontFamily = Plotting.PlotFonts.FontFamily;

    /// <summary>The folder, beside the program, holding the bundled font files and their licence.</summary>
    public const string FontFolder = Plotting.PlotFonts.FontFolder;

    private const int Width = 720;
    private const int Height = 450;

    /// <summary>Renders every plot that applies into <paramref name="folder"/>; returns how many plots (each PNG + SVG) were written.</summary>
    /// <exception cref="FileNotFoundException">The bundled font files are missing beside the program.</exception>
    public static int Render(SweepOutcome outcome, string folder)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        Plotting.PlotFonts.EnsureRegistered();
        SweepSpec spec = outcome.Spec;
        var metrics = spec.Objectives.IsEmpty
            ? [(spec.Metrics[0], ObjectiveGoal.Minimize)]
            : spec.Objectives.Select(o => (o.Metric, o.Goal)).ToList();
        Directory.CreateDirectory(folder);
        int written = 0;
        for (int w = 0; w < spec.Workloads.Length; w++)
        {
            string suffix = spec.Workloads.Length > 1 ? $"_{Safe(spec.Workloads[w].Label)}" : "";
            var recorded = outcome.Points.Where(p => p.WorkloadIndex == w && outcome.Records.ContainsKey(p.Index))
                .Select(p => (Point: p, Record: outcome.Records[p.Index]))
                .ToList();
            var ok = recorded.Where(r => r.Record.Status == PointStatus.Ok).ToList();
            if (ok.Count == 0)
            {
                continue;
            }

            string workloadNote = spec.Workloads.Length > 1 ? $" ({spec.Workloads[w].Label})" : "";
            if (spec.Objectives.Length >= 2)
            {
                Save(ObjectiveScatter(spec, ok, outcome.Front, workloadNote), folder, $"pareto{suffix}");
                written++;
            }

            foreach ((string metric, ObjectiveGoal goal) in metrics)
            {
                int column = spec.Metrics.IndexOf(metric);
                foreach (Series series in AxisSeries(spec))
                {
                    Save(LinePlot(spec, ok, series, column, goal, workloadNote), folder, $"line_{Safe(series.Label)}__{metric}{suffix}");
                    written++;
                }

                if (spec.Factors.Length == 2 && spec.Factors.All(f => f.Kind != FactorKind.Random))
                {
                    Save(Heatmap(spec, recorded, column, workloadNote), folder, $"heatmap_{metric}{suffix}");
                    written++;
                }
            }
        }

        return written;
    }

    /// <summary>The x axis of a line plot: the rows of a grid or zip factor in order, or one key of a random factor by value.</summary>
    private sealed record Series(string Label, ImmutableArray<string> Ticks, Func<SweepPoint, int> Position);

    private static IEnumerable<Series> AxisSeries(SweepSpec spec)
    {
        foreach (SweepFactor factor in spec.Factors)
        {
            if (factor.Kind != FactorKind.Random)
            {
                var rows = factor.Rows.Select(r => r.Select(v => v.Yaml).ToArray()).ToList();
                yield return new Series(factor.Label(spec.Axes), [.. factor.Rows.Select(TickLabel)],
                    p => rows.FindIndex(r => r.SequenceEqual(factor.AxisIndices.Select(i => p.Values[i].Yaml))));
                continue;
            }

            foreach (int axis in factor.AxisIndices)
            {
                var values = factor.Rows.Select(r => r[factor.AxisIndices.IndexOf(axis)]).DistinctBy(v => v.Yaml).ToList();
                values = values.All(v => Number(v.Display) is not null)
                    ? [.. values.OrderBy(v => Number(v.Display))]
                    : [.. values.OrderBy(v => v.Display, StringComparer.Ordinal)];
                var order = values.Select(v => v.Yaml).ToList();
                yield return new Series(spec.Axes[axis].Key, [.. values.Select(v => v.Display)], p => order.IndexOf(p.Values[axis].Yaml));
            }
        }
    }

    private static Plot ObjectiveScatter(SweepSpec spec, List<(SweepPoint Point, PointRecord Record)> ok, ImmutableHashSet<int> front, string workloadNote)
    {
        SweepObjective x = spec.Objectives[0];
        SweepObjective y = spec.Objectives[1];
        int xColumn = ColumnOf(spec, x.Metric);
        int yColumn = ColumnOf(spec, y.Metric);
        var all = ok.Select(o => (o.Point, X: Value(o.Record, xColumn), Y: Value(o.Record, yColumn)))
            .Where(o => double.IsFinite(o.X) && double.IsFinite(o.Y))
            .ToList();
        var onFront = all.Where(o => front.Contains(o.Point.Index)).OrderBy(o => o.X).ThenBy(o => o.Y).ToList();

        var xScale = Scale.For(all.Select(o => o.X));
        var yScale = Scale.For(all.Select(o => o.Y));
        var plot = new Plot();
        var others = plot.Add.ScatterPoints(all.Select(o => xScale.Map(o.X)).ToArray(), all.Select(o => yScale.Map(o.Y)).ToArray(), Colors.Gray.WithAlpha(0.6));
        others.MarkerSize = 6;
        others.LegendText = "points";
        if (onFront.Count > 0)
        {
            var line = plot.Add.Scatter(onFront.Select(o => xScale.Map(o.X)).ToArray(), onFront.Select(o => yScale.Map(o.Y)).ToArray(), Colors.Crimson);
            line.MarkerSize = 9;

            // With more objectives the front is not a curve in these two, so its points are not joined.
            line.LineWidth = spec.Objectives.Length == 2 ? 2 : 0;
            line.LegendText = spec.Objectives.Length > 2 ? $"Pareto front (over {spec.Objectives.Length} objectives)" : "Pareto front";
        }

        plot.Title($"{spec.Name}{workloadNote}: {Goal(x)} {x.Metric}, {Goal(y)} {y.Metric}");
        xScale.Apply(plot.Axes.Bottom, x.Metric);
        yScale.Apply(plot.Axes.Left, y.Metric);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static Plot LinePlot(SweepSpec spec, List<(SweepPoint Point, PointRecord Record)> ok, Series series, int column, ObjectiveGoal goal, string workloadNote)
    {
        var values = ok.Select(o => (X: series.Position(o.Point), Y: Value(o.Record, column))).Where(v => v.X >= 0 && double.IsFinite(v.Y)).ToList();
        var best = values.GroupBy(v => v.X).OrderBy(g => g.Key)
            .Select(g => (X: g.Key, Y: goal == ObjectiveGoal.Minimize ? g.Min(v => v.Y) : g.Max(v => v.Y)))
            .ToList();
        bool several = values.Count > best.Count;
        string metric = spec.Metrics[column];

        var yScale = Scale.For(values.Select(v => v.Y));
        var plot = new Plot();
        if (several)
        {
            var all = plot.Add.ScatterPoints(values.Select(v => (double)v.X).ToArray(), values.Select(v => yScale.Map(v.Y)).ToArray(), Colors.Gray.WithAlpha(0.5));
            all.MarkerSize = 5;
            all.LegendText = "every point";
        }

        var line = plot.Add.Scatter(best.Select(b => (double)b.X).ToArray(), best.Select(b => yScale.Map(b.Y)).ToArray(), Colors.SteelBlue);
        line.LineWidth = 2;
        line.MarkerSize = 8;
        line.LegendText = several ? $"best ({(goal == ObjectiveGoal.Minimize ? "lowest" : "highest")}) over the other axes" : metric;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, series.Ticks.Length).Select(i => (double)i)], [.. series.Ticks]);
        if (series.Ticks.Length > 6 || series.Ticks.Any(t => t.Length > 8))
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        }

        plot.Axes.SetLimitsX(-0.5, series.Ticks.Length - 0.5);
        plot.Title($"{spec.Name}{workloadNote}");
        plot.XLabel(series.Label);
        yScale.Apply(plot.Axes.Left, metric);
        if (several)
        {
            plot.ShowLegend(Alignment.UpperRight);
        }

        return plot;
    }

    private static Plot Heatmap(SweepSpec spec, List<(SweepPoint Point, PointRecord Record)> all, int column, string workloadNote)
    {
        SweepFactor rowsFactor = spec.Factors[0];
        SweepFactor colsFactor = spec.Factors[1];
        int rows = rowsFactor.Rows.Length;
        int cols = colsFactor.Rows.Length;
        var cells = new double[rows, cols];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                cells[r, c] = double.NaN;
            }
        }

        int pointsPerWorkload = rows * cols;
        var status = new string[rows, cols];
        foreach ((SweepPoint point, PointRecord record) in all)
        {
            // Within one workload, the point's index is row × cols + column (two factors, the second fastest).
            int local = point.Index % pointsPerWorkload;
            status[local / cols, local % cols] = PointRecord.StatusName(record.Status);
            if (record.Status == PointStatus.Ok)
            {
                cells[local / cols, local % cols] = Value(record, column);
            }
        }

        var cellScale = Scale.For(Enumerable.Range(0, rows * cols).Select(i => cells[i / cols, i % cols]));
        var colors = new double[rows, cols];
        for (int i = 0; i < rows * cols; i++)
        {
            colors[i / cols, i % cols] = cellScale.Map(cells[i / cols, i % cols]);
        }

        var plot = new Plot();
        var map = plot.Add.Heatmap(colors);
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        map.FlipVertically = true;
        map.Rectangle = new CoordinateRect(-0.5, cols - 0.5, -0.5, rows - 0.5);
        map.NaNCellColor = Colors.WhiteSmoke;
        var bar = plot.Add.ColorBar(map);
        bar.Axis.TickGenerator = cellScale.Ticks();
        bar.Label = cellScale.Log ? "log scale" : "";
        double low = Enumerable.Range(0, rows * cols).Select(i => colors[i / cols, i % cols]).Where(double.IsFinite).DefaultIfEmpty(0).Min();
        double high = Enumerable.Range(0, rows * cols).Select(i => colors[i / cols, i % cols]).Where(double.IsFinite).DefaultIfEmpty(0).Max();
        if (rows * cols <= 100)
        {
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < cols; c++)
                {
                    bool finite = double.IsFinite(cells[r, c]);
                    if (!finite && status[r, c] is null)
                    {
                        continue;
                    }

                    // Viridis is light at its top end: dark text there, white elsewhere; a point that did not run shows its status.
                    bool light = finite && high > low && (colors[r, c] - low) / (high - low) > 0.6;
                    var text = plot.Add.Text(finite ? Compact(cells[r, c]) : status[r, c], c, r);
                    text.LabelFontSize = 11;
                    text.LabelFontColor = !finite ? Colors.DimGray : light ? Colors.Black : Colors.White;
                    text.LabelAlignment = Alignment.MiddleCenter;
                }
            }
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, cols).Select(i => (double)i)], [.. colsFactor.Rows.Select(TickLabel)]);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, rows).Select(i => (double)i)], [.. rowsFactor.Rows.Select(TickLabel)]);
        plot.Axes.SetLimits(-0.5, cols - 0.5, -0.5, rows - 0.5);
        string metric = spec.Metrics[column];
        plot.Title($"{spec.Name}{workloadNote}: {metric}");
        plot.XLabel(colsFactor.Label(spec.Axes));
        plot.YLabel(rowsFactor.Label(spec.Axes));
        return plot;
    }

    /// <summary>A linear axis, or a log10 one when positive values span more than 20×, so that a few slow points do not flatten the rest.</summary>
    private sealed record Scale(bool Log)
    {
        public static Scale For(IEnumerable<double> values)
        {
            var finite = values.Where(double.IsFinite).ToList();
            return new Scale(finite.Count > 1 && finite.Min() > 0 && finite.Max() / finite.Min() > 20);
        }

        public double Map(double value) => Log ? Math.Log10(value) : value;

        public ScottPlot.TickGenerators.NumericAutomatic Ticks() => Log
            ? new() { LabelFormatter = v => Compact(Math.Pow(10, v)), MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(), IntegerTicksOnly = true }
            : new() { LabelFormatter = Compact };

        public void Apply(IAxis axis, string label)
        {
            axis.TickGenerator = Ticks();
            axis.Label.Text = Log ? $"{label} (log scale)" : label;
        }
    }

    private static void Save(Plot plot, string folder, string name)
    {
        plot.Font.Set(FontFamily);
        AtomicFile.WriteBytes(Path.Combine(folder, name + ".png"), plot.GetImageBytes(Width, Height, ImageFormat.Png));
        string svg = plot.GetSvgXml(Width, Height);
        AtomicFile.Write(Path.Combine(folder, name + ".svg"), w => w.Write(svg));
    }


    /// <summary>A row's tick label: its values joined by '/', or one value when a zip sets several keys alike.</summary>
    private static string TickLabel(ImmutableArray<AxisValue> row) =>
        row.All(v => v.Yaml == row[0].Yaml) ? Shorten(row[0].Display) : string.Join("/", row.Select(v => Shorten(v.Display)));

    /// <summary>Powers of two from 1 Ki up read better as 64Ki, 2Mi; other values are shown as they are.</summary>
    private static string Shorten(string display)
    {
        if (long.TryParse(display, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n >= 1024 && (n & (n - 1)) == 0)
        {
            return n >= 1L << 30 ? $"{n >> 30}Gi" : n >= 1L << 20 ? $"{n >> 20}Mi" : $"{n >> 10}Ki";
        }

        return display;
    }

    private static string Goal(SweepObjective objective) => objective.Goal == ObjectiveGoal.Minimize ? "min" : "max";

    private static int ColumnOf(SweepSpec spec, string metric) => spec.Metrics.IndexOf(metric);

    private static double Value(PointRecord record, int column) => SweepMetric.Parse(record.Metrics[column]) ?? double.NaN;

    private static double? Number(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;

    /// <summary>Three significant digits with an SI suffix: 12.3M, 456k, 0.873.</summary>
    internal static string Compact(double value)
    {
        double magnitude = Math.Abs(value);
        (double scaled, string suffix) = magnitude switch
        {
            >= 1e12 => (value / 1e12, "T"),
            >= 1e9 => (value / 1e9, "G"),
            >= 1e6 => (value / 1e6, "M"),
            >= 1e3 => (value / 1e3, "k"),
            _ => (value, ""),
        };
        return scaled.ToString("G3", CultureInfo.InvariantCulture) + suffix;
    }

    /// <summary>A label made safe for a file name: letters, digits, '-', '_' and '.'; anything else becomes '_'.</summary>
    private static string Safe(string label)
    {
        var text = new StringBuilder(label.Length);
        foreach (char c in label)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        return text.ToString();
    }
}
