using System.Collections;

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

    /// <summary>Vector-unit operations of layers fused into this one's output path (also in <see cref="VectorOps"/>): they
    /// run at the vector unit's lanes per cycle beside the step, and hold it back when slower.</summary>
    public long FusedVectorOps { get; init; }

    /// <summary>Bytes of the step's own results written into the output buffer's line buffer, where fused layers read
    /// them (<see cref="OutputBytes"/> is then what the fused layers make, the part that drains).</summary>
    public long LineBufferBytes { get; init; }

    /// <summary>Bytes the vector unit reads from the line buffer for the fused layers.</summary>
    public long FusedReadBytes { get; init; }

    /// <summary>Where the step sits in its mapping's loop nest, for traces; empty where the mapper names no loops.</summary>
    public LoopCoordinates Loop { get; init; }
}

/// <summary>What a mapping plan emits, in order: a tile to fetch into the ifmap or the weight buffer, or a step to run.</summary>
public readonly record struct ScheduleEntry
{
    private ScheduleEntry(ScheduleEntryKind kind, long tileBytes, ComputeStep step)
    {
        Kind = kind;
        TileBytes = tileBytes;
        Step = step;
    }

    public ScheduleEntryKind Kind { get; }

    /// <summary>Bytes of the tile (0 for a step).</summary>
    public long TileBytes { get; }

    /// <summary>The step (default for a tile).</summary>
    public ComputeStep Step { get; }

    /// <summary>The next input tile, of <paramref name="bytes"/> bytes.</summary>
    public static ScheduleEntry IfmapTile(long bytes) => new(ScheduleEntryKind.IfmapTile, bytes, default);

    /// <summary>The next weight tile, of <paramref name="bytes"/> bytes.</summary>
    public static ScheduleEntry WeightTile(long bytes) => new(ScheduleEntryKind.WeightTile, bytes, default);

    /// <summary>The next engine step.</summary>
    public static ScheduleEntry Compute(in ComputeStep step) => new(ScheduleEntryKind.Step, 0, step);
}

/// <summary>The kinds of <see cref="ScheduleEntry"/>.</summary>
public enum ScheduleEntryKind
{
    IfmapTile,
    WeightTile,
    Step,
}

/// <summary>The lowering of one layer onto the accelerator: tiles to fetch, in order, and the steps that consume them.</summary>
/// <remarks>
/// A schedule is generated, not stored: its plan emits the entries again each time they are enumerated, so a layer of
/// millions of folds holds no more memory than one of a few (the simulation pulls steps and tiles as it goes). One pass
/// at construction takes the totals callers need (counts, bytes) and surfaces any mapping error before a simulation
/// starts. The plan must emit the same entries on every enumeration.
/// </remarks>
public sealed class TileSchedule
{
    private readonly Func<IEnumerable<ScheduleEntry>> _entries;

    /// <summary>The same tiles in the same order without the steps, when the plan can emit them more cheaply; null
    /// filters <see cref="_entries"/>.</summary>
    private readonly Func<IEnumerable<ScheduleEntry>>? _tiles;

    /// <param name="entries">Emits the schedule's entries afresh on each call, tiles and steps in execution order.</param>
    /// <param name="engine">Which engine runs the steps.</param>
    /// <param name="description">How the layer was mapped, for logs and reports (folds, loop order, K chunks).</param>
    /// <param name="totals">The totals of <paramref name="entries"/> when the plan knows them without a walk (equal,
    /// field for field, to <see cref="ScheduleTotals.Walk"/> of them: a test holds the two together); null walks the
    /// entries once.</param>
    /// <param name="tiles">Emits the same tiles as <paramref name="entries"/>, in the same order, without the steps (the
    /// loaders read tiles ahead of the engine, each on its own enumeration, and need no step); null: the entries
    /// filtered.</param>
    /// <exception cref="OverflowException">A total exceeds <see cref="long.MaxValue"/>.</exception>
    public TileSchedule(
        Func<IEnumerable<ScheduleEntry>> entries, EngineKind engine, string description, ScheduleTotals? totals = null, Func<IEnumerable<ScheduleEntry>>? tiles = null)
    {
        _entries = entries;
        _tiles = tiles;
        Engine = engine;
        Description = description;
        Totals = totals ?? ScheduleTotals.Walk(entries());
        TotalsFromPlan = totals is not null;
        IfmapTileBytes = new TileSequence(() => Tiles(ScheduleEntryKind.IfmapTile), Totals.IfmapTiles, Totals.IfmapBytes, Totals.LargestIfmapBytes);
        WeightTileBytes = new TileSequence(() => Tiles(ScheduleEntryKind.WeightTile), Totals.WeightTiles, Totals.WeightBytes, Totals.LargestWeightBytes);
        Steps = new StepSequence(StepsInOrder, Totals.Steps, Totals.OutputBytes)
        {
            LargestOutputBytes = Totals.LargestOutputBytes, LargestLineBufferBytes = Totals.LargestLineBufferBytes,
        };
    }

    /// <summary>A schedule of explicit lists (tests, the empty schedule).</summary>
    public TileSchedule(IEnumerable<long> ifmapTileBytes, IEnumerable<long> weightTileBytes, IEnumerable<ComputeStep> steps, EngineKind engine, string description)
        : this(
            () => ifmapTileBytes.Select(ScheduleEntry.IfmapTile)
                .Concat(weightTileBytes.Select(ScheduleEntry.WeightTile))
                .Concat(steps.Select(step => ScheduleEntry.Compute(step))),
            engine,
            description)
    {
    }

    private TileSchedule(TileSchedule schedule, string description)
    {
        _entries = schedule._entries;
        _tiles = schedule._tiles;
        Engine = schedule.Engine;
        Description = description;
        IfmapTileBytes = schedule.IfmapTileBytes;
        WeightTileBytes = schedule.WeightTileBytes;
        Steps = schedule.Steps;
        Totals = schedule.Totals;
        TotalsFromPlan = schedule.TotalsFromPlan;
    }

    /// <summary>Bytes of each input tile, in fetch order.</summary>
    public TileSequence IfmapTileBytes { get; }

    /// <summary>Bytes of each weight tile, in fetch order.</summary>
    public TileSequence WeightTileBytes { get; }

    /// <summary>Engine steps in execution order.</summary>
    public StepSequence Steps { get; }

    /// <summary>Sums over the steps and the first and last of them, taken when the schedule is built, so a bound of the
    /// mapping's cost needs no other pass.</summary>
    public StepTotals StepSums => Totals.StepSums;

    /// <summary>Everything the schedule's construction took from its entries.</summary>
    public ScheduleTotals Totals { get; }

    /// <summary>True when the plan supplied <see cref="Totals"/> (no walk built them).</summary>
    internal bool TotalsFromPlan { get; }

    /// <summary>The entries, steps included, as the plan emits them (tests compare them with the tiles alone).</summary>
    internal IEnumerable<ScheduleEntry> Entries() => _entries();

    /// <summary>The totals walked from the entries afresh, whatever the plan supplied (tests compare the two).</summary>
    public ScheduleTotals WalkedTotals() => ScheduleTotals.Walk(_entries());

    /// <summary>Which engine runs the steps.</summary>
    public EngineKind Engine { get; }

    /// <summary>How the layer was mapped, for logs and reports (folds, loop order, K chunks).</summary>
    public string Description { get; }

    /// <summary>The schedule with its entries passed through <paramref name="rewrite"/> (on every enumeration), and
    /// <paramref name="description"/>; one pass takes the new totals.</summary>
    public TileSchedule Rewritten(Func<IEnumerable<ScheduleEntry>, IEnumerable<ScheduleEntry>> rewrite, string description)
    {
        ArgumentNullException.ThrowIfNull(rewrite);
        Func<IEnumerable<ScheduleEntry>> entries = _entries;
        return new TileSchedule(() => rewrite(entries()), Engine, description);
    }

    /// <summary>The same schedule with another description (one that states the totals), without another pass.</summary>
    public TileSchedule WithDescription(string description) => new(this, description);

    private IEnumerable<long> Tiles(ScheduleEntryKind kind)
    {
        foreach (ScheduleEntry entry in (_tiles ?? _entries)())
        {
            if (entry.Kind == kind)
            {
                yield return entry.TileBytes;
            }
        }
    }

    private IEnumerable<ComputeStep> StepsInOrder()
    {
        foreach (ScheduleEntry entry in _entries())
        {
            if (entry.Kind == ScheduleEntryKind.Step)
            {
                yield return entry.Step;
            }
        }
    }
}

/// <summary>What building a schedule takes from its entries: tile counts and bytes, step count, the steps' sums and
/// their first and last step.</summary>
/// <remarks>A walk over every entry gives them (<see cref="Walk"/>); a plan that knows them from its loop counts supplies
/// them instead, so that building a schedule does not cost a pass over millions of steps.</remarks>
public sealed record ScheduleTotals
{
    public long IfmapTiles { get; init; }

    public long IfmapBytes { get; init; }

    public long LargestIfmapBytes { get; init; }

    public long WeightTiles { get; init; }

    public long WeightBytes { get; init; }

    public long LargestWeightBytes { get; init; }

    public long Steps { get; init; }

    /// <summary><see cref="ComputeStep.OutputBytes"/> summed over the steps.</summary>
    public long OutputBytes { get; init; }

    public long LargestOutputBytes { get; init; }

    public long LargestLineBufferBytes { get; init; }

    public StepTotals StepSums { get; init; }

    /// <summary>The totals of <paramref name="entries"/>, entry by entry.</summary>
    /// <exception cref="OverflowException">A total exceeds <see cref="long.MaxValue"/>.</exception>
    public static ScheduleTotals Walk(IEnumerable<ScheduleEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var counter = new TotalsCounter();
        long? firstIfmap = null, firstWeight = null;
        ComputeStep? first = null;
        ComputeStep last = default;
        foreach (ScheduleEntry entry in entries)
        {
            switch (entry.Kind)
            {
                case ScheduleEntryKind.IfmapTile:
                    firstIfmap ??= entry.TileBytes;
                    counter.Ifmap(1, entry.TileBytes);
                    break;
                case ScheduleEntryKind.WeightTile:
                    firstWeight ??= entry.TileBytes;
                    counter.Weight(1, entry.TileBytes);
                    break;
                default:
                    counter.Step(entry.Step, 1);
                    first ??= entry.Step;
                    last = entry.Step;
                    break;
            }
        }

        return counter.Build(first, first is null ? null : last, firstIfmap ?? 0, firstWeight ?? 0);
    }
}

/// <summary>A schedule's tiles of one kind: bytes of each, in fetch order, generated on each enumeration.</summary>
public sealed class TileSequence : IEnumerable<long>
{
    private readonly Func<IEnumerable<long>> _tiles;

    internal TileSequence(Func<IEnumerable<long>> tiles, long length, long totalBytes, long largestBytes)
    {
        _tiles = tiles;
        Length = length;
        TotalBytes = totalBytes;
        LargestBytes = largestBytes;
    }

    /// <summary>The number of tiles.</summary>
    public long Length { get; }

    /// <summary>Bytes of all the tiles together.</summary>
    public long TotalBytes { get; }

    /// <summary>Bytes of the largest tile (0 when there is none).</summary>
    public long LargestBytes { get; }

    /// <inheritdoc/>
    public IEnumerator<long> GetEnumerator() => _tiles().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Sums over a schedule's steps (<see cref="TileSchedule.StepSums"/>), with its first and last step and the
/// bytes of its first input and weight tiles.</summary>
public readonly record struct StepTotals
{
    public long ComputeCycles { get; init; }

    public long Macs { get; init; }

    public long IfmapReadBytes { get; init; }

    public long WeightReadBytes { get; init; }

    public long PartialSumBytes { get; init; }

    public long RegisterFileAccesses { get; init; }

    public long InputConversions { get; init; }

    public long OutputConversions { get; init; }

    /// <summary>The first step; null for a schedule without steps.</summary>
    public ComputeStep? First { get; init; }

    /// <summary>The last step; null for a schedule without steps.</summary>
    public ComputeStep? Last { get; init; }

    /// <summary>Bytes of input tile 0 (0 when there is none).</summary>
    public long FirstIfmapTileBytes { get; init; }

    /// <summary>Bytes of weight tile 0 (0 when there is none).</summary>
    public long FirstWeightTileBytes { get; init; }
}

/// <summary>A schedule's steps in execution order, generated on each enumeration.</summary>
public sealed class StepSequence : IEnumerable<ComputeStep>
{
    private readonly Func<IEnumerable<ComputeStep>> _steps;

    internal StepSequence(Func<IEnumerable<ComputeStep>> steps, long length, long outputBytes)
    {
        _steps = steps;
        Length = length;
        OutputBytes = outputBytes;
    }

    /// <summary>The number of steps.</summary>
    public long Length { get; }

    /// <summary>Bytes all the steps write to the output buffer (<see cref="ComputeStep.OutputBytes"/> summed).</summary>
    public long OutputBytes { get; }

    /// <summary>The most <see cref="ComputeStep.OutputBytes"/> of one step.</summary>
    public long LargestOutputBytes { get; init; }

    /// <summary>The most <see cref="ComputeStep.LineBufferBytes"/> of one step (0 where nothing is fused).</summary>
    public long LargestLineBufferBytes { get; init; }

    /// <inheritdoc/>
    public IEnumerator<ComputeStep> GetEnumerator() => _steps().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>The compute engine a layer runs on.</summary>
public enum EngineKind
{
    PeArray,
    VectorUnit,
}
