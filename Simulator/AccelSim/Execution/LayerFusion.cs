using System.Collections.Immutable;
using System.Globalization;
using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Workloads;

namespace AccelSim.Execution;

/// <summary>What fusion decided for one layer: fused into a producer's output path, asked for but not fused (and why),
/// or neither; and for a producer, what its output path does for the layers fused into it.</summary>
/// <param name="FusedInto">The producer whose output path runs this layer; null when the layer runs on its own.</param>
/// <param name="NotFused">Why a layer that <c>vector_unit.fuse</c> (or its own <c>fuse: true</c>) asked to fuse was not;
/// null otherwise.</param>
/// <param name="Output">For a producer, its fused layers' work; null when nothing is fused into it.</param>
public sealed record FusionDecision(string? FusedInto, string? NotFused, FusedOutput? Output)
{
    /// <summary>Nothing asked, nothing fused.</summary>
    public static FusionDecision None { get; } = new(null, null, null);
}

/// <summary>Decides which ReLU, pooling and add layers run on their producer's output path (<c>vector_unit.fuse</c>,
/// per layer <c>fuse:</c>), and rewrites the producer's steps for them.</summary>
/// <remarks>
/// A layer is fused into the layer just before it in the network (its producer) when all of these hold; otherwise the
/// first that fails is its reason:
/// <list type="bullet">
/// <item>its (first) input is that layer's output, and nobody else reads that output (else it goes to DRAM anyway);</item>
/// <item>an add's other input is on chip: never, here, because each layer starts with empty buffers and only the
/// producing layer's results pass the output path;</item>
/// <item>the producer runs on the PE array (a conv or FC), or is itself fused into one (conv → ReLU → pool);</item>
/// <item>at most one pool per output path;</item>
/// <item>the buffers are separate (a unified buffer's split is chosen per layer);</item>
/// <item>the line buffer of the heuristic mapping fits half the output buffer (the other half holds results waiting to
/// drain). A mapping search then considers only the mappings whose own line buffer fits.</item>
/// </list>
/// <para>The line buffer. Every dataflow emits each output channel's pixels in raster order (batch, row, column): output
/// stationary, weight and input stationary walk the GEMM's pixel index (batch-major) in increasing folds within each block
/// of filters, and row stationary walks strips of output rows in order within each batch block. So a pool window is
/// complete once the producer has emitted its bottom row, and what must wait on chip is, for every channel, the
/// KernelHeight − 1 rows above the row being made (the halo) plus what one step delivers at once: line buffer =
/// (KernelHeight − 1) · width · channels · items in flight elements, in the producer's storage format, + the producer's
/// largest step of results. Items in
/// flight: 1 for the systolic dataflows (their pixel index is batch-major), the whole batch for row stationary (its batch
/// blocks hold several items at once). A ReLU has no halo.</para>
/// </remarks>
public static class LayerFusion
{
    /// <summary>The decision for every layer of <paramref name="network"/>, in order.</summary>
    public static ImmutableArray<FusionDecision> Plan(Network network, AcceleratorConfig config, RunSettings run)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(config);
        var layers = network.Layers;
        var decisions = new FusionDecision[layers.Length];
        var hostOf = new int[layers.Length];
        var chains = new Dictionary<int, List<int>>();
        for (int i = 0; i < layers.Length; i++)
        {
            hostOf[i] = -1;
            decisions[i] = FusionDecision.None;
            Layer layer = layers[i];
            FusedKinds kind = KindOf(layer);
            if (kind == FusedKinds.None || !(layer.Fuse ?? config.VectorUnit.Fuse.HasFlag(kind)))
            {
                continue;
            }

            (int host, string? reason) = Check(network, i, config, hostOf, chains);
            if (reason is not null)
            {
                decisions[i] = new FusionDecision(null, reason, null);
                continue;
            }

            hostOf[i] = host;
            if (!chains.TryGetValue(host, out var chain))
            {
                chains[host] = chain = [];
            }

            // The line buffer is sized for the chain as it grows; a chain that no longer fits keeps what it had.
            chain.Add(i);
            long? line = LineBufferBytes(network, host, chain, config, run);
            if (line is null || line * 2 > config.Buffers.Ofmap.CapacityBytes)
            {
                chain.RemoveAt(chain.Count - 1);
                hostOf[i] = -1;
                decisions[i] = new FusionDecision(null, line is { } bytes
                    ? string.Create(CultureInfo.InvariantCulture,
                        $"the line buffer it needs on '{layers[host].Name}''s output path ({bytes:N0} bytes: halo rows and one step's results) exceeds half the output buffer ({config.Buffers.Ofmap.CapacityBytes / 2:N0} bytes)")
                    : $"'{layers[host].Name}' cannot be mapped", null);
                continue;
            }

            decisions[i] = new FusionDecision(layers[host].Name, null, null);
        }

        foreach ((int host, List<int> chain) in chains.Where(c => c.Value.Count > 0))
        {
            decisions[host] = decisions[host] with { Output = OutputOf(network, host, chain, config, run) };
        }

        return [.. decisions];
    }

    /// <summary>The layer kind as <c>vector_unit.fuse</c> names it; <see cref="FusedKinds.None"/> for layers that are never fused.</summary>
    public static FusedKinds KindOf(Layer layer) => layer.Kind switch
    {
        LayerKind.Relu => FusedKinds.Relu,
        LayerKind.MaxPool => FusedKinds.MaxPool,
        LayerKind.AveragePool => FusedKinds.AveragePool,
        LayerKind.Add => FusedKinds.Add,
        _ => FusedKinds.None,
    };

    /// <summary>The producer's schedule with the fused layers on its output path: each step's results go into the line
    /// buffer, the fused layers' operations and reads run beside the step, and what drains is the fused layers' output,
    /// shared out over the steps in proportion to the results they make (exactly, in whole bytes).</summary>
    public static TileSchedule Apply(TileSchedule schedule, FusedOutput output)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(output);
        long total = schedule.Steps.OutputBytes;
        TileSchedule fused = schedule.Rewritten(Rewrite, schedule.Description);
        return fused.WithDescription(string.Create(CultureInfo.InvariantCulture,
            $"{schedule.Description}; output path: {output.Layers} fused (vector unit, line buffer of {LineBufferBytes(fused, output)} bytes)"));

        IEnumerable<ScheduleEntry> Rewrite(IEnumerable<ScheduleEntry> entries)
        {
            long done = 0;
            foreach (ScheduleEntry entry in entries)
            {
                if (entry.Kind != ScheduleEntryKind.Step || entry.Step.OutputBytes == 0)
                {
                    yield return entry;
                    continue;
                }

                ComputeStep step = entry.Step;
                long before = done;
                done += step.OutputBytes;
                long ops = Share(output.VectorOps, before, done, total);
                yield return ScheduleEntry.Compute(step with
                {
                    OutputBytes = Share(output.OutputBytes, before, done, total),
                    LineBufferBytes = step.OutputBytes,
                    FusedReadBytes = Share(output.ReadBytes, before, done, total),
                    FusedVectorOps = ops,
                    VectorOps = step.VectorOps + ops,
                });
            }
        }
    }

    /// <summary>The line buffer a fused schedule (<see cref="Apply"/>) reserves in the output buffer: the halo and its
    /// largest step of results.</summary>
    public static long LineBufferBytes(TileSchedule fused, FusedOutput output)
    {
        ArgumentNullException.ThrowIfNull(fused);
        ArgumentNullException.ThrowIfNull(output);
        return output.HaloBytes + fused.Steps.LargestLineBufferBytes;
    }

    /// <summary>Whether <paramref name="schedule"/> (not yet fused) leaves room for the line buffer of
    /// <paramref name="output"/>: halo and its largest step within half the output buffer.</summary>
    public static bool Fits(TileSchedule schedule, FusedOutput output, SramConfig ofmap)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(ofmap);
        return (output.HaloBytes + schedule.Steps.LargestOutputBytes) * 2 <= ofmap.CapacityBytes;
    }

    /// <summary>The part of <paramref name="amount"/> due once results <paramref name="from"/> to <paramref name="to"/> of
    /// <paramref name="total"/> are made: floor(amount·to/total) − floor(amount·from/total), so the parts add up exactly.</summary>
    private static long Share(long amount, long from, long to, long total) =>
        (long)((Int128)amount * to / total) - (long)((Int128)amount * from / total);

    private static (int Host, string? Reason) Check(
        Network network, int index, AcceleratorConfig config, int[] hostOf, Dictionary<int, List<int>> chains)
    {
        var layers = network.Layers;
        Layer layer = layers[index];
        if (index == 0)
        {
            return (-1, "its input is the network input, which no layer's output path makes");
        }

        Layer previous = layers[index - 1];
        if (layer is AddLayer)
        {
            string? other = layer.Inputs.FirstOrDefault(n => n != previous.Name);
            return layer.Inputs.Contains(previous.Name)
                ? (-1, $"its other input '{other}' is in DRAM, not on chip (each layer starts with empty buffers; only '{previous.Name}''s results pass its output path)")
                : (-1, $"neither of its inputs is the output of the layer just before it ('{previous.Name}')");
        }

        if (layer.Inputs is not [var input] || input != previous.Name)
        {
            return (-1, $"its input '{layer.Inputs[0]}' is not the output of the layer just before it ('{previous.Name}')");
        }

        if (network.Layers.Where((l, j) => j != index && l.Inputs.Contains(previous.Name)).Select(l => l.Name).FirstOrDefault() is { } reader)
        {
            return (-1, $"'{previous.Name}''s output is also read by '{reader}', so it goes to DRAM anyway");
        }

        int host = hostOf[index - 1] >= 0 ? hostOf[index - 1] : index - 1;
        if (!Mapper.RunsOnTheArray(layers[host]))
        {
            return (-1, $"its producer '{previous.Name}' runs on the vector unit, not on the PE array's output path");
        }

        if (layer is PoolLayer && chains.TryGetValue(host, out var chain) && chain.FirstOrDefault(j => layers[j] is PoolLayer) is var pool && pool > 0)
        {
            return (-1, $"'{layers[host].Name}''s output path already pools ('{layers[pool].Name}'); one pool per output path");
        }

        if (config.Buffers.Unified is not null)
        {
            return (-1, "fusion is modelled with separate ifmap/weights/ofmap buffers only (each layer splits a unified buffer its own way)");
        }

        return (host, null);
    }

    /// <summary>The line buffer of <paramref name="chain"/> on <paramref name="host"/>'s output path (see the remarks);
    /// null when the host cannot be mapped.</summary>
    private static long? LineBufferBytes(Network network, int host, List<int> chain, AcceleratorConfig config, RunSettings run) =>
        Halo(network, host, chain, config) + LargestStep(network, host, config, run);

    /// <summary>The largest step of results of the host's heuristic mapping; null when it cannot be mapped.</summary>
    private static long? LargestStep(Network network, int host, AcceleratorConfig config, RunSettings run)
    {
        TileSchedule schedule;
        try
        {
            schedule = Mapper.Map(network.Layers[host], network.Batch, config, LayerContexts.For(network.Layers[host], config, run));
        }
        catch (MappingException)
        {
            return null;
        }

        return schedule.Steps.LargestOutputBytes;
    }

    /// <summary>The halo rows the chain's pool keeps, every channel, for the items in flight.</summary>
    private static long Halo(Network network, int host, List<int> chain, AcceleratorConfig config)
    {
        long itemsInFlight = config.PeArray.Dataflow == Dataflow.RowStationary ? network.Batch : 1;
        long elements = checked(chain.Select(j => network.Layers[j]).OfType<PoolLayer>()
            .Select(p => (long)(p.KernelHeight - 1) * p.InputShape.Width * p.InputShape.Channels * itemsInFlight)
            .Sum());
        return StoredAs(network.Layers[host], config).Bytes(elements);
    }

    /// <summary>How the layer stores its output (the line buffer holds the host's results so).</summary>
    private static FeatureMapFormat StoredAs(Layer layer, AcceleratorConfig config) =>
        LayerContexts.OutputFormat(layer, LayerContexts.BfpOf(layer, config), config);

    /// <summary>What the fused layers of <paramref name="chain"/> do on the host's output path, over the whole batch.</summary>
    private static FusedOutput OutputOf(Network network, int host, List<int> chain, AcceleratorConfig config, RunSettings run)
    {
        int batch = network.Batch;
        long ops = 0;
        long reads = 0;
        foreach (Layer fused in chain.Select(j => network.Layers[j]))
        {
            // A pool reads each window element once per window (padding included, as the vector unit counts it); a ReLU
            // reads each element once.
            long layerOps = fused is PoolLayer p ? p.ShapeFor(batch).OutputLength * p.ShapeFor(batch).WindowElements : fused.OutputShape.Elements * batch;
            ops += layerOps;
            reads += layerOps;
        }

        Layer last = network.Layers[chain[^1]];
        FeatureMapFormat lineFormat = StoredAs(network.Layers[host], config);
        return new FusedOutput(
            string.Join(", ", chain.Select(j => $"{network.Layers[j].Name} ({Kinds(network.Layers[j])})")),
            LineBufferBytes(network, host, chain, config, run) ?? 0)
        {
            HaloBytes = Halo(network, host, chain, config),
            OutputBytes = StoredAs(last, config).Bytes(last.OutputShape.Elements * batch),
            VectorOps = ops,
            ReadBytes = lineFormat.Bytes(reads),
        };
    }

    private static string Kinds(Layer layer) => NetworkRunner.TypeName(layer.Kind);
}
