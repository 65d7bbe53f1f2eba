using System.Collections.Immutable;
using System.Globalization;

namespace AccelSim.Kernel;

/// <summary>Thrown by <see cref="Simulation.RunToCompletion"/> when no events remain but components still report
/// pending work: nothing can ever wake them.</summary>
public sealed class DeadlockException : Exception
{
    /// <summary>Creates the exception from the report lines.</summary>
    /// <param name="at">The cycle at which the simulation ran out of events.</param>
    /// <param name="lines">One line per blocked component, <c>path: what it waits for</c>, sorted by path.</param>
    public DeadlockException(Cycle at, IEnumerable<string> lines)
        : this(at, [.. lines])
    {
    }

    private DeadlockException(Cycle at, ImmutableArray<string> lines)
        : base(FormatMessage(at, lines))
    {
        At = at;
        Lines = lines;
    }

    /// <summary>The cycle at which the simulation ran out of events.</summary>
    public Cycle At { get; }

    /// <summary>One line per blocked component, <c>path: what it waits for</c>, sorted ordinally by path.</summary>
    public ImmutableArray<string> Lines { get; }

    private static string FormatMessage(Cycle at, ImmutableArray<string> lines) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"simulation deadlocked at cycle {at}: no events remain but {lines.Length} component(s) report pending work:")
        + string.Concat(lines.Select(line => "\n  " + line));
}
