using System.Collections.Immutable;
using AccelSim.Energy;
using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Workloads;

namespace AccelSim.Execution;

/// <summary>One evaluated point of a layer's mapping space: its schedule, what the event-driven model measured for it
/// and the objective's value.</summary>
/// <param name="Index">The point's place in the enumeration (0: the heuristic); the last tie-breaker.</param>
/// <param name="Point">The mapping point.</param>
/// <param name="Schedule">Its schedule.</param>
/// <param name="Timing">Its simulated timing.</param>
/// <param name="EnergyPicoJoules">Its energy under the config's table (0 when no table was given).</param>
/// <param name="Objective">The value the search minimises.</param>
public sealed record MappingCandidate(int Index, MappingPoint Point, TileSchedule Schedule, LayerTiming Timing, double EnergyPicoJoules, double Objective)
{
    /// <summary>DRAM bytes read and written.</summary>
    public long DramBytes => Timing.DramReadBytes + Timing.DramWriteBytes;

    /// <summary>The order the search ranks candidates in: the objective, then fewer cycles, fewer DRAM bytes, less
    /// energy, then the point enumerated first.</summary>
    public static int Compare(MappingCandidate a, MappingCandidate b)
    {
        int order = a.Objective.CompareTo(b.Objective);
        order = order != 0 ? order : a.Timing.TotalCycles.CompareTo(b.Timing.TotalCycles);
        order = order != 0 ? order : a.DramBytes.CompareTo(b.DramBytes);
        order = order != 0 ? order : a.EnergyPicoJoules.CompareTo(b.EnergyPicoJoules);
        return order != 0 ? order : a.Index.CompareTo(b.Index);
    }
}

/// <summary>What the search of one layer found: the winner, every candidate it simulated (ranked) and how many points
/// the space held.</summary>
/// <param name="Best">The winning candidate.</param>
/// <param name="Ranked">Every simulated candidate, best first.</param>
/// <param name="SpacePoints">Points in the layer's mapping space (distinct schedules).</param>
public sealed record MappingSearchResult(MappingCandidate Best, ImmutableArray<MappingCandidate> Ranked, int SpacePoints);

/// <summary>Searches the mapping space of one conv or FC layer under the config's <c>mapper</c> section.</summary>
/// <remarks>
/// <para>The space is <see cref="Mapper.Space"/>'s points, with points that build the same schedule counted once (the
/// first keeps its place). Every candidate is measured by the event-driven model itself, so the search's figures are the
/// run's figures.</para>
/// <para>Exhaustive simulates every point. Pruned computes, from each schedule alone, a lower bound of the objective
/// (cycles: the larger of the compute cycles and the DRAM bytes over the channel's bandwidth; DRAM bytes: the tiles and
/// outputs the schedule moves; energy and EDP: none, so every point is simulated), simulates the heuristic, then the
/// other points in the order of their bounds, and stops at the first bound above the best value found: no point left
/// can win, so it finds exhaustive's optimum. A budget stops either after that many simulations. Deterministic: the
/// order of evaluation depends only on the inputs.</para>
/// </remarks>
public static class MappingSearch
{
    /// <param name="energy">The table energy is priced with; needed for the energy and EDP objectives.</param>
    /// <exception cref="MappingException">The layer cannot be placed on this hardware.</exception>
    public static MappingSearchResult Search(Layer layer, int batch, AcceleratorConfig config, LayerContext context, EnergyTable? energy, MapperConfig mapper)
    {
        if (energy is null && mapper.Objective is MapperObjective.Energy or MapperObjective.Edp)
        {
            throw new InvalidOperationException("the energy and edp objectives need the energy table");
        }

        var points = new List<(int Index, MappingPoint Point, TileSchedule Schedule, double Bound)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (MappingPoint point in Mapper.Space(layer, batch, config, context))
        {
            TileSchedule schedule = Mapper.Map(layer, batch, config, context, point);
            if (context.Fusion is { } fused)
            {
                // With layers fused into its output path, a mapping whose line buffer does not fit is not a candidate;
                // the heuristic's does (LayerFusion).
                if (!LayerFusion.Fits(schedule, fused, context.Buffers.Ofmap))
                {
                    continue;
                }

                schedule = LayerFusion.Apply(schedule, fused);
            }

            if (seen.Add(schedule.Description))
            {
                points.Add((points.Count, point, schedule, Bound(schedule, config, context, mapper.Objective)));
            }
        }

        IEnumerable<(int Index, MappingPoint Point, TileSchedule Schedule, double Bound)> order = mapper.Search == MapperSearch.Pruned
            ? points.Take(1).Concat(points.Skip(1).OrderBy(p => p.Bound).ThenBy(p => p.Index))
            : points;
        int budget = mapper.Budget ?? int.MaxValue;
        var evaluated = new List<MappingCandidate>();
        MappingCandidate? best = null;
        foreach (var p in order)
        {
            if (evaluated.Count >= budget || (mapper.Search == MapperSearch.Pruned && best is not null && p.Bound > best.Objective))
            {
                break;
            }

            MappingCandidate candidate = Evaluate(layer, batch, config, context, energy, mapper.Objective, p.Index, p.Point, p.Schedule);
            evaluated.Add(candidate);
            if (best is null || MappingCandidate.Compare(candidate, best) < 0)
            {
                best = candidate;
            }
        }

        evaluated.Sort(MappingCandidate.Compare);
        return new MappingSearchResult(best!, [.. evaluated], points.Count);
    }

    /// <summary>The candidate of one point: its schedule simulated and priced.</summary>
    public static MappingCandidate Evaluate(
        Layer layer, int batch, AcceleratorConfig config, LayerContext context, EnergyTable? energy, MapperObjective objective, int index, MappingPoint point, TileSchedule schedule)
    {
        LayerTiming timing = LayerSimulator.RunSchedule(layer, batch, schedule, config, context, point);
        double picoJoules = energy is null ? 0
            : EnergyAccounting.Price(layer, timing.Activity, config, context, energy, timing.TotalCycles, zeroOperandMacs: null).TotalPicoJoules;
        double value = objective switch
        {
            MapperObjective.Cycles => timing.TotalCycles,
            MapperObjective.DramBytes => timing.DramReadBytes + timing.DramWriteBytes,
            MapperObjective.Energy => picoJoules,
            MapperObjective.Edp => picoJoules * timing.TotalCycles,
            _ => throw new ArgumentOutOfRangeException(nameof(objective)),
        };
        return new MappingCandidate(index, point, schedule, timing, picoJoules, value);
    }

    /// <summary>A value the objective cannot go below for this schedule, from the schedule alone.</summary>
    internal static double Bound(TileSchedule schedule, AcceleratorConfig config, LayerContext context, MapperObjective objective)
    {
        long dramBytes = LayerSimulator.TrafficBytes(schedule, context);
        return objective switch
        {
            // Every compute cycle is part of the layer, and every byte crosses the one DRAM channel at its bandwidth.
            MapperObjective.Cycles => Math.Max(schedule.Steps.Sum(s => s.ComputeCycles), Math.Floor(dramBytes / config.Dram.BandwidthBytesPerCycle)),
            MapperObjective.DramBytes => dramBytes,
            _ => 0,
        };
    }
}
