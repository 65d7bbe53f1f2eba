using System.Collections.Immutable;
using AccelSim.Configuration;

namespace AccelSim.Sweeps;

/// <summary>The points no other point beats on every objective.</summary>
/// <remarks>
/// Point a dominates b when a is no worse on every objective and better on at least one (minimised objectives compare
/// as they are, maximised ones negated). Points with equal objectives do not dominate each other, so both may be on the
/// front. Only points that ran are considered, and a point with a missing or NaN objective is never on the front.
/// Fronts are per workload: points of different networks are not comparable. Comparisons are exact, so the front
/// does not depend on the order points were run in.
/// </remarks>
public static class ParetoFront
{
    /// <summary>The indexes of the points on the front.</summary>
    public static ImmutableHashSet<int> Of(SweepSpec spec, ImmutableArray<SweepPoint> points, IReadOnlyDictionary<int, PointRecord> records)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(records);
        if (spec.Objectives.IsEmpty)
        {
            return [];
        }

        int[] columns = [.. spec.Objectives.Select(o => spec.Metrics.IndexOf(o.Metric))];
        var front = ImmutableHashSet.CreateBuilder<int>();
        for (int workload = 0; workload < spec.Workloads.Length; workload++)
        {
            var candidates = new List<(int Index, double[] Costs)>();
            foreach (SweepPoint point in points.Where(p => p.WorkloadIndex == workload))
            {
                if (records.TryGetValue(point.Index, out PointRecord? record) && record.Status == PointStatus.Ok
                    && Costs(spec, record, columns) is { } costs)
                {
                    candidates.Add((point.Index, costs));
                }
            }

            front.UnionWith(Front(candidates));
        }

        return front.ToImmutable();
    }

    /// <summary>
    /// Sorted lexicographically by cost, a point can only be dominated by one before it, and anything dominating it is
    /// itself on the front or dominated by a point that is; so each point is checked against the front so far.
    /// </summary>
    internal static IEnumerable<int> Front(List<(int Index, double[] Costs)> candidates)
    {
        candidates.Sort((a, b) =>
        {
            for (int i = 0; i < a.Costs.Length; i++)
            {
                int order = a.Costs[i].CompareTo(b.Costs[i]);
                if (order != 0)
                {
                    return order;
                }
            }

            return a.Index.CompareTo(b.Index);
        });

        var front = new List<(int Index, double[] Costs)>();
        foreach (var candidate in candidates)
        {
            if (!front.Any(f => Dominates(f.Costs, candidate.Costs)))
            {
                front.Add(candidate);
            }
        }

        return front.Select(f => f.Index);
    }

    internal static bool Dominates(double[] a, double[] b)
    {
        bool better = false;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] > b[i])
            {
                return false;
            }

            better |= a[i] < b[i];
        }

        return better;
    }

    private static double[]? Costs(SweepSpec spec, PointRecord record, int[] columns)
    {
        var costs = new double[columns.Length];
        for (int i = 0; i < columns.Length; i++)
        {
            if (SweepMetric.Parse(record.Metrics[columns[i]]) is not { } value || double.IsNaN(value))
            {
                return null;
            }

            costs[i] = spec.Objectives[i].Goal == ObjectiveGoal.Minimize ? value : -value;
        }

        return costs;
    }
}
