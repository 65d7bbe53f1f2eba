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
public sealed record FormatSearchResult(ImmutableArray<LayerFormatChoice> Choices, RunResult Run);

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
        var trials = new List<(string Format, RunResult Run)>();
        foreach (string candidate in candidates)
        {
            log.Information("Format search: running {Network} with every conv/FC layer in {Format}", network.Name, candidate);
            trials.Add((candidate, NetworkRunner.Run(config, energy, WithFormat(network, _ => candidate), options, log)));
        }

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

        log.Information("Format search: running {Network} with the chosen formats", network.Name);
        RunResult final = NetworkRunner.Run(config, energy, WithFormat(network, l => chosen[l.Name]), options, log);
        return new FormatSearchResult(choices.ToImmutable(), final);
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

        ConvShape g = layer switch
        {
            ConvLayer c => c.ShapeFor(batch),
            FullyConnectedLayer f => f.ShapeFor(batch),
            _ => throw new ArgumentOutOfRangeException(nameof(layer)),
        };
        MxFormat? mx = MxFormat.Find(format);
        BfpSettings settings = LayerContexts.BfpOf(layer, config).WithFormats(mx, mx);
        return FormatCost.Of(g, settings).WeightBitsPerElement(g);
    }
}
