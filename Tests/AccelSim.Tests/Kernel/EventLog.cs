using AccelSim.Kernel;

namespace AccelSim.Tests.Kernel;

/// <summary>Records (cycle, label) pairs in the order events ran, so tests can assert an exact sequence.</summary>
internal sealed class EventLog(Simulation simulation)
{
    private readonly List<(long Cycle, string Label)> _entries = [];

    public IReadOnlyList<(long Cycle, string Label)> Entries => _entries;

    public void Add(string label) => _entries.Add((simulation.Now.Value, label));

    /// <summary>A handler that records <paramref name="label"/> when it runs.</summary>
    public Action Recorder(string label) => () => Add(label);
}
