namespace AccelSim.Kernel;

/// <summary>The sending end of a link that carries items of type <typeparamref name="T"/>.</summary>
/// <remarks>Contract: a sender checks <see cref="CanSend"/> before <see cref="Send"/>; when it cannot send, it
/// returns and waits for the <see cref="OnSpaceFreed"/> notification instead of polling. Notifications are
/// scheduled events, never calls made from inside the receiver's code, so a handler may freely call back into
/// the port.</remarks>
/// <typeparam name="T">The item type.</typeparam>
public interface IOutPort<T>
{
    /// <summary>Whether <see cref="Send"/> would succeed now.</summary>
    bool CanSend { get; }

    /// <summary>The path of the link, for messages and reports.</summary>
    string Path { get; }

    /// <summary>Sends <paramref name="item"/>; the receiver sees it after the link's latency.</summary>
    /// <exception cref="InvalidOperationException"><see cref="CanSend"/> is false; the message names the path and
    /// the current cycle.</exception>
    void Send(T item);

    /// <summary>Binds the handler run, as a scheduled event, each time the receiver frees space. One binding per
    /// port.</summary>
    /// <exception cref="InvalidOperationException">A handler is already bound.</exception>
    void OnSpaceFreed(Action handler);
}
