using System.Collections.Immutable;
using AccelSim.Hardware;
using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Execution;

/// <summary>Builds each layer's <see cref="LayerContext"/>: what the run decides for it on top of the hardware description
/// (its BFP formats, whether its input arrives and its output stays on chip). The unified-buffer split is chosen later,
/// by <see cref="LayerSimulator"/>.</summary>
public static class LayerContexts
{
    /// <summary>The context of layer <paramref name="index"/> of <paramref name="network"/>: its BFP formats, whether its
    /// input arrives, or its output stays, on chip, and its fusion (<see cref="LayerFusion.Plan"/>, taken here).</summary>
    public static LayerContext For(Network network, int index, AcceleratorConfig config, RunSettings run) =>
        For(network, index, config, run, FusionAsked(network, config) ? LayerFusion.Plan(network, config, run) : default);

    /// <summary>The context of layer <paramref name="index"/> of <paramref name="network"/> under a fusion plan taken once
    /// for the network (default: nothing fused).</summary>
    public static LayerContext For(Network network, int index, AcceleratorConfig config, RunSettings run, ImmutableArray<FusionDecision> fusion)
    {
        ArgumentNullException.ThrowIfNull(network);
        FusionDecision Decision(int i) => fusion.IsDefault ? FusionDecision.None : fusion[i];
        FusionDecision decision = Decision(index);
        Layer layer = network.Layers[index];
        LayerContext context = For(layer, config, run) with
        {
            FusedInto = decision.FusedInto,
            NotFused = decision.NotFused,
            Fusion = decision.Output,
        };
        Layer? producer = network.Layers.FirstOrDefault(l => l.Name == layer.Inputs[0]);
        if (producer is not null)
        {
            BfpSettings producerBfp = BfpOf(producer, config);
            FeatureMapFormat input = OutputFormat(producer, producerBfp, config);
            context = context with
            {
                Input = input,
                InputPreconverted = Preconverted(input, producerBfp, context.Bfp),
                InputDramRatio = DramRatio(producer, input, config, network.Batch),
            };
        }

        // With layers fused into this one, the map that goes to DRAM is the last fused layer's: its compression, density and format.
        int last = index;
        while (decision.Output is not null && last + 1 < network.Layers.Length && Decision(last + 1).FusedInto == layer.Name)
        {
            last++;
        }

        Layer stored = network.Layers[last];
        ActivationCompression compression = stored.ActivationCompression ?? config.ActivationCompression;
        if (compression != ActivationCompression.None)
        {
            FeatureMapFormat storedFormat = last == index ? context.Output : OutputFormat(stored, BfpOf(stored, config), config);
            context = context with
            {
                OutputCompression = compression,
                OutputDensity = stored.Density ?? FeatureMapCompression.DefaultDensity,
                OutputDramRatio = DramRatio(stored, storedFormat, config, network.Batch),
            };
        }

        if (layer.Inputs.Length > 1)
        {
            // An add or a concat reads each map as its own producer stored it (the network input as the accelerator stores it).
            context = context with
            {
                Inputs = [.. layer.Inputs.Select(name => network.Layers.FirstOrDefault(l => l.Name == name) is { } made
                    ? new InputMap(OutputFormat(made, BfpOf(made, config), config), made.OutputShape.Channels)
                    : new InputMap(FeatureMapFormat.Of(config.ActivationStorage, config.Bfp, network.InputShape.Channels, config.PeArray.Arithmetic), network.InputShape.Channels))],
            };
        }

        if (!config.OnChipActivations)
        {
            return context;
        }

        // A producer's output is its last fused layer's; it stays on chip when that one would, with the line buffer beside it.
        bool OutputStays(int producer)
        {
            int last = producer;
            while (last + 1 < network.Layers.Length && Decision(last + 1).FusedInto == network.Layers[producer].Name)
            {
                last++;
            }

            Layer made = network.Layers[last];
            long bytes = OutputFormat(made, BfpOf(made, config), config).Bytes(made.OutputShape.Elements * network.Batch);
            return StaysOnChip(network, last, config)
                && (Decision(producer).Output is not { } output || bytes + output.LineBufferBytes <= config.Buffers.Ofmap.CapacityBytes);
        }

        int HostOf(int i) => Decision(i).FusedInto is { } host ? network.Layers.IndexOf(network.Layers.First(l => l.Name == host)) : i;
        return context with { InputFromChip = index > 0 && OutputStays(HostOf(index - 1)), OutputToChip = decision.FusedInto is null && OutputStays(index) };
    }

    /// <summary>DRAM bytes over buffer bytes of <paramref name="layer"/>'s output stored as <paramref name="format"/>: its
    /// compression at its density (the workload's, else <see cref="FeatureMapCompression.DefaultDensity"/>).</summary>
    public static double DramRatio(Layer layer, FeatureMapFormat format, AcceleratorConfig config, int batch)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ActivationCompression compression = layer.ActivationCompression ?? config.ActivationCompression;
        return FeatureMapCompression.Ratio(compression, format, layer.OutputShape.Elements * batch, layer.Density ?? FeatureMapCompression.DefaultDensity);
    }

    /// <summary>Whether the config or any layer asks for fusion (only then is a plan worth taking).</summary>
    public static bool FusionAsked(Network network, AcceleratorConfig config) =>
        config.VectorUnit.Fuse != FusedKinds.None || network.Layers.Any(l => l.Fuse == true);

    /// <summary>A layer's output stays on chip when only the next layer reads it, that layer reads nothing else, and it
    /// fits both the output buffer (where it is made) and half the input buffer (where the next layer reads it). The
    /// network's output always goes to DRAM.</summary>
    public static bool StaysOnChip(Network network, int index, AcceleratorConfig config)
    {
        if (index + 1 >= network.Layers.Length)
        {
            return false;
        }

        Layer layer = network.Layers[index];
        Layer next = network.Layers[index + 1];
        bool onlyNext = next.Inputs is [var only] && only == layer.Name
            && !network.Layers.Where((l, j) => j != index + 1 && l.Inputs.Contains(layer.Name)).Any();
        long bytes = OutputFormat(layer, BfpOf(layer, config), config).Bytes(layer.OutputShape.Elements * network.Batch);
        return onlyNext && bytes <= config.Buffers.Ofmap.CapacityBytes && bytes <= config.Buffers.Ifmap.HalfCapacityBytes;
    }

    /// <summary>The context of <paramref name="layer"/> on its own (input and output in DRAM): its BFP formats.</summary>
    /// <remarks>Its input is taken as stored in the accelerator's <c>activation_storage</c> (the network input's format;
    /// <see cref="For(Network, int, AcceleratorConfig, RunSettings)"/> gives a layer its producer's).</remarks>
    public static LayerContext For(Layer layer, AcceleratorConfig config, RunSettings run)
    {
        BfpSettings bfp = BfpOf(layer, config);
        FeatureMapFormat input = FeatureMapFormat.Of(config.ActivationStorage, config.Bfp, layer.InputShape.Channels, config.PeArray.Arithmetic);
        return LayerContext.Of(config, run) with
        {
            Bfp = bfp,
            Input = input,
            InputPreconverted = Preconverted(input, config.Bfp, bfp),
            Output = OutputFormat(layer, bfp, config),
        };
    }

    /// <summary>How <paramref name="layer"/> stores its output: its own <c>activation_storage</c>, else the accelerator's.</summary>
    /// <exception cref="Mapping.MappingException">The layer asks for BFP storage on a float array.</exception>
    public static FeatureMapFormat OutputFormat(Layer layer, BfpSettings bfp, AcceleratorConfig config)
    {
        ActivationStorage storage = layer.ActivationStorage ?? config.ActivationStorage;
        if (storage == ActivationStorage.Bfp && config.PeArray.Arithmetic != Arithmetic.Bfp)
        {
            throw new Mapping.MappingException(
                $"layer '{layer.Name}': activation_storage: bfp stores the layer's BFP input format and needs pe_array.arithmetic: bfp; a float array stores float32, float16, bfloat16 or int8");
        }

        return FeatureMapFormat.Of(storage, bfp, layer.OutputShape.Channels, config.PeArray.Arithmetic);
    }

    /// <summary>A map stored as array operands is read without conversion when the reader's operand format is the one it
    /// was stored in (a BFP reader with other input widths converts it again).</summary>
    private static bool Preconverted(FeatureMapFormat input, BfpSettings stored, BfpSettings reader) =>
        input.IsArrayOperand && (input.Storage != ActivationStorage.Bfp
            || (reader.InputMx is null && reader.Inputs == stored.Inputs && reader.InputPartition == stored.InputPartition));

    /// <summary>The layer's effective BFP settings: the config's, with the layer's own formats where it gives them.</summary>
    public static BfpSettings BfpOf(Layer layer, AcceleratorConfig config)
    {
        LayerBfp? own = layer switch
        {
            ConvLayer c => c.Bfp,
            FullyConnectedLayer f => f.Bfp,
            _ => null,
        };
        if (own is null)
        {
            return config.Bfp;
        }

        // The layer's widths change the declared BFP formats; its format names (bfp or MX/NVFP4) then choose per tensor.
        BfpSettings s = config.Bfp;
        var declared = s.Declared ?? (s.Weights, s.Inputs, s.WeightPartition, s.InputPartition);
        MxFormat? weightMx = own.Weights.Format is { } w ? MxFormat.Find(w) : s.WeightMx;
        MxFormat? inputMx = own.Inputs.Format is { } i ? MxFormat.Find(i) : s.InputMx;
        if ((weightMx is null) != (inputMx is null))
        {
            throw new Mapping.MappingException(
                $"{own.Location ?? "workload"}: layer '{layer.Name}': weights are {weightMx?.Name ?? "bfp"} and inputs {inputMx?.Name ?? "bfp"} " +
                "(the layer's bfp formats over the accelerator's); give both tensors MX/NVFP4 formats or both bfp, because the two datapaths do not mix");
        }

        BfpSettings widths = s with
        {
            Weights = Apply(declared.Weights, own.Weights),
            Inputs = Apply(declared.Inputs, own.Inputs),
            WeightPartition = declared.WeightPartition,
            InputPartition = declared.InputPartition,
            Declared = null,
        };
        return widths.WithFormats(weightMx, inputMx);

        static BfpFormat Apply(BfpFormat format, BfpFormatOverride change) =>
            new(change.ExponentBits ?? format.ExponentBits, change.MantissaBits ?? format.MantissaBits);
    }
}
