using System.Globalization;

namespace AccelSim.Kernel;

/// <summary>An absolute instant of simulated time, in cycles of the reference clock. Range: 0 to
/// <see cref="long.MaxValue"/>. Durations are plain <see cref="long"/> values whose names end in <c>Cycles</c>.</summary>
/// <param name="Value">Cycles since the start of the simulation.</param>
public readonly record struct Cycle(long Value) : IComparable<Cycle>
{
    /// <summary>Cycles since the start of the simulation. Never negative.</summary>
    /// <exception cref="ArgumentOutOfRangeException">At construction, when the value is negative.</exception>
    public long Value { get; } = Value >= 0
        ? Value
        : throw new ArgumentOutOfRangeException(nameof(Value), Value, "A cycle is an instant and cannot be negative.");

    /// <summary>The start of the simulation.</summary>
    public static Cycle Zero => default;

    /// <summary>The instant <paramref name="delayCycles"/> after (or, if negative, before) <paramref name="at"/>.</summary>
    /// <exception cref="OverflowException">The result exceeds <see cref="long.MaxValue"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The result would be negative.</exception>
    public static Cycle operator +(Cycle at, long delayCycles) => new(checked(at.Value + delayCycles));

    /// <summary>The duration from <paramref name="start"/> to <paramref name="end"/>, in cycles; negative when
    /// <paramref name="end"/> is earlier.</summary>
    public static long operator -(Cycle end, Cycle start) => end.Value - start.Value;

    /// <summary>Whether <paramref name="left"/> is earlier than <paramref name="right"/>.</summary>
    public static bool operator <(Cycle left, Cycle right) => left.Value < right.Value;

    /// <summary>Whether <paramref name="left"/> is later than <paramref name="right"/>.</summary>
    public static bool operator >(Cycle left, Cycle right) => left.Value > right.Value;

    /// <summary>Whether <paramref name="left"/> is earlier than or equal to <paramref name="right"/>.</summary>
    public static bool operator <=(Cycle left, Cycle right) => left.Value <= right.Value;

    /// <summary>Whether <paramref name="left"/> is later than or equal to <paramref name="right"/>.</summary>
    public static bool operator >=(Cycle left, Cycle right) => left.Value >= right.Value;

    /// <summary>Orders by <see cref="Value"/>.</summary>
    public int CompareTo(Cycle other) => Value.CompareTo(other.Value);

    /// <summary>The value as an invariant-culture integer, for example <c>1234</c>.</summary>
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
