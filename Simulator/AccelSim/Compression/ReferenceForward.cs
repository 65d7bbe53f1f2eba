using AccelSim.Execution;
using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Compression;

/// <summary>What one FC layer saw over the samples: its input (after the previous layer's activation) and its output
/// before its own ReLU, one row per sample, float32.</summary>
public sealed record FcActivations(int Samples, int Inputs, int Outputs, float[] Input, float[] PreActivation);

/// <summary>How <see cref="ReferenceForward"/> computes conv and FC layers.</summary>
public enum ForwardPrecision
{
    /// <summary>The double-precision float reference (<see cref="ReferenceDatapath"/>): the yardstick for output error.</summary>
    Reference,

    /// <summary>float32 im2col and <see cref="FloatGemm"/> (OpenBLAS when installed): much faster on VGG-16,
    /// good enough for activation statistics such as correlations.</summary>
    Float32,
}

/// <summary>A forward pass over a network held in memory, one input at a time, so that memory stays that of one
/// inference whatever the number of samples.</summary>
public static class ReferenceForward
{
    /// <summary>Runs <paramref name="samples"/> inputs (<paramref name="inputs"/> holds them back to back, CHW each);
    /// returns the network outputs back to back, and the activations of the FC layers named in <paramref name="capture"/>.</summary>
    public static (double[] Outputs, Dictionary<string, FcActivations> Captured) Run(
        WeightedNetwork model, float[] inputs, int samples, IReadOnlySet<string> capture, int threads,
        ForwardPrecision precision = ForwardPrecision.Reference)
    {
        Network network = model.Network;
        long inputElements = network.InputShape.Elements;
        if (inputs.LongLength != inputElements * samples)
        {
            throw new ArgumentException($"inputs hold {inputs.LongLength} values; {samples} samples of {network.InputShape} need {inputElements * samples}", nameof(inputs));
        }

        Layer last = network.Layers[^1];
        long outputElements = last.OutputShape.Elements;
        var outputs = new double[outputElements * samples];
        Dictionary<string, FcActivations> captured = CaptureBuffers(network, samples, capture);
        Dictionary<string, int> lastUse = LastUses(network);
        for (int item = 0; item < samples; item++)
        {
            double[] input = Array.ConvertAll(inputs[(int)(item * inputElements)..(int)((item + 1) * inputElements)], v => (double)v);
            double[] output = RunOne(model, input, item, lastUse, captured, threads, precision);
            Array.Copy(output, 0, outputs, item * outputElements, outputElements);
        }

        return (outputs, captured);
    }

    /// <summary>Empty buffers, one per FC layer named in <paramref name="capture"/>, sized for all the samples.</summary>
    private static Dictionary<string, FcActivations> CaptureBuffers(Network network, int samples, IReadOnlySet<string> capture)
    {
        var captured = new Dictionary<string, FcActivations>(StringComparer.Ordinal);
        foreach (Layer layer in network.Layers)
        {
            if (layer is FullyConnectedLayer fc && capture.Contains(fc.Name))
            {
                captured[fc.Name] = new FcActivations(samples, checked((int)fc.InputFeatures), fc.OutputFeatures,
                    new float[fc.InputFeatures * samples], new float[(long)fc.OutputFeatures * samples]);
            }
        }

        return captured;
    }

    /// <summary>For each tensor name, the index of the last layer that reads it, after which its values can be dropped.</summary>
    private static Dictionary<string, int> LastUses(Network network)
    {
        var lastUse = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < network.Layers.Length; i++)
        {
            foreach (string name in network.Layers[i].Inputs)
            {
                lastUse[name] = i;
            }
        }

        return lastUse;
    }

    /// <summary>One sample (<paramref name="item"/>) through every layer in order, keeping each tensor only until its last
    /// reader; fills that sample's rows of <paramref name="captured"/> and returns the last layer's output.</summary>
    private static double[] RunOne(
        WeightedNetwork model, double[] networkInput, int item, Dictionary<string, int> lastUse,
        Dictionary<string, FcActivations> captured, int threads, ForwardPrecision precision)
    {
        Network network = model.Network;
        var values = new Dictionary<string, double[]>(StringComparer.Ordinal)
        {
            [Network.InputName] = networkInput,
        };
        for (int index = 0; index < network.Layers.Length; index++)
        {
            Layer layer = network.Layers[index];
            double[] input = values[layer.Inputs[0]];
            values[layer.Name] = Compute(model, layer, input, values, captured, item, threads, precision);
            foreach (string name in layer.Inputs)
            {
                if (lastUse[name] <= index)
                {
                    values.Remove(name);
                }
            }
        }

        return values[network.Layers[^1].Name];
    }

    /// <summary>One layer's output for one sample, from its first input (and, for an add, its second in <paramref name="values"/>).</summary>
    private static double[] Compute(
        WeightedNetwork model, Layer layer, double[] input, Dictionary<string, double[]> values,
        Dictionary<string, FcActivations> captured, int item, int threads, ForwardPrecision precision)
    {
        double[] output;
        switch (layer)
        {
            case ConvLayer conv:
                output = Convolve(model, conv.Name, conv.ShapeFor(1), input, threads, precision);
                if (conv.FusedRelu)
                {
                    Activations.Relu(output);
                }

                break;
            case FullyConnectedLayer fc:
                output = Convolve(model, fc.Name, fc.ShapeFor(1), input, threads, precision);
                if (captured.TryGetValue(fc.Name, out FcActivations? seen))
                {
                    Copy(input, seen.Input.AsSpan(item * seen.Inputs, seen.Inputs));
                    Copy(output, seen.PreActivation.AsSpan(item * seen.Outputs, seen.Outputs));
                }

                if (fc.FusedRelu)
                {
                    Activations.Relu(output);
                }

                break;
            case PoolLayer pool:
                PoolShape window = pool.ShapeFor(1);
                output = pool.IsMax ? Activations.MaxPool2d(input, window) : Activations.AvgPool2d(input, window);
                break;
            case AddLayer add:
                output = Activations.Add(input, values[add.Inputs[1]]);
                if (add.FusedRelu)
                {
                    Activations.Relu(output);
                }

                break;
            case ReluLayer:
                output = (double[])input.Clone();
                Activations.Relu(output);
                break;
            default:
                throw new NotSupportedException($"layer '{layer.Name}': kind {layer.Kind} has no reference");
        }

        return output;
    }

    private static double[] Convolve(WeightedNetwork model, string name, ConvShape g, double[] input, int threads, ForwardPrecision precision)
    {
        LayerWeights w = model.Weights[name];
        return precision == ForwardPrecision.Reference
            ? ReferenceDatapath.Convolve(g, input, w.Weights, w.Bias, threads)
            : Float32Convolve(g, input, w, threads);
    }

    /// <summary>One item: per group, columns (K × pixels) by im2col, then W_g (filters × K) · columns.</summary>
    private static double[] Float32Convolve(ConvShape g, double[] input, LayerWeights w, int threads)
    {
        float[] x = Array.ConvertAll(input, v => (float)v);
        int k = g.Reduction;
        int n = g.PixelsPerItem;
        int filters = g.GroupFilters;
        var columns = new float[(long)k * n];
        var groupWeights = new float[(long)filters * k];
        var product = new float[(long)filters * n];
        var output = new double[g.OutputLength];
        for (int group = 0; group < g.Groups; group++)
        {
            Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, () => new float[k], (p, _, column) =>
            {
                g.Im2Col<float>(x, 0, group, p / g.OutWidth, p % g.OutWidth, column);
                for (int j = 0; j < k; j++)
                {
                    columns[((long)j * n) + p] = column[j];
                }

                return column;
            }, _ => { });
            Array.Copy(w.Weights, (long)group * filters * k, groupWeights, 0, groupWeights.LongLength);
            FloatGemm.Multiply(filters, n, k, groupWeights, columns, product, threads);
            for (int f = 0; f < filters; f++)
            {
                int m = (group * filters) + f;
                double bias = w.Bias.Length == 0 ? 0 : w.Bias[m];
                for (int p = 0; p < n; p++)
                {
                    output[((long)m * n) + p] = product[((long)f * n) + p] + bias;
                }
            }
        }

        return output;
    }

    private static void Copy(double[] source, Span<float> destination)
    {
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = (float)source[i];
        }
    }
}
