using System.Collections.Immutable;
using System.Globalization;
using AccelSim.Execution;
using AccelSim.Numerics;
using AccelSim.Reports;
using AccelSim.Workloads;

namespace AccelSim.Compression;

/// <summary>Everything one <c>accelsim compress</c> does, in the order it does it: filter pruning, then correlation
/// pruning of FC layers (measured on the filter-pruned network), then low-rank decomposition.</summary>
/// <param name="FcLayers">FC layers for correlation pruning (null: every FC layer but the last).</param>
/// <param name="LowRankLayers">Layers to decompose (null: every conv layer and every FC layer but the last).</param>
/// <param name="IncludeClassifier">Whether the defaults above include the network's last FC layer.</param>
/// <param name="Samples">Sample inputs for the correlations, back to back (null: <paramref name="SampleCount"/> seeded ones).</param>
/// <param name="Seed">Seed of the synthetic sample inputs; the evaluation inputs use <c>Seed + 1</c>.</param>
/// <param name="EvalInputs">Inputs on which the outputs are compared (0 skips the numerics).</param>
public sealed record CompressionPlan(
    FilterPruningOptions? Filters,
    CorrelationPruningOptions? Correlation,
    LowRankOptions? LowRank,
    ImmutableArray<string>? FcLayers,
    ImmutableArray<string>? LowRankLayers,
    bool IncludeClassifier,
    float[]? Samples,
    int SampleCount,
    ulong Seed,
    int EvalInputs,
    int Threads,
    bool ShapeOnly = false);

/// <summary>Runs a <see cref="CompressionPlan"/>, writes the workload and measures the result.</summary>
public static class Compressor
{
    /// <summary>Compresses <paramref name="source"/>, writes it to <paramref name="outputPath"/>, reloads it with
    /// <paramref name="load"/> (so that the report describes the workload as every command reads it), and compares.</summary>
    /// <param name="runTiming">Runs a network's timing (no numerics, <paramref name="plan"/>'s threads) on the accelerator
    /// the comparison is made on, priced by its energy table.</param>
    /// <exception cref="CompressionException">The plan does not fit the network.</exception>
    public static CompressionReport Run(
        Network source, string sourcePath, Func<Network, RunOptions, RunResult> runTiming, CompressionPlan plan, string outputPath,
        Func<string, Network> load, Serilog.ILogger log)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        WeightedNetwork original = WeightedNetwork.Materialize(source);
        WeightedNetwork model = original;
        var steps = ImmutableArray.CreateBuilder<string>();
        var changes = new Dictionary<string, string>(StringComparer.Ordinal);
        void Merge(ImmutableDictionary<string, string> more)
        {
            foreach ((string layer, string change) in more)
            {
                changes[layer] = changes.TryGetValue(layer, out string? earlier) ? $"{earlier}; {change}" : change;
            }
        }

        if (plan.Filters is { } filters)
        {
            (model, var changed) = FilterPruning.Apply(model, filters);
            Merge(changed);
            steps.Add(DescribeFilters(filters));
            log.Information("Filter pruning: {Macs:N0} MACs per item left of {Before:N0}", model.Network.MacsPerItem, source.MacsPerItem);
        }

        if (plan.Correlation is { } correlation)
        {
            var layers = plan.FcLayers ?? CorrelationPruning.DefaultLayers(model.Network, plan.IncludeClassifier);
            if (layers.IsEmpty)
            {
                throw new CompressionException($"FC pruning by correlation has no layer to prune: the only FC layer of {source.Name} is the classifier; name it with --fc-layers or add --include-classifier");
            }

            float[] samples = plan.Samples ?? Synthetic(model.Network.InputShape, plan.SampleCount, plan.Seed);
            int count = (int)(samples.LongLength / model.Network.InputShape.Elements);
            log.Information("Correlation pruning of {Layers}: measuring activations over {Samples} samples", string.Join(", ", layers), count);
            (model, var changed) = CorrelationPruning.Apply(model, layers, correlation, samples, count, plan.Threads);
            Merge(changed);
            steps.Add($"FC pruning by correlation of {string.Join(", ", layers)} over {count} {(plan.Samples is null ? $"seeded (seed {plan.Seed}) " : "")}samples: "
                + (correlation.Threshold is { } t ? Invariant($"remove |r| < {t}") : Invariant($"keep the top {correlation.Density:0.####} of connections by |r|")));
        }

        if (plan.LowRank is { } lowRank)
        {
            var fcs = model.Network.Layers.OfType<FullyConnectedLayer>().ToList();
            var layers = plan.LowRankLayers ?? [.. model.Network.Layers
                .Where(l => l is ConvLayer || (l is FullyConnectedLayer && (plan.IncludeClassifier || !ReferenceEquals(l, fcs[^1]))))
                .Select(l => l.Name)];
            (model, var changed) = LowRank.Apply(model, layers, lowRank, log);
            Merge(changed);
            steps.Add("low-rank (truncated SVD) of " + (plan.LowRankLayers is null ? "every conv and FC layer" + (plan.IncludeClassifier ? "" : " but the classifier") : string.Join(", ", layers)) + ": "
                + (lowRank.Speedup is { } s ? Invariant($"ideal speedup {s} per layer") : Invariant($"retain {lowRank.Energy:0.####} of the singular-value energy")));
        }

        string name = Path.GetFileNameWithoutExtension(outputPath);
        var header = new List<string>
        {
            $"Written by accelsim compress from {Path.GetFileName(sourcePath)} ({source.Name}); no fine-tuning.",
        };
        header.AddRange(steps.Select(s => "  " + s));
        header.Add(Invariant($"MACs per item {source.MacsPerItem:N0} -> {model.Network.MacsPerItem:N0} (dense); ")
            + (plan.ShapeOnly ? "shapes only: seeded synthetic weights and input, for timing studies" : $"weights in {name}_weights/"));
        WorkloadWriter.Write(model, outputPath, name, header, plan.ShapeOnly);
        log.Information("Wrote {Path} in {Seconds:F1} s", outputPath, clock.Elapsed.TotalSeconds);

        // The report reads back what was written: the compressed workload as every other command sees it.
        Network written = load(outputPath);
        var reloaded = model with { Network = written };

        var timing = new RunOptions(Numerics: false, Threads: plan.Threads);
        RunResult before = runTiming(source, timing);
        RunResult after = runTiming(written, timing);

        CompressionNumerics? numerics = null;
        if (plan.EvalInputs > 0 && !plan.ShapeOnly)
        {
            ulong evalSeed = plan.Seed + 1;
            float[] inputs = Synthetic(source.InputShape, plan.EvalInputs, evalSeed);
            var none = new HashSet<string>(StringComparer.Ordinal);
            double[] reference = ReferenceForward.Run(original, inputs, plan.EvalInputs, none, plan.Threads).Outputs;
            double[] compressed = ReferenceForward.Run(reloaded, inputs, plan.EvalInputs, none, plan.Threads).Outputs;
            numerics = CompressionReport.Compare(reference, compressed, plan.EvalInputs, evalSeed);
        }

        return CompressionReport.Build(Path.GetFileName(sourcePath), Path.GetFileName(outputPath), steps.ToImmutable(), original, reloaded, before, after, changes, numerics);
    }

    /// <summary>Standard-normal inputs drawn as a run draws a batch of <paramref name="count"/> from <paramref name="seed"/>.</summary>
    public static float[] Synthetic(TensorShape shape, int count, ulong seed)
    {
        var values = new float[shape.Elements * count];
        SyntheticTensors.StandardNormal(seed, values);
        return values;
    }

    private static string DescribeFilters(FilterPruningOptions f)
    {
        var parts = new List<string>();
        if (f.MacsReduction is { } target)
        {
            parts.Add(Invariant($"filters by L1 norm ({(f.Scope == FilterScope.Layer ? "one ratio per layer" : "ranked across the network")}) to remove {target:0.####} of the MACs"));
        }
        else if (f.Ratio is { } ratio && ratio > 0)
        {
            parts.Add(Invariant($"filters by L1 norm ({(f.Scope == FilterScope.Layer ? "per layer" : "ranked across the network")}): ratio {ratio}"));
        }

        if (!f.LayerRatios.IsEmpty)
        {
            parts.Add("per-layer ratios " + string.Join(", ", f.LayerRatios.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => Invariant($"{p.Key}={p.Value}"))));
        }

        if (!f.Masks.IsEmpty)
        {
            parts.Add(Invariant($"masks of {string.Join(", ", f.Masks.Keys.Order(StringComparer.Ordinal))} (|mask| < {f.MaskThreshold} removed)"));
        }

        return "structured filter pruning: " + string.Join("; ", parts) + "; add-feeding layers unpruned";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
