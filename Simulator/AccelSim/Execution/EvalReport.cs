using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AccelSim.Execution;

/// <summary>Writes an evaluation's summary: a plain-text table, CSV (one row per input) or JSON (aggregate, layers and
/// inputs). They only format the summary, so the same summary gives the same bytes.</summary>
public static class EvalReport
{
    /// <summary>The CSV columns, in order.</summary>
    public static readonly string[] CsvColumns =
    [
        "index", "input", "top1_agrees", "top5_overlap", "output_sqnr_db", "mean_layer_sqnr_db", "worst_layer_sqnr_db",
        "input_saturations", "weight_saturations", "accumulator_saturations", "energy_pj",
    ];

    /// <summary>One row per input, in input order.</summary>
    public static void WriteCsv(EvalSummary summary, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(string.Join(',', CsvColumns) + "\n");
        foreach (EvalOutcome o in summary.Outcomes)
        {
            string[] cells =
            [
                o.Index.ToString(CultureInfo.InvariantCulture), Quote(o.Name), o.Top1Agrees ? "true" : "false", Text(o.Top5Overlap),
                Text(o.OutputSqnrDb), Text(o.MeanLayerSqnrDb), Text(o.WorstLayerSqnrDb), Text(o.InputSaturations),
                Text(o.WeightSaturations), Text(o.AccumulatorSaturations), Text(o.EnergyPicoJoules),
            ];
            writer.Write(string.Join(',', cells) + "\n");
        }
    }

    /// <summary>The aggregate, each layer's SQNR spread over the inputs, and every input.</summary>
    public static void WriteJson(EvalSummary summary, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(writer);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("schema_version", 1);
            w.WriteString("config", summary.ConfigName);
            w.WriteString("workload", summary.WorkloadName);
            w.WriteNumber("inputs", summary.Inputs);
            w.WriteNumber("top1_agreement", summary.Top1Agreement);
            w.WriteNumber("top5_overlap", summary.Top5Overlap);
            w.WritePropertyName("output_sqnr_db");
            Spread(w, summary.OutputSqnr);
            w.WriteNumber("input_saturations", summary.InputSaturations);
            w.WriteNumber("weight_saturations", summary.WeightSaturations);
            w.WriteNumber("accumulator_saturations", summary.AccumulatorSaturations);
            w.WriteNumber("cycles_per_inference", summary.CyclesPerInference);
            w.WriteNumber("latency_us", summary.LatencyMicroseconds);
            w.WriteStartObject("energy_per_inference_pj");
            w.WriteNumber("mean", summary.MeanEnergyPicoJoules);
            w.WriteNumber("min", summary.MinEnergyPicoJoules);
            w.WriteNumber("max", summary.MaxEnergyPicoJoules);
            w.WriteEndObject();
            w.WriteStartArray("layers");
            foreach (LayerSqnrSummary layer in summary.Layers)
            {
                w.WriteStartObject();
                w.WriteString("name", layer.Layer);
                w.WritePropertyName("sqnr_db");
                Spread(w, layer.Sqnr);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("per_input");
            foreach (EvalOutcome o in summary.Outcomes)
            {
                w.WriteStartObject();
                w.WriteNumber("index", o.Index);
                w.WriteString("input", o.Name);
                w.WriteBoolean("top1_agrees", o.Top1Agrees);
                w.WriteNumber("top5_overlap", o.Top5Overlap);
                Number(w, "output_sqnr_db", o.OutputSqnrDb);
                Number(w, "mean_layer_sqnr_db", o.MeanLayerSqnrDb);
                Number(w, "worst_layer_sqnr_db", o.WorstLayerSqnrDb);
                w.WriteNumber("input_saturations", o.InputSaturations);
                w.WriteNumber("weight_saturations", o.WeightSaturations);
                w.WriteNumber("accumulator_saturations", o.AccumulatorSaturations);
                w.WriteNumber("energy_pj", o.EnergyPicoJoules);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        writer.Write(Encoding.UTF8.GetString(buffer.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal));
        writer.Write('\n');
    }

    /// <summary>The aggregate and the ten layers of lowest median SQNR, as plain text.</summary>
    public static void WriteText(EvalSummary summary, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(writer);
        var c = CultureInfo.InvariantCulture;
        SqnrSpread output = summary.OutputSqnr;
        writer.Write(string.Create(c, $"{summary.WorkloadName} on {summary.ConfigName}: {summary.Inputs} inputs\n"));
        writer.Write(string.Create(c, $"  top-1 agreement     {summary.Top1Agreement:P1} ({summary.Outcomes.Count(o => o.Top1Agrees)} of {summary.Inputs})\n"));
        writer.Write(string.Create(c, $"  top-5 overlap       {summary.Top5Overlap:P1} (mean)\n"));
        writer.Write(string.Create(c, $"  output SQNR         mean {Db(output.MeanDb)}, worst {Db(output.WorstDb)}, p5 {Db(output.P5Db)}, median {Db(output.MedianDb)}\n"));
        writer.Write(string.Create(c, $"  saturations         input {summary.InputSaturations}, weight {summary.WeightSaturations}, accumulator {summary.AccumulatorSaturations}\n"));
        writer.Write(string.Create(c, $"  one inference       {summary.CyclesPerInference} cycles, {summary.LatencyMicroseconds:F1} us, energy {summary.MeanEnergyPicoJoules / 1e6:F3} uJ mean ({summary.MinEnergyPicoJoules / 1e6:F3}..{summary.MaxEnergyPicoJoules / 1e6:F3})\n"));
        writer.Write("  layers of lowest median SQNR (dB over inputs: mean, worst, p5, median):\n");
        foreach (LayerSqnrSummary layer in summary.Layers.OrderBy(l => l.Sqnr.MedianDb).ThenBy(l => l.Layer, StringComparer.Ordinal).Take(10))
        {
            writer.Write(string.Create(c, $"    {layer.Layer,-24} {Db(layer.Sqnr.MeanDb),8} {Db(layer.Sqnr.WorstDb),8} {Db(layer.Sqnr.P5Db),8} {Db(layer.Sqnr.MedianDb),8}\n"));
        }
    }

    private static string Db(double value) => double.IsFinite(value) ? value.ToString("F2", CultureInfo.InvariantCulture) : Text(value);

    private static void Spread(Utf8JsonWriter w, SqnrSpread spread)
    {
        w.WriteStartObject();
        Number(w, "mean", spread.MeanDb);
        Number(w, "worst", spread.WorstDb);
        Number(w, "p5", spread.P5Db);
        Number(w, "median", spread.MedianDb);
        w.WriteEndObject();
    }

    /// <summary>A finite number as a JSON number; infinity (an exact layer) and NaN as the strings "inf", "-inf", "nan".</summary>
    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteString(name, Text(value));
        }
    }

    private static string Text(double value) => value switch
    {
        double.PositiveInfinity => "inf",
        double.NegativeInfinity => "-inf",
        _ when double.IsNaN(value) => "nan",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Quote(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
