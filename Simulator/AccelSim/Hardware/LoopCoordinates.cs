using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace AccelSim.Hardware;

/// <summary>Where a step sits in its mapping's loop nest: the index of each loop, outermost first, under the names the
/// dataflow gives its loops (<c>group</c>, <c>strip</c>, <c>filter_block</c>, <c>channel_chunk</c>, …). Traces label
/// each step with them.</summary>
/// <remarks>Held as numbers (up to six loops) and formatted only when a trace asks, so a run without a trace pays no
/// string per step.</remarks>
public readonly record struct LoopCoordinates
{
    /// <summary>The most loops a step can name.</summary>
    public const int MaxLoops = 6;

    /// <param name="names">The loop names, outermost first (at most <see cref="MaxLoops"/>).</param>
    /// <param name="i0">The index of the first loop; the others follow (unused ones are ignored).</param>
    public LoopCoordinates(ImmutableArray<string> names, long i0, long i1 = 0, long i2 = 0, long i3 = 0, long i4 = 0, long i5 = 0)
    {
        if (names.Length > MaxLoops)
        {
            throw new ArgumentOutOfRangeException(nameof(names), $"at most {MaxLoops} loops");
        }

        Names = names;
        (I0, I1, I2, I3, I4, I5) = (i0, i1, i2, i3, i4, i5);
    }

    /// <summary>The loop names, outermost first; default (empty) when the step has no coordinates.</summary>
    public ImmutableArray<string> Names { get; }

    private long I0 { get; }

    private long I1 { get; }

    private long I2 { get; }

    private long I3 { get; }

    private long I4 { get; }

    private long I5 { get; }

    /// <summary>Whether the step has coordinates (vector-unit steps and hand-made schedules have none).</summary>
    public bool IsEmpty => Names.IsDefaultOrEmpty;

    /// <summary>The index of loop <paramref name="i"/> (0: outermost).</summary>
    public long this[int i] => i switch
    {
        0 => I0,
        1 => I1,
        2 => I2,
        3 => I3,
        4 => I4,
        5 => I5,
        _ => throw new ArgumentOutOfRangeException(nameof(i)),
    };

    /// <summary><c>name=index</c> pairs, outermost first, separated by spaces (empty when there are none).</summary>
    public override string ToString()
    {
        if (IsEmpty)
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        for (int i = 0; i < Names.Length; i++)
        {
            text.Append(i == 0 ? "" : " ").Append(Names[i]).Append('=').Append(this[i].ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
