using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Reports;
using AccelSim.ScaleSim;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.ScaleSim;

/// <summary>The compatibility runner: the one place row-stationary is refused, and a run under SCALE-Sim's conventions.</summary>
public sealed class ScaleSimRunnerTests
{
    [Test]
    public void RowStationary_IsRefusedWhenTheRunnerIsMade()
    {
        var tiny = TestHardware.Tiny();
        var rs = tiny with { PeArray = tiny.PeArray with { Dataflow = Dataflow.RowStationary } };

        var error = Assert.Throws<MappingException>(() => ScaleSimRunner.For(rs, TestHardware.UnitEnergyTable(), settings: null));

        Assert.That(error!.Message, Does.StartWith("SCALE-Sim has no row-stationary dataflow"));
    }

    [Test]
    public void WithoutScaleSimMemorySettings_IsTheNativeRunUnderScaleSimsConventions()
    {
        var config = TestHardware.Tiny();
        var network = TestNetworks.Tiny();
        var options = new RunOptions(Numerics: false, Threads: 1) { Settings = new RunSettings { Detail = TimingDetail.PeLevel } };

        ScaleSimRun run = ScaleSimRunner.For(config, TestHardware.UnitEnergyTable(), settings: null).Run(network, options);
        RunResult native = NetworkRunner.Run(config, TestHardware.UnitEnergyTable(), network,
            options with { Settings = options.Settings with { Counting = ScaleSimRunner.Conventions } });

        Assert.Multiple(() =>
        {
            Assert.That(run.Memory, Is.Null, "a YAML config keeps this simulator's stalls");
            Assert.That(run.Settings, Is.EqualTo(new RunSettings { Detail = TimingDetail.PeLevel, Counting = ScaleSimRunner.Conventions }));
            Assert.That(run.Result.Layers.Select(l => l.TotalCycles), Is.EqualTo(native.Layers.Select(l => l.TotalCycles)));
            Assert.That(run.Result.Layers.Select(l => l.DramReadBytes), Is.EqualTo(native.Layers.Select(l => l.DramReadBytes)));
        });
    }
}
