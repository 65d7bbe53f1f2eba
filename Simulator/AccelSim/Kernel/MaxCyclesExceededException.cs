using System.Collections.Immutable;
using System.Globalization;

namespace AccelSim.Kernel;

/// <summary>Thrown when an event falls due after <see cref="SimulationOptions.MaxCycles"/>: the run is treated as
/// runaway (typically a livelock) rather than simulated further.</summary>
public sealed class MaxCyclesExceededException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="maxCycles">The limit that was passed.</param>
    /// <param name="at">The cycle of the event that would have run past the limit.</param>
    /// <param name="queuedEvents">Events still queued, including that one.</param>
    /// <param name="pending">One line per component with pending work, <c>path: what</c>, sorted by path.</param>
    public MaxCyclesExceededException(long maxCycles, Cycle at, int queuedEvents, IEnumerable<string> pending)
        : this(maxCycles, at, queuedEvents, [.. pending])
    {
    }

    private MaxCyclesExceededException(long maxCycles, Cycle at, int queuedEvents, ImmutableArray<string> pending)
        : base(FormatMessage(maxCycles, at, queuedEvents, pending))
    {
        MaxCycles = maxCycles;
        At = at;
        QueuedEvents = queuedEvents;
        Pending = pending;
    }

    /// <summary>The limit that was passed (<see cref="SimulationOptions.MaxCycles"/>).</summary>
    public long MaxCycles { get; }

    /// <summary>The cycle of the event that would have run past the limit.</summary>
    public Cycle At { get; }

    /// <summary>Events still queued when the run stopped.</summary>
    public int QueuedEvents { get; }

    /// <summary>One line per component with pending work, <c>path: what</c>, sorted ordinally by path.</summary>
    public ImmutableArray<string> Pending { get; }

    private static string FormatMessage(long maxCycles, Cycle at, int queuedEvents, ImmutableArray<string> pending)
    {
        string components = pending.IsEmpty ? string.Empty : "; " + string.Join("; ", pending);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"simulation passed the limit of {maxCycles} cycles at cycle {at}; "
            + $"pending: {queuedEvents} queued event(s){components}; raise max_cycles or check for a livelock");
    }
}
