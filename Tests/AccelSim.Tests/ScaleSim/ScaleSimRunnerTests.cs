using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Reports;
using AccelSim.ScaleSim;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

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

    [Test]
    public void PerLayerStorageAndFusion_AreDroppedAsTheConfigsAre()
    {
        // The tiny network with c1 stored float16 and asked to fuse its pool: SCALE-Sim stores float32 words and runs
        // each layer alone, so the compatibility run equals the plain network's (and so does one whose config asks
        // vector_unit.fuse: all). Natively, c1 would write its 4×6×6 map as float16, or not at all with p1 fused.
        var config = TestHardware.Tiny();
        var plain = TestNetworks.Tiny();
        var asked = plain with { Layers = [plain.Layers[0] with { ActivationStorage = ActivationStorage.Float16 }, plain.Layers[1] with { Fuse = true }, plain.Layers[2]] };
        var options = new RunOptions(Numerics: false, Threads: 1);
        ScaleSimRunner runner = ScaleSimRunner.For(config, TestHardware.UnitEnergyTable(), settings: null);

        RunResult compatible = runner.Run(asked, options).Result;
        RunResult reference = runner.Run(plain, options).Result;
        RunResult fusedConfig = ScaleSimRunner.For(config with { VectorUnit = config.VectorUnit with { Fuse = FusedKinds.All } }, TestHardware.UnitEnergyTable(), settings: null)
            .Run(plain, options).Result;
        RunResult native = NetworkRunner.Run(config, TestHardware.UnitEnergyTable(), asked, options with { Settings = options.Settings with { Counting = ScaleSimRunner.Conventions } });

        Assert.Multiple(() =>
        {
            Assert.That(compatible.Layers.Select(l => l.TotalCycles), Is.EqualTo(reference.Layers.Select(l => l.TotalCycles)));
            Assert.That(compatible.Layers.Select(l => l.DramReadBytes), Is.EqualTo(reference.Layers.Select(l => l.DramReadBytes)));
            Assert.That(compatible.Layers.Select(l => l.DramWriteBytes), Is.EqualTo(reference.Layers.Select(l => l.DramWriteBytes)));
            Assert.That(fusedConfig.Layers.Select(l => l.DramWriteBytes), Is.EqualTo(reference.Layers.Select(l => l.DramWriteBytes)));
            Assert.That(native.Layers.Select(l => l.DramWriteBytes), Is.Not.EqualTo(reference.Layers.Select(l => l.DramWriteBytes)), "the request changes a native run");
        });
    }
}
