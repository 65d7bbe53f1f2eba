using System.Collections.Immutable;
using AccelSim.Energy;
using AccelSim.Hardware;
using AccelSim.Reports;
using AccelSim.Tracing;
using AccelSim.Workloads;
using Serilog;

namespace AccelSim.Execution;

/// <summary>Options of one run.</summary>
/// <param name="Numerics">Carry values through the BFP datapath and the reference; false runs timing only.</param>
/// <param name="Threads">Worker threads; results do not depend on it.</param>
/// <param name="DumpDirectory">When set (numerics on), every layer's tensors are written there as .npy files.</param>
/// <param name="Trace">When set, the layers' timing runs one after another into this trace, in network time.</param>
public sealed record RunOptions(bool Numerics = true, int Threads = 1, string? DumpDirectory = null, TraceSession? Trace = null)
{
    /// <summary>What the run decides for every layer: fold timing detail and counting conventions.</summary>
    public RunSettings Settings { get; init; } = RunSettings.Native;

    /// <summary>The mapping search's memo to use (a sweep may share one across its points); null: one for this run.</summary>
    public SearchMemo? SearchMemo { get; init; }
}

/// <summary>Runs a network on an accelerator: timing of every layer, energy, and (optionally) numerics.</summary>
public static class NetworkRunner
{
    /// <param name="config">The hardware, as its file describes it.</param>
    /// <param name="energy">The table that prices what the hardware counts.</param>
    public static RunResult Run(AcceleratorConfig config, EnergyTable energy, Network network, RunOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        RunSettings settings = options.Settings;
        ILogger log = logger ?? Serilog.Core.Logger.None;
        int threads = Math.Max(1, options.Threads);
        SearchMemo memo = options.SearchMemo ?? new SearchMemo();
        if (options.Numerics)
        {
            // The numerics read their files after the timing of every layer: a bad one is refused before any of it.
            NetworkNumerics.CheckFiles(network);
        }

        if (WeightSparsity.Needed(config))
        {
            network = WeightSparsity.Measure(network, config, threads);
            log.Debug("Weight density measured: {Density}", string.Join(", ", network.Layers.Select(l => l switch
            {
                ConvLayer { NonZeroWeights: { } m } => $"{l.Name} {m.Density:P1}",
                FullyConnectedLayer { NonZeroWeights: { } m } => $"{l.Name} {m.Density:P1}",
                _ => null,
            }).OfType<string>()));
        }

        // Zero compression sizes each map from its measured density, so the numerics run first when it is asked.
        ImmutableArray<LayerNumerics>? numerics = null;
        OutputAgreement? agreement = null;
        bool compression = config.ActivationCompression != ActivationCompression.None || network.Layers.Any(l => l.ActivationCompression is not null);
        if (options.Numerics && compression)
        {
            (numerics, agreement) = RunNumerics(network, config, threads, log, options);
            ImmutableArray<LayerNumerics> measured = numerics.Value;
            network = network with { Layers = [.. network.Layers.Select((l, i) => l with { Density = measured[i].OutputDensity })] };
        }

        LayerTiming[] timings;
        if (options.Trace is { } trace)
        {
            // A trace needs network time (layer i starts where layer i-1 ended) and is written in layer order, so the
            // timing runs one layer after another; timing alone is fast (VGG-16 in milliseconds).
            timings = new LayerTiming[network.Layers.Length];
            TraceLayers(network, config, energy, settings, trace, timings, memo);
        }
        else
        {
            timings = Timings(config, network, settings, threads, energy, memo);
        }

        log.Debug("Timing done: {Layers} layers, {Events} events", timings.Length, timings.Sum(t => t.Events));

        if (options.Numerics && numerics is null)
        {
            (numerics, agreement) = RunNumerics(network, config, threads, log, options);
        }

        var results = ImmutableArray.CreateBuilder<LayerResult>(network.Layers.Length);
        for (int i = 0; i < network.Layers.Length; i++)
        {
            Layer layer = network.Layers[i];
            LayerTiming timing = timings[i];
            results.Add(LayerResultOf(layer, timing, numerics?[i], network.Batch, config, energy, settings));
        }

        if (compression)
        {
            WithSavings(results, config, energy, network, settings, threads, numerics, memo);
        }

        return ResultOf(config, energy, network, results.MoveToImmutable(), agreement);
    }

    /// <summary>Gives each compressed layer the cycles and energy its compression saved: the same network's timing once
    /// more with compression none everywhere (timing only, priced with the same numerics counts), less this run's.</summary>
    private static void WithSavings(ImmutableArray<LayerResult>.Builder results, AcceleratorConfig config, EnergyTable energy, Network network,
        RunSettings settings, int threads, ImmutableArray<LayerNumerics>? numerics, SearchMemo memo)
    {
        AcceleratorConfig plainConfig = config with { ActivationCompression = ActivationCompression.None };
        Network plain = network with { Layers = [.. network.Layers.Select(l => l with { ActivationCompression = null })] };
        LayerTiming[] timings = Timings(plainConfig, plain, settings, threads, energy, memo);
        for (int i = 0; i < results.Count; i++)
        {
            if (results[i].Compression is not { } c)
            {
                continue;
            }

            LayerResult without = LayerResultOf(plain.Layers[i], timings[i], numerics?[i], network.Batch, plainConfig, energy, settings);
            results[i] = results[i] with
            {
                Compression = c with
                {
                    SavedCycles = without.TotalCycles - results[i].TotalCycles,
                    SavedEnergyPicoJoules = without.EnergyPicoJoules - results[i].EnergyPicoJoules,
                },
            };
        }
    }

    private static (ImmutableArray<LayerNumerics>, OutputAgreement) RunNumerics(Network network, AcceleratorConfig config, int threads, ILogger log, RunOptions options) =>
        new NetworkNumerics(network, config, threads, log) { DumpDirectory = options.DumpDirectory }.Run();

    /// <summary>The timing of every layer. Layers are independent timing simulations (each starts with empty buffers),
    /// so they run in parallel; results are stored by index and do not depend on the thread count.</summary>
    /// <param name="memo">The run's mapping-search memo, shared by its layers; null: a fresh one.</param>
    public static LayerTiming[] Timings(AcceleratorConfig config, Network network, RunSettings settings, int threads, EnergyTable? energy = null, SearchMemo? memo = null)
    {
        memo ??= new SearchMemo();
        ArgumentNullException.ThrowIfNull(network);
        var timings = new LayerTiming[network.Layers.Length];
        var failures = new Exception?[network.Layers.Length];
        var fusion = LayerContexts.FusionAsked(network, config) ? LayerFusion.Plan(network, config, settings) : default;
        Parallel.For(0, network.Layers.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, i =>
        {
            try
            {
                timings[i] = LayerSimulator.Run(network.Layers[i], network.Batch, config, LayerContexts.For(network, i, config, settings, fusion), energy: energy, memo: memo);
            }
            catch (Exception e)
            {
                failures[i] = e;
            }
        });

        // The first failing layer in network order, as itself: the same error whatever the thread count.
        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        return timings;
    }

    private static void TraceLayers(Network network, AcceleratorConfig config, EnergyTable energy, RunSettings settings, TraceSession trace, LayerTiming[] timings, SearchMemo memo)
    {
        var fusion = LayerContexts.FusionAsked(network, config) ? LayerFusion.Plan(network, config, settings) : default;
        for (int i = 0; i < network.Layers.Length; i++)
        {
            Layer layer = network.Layers[i];
            LayerRecorder recorder = trace.BeginLayer(layer.Name);
            timings[i] = LayerSimulator.Run(layer, network.Batch, config, LayerContexts.For(network, i, config, settings, fusion), recorder.IsKept ? recorder : null, energy, memo);
            trace.EndLayer(recorder, timings[i].TotalCycles);
        }
    }

    /// <summary>One layer's result from its timing, priced with <paramref name="energy"/> and the layer's BFP formats.</summary>
    public static LayerResult LayerResultOf(
        Layer layer, LayerTiming timing, LayerNumerics? numerics, int batch, AcceleratorConfig config, EnergyTable energy, RunSettings settings)
    {
        long macs = layer.MacsPerItem * batch;
        return new LayerResult
        {
            Name = layer.Name,
            OnnxNode = layer.OnnxNode,
            Type = TypeName(layer.Kind),
            Macs = macs,
            TotalCycles = timing.TotalCycles,
            ComputeCycles = timing.ComputeCycles,
            StallCyclesByCause = timing.StallCyclesByCause,
            OverallUtilization = timing.TotalCycles == 0 ? 0 : (double)macs / ((double)config.PeArray.PeCount * timing.TotalCycles),
            DramReadBytes = timing.DramReadBytes,
            DramWriteBytes = timing.DramWriteBytes,
            DramRowHits = timing.Stats[ComponentId.Dram.Path, DramChannel.RowHits],
            DramRowMisses = timing.Stats[ComponentId.Dram.Path, DramChannel.RowMisses],
            Energy = EnergyAccounting.Price(layer, timing.Activity, config, LayerContexts.For(layer, config, settings), energy, timing.TotalCycles, numerics?.ZeroOperandMacs),
            Numerics = numerics,
            Mapping = timing.Mapping,
            MappingPoint = timing.MappingPoint,
            BankConflictCycles = timing.BankConflictCycles,
            UnifiedSplit = timing.UnifiedSplit,
            FusedInto = timing.FusedInto,
            NotFused = timing.NotFused,
            FusedLayers = timing.FusedLayers,
            Events = timing.Events,
            Compression = timing.Compression,
        };
    }

    /// <summary>The run's result from its layers.</summary>
    public static RunResult ResultOf(AcceleratorConfig config, EnergyTable energy, Network network, ImmutableArray<LayerResult> layers, OutputAgreement? agreement) => new()
    {
        ConfigName = config.Name,
        WorkloadName = network.Name,
        Batch = network.Batch,
        PeCount = config.PeArray.PeCount,
        ClockMegahertz = config.ClockMegahertz,
        Layers = layers,
        Agreement = agreement,
        ReportsBuffers = config.Buffers.Unified is not null || config.Buffers.Physical.Any(b => b.Banks > 1),
        Area = CostEstimator.Area(config, energy),
        Fpga = CostEstimator.Fpga(config, energy),
    };

    /// <summary>The workload-file name of a layer kind.</summary>
    public static string TypeName(LayerKind kind) => kind switch
    {
        LayerKind.Convolution => "conv",
        LayerKind.FullyConnected => "fc",
        LayerKind.MaxPool => "max_pool",
        LayerKind.AveragePool => "avg_pool",
        LayerKind.Add => "add",
        LayerKind.Relu => "relu",
        LayerKind.Concat => "concat",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
