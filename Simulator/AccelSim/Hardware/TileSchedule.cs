using System.Collections.Immutable;

namespace AccelSim.Hardware;

/// <summary>What the compute engine does in one step and what it needs resident while doing it.</summary>
/// <remarks>
/// Steps run one after another on one engine (the PE array or the vector unit). Tile indices are non-decreasing over the
/// steps, so each tile is in use by one contiguous run of steps: that is what lets two buffer halves double-buffer them.
/// A tile index of -1 means the step needs no tile of that kind.
/// </remarks>
public readonly record struct ComputeStep
{
    public required int IfmapTile { get; init; }

    public required int WeightTile { get; init; }

    /// <summary>Cycles the engine is busy, fill and drain included, when its operands stream at full rate.</summary>
    public required long ComputeCycles { get; init; }

    /// <summary>The part of <see cref="ComputeCycles"/> spent filling and draining the systolic pipeline.</summary>
    public required long FillDrainCycles { get; init; }

    public required long Macs { get; init; }

    /// <summary>MACs a skipping array left out because every weight in its columns was zero at those reduction steps.</summary>
    public long SkippedMacs { get; init; }

    /// <summary>Bytes the engine reads from the input-feature-map buffer during the step.</summary>
    public required long IfmapReadBytes { get; init; }

    /// <summary>Bytes the engine reads from the weight buffer during the step.</summary>
    public required long WeightReadBytes { get; init; }

    /// <summary>Bytes written to the output buffer when the step ends (0 while partial sums stay in the array).</summary>
    public required long OutputBytes { get; init; }

    /// <summary>Bytes of partial sums added into the output buffer during the step: each read and written back
    /// (row stationary's accumulation across channels and filter-row passes); 0 where partial sums stay in the array.</summary>
    public long PartialSumBytes { get; init; }

    /// <summary>Float elements converted to BFP mantissas on their way from the buffer into the array.</summary>
    public required long InputConversions { get; init; }

    /// <summary>Accumulator values converted back to float32 as they leave the array.</summary>
    public required long OutputConversions { get; init; }

    /// <summary>Reads and writes of the PEs' register files that the dataflow counts (row stationary: filter rows, ifmap
    /// rows and psums kept in each PE); 0 where operands only pass through pipeline registers.</summary>
    public long RegisterFileAccesses { get; init; }

    /// <summary>float32 operations on the vector unit (pooling, ReLU, residual adds; fused ReLU included).</summary>
    public required long VectorOps { get; init; }
}

/// <summary>The lowering of one layer onto the accelerator: tiles to fetch, in order, and the steps that consume them.</summary>
/// <param name="IfmapTileBytes">Bytes of each input tile, in fetch order.</param>
/// <param name="WeightTileBytes">Bytes of each weight tile, in fetch order.</param>
/// <param name="Steps">Engine steps in execution order.</param>
/// <param name="Engine">Which engine runs the steps.</param>
/// <param name="Description">How the layer was mapped, for logs and reports (folds, loop order, K chunks).</param>
public sealed record TileSchedule(
    ImmutableArray<long> IfmapTileBytes,
    ImmutableArray<long> WeightTileBytes,
    ImmutableArray<ComputeStep> Steps,
    EngineKind Engine,
    string Description);

/// <summary>The compute engine a layer runs on.</summary>
public enum EngineKind
{
    PeArray,
    VectorUnit,
}
