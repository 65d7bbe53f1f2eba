using System.Collections.Immutable;
using AccelSim.Energy;
using AccelSim.Hardware;
using AccelSim.Kernel;
using AccelSim.Mapping;
using AccelSim.Numerics;
using AccelSim.Reports;
using AccelSim.Statistics;
using AccelSim.Tracing;
using AccelSim.Workloads;

namespace AccelSim.Execution;

/// <summary>Builds the accelerator for one layer, runs the event-driven timing simulation and collects what it measured.</summary>
/// <remarks>
/// Layers run one after another: a layer starts with empty buffers once the previous layer's results are all in DRAM.
/// So each layer is an independent simulation, and layers may be simulated in parallel without changing any result.
/// </remarks>
public static class LayerSimulator
{
    /// <summary>Every statistic the accelerator's components register, with units and descriptions (for <c>describe</c>).</summary>
    public static IReadOnlyList<Statistics.Counter> Statistics(AcceleratorConfig config)
    {
        var simulation = new Simulation(new SimulationOptions { MaxCycles = config.MaxCycles });
        Build(simulation, new TileSchedule([], [], [], EngineKind.PeArray, "none"), config, LayerContext.Of(config));
        return simulation.Stats.Counters;
    }

    /// <param name="context">What the run decided for the layer; null: <see cref="LayerContexts.For(Layer, AcceleratorConfig, RunSettings)"/>.</param>
    /// <param name="trace">Where the components report what they do (in layer cycles), or null.</param>
    /// <param name="energy">The energy table, for a mapping search under the energy or EDP objective.</param>
    /// <param name="memo">What the run's mapping searches already found (the runner's); null: a fresh one for this layer.</param>
    public static LayerTiming Run(
        Layer layer, int batch, AcceleratorConfig config, LayerContext? context = null, ITraceSink? trace = null, EnergyTable? energy = null, SearchMemo? memo = null)
    {
        LayerTiming timing = RunUnmarked(layer, batch, config, context ?? LayerContexts.For(layer, config, RunSettings.Native), trace, energy, memo ?? new SearchMemo());
        return context is null ? timing : timing with
        {
            FusedInto = context.FusedInto,
            NotFused = context.NotFused,
            FusedLayers = context.Fusion?.Layers,
            Compression = CompressionOf(timing, context),
        };
    }

    /// <summary>The layer's zero compression: its output's, and the DRAM bytes its compressed traffic saved (buffer bytes
    /// the codecs handled less the DRAM bytes that moved); null when nothing the layer moves is compressed.</summary>
    private static FeatureMapCompressionResult? CompressionOf(LayerTiming timing, LayerContext context)
    {
        if (context.OutputCompression == ActivationCompression.None && context.InputDramRatio == 1)
        {
            return null;
        }

        long Stat(ComponentId component, StatKey key) => timing.Stats.TryGet(key.PathUnder(component.Path), out StatValue? v) ? v.Value : 0;
        long decompressed = Stat(ComponentId.Ifmap, TileLoader.DecompressedBytes);
        long compressed = Stat(ComponentId.Ofmap, OutputBuffer.CompressedBytes);
        long saved = (decompressed == 0 ? 0 : decompressed - Stat(ComponentId.Ifmap, TileLoader.FillBytes))
            + (compressed == 0 ? 0 : compressed - timing.DramWriteBytes);
        string format = context.OutputCompression switch
        {
            ActivationCompression.RunLength => "run_length",
            ActivationCompression.Bitmap => "bitmap",
            _ => "none",
        };
        return new FeatureMapCompressionResult(format, context.OutputDensity, context.OutputDramRatio, saved);
    }

    private static LayerTiming RunUnmarked(Layer layer, int batch, AcceleratorConfig config, LayerContext context, ITraceSink? trace, EnergyTable? energy, SearchMemo memo)
    {
        if (context.FusedInto is { } host)
        {
            // Its work is on the producer's output path: no steps, no traffic, no cycles of its own.
            return Run(layer, batch, new TileSchedule([], [], [], EngineKind.VectorUnit, $"fused into '{host}''s output path"), config, context, trace);
        }

        (LayerContext chosen, TileSchedule schedule, LayerTiming? simulated) = Choose(layer, batch, config, context);

        if (config.Mapper.Search != MapperSearch.Heuristic && Mapper.RunsOnTheArray(layer))
        {
            // The split (for a unified buffer) is chosen with the heuristic mapping, then the search maps within it.
            // A layer of the same shape searched before (a repeated block, another sweep point of the same hardware)
            // has its winner's timing already: the search is deterministic.
            if (trace is null)
            {
                return memo.Searched(layer, batch, config, chosen, energy, () => MappingSearch.Search(layer, batch, config, chosen, energy, config.Mapper, memo).Best.Timing);
            }

            MappingCandidate best = MappingSearch.Search(layer, batch, config, chosen, energy, config.Mapper, memo).Best;
            return RunSchedule(layer, batch, best.Schedule, config, chosen, best.Point, trace);
        }

        if (chosen.Fusion is { } fused)
        {
            // Fusion needs separate buffers (LayerFusion), so no split was simulated yet.
            return Run(layer, batch, LayerFusion.Apply(schedule, fused), config, chosen, Labelled(trace, MappingPoint.Heuristic));
        }

        // A split chosen by simulating it has its timing already; a trace needs the run again.
        return trace is null && simulated is not null ? simulated : Run(layer, batch, schedule, config, chosen, Labelled(trace, MappingPoint.Heuristic));
    }

    /// <summary>The event-driven timing of one schedule of the layer, the mapping point that built it named in the
    /// timing's mapping description (unless it is the heuristic).</summary>
    public static LayerTiming RunSchedule(Layer layer, int batch, TileSchedule schedule, AcceleratorConfig config, LayerContext context, MappingPoint point, ITraceSink? trace = null)
    {
        LayerTiming timing = Run(layer, batch, schedule, config, context, Labelled(trace, point));
        return point.IsHeuristic ? timing : timing with { Mapping = $"{timing.Mapping}; mapping point {point}", MappingPoint = point.ToString() };
    }

    /// <summary>The layer's context with the buffers as the layer uses them, and its mapping: with a unified buffer not
    /// yet split, the split of <see cref="BufferPartition.Candidates"/> that needs the least DRAM traffic, then the fewest
    /// cycles (simulated), then comes first; otherwise the context as it is.</summary>
    /// <exception cref="MappingException">No candidate split can hold the layer (the first candidate's reason).</exception>
    public static (LayerContext Context, TileSchedule Schedule) Partitioned(Layer layer, int batch, AcceleratorConfig config, LayerContext context)
    {
        (LayerContext chosen, TileSchedule schedule, _) = Choose(layer, batch, config, context);
        return (chosen, schedule);
    }

    /// <summary><see cref="Partitioned"/>, with the chosen split's timing when choosing it took a simulation.</summary>
    private static (LayerContext Context, TileSchedule Schedule, LayerTiming? Timing) Choose(Layer layer, int batch, AcceleratorConfig config, LayerContext context)
    {
        if (context.Buffers.Unified is not { } unified || context.Buffers.Partitioned)
        {
            return (context, Mapper.Map(layer, batch, config, context), null);
        }

        var mapped = new List<(LayerContext Context, TileSchedule Schedule, long TrafficBytes)>();
        MappingException? firstFailure = null;
        foreach (BufferSetConfig split in BufferPartition.Candidates(unified))
        {
            LayerContext view = context with { Buffers = split };
            try
            {
                TileSchedule schedule = Mapper.Map(layer, batch, config, view);
                mapped.Add((view, schedule, TrafficBytes(schedule, view)));
            }
            catch (MappingException e)
            {
                firstFailure ??= e;
            }
        }

        if (mapped.Count == 0)
        {
            throw new MappingException($"{firstFailure!.Message} (with every split of the unified buffer)");
        }

        long least = mapped.Min(m => m.TrafficBytes);
        var fewest = mapped.Where(m => m.TrafficBytes == least).ToList();
        if (fewest.Count == 1)
        {
            return (fewest[0].Context, fewest[0].Schedule, null);
        }

        // MinBy keeps the first of equal cycles: the candidates' order breaks the tie.
        var (chosen, timing) = fewest.Select(m => (m, Run(layer, batch, m.Schedule, config, m.Context, trace: null))).MinBy(p => p.Item2.TotalCycles);
        return (chosen.Context, chosen.Schedule, timing);
    }

    /// <summary>DRAM bytes a schedule moves: its tiles in (unless the input is on chip) and its results out.</summary>
    internal static long TrafficBytes(TileSchedule schedule, LayerContext context) =>
        checked((context.InputFromChip ? 0 : schedule.IfmapTileBytes.TotalBytes) + schedule.WeightTileBytes.TotalBytes
        + (context.OutputToChip ? 0 : schedule.Steps.OutputBytes));

    /// <summary>The trace with every PE-array step labelled by the mapping point that built the schedule, beside the
    /// loop coordinates the step carries.</summary>
    private static MappingPointTrace? Labelled(ITraceSink? trace, MappingPoint point) => trace is null ? null : new MappingPointTrace(trace, point.ToString());

    /// <summary>Passes everything on, naming the mapping point on each slice that carries loop coordinates.</summary>
    private sealed class MappingPointTrace(ITraceSink inner, string point) : ITraceSink
    {
        public void Slice(in TraceSlice slice)
        {
            if (slice.Loop is null)
            {
                inner.Slice(slice);
            }
            else
            {
                inner.Slice(slice with { MappingPoint = point });
            }
        }

        public void Counter(in TraceCounter counter) => inner.Counter(counter);

        public void Access(in TraceAccess access) => inner.Access(access);
    }

    private static LayerTiming Run(Layer layer, int batch, TileSchedule schedule, AcceleratorConfig config, LayerContext context, ITraceSink? trace)
    {
        var simulation = new Simulation(new SimulationOptions { MaxCycles = config.MaxCycles }, trace);
        InputFormatting? formatting = InputFormattingOf(layer, batch, config, context.Bfp);
        (ComputeEngine engine, TileLoader ifmap, TileLoader weights, ComponentId enginePath) = Build(simulation, schedule, config, context, formatting?.LookAheadElements ?? 0);
        engine.Start();
        ifmap.Start();
        weights.Start();
        try
        {
            simulation.RunToCompletion();
        }
        catch (MaxCyclesExceededException e)
        {
            throw new CycleLimitException(layer.Name, e);
        }

        return Collect(layer, schedule, context, simulation, engine, enginePath, formatting, MxBlockWorkOf(layer, batch, config, context.Bfp));
    }

    /// <summary>An MX/NVFP4 array's block products and output values for a conv or FC layer (closed form); null for
    /// any other layer or arithmetic.</summary>
    /// <param name="bfp">The layer's effective BFP settings.</param>
    public static (long BlockProducts, long Outputs)? MxBlockWorkOf(Layer layer, int batch, AcceleratorConfig config, BfpSettings bfp)
    {
        if (config.PeArray.Arithmetic != Arithmetic.Bfp || !bfp.IsMx)
        {
            return null;
        }

        ConvShape? g = ConvShape.Of(layer, batch);
        if (g is null)
        {
            return null;
        }

        // Block sizes are 16 or 32: the smaller divides the larger, so the segments are the smaller blocks.
        int segment = Math.Min(bfp.WeightMx!.BlockSize, bfp.InputMx!.BlockSize);
        long segments = (g.Reduction + segment - 1) / segment;
        return (g.OutputLength * segments, g.OutputLength);
    }

    /// <summary>The run-time formatting of a BFP array's conv or FC input; null where nothing is formatted into blocks.</summary>
    /// <param name="bfp">The layer's effective BFP settings.</param>
    public static InputFormatting? InputFormattingOf(Layer layer, int batch, AcceleratorConfig config, BfpSettings bfp)
    {
        if (config.PeArray.Arithmetic != Arithmetic.Bfp)
        {
            return null;
        }

        ConvShape? g = ConvShape.Of(layer, batch);
        return g is null ? null : BfpCost.InputFormattingOf(g, bfp.InputPartition);
    }

    /// <summary>Wires one layer's accelerator: the DRAM channel, two loaders, the output buffer and the engine.</summary>
    private static (ComputeEngine Engine, TileLoader Ifmap, TileLoader Weights, ComponentId EnginePath) Build(
        Simulation simulation, TileSchedule schedule, AcceleratorConfig config, LayerContext context, long inputLookAheadElements = 0)
    {
        var buffers = context.Buffers;
        var dram = new DramChannel(simulation, ComponentId.Dram, config.Dram);
        bool portLimited = !context.Run.Counting.TransfersIgnoreSramPorts;
        var ifmap = new TileLoader(simulation, ComponentId.Ifmap, buffers.Ifmap, dram, schedule.IfmapTileBytes, fromChip: context.InputFromChip, portLimited,
            dramRatio: context.InputDramRatio);
        var weights = new TileLoader(simulation, ComponentId.Weights, buffers.Weights, dram, schedule.WeightTileBytes, portLimited: portLimited);
        // In a unified buffer the ofmap part follows the ifmap and weight parts.
        long ofmapBaseWord = buffers.Unified is null ? 0 : buffers.Ifmap.CapacityWords + buffers.Weights.CapacityWords;
        var ofmap = new OutputBuffer(simulation, ComponentId.Ofmap, buffers.Ofmap, dram, keepOnChip: context.OutputToChip, portLimited, ofmapBaseWord,
            reservedBytes: context.Fusion is { } fused ? LayerFusion.LineBufferBytes(schedule, fused) : 0, dramRatio: context.OutputDramRatio);
        ComponentId enginePath = schedule.Engine == EngineKind.PeArray ? ComponentId.PeArray : ComponentId.VectorUnit;
        // Converters sit between the buffers and the PE array only; float32 arrays convert nothing, float16 ones only inputs.
        ConverterConfig? converters = schedule.Engine != EngineKind.PeArray || config.PeArray.Arithmetic == Arithmetic.Float32 ? null
            : config.PeArray.Arithmetic == Arithmetic.Float16 && config.Converters is { } c ? c with { OutputLanes = int.MaxValue }
            : config.Converters;
        var engine = new ComputeEngine(simulation, enginePath, schedule.Steps, ifmap, weights, ofmap, buffers, converters, inputLookAheadElements, config.VectorUnit.Lanes);
        return (engine, ifmap, weights, enginePath);
    }

    private static LayerTiming Collect(
        Layer layer, TileSchedule schedule, LayerContext context, Simulation simulation, ComputeEngine engine, ComponentId enginePath,
        InputFormatting? formatting, (long BlockProducts, long Outputs)? mxWork)
    {
        Cycle finished = engine.FinishedAt ?? throw new InvalidOperationException($"layer '{layer.Name}': the engine never finished");
        var stats = simulation.Stats.Snapshot();
        string enginePathText = enginePath.Path;
        var stalls = StallCauses.All.ToImmutableSortedDictionary(cause => cause, cause => stats[enginePathText, ComputeEngine.StallCycles(cause)]);
        var timing = new LayerTiming
        {
            TotalCycles = finished.Value,
            ComputeCycles = stats[enginePathText, ComputeEngine.ComputeCycles],
            StallCyclesByCause = stalls,
            DramReadBytes = stats[ComponentId.Dram.Path, DramChannel.ReadBytes],
            DramWriteBytes = stats[ComponentId.Dram.Path, DramChannel.WriteBytes],
            Activity = ActivityOf(stats, enginePath, formatting, mxWork),
            Mapping = context.Buffers.SplitDescription is { } split ? $"{schedule.Description}; {split}" : schedule.Description,
            BankConflictCycles = stats[enginePathText, ComputeEngine.BankConflictCycles],
            UnifiedSplit = context.Buffers.Unified is null ? null
                : new BufferSplit(context.Buffers.Ifmap.CapacityBytes, context.Buffers.Weights.CapacityBytes, context.Buffers.Ofmap.CapacityBytes),
            Events = simulation.ProcessedEvents,
            Stats = stats,
        };

        if (timing.ComputeCycles + timing.StallCycles != timing.TotalCycles)
        {
            throw new InvalidOperationException(
                $"layer '{layer.Name}': compute ({timing.ComputeCycles}) + stalls ({timing.StallCycles}) != total ({timing.TotalCycles}) cycles");
        }

        return timing;
    }

    /// <summary>What the layer's components counted, with the input-block formatting a BFP array's conv or FC input
    /// needs under the BFP converter and an MX/NVFP4 array's block products and outputs under the PE array (both
    /// counted in closed form from the layer's shape).</summary>
    private static ActivityCounts ActivityOf(StatsSnapshot stats, ComponentId enginePath, InputFormatting? formatting, (long BlockProducts, long Outputs)? mxWork)
    {
        ActivityCounts counted = ActivityCounts.Read(stats, enginePath);
        if (formatting is not null)
        {
            counted = counted
                .With(new(ComputeEngine.InputBlocks, ComponentId.BfpConverter), formatting.Blocks)
                .With(new(ComputeEngine.ExponentComparisons, ComponentId.BfpConverter), formatting.ExponentComparisons);
        }

        return mxWork is { } mx ? counted
            .With(new(ComputeEngine.MxBlockProducts, ComponentId.PeArray), mx.BlockProducts)
            .With(new(ComputeEngine.MxOutputs, ComponentId.PeArray), mx.Outputs)
            : counted;
    }
}
