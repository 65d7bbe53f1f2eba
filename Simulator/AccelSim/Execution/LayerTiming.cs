using System.Collections.Immutable;
using AccelSim.Energy;
using AccelSim.Hardware;
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

    /// <summary>The point of the mapping space the layer ran (<c>heuristic</c>, or its limits as <c>key=value</c> pairs).</summary>
    public string MappingPoint { get; init; } = "heuristic";

    public required long Events { get; init; }

    /// <summary>Part of the SRAM-bandwidth stall due to bank conflicts.</summary>
    public long BankConflictCycles { get; init; }

    /// <summary>The producer whose output path ran this layer (fused); null when it ran on its own.</summary>
    public string? FusedInto { get; init; }

    /// <summary>Why this layer, asked to fuse, was not; null otherwise.</summary>
    public string? NotFused { get; init; }

    /// <summary>The layers fused into this one's output path (names and kinds); null when none.</summary>
    public string? FusedLayers { get; init; }

    /// <summary>How the layer split a unified buffer; null with separate buffers.</summary>
    public BufferSplit? UnifiedSplit { get; init; }

    /// <summary>The zero compression of the layer's output and input traffic; null when neither is compressed.</summary>
    public FeatureMapCompressionResult? Compression { get; init; }

    /// <summary>Every statistic the components registered, with units and descriptions.</summary>
    public required StatsSnapshot Stats { get; init; }
}

/// <summary>Actions the hardware performed in one layer, what the energy model prices: the value of each statistic a
/// counted action of <see cref="HardwareActions"/> reads. A statistic the layer did not count reads 0. Two activities
/// are equal when every statistic reads the same.</summary>
public sealed class ActivityCounts : IEquatable<ActivityCounts>
{
    private readonly ImmutableDictionary<ActionCounter, long> _counts;

    private ActivityCounts(ImmutableDictionary<ActionCounter, long> counts) => _counts = counts;

    /// <summary>An activity with nothing counted.</summary>
    public static ActivityCounts None { get; } = new(ImmutableDictionary<ActionCounter, long>.Empty);

    /// <summary>The statistics the activity holds (a statistic it does not hold reads 0).</summary>
    public IEnumerable<ActionCounter> Counters => _counts.Keys;

    /// <summary>The value of <paramref name="counter"/>; 0 when it was not counted.</summary>
    public long this[ActionCounter counter] => _counts.GetValueOrDefault(counter);

    /// <summary>The value of the statistic <paramref name="key"/> under <paramref name="component"/> (null: the
    /// layer's compute engine); 0 when it was not counted.</summary>
    public long Of(StatKey key, ComponentId? component = null) => this[new ActionCounter(key, component)];

    /// <summary>The statistics <see cref="HardwareActions.Counters"/> names, as the simulation counted them in
    /// <paramref name="stats"/>: those of the compute engine under <paramref name="engine"/>'s path. A counter the
    /// simulation does not register (the closed-form ones) is left out.</summary>
    public static ActivityCounts Read(StatsSnapshot stats, ComponentId engine)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var counts = ImmutableDictionary.CreateBuilder<ActionCounter, long>();
        foreach (ActionCounter counter in HardwareActions.Counters)
        {
            if (stats.TryGet(counter.Key.PathUnder((counter.Component ?? engine).Path), out StatValue? value))
            {
                counts[counter] = value.Value;
            }
        }

        return new(counts.ToImmutable());
    }

    /// <summary>The activity <paramref name="counts"/> gives, for counts made without a simulation.</summary>
    public static ActivityCounts Of(IReadOnlyDictionary<ActionCounter, long> counts) => new(counts.ToImmutableDictionary());

    /// <summary>This activity with <paramref name="counter"/> reading <paramref name="count"/>.</summary>
    public ActivityCounts With(ActionCounter counter, long count) => new(_counts.SetItem(counter, count));

    /// <inheritdoc/>
    public bool Equals(ActivityCounts? other) =>
        other is not null && _counts.Keys.Concat(other._counts.Keys).All(counter => this[counter] == other[counter]);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ActivityCounts);

    /// <inheritdoc/>
    public override int GetHashCode() =>
        _counts.Where(p => p.Value != 0).Aggregate(0, (hash, p) => hash ^ HashCode.Combine(p.Key, p.Value));

    /// <summary>Every nonzero statistic, <c>path = value</c>, ordinal order.</summary>
    public override string ToString() =>
        string.Join(", ", _counts.Where(p => p.Value != 0).Select(p => $"{p.Key} = {p.Value}").Order(StringComparer.Ordinal));
}
