using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using AccelSim.Configuration;

namespace AccelSim.Sweeps;

/// <summary>One point of a sweep: a workload and one value for every axis.</summary>
/// <param name="Index">0-based position in the sweep's order (workloads outermost, the last factor fastest).</param>
/// <param name="Id">16 hex digits of a 64-bit FNV-1a hash of the workload and the axis values: the same point gets the
/// same id in every run, shard and process.</param>
/// <param name="WorkloadIndex">Index into <see cref="SweepSpec.Workloads"/>.</param>
/// <param name="Values">One value per axis of <see cref="SweepSpec.Axes"/>, in that order.</param>
public sealed record SweepPoint(int Index, string Id, int WorkloadIndex, ImmutableArray<AxisValue> Values)
{
    /// <summary>The overrides of this point for one file, in axis order.</summary>
    public IReadOnlyList<ConfigOverride> Overrides(SweepSpec spec, KeyTarget target) =>
        [.. spec.Axes.Select((axis, i) => (axis, i)).Where(a => a.axis.Target == target).Select(a => new ConfigOverride(a.axis.Path, Values[a.i].Yaml))];
}

/// <summary>A part of a sweep: the points whose index is <see cref="Index"/> modulo <see cref="Count"/>.</summary>
/// <param name="Index">0-based, below <see cref="Count"/> (as Slurm's array task ids and Kubernetes' completion indexes are).</param>
/// <param name="Count">Number of shards, at least 1.</param>
public readonly record struct Shard(int Index, int Count)
{
    /// <summary>The whole sweep.</summary>
    public static Shard All => new(0, 1);

    public bool Contains(SweepPoint point) => point.Index % Count == Index;

    /// <summary>Parses <c>i/N</c>; null when the text is not of that form or <c>i</c> is not below <c>N</c>.</summary>
    public static Shard? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split('/');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            && count >= 1 && index < count
            ? new Shard(index, count)
            : null;
    }

    public override string ToString() => $"{Index}/{Count}";
}

/// <summary>Expands a spec into its points, deterministically.</summary>
public static class SweepPlan
{
    public static ImmutableArray<SweepPoint> Expand(SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        long total = spec.PointCount;
        if (total > SweepSpecReader.MaxPoints)
        {
            throw new ArgumentException($"The sweep has {total} points, more than {SweepSpecReader.MaxPoints}.", nameof(spec));
        }

        var points = ImmutableArray.CreateBuilder<SweepPoint>((int)total);
        int[] rowOf = new int[spec.Factors.Length];
        for (int index = 0; index < total; index++)
        {
            // Mixed radix: the last factor is the fastest digit, the workload the slowest.
            long rest = index;
            for (int f = spec.Factors.Length - 1; f >= 0; f--)
            {
                int rows = spec.Factors[f].Rows.Length;
                rowOf[f] = (int)(rest % rows);
                rest /= rows;
            }

            int workload = (int)rest;
            var values = new AxisValue[spec.Axes.Length];
            for (int f = 0; f < spec.Factors.Length; f++)
            {
                SweepFactor factor = spec.Factors[f];
                for (int k = 0; k < factor.AxisIndices.Length; k++)
                {
                    values[factor.AxisIndices[k]] = factor.Rows[rowOf[f]][k];
                }
            }

            points.Add(new SweepPoint(index, IdOf(spec, workload, values), workload, [.. values]));
        }

        return points.MoveToImmutable();
    }

    /// <summary>The id text hashed is one line per part: <c>workload=label</c>, then <c>key=value</c> per axis.</summary>
    private static string IdOf(SweepSpec spec, int workload, AxisValue[] values)
    {
        var text = new StringBuilder().Append("workload=").Append(spec.Workloads[workload].Label).Append('\n');
        for (int i = 0; i < values.Length; i++)
        {
            text.Append(spec.Axes[i].Key).Append('=').Append(values[i].Yaml).Append('\n');
        }

        return LayerSeeds.Fnv1a64(text.ToString()).ToString("x16", CultureInfo.InvariantCulture);
    }
}
