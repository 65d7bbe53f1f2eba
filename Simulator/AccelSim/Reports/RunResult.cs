using System.Collections.Immutable;
using AccelSim.Energy;
using AccelSim.Statistics;

namespace AccelSim.Reports;

/// <summary>How wrong the BFP datapath was in one layer, against the double-precision reference (the figures of docs/numerics.md).</summary>
/// <param name="Accumulated">BFP path output against the reference output: error carried through the network.</param>
/// <param name="Local">This layer's BFP datapath applied to the reference input: the layer's own error; null for layers
/// that do not run the BFP datapath (pooling, ReLU, residual adds).</param>
/// <param name="PredictedNsr">The four-stage model's NSR of this layer's output (docs/numerics.md), carried from earlier layers.</param>
public sealed record LayerNumerics(
    ErrorFigures Accumulated,
    ErrorFigures? Local,
    long InputSaturations,
    long WeightSaturations,
    long AccumulatorSaturations,
    double PredictedNsr)
{
    /// <summary>SQNR the four-stage model predicts, dB.</summary>
    public double PredictedSqnrDb => PredictedNsr == 0 ? double.PositiveInfinity : -10 * Math.Log10(PredictedNsr);

    /// <summary>True when the measured (accumulated) NSR exceeds the predicted one by more than 2×.</summary>
    public bool ExceedsPrediction => Accumulated.Nsr > 2.0 * PredictedNsr;

    /// <summary>MACs of this layer (all batch items) with a zero weight or a zero input, as the PEs saw them; 0 for vector layers.</summary>
    public long ZeroOperandMacs { get; init; }

    /// <summary>Fraction of the layer's stored output elements (BFP path, all batch items) that are nonzero.</summary>
    public double OutputDensity { get; init; } = 1;
}

/// <summary>Error figures of one comparison. <see cref="SqnrDb"/> is +∞ when the outputs are identical.</summary>
public sealed record ErrorFigures(double SqnrDb, double Nsr, double MaxAbsError, double MeanAbsError, double RelativeRmse);

/// <summary>Everything measured for one layer. Immutable; every report writer reads only this.</summary>
public sealed record LayerResult
{
    public required string Name { get; init; }

    /// <summary>The ONNX node an imported layer starts with; null for layers not imported from ONNX.</summary>
    public string? OnnxNode { get; init; }

    /// <summary>Layer type as written in workloads (conv, fc, max_pool, avg_pool, add, relu, concat).</summary>
    public required string Type { get; init; }

    public required long Macs { get; init; }

    public required long TotalCycles { get; init; }

    public required long ComputeCycles { get; init; }

    public required ImmutableSortedDictionary<StallCause, long> StallCyclesByCause { get; init; }

    public long StallCycles => StallCyclesByCause.Values.Sum();

    /// <summary>Useful MACs over what the PE array could do in <see cref="TotalCycles"/>; range 0..1.</summary>
    public required double OverallUtilization { get; init; }

    public required long DramReadBytes { get; init; }

    public required long DramWriteBytes { get; init; }

    /// <summary>DRAM bursts that found their row open, and that had to open one; 0 without the banks model.</summary>
    public long DramRowHits { get; init; }

    public long DramRowMisses { get; init; }

    public required EnergyBreakdown Energy { get; init; }

    public double EnergyPicoJoules => Energy.TotalPicoJoules;

    /// <summary>The static (leakage) part of <see cref="EnergyPicoJoules"/>.</summary>
    public double LeakagePicoJoules => Energy.Lines.Where(l => l.IsLeakage).Sum(l => l.EnergyPicoJoules);

    /// <summary>Efficiency in tera-operations per second per watt, counting a MAC as two operations: 2·MACs / pJ; 0
    /// without energy.</summary>
    public double TopsPerWatt => RunResult.TopsPerWattOf(Macs, EnergyPicoJoules);

    /// <summary>Null when the run skipped numerics.</summary>
    public required LayerNumerics? Numerics { get; init; }

    public required string Mapping { get; init; }

    /// <summary>The point of the layer's mapping space it ran: <c>heuristic</c>, or the limits a mapping search chose as
    /// <c>key=value</c> pairs.</summary>
    public string MappingPoint { get; init; } = "heuristic";

    /// <summary>Part of the SRAM-bandwidth stall due to bank conflicts.</summary>
    public long BankConflictCycles { get; init; }

    /// <summary>How the layer split a unified buffer; null with separate buffers.</summary>
    public BufferSplit? UnifiedSplit { get; init; }

    /// <summary>The producer whose output path ran this layer (fused: no cycles, traffic or energy of its own, all in
    /// the producer's row); null when it ran on its own.</summary>
    public string? FusedInto { get; init; }

    /// <summary>Why this layer, asked to fuse, was not; null otherwise.</summary>
    public string? NotFused { get; init; }

    /// <summary>The layers fused into this layer's output path (names and kinds); null when none.</summary>
    public string? FusedLayers { get; init; }

    /// <summary>The layer's fusion in words: <c>fused into X</c>, <c>not fused: why</c>, <c>output path: layers</c>, or null.</summary>
    public string? FusionNote => FusedInto is { } host ? $"fused into {host}"
        : NotFused is { } reason ? $"not fused: {reason}"
        : FusedLayers is { } layers ? $"output path: {layers}"
        : null;

    public required long Events { get; init; }

    /// <summary>The zero compression of the layer's DRAM traffic; null when neither its input nor its output is compressed.</summary>
    public FeatureMapCompressionResult? Compression { get; init; }
}

/// <summary>A layer's zero compression of feature maps in DRAM (docs/memory.md).</summary>
/// <param name="Format">The compression of the layer's output (<c>none</c>, <c>run_length</c>, <c>bitmap</c>).</param>
/// <param name="OutputDensity">Fraction of the output's elements taken as nonzero (measured, given or the default).</param>
/// <param name="OutputRatio">DRAM bytes over buffer bytes of the output (1: not compressed).</param>
/// <param name="SavedBytes">DRAM bytes the compression saved: the compressed inputs read plus the outputs written.</param>
public sealed record FeatureMapCompressionResult(string Format, double OutputDensity, double OutputRatio, long SavedBytes)
{
    /// <summary>The layer's cycles with no compression less its cycles with it (the same network's timing run once more
    /// with <c>activation_compression: none</c>); negative where the codecs cost more than the traffic they saved.</summary>
    public long SavedCycles { get; init; }

    /// <summary>The layer's energy with no compression less its energy with it, from the same comparison run.</summary>
    public double SavedEnergyPicoJoules { get; init; }
}

/// <summary>Agreement of the BFP network's final output with the reference over the run's inputs.</summary>
/// <param name="Top1Agreement">Fraction of inputs whose arg-max class is the same; range 0..1.</param>
/// <param name="Top5Overlap">Mean fraction of the reference top-5 classes also in the BFP top 5; range 0..1.</param>
public sealed record OutputAgreement(double Top1Agreement, double Top5Overlap, int Inputs);

/// <summary>The outcome of one run: one accelerator, one workload. Reports never recompute anything from elsewhere.</summary>
public sealed record RunResult
{
    public const int SchemaVersion = 1;

    public required string ConfigName { get; init; }

    public required string WorkloadName { get; init; }

    public required int Batch { get; init; }

    public required int PeCount { get; init; }

    public required double ClockMegahertz { get; init; }

    public required ImmutableArray<LayerResult> Layers { get; init; }

    /// <summary>Null when numerics were skipped.</summary>
    public required OutputAgreement? Agreement { get; init; }

    /// <summary>ASIC area from the energy table's cited areas; null when it gives none.</summary>
    public AreaEstimate? Area { get; init; }

    /// <summary>FPGA resources from the table's cited figures; null when it gives none or they do not apply.</summary>
    public FpgaEstimate? Fpga { get; init; }

    /// <summary>Latency at the clock the FPGA estimate reaches, microseconds; null without an FPGA estimate.</summary>
    public double? FpgaLatencyMicroseconds => Fpga is { } f ? TotalCycles / f.ClockMegahertz : null;

    public double LeakagePicoJoules => Layers.Sum(l => l.LeakagePicoJoules);

    /// <summary>MACs with a zero operand over all layers; null when numerics were skipped.</summary>
    public long? ZeroOperandMacs => Agreement is null ? null : Layers.Sum(l => l.Numerics?.ZeroOperandMacs ?? 0);

    public long TotalMacs => Layers.Sum(l => l.Macs);

    public long TotalCycles => Layers.Sum(l => l.TotalCycles);

    /// <summary>Latency of the run at the configured clock, microseconds: cycles / MHz.</summary>
    public double LatencyMicroseconds => TotalCycles / ClockMegahertz;

    public long ComputeCycles => Layers.Sum(l => l.ComputeCycles);

    public long StallCycles => Layers.Sum(l => l.StallCycles);

    public long DramReadBytes => Layers.Sum(l => l.DramReadBytes);

    public long DramWriteBytes => Layers.Sum(l => l.DramWriteBytes);

    public long DramRowHits => Layers.Sum(l => l.DramRowHits);

    public long DramRowMisses => Layers.Sum(l => l.DramRowMisses);

    public long BankConflictCycles => Layers.Sum(l => l.BankConflictCycles);

    /// <summary>True when a layer was imported from ONNX: the table and the CSV then carry each layer's ONNX node.</summary>
    public bool ReportsOnnxNodes => Layers.Any(l => l.OnnxNode is not null);

    /// <summary>True when the run fused a layer or was asked to: the reports then say so per layer.</summary>
    public bool ReportsFusion => Layers.Any(l => l.FusionNote is not null);

    /// <summary>True when some layer's feature maps are zero-compressed: the reports then carry the compression.</summary>
    public bool ReportsCompression => Layers.Any(l => l.Compression is not null);

    /// <summary>DRAM bytes zero compression saved over every layer.</summary>
    public long CompressionSavedBytes => Layers.Sum(l => l.Compression?.SavedBytes ?? 0);

    /// <summary>Cycles zero compression saved over every layer (against the same run with compression none).</summary>
    public long CompressionSavedCycles => Layers.Sum(l => l.Compression?.SavedCycles ?? 0);

    /// <summary>Energy zero compression saved over every layer (against the same run with compression none).</summary>
    public double CompressionSavedEnergyPicoJoules => Layers.Sum(l => l.Compression?.SavedEnergyPicoJoules ?? 0);

    /// <summary>True when the run's buffers are banked or unified: the reports then carry bank conflicts and splits.</summary>
    public bool ReportsBuffers { get; init; }

    public double EnergyPicoJoules => Layers.Sum(l => l.EnergyPicoJoules);

    /// <summary>Energy per component over all layers, pJ, ordinal order: each the sum, in layer order, of the layers' parts.
    /// Together they make <see cref="EnergyPicoJoules"/> (the same lines summed in another order).</summary>
    public ImmutableSortedDictionary<string, double> EnergyPicoJoulesByComponent => SumOverLayers(l => l.Energy.ByComponent);

    /// <summary>Energy per action over all layers, pJ, keyed <c>component.action</c>, ordinal order.</summary>
    public ImmutableSortedDictionary<string, double> EnergyPicoJoulesByAction => SumOverLayers(l => l.Energy.ByAction);

    public double OverallUtilization => TotalCycles == 0 ? 0 : (double)TotalMacs / ((double)PeCount * TotalCycles);

    /// <summary>Energy of one inference (one batch item), pJ.</summary>
    public double EnergyPerInferencePicoJoules => Batch == 0 ? 0 : EnergyPicoJoules / Batch;

    /// <summary>Average power over the run at the configured clock, watts: pJ / (cycles / MHz µs).</summary>
    public double AveragePowerWatts => Watts(EnergyPicoJoules, TotalCycles);

    /// <summary>Efficiency in tera-operations per second per watt, counting a MAC as two operations: 2·MACs / pJ.</summary>
    public double TopsPerWatt => TopsPerWattOf(TotalMacs, EnergyPicoJoules);

    public ImmutableSortedDictionary<StallCause, long> StallCyclesByCause =>
        StallCauses.All.ToImmutableSortedDictionary(c => c, c => Layers.Sum(l => l.StallCyclesByCause.GetValueOrDefault(c)));

    /// <summary>Energy of one layer per inference (one batch item), pJ.</summary>
    public double LayerEnergyPerInferencePicoJoules(LayerResult layer) =>
        Batch == 0 ? 0 : (layer ?? throw new ArgumentNullException(nameof(layer))).EnergyPicoJoules / Batch;

    /// <summary>Average power of one layer over its cycles at the configured clock, watts.</summary>
    public double LayerAveragePowerWatts(LayerResult layer) =>
        Watts((layer ?? throw new ArgumentNullException(nameof(layer))).EnergyPicoJoules, layer.TotalCycles);

    /// <summary>2 operations per MAC over the energy: ops/pJ = TOPS/W; 0 without energy.</summary>
    internal static double TopsPerWattOf(long macs, double picoJoules) => picoJoules == 0 ? 0 : 2.0 * macs / picoJoules;

    /// <summary>Watts: pJ over <paramref name="cycles"/> at the clock, (cycles / MHz) µs; 0 for no cycles.</summary>
    private double Watts(double picoJoules, long cycles) => cycles == 0 ? 0 : picoJoules * 1e-12 / (cycles / (ClockMegahertz * 1e6));

    private ImmutableSortedDictionary<string, double> SumOverLayers(Func<LayerResult, ImmutableSortedDictionary<string, double>> parts)
    {
        var sums = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (LayerResult layer in Layers)
        {
            foreach ((string key, double picoJoules) in parts(layer))
            {
                sums[key] = sums.GetValueOrDefault(key) + picoJoules;
            }
        }

        return sums.ToImmutableSortedDictionary(StringComparer.Ordinal);
    }

    /// <summary>The network output's accumulated error (the last layer's), or null without numerics.</summary>
    public ErrorFigures? OutputError => Layers.IsEmpty ? null : Layers[^1].Numerics?.Accumulated;
}
