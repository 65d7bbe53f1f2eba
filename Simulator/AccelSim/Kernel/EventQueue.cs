using System.Diagnostics.CodeAnalysis;

namespace AccelSim.Kernel;

/// <summary>The future-event list: handlers keyed by a total order of (cycle, priority, insertion sequence).
/// Events due in the same cycle run by <see cref="EventPriority"/>, and events of equal cycle and priority run in
/// the order they were scheduled (FIFO), so a run is deterministic whatever the heap's internal layout.</summary>
/// <remarks>The queue does not know the current time; <see cref="Simulation"/> checks that events are not scheduled
/// in the past. Not thread-safe.</remarks>
public sealed class EventQueue
{
    // The priority sits in the two top bits of the sequence word, so the order is a comparison of two longs.
    private const int PriorityShift = 61;
    private const long MaxSequence = (1L << PriorityShift) - 1;

    private readonly PriorityQueue<Action, EventKey> _heap = new();
    private long _nextSequence;

    /// <summary>The number of events waiting.</summary>
    public int Count => _heap.Count;

    /// <summary>Adds an event. Allocates nothing unless the underlying heap has to grow.</summary>
    /// <param name="at">The cycle the event is due.</param>
    /// <param name="priority">The order within that cycle.</param>
    /// <param name="handler">The code to run.</param>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="priority"/> is not a defined value.</exception>
    public void Schedule(Cycle at, EventPriority priority, Action handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if ((uint)priority > (uint)EventPriority.Low)
        {
            ThrowUndefinedPriority(priority);
        }

        if (_nextSequence > MaxSequence)
        {
            // 2^61 insertions take centuries at any plausible event rate; fail loudly rather than wrap.
            throw new InvalidOperationException("The event queue ran out of sequence numbers.");
        }

        _heap.Enqueue(handler, new EventKey(at.Value, ((long)priority << PriorityShift) | _nextSequence++));
    }

    /// <summary>The cycle of the first event in the total order, without removing it.</summary>
    /// <returns><see langword="false"/> when the queue is empty.</returns>
    public bool TryPeekTime(out Cycle at)
    {
        if (_heap.TryPeek(out _, out EventKey key))
        {
            at = new Cycle(key.At);
            return true;
        }

        at = default;
        return false;
    }

    /// <summary>Removes the first event in the total order.</summary>
    /// <returns><see langword="false"/> when the queue is empty.</returns>
    public bool TryDequeue(out Cycle at, [MaybeNullWhen(false)] out Action handler)
    {
        if (_heap.TryDequeue(out handler, out EventKey key))
        {
            at = new Cycle(key.At);
            return true;
        }

        at = default;
        return false;
    }

    private static void ThrowUndefinedPriority(EventPriority priority) =>
        throw new ArgumentOutOfRangeException(nameof(priority), priority, "Not a defined event priority.");

    private readonly struct EventKey(long at, long prioritySequence) : IComparable<EventKey>
    {
        public long At { get; } = at;

        public long PrioritySequence { get; } = prioritySequence;

        public int CompareTo(EventKey other)
        {
            int byTime = At.CompareTo(other.At);
            return byTime != 0 ? byTime : PrioritySequence.CompareTo(other.PrioritySequence);
        }
    }
}
