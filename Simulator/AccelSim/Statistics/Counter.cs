namespace AccelSim.Statistics;

/// <summary>A monotonically increasing count of actions, registered once with a path, a unit and a description
/// through <see cref="StatsRegistry.RegisterCounter"/>.</summary>
/// <remarks>Not thread-safe: a counter belongs to one simulation, which runs on one thread.</remarks>
public sealed class Counter
{
    internal Counter(string path, StatUnit unit, string description)
    {
        Path = path;
        Unit = unit;
        Description = description;
    }

    /// <summary>The registered path, for example <c>accel.gbuf.words_read</c>.</summary>
    public string Path { get; }

    /// <summary>The unit of <see cref="Value"/>.</summary>
    public StatUnit Unit { get; }

    /// <summary>What is counted, in one sentence.</summary>
    public string Description { get; }

    /// <summary>The current count. Range: 0 to <see cref="long.MaxValue"/>; starts at 0.</summary>
    public long Value { get; private set; }

    /// <summary>Adds <paramref name="amount"/> to the count.</summary>
    /// <param name="amount">How much to add, in <see cref="Unit"/>. Range: ≥ 0; zero is allowed and changes nothing.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="amount"/> is negative.</exception>
    /// <exception cref="OverflowException">The count would exceed <see cref="long.MaxValue"/>.</exception>
    public void Add(long amount)
    {
        if ((ulong)amount > (ulong)(long.MaxValue - Value))
        {
            ThrowBadAmount(amount);
        }

        Value += amount;
    }

    /// <summary>Adds one to the count.</summary>
    /// <exception cref="OverflowException">The count would exceed <see cref="long.MaxValue"/>.</exception>
    public void Increment() => Add(1);

    /// <summary>Returns <c>path = value unit</c>, for debugging.</summary>
    public override string ToString() => $"{Path} = {Value} {Unit}";

    private void ThrowBadAmount(long amount)
    {
        if (amount < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(amount), amount, $"Counter '{Path}' only counts up; the amount must be zero or more.");
        }

        throw new OverflowException($"Counter '{Path}' would overflow: {Value} + {amount} exceeds {long.MaxValue}.");
    }
}
