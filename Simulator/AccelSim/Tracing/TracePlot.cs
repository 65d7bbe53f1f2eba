using System.Globalization;
using AccelSim.Files;
using ScottPlot;

namespace AccelSim.Tracing;

/// <summary>A timeline of a window of a trace as a PNG, for reports: one row per track, slices as bars coloured by category.</summary>
/// <remarks>Text is set in the DejaVu Sans files shipped beside the program (<c>fonts/</c>), as the sweep plots are, so
/// the picture renders on machines without any fonts installed.</remarks>
public static class TracePlot
{
    /// <summary>More slices than this in the window make the picture unreadable (and slow): narrow the window.</summary>
    public const int MaxSlices = 50_000;

    private const string FontFamily = Plotting.PlotFonts.FontFamily;

    /// <exception cref="ArgumentException">The window holds no slices, or more than <see cref="MaxSlices"/>.</exception>
    public static void Render(TraceWindow window, string pngPath, int width = 1200, int height = 0)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (window.Slices.IsEmpty)
        {
            throw new ArgumentException($"no slices between cycles {window.FromCycle} and {window.ToCycle}: nothing to plot");
        }

        if (window.Slices.Length > MaxSlices)
        {
            throw new ArgumentException($"{window.Slices.Length} slices between cycles {window.FromCycle} and {window.ToCycle}: more than {MaxSlices} cannot be read in a picture; narrow the window");
        }

        Plotting.PlotFonts.EnsureRegistered();
        var tracks = window.Slices.Select(s => s.Track).Distinct()
            .OrderBy(t => t == TraceNames.Layers ? 0 : 1).ThenBy(t => t, StringComparer.Ordinal).ToList();
        var plot = new Plot();
        var palette = new Dictionary<string, Color>(StringComparer.Ordinal)
        {
            [TraceCategory.Layer] = Colors.LightGray,
            [TraceCategory.Compute] = Colors.SeaGreen,
            ["stall: ifmap"] = Colors.Crimson,
            ["stall: weights"] = Colors.DeepPink,
            ["stall: output_drain"] = Colors.SaddleBrown,
            ["stall: sram_bandwidth"] = Colors.Gold,
            ["stall: converter"] = Colors.Orchid,
            ["stall: dram_bandwidth"] = Colors.Navy,
            ["stall: fill_drain"] = Colors.DarkSeaGreen,
            ["stall: vector_unit"] = Colors.Olive,
            [TraceCategory.DramRead] = Colors.SteelBlue,
            [TraceCategory.DramWrite] = Colors.DarkOrange,
            [TraceCategory.Conversion] = Colors.MediumPurple,
        };
        var bars = new List<Bar>(window.Slices.Length);
        foreach (TraceSlice slice in window.Slices)
        {
            // Top to bottom in track order.
            double row = tracks.Count - 1 - tracks.IndexOf(slice.Track);
            bars.Add(new Bar
            {
                Position = row,
                ValueBase = Math.Max(slice.StartCycle, window.FromCycle),
                Value = Math.Min(slice.EndCycle, window.ToCycle),
                FillColor = palette.GetValueOrDefault(Key(slice), Colors.Gray),
                LineWidth = 0,
                Size = slice.Category == TraceCategory.Layer ? 0.9 : 0.7,
            });
        }

        var plottable = plot.Add.Bars(bars);
        plottable.Horizontal = true;
        foreach (TraceSlice layer in window.Slices.Where(s => s.Category == TraceCategory.Layer))
        {
            double left = Math.Max(layer.StartCycle, window.FromCycle);
            double right = Math.Min(layer.EndCycle, window.ToCycle);
            var label = plot.Add.Text(layer.Name, (left + right) / 2, tracks.Count - 1 - tracks.IndexOf(TraceNames.Layers));
            label.LabelAlignment = Alignment.MiddleCenter;
            label.LabelFontSize = 12;
            label.LabelFontName = FontFamily;
        }

        foreach (string category in window.Slices.Select(Key).Distinct().Order(StringComparer.Ordinal))
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = category, FillColor = palette.GetValueOrDefault(category, Colors.Gray) });
        }

        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, tracks.Count).Select(i => (double)(tracks.Count - 1 - i))], [.. tracks]);
        plot.Axes.SetLimits(window.FromCycle, window.ToCycle, -0.6, tracks.Count - 0.4);
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"cycles {window.FromCycle:N0} to {window.ToCycle:N0}{(window.Component is null ? "" : $" ({window.Component})")}"));
        plot.XLabel("cycle");
        plot.ShowLegend(Edge.Right);
        plot.Font.Set(FontFamily);
        plot.Legend.FontName = FontFamily;

        AtomicFile.WriteBytes(pngPath, plot.GetImageBytes(width, height > 0 ? height : 120 + (40 * tracks.Count), ImageFormat.Png));
    }

    /// <summary>Stalls are coloured by cause, everything else by category.</summary>
    private static string Key(TraceSlice slice) => slice.Category == TraceCategory.Stall ? "stall: " + slice.Name : slice.Category;
}
