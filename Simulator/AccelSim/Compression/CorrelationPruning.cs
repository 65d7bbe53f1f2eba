using System.Collections.Immutable;
using AccelSim.Numerics;
using AccelSim.Workloads;

namespace AccelSim.Compression;

/// <summary>Which connections to keep. Exactly one of the two is set.</summary>
/// <param name="Threshold">Remove connections whose |correlation| is below this, in [0, 1].</param>
/// <param name="Density">Keep this fraction of the connections of all selected layers together, those of highest |correlation|, in (0, 1].</param>
public sealed record CorrelationPruningOptions(double? Threshold, double? Density);

/// <summary>
/// Unstructured pruning of FC layers by correlation (the source chapter, 6.4, docs/source-chapter.md): over N sample inputs, the Pearson
/// correlation between input j's activation and output i's pre-activation decides whether weight (i, j) stays.
/// Removed connections become zeros in the dense weight matrix, so the layer keeps its shape.
/// </summary>
/// <remarks>An input or output that is constant over the samples (for instance a ReLU that never fires) has no
/// defined correlation; it counts as 0, so its connections are removed. The bias is left as it is.</remarks>
public static class CorrelationPruning
{
    /// <summary>The FC layers pruned by default: all but the last FC layer of the network (the classifier).</summary>
    public static ImmutableArray<string> DefaultLayers(Network network, bool includeClassifier)
    {
        var fcs = network.Layers.OfType<FullyConnectedLayer>().Select(f => f.Name).ToList();
        return [.. includeClassifier || fcs.Count == 0 ? fcs : fcs.Take(fcs.Count - 1)];
    }

    /// <summary>Pearson correlation, row-major [outputs, inputs]: corr[i, j] over the samples.</summary>
    public static float[] Correlation(FcActivations seen, int threads)
    {
        float[] x = Standardize(seen.Input, seen.Samples, seen.Inputs);          // N × n
        float[] y = Standardize(seen.PreActivation, seen.Samples, seen.Outputs); // N × m
        var yt = new float[y.Length];                                            // m × N
        for (int s = 0; s < seen.Samples; s++)
        {
            for (int i = 0; i < seen.Outputs; i++)
            {
                yt[((long)i * seen.Samples) + s] = y[((long)s * seen.Outputs) + i];
            }
        }

        var correlation = new float[(long)seen.Outputs * seen.Inputs];
        FloatGemm.Multiply(seen.Outputs, seen.Inputs, seen.Samples, yt, x, correlation, threads);
        return correlation;
    }

    /// <summary>Zeroes the weakly correlated connections of <paramref name="layers"/>, measured on
    /// <paramref name="samples"/> inputs through <paramref name="model"/> as it is.</summary>
    /// <exception cref="CompressionException">A named layer is not an FC layer of the network.</exception>
    public static (WeightedNetwork Model, ImmutableDictionary<string, string> Changes) Apply(
        WeightedNetwork model, IReadOnlyList<string> layers, CorrelationPruningOptions options, float[] samples, int sampleCount, int threads)
    {
        var fcNames = model.Network.Layers.OfType<FullyConnectedLayer>().Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        foreach (string name in layers.Where(n => !fcNames.Contains(n)))
        {
            throw new CompressionException($"correlation pruning names layer '{name}', which is not an FC layer of {model.Network.Name}; FC layers: {string.Join(", ", fcNames.Order(StringComparer.Ordinal))}");
        }

        // Correlations need float precision only: the float32 GEMM pass is what makes many VGG-16 samples affordable.
        var (_, captured) = ReferenceForward.Run(model, samples, sampleCount, layers.ToHashSet(StringComparer.Ordinal), threads, ForwardPrecision.Float32);
        var correlations = layers.ToDictionary(n => n, n => Correlation(captured[n], threads), StringComparer.Ordinal);
        double threshold = options.Threshold ?? DensityThreshold(correlations.Values.ToList(), options.Density!.Value);

        var weights = model.Weights.ToBuilder();
        var changes = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (string name in layers)
        {
            LayerWeights w = model.Weights[name];
            float[] pruned = (float[])w.Weights.Clone();
            float[] c = correlations[name];
            long kept = 0;
            for (long i = 0; i < pruned.LongLength; i++)
            {
                if (Math.Abs(c[i]) < threshold)
                {
                    pruned[i] = 0;
                }
                else
                {
                    kept++;
                }
            }

            weights[name] = w with { Weights = pruned };
            changes[model.Origins[name]] = $"correlation |r| >= {threshold:0.####}: density {(double)kept / pruned.LongLength:0.####}";
        }

        return (model with { Weights = weights.ToImmutable() }, changes.ToImmutable());
    }

    /// <summary>The threshold that keeps (at least) the fraction <paramref name="density"/> of all connections: the
    /// largest t with count(|r| ≥ t) ≥ density·total, by bisection on t (each step counts; no sort of 10⁸ values).</summary>
    public static double DensityThreshold(IReadOnlyList<float[]> correlations, double density)
    {
        long total = correlations.Sum(c => c.LongLength);
        long wanted = (long)Math.Ceiling(density * total);
        long Count(double t) => correlations.Sum(c => c.LongCount(v => Math.Abs(v) >= t));
        double low = 0;
        double high = 1.0 + 1e-6;
        for (int i = 0; i < 40; i++)
        {
            double middle = (low + high) / 2;
            (low, high) = Count(middle) >= wanted ? (middle, high) : (low, middle);
        }

        return low;
    }

    /// <summary>Column-wise (x − mean) / (std · √N) in double, so that the dot product of two columns is their Pearson
    /// correlation; a constant column becomes zeros.</summary>
    private static float[] Standardize(float[] values, int samples, int columns)
    {
        var result = new float[values.LongLength];
        for (int j = 0; j < columns; j++)
        {
            double mean = 0;
            for (int s = 0; s < samples; s++)
            {
                mean += values[((long)s * columns) + j];
            }

            mean /= samples;
            double squares = 0;
            for (int s = 0; s < samples; s++)
            {
                double d = values[((long)s * columns) + j] - mean;
                squares += d * d;
            }

            if (squares <= 0)
            {
                continue;
            }

            double scale = 1.0 / Math.Sqrt(squares);
            for (int s = 0; s < samples; s++)
            {
                result[((long)s * columns) + j] = (float)((values[((long)s * columns) + j] - mean) * scale);
            }
        }

        return result;
    }
}
