using System.Collections.Immutable;

namespace AccelSim.Execution;

/// <summary>What one input measured: agreement of the network output with the float reference, the error of every
/// layer, saturations, and the energy of its inference (zero-operand MACs make it data-dependent).</summary>
/// <param name="Index">The input's place in the evaluation's order.</param>
/// <param name="Name">The input's name (<see cref="EvalInput.Name"/>).</param>
/// <param name="Top1Agrees">The largest output is the same index in the BFP and the reference output.</param>
/// <param name="Top5Overlap">The fraction of the reference's five largest outputs among the BFP output's five largest.</param>
/// <param name="OutputSqnrDb">SQNR of the last layer's output against the reference, dB.</param>
/// <param name="LayerSqnrDb">Accumulated SQNR of every layer, in layer order, dB (positive infinity when exact).</param>
/// <param name="EnergyPicoJoules">Energy of this input's inference.</param>
public sealed record EvalOutcome(
    int Index, string Name, bool Top1Agrees, double Top5Overlap, double OutputSqnrDb, ImmutableArray<double> LayerSqnrDb,
    long InputSaturations, long WeightSaturations, long AccumulatorSaturations, double EnergyPicoJoules)
{
    /// <summary>The mean of the layers' SQNR in dB.</summary>
    public double MeanLayerSqnrDb => LayerSqnrDb.IsEmpty ? double.NaN : LayerSqnrDb.Average();

    /// <summary>The lowest SQNR of any layer, dB.</summary>
    public double WorstLayerSqnrDb => LayerSqnrDb.IsEmpty ? double.NaN : LayerSqnrDb.Min();
}

/// <summary>Mean, worst (lowest), 5th percentile and median of a set of SQNR values in dB.</summary>
public sealed record SqnrSpread(double MeanDb, double WorstDb, double P5Db, double MedianDb)
{
    /// <summary>The spread of <paramref name="valuesDb"/> (not empty).</summary>
    public static SqnrSpread Of(IReadOnlyCollection<double> valuesDb)
    {
        ArgumentNullException.ThrowIfNull(valuesDb);
        double[] sorted = [.. valuesDb.Order()];
        return new SqnrSpread(sorted.Average(), sorted[0], Percentile(sorted, 5), Percentile(sorted, 50));
    }

    /// <summary>The nearest-rank percentile: the value at rank ceil(p/100 · n) (1-based, at least 1) of the values sorted
    /// ascending; always one of the values, never interpolated.</summary>
    public static double Percentile(IReadOnlyList<double> sortedAscending, double percent)
    {
        ArgumentNullException.ThrowIfNull(sortedAscending);
        int rank = (int)Math.Ceiling(percent / 100 * sortedAscending.Count);
        return sortedAscending[Math.Clamp(rank, 1, sortedAscending.Count) - 1];
    }
}

/// <summary>One layer's SQNR over all inputs.</summary>
public sealed record LayerSqnrSummary(string Layer, SqnrSpread Sqnr);

/// <summary>An evaluation in aggregate, computed from its outcomes (in input order) alone.</summary>
/// <param name="ConfigName">The accelerator's name.</param>
/// <param name="WorkloadName">The network's name.</param>
/// <param name="CyclesPerInference">Cycles of one inference: the timing does not depend on the values.</param>
/// <param name="ClockMegahertz">The accelerator's clock.</param>
public sealed record EvalSummary(
    string ConfigName, string WorkloadName, long CyclesPerInference, double ClockMegahertz, ImmutableArray<EvalOutcome> Outcomes,
    ImmutableArray<LayerSqnrSummary> Layers)
{
    public int Inputs => Outcomes.Length;

    /// <summary>Fraction of inputs whose top-1 agrees.</summary>
    public double Top1Agreement => Outcomes.Count(o => o.Top1Agrees) / (double)Inputs;

    /// <summary>Mean top-5 overlap over inputs.</summary>
    public double Top5Overlap => Outcomes.Average(o => o.Top5Overlap);

    public SqnrSpread OutputSqnr => SqnrSpread.Of([.. Outcomes.Select(o => o.OutputSqnrDb)]);

    public long InputSaturations => Outcomes.Sum(o => o.InputSaturations);

    public long WeightSaturations => Outcomes.Sum(o => o.WeightSaturations);

    public long AccumulatorSaturations => Outcomes.Sum(o => o.AccumulatorSaturations);

    public double LatencyMicroseconds => CyclesPerInference / ClockMegahertz;

    public double MeanEnergyPicoJoules => Outcomes.Average(o => o.EnergyPicoJoules);

    public double MinEnergyPicoJoules => Outcomes.Min(o => o.EnergyPicoJoules);

    public double MaxEnergyPicoJoules => Outcomes.Max(o => o.EnergyPicoJoules);

    /// <summary>The summary of <paramref name="outcomes"/> (at least one) over the layers named.</summary>
    public static EvalSummary Of(string configName, string workloadName, long cyclesPerInference, double clockMegahertz,
        IReadOnlyList<string> layerNames, IEnumerable<EvalOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(layerNames);
        ImmutableArray<EvalOutcome> ordered = [.. outcomes.OrderBy(o => o.Index)];
        if (ordered.IsEmpty)
        {
            throw new ArgumentException("an evaluation needs at least one input", nameof(outcomes));
        }

        var layers = layerNames.Select((name, i) => new LayerSqnrSummary(name, SqnrSpread.Of([.. ordered.Select(o => o.LayerSqnrDb[i])])));
        return new EvalSummary(configName, workloadName, cyclesPerInference, clockMegahertz, ordered, [.. layers]);
    }
}
