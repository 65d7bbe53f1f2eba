using System.Globalization;
using AccelSim.Kernel;

namespace AccelSim.Tests.Kernel;

/// <summary>A component with no behaviour, reporting whatever pending work the test sets.</summary>
internal sealed class StubComponent(Simulation simulation, string path) : Component(simulation, path)
{
    public string? Waiting { get; set; }

    public override string? PendingWork => Waiting;
}

/// <summary>Takes every item that arrives on its input and expects a fixed number of them.</summary>
internal sealed class CountingConsumer : Component
{
    private readonly IInPort<int> _input;
    private readonly int _expected;

    public CountingConsumer(Simulation simulation, string path, IInPort<int> input, int expected)
        : base(simulation, path)
    {
        _input = input;
        _expected = expected;
        input.OnArrival(TakeAll);
    }

    public List<(long Cycle, int Item)> Taken { get; } = [];

    public override string? PendingWork => Taken.Count < _expected
        ? string.Create(
            CultureInfo.InvariantCulture, $"waits for item {Taken.Count + 1} of {_expected} on {_input.Path}")
        : null;

    private void TakeAll()
    {
        while (_input.TryTake(out int item))
        {
            Taken.Add((Simulation.Now.Value, item));
        }
    }
}

/// <summary>Would send items once started, but nothing ever starts it.</summary>
internal sealed class UnstartedProducer(Simulation simulation, string path, IOutPort<int> output, int items)
    : Component(simulation, path)
{
    public override string PendingWork =>
        string.Create(
            CultureInfo.InvariantCulture, $"waits for a start signal before sending {items} items to {output.Path}");
}

/// <summary>Reschedules itself forever: a livelock.</summary>
internal sealed class Ticker : Component
{
    private readonly long _periodCycles;
    private readonly Action _tick;

    public Ticker(Simulation simulation, string path, long periodCycles)
        : base(simulation, path)
    {
        _periodCycles = periodCycles;
        _tick = Tick;
        simulation.Schedule(0, _tick);
    }

    public override string PendingWork => "ticks forever";

    private void Tick() => Simulation.Schedule(_periodCycles, _tick);
}
