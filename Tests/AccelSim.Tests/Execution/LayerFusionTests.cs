using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Reports;
using AccelSim.Statistics;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Execution;

/// <summary>Pooling and ReLU fused into the producing layer's output path: the unpooled map never reaches DRAM, the
/// vector unit's work overlaps the producer's, and what cannot be fused says why.</summary>
public sealed class LayerFusionTests
{
    private static Network Tiny() => ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "tiny.yaml"));

    /// <summary>A workload from its text (synthetic inputs and weights added), read as a file is.</summary>
    private static Network Parse(string yaml)
    {
        string path = Path.Combine(Path.GetTempPath(), $"fusion-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml.Replace("layers:", "inputs: { synthetic: { seed: 7 } }\nweights: { synthetic: { seed: 42 } }\nlayers:", StringComparison.Ordinal));
        try
        {
            return ConfigLoader.LoadWorkload(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static RunResult Run(AcceleratorConfig config, Network network, bool numerics = false) =>
        NetworkRunner.Run(config, TestHardware.UnitEnergyTable(), network, new RunOptions(Numerics: numerics));

    private static AcceleratorConfig Fusing(AcceleratorConfig config, FusedKinds kinds = FusedKinds.All) =>
        config with { VectorUnit = config.VectorUnit with { Fuse = kinds } };

    [Test]
    public void TinyConvThenPool_FusedOnTheOutputPath_AsDerivedByHand()
    {
        RunResult fused = Run(Fusing(TestHardware.Tiny()), Tiny());
        LayerResult c1 = fused.Layers[0];
        LayerResult p1 = fused.Layers[1];
        var ofmap = ComponentId.Ofmap.Path;

        using (Assert.EnterMultipleScope())
        {
            // c1 (2x6x6 → 4x6x6, 3x3 pad 1, ReLU) on the 4x4 output-stationary array: 36 pixels in 9 row folds of 4
            // pixels x 4 filters, each step 16 results = 64 B. It reads its input (288 B) and weights (75 B) as before,
            // but drains p1's 4x3x3 output (144 B) instead of its own 576 B.
            Assert.That((c1.DramReadBytes, c1.DramWriteBytes), Is.EqualTo((363L, 144L)));

            // The folds end at cycle 317 as without fusion (OnChipActivationsTests: the vector unit keeps up, below). What
            // drains after the last step is its share of the pooled output: floor(36·576/576) − floor(36·512/576) = 4
            // elements = 16 B, 4 beats at 4 B/cycle + 10 cycles latency: 317 + 14 = 331.
            Assert.That(c1.TotalCycles, Is.EqualTo(331L));

            // Each step's pooled share is 4 outputs x 4 window elements = 16 vector ops, 4 cycles at 4 lanes, under the
            // step's compute time: no vector-unit stall.
            Assert.That(c1.StallCyclesByCause[StallCause.VectorUnit], Is.Zero);

            // Vector ops: c1's own ReLU (144 results) + the pool (36 outputs x 4) = 288.
            Assert.That(c1.Energy.ByAction["vector_unit.fp32_op"], Is.EqualTo(288 * 4.0).Within(1e-9),
                "a float add priced 1 pJ per 8 bits at 32 bits: 4 pJ per op");

            // p1 has nothing of its own: no cycles, no traffic, no energy.
            Assert.That((p1.TotalCycles, p1.DramReadBytes, p1.DramWriteBytes, p1.EnergyPicoJoules), Is.EqualTo((0L, 0L, 0L, 0.0)));
            Assert.That((p1.FusedInto, p1.FusionNote), Is.EqualTo(("c1", "fused into c1")));
            Assert.That(c1.FusedLayers, Is.EqualTo("p1 (max_pool)"));
        }

        // Output-buffer words (128-bit = 16 B): written, c1's results into the line buffer (576 B = 36 words) and the
        // pooled outputs (4 elements = 1 word per step, 9); read, the pool's 144 window elements (576 B = 36 words) and
        // the drains (9).
        LayerTiming timing = LayerSimulator.Run(Tiny().Layers[0], 1, Fusing(TestHardware.Tiny()),
            LayerContexts.For(Tiny(), 0, Fusing(TestHardware.Tiny()), RunSettings.Native));
        Assert.That((timing.Stats[ofmap, OutputBuffer.WriteWords], timing.Stats[ofmap, OutputBuffer.ReadWords]), Is.EqualTo((45L, 45L)));
    }

    [Test]
    public void FusionRemovesThePoolsRoundTrip_AndNothingElse()
    {
        RunResult separate = Run(TestHardware.Tiny(), Tiny());
        RunResult fused = Run(Fusing(TestHardware.Tiny()), Tiny());

        using (Assert.EnterMultipleScope())
        {
            // c1's write shrinks from 576 to 144 B; p1's read of 576 B and write of 144 B are gone: 1,152 B less.
            Assert.That(separate.DramReadBytes + separate.DramWriteBytes - fused.DramReadBytes - fused.DramWriteBytes, Is.EqualTo(432L + 576L + 144L));

            // fc runs exactly as before.
            Assert.That(fused.Layers[2].TotalCycles, Is.EqualTo(separate.Layers[2].TotalCycles));
            Assert.That(fused.Layers[2].EnergyPicoJoules, Is.EqualTo(separate.Layers[2].EnergyPicoJoules));

            // Without fusion nothing is said about it.
            Assert.That(separate.ReportsFusion, Is.False);
        }
    }

    [Test]
    public void SlowVectorUnit_StallsTheProducer_UnderItsOwnCause()
    {
        // One lane: each step's 16 pool ops take 16 cycles beside the step; the steps of a 3x3 conv on 2 channels
        // (reduction 18) are longer, so 1x1 convolutions on one channel (reduction 1) make the vector unit the bottleneck.
        var network = Parse("""
            version: 1
            name: narrow
            input: { channels: 1, height: 8, width: 8 }
            layers:
              - { name: c, type: conv, filters: 4, kernel: 1 }
              - { name: p, type: max_pool, kernel: 2 }
            """);
        var config = Fusing(TestHardware.Tiny()) with { VectorUnit = new VectorUnitConfig(1) { Fuse = FusedKinds.All } };
        LayerResult c = Run(config, network).Layers[0];

        // 64 pixels x 4 filters pool to 4x4x4 = 64 outputs of 4 ops: 256 ops at one lane, so the layer takes at least
        // 256 cycles, and what the vector unit added is its own stall cause.
        Assert.That(c.StallCyclesByCause[StallCause.VectorUnit], Is.Positive);
        Assert.That(c.TotalCycles, Is.GreaterThanOrEqualTo(256L));
        Assert.That(c.ComputeCycles + c.StallCycles, Is.EqualTo(c.TotalCycles));
    }

    [TestCase(Dataflow.OutputStationary)]
    [TestCase(Dataflow.WeightStationary)]
    [TestCase(Dataflow.InputStationary)]
    [TestCase(Dataflow.RowStationary)]
    public void EveryDataflow_FusesThePool_AndDrainsOnlyItsOutput(Dataflow dataflow)
    {
        var config = TestHardware.Tiny() with { PeArray = TestHardware.Tiny().PeArray with { Dataflow = dataflow } };
        RunResult separate = Run(config, Tiny());
        RunResult fused = Run(Fusing(config), Tiny());

        using (Assert.EnterMultipleScope())
        {
            // Whatever the dataflow, c1 drains p1's 144 B and reads what it read before; p1 has no traffic of its own.
            Assert.That(fused.Layers[0].DramWriteBytes, Is.EqualTo(144L));
            Assert.That(fused.Layers[0].DramReadBytes, Is.EqualTo(separate.Layers[0].DramReadBytes));
            Assert.That(fused.Layers[1].FusedInto, Is.EqualTo("c1"));
            Assert.That(fused.Layers[1].DramReadBytes + fused.Layers[1].DramWriteBytes, Is.Zero);
            Assert.That(fused.TotalCycles, Is.LessThan(separate.TotalCycles));
        }
    }

    [Test]
    public void Numerics_AreTheSameMath_FusedOrNot()
    {
        RunResult separate = Run(TestHardware.Tiny(), Tiny(), numerics: true);
        RunResult fused = Run(Fusing(TestHardware.Tiny()), Tiny(), numerics: true);

        Assert.That(fused.Layers.Select(l => l.Numerics), Is.EqualTo(separate.Layers.Select(l => l.Numerics)));
        Assert.That(fused.Agreement, Is.EqualTo(separate.Agreement));
    }

    [Test]
    public void WhatCannotBeFused_SaysWhy()
    {
        // resnet_block: conv_a → conv_b → residual (add of conv_b and the input) → gap (global average pool) → fc.
        var network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "resnet_block.yaml"));
        RunResult result = Run(Fusing(TestHardware.Tiny()), network);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Layers[2].NotFused, Does.StartWith("its other input 'input' is in DRAM, not on chip"));
            Assert.That(result.Layers[3].NotFused, Does.StartWith("its producer 'residual' runs on the vector unit"));
            Assert.That(result.Layers[2].FusionNote, Does.StartWith("not fused: "));

            // Both run on their own, as without fusion.
            Assert.That(result.Layers[2].TotalCycles, Is.Positive);
            Assert.That(result.Layers[3].TotalCycles, Is.Positive);
        }
    }

    [Test]
    public void AnOutputReadTwice_OrTooLargeALineBuffer_IsNotFused()
    {
        var network = Parse("""
            version: 1
            name: branches
            input: { channels: 2, height: 6, width: 6 }
            layers:
              - { name: c, type: conv, filters: 4, kernel: 3, padding: 1 }
              - { name: p, type: max_pool, kernel: 2 }
              - { name: q, type: avg_pool, kernel: 3, input: c }
            """);
        var decisions = LayerFusion.Plan(network, Fusing(TestHardware.Tiny()), RunSettings.Native);
        Assert.That(decisions[1].NotFused, Is.EqualTo("'c''s output is also read by 'q', so it goes to DRAM anyway"));
        Assert.That(decisions[2].NotFused, Is.EqualTo("its input 'c' is not the output of the layer just before it ('p')"));

        // A 3x3 pool on c's 4x6x6 map: halo of 2 rows x 6 columns x 4 channels x 4 B = 192 B, plus one step's 64 B of
        // results = 256 B, more than half of a 384 B output buffer.
        var pooled = Parse("""
            version: 1
            name: halo
            input: { channels: 2, height: 6, width: 6 }
            layers:
              - { name: c, type: conv, filters: 4, kernel: 3, padding: 1 }
              - { name: p, type: max_pool, kernel: 3 }
            """);
        var small = Fusing(TestHardware.Tiny());
        small = small with { Buffers = small.Buffers with { Ofmap = small.Buffers.Ofmap with { CapacityBytes = 384 } } };
        Assert.That(LayerFusion.Plan(pooled, small, RunSettings.Native)[1].NotFused,
            Is.EqualTo("the line buffer it needs on 'c''s output path (256 bytes: halo rows and one step's results) exceeds half the output buffer (192 bytes)"));
        Assert.That(LayerFusion.Plan(pooled, Fusing(TestHardware.Tiny()), RunSettings.Native)[1].FusedInto, Is.EqualTo("c"));
    }

    [Test]
    public void TheLayersOwnChoice_OverridesTheConfig()
    {
        var network = Parse("""
            version: 1
            name: own
            input: { channels: 2, height: 6, width: 6 }
            layers:
              - { name: c, type: conv, filters: 4, kernel: 3, padding: 1 }
              - { name: r, type: relu, fuse: true }
              - { name: p, type: max_pool, kernel: 2, fuse: false }
            """);

        // Nothing in the config, but r asks; p refuses although the config would fuse it.
        Assert.That(LayerFusion.Plan(network, TestHardware.Tiny(), RunSettings.Native).Select(d => d.FusedInto), Is.EqualTo(new string?[] { null, "c", null }));
        Assert.That(LayerFusion.Plan(network, Fusing(TestHardware.Tiny()), RunSettings.Native).Select(d => d.FusedInto), Is.EqualTo(new string?[] { null, "c", null }));

        // A chain: the pool fuses after the fused ReLU, into the conv.
        var chain = network with { Layers = [network.Layers[0], network.Layers[1], network.Layers[2] with { Fuse = null }] };
        Assert.That(LayerFusion.Plan(chain, Fusing(TestHardware.Tiny()), RunSettings.Native).Select(d => d.FusedInto), Is.EqualTo(new string?[] { null, "c", "c" }));
    }

    [Test]
    public void MappingSearch_KeepsTheFusion_AndIsNeverWorseThanTheHeuristic()
    {
        var heuristic = Fusing(TestHardware.Tiny());
        var searched = heuristic with { Mapper = new MapperConfig(MapperSearch.Pruned, MapperObjective.Cycles, null) };
        RunResult h = Run(heuristic, Tiny());
        RunResult s = Run(searched, Tiny());

        using (Assert.EnterMultipleScope())
        {
            // The search tries only mappings whose line buffer fits; the heuristic's does, so p1 stays fused and c1
            // still drains only the pooled 144 B.
            Assert.That(s.Layers[1].FusedInto, Is.EqualTo("c1"));
            Assert.That(s.Layers[0].DramWriteBytes, Is.EqualTo(144L));
            Assert.That(s.Layers[0].TotalCycles, Is.LessThanOrEqualTo(h.Layers[0].TotalCycles));
        }
    }

    [Test]
    public void StoredInFloat16_WhatDrainsIsThePooledMapInFloat16()
    {
        var config = Fusing(TestHardware.Tiny()) with { ActivationStorage = ActivationStorage.Float16 };
        RunResult fused = Run(config, Tiny());

        // p1's 4x3x3 output at 2 bytes an element: 72 B is all c1 writes.
        Assert.That(fused.Layers[0].DramWriteBytes, Is.EqualTo(72L));
    }
}
