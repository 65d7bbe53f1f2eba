using AccelSim.Kernel;

namespace AccelSim.Tests.Kernel;

/// <summary>A component with no behaviour, reporting whatever pending work the test sets.</summary>
internal sealed class StubComponent(Simulation simulation, string path) : Component(simulation, path)
{
    public string? Waiting { get; set; }

    public override string? PendingWork => Waiting;
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
