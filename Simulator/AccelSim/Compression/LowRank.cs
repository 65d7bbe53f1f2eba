using System.Collections.Immutable;
using AccelSim.Workloads;

namespace AccelSim.Compression;

/// <summary>How many bases each layer keeps. Exactly one of the two is set.</summary>
/// <param name="Speedup">Target ideal speedup per layer (MACs before / after), greater than 1.</param>
/// <param name="Energy">Fraction of the squared singular values (Frobenius energy) to retain, in (0, 1].</param>
public sealed record LowRankOptions(double? Speedup, double? Energy);

/// <summary>
/// Low-rank decomposition (the source chapter, 6.5, docs/source-chapter.md). A conv layer C→N with k×k kernels, weights W (N × C·k²) ≈
/// U_K Σ_K V_Kᵀ, becomes a basis conv C→K (weights V_Kᵀ as K×C×k×k, same stride, padding and dilation, no bias, no
/// ReLU) followed by a 1×1 conv K→N (weights U_K Σ_K, the original bias and ReLU). An FC layer m×n becomes n→K then K→m
/// the same way. The second layer keeps the original name, so the layers that read it are unchanged; the first is
/// named <c>NAME_basis</c>.
/// </summary>
/// <remarks>Ideal speedup per output pixel: N·C·k² / (K·(C·k² + N)) (FC: m·n / (K·(m + n))). A layer is left as it is
/// when the chosen K would not reduce its MACs, and grouped convolutions are not decomposed.</remarks>
public static class LowRank
{
    /// <summary>The rank for an ideal speedup <paramref name="speedup"/>: K = floor(N·R / (s·(R + N))), at least 1,
    /// where R = C·k² is the reduction length and N the number of outputs.</summary>
    public static int RankForSpeedup(long outputs, long reduction, double speedup) =>
        (int)Math.Max(1, Math.Floor(outputs * reduction / (speedup * (reduction + outputs))));

    /// <summary>The smallest K whose leading singular values hold at least <paramref name="energy"/> of Σσ².</summary>
    public static int RankForEnergy(IReadOnlyList<float> singularValues, double energy)
    {
        double total = singularValues.Sum(s => (double)s * s);
        double sum = 0;
        for (int k = 0; k < singularValues.Count; k++)
        {
            sum += (double)singularValues[k] * singularValues[k];
            if (sum >= energy * total * (1 - 1e-12))
            {
                return k + 1;
            }
        }

        return singularValues.Count;
    }

    /// <summary>Decomposes <paramref name="layers"/>; returns the new network and, per source layer, what changed.</summary>
    /// <exception cref="CompressionException">A named layer is not a conv or FC layer of the network.</exception>
    public static (WeightedNetwork Model, ImmutableDictionary<string, string> Changes) Apply(
        WeightedNetwork model, IReadOnlyList<string> layers, LowRankOptions options, Serilog.ILogger log)
    {
        Network network = model.Network;
        var names = network.Layers.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        var selected = layers.ToHashSet(StringComparer.Ordinal);
        foreach (string name in layers)
        {
            if (network.Layers.FirstOrDefault(l => l.Name == name) is not (ConvLayer or FullyConnectedLayer))
            {
                throw new CompressionException($"low-rank names layer '{name}', which is not a conv or FC layer of {network.Name}");
            }
        }

        var result = ImmutableArray.CreateBuilder<Layer>();
        var weights = model.Weights.ToBuilder();
        var origins = model.Origins.ToBuilder();
        var changes = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (Layer layer in network.Layers)
        {
            if (!selected.Contains(layer.Name))
            {
                result.Add(layer);
                continue;
            }

            if (layer is ConvLayer { Groups: > 1 })
            {
                changes[model.Origins[layer.Name]] = "low-rank: not applied (grouped conv)";
                result.Add(layer);
                continue;
            }

            (int outputs, int reduction) = layer switch
            {
                ConvLayer c => (c.OutputChannels, checked((int)c.ReductionLength)),
                FullyConnectedLayer f => (f.OutputFeatures, checked((int)f.InputFeatures)),
                _ => throw new InvalidOperationException("unreachable"),
            };
            LayerWeights w = model.Weights[layer.Name];
            int rank = options.Speedup is { } s
                ? RankForSpeedup(outputs, reduction, s)
                : RankForEnergy(TruncatedSvd.SingularValues(w.Weights, outputs, reduction), options.Energy!.Value);
            double ideal = (double)outputs * reduction / ((double)rank * (reduction + outputs));
            if (rank >= Math.Min(outputs, reduction) || ideal <= 1)
            {
                changes[model.Origins[layer.Name]] = $"low-rank: not applied (rank {rank} would not reduce MACs)";
                result.Add(layer);
                continue;
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            SvdFactors svd = TruncatedSvd.Compute(w.Weights, outputs, reduction, rank);
            log.Information("Low-rank {Layer}: {Rows}x{Columns} to rank {Rank} by {Implementation} in {Seconds:F2} s",
                layer.Name, outputs, reduction, rank, svd.Implementation, clock.Elapsed.TotalSeconds);

            // Second layer: U_K Σ_K (outputs × K).
            var scaled = new float[(long)outputs * rank];
            for (int i = 0; i < outputs; i++)
            {
                for (int c = 0; c < rank; c++)
                {
                    scaled[((long)i * rank) + c] = svd.U[((long)i * rank) + c] * svd.S[c];
                }
            }

            string basisName = layer.Name + "_basis";
            for (int suffix = 2; names.Contains(basisName); suffix++)
            {
                basisName = $"{layer.Name}_basis{suffix}";
            }

            names.Add(basisName);
            (Layer first, Layer second) = layer switch
            {
                ConvLayer c => SplitConv(c, basisName, rank),
                FullyConnectedLayer f => SplitFc(f, basisName, rank),
                _ => throw new InvalidOperationException("unreachable"),
            };
            result.Add(first);
            result.Add(second);
            weights[basisName] = new LayerWeights(svd.Vt, []);
            weights[layer.Name] = new LayerWeights(scaled, w.Bias);
            origins[basisName] = model.Origins[layer.Name];
            // Σ s² over ‖W‖²_F: the share of the weights' energy the factors keep (Eckart–Young: the rest is the error).
            double kept = svd.S.Sum(v => (double)v * v) / w.Weights.Sum(v => (double)v * v);
            changes[model.Origins[layer.Name]] = $"low-rank: rank {rank} of {Math.Min(outputs, reduction)} (ideal {ideal:0.##}x), energy kept {kept:P1}";
        }

        return (new WeightedNetwork(network with { Layers = result.ToImmutable() }, weights.ToImmutable(), origins.ToImmutable()), changes.ToImmutable());
    }

    private static (Layer, Layer) SplitConv(ConvLayer c, string basisName, int rank)
    {
        var basisShape = c.OutputShape with { Channels = rank };
        ConvLayer basis = c with
        {
            Name = basisName,
            OutputChannels = rank,
            OutputShape = basisShape,
            HasBias = false,
            FusedRelu = false,
        };
        ConvLayer mix = c with
        {
            Inputs = [basisName],
            InputShape = basisShape,
            KernelHeight = 1,
            KernelWidth = 1,
            StrideHeight = 1,
            StrideWidth = 1,
            PadTop = 0,
            PadLeft = 0,
            PadBottom = 0,
            PadRight = 0,
            DilationHeight = 1,
            DilationWidth = 1,
        };
        return (basis, mix);
    }

    private static (Layer, Layer) SplitFc(FullyConnectedLayer f, string basisName, int rank)
    {
        var basisShape = new TensorShape(rank, 1, 1);
        FullyConnectedLayer basis = f with
        {
            Name = basisName,
            OutputFeatures = rank,
            OutputShape = basisShape,
            HasBias = false,
            FusedRelu = false,
        };
        FullyConnectedLayer mix = f with { Inputs = [basisName], InputShape = basisShape };
        return (basis, mix);
    }
}
