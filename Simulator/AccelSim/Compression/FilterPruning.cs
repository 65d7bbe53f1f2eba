using System.Collections.Immutable;
using AccelSim.Workloads;

namespace AccelSim.Compression;

/// <summary>Whether L1-norm filter ranking is per layer or across the whole network.</summary>
public enum FilterScope
{
    /// <summary>Each layer loses its own fraction of filters, its lowest-L1 ones.</summary>
    Layer,

    /// <summary>Filters of all prunable layers are ranked together by mean |weight| (L1 over fan-in, so layers of
    /// different fan-in compare), and the lowest fraction of them all is removed; every layer keeps at least one.</summary>
    Network,
}

/// <summary>What to remove. Exactly one of <see cref="Ratio"/> and <see cref="MacsReduction"/> may be set (or neither,
/// when only masks are given). Masks win over ratios for the layers they name.</summary>
/// <param name="Ratio">Fraction of filters removed, in [0, 1).</param>
/// <param name="LayerRatios">Per-layer fractions that replace <paramref name="Ratio"/> (layer scope only).</param>
/// <param name="MacsReduction">Target fraction of the network's MACs removed, in (0, 1): the ratio is found by bisection.</param>
/// <param name="Masks">Per layer, one mask value per filter (the trained mask layer); |value| below <paramref name="MaskThreshold"/> removes the filter.</param>
public sealed record FilterPruningOptions(
    double? Ratio,
    ImmutableDictionary<string, double> LayerRatios,
    FilterScope Scope,
    double? MacsReduction,
    ImmutableDictionary<string, float[]> Masks,
    double MaskThreshold);

/// <summary>
/// Structured pruning: whole filters (output channels) of conv layers are removed, and with them the matching input
/// channels of every layer that reads them (through pooling and ReLU; for an FC layer the C·H·W features of each
/// removed channel). Batch norm is folded into conv weights and bias in AccelSim workloads, so a removed filter takes
/// its folded scale and shift with it.
/// </summary>
/// <remarks>
/// A conv layer is prunable only when every path from its output reaches a conv (one group) or FC layer through
/// pooling and ReLU alone. Layers whose output feeds a residual add (directly or through pooling/ReLU) are left
/// unpruned: both inputs of an add must keep the same channels, and the identity shortcut of a residual block cannot
/// lose any. The network's last layer and grouped convolutions are not pruned either. A removed filter's bias stops
/// reaching the next layer (standard L1 pruning; AccelSim's synthetic weights have zero bias).
/// </remarks>
public static class FilterPruning
{
    /// <summary>Each conv layer and why it cannot be pruned (null when it can).</summary>
    public static ImmutableDictionary<string, string?> Prunability(Network network)
    {
        var consumers = Consumers(network);
        string lastName = network.Layers[^1].Name;
        var byName = network.Layers.ToDictionary(l => l.Name, StringComparer.Ordinal);
        string? Blocker(string name)
        {
            if (name == lastName)
            {
                return "it is (or feeds through pooling/ReLU) the network output";
            }

            foreach (string consumer in consumers.GetValueOrDefault(name, []))
            {
                string? reason = byName[consumer] switch
                {
                    ConvLayer { Groups: 1 } or FullyConnectedLayer => null,
                    ConvLayer => $"its output feeds the grouped conv '{consumer}'",
                    AddLayer => $"its output feeds the residual add '{consumer}' (both inputs of an add keep every channel)",
                    PoolLayer or ReluLayer => Blocker(consumer),
                    _ => $"its output feeds '{consumer}'",
                };
                if (reason is not null)
                {
                    return reason;
                }
            }

            return null;
        }

        return network.Layers.OfType<ConvLayer>().ToImmutableDictionary(
            c => c.Name,
            c => c.Groups != 1 ? "it is a grouped conv" : Blocker(c.Name),
            StringComparer.Ordinal);
    }

    /// <summary>Prunes filters; returns the pruned network and, per changed layer of the source, what changed.</summary>
    /// <exception cref="CompressionException">A named layer is missing or not prunable, a mask has the wrong length or
    /// removes every filter, or the MAC target cannot be reached.</exception>
    public static (WeightedNetwork Model, ImmutableDictionary<string, string> Changes) Apply(WeightedNetwork model, FilterPruningOptions options)
    {
        Network network = model.Network;
        var prunability = Prunability(network);
        var prunable = network.Layers.OfType<ConvLayer>().Where(c => prunability[c.Name] is null).ToList();
        foreach (string name in options.Masks.Keys.Concat(options.LayerRatios.Keys))
        {
            if (!prunability.TryGetValue(name, out string? reason))
            {
                throw new CompressionException($"filter pruning names layer '{name}', which is not a conv layer of {network.Name}; conv layers: {string.Join(", ", prunability.Keys.Order(StringComparer.Ordinal))}");
            }

            if (reason is not null)
            {
                throw new CompressionException($"layer '{name}' cannot be filter-pruned: {reason}");
            }
        }

        // L1 norm of each filter of each prunable layer, computed once.
        var norms = prunable.ToDictionary(c => c.Name, c => FilterNorms(model.Weights[c.Name].Weights, c.OutputChannels), StringComparer.Ordinal);
        Dictionary<string, int[]> Plan(double ratio) => options.Scope == FilterScope.Layer
            ? PlanPerLayer(prunable, norms, ratio, options)
            : PlanPerNetwork(prunable, norms, ratio, options);

        Dictionary<string, int[]> plan;
        if (options.MacsReduction is { } target)
        {
            long before = network.MacsPerItem;
            double Reduction(double ratio) => 1.0 - ((double)Reshape(network, Plan(ratio)).MacsPerItem / before);
            double high = 1.0 - 1e-9;
            if (Reduction(high) < target)
            {
                throw new CompressionException(
                    $"filter pruning cannot remove {target:P1} of the MACs of {network.Name}: with every prunable conv layer down to one filter it removes {Reduction(high):P1}");
            }

            // Bisection on the ratio: the MAC reduction grows with it (in steps, as filter counts are integers).
            double low = 0;
            for (int i = 0; i < 50; i++)
            {
                double middle = (low + high) / 2;
                (low, high) = Reduction(middle) >= target ? (low, middle) : (middle, high);
            }

            plan = Plan(high);
        }
        else
        {
            plan = Plan(options.Ratio ?? 0);
        }

        Network pruned = Reshape(network, plan);
        var weights = model.Weights.ToBuilder();
        var changes = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (Layer layer in network.Layers)
        {
            int[]? keepOut = layer is ConvLayer && plan.TryGetValue(layer.Name, out int[]? k) ? k : null;
            int[]? keepIn = ChannelSource(network, layer) is { } source && plan.TryGetValue(source, out int[]? s) ? s : null;
            if (keepOut is null && keepIn is null)
            {
                continue;
            }

            LayerWeights w = model.Weights[layer.Name];
            var parts = new List<string>();
            switch (layer)
            {
                case ConvLayer conv:
                    weights[conv.Name] = PruneConv(conv, w, keepOut, keepIn);
                    if (keepOut is not null)
                    {
                        parts.Add($"filters {conv.OutputChannels}->{keepOut.Length}");
                    }

                    break;
                case FullyConnectedLayer fc:
                    weights[fc.Name] = PruneFcInputs(fc, w, keepIn!);
                    break;
                default:
                    continue;
            }

            if (keepIn is not null)
            {
                parts.Add($"input channels {layer.InputShape.Channels}->{keepIn.Length}");
            }

            changes[model.Origins[layer.Name]] = string.Join(", ", parts);
        }

        return (model with { Network = pruned, Weights = weights.ToImmutable() }, changes.ToImmutable());
    }

    /// <summary>Sum of |w| over each filter's row.</summary>
    public static double[] FilterNorms(float[] weights, int filters)
    {
        int fanIn = weights.Length / filters;
        var norms = new double[filters];
        for (int f = 0; f < filters; f++)
        {
            double sum = 0;
            foreach (float v in weights.AsSpan(f * fanIn, fanIn))
            {
                sum += Math.Abs(v);
            }

            norms[f] = sum;
        }

        return norms;
    }

    private static Dictionary<string, int[]> PlanPerLayer(List<ConvLayer> prunable, Dictionary<string, double[]> norms, double ratio, FilterPruningOptions options)
    {
        var plan = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (ConvLayer conv in prunable)
        {
            if (Masked(conv, options) is { } masked)
            {
                plan[conv.Name] = masked;
                continue;
            }

            double r = options.LayerRatios.GetValueOrDefault(conv.Name, ratio);
            int remove = Math.Min(conv.OutputChannels - 1, (int)Math.Floor(r * conv.OutputChannels));
            if (remove <= 0)
            {
                continue;
            }

            // Lowest L1 norm first; ties go to the lower index, so the result is fully determined.
            double[] n = norms[conv.Name];
            plan[conv.Name] = [.. Enumerable.Range(0, conv.OutputChannels).OrderBy(f => n[f]).ThenBy(f => f).Skip(remove).Order()];
        }

        return plan;
    }

    private static Dictionary<string, int[]> PlanPerNetwork(List<ConvLayer> prunable, Dictionary<string, double[]> norms, double ratio, FilterPruningOptions options)
    {
        var plan = new Dictionary<string, int[]>(StringComparer.Ordinal);
        var ranked = new List<(double Score, int Layer, int Filter)>();
        for (int l = 0; l < prunable.Count; l++)
        {
            ConvLayer conv = prunable[l];
            if (Masked(conv, options) is { } masked)
            {
                plan[conv.Name] = masked;
                continue;
            }

            double fanIn = conv.ReductionLength;
            ranked.AddRange(norms[conv.Name].Select((norm, f) => (norm / fanIn, l, f)));
        }

        int remove = (int)Math.Floor(ratio * ranked.Count);
        var removed = prunable.Select(_ => new HashSet<int>()).ToList();
        foreach ((double _, int l, int f) in ranked.OrderBy(r => r.Score).ThenBy(r => r.Layer).ThenBy(r => r.Filter))
        {
            if (remove == 0)
            {
                break;
            }

            if (removed[l].Count < prunable[l].OutputChannels - 1)
            {
                removed[l].Add(f);
                remove--;
            }
        }

        for (int l = 0; l < prunable.Count; l++)
        {
            if (removed[l].Count > 0)
            {
                plan[prunable[l].Name] = [.. Enumerable.Range(0, prunable[l].OutputChannels).Where(f => !removed[l].Contains(f))];
            }
        }

        return plan;
    }

    private static int[]? Masked(ConvLayer conv, FilterPruningOptions options)
    {
        if (!options.Masks.TryGetValue(conv.Name, out float[]? mask))
        {
            return null;
        }

        if (mask.Length != conv.OutputChannels)
        {
            throw new CompressionException($"the filter mask of layer '{conv.Name}' has {mask.Length} values; the layer has {conv.OutputChannels} filters (one value per filter)");
        }

        int[] keep = [.. Enumerable.Range(0, mask.Length).Where(f => Math.Abs(mask[f]) >= options.MaskThreshold)];
        return keep.Length > 0 ? keep
            : throw new CompressionException($"the filter mask of layer '{conv.Name}' removes every filter (all |values| < threshold {options.MaskThreshold}); lower the threshold");
    }

    /// <summary>The conv layer whose channels reach <paramref name="layer"/>'s input through pooling and ReLU, if any.</summary>
    private static string? ChannelSource(Network network, Layer layer)
    {
        if (layer is not (ConvLayer or FullyConnectedLayer))
        {
            return null;
        }

        var byName = network.Layers.ToDictionary(l => l.Name, StringComparer.Ordinal);
        string name = layer.Inputs[0];
        while (byName.TryGetValue(name, out Layer? producer))
        {
            switch (producer)
            {
                case ConvLayer:
                    return name;
                case PoolLayer or ReluLayer:
                    name = producer.Inputs[0];
                    break;
                default:
                    return null;
            }
        }

        return null;
    }

    /// <summary>The network with each planned conv layer's filter count, and every shape after it, updated.</summary>
    private static Network Reshape(Network network, Dictionary<string, int[]> plan)
    {
        var channels = new Dictionary<string, int>(StringComparer.Ordinal) { [Network.InputName] = network.InputShape.Channels };
        var layers = ImmutableArray.CreateBuilder<Layer>(network.Layers.Length);
        foreach (Layer layer in network.Layers)
        {
            TensorShape input = layer.InputShape with { Channels = channels[layer.Inputs[0]] };
            Layer updated = layer switch
            {
                ConvLayer conv when plan.TryGetValue(conv.Name, out int[]? keep) => conv with
                {
                    InputShape = input,
                    OutputChannels = keep.Length,
                    OutputShape = conv.OutputShape with { Channels = keep.Length },
                },
                ConvLayer or FullyConnectedLayer => layer with { InputShape = input },
                _ => layer with { InputShape = input, OutputShape = layer.OutputShape with { Channels = input.Channels } },
            };
            channels[layer.Name] = updated.OutputShape.Channels;
            layers.Add(updated);
        }

        return network with { Layers = layers.MoveToImmutable() };
    }

    private static LayerWeights PruneConv(ConvLayer conv, LayerWeights w, int[]? keepOut, int[]? keepIn)
    {
        int inChannels = conv.InputShape.Channels;
        int window = conv.KernelHeight * conv.KernelWidth;
        int[] outs = keepOut ?? [.. Enumerable.Range(0, conv.OutputChannels)];
        int[] ins = keepIn ?? [.. Enumerable.Range(0, inChannels)];
        var weights = new float[(long)outs.Length * ins.Length * window];
        for (int fo = 0; fo < outs.Length; fo++)
        {
            for (int ci = 0; ci < ins.Length; ci++)
            {
                Array.Copy(w.Weights, (((long)outs[fo] * inChannels) + ins[ci]) * window, weights, (((long)fo * ins.Length) + ci) * window, window);
            }
        }

        float[] bias = w.Bias.Length == 0 ? [] : [.. outs.Select(f => w.Bias[f])];
        return new LayerWeights(weights, bias);
    }

    private static LayerWeights PruneFcInputs(FullyConnectedLayer fc, LayerWeights w, int[] keepIn)
    {
        int pixels = fc.InputShape.Height * fc.InputShape.Width;
        long inputs = fc.InputFeatures;
        long kept = (long)keepIn.Length * pixels;
        var weights = new float[fc.OutputFeatures * kept];
        for (int o = 0; o < fc.OutputFeatures; o++)
        {
            for (int ci = 0; ci < keepIn.Length; ci++)
            {
                Array.Copy(w.Weights, (o * inputs) + ((long)keepIn[ci] * pixels), weights, (o * kept) + ((long)ci * pixels), pixels);
            }
        }

        return new LayerWeights(weights, w.Bias);
    }

    private static Dictionary<string, List<string>> Consumers(Network network)
    {
        var consumers = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (Layer layer in network.Layers)
        {
            foreach (string input in layer.Inputs.Distinct())
            {
                if (!consumers.TryGetValue(input, out List<string>? list))
                {
                    consumers[input] = list = [];
                }

                list.Add(layer.Name);
            }
        }

        return consumers;
    }
}

/// <summary>A compression request that cannot be carried out on this network (a user error, not a fault).</summary>
public sealed class CompressionException : Exception
{
    public CompressionException(string message)
        : base(message)
    {
    }

    public CompressionException()
    {
    }

    public CompressionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
