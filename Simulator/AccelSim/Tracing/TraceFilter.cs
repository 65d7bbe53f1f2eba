using System.Collections.Immutable;

namespace AccelSim.Tracing;

/// <summary>What a trace keeps: some layers, a window of network cycles, some components. Null sets keep everything.</summary>
/// <remarks>A slice is kept when it overlaps the window (it is written whole, not clipped); a counter change or an
/// address row when its cycle is inside it, and each counter starts the window at the value it had at its first cycle.
/// The enclosing layer slices are kept whatever the component filter, so a
/// filtered trace still shows where each layer starts.</remarks>
public sealed record TraceFilter
{
    /// <summary>Keeps everything.</summary>
    public static TraceFilter All { get; } = new();

    /// <summary>Layer names to trace; null for all.</summary>
    public ImmutableHashSet<string>? Layers { get; init; }

    /// <summary>Components to trace (<see cref="TraceNames.Components"/>); null for all.</summary>
    public ImmutableHashSet<string>? Components { get; init; }

    /// <summary>First network cycle kept. Range: ≥ 0.</summary>
    public long FromCycle { get; init; }

    /// <summary>The network cycle the window ends before (exclusive). Range: &gt; <see cref="FromCycle"/>.</summary>
    public long ToCycle { get; init; } = long.MaxValue;

    public bool KeepsLayer(string name) => Layers is null || Layers.Contains(name);

    public bool KeepsComponent(string component) => Components is null || Components.Contains(component);

    public bool Overlaps(long startCycle, long endCycle) => endCycle > FromCycle && startCycle < ToCycle;

    public bool Contains(long cycle) => cycle >= FromCycle && cycle < ToCycle;
}
