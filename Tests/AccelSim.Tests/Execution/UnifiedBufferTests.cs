using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Reports;
using AccelSim.Statistics;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Execution;

/// <summary>One on-chip buffer shared by the ifmap, weights and ofmap, split per layer.</summary>
public sealed class UnifiedBufferTests
{
    private static Network Load(string workload) => ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, workload + ".yaml"));

    /// <summary>The tiny accelerator with every port count set to <paramref name="ports"/>.</summary>
    private static AcceleratorConfig PerTensor(int ports)
    {
        AcceleratorConfig tiny = TestHardware.Tiny();
        return tiny with
        {
            Buffers = new BufferSetConfig(
                tiny.Buffers.Ifmap with { ReadPorts = ports, WritePorts = ports },
                tiny.Buffers.Weights with { ReadPorts = ports, WritePorts = ports },
                tiny.Buffers.Ofmap with { ReadPorts = ports, WritePorts = ports }),
        };
    }

    /// <summary>The tiny accelerator's three 4 KiB buffers as one 12 KiB buffer of the same words, split 4/4/4 KiB.</summary>
    private static AcceleratorConfig Unified(int ports, bool partitioned = true)
    {
        var unified = new SramConfig("unified", 12288, 128, ports, ports);
        return TestHardware.Tiny() with
        {
            Buffers = partitioned ? BufferSetConfig.Split(unified, 4096, 4096, 4096, partitioned: true) : BufferPartition.Nominal(unified),
        };
    }

    [TestCase("tiny")]
    [TestCase("resnet_block")]
    public void SplitLikeSeparateBuffers_WithPortsToSpare_ReproducesTheirCyclesAndTraffic(string workload)
    {
        // 16 read ports per buffer: no step waits for SRAM, whether the two streams have their own ports or share them.
        // Then the same capacities give the same tiles, the same DRAM transfers and the same stalls, cycle for cycle.
        Network network = Load(workload);
        RunResult separate = NetworkRunner.Run(PerTensor(16), TestHardware.UnitEnergyTable(), network, new RunOptions(Numerics: false));
        RunResult unified = NetworkRunner.Run(Unified(16), TestHardware.UnitEnergyTable(), network, new RunOptions(Numerics: false));

        Assert.That(separate.StallCyclesByCause[StallCause.SramBandwidth], Is.Zero, "the ports must not be the bottleneck here");
        for (int i = 0; i < network.Layers.Length; i++)
        {
            LayerResult a = separate.Layers[i];
            LayerResult b = unified.Layers[i];
            using (Assert.EnterMultipleScope())
            {
                Assert.That(b.TotalCycles, Is.EqualTo(a.TotalCycles), a.Name);
                Assert.That(b.ComputeCycles, Is.EqualTo(a.ComputeCycles), a.Name);
                Assert.That(b.StallCyclesByCause, Is.EqualTo(a.StallCyclesByCause), a.Name);
                Assert.That((b.DramReadBytes, b.DramWriteBytes), Is.EqualTo((a.DramReadBytes, a.DramWriteBytes)), a.Name);
                Assert.That(b.UnifiedSplit, Is.EqualTo(new BufferSplit(4096, 4096, 4096)), a.Name);
                Assert.That(b.Mapping, Does.EndWith("; unified 12288 B split ifmap 4096 / weights 4096 / ofmap 4096"), a.Name);
            }
        }

        // The per-tensor word counters (what the energy model prices) are the same too.
        for (int i = 0; i < network.Layers.Length; i++)
        {
            var a = LayerSimulator.Run(network.Layers[i], network.Batch, PerTensor(16), LayerContexts.For(network, i, PerTensor(16), RunSettings.Native)).Activity;
            var b = LayerSimulator.Run(network.Layers[i], network.Batch, Unified(16), LayerContexts.For(network, i, Unified(16), RunSettings.Native)).Activity;
            Assert.That(b, Is.EqualTo(a), network.Layers[i].Name);
        }
    }

    [Test]
    public void SharedPorts_AreTheBottleneck_AsSramBandwidthStalls()
    {
        // One read port: separate buffers read the ifmap and weight words of a step at once, a unified buffer one after
        // the other (the hand-derived single step is in SramBanksTests). In the residual block's convs a step reads
        // more ifmap and weight words together than it has compute cycles, so the shared port shows up as
        // SRAM-bandwidth stalls.
        Network network = Load("resnet_block");
        RunResult separate = NetworkRunner.Run(PerTensor(1), TestHardware.UnitEnergyTable(), network, new RunOptions(Numerics: false));
        RunResult unified = NetworkRunner.Run(Unified(1), TestHardware.UnitEnergyTable(), network, new RunOptions(Numerics: false));

        long separateStall = separate.StallCyclesByCause[StallCause.SramBandwidth];
        long unifiedStall = unified.StallCyclesByCause[StallCause.SramBandwidth];
        TestContext.Out.WriteLine($"sram_bandwidth stall: separate {separateStall}, unified {unifiedStall}; cycles {separate.TotalCycles} → {unified.TotalCycles}");
        Assert.That(unifiedStall, Is.GreaterThan(separateStall));
        Assert.That(unified.TotalCycles - separate.TotalCycles, Is.EqualTo(unifiedStall - separateStall),
            "the extra cycles are the extra SRAM-bandwidth stall, nothing else moved");
    }

    [Test]
    public void EachLayer_TakesTheCandidateWithLeastTraffic_Deterministically()
    {
        Network network = Load("resnet_block");
        AcceleratorConfig config = Unified(1, partitioned: false);
        var unified = config.Buffers.Unified!;
        for (int i = 0; i < network.Layers.Length; i++)
        {
            Layer layer = network.Layers[i];
            LayerContext view = LayerContexts.For(network, i, config, RunSettings.Native);
            (LayerContext chosen, TileSchedule schedule) = LayerSimulator.Partitioned(layer, network.Batch, config, view);
            long least = BufferPartition.Candidates(unified).Select(split => MappedTraffic(layer, network.Batch, config, view with { Buffers = split })).Min();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(chosen.Buffers.Partitioned, Is.True);
                Assert.That(Traffic(schedule), Is.EqualTo(least), layer.Name);
                Assert.That(LayerSimulator.Partitioned(layer, network.Batch, config, view).Context, Is.EqualTo(chosen), "the same choice every time");
                Assert.That(chosen.Buffers.Ifmap.CapacityBytes + chosen.Buffers.Weights.CapacityBytes + chosen.Buffers.Ofmap.CapacityBytes,
                    Is.EqualTo(12288), "the parts use the whole buffer");
            }
        }

        static long Traffic(TileSchedule s) => s.IfmapTileBytes.Sum() + s.WeightTileBytes.Sum() + s.Steps.Sum(step => step.OutputBytes);

        static long MappedTraffic(Layer layer, int batch, AcceleratorConfig config, LayerContext context)
        {
            try
            {
                return Traffic(Mapper.Map(layer, batch, config, context));
            }
            catch (MappingException)
            {
                return long.MaxValue;
            }
        }
    }

    [Test]
    public void Candidates_AreTwentyOneSplitsInTenths_InTieBreakOrder()
    {
        // Ofmap 1, 2 or 3 tenths; ifmap 1 .. (9 − ofmap) tenths; weights the rest: 8 + 7 + 6 = 21. Of 10240 bytes with
        // 16-byte words in one bank (granule 32 B): a tenth is 1024 B, exact.
        var candidates = BufferPartition.Candidates(new SramConfig("unified", 10240, 128, 1, 1));
        Assert.Multiple(() =>
        {
            Assert.That(candidates, Has.Count.EqualTo(21));
            Assert.That(candidates[0].SplitDescription, Is.EqualTo("unified 10240 B split ifmap 1024 / weights 8192 / ofmap 1024"));
            Assert.That(candidates[^1].SplitDescription, Is.EqualTo("unified 10240 B split ifmap 6144 / weights 1024 / ofmap 3072"));
        });
    }
}
