using System.Collections.Immutable;
using AccelSim.Energy;
using AccelSim.Hardware;
using AccelSim.Numerics;
using AccelSim.Reports;
using AccelSim.Workloads;
using Serilog;

namespace AccelSim.Execution;

/// <summary>What a format search optimises among the candidates that meet the target.</summary>
public enum FormatCostMeasure
{
    /// <summary>Stored bits per weight, scales included.</summary>
    Storage,

    /// <summary>The layer's energy in a run with every layer in that format.</summary>
    Energy,
}

/// <summary>One layer's choice: the format, its local SQNR and cost, and whether it met the target.</summary>
public sealed record LayerFormatChoice(string Layer, string Format, double LocalSqnrDb, double Cost, bool MeetsTarget);

/// <summary>A search's outcome: the choice per conv/FC layer and the whole network run with those choices.</summary>
public sealed record FormatSearchResult(ImmutableArray<LayerFormatChoice> Choices, RunResult Run)
{
    /// <summary>For a top-1 agreement target: the per-layer SQNR threshold found and the agreement it gave; null for an
    /// SQNR target.</summary>
    public AgreementSearch? Agreement { get; init; }
}

/// <summary>How a top-1 agreement target was met: the lowest per-layer local SQNR threshold (among those the candidates
/// measured) whose choices agree with the reference on at least <see cref="TargetTop1"/> of the inputs.</summary>
/// <param name="TargetTop1">The target, a fraction (0.9 for 90 %).</param>
/// <param name="ThresholdDb">The per-layer SQNR threshold chosen; negative infinity: every layer's cheapest format.</param>
/// <param name="Top1Agreement">Top-1 agreement of the chosen formats over the inputs.</param>
/// <param name="Inputs">The inputs evaluated.</param>
/// <param name="Evaluations">Thresholds evaluated over the inputs during the search.</param>
/// <param name="Met">False when even the most accurate choices miss the target (they are the ones returned).</param>
public sealed record AgreementSearch(double TargetTop1, double ThresholdDb, double Top1Agreement, int Inputs, int Evaluations, bool Met);

/// <summary>Per conv/FC layer, the cheapest number format whose local SQNR meets a target (docs/mx-formats.md, "Format
/// search"). Each candidate runs the whole network once with every layer in it: a layer's local error takes the reference
/// activation as input, so it does not depend on the formats of the layers before it. The network is then run with
/// each layer's choice.</summary>
public static class FormatSearch
{
    /// <param name="candidates">Format names: <c>bfp</c> (the accelerator's BFP formats) or MX/NVFP4 names.</param>
    public static FormatSearchResult Run(
        AcceleratorConfig config, EnergyTable energy, Network network, IReadOnlyList<string> candidates, double targetSqnrDb,
        FormatCostMeasure measure, RunOptions options, ILogger log)
    {
        var trials = Trials(config, energy, network, candidates, options, log);
        (ImmutableArray<LayerFormatChoice> choices, Dictionary<string, string> chosen) = Choose(config, network, trials, targetSqnrDb, measure);
        log.Information("Format search: running {Network} with the chosen formats", network.Name);
        RunResult final = NetworkRunner.Run(config, energy, WithFormat(network, l => chosen[l.Name]), options, log);
        return new FormatSearchResult(choices, final);
    }

    /// <summary>Per conv/FC layer, the cheapest format meeting the lowest per-layer SQNR threshold whose choices reach a
    /// top-1 agreement of <paramref name="targetTop1"/> (a fraction) over <paramref name="inputs"/>. The thresholds tried
    /// are the local SQNRs the candidates measured (the choices change only there), bisected on the assumption that
    /// agreement grows with the threshold: about log2 of their number evaluations over the inputs.</summary>
    public static FormatSearchResult RunForAgreement(
        AcceleratorConfig config, EnergyTable energy, Network network, IReadOnlyList<string> candidates, double targetTop1, EvalInputs inputs,
        FormatCostMeasure measure, RunOptions options, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var trials = Trials(config, energy, network, candidates, options, log);
        double[] thresholds =
        [
            double.NegativeInfinity,
            .. trials.SelectMany(t => t.Run.Layers).Select(l => l.Numerics?.Local?.SqnrDb ?? double.NegativeInfinity)
                .Where(double.IsFinite).Distinct().Order(),
        ];
        var agreement = new Dictionary<int, double>();
        double AgreementAt(int i)
        {
            if (!agreement.TryGetValue(i, out double value))
            {
                Dictionary<string, string> chosen = Choose(config, network, trials, thresholds[i], measure).Chosen;
                log.Information("Format search: top-1 agreement over {Inputs} inputs with a per-layer SQNR threshold of {Threshold:F2} dB", inputs.Items.Length, thresholds[i]);
                var evaluation = new Evaluation(config, energy, WithFormat(network, l => chosen[l.Name]), log) { Threads = options.Threads };
                agreement[i] = value = evaluation.Run(inputs).Top1Agreement;
            }

            return value;
        }

        // The lowest index whose agreement meets the target, if the highest does.
        int low = 0, high = thresholds.Length - 1;
        bool met = AgreementAt(high) >= targetTop1;
        while (met && low < high)
        {
            int middle = low + ((high - low) / 2);
            if (AgreementAt(middle) >= targetTop1)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        (ImmutableArray<LayerFormatChoice> choices, Dictionary<string, string> picked) = Choose(config, network, trials, thresholds[high], measure);
        log.Information("Format search: running {Network} with the chosen formats", network.Name);
        RunResult final = NetworkRunner.Run(config, energy, WithFormat(network, l => picked[l.Name]), options, log);
        return new FormatSearchResult(choices, final)
        {
            Agreement = new AgreementSearch(targetTop1, thresholds[high], AgreementAt(high), inputs.Items.Length, agreement.Count, met),
        };
    }

    /// <summary>The network run once per candidate with every conv/FC layer in it.</summary>
    private static List<(string Format, RunResult Run)> Trials(
        AcceleratorConfig config, EnergyTable energy, Network network, IReadOnlyList<string> candidates, RunOptions options, ILogger log)
    {
        var trials = new List<(string Format, RunResult Run)>();
        foreach (string candidate in candidates)
        {
            log.Information("Format search: running {Network} with every conv/FC layer in {Format}", network.Name, candidate);
            trials.Add((candidate, NetworkRunner.Run(config, energy, WithFormat(network, _ => candidate), options, log)));
        }

        return trials;
    }

    /// <summary>Per conv/FC layer, the cheapest trial format whose local SQNR meets <paramref name="targetSqnrDb"/>.</summary>
    private static (ImmutableArray<LayerFormatChoice> Choices, Dictionary<string, string> Chosen) Choose(
        AcceleratorConfig config, Network network, List<(string Format, RunResult Run)> trials, double targetSqnrDb, FormatCostMeasure measure)
    {
        var choices = ImmutableArray.CreateBuilder<LayerFormatChoice>();
        var chosen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Layer layer in network.Layers.Where(l => l is ConvLayer or FullyConnectedLayer))
        {
            var measured = trials.Select(t => (t.Format, Result: t.Run.Layers.First(r => r.Name == layer.Name)))
                .Select(t => new LayerFormatChoice(
                    layer.Name, t.Format, t.Result.Numerics?.Local?.SqnrDb ?? double.NegativeInfinity, Cost(t.Format, layer, t.Result, config, network.Batch, measure), false))
                .ToList();
            // The cheapest that meets the target (ties: the better SQNR, then the order given); else the most accurate.
            LayerFormatChoice? best = measured.Where(o => o.LocalSqnrDb >= targetSqnrDb).OrderBy(o => o.Cost).ThenByDescending(o => o.LocalSqnrDb).FirstOrDefault();
            LayerFormatChoice choice = best is not null ? best with { MeetsTarget = true } : measured.OrderByDescending(o => o.LocalSqnrDb).First();
            choices.Add(choice);
            chosen[layer.Name] = choice.Format;
        }

        return (choices.ToImmutable(), chosen);
    }

    /// <summary>The network with each conv/FC layer's formats (both tensors) set by name.</summary>
    public static Network WithFormat(Network network, Func<Layer, string> format)
    {
        Layer Set(Layer layer)
        {
            LayerBfp Formats(LayerBfp? own)
            {
                string name = format(layer);
                return new LayerBfp((own?.Weights ?? new BfpFormatOverride(null, null)) with { Format = name },
                    (own?.Inputs ?? new BfpFormatOverride(null, null)) with { Format = name }) { Location = own?.Location };
            }

            return layer switch
            {
                ConvLayer c => c with { Bfp = Formats(c.Bfp) },
                FullyConnectedLayer f => f with { Bfp = Formats(f.Bfp) },
                _ => layer,
            };
        }

        return network with { Layers = [.. network.Layers.Select(Set)] };
    }

    private static double Cost(string format, Layer layer, LayerResult result, AcceleratorConfig config, int batch, FormatCostMeasure measure)
    {
        if (measure == FormatCostMeasure.Energy)
        {
            return result.EnergyPicoJoules;
        }

        ConvShape g = ConvShape.Of(layer, batch) ?? throw new ArgumentOutOfRangeException(nameof(layer));
        MxFormat? mx = MxFormat.Find(format);
        BfpSettings settings = LayerContexts.BfpOf(layer, config).WithFormats(mx, mx);
        return FormatCost.Of(g, settings).WeightBitsPerElement(g);
    }
}
