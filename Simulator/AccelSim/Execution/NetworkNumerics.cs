using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using AccelSim.Hardware;
using AccelSim.Numerics;
using AccelSim.Reports;
using AccelSim.Tensors;
using AccelSim.Workloads;

namespace AccelSim.Execution;

/// <summary>Carries real values through the network twice: through the BFP datapath and through the double reference.</summary>
/// <remarks>
/// Per conv/FC layer it measures the accumulated error (BFP activations in, against the reference) and the local error
/// (the reference activation rounded to float32 in, through the same BFP datapath). Per-layer figures compare
/// pre-activation outputs, as docs/numerics.md settles. Activations are dropped after their last consumer.
/// </remarks>
public sealed class NetworkNumerics
{
    private readonly Network _network;
    private readonly AcceleratorConfig _config;
    private readonly int _threads;
    private readonly Serilog.ILogger _log;

    // Float32 copies of reference activations (the local-error pass's input, the reference output compared), reused
    // from layer to layer.
    private float[] _localInput = [];
    private float[] _referenceSingles = [];

    public NetworkNumerics(Network network, AcceleratorConfig config, int threads, Serilog.ILogger? logger = null)
    {
        _network = network;
        _config = config;
        _threads = Math.Max(1, threads);
        _log = logger ?? Serilog.Core.Logger.None;
    }

    /// <summary>When set, each layer's tensors are written here as .npy files (names in the README).</summary>
    public string? DumpDirectory { get; init; }

    /// <summary>When set, the network input [batch, C, H, W] in C order, instead of the workload's input source.</summary>
    public float[]? Input { get; init; }

    /// <summary>When set, weights are read and quantized once into it and reused by every run that shares it (the
    /// same network, config and batch).</summary>
    public PreparedWeights? Prepared { get; init; }

    /// <summary>Whether each conv/FC layer also runs the local-error pass (the reference activation in, through the same
    /// datapath); without it <see cref="LayerNumerics.Local"/> is null. An evaluation reports no local error.</summary>
    public bool LocalError { get; init; } = true;

    /// <summary>Seconds spent in the per-layer datapaths (BFP or MX passes, local-error pass, double reference) during
    /// <see cref="Run"/>: what a benchmark sets against the whole run. Never part of a result.</summary>
    public double KernelSeconds { get; private set; }

    /// <summary>Conv/FC layers <see cref="Run"/> processed in slabs of filters. Never part of a result.</summary>
    internal int SlabbedLayers { get; private set; }

    /// <summary>The reference (double) output of the last layer after <see cref="Run"/>, [batch, C, H, W] in C order.</summary>
    public double[]? ReferenceOutput { get; private set; }

    /// <summary>Runs every layer; returns the numerics of each (in layer order) and the output agreement.</summary>
    public (ImmutableArray<LayerNumerics> Layers, OutputAgreement Agreement) Run()
    {
        int batch = _network.Batch;
        var lastUse = LastUses();
        var bfp = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var reference = new Dictionary<string, double[]>(StringComparer.Ordinal);
        float[] input = Input ?? NetworkInputs.Tensor(_network);

        // What the accelerator reads is what it stored: the network input in the config's storage format, each layer's
        // output in its own (the double reference stays exact).
        bfp[Network.InputName] = StoredActivations.Round(input, _config.ActivationStorage, _config.Bfp, _network.InputShape);
        reference[Network.InputName] = Array.ConvertAll(input, v => (double)v);
        var predicted = new Dictionary<string, double>(StringComparer.Ordinal) { [Network.InputName] = 0 };

        var results = ImmutableArray.CreateBuilder<LayerNumerics>(_network.Layers.Length);
        for (int index = 0; index < _network.Layers.Length; index++)
        {
            Layer layer = _network.Layers[index];
            float[] bfpIn = bfp[layer.Inputs[0]];
            double[] refIn = reference[layer.Inputs[0]];
            (float[] bfpOut, double[] refOut, LayerNumerics numerics) = layer switch
            {
                ConvLayer conv => Gemm(layer, conv.ShapeFor(batch), conv.Weights, conv.HasBias, conv.FusedRelu, bfpIn, refIn, predicted[layer.Inputs[0]]),
                FullyConnectedLayer fc => Gemm(layer, fc.ShapeFor(batch), fc.Weights, fc.HasBias, fc.FusedRelu, bfpIn, refIn, predicted[layer.Inputs[0]]),
                _ => Vector(layer, bfpIn, refIn, bfp, reference, predicted, batch),
            };
            predicted[layer.Name] = numerics.PredictedNsr;
            if (DumpDirectory is not null && layer is not (ConvLayer or FullyConnectedLayer))
            {
                int[] shape = [batch, layer.OutputShape.Channels, layer.OutputShape.Height, layer.OutputShape.Width];
                Dump(layer, "bfp_output", w => NpyFile.WriteFloat32(w, shape, bfpOut));
                Dump(layer, "reference_output", w => NpyFile.WriteFloat32(w, shape, ToSingle(refOut)));
            }

            // The layer's output is its own (nothing reads it unrounded): rounded where it is, no fresh array.
            bfp[layer.Name] = StoredActivations.RoundInPlace(bfpOut, layer.ActivationStorage ?? _config.ActivationStorage, LayerContexts.BfpOf(layer, _config), layer.OutputShape);
            results.Add(numerics with { OutputDensity = FeatureMapCompression.Density(bfp[layer.Name]) });
            reference[layer.Name] = refOut;
            foreach (string name in layer.Inputs.Append(layer.Name))
            {
                if (lastUse.GetValueOrDefault(name, -1) <= index && name != _network.Layers[^1].Name)
                {
                    bfp.Remove(name);
                    reference.Remove(name);
                    predicted.Remove(name);
                }
            }
        }

        string outputName = _network.Layers[^1].Name;
        ReferenceOutput = reference[outputName];
        return (results.MoveToImmutable(), Agreement(bfp[outputName], reference[outputName], batch));
    }

    /// <summary>Checks, before a run starts, the files its numerics will read: the input's (.npy or PNG) and every
    /// layer's .npy weights and biases, by their headers and sizes, with the messages reading them would give.</summary>
    /// <exception cref="NpyFormatException">A file cannot be read, is not of its format, or holds the wrong count.</exception>
    public static void CheckFiles(Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        NetworkInputs.CheckFile(network);
        foreach (Layer layer in network.Layers)
        {
            (ConvShape? g, WeightSource? source) = layer switch
            {
                ConvLayer conv => (conv.ShapeFor(network.Batch), conv.Weights),
                FullyConnectedLayer fc => (fc.ShapeFor(network.Batch), (WeightSource?)fc.Weights),
                _ => (null, null),
            };
            if (g is not null && source is NpyWeights npy)
            {
                long fanIn = (long)(g.InChannels / g.Groups) * g.KernelHeight * g.KernelWidth;
                CheckCount(npy.WeightsPath, g.OutChannels * fanIn, $"layer '{layer.Name}' weights ({g.OutChannels}x{fanIn})");
                if (npy.BiasPath is { } biasPath)
                {
                    CheckCount(biasPath, g.OutChannels, $"layer '{layer.Name}' bias ({g.OutChannels})");
                }
            }
        }
    }

    /// <summary>A conv or FC layer's weights [M, K] and bias [M] (empty without bias), from their source. The arrays may
    /// be the source's own (loaded weights): callers only read them.</summary>
    public static (float[] Weights, float[] Bias) LoadWeights(Layer layer, ConvShape g, WeightSource source, bool hasBias)
    {
        long fanIn = (long)(g.InChannels / g.Groups) * g.KernelHeight * g.KernelWidth;
        float[] weights = new float[g.OutChannels * fanIn];
        float[] bias = hasBias ? new float[g.OutChannels] : [];
        switch (source)
        {
            case SyntheticWeights synthetic:
                SyntheticTensors.HeNormal(synthetic.Seed, checked((int)fanIn), weights);
                break;
            case LoadedWeights loaded:
                // The model's own arrays, not copies: nothing on the numerics path writes weights or bias.
                weights = ImmutableCollectionsMarshal.AsArray(loaded.Weights)!;
                if (loaded.Bias is { } loadedBias)
                {
                    bias = ImmutableCollectionsMarshal.AsArray(loadedBias)!;
                }

                break;
            case NpyWeights npy:
                weights = Load(npy.WeightsPath, weights.Length, $"layer '{layer.Name}' weights ({g.OutChannels}x{fanIn})");
                if (npy.BiasPath is { } biasPath)
                {
                    bias = Load(biasPath, g.OutChannels, $"layer '{layer.Name}' bias ({g.OutChannels})");
                }

                break;
            default:
                throw new NotSupportedException($"layer '{layer.Name}': weight source {source.GetType().Name} is not supported");
        }

        return (weights, bias);
    }

    /// <summary>A layer with more weights than this is processed in slabs of filters of about this many weights, when
    /// nothing needs its whole weight tensor (<see cref="SlabFilters"/>): 2^22 weights, 16 MiB of float32.</summary>
    internal const long DefaultSlabWeights = 1L << 22;

    /// <summary>When set, the slab size in weights instead of <see cref="DefaultSlabWeights"/>, for the code run from
    /// here (tests compare whole and slab-by-slab layers).</summary>
    internal static readonly AsyncLocal<long?> SlabWeightsOverride = new();

    /// <summary>What one BFP conv/FC layer's passes produced, whole or slab by slab.</summary>
    private sealed record BfpPasses(
        BfpLayerOutput Accumulated, BfpLayerOutput? Local, BfpLayerOutput? Exact, double[] Reference, double WeightStepPower,
        double WeightSignalPower, long[] FiltersNonZero, QuantizedWeights? Whole)
    {
        public double LoadSeconds { get; init; }

        public double QuantizeSeconds { get; init; }

        public double BfpSeconds { get; init; }

        public double ReferenceSeconds { get; init; }

        public double LocalSeconds { get; init; }
    }

    private (float[], double[], LayerNumerics) Gemm(
        Layer layer, ConvShape g, WeightSource source, bool hasBias, bool relu, float[] bfpIn, double[] refIn, double carriedNsr)
    {
        bool bfpArithmetic = _config.PeArray.Arithmetic == Arithmetic.Bfp;
        BfpSettings? bfp = bfpArithmetic ? LayerContexts.BfpOf(layer, _config) : null;
        BfpPasses passes;
        if (bfp is not null && SlabFilters(g, source, bfp) is > 0 and int slabFilters)
        {
            passes = SlabPasses(layer, g, source, hasBias, bfp, bfpIn, refIn, slabFilters);
            SlabbedLayers++;
        }
        else
        {
            var loading = System.Diagnostics.Stopwatch.StartNew();
            (float[] weights, float[] bias) = Prepared is { } prepared
                ? prepared.Loaded(layer.Name, () => LoadWeights(layer, g, source, hasBias))
                : LoadWeights(layer, g, source, hasBias);
            double loadSeconds = loading.Elapsed.TotalSeconds;
            if (bfp is null)
            {
                return FloatGemm(layer, g, weights, bias, relu, bfpIn, refIn, carriedNsr);
            }

            if (bfp.IsMx)
            {
                return MxGemm(layer, g, weights, bias, relu, bfpIn, refIn, carriedNsr, bfp);
            }

            passes = WholePasses(layer, g, weights, bias, bfp, bfpIn, refIn) with { LoadSeconds = loadSeconds };
        }

        KernelSeconds += passes.BfpSeconds + passes.ReferenceSeconds + passes.LocalSeconds;
        _log.Debug("Numerics of {Layer}: load weights {Load:F2} s, quantize weights {Quantize:F2} s, BFP {Bfp:F2} s, reference {Reference:F2} s, local BFP {Local:F2} s",
            layer.Name, passes.LoadSeconds, passes.QuantizeSeconds, passes.BfpSeconds, passes.ReferenceSeconds, passes.LocalSeconds);
        BfpLayerOutput accumulated = passes.Accumulated;
        ReadOnlyMemory<float> refOut32 = ToSingle(passes.Reference, ref _referenceSingles);

        // Four-stage model: input and weight quantization from block statistics, the accumulator's saturation error
        // (measured against an exact accumulator when one is configured narrow), and the NSR carried in.
        RoundingMode rounding = bfp.Rounding;
        double inputNsr = ErrorModel.QuantizationNsr(accumulated.InputStepPower, accumulated.InputSignalPower, rounding);
        double weightNsr = ErrorModel.QuantizationNsr(passes.WeightStepPower, passes.WeightSignalPower, rounding);
        double macNsr = passes.Exact is { } exact ? NumericError.Compare(accumulated.Output, exact.Output).Nsr : 0;

        LayerNumerics numerics = Measured(accumulated, passes.Local, refOut32, inputNsr + weightNsr + macNsr + carriedNsr) with
        {
            ZeroOperandMacs = CountZeroOperands(g, bfp, passes.FiltersNonZero, accumulated),
        };

        if (DumpDirectory is not null && passes.Whole is { } quantized)
        {
            int[] outputShape = [g.Batch, g.OutChannels, g.OutHeight, g.OutWidth];
            Dump(layer, "bfp_output", w => NpyFile.WriteFloat32(w, outputShape, accumulated.Output));
            float[] reference32 = refOut32.ToArray();
            Dump(layer, "reference_output", w => NpyFile.WriteFloat32(w, outputShape, reference32));
            Dump(layer, "weight_mantissas", w => NpyFile.WriteInt32(w, [g.OutChannels, g.Reduction], quantized.Mantissas()));
            (int[] exponents, int[] shape) = quantized.SharedExponents();
            Dump(layer, "weight_exponents", w => NpyFile.WriteInt32(w, shape, exponents));
            bool tensor = bfp.InputPartition.Kind == PartitionKind.Tensor;
            int[] inputShape = tensor ? [g.Batch, g.InChannels, g.InHeight, g.InWidth] : [g.Groups, g.Batch * g.PixelsPerItem, g.Reduction];
            Dump(layer, "input_mantissas", w => NpyFile.WriteInt32(w, inputShape, accumulated.CapturedInputMantissas));
            Dump(layer, "input_exponents", w => NpyFile.WriteInt32(w, tensor ? [1] : inputShape, accumulated.CapturedInputExponents));
        }

        float[] bfpOut = accumulated.Output;
        double[] refOut = passes.Reference;
        if (relu)
        {
            Activations.Relu(bfpOut);
            Activations.Relu(refOut);
        }

        return (bfpOut, refOut, numerics);
    }

    /// <summary>The BFP pass, the double reference, the local-error pass (and the exact-accumulator pass of a narrow
    /// accumulator) over the whole weight tensor.</summary>
    private BfpPasses WholePasses(Layer layer, ConvShape g, float[] weights, float[] bias, BfpSettings bfp, float[] bfpIn, double[] refIn)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        QuantizedWeights quantized = Prepared is { } cache
            ? cache.Quantized(layer.Name, () => BfpDatapath.QuantizeWeights(g, weights, bfp, layer.Name))
            : BfpDatapath.QuantizeWeights(g, weights, bfp, layer.Name);
        double quantizeSeconds = clock.Elapsed.TotalSeconds;

        // The input mantissas are captured to count zero operands as the PEs see them (small values round to zero).
        BfpLayerOutput accumulated = BfpDatapath.Convolve(g, bfpIn, quantized, bias, bfp, layer.Name, _threads, captureInput: true);
        double bfpSeconds = clock.Elapsed.TotalSeconds - quantizeSeconds;
        double[] refOut = ReferenceDatapath.Convolve(g, refIn, weights, bias, _threads);
        double referenceSeconds = clock.Elapsed.TotalSeconds - quantizeSeconds - bfpSeconds;
        double beforeLocal = clock.Elapsed.TotalSeconds;
        BfpLayerOutput? local = LocalError ? BfpDatapath.Convolve(g, ToSingle(refIn, ref _localInput).Span, quantized, bias, bfp, layer.Name, _threads) : null;
        double localSeconds = clock.Elapsed.TotalSeconds - beforeLocal;
        BfpLayerOutput? exact = bfp.AccumulatorBits is null ? null
            : BfpDatapath.Convolve(g, bfpIn, quantized, bias, bfp with { AccumulatorBits = null }, layer.Name, _threads);
        return new BfpPasses(accumulated, local, exact, refOut, quantized.StepPower, quantized.SignalPower, quantized.FilterNonZeroCounts(_threads), quantized)
        {
            QuantizeSeconds = quantizeSeconds, BfpSeconds = bfpSeconds, ReferenceSeconds = referenceSeconds, LocalSeconds = localSeconds,
        };
    }

    /// <summary>Filters per slab when the layer is processed in slabs, else 0 (whole): <see cref="SlabFiltersOf"/>, and
    /// no dumps and no prepared weights (both keep the whole tensor).</summary>
    private int SlabFilters(ConvShape g, WeightSource source, BfpSettings bfp) =>
        DumpDirectory is null && Prepared is null ? SlabFiltersOf(g, source, bfp) : 0;

    /// <summary>Filters per slab when a layer of this shape, weight source and BFP arithmetic (not MX) is processed in
    /// slabs, else 0. Slabs need weights that can be drawn or read a range at a time (synthetic or loaded), blocks
    /// within a filter (<c>row</c> or <c>group</c>, so a slab converts as the whole layer does), one group, and
    /// deterministic rounding and a float32 bias (stochastic rounding and a BFP bias depend on the filter's index or on
    /// the whole bias). The run's estimate (<see cref="RunEstimate"/>) counts such a layer's weights by its two slab buffers.</summary>
    internal static int SlabFiltersOf(ConvShape g, WeightSource source, BfpSettings bfp)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(bfp);
        long slabWeights = SlabWeightsOverride.Value ?? DefaultSlabWeights;
        bool eligible = g.WeightLength > slabWeights && g.Groups == 1 && source is SyntheticWeights or LoadedWeights && !bfp.IsMx
            && bfp.WeightPartition.Kind is PartitionKind.Row or PartitionKind.Group && bfp.Rounding != RoundingMode.Stochastic && bfp.Bias is null;
        if (!eligible)
        {
            return 0;
        }

        // Whole multiples of 64 filters where a slab holds that many: the reference spreads an FC layer's filters over
        // the threads 64 at a time.
        long filters = Math.Max(1, slabWeights / g.Reduction);
        filters = filters >= 64 ? filters / 64 * 64 : filters;
        return filters < g.OutChannels ? (int)filters : 0;
    }

    /// <summary>The passes of <see cref="WholePasses"/> a slab of filters at a time: each slab's float weights are drawn
    /// or copied into one buffer, converted, and run through every pass as a layer of its own (a slab of filters is a
    /// convolution with fewer output channels); the outputs are scattered into the layer's. Every figure keeps its bits:
    /// Σ Δ² and Σ w² continue from slab to slab in the whole layer's element order, counts add, and the input's
    /// figures (the same input for every slab) are taken from the first.</summary>
    private BfpPasses SlabPasses(Layer layer, ConvShape g, WeightSource source, bool hasBias, BfpSettings bfp, float[] bfpIn, double[] refIn, int slabFilters)
    {
        float[] bias = LoadBias(g, source, hasBias);
        var output = new float[g.OutputLength];
        float[]? localOutput = LocalError ? new float[g.OutputLength] : null;
        float[]? exactOutput = bfp.AccumulatorBits is null ? null : new float[g.OutputLength];
        var reference = new double[g.OutputLength];
        ReadOnlySpan<float> localIn = LocalError ? ToSingle(refIn, ref _localInput).Span : default;
        var filtersNonZero = new long[g.Reduction];
        (double StepPower, double SignalPower) powers = (0, 0);
        long weightSaturations = 0, accumulatorSaturations = 0, localAccumulatorSaturations = 0;
        BfpLayerOutput? first = null, firstLocal = null;
        // Two weight buffers: while one slab's Σ w² and Σ Δ² run on (one addition after another, on one thread), the
        // next slab is drawn or copied into the other.
        int slabWeights = slabFilters * g.Reduction;
        float[][] buffers = [new float[slabWeights], new float[slabWeights]];
        sbyte[]? packed = null;
        double loadSeconds = 0, quantizeSeconds = 0, bfpSeconds = 0, referenceSeconds = 0, localSeconds = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        LoadWeightSlab(g, source, 0, buffers[0].AsSpan(0, Math.Min(slabFilters, g.OutChannels) * g.Reduction));
        loadSeconds += clock.Elapsed.TotalSeconds;
        for (int firstFilter = 0, index = 0; firstFilter < g.OutChannels; firstFilter += slabFilters, index++)
        {
            int count = Math.Min(slabFilters, g.OutChannels - firstFilter);
            ConvShape slab = g with { OutChannels = count };
            // The conversion takes an array of the slab's exact length: a shorter last slab is copied out of its buffer.
            float[] weights = count == slabFilters ? buffers[index % 2] : buffers[index % 2][..(int)slab.WeightLength];
            float[] slabBias = bias.Length == 0 ? [] : bias[firstFilter..(firstFilter + count)];
            clock.Restart();
            QuantizedWeights quantized = BfpDatapath.QuantizeWeights(slab, weights, bfp, layer.Name, sumPowers: false, packed);
            packed = quantized.PackedBytes;
            weightSaturations += quantized.Saturations;
            long[] counts = quantized.FilterNonZeroCounts(_threads);
            for (int j = 0; j < counts.Length; j++)
            {
                filtersNonZero[j] += counts[j];
            }

            quantizeSeconds += clock.Elapsed.TotalSeconds;
            clock.Restart();
            BfpLayerOutput accumulated = BfpDatapath.Convolve(slab, bfpIn, quantized, slabBias, bfp, layer.Name, _threads, captureInput: first is null);
            first ??= accumulated;
            accumulatorSaturations += accumulated.AccumulatorSaturations;
            Scatter(g, firstFilter, count, accumulated.Output, output);
            bfpSeconds += clock.Elapsed.TotalSeconds;
            clock.Restart();
            Scatter(g, firstFilter, count, ReferenceDatapath.Convolve(slab, refIn, weights, slabBias, _threads), reference);
            referenceSeconds += clock.Elapsed.TotalSeconds;
            clock.Restart();
            if (LocalError)
            {
                BfpLayerOutput local = BfpDatapath.Convolve(slab, localIn, quantized, slabBias, bfp, layer.Name, _threads);
                firstLocal ??= local;
                localAccumulatorSaturations += local.AccumulatorSaturations;
                Scatter(g, firstFilter, count, local.Output, localOutput!);
            }

            localSeconds += clock.Elapsed.TotalSeconds;
            if (exactOutput is not null)
            {
                Scatter(g, firstFilter, count, BfpDatapath.Convolve(slab, bfpIn, quantized, slabBias, bfp with { AccumulatorBits = null }, layer.Name, _threads).Output, exactOutput);
            }

            // This slab's sums beside the next slab's weights (counted as loading): the buffer drawn into is not the one summed.
            clock.Restart();
            int next = firstFilter + slabFilters;
            Both(
                () => powers = BfpDatapath.PowerSums(weights, quantized, powers),
                () =>
                {
                    if (next < g.OutChannels)
                    {
                        LoadWeightSlab(g, source, next, buffers[(index + 1) % 2].AsSpan(0, Math.Min(slabFilters, g.OutChannels - next) * g.Reduction));
                    }
                });
            loadSeconds += clock.Elapsed.TotalSeconds;
        }

        BfpLayerOutput whole = first! with { Output = output, WeightSaturations = weightSaturations, AccumulatorSaturations = accumulatorSaturations };
        BfpLayerOutput? wholeLocal = firstLocal is null ? null
            : firstLocal with { Output = localOutput!, WeightSaturations = weightSaturations, AccumulatorSaturations = localAccumulatorSaturations };
        BfpLayerOutput? wholeExact = exactOutput is null ? null : first with { Output = exactOutput, AccumulatorSaturations = 0 };
        return new BfpPasses(whole, wholeLocal, wholeExact, reference, powers.StepPower, powers.SignalPower, filtersNonZero, null)
        {
            LoadSeconds = loadSeconds, QuantizeSeconds = quantizeSeconds, BfpSeconds = bfpSeconds, ReferenceSeconds = referenceSeconds, LocalSeconds = localSeconds,
        };
    }

    /// <summary>Copies a slab's outputs [batch, slab filters, pixels] into the layer's [batch, filters, pixels].</summary>
    private static void Scatter<T>(ConvShape g, int firstFilter, int count, T[] slab, T[] layer)
    {
        int pixels = g.PixelsPerItem;
        for (int item = 0; item < g.Batch; item++)
        {
            Array.Copy(slab, (long)item * count * pixels, layer, (((long)item * g.OutChannels) + firstFilter) * pixels, (long)count * pixels);
        }
    }

    /// <summary>The bias of <see cref="LoadWeights"/> alone (of a source <see cref="SlabFilters"/> accepts).</summary>
    private static float[] LoadBias(ConvShape g, WeightSource source, bool hasBias) =>
        !hasBias ? [] : source is LoadedWeights { Bias: { } bias } ? ImmutableCollectionsMarshal.AsArray(bias)! : new float[g.OutChannels];

    /// <summary>Filters [<paramref name="firstFilter"/>, +slab) of <see cref="LoadWeights"/>'s weights into
    /// <paramref name="destination"/>: the same floats.</summary>
    private static void LoadWeightSlab(ConvShape g, WeightSource source, int firstFilter, Span<float> destination)
    {
        long offset = (long)firstFilter * g.Reduction;
        switch (source)
        {
            case SyntheticWeights synthetic:
                SyntheticTensors.HeNormal(synthetic.Seed, g.Reduction, offset, destination);
                break;
            case LoadedWeights loaded:
                loaded.Weights.AsSpan().Slice(checked((int)offset), destination.Length).CopyTo(destination);
                break;
            default:
                throw new NotSupportedException($"weight source {source.GetType().Name} is not read in slabs");
        }
    }

    /// <summary>Runs two independent pieces of work, at once when the run has more than one thread (an evaluation
    /// gives each input one thread of its own), else one after the other.</summary>
    private void Both(Action first, Action second)
    {
        if (_threads > 1)
        {
            Parallel.Invoke(first, second);
        }
        else
        {
            first();
            second();
        }
    }

    /// <summary>A layer's error figures: the carried (accumulated) and local outputs against the reference, the
    /// datapath's saturations and the four-stage model's predicted NSR. The two comparisons are independent sums, one
    /// per thread: the same bits as one after the other.</summary>
    private LayerNumerics Measured(BfpLayerOutput accumulated, BfpLayerOutput? local, ReadOnlyMemory<float> reference, double predictedNsr)
    {
        NumericError carried = null!;
        NumericError? own = null;
        Both(
            () => carried = NumericError.Compare(accumulated.Output, reference.Span),
            () => own = local is null ? null : NumericError.Compare(local.Output, reference.Span));
        return new(Figures(carried), own is null ? null : Figures(own), accumulated.InputSaturations, accumulated.WeightSaturations,
            accumulated.AccumulatorSaturations, predictedNsr);
    }

    /// <summary>A layer in MX/NVFP4 formats (docs/mx-formats.md): the same measurements as a BFP layer, through
    /// <see cref="MxDatapath"/>; the four-stage model takes each element's local grid step in place of Δ.</summary>
    private (float[], double[], LayerNumerics) MxGemm(
        Layer layer, ConvShape g, float[] weights, float[] bias, bool relu, float[] bfpIn, double[] refIn, double carriedNsr, BfpSettings bfp)
    {
        MxFormat weightFormat = bfp.WeightMx!;
        MxFormat inputFormat = bfp.InputMx!;
        MxWeights quantized = Prepared is { } cache
            ? cache.QuantizedMx(layer.Name, () => MxDatapath.QuantizeWeights(g, weights, weightFormat, bfp.Mx, layer.Name))
            : MxDatapath.QuantizeWeights(g, weights, weightFormat, bfp.Mx, layer.Name);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        BfpLayerOutput accumulated = MxDatapath.Convolve(g, bfpIn, quantized, bias, inputFormat, bfp.Mx, layer.Name, _threads, captureInput: true);
        double[] refOut = ReferenceDatapath.Convolve(g, refIn, weights, bias, _threads);
        double kernelSeconds = clock.Elapsed.TotalSeconds;
        float[] refOut32 = ToSingle(refOut);
        clock.Restart();
        BfpLayerOutput? local = LocalError ? MxDatapath.Convolve(g, ToSingle(refIn), quantized, bias, inputFormat, bfp.Mx, layer.Name, _threads) : null;
        KernelSeconds += kernelSeconds + clock.Elapsed.TotalSeconds;
        RoundingMode rounding = bfp.Mx.Rounding is MxRounding.NearestEven or MxRounding.NearestAway ? RoundingMode.NearestEven : RoundingMode.TowardZero;
        double inputNsr = ErrorModel.QuantizationNsr(accumulated.InputStepPower, accumulated.InputSignalPower, rounding);
        double weightNsr = ErrorModel.QuantizationNsr(quantized.StepPower, quantized.SignalPower, rounding);
        double macNsr = 0;
        if (bfp.Mx.Accumulation != MxAccumulation.Exact)
        {
            // Stage 3: what the float32 or fixed-point accumulator loses against an exact one, measured.
            var exact = MxDatapath.Convolve(g, bfpIn, quantized, bias, inputFormat, bfp.Mx with { Accumulation = MxAccumulation.Exact }, layer.Name, _threads);
            macNsr = NumericError.Compare(accumulated.Output, exact.Output).Nsr;
        }

        bool[] weightNonZero = Array.ConvertAll(quantized.Codes, c => c != 0);
        int[] inputCodes = accumulated.CapturedInputMantissas ?? throw new InvalidOperationException("input codes were not captured");
        LayerNumerics numerics = Measured(accumulated, local, refOut32, inputNsr + weightNsr + macNsr + carriedNsr) with
        {
            ZeroOperandMacs = ZeroOperands.CountColumns(g, inputCodes, weightNonZero),
        };
        _log.Debug("Numerics of {Layer} in {Weights} x {Inputs}", layer.Name, weightFormat.Name, inputFormat.Name);

        if (DumpDirectory is not null)
        {
            int[] outputShape = [g.Batch, g.OutChannels, g.OutHeight, g.OutWidth];
            int[] inputShape = [g.Groups, g.Batch * g.PixelsPerItem, g.Reduction];
            Dump(layer, "bfp_output", w => NpyFile.WriteFloat32(w, outputShape, accumulated.Output));
            Dump(layer, "reference_output", w => NpyFile.WriteFloat32(w, outputShape, refOut32));
            Dump(layer, "weight_mantissas", w => NpyFile.WriteInt32(w, [g.OutChannels, g.Reduction], Array.ConvertAll(quantized.Codes, c => (int)Math.Clamp(c, int.MinValue, int.MaxValue))));
            Dump(layer, "weight_exponents", w => NpyFile.WriteInt32(w, [g.OutChannels, quantized.BlocksPerRow], Array.ConvertAll(quantized.Blocks, b => b.ScaleCode)));
            Dump(layer, "input_mantissas", w => NpyFile.WriteInt32(w, inputShape, inputCodes));
            Dump(layer, "input_exponents", w => NpyFile.WriteInt32(w, inputShape, accumulated.CapturedInputExponents));
        }

        float[] bfpOut = accumulated.Output;
        if (relu)
        {
            Activations.Relu(bfpOut);
            Activations.Relu(refOut);
        }

        return (bfpOut, refOut, numerics);
    }

    private long CountZeroOperands(ConvShape g, BfpSettings bfp, long[] filtersNonZero, BfpLayerOutput output)
    {
        int[] mantissas = output.CapturedInputMantissas ?? throw new InvalidOperationException("input mantissas were not captured");
        return bfp.InputPartition.Kind == PartitionKind.Tensor
            ? ZeroOperands.CountTensor(g, mantissas, filtersNonZero, _threads)
            : ZeroOperands.CountColumns(g, mantissas, filtersNonZero, _threads);
    }

    /// <summary>A float16 or float32 array: operands rounded to the array's format, products summed without further rounding.</summary>
    /// <remarks>
    /// A float16 × float16 product is exact in float32, and the float32 accumulator is modelled as exact (double), so the
    /// error measured is the operands' rounding. Predicted NSR per rounded tensor: a relative error uniform in ±2^-p
    /// (p = 11 for float16, 24 for float32) has variance 2^-2p / 3.
    /// </remarks>
    private (float[], double[], LayerNumerics) FloatGemm(
        Layer layer, ConvShape g, float[] weights, float[] bias, bool relu, float[] approxIn, double[] refIn, double carriedNsr)
    {
        bool half = _config.PeArray.Arithmetic == Arithmetic.Float16;
        float[] Round(float[] values) => half ? Array.ConvertAll(values, v => (float)(Half)v) : values;
        float[] roundedWeights = Round(weights);
        double[] Widen(float[] values) => Array.ConvertAll(Round(values), v => (double)v);
        float[] approxOut = ToSingle(ReferenceDatapath.Convolve(g, Widen(approxIn), roundedWeights, bias, _threads));
        double[] refOut = ReferenceDatapath.Convolve(g, refIn, weights, bias, _threads);
        float[] refOut32 = ToSingle(refOut);
        float[]? localOut = LocalError ? ToSingle(ReferenceDatapath.Convolve(g, Widen(ToSingle(refIn)), roundedWeights, bias, _threads)) : null;
        double perTensorNsr = Math.Pow(2, -2 * (half ? 11 : 24)) / 3;
        bool[] weightNonZero = Array.ConvertAll(roundedWeights, w => w != 0);
        var numerics = new LayerNumerics(
            Figures(NumericError.Compare(approxOut, refOut32)),
            localOut is null ? null : Figures(NumericError.Compare(localOut, refOut32)),
            0,
            0,
            0,
            (2 * perTensorNsr) + carriedNsr)
        {
            ZeroOperandMacs = ZeroOperands.Count(g, Round(approxIn), weightNonZero),
        };
        _log.Debug("Numerics of {Layer} in {Arithmetic}", layer.Name, _config.PeArray.Arithmetic);
        if (relu)
        {
            Activations.Relu(approxOut);
            Activations.Relu(refOut);
        }

        return (approxOut, refOut, numerics);
    }

    private (float[], double[], LayerNumerics) Vector(
        Layer layer, float[] bfpIn, double[] refIn, Dictionary<string, float[]> bfp, Dictionary<string, double[]> reference,
        Dictionary<string, double> predicted, int batch)
    {
        // Pooling and ReLU carry the relative error through; a sum carries each input's error weighted by its power.
        double carried = predicted[layer.Inputs[0]];
        float[] bfpOut;
        double[] refOut;
        switch (layer)
        {
            case PoolLayer pool:
                PoolShape window = pool.ShapeFor(batch);
                // The two datapaths' pools are independent: one per thread.
                float[] pooled = [];
                double[] pooledReference = [];
                Both(
                    () => pooled = pool.IsMax ? Activations.MaxPool2d(bfpIn, window) : Activations.AvgPool2d(bfpIn, window),
                    () => pooledReference = pool.IsMax ? Activations.MaxPool2d(refIn, window) : Activations.AvgPool2d(refIn, window));
                (bfpOut, refOut) = (pooled, pooledReference);
                break;
            case AddLayer add:
                bfpOut = Activations.Add(bfpIn, bfp[add.Inputs[1]]);
                refOut = Activations.Add(refIn, reference[add.Inputs[1]]);
                double powerOut = Power(refOut);
                carried = powerOut == 0 ? 0
                    : ((predicted[add.Inputs[0]] * Power(refIn)) + (predicted[add.Inputs[1]] * Power(reference[add.Inputs[1]]))) / powerOut;
                if (add.FusedRelu)
                {
                    Activations.Relu(bfpOut);
                    Activations.Relu(refOut);
                }

                break;
            case ConcatLayer concat:
                bfpOut = Activations.Concat([.. concat.Inputs.Select(n => bfp[n])], batch);
                refOut = Activations.Concat([.. concat.Inputs.Select(n => reference[n])], batch);
                double concatPower = Power(refOut);
                carried = concatPower == 0 ? 0 : concat.Inputs.Sum(n => predicted[n] * Power(reference[n])) / concatPower;
                break;
            case ReluLayer:
                bfpOut = (float[])bfpIn.Clone();
                refOut = (double[])refIn.Clone();
                Activations.Relu(bfpOut);
                Activations.Relu(refOut);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(layer), layer.Kind, "not a vector-unit layer");
        }

        var figures = Figures(NumericError.Compare(bfpOut, ToSingle(refOut, ref _referenceSingles).Span));
        return (bfpOut, refOut, new LayerNumerics(figures, null, 0, 0, 0, carried));
    }

    private static double Power(double[] values)
    {
        double sum = 0;
        foreach (double v in values)
        {
            sum += v * v;
        }

        return sum;
    }

    /// <summary>Reads a .npy tensor that must hold exactly <paramref name="elements"/> values (in C order).</summary>
    private static void CheckCount(string path, long elements, string what)
    {
        NpyHeader header = NpyFile.ReadHeader(path);
        if (header.Elements != elements)
        {
            throw new NpyFormatException(
                $"{path}: shape ({string.Join(", ", header.Shape)}) holds {header.Elements} values; {what} needs {elements}");
        }
    }

    private static float[] Load(string path, long elements, string what)
    {
        NpyArray array = NpyFile.Read(path);
        if (array.Values.Length != elements)
        {
            throw new NpyFormatException(
                $"{path}: shape ({string.Join(", ", array.Shape)}) holds {array.Values.Length} values; {what} needs {elements}");
        }

        return array.Values;
    }

    private void Dump(Layer layer, string tensor, Action<string> write)
    {
        Directory.CreateDirectory(DumpDirectory!);
        write(Path.Combine(DumpDirectory!, $"{layer.Name.Replace('/', '_')}.{tensor}.npy"));
    }

    internal static OutputAgreement Agreement(float[] bfpOut, double[] refOut, int batch)
    {
        int perItem = bfpOut.Length / batch;
        int top1 = 0;
        double top5 = 0;
        for (int item = 0; item < batch; item++)
        {
            var b = bfpOut.AsSpan(item * perItem, perItem);
            var r = refOut.AsSpan(item * perItem, perItem);
            int[] bTop = TopK<float>(b, 5);
            int[] rTop = TopK<double>(r, 5);
            top1 += bTop[0] == rTop[0] ? 1 : 0;
            top5 += (double)rTop.Intersect(bTop).Count() / rTop.Length;
        }

        return new OutputAgreement((double)top1 / batch, top5 / batch, batch);
    }

    /// <summary>Indices of the k largest values, largest first; ties go to the lower index.</summary>
    /// <remarks>One pass keeping the k best so far (NaN below every number, as the default comparer orders it): the
    /// order a full sort by value descending, then index, would give, in linear time and without copies. A later index
    /// enters only when strictly greater, so ties keep the lower one.</remarks>
    internal static int[] TopK<T>(ReadOnlySpan<T> values, int k)
        where T : IComparable<T>
    {
        var best = new int[Math.Max(0, Math.Min(k, values.Length))];
        int count = 0;
        for (int i = 0; i < values.Length && best.Length > 0; i++)
        {
            if (count == best.Length && values[i].CompareTo(values[best[count - 1]]) <= 0)
            {
                continue;
            }

            // Insert i after every kept index whose value is at least its own (those are ties with lower indices).
            int at = Math.Min(count, best.Length - 1);
            while (at > 0 && values[i].CompareTo(values[best[at - 1]]) > 0)
            {
                best[at] = best[at - 1];
                at--;
            }

            best[at] = i;
            count = Math.Min(count + 1, best.Length);
        }

        return best;
    }

    private static float[] ToSingle(double[] values)
    {
        var result = new float[values.Length];
        ToSingle(values, result);
        return result;
    }

    /// <summary>The values narrowed to float32 in <paramref name="buffer"/>, grown when too short and kept for the next
    /// layer: fresh memory costs a page fault per 4 KiB, reused memory nothing.</summary>
    private static ReadOnlyMemory<float> ToSingle(double[] values, ref float[] buffer)
    {
        if (buffer.Length < values.Length)
        {
            buffer = new float[values.Length];
        }

        Memory<float> result = buffer.AsMemory(0, values.Length);
        ToSingle(values, result.Span);
        return result;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void ToSingle(ReadOnlySpan<double> values, Span<float> result)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Narrowing rounds each double to the nearest float, as the cast does.
            for (; i + (2 * Vector256<double>.Count) <= values.Length; i += 2 * Vector256<double>.Count)
            {
                Vector256.Narrow(Vector256.Create(values[i..]), Vector256.Create(values[(i + Vector256<double>.Count)..])).CopyTo(result[i..]);
            }
        }

        for (; i < values.Length; i++)
        {
            result[i] = (float)values[i];
        }
    }

    private static ErrorFigures Figures(NumericError e) => new(e.SqnrDb, e.Nsr, e.MaxAbsError, e.MeanAbsError, e.RelativeRmse);

    private Dictionary<string, int> LastUses()
    {
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _network.Layers.Length; i++)
        {
            foreach (string name in _network.Layers[i].Inputs)
            {
                last[name] = i;
            }
        }

        return last;
    }
}
