using System.Collections.Concurrent;
using System.Collections.Immutable;
using AccelSim.Energy;
using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Workloads;

namespace AccelSim.Execution;

/// <summary>What the mapping search of one run (or of a sweep that shares it across its points) has already worked
/// out: mapped spaces, evaluated points and searched layers' winners, each keyed by everything its value depends on.</summary>
/// <remarks>
/// <para>The runner creates one per run and hands it to every layer (a sweep may hand one to all its points); a caller
/// that passes none gets a fresh one per layer. Values depend only on their keys, so sharing a memo, dropping entries
/// or running layers on several threads changes speed, never results. Each table is bounded: when full it is emptied.</para>
/// <para>Thread-safe: layers of one run are simulated in parallel and may meet the same key; both then compute the
/// same value and either is kept.</para>
/// </remarks>
public sealed class SearchMemo
{
    /// <summary>Most mapped spaces kept.</summary>
    private const int MaxSpaces = 2_048;

    /// <summary>Most evaluations kept: a sweep of a thousand ResNet-50 points would otherwise keep every timing.</summary>
    private const int MaxEvaluations = 4_096;

    /// <summary>Most searched layers whose winning timing is kept.</summary>
    private const int MaxSearched = 2_048;

    private readonly ConcurrentDictionary<SpaceKey, ImmutableArray<(MappingPoint Point, TileSchedule Schedule)>> _spaces = new();

    private readonly ConcurrentDictionary<EvaluationKey, (LayerTiming Timing, double PicoJoules)> _evaluations = new();

    private readonly ConcurrentDictionary<SearchKey, LayerTiming> _searched = new();

    /// <summary>Entries held in all three tables (for tests).</summary>
    internal int Count => _spaces.Count + _evaluations.Count + _searched.Count;

    /// <summary>A layer's mapped space: its shape (<see cref="LayerShapes.TimingKey"/>), batch, hardware (the mapper
    /// section aside: the space does not depend on it) and context.</summary>
    internal ImmutableArray<(MappingPoint Point, TileSchedule Schedule)> Space(
        Layer layer, int batch, AcceleratorConfig config, LayerContext context, Func<ImmutableArray<(MappingPoint, TileSchedule)>> map)
    {
        var key = new SpaceKey(LayerShapes.TimingKey(layer), batch, config with { Mapper = MapperConfig.Heuristic }, context);
        return GetOrAdd(_spaces, key, MaxSpaces, map);
    }

    /// <summary>One point's timing and energy: a layer's timing depends only on its shape (not its name, inputs or
    /// weight values; sparse weights' masks stay in the key), its batch, the hardware (the mapper section aside), its
    /// context and the mapping point, and its energy on the table too.</summary>
    internal (LayerTiming Timing, double PicoJoules) Evaluation(
        Layer layer, int batch, AcceleratorConfig config, LayerContext context, EnergyTable? energy, MappingPoint point, Func<(LayerTiming, double)> evaluate)
    {
        var key = new EvaluationKey(LayerShapes.TimingKey(layer), batch, config with { Mapper = MapperConfig.Heuristic }, context, energy, point);
        return GetOrAdd(_evaluations, key, MaxEvaluations, evaluate);
    }

    /// <summary>A searched layer's winning timing: the key holds the whole config, mapper section included.</summary>
    internal LayerTiming Searched(Layer layer, int batch, AcceleratorConfig config, LayerContext context, EnergyTable? energy, Func<LayerTiming> search)
    {
        var key = new SearchKey(LayerShapes.TimingKey(layer), batch, config, context, energy);
        return GetOrAdd(_searched, key, MaxSearched, search);
    }

    private static TValue GetOrAdd<TKey, TValue>(ConcurrentDictionary<TKey, TValue> table, TKey key, int most, Func<TValue> make)
        where TKey : notnull
    {
        if (table.TryGetValue(key, out TValue? known))
        {
            return known;
        }

        TValue made = make();
        if (table.Count >= most)
        {
            // Bounded: values depend only on their keys, so dropping them changes speed, never results.
            table.Clear();
        }

        return table.GetOrAdd(key, made);
    }

    private readonly record struct SpaceKey(Layer Shape, int Batch, AcceleratorConfig Hardware, LayerContext Context);

    private readonly record struct EvaluationKey(Layer Shape, int Batch, AcceleratorConfig Hardware, LayerContext Context, EnergyTable? Energy, MappingPoint Point);

    private readonly record struct SearchKey(Layer Shape, int Batch, AcceleratorConfig Hardware, LayerContext Context, EnergyTable? Energy);
}
