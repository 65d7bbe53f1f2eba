using System.Collections.Immutable;
using System.Collections.ObjectModel;

namespace AccelSim.Statistics;

/// <summary>The statistics of one simulation. Components register each statistic once, in their constructor, with
/// a path, a unit and a description; reports read an immutable <see cref="Snapshot"/>.</summary>
/// <remarks>Not thread-safe: a registry belongs to one simulation, which runs on one thread.</remarks>
public sealed class StatsRegistry
{
    private readonly List<Counter> _counters = [];

    /// <summary>Creates an empty registry.</summary>
    public StatsRegistry()
    {
        Counters = new ReadOnlyCollection<Counter>(_counters);
    }

    /// <summary>Every registered counter, sorted ordinally by path. A live view: later registrations appear in it.</summary>
    public IReadOnlyList<Counter> Counters { get; }

    /// <summary>Registers a counter that starts at zero.</summary>
    /// <param name="path">Unique path following the <see cref="StatPath"/> grammar, for example
    /// <c>accel.gbuf.words_read</c>.</param>
    /// <param name="unit">The unit the counter counts in.</param>
    /// <param name="description">What is counted, in one sentence; required.</param>
    /// <returns>The new counter; keep it in a field and update it directly.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> breaks the grammar or is already registered,
    /// or <paramref name="description"/> is null or blank. The message names the path.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="unit"/> is not a defined
    /// <see cref="StatUnit"/>.</exception>
    public Counter RegisterCounter(string path, StatUnit unit, string description)
    {
        StatPath.ThrowIfInvalid(path, "Statistic path", nameof(path));
        if (!Enum.IsDefined(unit))
        {
            throw new ArgumentOutOfRangeException(nameof(unit), unit, $"Statistic '{path}' has an undefined unit.");
        }

        if (string.IsNullOrWhiteSpace(description))
        {
            throw new ArgumentException(
                $"Statistic '{path}' needs a description saying what it counts.", nameof(description));
        }

        int index = FindIndex(path);
        if (index >= 0)
        {
            throw new ArgumentException($"Statistic '{path}' is already registered.", nameof(path));
        }

        var counter = new Counter(path, unit, description);
        _counters.Insert(~index, counter);
        return counter;
    }

    /// <summary>Registers the counter <paramref name="key"/> declares, under the component at
    /// <paramref name="componentPath"/> (path <c>componentPath.name</c>), starting at zero.</summary>
    /// <returns>The new counter; keep it in a field and update it directly.</returns>
    /// <exception cref="ArgumentException">The path breaks the grammar or is already registered.</exception>
    public Counter Register(string componentPath, StatKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return RegisterCounter(key.PathUnder(componentPath), key.Unit, key.Description);
    }

    /// <summary>Copies every statistic's registration and current value into an immutable snapshot, sorted
    /// ordinally by path. Later updates to the counters do not change the snapshot.</summary>
    public StatsSnapshot Snapshot()
    {
        var values = ImmutableArray.CreateBuilder<StatValue>(_counters.Count);
        foreach (Counter counter in _counters)
        {
            values.Add(new StatValue(counter.Path, counter.Unit, counter.Description, counter.Value));
        }

        return StatsSnapshot.FromSorted(values.MoveToImmutable());
    }

    // Binary search by ordinal path: the index if found, else the bitwise complement of the insertion point.
    private int FindIndex(string path)
    {
        int low = 0;
        int high = _counters.Count - 1;
        while (low <= high)
        {
            int middle = low + ((high - low) >> 1);
            int order = string.CompareOrdinal(_counters[middle].Path, path);
            if (order == 0)
            {
                return middle;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return ~low;
    }
}
