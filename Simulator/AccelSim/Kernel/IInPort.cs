using System.Diagnostics.CodeAnalysis;

namespace AccelSim.Kernel;

/// <summary>The receiving end of a link that carries items of type <typeparamref name="T"/>.</summary>
/// <remarks>Contract: a receiver takes items when it can use them; taking frees space for the sender. The
/// <see cref="OnArrival"/> notification is a scheduled event, so a handler may freely call back into the port; a
/// handler must also tolerate finding nothing to take (an earlier handler in the same cycle may have taken it).
/// </remarks>
/// <typeparam name="T">The item type.</typeparam>
public interface IInPort<T>
{
    /// <summary>How many items have arrived and can be taken now.</summary>
    int AvailableCount { get; }

    /// <summary>The path of the link, for messages and reports.</summary>
    string Path { get; }

    /// <summary>Takes the oldest arrived item, if any.</summary>
    /// <returns><see langword="false"/> (and <paramref name="item"/> = default) when nothing has arrived.</returns>
    bool TryTake([MaybeNullWhen(false)] out T item);

    /// <summary>Binds the handler run, as a scheduled event, once per item that arrives. One binding per port.</summary>
    /// <exception cref="InvalidOperationException">A handler is already bound.</exception>
    void OnArrival(Action handler);
}
