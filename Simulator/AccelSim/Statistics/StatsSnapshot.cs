using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace AccelSim.Statistics;

/// <summary>An immutable set of statistics with their values at one instant, sorted ordinally by path, with unique
/// paths. This is what reports, energy pricing and tests read; it never changes after construction.</summary>
public sealed class StatsSnapshot
{
    private StatsSnapshot(ImmutableArray<StatValue> sortedValues)
    {
        Values = sortedValues;
    }

    /// <summary>Builds a snapshot from values in any order.</summary>
    /// <param name="values">The statistics; paths must be unique.</param>
    /// <exception cref="ArgumentException">Two values share a path; the message names it.</exception>
    public StatsSnapshot(IEnumerable<StatValue> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        ImmutableArray<StatValue> sorted = [.. values.OrderBy(v => v.Path, StringComparer.Ordinal)];
        for (int i = 1; i < sorted.Length; i++)
        {
            if (string.Equals(sorted[i - 1].Path, sorted[i].Path, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Statistic '{sorted[i].Path}' appears more than once.", nameof(values));
            }
        }

        Values = sorted;
    }

    /// <summary>A snapshot with no statistics.</summary>
    public static StatsSnapshot Empty { get; } = new(ImmutableArray<StatValue>.Empty);

    /// <summary>The statistics, sorted ordinally by path.</summary>
    public ImmutableArray<StatValue> Values { get; }

    /// <summary>The number of statistics.</summary>
    public int Count => Values.Length;

    /// <summary>The value of the statistic at <paramref name="path"/>.</summary>
    /// <exception cref="KeyNotFoundException">No statistic has that path; the message names it.</exception>
    public long this[string path] => TryGet(path, out StatValue? value)
        ? value.Value
        : throw new KeyNotFoundException($"The snapshot has no statistic '{path}'.");

    /// <summary>The value of the statistic <paramref name="key"/> declares, registered under the component at
    /// <paramref name="componentPath"/>.</summary>
    /// <exception cref="KeyNotFoundException">The component registered no such statistic; the message names its path.</exception>
    public long this[string componentPath, StatKey key] => this[key.PathUnder(componentPath)];

    /// <summary>Looks up the statistic at <paramref name="path"/> (ordinal comparison, O(log n)).</summary>
    /// <returns><see langword="true"/> and the statistic if present; otherwise <see langword="false"/>.</returns>
    public bool TryGet(string path, [MaybeNullWhen(false)] out StatValue value)
    {
        ArgumentNullException.ThrowIfNull(path);
        int index = LowerBound(path);
        if (index < Values.Length && string.Equals(Values[index].Path, path, StringComparison.Ordinal))
        {
            value = Values[index];
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>The statistics at <paramref name="prefix"/> or below it, segment-wise: <c>accel.gbuf</c> selects
    /// <c>accel.gbuf</c> and <c>accel.gbuf.words_read</c> but not <c>accel.gbuf2.words_read</c>. Paths stay
    /// whole (the prefix is not stripped). The result may be empty.</summary>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> is not a valid path.</exception>
    public StatsSnapshot WithPrefix(string prefix)
    {
        StatPath.ThrowIfInvalid(prefix, "Statistic prefix", nameof(prefix));

        // '.' sorts before every other path character, so the selection is one contiguous run from the prefix on.
        int start = LowerBound(prefix);
        int end = start;
        while (end < Values.Length && StatPath.IsUnder(Values[end].Path, prefix))
        {
            end++;
        }

        return new StatsSnapshot(Values[start..end]);
    }

    /// <summary>Wraps values already sorted ordinally with unique paths, without copying them.</summary>
    internal static StatsSnapshot FromSorted(ImmutableArray<StatValue> sortedValues) => new(sortedValues);

    private int LowerBound(string path)
    {
        int low = 0;
        int high = Values.Length;
        while (low < high)
        {
            int middle = low + ((high - low) >> 1);
            if (string.CompareOrdinal(Values[middle].Path, path) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
