namespace AccelSim.Kernel;

/// <summary>Why <see cref="Simulation.Run"/> returned.</summary>
public enum StopReason
{
    /// <summary>No events remain; <see cref="Simulation.Now"/> is the cycle of the last event processed.</summary>
    Drained,

    /// <summary>The next event lies after the requested limit; <see cref="Simulation.Now"/> equals the limit and the
    /// remaining events are still queued.</summary>
    ReachedLimit,
}
