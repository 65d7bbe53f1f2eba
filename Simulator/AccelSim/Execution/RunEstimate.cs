using System.Collections.Immutable;
using System.Globalization;
using AccelSim.Hardware;
using AccelSim.Numerics;
using AccelSim.Workloads;
using static AccelSim.Mapping.DataSizes;

namespace AccelSim.Execution;

/// <summary>One layer's share of a <see cref="RunEstimate"/>.</summary>
/// <param name="Macs">Multiply-accumulates over the batch.</param>
/// <param name="Steps">An upper bound of the steps its schedule generates (the simulated work is proportional to it).</param>
/// <param name="NumericsBytes">Memory its numerics need while it runs: its input and output for the batch and its im2col
/// operand at <see cref="RunEstimate.NumericsBytesPerElement"/> bytes per element, and the weights it holds at once
/// (all of them, or two slabs of filters for a layer processed in slabs) at <see cref="RunEstimate.WeightBytesPerElement"/>.</param>
public sealed record LayerEstimate(string Name, long Macs, long Steps, long NumericsBytes);

/// <summary>What a run will cost before it starts: work (MACs, schedule steps, which the simulated time is proportional
/// to) and peak memory, with and without numerics, from the layer shapes, the config and the weights already loaded.</summary>
/// <remarks>
/// <para>Steps, per conv or FC layer as the GEMM M (output pixels × batch) × N (filters of a group) × K (reduction of a
/// group) on an R×C array:</para>
/// <list type="bullet">
/// <item>output_stationary: groups × ceil(M/R) × ceil(N/C) folds × K chunks. The mapper's chunk holds the most whole
/// channels whose input rows (one fold's R pixels span at most ceil(R/OW)+1 output rows, so at most
/// (ceil(R/OW))·stride + dilated kernel height input rows, capped at the input height) and weights (C filters) fit half
/// their buffers; this bound takes the same fit with those row counts, so it never takes more channels per chunk than the
/// mapper: chunks ≤ ceil(channels / fitting channels). When not one channel fits, a chunk is at least one reduction index
/// whose R pixels and C filters fit: chunks ≤ channels × ceil(kernel area / fitting taps). A resident tensor (the whole
/// of it in half its buffer) does not limit the chunk.</item>
/// <item>weight/input_stationary: groups × ceil(N/C) (ws; M for is) column folds × ceil(K/R) K folds × streamed
/// pieces per fold, a piece being at most what the output buffer holds (capacity / (C × 4 bytes) rows) and, when the
/// streamed tensor is not resident, one im2col block row of min(R, K) elements fitting half its buffer; plus one per
/// pass. Exact when the streamed tensor is resident, an estimate otherwise.</item>
/// <item>row_stationary: ceil(M/R) × ceil(N/C) × ceil(K/R) × groups, the same fold count (an estimate).</item>
/// <item>Vector-unit layers: pooling takes blocks of whole channel planes that fit the buffers, or at most one step per
/// output row of each plane; elementwise layers (add, relu, concat) take as many elements per step as half the ifmap
/// buffer holds of two inputs and the ofmap buffer of outputs.</item>
/// </list>
/// <para>Feature maps are sized as the mappers size them: each layer's input in its producer's storage format
/// (<see cref="LayerContexts"/>; an add's or a concat's maps each in their own), its output in its own; partial sums in
/// the output buffer as float32.</para>
/// <para>Memory: schedules are generated as the simulation reads them, so timing takes the same memory however many
/// steps a layer has: a fixed 128 MiB for the runtime and the simulation (measured: 45 MB resident for the tiny
/// workload, 50 MB for VGG-16 and 65 MB for a 3×2048×2048 conv of 52 million events on the tiny config, all timing
/// only). Weights read from a model (ONNX) add <see cref="LoadBytesPerWeightByte"/> times their float32 bytes: what
/// parsing the model, folding its batch normalisation and keeping the weights took at its peak. With numerics, add the
/// largest layer's numerics: <see cref="NumericsBytesPerElement"/> bytes per element of its input and output
/// activations × batch and its im2col operand (groups × M × K), and <see cref="WeightBytesPerElement"/> per weight it holds at
/// once: all of them, or two slabs of filters when the numerics process the layer in slabs (docs/numerics.md).</para>
/// </remarks>
public sealed record RunEstimate(ImmutableArray<LayerEstimate> Layers, long Macs, long Steps, long LoadedBytes, long TimingPeakBytes, long NumericsPeakBytes)
{
    /// <summary>The runtime's own memory and the simulation's, counted once.</summary>
    public const long BaseBytes = 128L << 20;

    /// <summary>Bytes the numerics hold per element of a layer's activations and im2col operand: 48, above the 24–28
    /// measured for one dense 3×3 conv of 64 filters, padding 1, on 3×512×512, 3×768×768 and 3×1024×1024 inputs (peak
    /// resident memory less the runtime's: 0.60, 1.56 and 2.75 GB for 24.6, 55.4 and 98.4 million elements) and the 44
    /// of MobileNet v1 at batch 4 (0.77 GB over its largest layer's 17.7 million elements, a depthwise conv whose im2col operand
    /// is its groups × M × K): the float32 BFP path, the double reference, their conversions and error statistics.</summary>
    public const long NumericsBytesPerElement = 48;

    /// <summary>Bytes the numerics hold per weight of a layer: 16, above the 14.1 measured in MXFP8 (peak resident
    /// memory of VGG-16's fc6 alone, 102.8 million weights held whole, less the run without numerics: float32 weights,
    /// 64-bit element codes and their nonzero flags), 9.1 on a float16 array and 5.2 in BFP (float32 weights and their
    /// packed bytes).</summary>
    public const long WeightBytesPerElement = 16;

    /// <summary>Peak memory per byte of weights loaded from a model: 6, above the 5.6 measured for the trained ResNet-18
    /// read directly from its 60.7 MiB ONNX file (60.6 MiB of float32 weights and biases kept; 382.6 MiB peak resident
    /// timing only, 43.7 MiB of it the runtime as for the tiny workload): the file's bytes, the parsed tensors and the
    /// folded weights are alive at once.</summary>
    public const long LoadBytesPerWeightByte = 6;

    /// <summary>Peak memory of the run, with or without its numerics.</summary>
    public long PeakBytes(bool numerics) => numerics ? NumericsPeakBytes : TimingPeakBytes;

    /// <summary>Peak memory of <paramref name="runs"/> such runs at once in one process (a sweep's jobs): the runtime
    /// once, the rest per run.</summary>
    public long PeakBytes(bool numerics, int runs) => Saturating(BaseBytes, Multiply(PeakBytes(numerics) - BaseBytes, Math.Max(1, runs)));

    /// <summary>The layer that costs most: the most numerics memory with numerics, else the most steps.</summary>
    public LayerEstimate Largest(bool numerics) =>
        Layers.MaxBy(l => numerics ? l.NumericsBytes : l.Steps)!;

    /// <summary>The estimate of <paramref name="network"/> on <paramref name="config"/>.</summary>
    public static RunEstimate Of(AcceleratorConfig config, Network network)
    {
        var layers = network.Layers.Select((layer, i) => OfLayer(layer, network.Batch, config, Stored(network, i, config))).ToImmutableArray();
        long loaded = LoadedWeightBytes(network);
        long timing = Saturating(BaseBytes, Multiply(loaded, LoadBytesPerWeightByte));
        long numerics = Saturating(timing, layers.Max(l => l.NumericsBytes));
        return new RunEstimate(layers, layers.Aggregate(0L, (s, l) => Saturating(s, l.Macs)), layers.Aggregate(0L, (s, l) => Saturating(s, l.Steps)), loaded, timing, numerics);
    }

    /// <summary>Bytes as B, KiB, MiB, GiB or TiB with two decimals.</summary>
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B") : string.Create(CultureInfo.InvariantCulture, $"{value:F2} {units[unit]}");
    }

    /// <summary>The estimate in a few lines: totals, then the top offender.</summary>
    public string Describe(bool numerics)
    {
        LayerEstimate top = Largest(numerics);
        string loaded = LoadedBytes > 0 ? $", {Format(LoadedBytes)} of weights loaded from a model" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture,
            $"estimate: {Macs:N0} MACs, at most {Steps:N0} schedule steps, peak memory {Format(PeakBytes(numerics))} {(numerics ? "with numerics" : "timing only")} " +
            $"({Format(PeakBytes(!numerics))} {(numerics ? "timing only" : "with numerics")}){loaded}; largest layer '{top.Name}': {top.Macs:N0} MACs, " +
            $"{top.Steps:N0} steps, numerics {Format(top.NumericsBytes)}");
    }

    /// <summary>Bytes of the float32 weights, biases and mean image a workload read from a model file.</summary>
    private static long LoadedWeightBytes(Network network)
    {
        static long Of(WeightSource weights) =>
            weights is LoadedWeights loaded ? (loaded.WeightCount + (loaded.BiasLength ?? 0)) * sizeof(float) : 0;

        long mean = network.Inputs is ImageInputs image ? image.Mean.Length * sizeof(float) : 0;
        return network.Layers.Aggregate(mean, (sum, layer) => Saturating(sum, layer switch
        {
            ConvLayer conv => Of(conv.Weights),
            FullyConnectedLayer fc => Of(fc.Weights),
            _ => 0,
        }));
    }

    /// <summary>The layer's context as the run builds it (each map in its producer's storage format), nothing fused; the
    /// config's storage when a layer's format is refused (the run reports that, not the estimate).</summary>
    private static LayerContext Stored(Network network, int index, AcceleratorConfig config)
    {
        try
        {
            return LayerContexts.For(network, index, config, RunSettings.Native, fusion: default);
        }
        catch (Mapping.MappingException)
        {
            return LayerContext.Of(config);
        }
    }

    private static LayerEstimate OfLayer(Layer layer, int batch, AcceleratorConfig config, LayerContext context)
    {
        long steps = layer switch
        {
            ConvLayer conv => GemmSteps(conv.ShapeFor(batch), config, context),
            FullyConnectedLayer fc => GemmSteps(fc.ShapeFor(batch), config, context),
            PoolLayer pool => PoolSteps(pool.ShapeFor(batch), context),
            _ => ElementwiseSteps(Multiply(layer.OutputShape.Elements, batch), context),
        };
        long weights = layer switch
        {
            ConvLayer conv => HeldWeights(conv.ShapeFor(batch), conv.Weights, layer, config),
            FullyConnectedLayer fc => HeldWeights(fc.ShapeFor(batch), fc.Weights, layer, config),
            _ => 0,
        };
        long im2col = layer switch
        {
            // One operand per group: groups × M × K (a depthwise conv's K is its kernel area, its groups its channels).
            ConvLayer conv => Multiply(Multiply(conv.OutputShape.Height * (long)conv.OutputShape.Width * batch, conv.ReductionLength), conv.Groups),
            _ => 0,
        };
        long activations = Multiply(layer.InputShape.Elements + layer.OutputShape.Elements, batch);
        long numerics = Saturating(Multiply(Saturating(activations, im2col), NumericsBytesPerElement), Multiply(weights, WeightBytesPerElement));
        return new LayerEstimate(layer.Name, Multiply(layer.MacsPerItem, batch), steps, numerics);
    }

    /// <summary>The weights a conv/FC layer's numerics hold at once: two slabs of filters (the one converted and the
    /// one drawn beside it) when the layer is processed in slabs, else all of them.</summary>
    private static long HeldWeights(ConvShape g, WeightSource source, Layer layer, AcceleratorConfig config)
    {
        int slabFilters = config.PeArray.Arithmetic == Arithmetic.Bfp ? NetworkNumerics.SlabFiltersOf(g, source, LayerContexts.BfpOf(layer, config)) : 0;
        return slabFilters > 0 ? Math.Min(g.WeightLength, 2L * slabFilters * g.Reduction) : g.WeightLength;
    }

    /// <summary>The step bound of one GEMM layer (see the remarks).</summary>
    private static long GemmSteps(ConvShape g, AcceleratorConfig config, LayerContext context)
    {
        var buffers = context.Buffers;
        FeatureMapFormat input = context.Input;
        long rows = config.PeArray.Rows;
        long cols = config.PeArray.Cols;
        long m = g.Pixels;
        long n = g.GroupFilters;
        long k = g.Reduction;
        long ifmapHalf = buffers.Ifmap.HalfCapacityBytes;
        long weightHalf = buffers.Weights.HalfCapacityBytes;
        long wholeIfmap = input.Bytes(Multiply((long)g.GroupInChannels * g.InHeight * g.InWidth, g.Batch));
        long wholeWeights = BitsToBytes(WeightTileBits(n, k, config));
        bool ifmapResident = wholeIfmap <= ifmapHalf;
        bool weightsResident = wholeWeights <= weightHalf;
        switch (config.PeArray.Dataflow)
        {
            case Dataflow.OutputStationary:
            {
                long folds = Multiply(CeilDiv(m, rows), CeilDiv(n, cols));
                return Multiply(Multiply(g.Groups, folds), OutputStationaryChunks(g, config, input, ifmapResident, weightsResident, ifmapHalf, weightHalf));
            }

            case Dataflow.WeightStationary or Dataflow.InputStationary:
            {
                bool ws = config.PeArray.Dataflow == Dataflow.WeightStationary;
                long spatial = ws ? n : m;
                long streamed = ws ? m : n;
                bool streamedResident = ws ? ifmapResident : weightsResident;
                long piece = Math.Max(1, buffers.Ofmap.CapacityBytes / (cols * PartialSumBytes));
                if (!streamedResident)
                {
                    // Streamed weights are taken at 4 bytes each (no weight format is wider), so the bound holds.
                    long block = Math.Min(rows, k);
                    long fitting = ws ? Mapping.Fitting.Largest(piece, length => input.Bytes(length * block) <= ifmapHalf) : weightHalf / (block * 4);
                    piece = Math.Min(piece, Math.Max(1, fitting));
                }

                long perFold = Saturating(CeilDiv(streamed, piece), CeilDiv(streamed, Math.Max(1, buffers.Ofmap.CapacityBytes / 2 / (cols * PartialSumBytes))));
                return Multiply(Multiply(g.Groups, Multiply(CeilDiv(spatial, cols), CeilDiv(k, rows))), perFold);
            }

            default:
                return Multiply(Multiply(g.Groups, CeilDiv(m, rows)), Multiply(CeilDiv(n, cols), CeilDiv(k, rows)));
        }
    }

    /// <summary>Pooling: blocks of whole channel planes per step while a plane fits half the ifmap buffer (and its outputs
    /// the ofmap buffer), else one step per output row of each plane at most.</summary>
    private static long PoolSteps(PoolShape shape, LayerContext context)
    {
        var buffers = context.Buffers;
        long channelsPerStep = Mapping.Fitting.Largest(shape.Channels, c =>
            context.Input.Bytes(shape.PlaneInputElements * c) <= buffers.Ifmap.HalfCapacityBytes
            && context.Output.Bytes(shape.PlaneOutputs * c) <= buffers.Ofmap.CapacityBytes);
        return channelsPerStep < 1 ? Multiply(shape.Planes, shape.OutHeight) : Multiply(shape.Batch, CeilDiv(shape.Channels, channelsPerStep));
    }

    /// <summary>Elementwise layers: as many elements per step as half the ifmap buffer holds of two inputs (an add's,
    /// each in its producer's format; the others read one) and the ofmap buffer holds of outputs.</summary>
    private static long ElementwiseSteps(long elements, LayerContext context)
    {
        var buffers = context.Buffers;
        long perStep = Mapping.Fitting.Largest(buffers.Ifmap.HalfCapacityBytes * 8,
            n => context.InputBytes(n, 2) <= buffers.Ifmap.HalfCapacityBytes && context.Output.Bytes(n) <= buffers.Ofmap.CapacityBytes);
        return CeilDiv(elements, Math.Max(1, perStep));
    }

    /// <summary>An upper bound of output-stationary K chunks per fold (see the remarks).</summary>
    private static long OutputStationaryChunks(ConvShape g, AcceleratorConfig config, FeatureMapFormat input, bool ifmapResident, bool weightsResident, long ifmapHalf, long weightHalf)
    {
        long rows = config.PeArray.Rows;
        long cols = config.PeArray.Cols;
        long area = (long)g.KernelHeight * g.KernelWidth;
        long outputRowsSpanned = Math.Min(g.OutHeight, CeilDiv(rows, g.OutWidth) + 1);
        long dilatedKernel = ((long)g.DilationHeight * (g.KernelHeight - 1)) + 1;
        long inputRows = Math.Min((long)g.InHeight + g.PadTop + g.PadBottom, ((outputRowsSpanned - 1) * g.StrideHeight) + dilatedKernel);
        long filters = Math.Min(cols, g.GroupFilters);
        bool ChannelsFit(long channels) =>
            (ifmapResident || input.Bytes(inputRows * g.InWidth * channels) <= ifmapHalf)
            && (weightsResident || BitsToBytes(WeightTileBits(filters, channels * area, config)) <= weightHalf);
        long channelsPerChunk = Mapping.Fitting.Largest(g.GroupInChannels, ChannelsFit);
        if (channelsPerChunk >= 1)
        {
            return CeilDiv(g.GroupInChannels, channelsPerChunk);
        }

        long pixels = Math.Min(rows, g.Pixels);
        long taps = Mapping.Fitting.Largest(area, t =>
            (ifmapResident || input.Bytes(pixels * t) <= ifmapHalf)
            && (weightsResident || BitsToBytes(WeightTileBits(filters, t, config)) <= weightHalf));
        return Multiply(g.GroupInChannels, CeilDiv(area, Math.Max(1, taps)));
    }

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;

    /// <summary>a × b, or long.MaxValue when that overflows (an estimate saturates instead of wrapping).</summary>
    private static long Multiply(long a, long b) => a != 0 && b > long.MaxValue / a ? long.MaxValue : a * b;

    private static long Saturating(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}
