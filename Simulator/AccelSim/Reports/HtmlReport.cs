using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text;

namespace AccelSim.Reports;

/// <summary>A run as one self-contained HTML page (<c>index.html</c>) and the figures it shows, each as PNG (shown) and
/// SVG (linked), all referenced by relative names: the folder opens anywhere, with no network. The same result and
/// context give the same bytes.</summary>
public static class HtmlReport
{
    /// <summary>The page's file name inside the report folder.</summary>
    public const string PageName = "index.html";

    /// <summary>The figures (each <c>.png</c> and <c>.svg</c>), then the page, which comes last so that it is written last.</summary>
    /// <exception cref="FileNotFoundException">The bundled font files are missing beside the program.</exception>
    public static ImmutableArray<ReportFile> Render(RunResult result, ReportContext context)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(context);
        bool numerics = result.Layers.Any(l => l.Numerics is not null);
        var files = new List<ReportFile>();
        files.AddRange(ReportFigures.Cycles(result));
        files.AddRange(ReportFigures.Roofline(result, context.Ceilings));
        files.AddRange(ReportFigures.EnergyByLayer(result));
        files.AddRange(ReportFigures.EnergyByAction(result));
        if (numerics)
        {
            files.AddRange(ReportFigures.Sqnr(result));
        }

        files.Add(new ReportFile(PageName, [.. Encoding.UTF8.GetBytes(Page(result, context, numerics))]));
        return [.. files];
    }

    private static string Page(RunResult result, ReportContext context, bool numerics)
    {
        var html = new StringBuilder();
        string title = $"{result.WorkloadName} on {result.ConfigName}";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<title>").Append(E(title)).Append(" — AccelSim report</title>\n");
        html.Append("<style>\n")
            .Append("body { font-family: sans-serif; margin: 2em auto; max-width: 1040px; color: #222; }\n")
            .Append("table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }\n")
            .Append("th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; } td.n { text-align: right; font-variant-numeric: tabular-nums; }\n")
            .Append("th { background: #f0f0f0; text-align: left; } figure { margin: 1em 0 2em; } img { max-width: 100%; border: 1px solid #eee; }\n")
            .Append("code { background: #f4f4f4; padding: 0.1em 0.3em; word-break: break-all; }\n")
            .Append("</style>\n</head>\n<body>\n");
        html.Append("<h1>").Append(E(title)).Append("</h1>\n");
        html.Append("<p>Produced by <code>").Append(E(context.Command)).Append("</code></p>\n");

        html.Append("<h2 id=\"summary\">Summary</h2>\n<table>\n");
        foreach ((string key, string value) in Summary(result))
        {
            html.Append("<tr><th>").Append(E(key)).Append("</th><td class=\"n\">").Append(E(value)).Append("</td></tr>\n");
        }

        html.Append("</table>\n<h2 id=\"configuration\">Configuration</h2>\n<table>\n");
        foreach ((string key, string value) in context.Configuration)
        {
            html.Append("<tr><th>").Append(E(key)).Append("</th><td>").Append(E(value)).Append("</td></tr>\n");
        }

        html.Append("</table>\n");
        Figure(html, "cycles", "Cycles per layer",
            "Each bar is a layer's cycles from its start until its last result is in DRAM: compute, then the cycles stalled by each cause (see the timing model).");
        Figure(html, "roofline", "Roofline",
            "Lines: the PE array's peak MACs per cycle and, below the ridge, intensity × bandwidth for DRAM and for each buffer's read ports. " +
            "Points: each layer with MACs, at its MACs per DRAM byte (read and written) and the MACs per cycle it achieved. " +
            "Layers on the vector unit (pooling, adds) have no MACs and are not placed.");
        html.Append(RooflineTable(result));
        Figure(html, "energy_layers", "Energy per layer by component", "Each bar is a layer's energy, stacked by the component that spent it.");
        Figure(html, "energy_actions", "Energy by action", "The run's energy by component and action.");
        html.Append(EnergyTable(result));
        if (numerics)
        {
            Figure(html, "sqnr", "BFP error per layer",
                "Measured SQNR of each layer's output against the double-precision reference: accumulated (carried through the network) and local " +
                "(the layer's BFP datapath on the reference input), beside the four-stage model's prediction. Exact results are not drawn.");
        }

        html.Append(LayerTable(result, numerics));
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static IEnumerable<(string, string)> Summary(RunResult result)
    {
        yield return ("workload", result.WorkloadName);
        yield return ("accelerator", result.ConfigName);
        yield return ("layers", N(result.Layers.Length));
        yield return ("batch", N(result.Batch));
        yield return ("MACs", N(result.TotalMacs));
        yield return ("cycles", N(result.TotalCycles));
        yield return ("compute / stall cycles", $"{N(result.ComputeCycles)} / {N(result.StallCycles)}");
        yield return ("utilization", P(result.OverallUtilization));
        yield return ("latency", F($"{result.LatencyMicroseconds / 1000:F3} ms at {ReportFigures.Compact(result.ClockMegahertz)} MHz"));
        yield return ("DRAM read / written", $"{N(result.DramReadBytes)} / {N(result.DramWriteBytes)} B");
        yield return ("energy", F($"{result.EnergyPicoJoules / 1e6:F3} µJ ({result.LeakagePicoJoules / 1e6:F3} µJ leakage)"));
        yield return ("average power", F($"{result.AveragePowerWatts:F3} W"));
        yield return ("efficiency", F($"{result.TopsPerWatt:F3} TOPS/W"));
        if (result.OutputError is { } error)
        {
            yield return ("network output SQNR", $"{Db(error.SqnrDb)} dB");
        }

        if (result.Agreement is { } agreement)
        {
            yield return ("top-1 agreement / top-5 overlap", $"{P(agreement.Top1Agreement)} / {P(agreement.Top5Overlap)} over {N(agreement.Inputs)} input(s)");
        }
    }

    private static void Figure(StringBuilder html, string name, string heading, string caption)
    {
        html.Append("<h2 id=\"").Append(name).Append("\">").Append(E(heading)).Append("</h2>\n<figure>\n<img src=\"").Append(name)
            .Append(".png\" alt=\"").Append(E(heading)).Append("\">\n<figcaption>").Append(E(caption)).Append(" <a href=\"").Append(name)
            .Append(".svg\">SVG</a></figcaption>\n</figure>\n");
    }

    private static string RooflineTable(RunResult result)
    {
        var html = new StringBuilder("<table>\n<tr><th>layer</th><th>MACs per DRAM byte</th><th>MACs per cycle</th></tr>\n");
        foreach (var (name, _, intensity, rate) in ReportFigures.Roofline(result))
        {
            html.Append("<tr><td>").Append(E(name)).Append("</td><td class=\"n\">").Append(ReportFigures.Compact(intensity))
                .Append("</td><td class=\"n\">").Append(ReportFigures.Compact(rate)).Append("</td></tr>\n");
        }

        return html.Append("</table>\n").ToString();
    }

    private static string EnergyTable(RunResult result)
    {
        double total = result.EnergyPicoJoules;
        var actions = result.EnergyPicoJoulesByAction;
        var html = new StringBuilder("<table>\n<tr><th>component</th><th>action</th><th>µJ</th><th>share</th></tr>\n");
        foreach ((string component, double picoJoules) in result.EnergyPicoJoulesByComponent)
        {
            html.Append("<tr><th>").Append(E(component)).Append("</th><th></th><td class=\"n\">").Append(F($"{picoJoules / 1e6:F4}"))
                .Append("</td><td class=\"n\">").Append(P(total == 0 ? 0 : picoJoules / total)).Append("</td></tr>\n");
            foreach ((string key, double part) in actions.Where(p => string.Equals(p.Key[..p.Key.LastIndexOf('.')], component, StringComparison.Ordinal)))
            {
                html.Append("<tr><td></td><td>").Append(E(key[(component.Length + 1)..])).Append("</td><td class=\"n\">").Append(F($"{part / 1e6:F4}"))
                    .Append("</td><td class=\"n\">").Append(P(total == 0 ? 0 : part / total)).Append("</td></tr>\n");
            }
        }

        return html.Append("<tr><th>total</th><th></th><td class=\"n\">").Append(F($"{total / 1e6:F4}")).Append("</td><td class=\"n\">")
            .Append(P(total == 0 ? 0 : 1)).Append("</td></tr>\n</table>\n").ToString();
    }

    private static string LayerTable(RunResult result, bool numerics)
    {
        bool onnx = result.ReportsOnnxNodes;
        var html = new StringBuilder("<h2 id=\"layers\">Layers</h2>\n<table>\n<tr><th>layer</th>");
        html.Append(onnx ? "<th>ONNX node</th>" : "").Append("<th>type</th><th>MACs</th><th>cycles</th><th>compute</th><th>stall</th><th>util</th>")
            .Append("<th>DRAM rd B</th><th>DRAM wr B</th><th>energy µJ</th>").Append(numerics ? "<th>SQNR dB</th><th>local dB</th><th>model dB</th>" : "").Append("</tr>\n");
        foreach (LayerResult layer in result.Layers)
        {
            html.Append("<tr><td>").Append(E(layer.Name)).Append("</td>");
            if (onnx)
            {
                html.Append("<td>").Append(E(layer.OnnxNode ?? "")).Append("</td>");
            }

            html.Append("<td>").Append(E(layer.Type)).Append("</td>");
            foreach (string cell in new[]
            {
                N(layer.Macs), N(layer.TotalCycles), N(layer.ComputeCycles), N(layer.StallCycles), P(layer.OverallUtilization),
                N(layer.DramReadBytes), N(layer.DramWriteBytes), F($"{layer.EnergyPicoJoules / 1e6:F3}"),
            })
            {
                html.Append("<td class=\"n\">").Append(E(cell)).Append("</td>");
            }

            if (numerics)
            {
                foreach (double? value in new[] { layer.Numerics?.Accumulated.SqnrDb, layer.Numerics?.Local?.SqnrDb, layer.Numerics?.PredictedSqnrDb })
                {
                    html.Append("<td class=\"n\">").Append(E(Db(value))).Append("</td>");
                }
            }

            html.Append("</tr>\n");
        }

        return html.Append("</table>\n").ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string P(double fraction) => fraction.ToString("P1", CultureInfo.InvariantCulture);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Db(double? value) => value switch
    {
        null => "-",
        double.PositiveInfinity => "exact",
        double v => v.ToString("F1", CultureInfo.InvariantCulture),
    };
}
