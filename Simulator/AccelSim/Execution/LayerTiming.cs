using System.Collections.Immutable;
using AccelSim.Reports;
using AccelSim.Statistics;

namespace AccelSim.Execution;

/// <summary>What the timing simulation of one layer measured: cycles by kind, traffic, and every action counted.</summary>
public sealed record LayerTiming
{
    public required long TotalCycles { get; init; }

    /// <summary>Cycles the engine computed: a MAC wave (or vector batch) every cycle; fill and drain are a stall cause.</summary>
    public required long ComputeCycles { get; init; }

    /// <summary>Stall cycles by cause; they add up to <see cref="StallCycles"/>.</summary>
    public required ImmutableSortedDictionary<StallCause, long> StallCyclesByCause { get; init; }

    public long StallCycles => StallCyclesByCause.Values.Sum();

    public required long DramReadBytes { get; init; }

    public required long DramWriteBytes { get; init; }

    public required ActivityCounts Activity { get; init; }

    /// <summary>How the layer was mapped (folds, tiles, loop order).</summary>
    public required string Mapping { get; init; }

    public required long Events { get; init; }

    /// <summary>Part of the SRAM-bandwidth stall due to bank conflicts.</summary>
    public long BankConflictCycles { get; init; }

    /// <summary>How the layer split a unified buffer; null with separate buffers.</summary>
    public BufferSplit? UnifiedSplit { get; init; }

    /// <summary>Every statistic the components registered, with units and descriptions.</summary>
    public required StatsSnapshot Stats { get; init; }
}

/// <summary>Actions the hardware performed in one layer: what the energy model prices.</summary>
public sealed record ActivityCounts
{
    /// <summary>MACs the PEs performed.</summary>
    public required long Macs { get; init; }

    /// <summary>MACs a skipping array left out (zero weights in all its columns); performed + skipped = the layer's MACs.</summary>
    public long SkippedMacs { get; init; }

    public required long IfmapReadWords { get; init; }

    public required long IfmapWriteWords { get; init; }

    public required long WeightReadWords { get; init; }

    public required long WeightWriteWords { get; init; }

    public required long OfmapReadWords { get; init; }

    public required long OfmapWriteWords { get; init; }

    public required long DramReadBytes { get; init; }

    public required long DramWriteBytes { get; init; }

    public required long InputConversions { get; init; }

    /// <summary>Input BFP blocks formatted at run time, each with its shared exponent (BFP arithmetic, conv and FC).</summary>
    public long InputBlocks { get; init; }

    /// <summary>E-bit exponent comparisons that found those blocks' maxima.</summary>
    public long ExponentComparisons { get; init; }

    public required long OutputConversions { get; init; }

    public required long VectorOps { get; init; }

    /// <summary>PE register-file reads and writes (row stationary); 0 for the systolic dataflows.</summary>
    public long RegisterFileAccesses { get; init; }
}
