namespace AccelSim.Kernel;

/// <summary>Run-wide settings of a <see cref="Simulation"/>.</summary>
public sealed record SimulationOptions
{
    /// <summary>The last cycle at which an event may run; an event due later makes the run throw
    /// <see cref="MaxCyclesExceededException"/>. A guard against runaway (livelocked) runs. Range: ≥ 0.
    /// Default: <see cref="long.MaxValue"/>, i.e. no guard.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value.</exception>
    public long MaxCycles
    {
        get;
        init => field = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxCycles), value, "max_cycles must be zero or more.");
    } = long.MaxValue;
}
