using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using AccelSim.Numerics;
using AccelSim.Reports;
using AccelSim.Workloads;

namespace AccelSim.Compression;

/// <summary>One layer of the source network before and after compression (a low-rank pair counts as its source layer).</summary>
/// <param name="ParametersBefore">Non-zero weights plus biases.</param>
/// <param name="MacsBefore">MACs per batch item that multiply a non-zero weight.</param>
/// <param name="CyclesBefore">Simulated cycles of the whole batch on the accelerator (dense execution).</param>
public sealed record CompressedLayer(
    string Name, string Type, string Change,
    long ParametersBefore, long ParametersAfter, long MacsBefore, long MacsAfter, long CyclesBefore, long CyclesAfter)
{
    /// <summary>MACs before over MACs after (the source chapter's ideal speedup); 1 when nothing changed.</summary>
    public double IdealSpeedup => MacsAfter == 0 ? (MacsBefore == 0 ? 1 : double.PositiveInfinity) : (double)MacsBefore / MacsAfter;

    /// <summary>Cycles before over cycles after on the configured accelerator.</summary>
    public double SimulatedSpeedup => CyclesAfter == 0 ? 1 : (double)CyclesBefore / CyclesAfter;
}

/// <summary>How the compressed network's output compares with the uncompressed one's, both through the double float
/// reference on the same seeded inputs.</summary>
/// <param name="SqnrDb">Output SQNR over all inputs (signal: the uncompressed output).</param>
/// <param name="Top1Agreement">Fraction of inputs whose arg-max output is the same.</param>
public sealed record CompressionNumerics(int Inputs, ulong Seed, double SqnrDb, double Top1Agreement);

/// <summary>The outcome of one <c>accelsim compress</c>: per source layer and in total, what it cost before and after.</summary>
public sealed record CompressionReport(
    string SourceWorkload, string OutputWorkload, string ConfigName, ImmutableArray<string> Steps,
    ImmutableArray<CompressedLayer> Layers, CompressionNumerics? Numerics)
{
    public long ParametersBefore => Layers.Sum(l => l.ParametersBefore);

    public long ParametersAfter => Layers.Sum(l => l.ParametersAfter);

    public long MacsBefore => Layers.Sum(l => l.MacsBefore);

    public long MacsAfter => Layers.Sum(l => l.MacsAfter);

    public long CyclesBefore => Layers.Sum(l => l.CyclesBefore);

    public long CyclesAfter => Layers.Sum(l => l.CyclesAfter);

    public double IdealSpeedup => MacsAfter == 0 ? 1 : (double)MacsBefore / MacsAfter;

    public double SimulatedSpeedup => CyclesAfter == 0 ? 1 : (double)CyclesBefore / CyclesAfter;

    /// <summary>Joins the two networks layer by layer (by origin) with their timing runs.</summary>
    public static CompressionReport Build(
        string sourceWorkload, string outputWorkload, ImmutableArray<string> steps, WeightedNetwork before, WeightedNetwork after,
        RunResult timingBefore, RunResult timingAfter, IReadOnlyDictionary<string, string> changes, CompressionNumerics? numerics)
    {
        var cyclesBefore = timingBefore.Layers.ToDictionary(l => l.Name, l => l.TotalCycles, StringComparer.Ordinal);
        var afterByOrigin = after.Network.Layers.ToLookup(l => after.Origins[l.Name], StringComparer.Ordinal);
        var cyclesAfter = timingAfter.Layers.ToDictionary(l => l.Name, l => l.TotalCycles, StringComparer.Ordinal);
        var rows = ImmutableArray.CreateBuilder<CompressedLayer>(before.Network.Layers.Length);
        foreach (Layer layer in before.Network.Layers)
        {
            var replaced = afterByOrigin[layer.Name].ToList();
            rows.Add(new CompressedLayer(
                layer.Name,
                Execution.NetworkRunner.TypeName(layer.Kind),
                changes.GetValueOrDefault(layer.Name, ""),
                before.NonZeroParameters(layer),
                replaced.Sum(after.NonZeroParameters),
                before.EffectualMacs(layer),
                replaced.Sum(after.EffectualMacs),
                cyclesBefore[layer.Name],
                replaced.Sum(l => cyclesAfter[l.Name])));
        }

        return new CompressionReport(sourceWorkload, outputWorkload, timingBefore.ConfigName, steps, rows.MoveToImmutable(), numerics);
    }

    /// <summary>Compares two network outputs (back to back, <paramref name="inputs"/> items).</summary>
    public static CompressionNumerics Compare(double[] reference, double[] compressed, int inputs, ulong seed)
    {
        NumericError error = NumericError.Compare(Array.ConvertAll(compressed, v => (float)v), Array.ConvertAll(reference, v => (float)v));
        int perItem = reference.Length / inputs;
        int agree = 0;
        for (int item = 0; item < inputs; item++)
        {
            agree += ArgMax(reference.AsSpan(item * perItem, perItem)) == ArgMax(compressed.AsSpan(item * perItem, perItem)) ? 1 : 0;
        }

        return new CompressionNumerics(inputs, seed, error.SqnrDb, (double)agree / inputs);
    }

    /// <summary>A fixed-width text table: one row per source layer with weights or a change, then the total.</summary>
    public void WriteText(TextWriter output)
    {
        output.WriteLine($"accelsim compress: {SourceWorkload} -> {OutputWorkload} on {ConfigName}");
        foreach (string step in Steps)
        {
            output.WriteLine($"  {step}");
        }

        string[] headings = ["layer", "type", "params before", "params after", "MACs before", "MACs after", "ideal x", "cycles before", "cycles after", "simulated x", "change"];
        var table = new List<string[]> { headings };
        foreach (CompressedLayer l in Layers.Where(l => l.MacsBefore > 0 || l.Change.Length > 0))
        {
            table.Add([l.Name, l.Type, N(l.ParametersBefore), N(l.ParametersAfter), N(l.MacsBefore), N(l.MacsAfter), X(l.IdealSpeedup),
                N(l.CyclesBefore), N(l.CyclesAfter), X(l.SimulatedSpeedup), l.Change]);
        }

        table.Add(["total", "", N(ParametersBefore), N(ParametersAfter), N(MacsBefore), N(MacsAfter), X(IdealSpeedup),
            N(CyclesBefore), N(CyclesAfter), X(SimulatedSpeedup), "all layers (cycles include pooling and adds)"]);
        int[] widths = [.. Enumerable.Range(0, headings.Length).Select(c => table.Max(r => r[c].Length))];
        foreach (string[] row in table)
        {
            output.WriteLine(string.Join("  ", row.Select((cell, c) => c is 0 or 1 or 10 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
        }

        output.WriteLine(Numerics is { } n
            ? $"Output against the uncompressed network (double reference, {n.Inputs} seeded inputs, seed {n.Seed}): SQNR {Db(n.SqnrDb)} dB, top-1 agreement {n.Top1Agreement.ToString("P1", CultureInfo.InvariantCulture)}"
            : "Numerics skipped (--no-numerics).");
    }

    /// <summary>CSV: one row per source layer, then a total row; speedups with 4 decimals.</summary>
    public void WriteCsv(TextWriter output)
    {
        output.WriteLine("layer,type,params_before,params_after,macs_before,macs_after,ideal_speedup,cycles_before,cycles_after,simulated_speedup,change");
        foreach (CompressedLayer l in Layers)
        {
            output.WriteLine(string.Join(",", l.Name, l.Type, I(l.ParametersBefore), I(l.ParametersAfter), I(l.MacsBefore), I(l.MacsAfter),
                F(l.IdealSpeedup), I(l.CyclesBefore), I(l.CyclesAfter), F(l.SimulatedSpeedup), Csv(l.Change)));
        }

        output.WriteLine(string.Join(",", "total", "", I(ParametersBefore), I(ParametersAfter), I(MacsBefore), I(MacsAfter),
            F(IdealSpeedup), I(CyclesBefore), I(CyclesAfter), F(SimulatedSpeedup), ""));
    }

    /// <summary>JSON (schema 1): steps, totals, layers, numerics (null when skipped; SQNR null when the outputs are identical).</summary>
    public void WriteJson(Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("schema_version", 1);
        json.WriteString("source_workload", SourceWorkload);
        json.WriteString("output_workload", OutputWorkload);
        json.WriteString("config", ConfigName);
        json.WriteStartArray("steps");
        foreach (string step in Steps)
        {
            json.WriteStringValue(step);
        }

        json.WriteEndArray();
        json.WriteStartObject("total");
        WriteFigures(json, ParametersBefore, ParametersAfter, MacsBefore, MacsAfter, IdealSpeedup, CyclesBefore, CyclesAfter, SimulatedSpeedup);
        json.WriteEndObject();
        json.WriteStartArray("layers");
        foreach (CompressedLayer l in Layers)
        {
            json.WriteStartObject();
            json.WriteString("name", l.Name);
            json.WriteString("type", l.Type);
            json.WriteString("change", l.Change);
            WriteFigures(json, l.ParametersBefore, l.ParametersAfter, l.MacsBefore, l.MacsAfter, l.IdealSpeedup, l.CyclesBefore, l.CyclesAfter, l.SimulatedSpeedup);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (Numerics is { } n)
        {
            json.WriteStartObject("numerics");
            json.WriteNumber("inputs", n.Inputs);
            json.WriteNumber("seed", n.Seed);
            if (double.IsFinite(n.SqnrDb))
            {
                json.WriteNumber("output_sqnr_db", Math.Round(n.SqnrDb, 4));
            }
            else
            {
                json.WriteNull("output_sqnr_db");
            }

            json.WriteNumber("top1_agreement", n.Top1Agreement);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("numerics");
        }

        json.WriteEndObject();
    }

    private static void WriteFigures(Utf8JsonWriter json, long pb, long pa, long mb, long ma, double ideal, long cb, long ca, double simulated)
    {
        json.WriteNumber("params_before", pb);
        json.WriteNumber("params_after", pa);
        json.WriteNumber("macs_before", mb);
        json.WriteNumber("macs_after", ma);
        // A layer pruned to nothing has an infinite ideal speedup; JSON has no infinity, so it is null.
        if (double.IsFinite(ideal))
        {
            json.WriteNumber("ideal_speedup", Math.Round(ideal, 6));
        }
        else
        {
            json.WriteNull("ideal_speedup");
        }

        json.WriteNumber("cycles_before", cb);
        json.WriteNumber("cycles_after", ca);
        json.WriteNumber("simulated_speedup", Math.Round(simulated, 6));
    }

    private static int ArgMax(ReadOnlySpan<double> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);

    private static string X(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    private static string Db(double value) => double.IsPositiveInfinity(value) ? "inf" : value.ToString("F2", CultureInfo.InvariantCulture);

    private static string Csv(string value) => value.Contains(',') || value.Contains('"') ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
}
