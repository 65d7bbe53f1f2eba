using System.Collections.Immutable;

namespace AccelSim.Sweeps;

/// <summary>What became of a sweep point.</summary>
public enum PointStatus
{
    /// <summary>The point ran; its metrics are filled in.</summary>
    Ok,

    /// <summary>The point's config or workload did not validate (the message says why, file:line:column).</summary>
    Invalid,

    /// <summary>A constraint of the spec excluded the point; it did not run.</summary>
    Skipped,

    /// <summary>The run failed (a layer that cannot be mapped, a deadlock, ...); the message says why.</summary>
    Failed,
}

/// <summary>
/// The outcome of one point, already formatted: metric cells are the exact text written to the results, so a record
/// read back from the journal writes the same bytes as the run that produced it.
/// </summary>
/// <param name="Index">The point's index in the sweep.</param>
/// <param name="Id">The point's stable id.</param>
/// <param name="Status">What became of it.</param>
/// <param name="Message">Why it is not <see cref="PointStatus.Ok"/>; empty when it is.</param>
/// <param name="Metrics">One cell per metric of the spec, in its order; empty cells unless <see cref="PointStatus.Ok"/>.</param>
/// <param name="Layers">Per-layer rows (see <see cref="SweepTables.LayerColumns"/>), or null when they were not asked for.</param>
public sealed record PointRecord(
    int Index,
    string Id,
    PointStatus Status,
    string Message,
    ImmutableArray<string> Metrics,
    ImmutableArray<ImmutableArray<string>>? Layers)
{
    /// <summary>The status as written in the results: ok, invalid, skipped, failed.</summary>
    public static string StatusName(PointStatus status) => status switch
    {
        PointStatus.Ok => "ok",
        PointStatus.Invalid => "invalid",
        PointStatus.Skipped => "skipped",
        PointStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    /// <summary>Whether two records hold the same outcome (record equality compares arrays by reference).</summary>
    public bool SameAs(PointRecord other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Index == other.Index && Id == other.Id && Status == other.Status && Message == other.Message
            && Metrics.SequenceEqual(other.Metrics)
            && (Layers, other.Layers) switch
            {
                (null, null) => true,
                ({ } a, { } b) => a.Length == b.Length && a.Zip(b).All(p => p.First.SequenceEqual(p.Second)),
                _ => false,
            };
    }
}
