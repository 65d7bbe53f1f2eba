using System.Globalization;
using AccelSim.Statistics;

namespace AccelSim.Reports;

/// <summary>CSV report: one row per layer, then a <c>total</c> row. Empty cells where a value does not apply; <c>inf</c> for an exact SQNR.</summary>
public sealed class CsvReportWriter : IReportWriter
{
    public void Write(RunResult result, TextWriter output)
    {
        var stallCauses = StallCauses.All;
        var header = new List<string> { "name", "type", "macs", "total_cycles", "compute_cycles", "stall_cycles" };
        header.AddRange(stallCauses.Select(c => $"stall_{ReportFields.StallKey(c)}_cycles"));
        header.AddRange(["overall_utilization", "dram_read_bytes", "dram_write_bytes", "energy_pj", "sqnr_db", "sqnr_local_db", "nsr",
            "max_abs_error", "mean_abs_error", "relative_rmse", "predicted_nsr", "predicted_sqnr_db", "exceeds_prediction", "input_saturations", "weight_saturations", "accumulator_saturations",
            "zero_operand_macs", "leakage_pj", "energy_per_inference_pj", "average_power_w", "tops_per_w", "dram_row_hits", "dram_row_misses"]);

        // Banked or unified buffers add their columns (other runs keep the columns they always had).
        bool buffers = result.ReportsBuffers;
        if (buffers)
        {
            header.AddRange(["bank_conflict_cycles", "unified_ifmap_bytes", "unified_weights_bytes", "unified_ofmap_bytes"]);
        }

        bool onnx = result.ReportsOnnxNodes;
        if (onnx)
        {
            header.Add("onnx_node");
        }

        bool fusion = result.ReportsFusion;
        if (fusion)
        {
            header.Add("fusion");
        }

        // Energy by component, then by component.action: one column for each the run priced anywhere, last so that the
        // columns before keep their places.
        var components = result.EnergyPicoJoulesByComponent;
        var actions = result.EnergyPicoJoulesByAction;
        header.AddRange(components.Keys.Select(c => $"energy_{c}_pj"));
        header.AddRange(actions.Keys.Select(a => $"energy_{a}_pj"));

        // Zero compression appends its columns at the very end (other runs keep the columns they always had).
        bool compression = result.ReportsCompression;
        if (compression)
        {
            header.AddRange(["compression", "output_density", "compression_ratio", "compression_saved_bytes", "compression_saved_cycles", "compression_saved_energy_pj"]);
        }

        output.Write(string.Join(',', header));
        output.Write('\n');

        foreach (LayerResult layer in result.Layers)
        {
            var n = layer.Numerics;
            var cells = new List<string> { Quote(layer.Name), layer.Type, Format(layer.Macs), Format(layer.TotalCycles), Format(layer.ComputeCycles),
                Format(layer.StallCycles) };
            cells.AddRange(stallCauses.Select(c => Format(layer.StallCyclesByCause.GetValueOrDefault(c))));
            cells.AddRange([Format(layer.OverallUtilization), Format(layer.DramReadBytes), Format(layer.DramWriteBytes), Format(layer.EnergyPicoJoules),
                Format(n?.Accumulated.SqnrDb), Format(n?.Local?.SqnrDb), Format(n?.Accumulated.Nsr), Format(n?.Accumulated.MaxAbsError),
                Format(n?.Accumulated.MeanAbsError), Format(n?.Accumulated.RelativeRmse), Format(n?.PredictedNsr), Format(n?.PredictedSqnrDb),
                n is null ? "" : n.ExceedsPrediction ? "true" : "false", Format(n?.InputSaturations), Format(n?.WeightSaturations),
                Format(n?.AccumulatorSaturations), Format(n?.ZeroOperandMacs), Format(layer.LeakagePicoJoules),
                Format(result.LayerEnergyPerInferencePicoJoules(layer)), Format(result.LayerAveragePowerWatts(layer)), Format(layer.TopsPerWatt),
                Format(layer.DramRowHits), Format(layer.DramRowMisses)]);
            if (buffers)
            {
                cells.AddRange([Format(layer.BankConflictCycles), Format(layer.UnifiedSplit?.IfmapBytes), Format(layer.UnifiedSplit?.WeightBytes),
                    Format(layer.UnifiedSplit?.OfmapBytes)]);
            }

            if (onnx)
            {
                cells.Add(Quote(layer.OnnxNode ?? ""));
            }

            if (fusion)
            {
                cells.Add(Quote(layer.FusionNote ?? ""));
            }

            var layerComponents = layer.Energy.ByComponent;
            var layerActions = layer.Energy.ByAction;
            cells.AddRange(components.Keys.Select(c => Format(layerComponents.GetValueOrDefault(c))));
            cells.AddRange(actions.Keys.Select(a => Format(layerActions.GetValueOrDefault(a))));
            if (compression)
            {
                var c = layer.Compression;
                cells.AddRange([c?.Format ?? "", Format(c?.OutputDensity), Format(c?.OutputRatio), Format(c?.SavedBytes), Format(c?.SavedCycles),
                    Format(c?.SavedEnergyPicoJoules)]);
            }

            output.Write(string.Join(',', cells));
            output.Write('\n');
        }

        var e = result.OutputError;
        var totals = new List<string> { "total", "", Format(result.TotalMacs), Format(result.TotalCycles), Format(result.ComputeCycles),
            Format(result.StallCycles) };
        totals.AddRange(stallCauses.Select(c => Format(result.StallCyclesByCause[c])));
        totals.AddRange([Format(result.OverallUtilization), Format(result.DramReadBytes), Format(result.DramWriteBytes), Format(result.EnergyPicoJoules),
            Format(e?.SqnrDb), "", Format(e?.Nsr), Format(e?.MaxAbsError), Format(e?.MeanAbsError), Format(e?.RelativeRmse), "", "", "", "", "", "",
            Format(result.ZeroOperandMacs), Format(result.LeakagePicoJoules), Format(result.EnergyPerInferencePicoJoules), Format(result.AveragePowerWatts),
            Format(result.TopsPerWatt), Format(result.DramRowHits), Format(result.DramRowMisses)]);
        if (buffers)
        {
            totals.AddRange([Format(result.BankConflictCycles), "", "", ""]);
        }

        if (onnx)
        {
            totals.Add("");
        }

        if (fusion)
        {
            totals.Add("");
        }

        totals.AddRange(components.Values.Select(v => Format(v)));
        totals.AddRange(actions.Values.Select(v => Format(v)));
        if (compression)
        {
            totals.AddRange(["", "", "", Format(result.CompressionSavedBytes), Format(result.CompressionSavedCycles), Format(result.CompressionSavedEnergyPicoJoules)]);
        }

        output.Write(string.Join(',', totals));
        output.Write('\n');
    }

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Format(long? value) => value is { } v ? Format(v) : "";

    private static string Format(double? value) => value switch
    {
        null => "",
        double.PositiveInfinity => "inf",
        double v => v.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string Quote(string text) => text.Contains(',', StringComparison.Ordinal) || text.Contains('"', StringComparison.Ordinal)
        ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\""
        : text;
}
