using System.Collections.Immutable;
using AccelSim.Energy;
using AccelSim.Hardware;
using AccelSim.Kernel;
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
/// (<see cref="Bound"/>: cycles, DRAM bytes, energy and EDP each have one), simulates the heuristic, then the
/// other points in the order of their bounds, and stops at the first bound above the best value found: no point left
/// can win, so it finds exhaustive's optimum. A budget stops either after that many simulations. Deterministic: the
/// order of evaluation depends only on the inputs.</para>
/// <para>Mapped spaces and evaluations are memoised in the <see cref="SearchMemo"/> the caller hands in (the run's, or
/// a sweep's; keyed by what they depend on), so a layer shape met again costs no mapping and no simulation.</para>
/// </remarks>
public static class MappingSearch
{
    /// <param name="energy">The table energy is priced with; needed for the energy and EDP objectives.</param>
    /// <param name="memo">What this run already mapped and simulated; null: a fresh memo for this search alone.</param>
    /// <exception cref="MappingException">The layer cannot be placed on this hardware.</exception>
    public static MappingSearchResult Search(
        Layer layer, int batch, AcceleratorConfig config, LayerContext context, EnergyTable? energy, MapperConfig mapper, SearchMemo? memo = null)
    {
        memo ??= new SearchMemo();
        if (energy is null && mapper.Objective is MapperObjective.Energy or MapperObjective.Edp)
        {
            throw new InvalidOperationException("the energy and edp objectives need the energy table");
        }

        var points = new List<(int Index, MappingPoint Point, TileSchedule Schedule, double Bound)>();
        foreach ((MappingPoint point, TileSchedule schedule) in SpaceOf(layer, batch, config, context, memo))
        {
            points.Add((points.Count, point, schedule, mapper.Search == MapperSearch.Pruned ? Bound(layer, schedule, config, context, energy, mapper.Objective) : 0));
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

            MappingCandidate candidate = Evaluate(layer, batch, config, context, energy, mapper.Objective, p.Index, p.Point, p.Schedule, memo);
            evaluated.Add(candidate);
            if (best is null || MappingCandidate.Compare(candidate, best) < 0)
            {
                best = candidate;
            }
        }

        evaluated.Sort(MappingCandidate.Compare);
        return new MappingSearchResult(best!, [.. evaluated], points.Count);
    }

    /// <summary>The candidate of one point: its schedule simulated and priced, or what an earlier evaluation of the same
    /// point of the same layer shape, batch, hardware and context measured (<see cref="SearchMemo"/>).</summary>
    /// <param name="memo">What this run already simulated; null: a fresh memo.</param>
    public static MappingCandidate Evaluate(
        Layer layer, int batch, AcceleratorConfig config, LayerContext context, EnergyTable? energy, MapperObjective objective, int index, MappingPoint point,
        TileSchedule schedule, SearchMemo? memo = null)
    {
        (LayerTiming Timing, double PicoJoules) measured = (memo ?? new SearchMemo()).Evaluation(layer, batch, config, context, energy, point, () =>
        {
            LayerTiming simulated = LayerSimulator.RunSchedule(layer, batch, schedule, config, context, point);
            double priced = energy is null ? 0
                : EnergyAccounting.Price(layer, simulated.Activity, config, context, energy, simulated.TotalCycles, zeroOperandMacs: null).TotalPicoJoules;
            return (simulated, priced);
        });

        (LayerTiming timing, double picoJoules) = measured;
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

    /// <summary>The layer's mapping space with each point's schedule, points that build the same schedule counted once
    /// (the first keeps its place); memoised, since building a schedule walks all its steps. A schedule names its layer
    /// only in the refusals its construction raises, so one built for a layer of the same shape serves.</summary>
    private static ImmutableArray<(MappingPoint Point, TileSchedule Schedule)> SpaceOf(Layer layer, int batch, AcceleratorConfig config, LayerContext context, SearchMemo memo) =>
        memo.Space(layer, batch, config, context, () =>
        {
            var mapped = ImmutableArray.CreateBuilder<(MappingPoint, TileSchedule)>();
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
                    mapped.Add((point, schedule));
                }
            }

            return mapped.ToImmutable();
        });

    /// <summary>A value the objective cannot go below for this schedule, from the schedule alone.</summary>
    /// <remarks>
    /// <para>Cycles: the larger of (a) the DRAM bytes over the channel's bandwidth (every byte crosses the one channel)
    /// and (b) the first step's tiles arriving (their beats one after the other on the channel, then its latency), every
    /// step's compute cycles one after another, then the last step's results written (beats and latency). Every stall
    /// and every other transfer only adds to these.</para>
    /// <para>Energy: the schedule fixes the engine's actions (MACs, operand reads, register-file accesses, conversions,
    /// output-buffer writes and drains) and the DRAM bytes requested (bursts only add); tile fills into the buffers and
    /// the BFP formatting are left out, and leakage is charged for the cycle bound. Every price is non-negative, so the
    /// sum is a lower bound. EDP: the product of the two bounds.</para>
    /// </remarks>
    internal static double Bound(Layer layer, TileSchedule schedule, AcceleratorConfig config, LayerContext context, EnergyTable? energy, MapperObjective objective)
    {
        long dramBytes = LayerSimulator.TrafficBytes(schedule, context);
        if (objective == MapperObjective.DramBytes)
        {
            return dramBytes;
        }

        BufferSetConfig buffers = context.Buffers;
        StepTotals sums = schedule.StepSums;
        DramConfig dram = config.Dram;
        long latency = dram.LatencyCycles + (dram.Banks?.CasCycles ?? 0);
        long Beats(long bytes) => DramChannel.TransferCycles(bytes, dram.BandwidthBytesPerCycle);
        // Input tile 0 and weight tile 0 are the first fetched; the first step waits for them when they are its tiles.
        long firstBytes = sums.First is not { } first ? 0
            : (context.InputFromChip || first.IfmapTile != 0 ? 0 : sums.FirstIfmapTileBytes) + (first.WeightTile == 0 ? sums.FirstWeightTileBytes : 0);
        long lastBytes = sums.Last is not { } last || context.OutputToChip ? 0 : last.OutputBytes;
        long prologue = firstBytes > 0 ? Beats(firstBytes) + latency : 0;
        long epilogue = lastBytes > 0 ? Beats(lastBytes) + latency : 0;
        double cycles = Math.Max(prologue + sums.ComputeCycles + epilogue, Math.Floor(dramBytes / dram.BandwidthBytesPerCycle));
        if (objective == MapperObjective.Cycles)
        {
            return cycles;
        }

        if (energy is null)
        {
            return 0;
        }

        long readBytes = (context.InputFromChip ? 0 : LayerContext.DramBytes(schedule.IfmapTileBytes.TotalBytes, context.InputDramRatio)) + schedule.WeightTileBytes.TotalBytes;
        ActivityCounts activity = ActivityCounts.Of(new Dictionary<ActionCounter, long>
        {
            // Words summed before rounding up: never more than the engine's per-step rounding counts.
            [new(ComputeEngine.Macs)] = sums.Macs,
            [new(ComputeEngine.IfmapReadWords, ComponentId.Ifmap)] = buffers.Ifmap.Words(sums.IfmapReadBytes),
            [new(ComputeEngine.WeightReadWords)] = buffers.Weights.Words(sums.WeightReadBytes),
            [new(ComputeEngine.RegisterFileAccesses)] = sums.RegisterFileAccesses,
            [new(ComputeEngine.InputConversions)] = sums.InputConversions,
            [new(ComputeEngine.OutputConversions)] = sums.OutputConversions,
            [new(OutputBuffer.WriteWords, ComponentId.Ofmap)] = buffers.Ofmap.Words(sums.PartialSumBytes) + buffers.Ofmap.Words(schedule.Steps.OutputBytes),
            [new(OutputBuffer.ReadWords, ComponentId.Ofmap)] = buffers.Ofmap.Words(sums.PartialSumBytes) + (context.OutputToChip ? 0 : buffers.Ofmap.Words(schedule.Steps.OutputBytes)),
            [new(DramChannel.ReadBytes, ComponentId.Dram)] = readBytes,
            [new(DramChannel.WriteBytes, ComponentId.Dram)] = context.OutputToChip ? 0 : LayerContext.DramBytes(schedule.Steps.OutputBytes, context.OutputDramRatio),
        });
        double picoJoules = EnergyAccounting.Price(layer, activity, config, context, energy, (long)cycles, zeroOperandMacs: null).TotalPicoJoules;
        return objective == MapperObjective.Energy ? picoJoules : picoJoules * cycles;
    }
}
