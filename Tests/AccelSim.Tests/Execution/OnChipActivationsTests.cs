using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Reports;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Execution;

/// <summary>A layer's output left on chip for the next layer: no DRAM write, no DRAM read, and the cycles that saves.</summary>
public sealed class OnChipActivationsTests
{
    [Test]
    public void TinyNetwork_KeepsEveryIntermediateOnChip_AsDerivedByHand()
    {
        var network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "tiny.yaml"));
        var config = TestHardware.Tiny() with { OnChipActivations = true };

        RunResult result = NetworkRunner.Run(config, TestHardware.UnitEnergyTable(), network, new RunOptions(Numerics: false));

        using (Assert.EnterMultipleScope())
        {
            // c1's output (4·6·6 float32 = 576 B) fits the 4 KiB ofmap buffer and half the ifmap buffer (2 KiB), and only p1
            // reads it; p1's (144 B) only fc. So c1 reads its input (288 B) and weights (75 B) and writes nothing: its folds
            // end at 317 (see LayerSimulatorTests) with no drain left.
            Assert.That((result.Layers[0].DramReadBytes, result.Layers[0].DramWriteBytes, result.Layers[0].TotalCycles), Is.EqualTo((363L, 0L, 317L)));

            // p1 finds its input on chip at cycle 0: 36 compute cycles and nothing else.
            Assert.That((result.Layers[1].DramReadBytes, result.Layers[1].DramWriteBytes, result.Layers[1].TotalCycles), Is.EqualTo((0L, 0L, 36L)));

            // fc, the network output, goes to DRAM: weights 110 B = 28 beats + 10 latency (stall 38), 42 compute cycles,
            // then its 12 B (3 beats + 10 latency = 13 cycles of drain): 93.
            Assert.That((result.Layers[2].DramReadBytes, result.Layers[2].DramWriteBytes, result.Layers[2].TotalCycles), Is.EqualTo((110L, 12L, 93L)));
        }
    }

    [Test]
    public void OnlyOutputsReadByTheNextLayerAlone_StayOnChip()
    {
        var network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "resnet_block.yaml"));
        var config = TestHardware.Tiny() with { OnChipActivations = true };

        // conv_a → conv_b: stays (8·8·8 float32 = 2,048 B, exactly half the ifmap buffer). conv_b → residual: the add
        // also reads the network input, so conv_b's output goes to DRAM. residual → gap: stays. gap → fc: stays (32 B).
        // fc is the network output.
        bool[] stays = Enumerable.Range(0, network.Layers.Length).Select(i => LayerContexts.StaysOnChip(network, i, config)).ToArray();
        Assert.That(stays, Is.EqualTo(new[] { true, false, true, true, false }));

        // With a smaller input buffer conv_a's 2,048 B no longer fit half of it.
        var smaller = config with { Buffers = config.Buffers with { Ifmap = config.Buffers.Ifmap with { CapacityBytes = 2048 } } };
        Assert.That(LayerContexts.StaysOnChip(network, 0, smaller), Is.False);
    }
}
