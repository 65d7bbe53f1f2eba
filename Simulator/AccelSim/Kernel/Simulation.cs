using System.Collections.Immutable;
using System.Collections.ObjectModel;
using System.Globalization;
using AccelSim.Statistics;
using AccelSim.Tracing;

namespace AccelSim.Kernel;

/// <summary>One simulation run: it owns the clock, the event queue, the statistics and the registry of components.
/// All mutable run state lives here, so independent simulations can run on different threads.</summary>
/// <remarks>
/// <para>Events run in the total order (cycle, <see cref="EventPriority"/>, scheduling sequence). An event scheduled
/// with zero delay runs in the current cycle, after every event already queued for this cycle with the same
/// priority.</para>
/// <para>Not thread-safe: schedule and run from one thread.</para>
/// </remarks>
public sealed class Simulation
{
    private static readonly Comparer<Component> ByPath =
        Comparer<Component>.Create((left, right) => string.CompareOrdinal(left.Path, right.Path));

    private readonly EventQueue _queue = new();
    private readonly List<Component> _components = [];
    private bool _running;

    /// <summary>Creates an empty simulation at <see cref="Cycle.Zero"/>.</summary>
    /// <param name="options">Run-wide settings; <see langword="null"/> means the defaults.</param>
    /// <param name="trace">Where components report what they do, or <see langword="null"/> for no tracing.</param>
    public Simulation(SimulationOptions? options = null, ITraceSink? trace = null)
    {
        Options = options ?? new SimulationOptions();
        Components = new ReadOnlyCollection<Component>(_components);
        Trace = trace;
    }

    /// <summary>The trace sink of this run, or <see langword="null"/> when it is not traced: components emit only when set.</summary>
    public ITraceSink? Trace { get; }

    /// <summary>The run-wide settings.</summary>
    public SimulationOptions Options { get; }

    /// <summary>The current instant: the cycle of the event being processed, or of the last one processed, or the
    /// limit at which <see cref="Run"/> stopped.</summary>
    public Cycle Now { get; private set; }

    /// <summary>The statistics registry of this run.</summary>
    public StatsRegistry Stats { get; } = new();

    /// <summary>The number of events whose handlers have run to completion.</summary>
    public long ProcessedEvents { get; private set; }

    /// <summary>The number of events scheduled and not yet run.</summary>
    public int QueuedEvents => _queue.Count;

    /// <summary>Every registered component, sorted ordinally by path. A live view.</summary>
    public IReadOnlyList<Component> Components { get; }

    /// <summary>Schedules <paramref name="handler"/> to run <paramref name="delayCycles"/> cycles from
    /// <see cref="Now"/>. Allocates nothing unless the event queue has to grow.</summary>
    /// <param name="delayCycles">Range: ≥ 0. Zero runs the handler in the current cycle, after the events already
    /// queued for it with the same priority.</param>
    /// <param name="handler">The code to run; cache delegates in fields so that scheduling does not allocate.</param>
    /// <param name="priority">The order within the target cycle.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delayCycles"/> is negative or would overflow
    /// the clock (the message names <see cref="Now"/>), or <paramref name="priority"/> is undefined.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    public void Schedule(long delayCycles, Action handler, EventPriority priority = EventPriority.Normal)
    {
        if ((ulong)delayCycles > (ulong)(long.MaxValue - Now.Value))
        {
            ThrowBadDelay(delayCycles);
        }

        _queue.Schedule(new Cycle(Now.Value + delayCycles), priority, handler);
    }

    /// <summary>Schedules <paramref name="handler"/> to run at cycle <paramref name="at"/>.</summary>
    /// <param name="at">Range: ≥ <see cref="Now"/>. Equal to <see cref="Now"/> behaves as a zero delay.</param>
    /// <param name="handler">The code to run.</param>
    /// <param name="priority">The order within the target cycle.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="at"/> is in the past (the message names
    /// <see cref="Now"/>), or <paramref name="priority"/> is undefined.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    public void ScheduleAt(Cycle at, Action handler, EventPriority priority = EventPriority.Normal)
    {
        if (at < Now)
        {
            throw new ArgumentOutOfRangeException(
                nameof(at), at, $"Cannot schedule an event at cycle {at}, before the current cycle {Now}.");
        }

        _queue.Schedule(at, priority, handler);
    }

    /// <summary>Processes events in the total order until none remain or, with a <paramref name="limit"/>, until the
    /// next event lies after it.</summary>
    /// <param name="limit">The last cycle whose events may run; <see langword="null"/> for no limit. Range:
    /// ≥ <see cref="Now"/>.</param>
    /// <returns><see cref="StopReason.Drained"/> when no events remain (<see cref="Now"/> is the cycle of the last
    /// event processed); <see cref="StopReason.ReachedLimit"/> when the next event lies after
    /// <paramref name="limit"/> (<see cref="Now"/> = <paramref name="limit"/>; that event and later ones stay
    /// queued, and a later call resumes from them).</returns>
    /// <exception cref="MaxCyclesExceededException">An event within <paramref name="limit"/> falls due after
    /// <see cref="SimulationOptions.MaxCycles"/>; it and later events stay queued.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is before <see cref="Now"/>.</exception>
    /// <exception cref="InvalidOperationException">Called from inside an event handler.</exception>
    /// <remarks>An exception thrown by a handler propagates out of <see cref="Run"/>; <see cref="Now"/> stays at
    /// that event's cycle and the remaining events stay queued.</remarks>
    public StopReason Run(Cycle? limit = null)
    {
        if (limit is { } requested && requested < Now)
        {
            throw new ArgumentOutOfRangeException(
                nameof(limit), requested, $"The run limit {requested} is before the current cycle {Now}.");
        }

        if (_running)
        {
            throw new InvalidOperationException(
                $"Run was called from inside an event handler at cycle {Now}; schedule an event instead.");
        }

        long stopAfter = limit?.Value ?? long.MaxValue;
        long lastAllowed = Math.Min(stopAfter, Options.MaxCycles);
        _running = true;
        try
        {
            while (_queue.TryPeekTime(out Cycle next))
            {
                if (next.Value > lastAllowed)
                {
                    if (next.Value > stopAfter)
                    {
                        Now = new Cycle(stopAfter);
                        return StopReason.ReachedLimit;
                    }

                    throw new MaxCyclesExceededException(Options.MaxCycles, next, _queue.Count, PendingWorkLines());
                }

                _queue.TryDequeue(out Cycle at, out Action? handler);
                Now = at;
                handler!.Invoke();
                ProcessedEvents++;
            }

            return StopReason.Drained;
        }
        finally
        {
            _running = false;
        }
    }

    /// <summary>Runs until no events remain, then checks that every component is idle.</summary>
    /// <exception cref="DeadlockException">No events remain but components report <see cref="Component.PendingWork"/>;
    /// the report has one line per such component, <c>path: what it waits for</c>, sorted by path.</exception>
    /// <exception cref="MaxCyclesExceededException">An event falls due after
    /// <see cref="SimulationOptions.MaxCycles"/>.</exception>
    /// <exception cref="InvalidOperationException">Called from inside an event handler.</exception>
    public void RunToCompletion()
    {
        Run();
        ImmutableArray<string> blocked = PendingWorkLines();
        if (!blocked.IsEmpty)
        {
            throw new DeadlockException(Now, blocked);
        }
    }

    /// <summary>One line per component with pending work, <c>path: what</c>, sorted ordinally by path.</summary>
    public ImmutableArray<string> PendingWorkLines()
    {
        var lines = ImmutableArray.CreateBuilder<string>();
        foreach (Component component in _components)
        {
            if (component.PendingWork is { } work)
            {
                lines.Add($"{component.Path}: {work}");
            }
        }

        return lines.ToImmutable();
    }

    /// <summary>Adds <paramref name="component"/> to <see cref="Components"/>; called by the
    /// <see cref="Component"/> constructor.</summary>
    /// <exception cref="ArgumentException">The component belongs to another simulation, or its path is taken.
    /// </exception>
    internal void Register(Component component)
    {
        ArgumentNullException.ThrowIfNull(component);
        if (!ReferenceEquals(component.Simulation, this))
        {
            throw new ArgumentException(
                $"Component '{component.Path}' belongs to another simulation.", nameof(component));
        }

        int index = _components.BinarySearch(component, ByPath);
        if (index >= 0)
        {
            throw new ArgumentException(
                $"A component with path '{component.Path}' is already registered.", nameof(component));
        }

        _components.Insert(~index, component);
    }

    private void ThrowBadDelay(long delayCycles)
    {
        string reason = delayCycles < 0 ? "is negative" : "overflows the clock";
        throw new ArgumentOutOfRangeException(
            nameof(delayCycles),
            delayCycles,
            string.Create(
                CultureInfo.InvariantCulture,
                $"A delay of {delayCycles} cycles {reason}; the current cycle is {Now}. Delays must be zero or more."));
    }
}
