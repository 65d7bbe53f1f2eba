using System.Collections.Immutable;
using AccelSim.Hardware;
using AccelSim.Kernel;
using AccelSim.Mapping;
using AccelSim.Numerics;
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
        Build(simulation, new TileSchedule([], [], [], EngineKind.PeArray, "none"), config);
        return simulation.Stats.Counters;
    }

    /// <param name="trace">Where the components report what they do (in layer cycles), or null.</param>
    public static LayerTiming Run(Layer layer, int batch, AcceleratorConfig config, ITraceSink? trace = null)
    {
        TileSchedule schedule = Mapper.Map(layer, batch, config);
        var simulation = new Simulation(new SimulationOptions { MaxCycles = config.MaxCycles }, trace);
        InputFormatting? formatting = InputFormattingOf(layer, batch, config);
        (ComputeEngine engine, TileLoader ifmap, TileLoader weights, string enginePath) = Build(simulation, schedule, config, formatting?.LookAheadElements ?? 0);
        engine.Start();
        ifmap.Start();
        weights.Start();
        simulation.RunToCompletion();
        return Collect(layer, schedule, simulation, engine, enginePath, formatting);
    }

    /// <summary>The run-time formatting of a BFP array's conv or FC input; null where nothing is formatted into blocks.</summary>
    public static InputFormatting? InputFormattingOf(Layer layer, int batch, AcceleratorConfig config)
    {
        if (config.PeArray.Arithmetic != Arithmetic.Bfp)
        {
            return null;
        }

        ConvGeometry? g = layer switch
        {
            ConvLayer c => NetworkNumerics.Geometry(c, batch),
            FullyConnectedLayer f => NetworkNumerics.Geometry(f, batch),
            _ => null,
        };
        return g is null ? null : BfpCost.InputFormattingOf(g, config.Bfp.InputPartition);
    }

    /// <summary>Wires one layer's accelerator: the DRAM channel, two loaders, the output buffer and the engine.</summary>
    private static (ComputeEngine Engine, TileLoader Ifmap, TileLoader Weights, string EnginePath) Build(
        Simulation simulation, TileSchedule schedule, AcceleratorConfig config, long inputLookAheadElements = 0)
    {
        var buffers = config.Buffers;
        var dram = new DramChannel(simulation, "dram", config.Dram);
        var ifmap = new TileLoader(simulation, "ifmap", buffers.Ifmap, dram, schedule.IfmapTileBytes, fromChip: config.InputFromChip);
        var weights = new TileLoader(simulation, "weights", buffers.Weights, dram, schedule.WeightTileBytes);
        var ofmap = new OutputBuffer(simulation, "ofmap", buffers.Ofmap, dram, keepOnChip: config.OutputToChip);
        string enginePath = schedule.Engine == EngineKind.PeArray ? "pe_array" : "vector_unit";
        // Converters sit between the buffers and the PE array only; float32 arrays convert nothing, float16 ones only inputs.
        ConverterConfig? converters = schedule.Engine != EngineKind.PeArray || config.PeArray.Arithmetic == Arithmetic.Float32 ? null
            : config.PeArray.Arithmetic == Arithmetic.Float16 && config.Converters is { } c ? c with { OutputLanes = int.MaxValue }
            : config.Converters;
        var engine = new ComputeEngine(simulation, enginePath, schedule.Steps, ifmap, weights, ofmap, buffers.Ifmap, buffers.Weights, converters, inputLookAheadElements);
        return (engine, ifmap, weights, enginePath);
    }

    private static LayerTiming Collect(
        Layer layer, TileSchedule schedule, Simulation simulation, ComputeEngine engine, string enginePath, InputFormatting? formatting)
    {
        Cycle finished = engine.FinishedAt ?? throw new InvalidOperationException($"layer '{layer.Name}': the engine never finished");
        var stats = simulation.Stats.Snapshot();
        var stalls = Enum.GetValues<StallCause>().ToImmutableSortedDictionary(
            cause => cause, cause => stats[$"{enginePath}.stall_cycles.{ComputeEngine.StallName(cause)}"]);
        var timing = new LayerTiming
        {
            TotalCycles = finished.Value,
            ComputeCycles = stats[$"{enginePath}.compute_cycles"],
            StallCyclesByCause = stalls,
            DramReadBytes = stats["dram.read_bytes"],
            DramWriteBytes = stats["dram.write_bytes"],
            Activity = new ActivityCounts
            {
                Macs = stats[$"{enginePath}.macs"],
                SkippedMacs = stats[$"{enginePath}.skipped_macs"],
                IfmapReadWords = stats["ifmap.read_words"],
                IfmapWriteWords = stats["ifmap.write_words"],
                WeightReadWords = stats[$"{enginePath}.weight_read_words"],
                WeightWriteWords = stats["weights.write_words"],
                OfmapReadWords = stats["ofmap.read_words"],
                OfmapWriteWords = stats["ofmap.write_words"],
                DramReadBytes = stats["dram.read_bytes"],
                DramWriteBytes = stats["dram.write_bytes"],
                InputConversions = stats[$"{enginePath}.input_conversions"],
                OutputConversions = stats[$"{enginePath}.output_conversions"],
                VectorOps = stats[$"{enginePath}.vector_ops"],
                InputBlocks = formatting?.Blocks ?? 0,
                ExponentComparisons = formatting?.ExponentComparisons ?? 0,
            },
            Mapping = schedule.Description,
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
}
