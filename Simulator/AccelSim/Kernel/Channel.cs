using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace AccelSim.Kernel;

/// <summary>A bounded, fixed-latency, FIFO link: the sender holds the <see cref="IOutPort{T}"/> end and the receiver
/// the <see cref="IInPort{T}"/> end.</summary>
/// <remarks>
/// <para>Timing: an item sent at cycle t arrives at cycle t + <see cref="LatencyCycles"/>, at
/// <see cref="EventPriority.Urgent"/> priority, so every event of another priority in that cycle can take it.
/// Arrivals keep the order of the sends.</para>
/// <para>Back-pressure: <see cref="Capacity"/> counts items in flight plus items arrived and not yet taken (credit
/// flow control), so a slow receiver stalls the sender. Taking an item frees its slot at once.</para>
/// <para>Notifications are scheduled events, never calls made from inside <see cref="Send"/> or
/// <see cref="TryTake"/>: the arrival handler runs in the arrival event, once per item; the space-freed handler runs
/// in an <see cref="EventPriority.Urgent"/> event scheduled with zero delay, once per item taken. Scheduling them
/// allocates nothing.</para>
/// <para>The channel is a <see cref="Component"/>: items in flight or waiting to be taken are pending work, so a
/// run that ends with an undelivered item reports it.</para>
/// </remarks>
/// <typeparam name="T">The item type.</typeparam>
public sealed class Channel<T> : Component, IInPort<T>, IOutPort<T>
{
    // Buffer space allocated up front; a larger capacity grows the buffer on first use only.
    private const int InitialBufferItems = 16;

    // Oldest first. Fixed latency keeps arrivals in send order, so the arrived items are always the oldest ones.
    private readonly Queue<T> _items;
    private readonly Action _deliverOldest;
    private Action? _onArrival;
    private Action? _onSpaceFreed;
    private int _arrivedCount;

    /// <summary>Creates the channel and registers it as a component.</summary>
    /// <param name="simulation">The owning simulation.</param>
    /// <param name="path">The channel's unique component path, for example <c>accel.gbuf_to_array</c>.</param>
    /// <param name="capacity">Items in flight plus items arrived and not taken. Range: ≥ 1.</param>
    /// <param name="latencyCycles">Cycles from send to arrival. Range: ≥ 0; zero delivers in the sending cycle,
    /// after the sending event.</param>
    /// <exception cref="ArgumentOutOfRangeException">A range above is violated; the message names the path.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is invalid or already registered.</exception>
    public Channel(Simulation simulation, string path, int capacity, long latencyCycles)
        : base(simulation, CheckArguments(path, capacity, latencyCycles))
    {
        Capacity = capacity;
        LatencyCycles = latencyCycles;
        _items = new Queue<T>(Math.Min(capacity, InitialBufferItems));
        _deliverOldest = DeliverOldest;
    }

    /// <summary>The most items the channel holds: in flight plus arrived and not taken.</summary>
    public int Capacity { get; }

    /// <summary>Cycles from <see cref="Send"/> to arrival.</summary>
    public long LatencyCycles { get; }

    /// <summary>Items sent and not yet arrived.</summary>
    public int InFlightCount => _items.Count - _arrivedCount;

    /// <inheritdoc/>
    public int AvailableCount => _arrivedCount;

    /// <summary>Whether a slot is free: items in flight plus items waiting to be taken are fewer than
    /// <see cref="Capacity"/>.</summary>
    public bool CanSend => _items.Count < Capacity;

    /// <summary>Whether an arrival handler is bound; a builder can check every receiving end is used.</summary>
    public bool HasArrivalHandler => _onArrival is not null;

    /// <summary>Whether a space-freed handler is bound.</summary>
    public bool HasSpaceFreedHandler => _onSpaceFreed is not null;

    /// <summary>Items in flight or waiting to be taken, and the capacity; <see langword="null"/> when empty.</summary>
    public override string? PendingWork => _items.Count == 0
        ? null
        : string.Create(
            CultureInfo.InvariantCulture,
            $"{InFlightCount} in flight, {_arrivedCount} arrived and not taken (capacity {Capacity})");

    /// <summary>Sends <paramref name="item"/>; it arrives <see cref="LatencyCycles"/> cycles from now.</summary>
    /// <exception cref="InvalidOperationException">The channel is full (<see cref="CanSend"/> is false); the message
    /// names the path and the current cycle.</exception>
    public void Send(T item)
    {
        if (_items.Count >= Capacity)
        {
            ThrowFull();
        }

        _items.Enqueue(item);
        Simulation.Schedule(LatencyCycles, _deliverOldest, EventPriority.Urgent);
    }

    /// <summary>Takes the oldest arrived item, freeing its slot at once and scheduling the space-freed
    /// notification, if one is bound, with zero delay.</summary>
    /// <returns><see langword="false"/> (and <paramref name="item"/> = default) when nothing has arrived.</returns>
    public bool TryTake([MaybeNullWhen(false)] out T item)
    {
        if (_arrivedCount == 0)
        {
            item = default;
            return false;
        }

        item = _items.Dequeue();
        _arrivedCount--;
        if (_onSpaceFreed is { } notify)
        {
            Simulation.Schedule(0, notify, EventPriority.Urgent);
        }

        return true;
    }

    /// <summary>Binds the handler run in each arrival event, once per arriving item.</summary>
    /// <exception cref="InvalidOperationException">An arrival handler is already bound.</exception>
    public void OnArrival(Action handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (_onArrival is not null)
        {
            throw new InvalidOperationException(
                $"Channel '{Path}' already has an arrival handler; a receiving end binds exactly one.");
        }

        _onArrival = handler;
    }

    /// <summary>Binds the handler scheduled each time an item is taken.</summary>
    /// <exception cref="InvalidOperationException">A space-freed handler is already bound.</exception>
    public void OnSpaceFreed(Action handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (_onSpaceFreed is not null)
        {
            throw new InvalidOperationException(
                $"Channel '{Path}' already has a space-freed handler; a sending end binds exactly one.");
        }

        _onSpaceFreed = handler;
    }

    // Runs before the base constructor registers the channel, so a rejected channel is never registered.
    private static string CheckArguments(string path, int capacity, long latencyCycles)
    {
        if (capacity < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(capacity), capacity, $"Channel '{path}' needs a capacity of at least 1 item.");
        }

        if (latencyCycles < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(latencyCycles), latencyCycles, $"Channel '{path}' cannot have a negative latency.");
        }

        return path;
    }

    private void DeliverOldest()
    {
        _arrivedCount++;
        _onArrival?.Invoke();
    }

    private void ThrowFull() =>
        throw new InvalidOperationException(
            $"Channel '{Path}' is full ({Capacity} items in flight or waiting) at cycle {Simulation.Now}; "
            + "check CanSend before Send and wait for the space-freed notification.");
}
