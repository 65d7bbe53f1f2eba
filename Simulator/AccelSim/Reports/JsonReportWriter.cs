using System.Text;
using System.Text.Json;
using AccelSim.Statistics;

namespace AccelSim.Reports;

/// <summary>JSON report, schema version 1 (documented in the README). Field names are snake_case; units are in the names.</summary>
public sealed class JsonReportWriter : IReportWriter
{
    public void Write(RunResult result, TextWriter output)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            json.WriteStartObject();
            json.WriteNumber("schema_version", RunResult.SchemaVersion);
            json.WriteString("config", result.ConfigName);
            json.WriteString("workload", result.WorkloadName);
            json.WriteNumber("batch", result.Batch);
            json.WriteNumber("pe_count", result.PeCount);
            json.WriteNumber("clock_mhz", result.ClockMegahertz);
            json.WriteBoolean("numerics", result.Agreement is not null);
            json.WriteStartArray("layers");
            foreach (LayerResult layer in result.Layers)
            {
                WriteLayer(json, layer);
            }

            json.WriteEndArray();
            WriteTotals(json, result);
            WriteArea(json, result.Area);
            WriteFpga(json, result.Fpga, result.FpgaLatencyMicroseconds);
            json.WriteEndObject();
        }

        output.Write(Encoding.UTF8.GetString(stream.ToArray()));
        output.Write('\n');
    }

    /// <summary>One element of "layers".</summary>
    private static void WriteLayer(Utf8JsonWriter json, LayerResult layer)
    {
        json.WriteStartObject();
        json.WriteString("name", layer.Name);
        json.WriteString("type", layer.Type);
        WriteCounts(json, layer.Macs, layer.TotalCycles, layer.ComputeCycles, layer.StallCycles,
            layer.StallCyclesByCause, layer.OverallUtilization, layer.DramReadBytes, layer.DramWriteBytes, layer.EnergyPicoJoules);
        WriteEnergyParts(json, "energy_pj_by_component", layer.Energy.ByComponent);
        json.WriteStartObject("energy_pj_by_action");
        foreach (var line in layer.Energy.Lines)
        {
            json.WriteNumber($"{line.Component}.{line.Action}", line.EnergyPicoJoules);
        }

        json.WriteEndObject();
        WriteNumerics(json, layer.Numerics);
        json.WriteNumber("leakage_pj", layer.LeakagePicoJoules);
        json.WriteNumber("dram_row_hits", layer.DramRowHits);
        json.WriteNumber("dram_row_misses", layer.DramRowMisses);
        json.WriteNumber("bank_conflict_cycles", layer.BankConflictCycles);
        WriteSplit(json, layer.UnifiedSplit);
        json.WriteString("mapping", layer.Mapping);
        json.WriteString("mapping_point", layer.MappingPoint);
        if (layer.OnnxNode is { } onnxNode)
        {
            json.WriteString("onnx_node", onnxNode);
        }
        else
        {
            json.WriteNull("onnx_node");
        }

        // Added fields, written only where fusion was asked for, so that earlier readers see the same document.
        if (layer.FusedInto is { } host)
        {
            json.WriteString("fused_into", host);
        }

        if (layer.NotFused is { } reason)
        {
            json.WriteString("not_fused", reason);
        }

        if (layer.FusedLayers is { } fused)
        {
            json.WriteString("fused_layers", fused);
        }

        // Added fields, written only where feature maps are zero-compressed.
        if (layer.Compression is { } c)
        {
            json.WriteString("compression", c.Format);
            json.WriteNumber("output_density", c.OutputDensity);
            json.WriteNumber("compression_ratio", c.OutputRatio);
            json.WriteNumber("compression_saved_bytes", c.SavedBytes);
            json.WriteNumber("compression_saved_cycles", c.SavedCycles);
            json.WriteNumber("compression_saved_energy_pj", c.SavedEnergyPicoJoules);
        }

        json.WriteEndObject();
    }

    /// <summary>A layer's numerics fields, each null when the run computed no numerics.</summary>
    private static void WriteNumerics(Utf8JsonWriter json, LayerNumerics? numerics)
    {
        WriteNullable(json, "sqnr_db", numerics?.Accumulated.SqnrDb);
        WriteNullable(json, "sqnr_local_db", numerics?.Local?.SqnrDb);
        WriteNullable(json, "nsr", numerics?.Accumulated.Nsr);
        WriteNullable(json, "max_abs_error", numerics?.Accumulated.MaxAbsError);
        WriteNullable(json, "mean_abs_error", numerics?.Accumulated.MeanAbsError);
        WriteNullable(json, "relative_rmse", numerics?.Accumulated.RelativeRmse);
        WriteNullable(json, "predicted_nsr", numerics?.PredictedNsr);
        WriteNullable(json, "predicted_sqnr_db", numerics?.PredictedSqnrDb);
        if (numerics is null)
        {
            json.WriteNull("exceeds_prediction");
        }
        else
        {
            json.WriteBoolean("exceeds_prediction", numerics.ExceedsPrediction);
        }

        WriteNullable(json, "input_saturations", numerics?.InputSaturations);
        WriteNullable(json, "weight_saturations", numerics?.WeightSaturations);
        WriteNullable(json, "accumulator_saturations", numerics?.AccumulatorSaturations);
        WriteNullable(json, "zero_operand_macs", numerics?.ZeroOperandMacs);
    }

    /// <summary>The "totals" object: the whole run's counts, output error and figures of merit.</summary>
    private static void WriteTotals(Utf8JsonWriter json, RunResult result)
    {
        json.WriteStartObject("totals");
        WriteCounts(json, result.TotalMacs, result.TotalCycles, result.ComputeCycles,
            result.StallCycles, result.StallCyclesByCause, result.OverallUtilization, result.DramReadBytes, result.DramWriteBytes,
            result.EnergyPicoJoules);
        WriteNullable(json, "sqnr_db", result.OutputError?.SqnrDb);
        WriteNullable(json, "nsr", result.OutputError?.Nsr);
        WriteNullable(json, "top1_agreement", result.Agreement?.Top1Agreement);
        WriteNullable(json, "top5_overlap", result.Agreement?.Top5Overlap);
        json.WriteNumber("latency_us", result.LatencyMicroseconds);
        json.WriteNumber("energy_per_inference_pj", result.EnergyPerInferencePicoJoules);
        json.WriteNumber("average_power_w", result.AveragePowerWatts);
        json.WriteNumber("tops_per_w", result.TopsPerWatt);
        json.WriteNumber("leakage_pj", result.LeakagePicoJoules);
        json.WriteNumber("dram_row_hits", result.DramRowHits);
        json.WriteNumber("dram_row_misses", result.DramRowMisses);
        json.WriteNumber("bank_conflict_cycles", result.BankConflictCycles);
        WriteNullable(json, "zero_operand_macs", result.ZeroOperandMacs);
        WriteEnergyParts(json, "energy_pj_by_component", result.EnergyPicoJoulesByComponent);
        WriteEnergyParts(json, "energy_pj_by_action", result.EnergyPicoJoulesByAction);
        json.WriteEndObject();
    }

    /// <summary>An object of picojoules by key (component, or <c>component.action</c>), in the dictionary's ordinal order.</summary>
    private static void WriteEnergyParts(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, double> parts)
    {
        json.WriteStartObject(name);
        foreach ((string key, double picoJoules) in parts)
        {
            json.WriteNumber(key, picoJoules);
        }

        json.WriteEndObject();
    }

    /// <summary>The bytes of a unified buffer each tensor had in the layer; null with separate buffers.</summary>
    private static void WriteSplit(Utf8JsonWriter json, BufferSplit? split)
    {
        if (split is null)
        {
            json.WriteNull("unified_split");
            return;
        }

        json.WriteStartObject("unified_split");
        json.WriteNumber("ifmap_bytes", split.IfmapBytes);
        json.WriteNumber("weights_bytes", split.WeightBytes);
        json.WriteNumber("ofmap_bytes", split.OfmapBytes);
        json.WriteEndObject();
    }

    private static void WriteArea(Utf8JsonWriter json, Energy.AreaEstimate? area)
    {
        if (area is null)
        {
            json.WriteNull("area");
            return;
        }

        json.WriteStartObject("area");
        json.WriteString("table", area.Table);
        json.WriteNumber("total_mm2", area.SquareMillimetres);
        json.WriteStartObject("mm2_by_component");
        foreach ((string component, double mm2) in area.ByComponent)
        {
            json.WriteNumber(component, mm2);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteFpga(Utf8JsonWriter json, Energy.FpgaEstimate? fpga, double? latencyMicroseconds)
    {
        if (fpga is null)
        {
            json.WriteNull("fpga");
            return;
        }

        json.WriteStartObject("fpga");
        json.WriteString("family", fpga.Family);
        json.WriteString("multiplier", fpga.MultiplierKind);
        json.WriteNumber("dsp", fpga.Dsp);
        json.WriteNumber("lut", fpga.Lut);
        json.WriteNumber("ff", fpga.FlipFlops);
        json.WriteNumber("bram", fpga.BlockRams);
        json.WriteNumber("clock_mhz", fpga.ClockMegahertz);
        WriteNullable(json, "latency_us", latencyMicroseconds);
        json.WriteString("notes", fpga.Notes);
        json.WriteEndObject();
    }

    private static void WriteCounts(
        Utf8JsonWriter json, long macs, long totalCycles, long computeCycles, long stallCycles,
        IReadOnlyDictionary<StallCause, long> stalls, double utilization, long dramRead, long dramWrite, double energyPicoJoules)
    {
        json.WriteNumber("macs", macs);
        json.WriteNumber("total_cycles", totalCycles);
        json.WriteNumber("compute_cycles", computeCycles);
        json.WriteNumber("stall_cycles", stallCycles);
        json.WriteStartObject("stall_cycles_by_cause");
        foreach ((StallCause cause, long cycles) in stalls)
        {
            json.WriteNumber(ReportFields.StallKey(cause), cycles);
        }

        json.WriteEndObject();
        json.WriteNumber("overall_utilization", utilization);
        json.WriteNumber("dram_read_bytes", dramRead);
        json.WriteNumber("dram_write_bytes", dramWrite);
        json.WriteNumber("energy_pj", energyPicoJoules);
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v && ReportFields.Finite(v) is { } finite)
        {
            json.WriteNumber(name, finite);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
