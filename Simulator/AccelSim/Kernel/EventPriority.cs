namespace AccelSim.Kernel;

/// <summary>Orders events that fall in the same cycle: a lower value runs first. Events of equal cycle and priority
/// run in the order they were scheduled.</summary>
public enum EventPriority
{
    /// <summary>Runs first in its cycle, so that work of every other priority in that cycle sees the state it
    /// sets.</summary>
    Urgent = 0,

    /// <summary>Runs after <see cref="Urgent"/> and before <see cref="Normal"/>.</summary>
    High = 1,

    /// <summary>The default for component work.</summary>
    Normal = 2,

    /// <summary>Runs last in its cycle, for example end-of-cycle bookkeeping.</summary>
    Low = 3,
}
