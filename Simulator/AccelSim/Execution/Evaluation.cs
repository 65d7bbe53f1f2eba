using System.Collections.Immutable;
using AccelSim.Energy;
using AccelSim.Hardware;
using AccelSim.Reports;
using AccelSim.Workloads;

namespace AccelSim.Execution;

/// <summary>How far an evaluation is: inputs done (resumed ones included) of the total, and how many were resumed.</summary>
public sealed record EvalProgress(int Done, int Total, int Resumed);

/// <summary>The journal's fingerprint does not match this evaluation: the folder holds results of another one.</summary>
public sealed class EvalJournalMismatchException(string message) : Exception(message);

/// <summary>
/// Evaluates a number format over many inputs: the timing of one inference once (it does not depend on the values),
/// then every input through the BFP datapath and the float reference (not the local-error pass: an evaluation does not
/// report it), batch 1 each, a batch of inputs at a time in
/// parallel. Each finished batch is appended to the journal in input order, so an interrupted evaluation resumes where
/// it stopped and the results do not depend on the thread count or on interruptions.
/// </summary>
public sealed class Evaluation
{
    private readonly AcceleratorConfig _config;
    private readonly EnergyTable _energy;
    private readonly Network _network;
    private readonly Serilog.ILogger _log;

    /// <param name="network">The network; evaluated at batch 1 whatever its own batch.</param>
    public Evaluation(AcceleratorConfig config, EnergyTable energy, Network network, Serilog.ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        _config = config;
        _energy = energy;
        _network = network with { Batch = 1 };
        _log = logger ?? Serilog.Core.Logger.None;
    }

    /// <summary>The network as evaluated (batch 1).</summary>
    public Network Network => _network;

    /// <summary>Worker threads (results do not depend on it); also the inputs run at once.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>The journal (resumed when it exists); null for none.</summary>
    public string? JournalPath { get; init; }

    /// <summary>What identifies this evaluation in its journal: a journal of another fingerprint is refused.</summary>
    public string Fingerprint { get; init; } = "";

    /// <summary>Runs every input not yet in the journal; returns the summary of all of them.</summary>
    /// <exception cref="OperationCanceledException">Cancelled: finished batches are in the journal.</exception>
    /// <exception cref="EvalJournalMismatchException">The journal belongs to another evaluation.</exception>
    public EvalSummary Run(EvalInputs inputs, Action<EvalProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        int threads = Math.Max(1, Threads);
        Network network = WeightSparsity.Needed(_config) ? WeightSparsity.Measure(_network, _config, threads) : _network;
        RunSettings settings = RunSettings.Native;
        LayerTiming[] timings = NetworkRunner.Timings(_config, network, settings, threads, _energy);
        long cycles = timings.Sum(t => t.TotalCycles);

        // Weights are read and quantized once for all inputs: they do not depend on the input.
        var prepared = new PreparedWeights();
        var done = new Dictionary<int, EvalOutcome>();
        EvalJournal? journal = null;
        if (JournalPath is { } path)
        {
            (string? fingerprint, var recorded, long validLength) = EvalJournal.Read(path);
            if (fingerprint is not null && fingerprint != Fingerprint)
            {
                throw new EvalJournalMismatchException(
                    $"{path} records another evaluation (other config, workload, overrides or inputs); give a new or empty output folder");
            }

            foreach ((int index, EvalOutcome outcome) in recorded)
            {
                if (index < inputs.Items.Length && inputs.Items[index].Name == outcome.Name)
                {
                    done[index] = outcome;
                }
            }

            journal = EvalJournal.Open(path, Fingerprint, validLength);
        }

        using (journal)
        {
            int resumed = done.Count;
            int[] pending = [.. Enumerable.Range(0, inputs.Items.Length).Where(i => !done.ContainsKey(i))];
            progress?.Invoke(new EvalProgress(done.Count, inputs.Items.Length, resumed));
            for (int start = 0; start < pending.Length; start += threads)
            {
                cancel.ThrowIfCancellationRequested();
                int[] batch = pending[start..Math.Min(pending.Length, start + threads)];
                var outcomes = new EvalOutcome[batch.Length];
                int kernelThreads = Math.Max(1, threads / batch.Length);
                var failures = new Exception?[batch.Length];
                Parallel.For(0, batch.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, b =>
                {
                    try
                    {
                        outcomes[b] = Evaluate(network, inputs, batch[b], timings, settings, kernelThreads, prepared);
                    }
                    catch (Exception e)
                    {
                        failures[b] = e;
                    }
                });

                // The first failing input in input order, as itself: the same error whatever the thread count. The
                // inputs of the batch that finished are recorded first, so a rerun after the fix does not repeat them.
                int failed = Array.FindIndex(failures, f => f is not null);
                foreach (EvalOutcome outcome in outcomes.Take(failed < 0 ? outcomes.Length : failed))
                {
                    journal?.Append(outcome);
                    done[outcome.Index] = outcome;
                }

                if (failed >= 0)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failures[failed]!).Throw();
                }

                progress?.Invoke(new EvalProgress(done.Count, inputs.Items.Length, resumed));
            }
        }

        return EvalSummary.Of(_config.Name, network.Name, cycles, _config.ClockMegahertz, [.. network.Layers.Select(l => l.Name)], done.Values);
    }

    private EvalOutcome Evaluate(Network network, EvalInputs inputs, int index, LayerTiming[] timings, RunSettings settings, int threads, PreparedWeights prepared)
    {
        EvalInput input = inputs.Items[index];
        var numerics = new NetworkNumerics(network, _config, threads, _log) { Input = inputs.Tensor(input), Prepared = prepared, LocalError = false };
        (ImmutableArray<LayerNumerics> layers, OutputAgreement agreement) = numerics.Run();
        var results = ImmutableArray.CreateBuilder<LayerResult>(layers.Length);
        for (int i = 0; i < layers.Length; i++)
        {
            results.Add(NetworkRunner.LayerResultOf(network.Layers[i], timings[i], layers[i], 1, _config, _energy, settings));
        }

        RunResult result = NetworkRunner.ResultOf(_config, _energy, network, results.MoveToImmutable(), agreement);
        return new EvalOutcome(
            index, input.Name, agreement.Top1Agreement == 1, agreement.Top5Overlap, layers[^1].Accumulated.SqnrDb,
            [.. layers.Select(l => l.Accumulated.SqnrDb)], layers.Sum(l => l.InputSaturations), layers.Sum(l => l.WeightSaturations),
            layers.Sum(l => l.AccumulatorSaturations), result.EnergyPicoJoules);
    }
}
