using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Numerics;
using AccelSim.Statistics;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Execution;

/// <summary>The tiny network on the tiny accelerator, every number derived by hand (see <see cref="TestHardware.Tiny"/>).</summary>
public sealed class LayerSimulatorTests
{
    [Test]
    public void TinyConv_CyclesStallsAndTrafficMatchTheHandDerivation()
    {
        // Conv c1: C=2, 4 filters 3×3, pad 1 on 6×6 → K = 2·9 = 18, N = 36 pixels, MACs = 4·36·18 = 2,592.
        // Input 2·6·6 float32 = 288 B fits half the ifmap buffer (2,048 B): one resident tile.
        // Weights 4·18 mantissas of 8 bits + 4 row exponents of 5 bits = 596 bits → 75 B: one resident tile.
        // 4×4 array: 36/4 = 9 row folds × 1 column fold; a fold takes T + R + C − 2 = 18 + 4 + 4 − 2 = 24 cycles → 216:
        // 9 × 18 = 162 computing and 9 × 6 = 54 filling and draining the array (a stall cause of its own).
        // DRAM at 4 B/cycle, latency 10: ifmap 288 B = 72 beats, ready at 72 + 10 = 82 (stall ifmap 82);
        // weights queue behind it: 75 B = 19 beats from 72 → 91, ready at 101 (stall weights 101 − 82 = 19).
        // Folds run 101 → 317, each storing 4·4·4 = 64 B (16 beats + 10 latency; never queued since 16 < 24).
        // The last write starts at 317 and completes at 343 (stall output_drain 26). Total 343 = 162 + 54 + 82 + 19 + 26.
        // The weights' request waits in the DRAM queue from 0 to 72, but the engine is waiting for the ifmap then, whose own
        // transfer is under way: no dram_bandwidth stall.
        LayerTiming timing = LayerSimulator.Run(TestNetworks.TinyConv(), 1, TestHardware.Tiny());

        Assert.Multiple(() =>
        {
            Assert.That(timing.TotalCycles, Is.EqualTo(343));
            Assert.That(timing.ComputeCycles, Is.EqualTo(162));
            Assert.That(timing.StallCyclesByCause[StallCause.FillDrain], Is.EqualTo(9 * 6));
            Assert.That(timing.StallCyclesByCause[StallCause.DramBandwidth], Is.Zero);
            Assert.That(timing.StallCyclesByCause[StallCause.Ifmap], Is.EqualTo(82));
            Assert.That(timing.StallCyclesByCause[StallCause.Weights], Is.EqualTo(19));
            Assert.That(timing.StallCyclesByCause[StallCause.OutputDrain], Is.EqualTo(26));
            Assert.That(timing.StallCyclesByCause[StallCause.SramBandwidth], Is.Zero);
            Assert.That(timing.DramReadBytes, Is.EqualTo(288 + 75));
            Assert.That(timing.DramWriteBytes, Is.EqualTo(4 * 36 * 4));
            Assert.That(timing.Activity.Of(ComputeEngine.Macs), Is.EqualTo(2592));
            // The padding zeros are not read: a 3×3 window at pad 1 on 6×6 reads 4 real pixels at a corner, 6 on an edge,
            // 9 inside, per channel. Folds of 4 pixels (row-major), 2 channels, real elements: 44, 50, 66, 66, 60, 66, 66,
            // 50, 44; at 4 B each in 16-B words: 11 + 13 + 17 + 17 + 15 + 17 + 17 + 13 + 11 = 131 (not 9·18 = 162).
            Assert.That(timing.Activity.Of(ComputeEngine.IfmapReadWords, ComponentId.Ifmap), Is.EqualTo(131));
            Assert.That(timing.Activity.Of(ComputeEngine.OutputConversions), Is.EqualTo(4 * 36));
            Assert.That(timing.Activity.Of(ComputeEngine.VectorOps), Is.EqualTo(4 * 36), "fused ReLU: one op per output");
        });
    }

    [Test]
    public void TileQueuedBehindOtherTransfers_IsADramBandwidthStall()
    {
        // The tiny conv with a 384-B ifmap buffer (192-B halves): the ifmap comes in bands of 3 row folds (12 outputs, two
        // output rows): input rows 0-2, 1-4, 3-5 of 48 B (6 pixels × 2 channels × 4 B) = 144, 192, 144 B; weights 75 B.
        // DRAM queue at cycle 0: ifmap 0 (36 beats, 0 → 36, ready 46), ifmap 1 (48 beats, 36 → 84), weights (19 beats,
        // 84 → 103, ready 113). The engine waits for ifmap 0 while it moves (ifmap 46), then for the weights while their
        // request sits in the queue (dram_bandwidth 84 − 46 = 38) and while they move (weights 113 − 84 = 29). Bands of
        // 3 folds × 24 cycles run 113 → 329 without waiting (ifmap 2 is fetched at 185, ready at 231); the last fold's
        // 64 B leave 329 → 345, done at 355 (output_drain 26). Total 355 = 162 + 54 + 46 + 38 + 29 + 26.
        var config = TestHardware.Tiny();
        config = config with { Buffers = config.Buffers with { Ifmap = config.Buffers.Ifmap with { CapacityBytes = 384 } } };

        LayerTiming timing = LayerSimulator.Run(TestNetworks.TinyConv(), 1, config);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(timing.StallCyclesByCause[StallCause.Ifmap], Is.EqualTo(46));
            Assert.That(timing.StallCyclesByCause[StallCause.DramBandwidth], Is.EqualTo(38));
            Assert.That(timing.StallCyclesByCause[StallCause.Weights], Is.EqualTo(29));
            Assert.That(timing.StallCyclesByCause[StallCause.OutputDrain], Is.EqualTo(26));
            Assert.That(timing.StallCyclesByCause[StallCause.FillDrain], Is.EqualTo(54));
            Assert.That(timing.TotalCycles, Is.EqualTo(355));
            Assert.That(timing.DramReadBytes, Is.EqualTo(144 + 192 + 144 + 75));
        }
    }

    [Test]
    public void ColumnBlocks_MakeTheConverterLookAheadAWholeWindow()
    {
        // As SlowConverters below, but inputs in column blocks (scheme 6-12): each window's exponent must be found before
        // its first mantissa is aligned, ceil(K / lanes) = ceil(18 / 2) = 9 more cycles a step. Every fold was already
        // converter-bound, so each of the 9 stretches by 9 more: 67 + 81 = 148 converter stall cycles. The counts:
        // 36 windows → 36 blocks, 36 · 18 − 36 = 612 exponent comparisons (6-11's single input block: 2·6·6 − 1 = 71).
        var tiny = TestHardware.Tiny() with { Converters = new ConverterConfig(InputLanes: 2, OutputLanes: 8, LatencyCycles: 3) };
        var column = tiny with { Bfp = tiny.Bfp with { InputPartition = BlockPartition.Column } };

        LayerTiming tensorTiming = LayerSimulator.Run(TestNetworks.TinyConv(), 1, tiny);
        LayerTiming columnTiming = LayerSimulator.Run(TestNetworks.TinyConv(), 1, column);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(tensorTiming.StallCyclesByCause[StallCause.Converter], Is.EqualTo(67));
            Assert.That(columnTiming.StallCyclesByCause[StallCause.Converter], Is.EqualTo(148));
            Assert.That(columnTiming.TotalCycles - tensorTiming.TotalCycles, Is.EqualTo(81));
            Assert.That(Formatting(tensorTiming), Is.EqualTo((1L, 71L)));
            Assert.That(Formatting(columnTiming), Is.EqualTo((36L, 612L)));
        }

        // The input blocks and exponent comparisons the BFP converter formats.
        static (long Blocks, long Comparisons) Formatting(LayerTiming t) =>
            (t.Activity.Of(ComputeEngine.InputBlocks, ComponentId.BfpConverter), t.Activity.Of(ComputeEngine.ExponentComparisons, ComponentId.BfpConverter));
    }

    [Test]
    public void Bursts_RoundTheTinyConvsTransfersUp()
    {
        // 64-byte bursts: the ifmap's 288 B move as 5 bursts = 320 B (80 beats, ready at 90), the weights' 75 B as 2 = 128 B
        // (32 beats from 80, ready at 122: weights stall 32); each fold's 64 B of results is one aligned burst (576 B in
        // all). Folds run 122 → 338; the last write is done at 338 + 16 + 10 = 364. Total 364 = 162 + 54 + 90 + 32 + 26.
        var tiny = TestHardware.Tiny();
        var config = tiny with { Dram = tiny.Dram with { BurstBytes = 64 } };

        LayerTiming timing = LayerSimulator.Run(TestNetworks.TinyConv(), 1, config);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(timing.DramReadBytes, Is.EqualTo(320 + 128));
            Assert.That(timing.DramWriteBytes, Is.EqualTo(576));
            Assert.That(timing.StallCyclesByCause[StallCause.Ifmap], Is.EqualTo(90));
            Assert.That(timing.StallCyclesByCause[StallCause.Weights], Is.EqualTo(32));
            Assert.That(timing.TotalCycles, Is.EqualTo(364));
        }
    }

    [Test]
    public void SlowConverters_ShowUpAsConverterStalls()
    {
        // Input converter of 2 lanes with a 3-cycle pipeline: a fold's real input elements (44, 50, 66, 66, 60, 66, 66, 50,
        // 44; see above) take 3 + 22, 25, 33, 33, 30, 33, 33, 25, 22 cycles against the fold's 24 compute cycles, so the
        // folds stretch by 1 + 4 + 12 + 12 + 9 + 12 + 12 + 4 + 1 = 67. The output converter (16 results, 8 lanes: 3 + 2)
        // keeps up. Everything else as in the hand derivation above: total 343 + 67 = 410.
        var config = TestHardware.Tiny() with { Converters = new ConverterConfig(InputLanes: 2, OutputLanes: 8, LatencyCycles: 3) };

        LayerTiming timing = LayerSimulator.Run(TestNetworks.TinyConv(), 1, config);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(timing.StallCyclesByCause[StallCause.Converter], Is.EqualTo(67));
            Assert.That(timing.ComputeCycles, Is.EqualTo(162));
            Assert.That(timing.TotalCycles, Is.EqualTo(410));
        }
    }

    [Test]
    public void FastConverters_CostNothing()
    {
        var config = TestHardware.Tiny() with { Converters = new ConverterConfig(InputLanes: 64, OutputLanes: 64, LatencyCycles: 4) };

        // 66 elements at 64 lanes + 4 latency = 6 cycles, far under a fold's 24.
        Assert.That(LayerSimulator.Run(TestNetworks.TinyConv(), 1, config).TotalCycles, Is.EqualTo(343));
    }

    [Test]
    public void TinyMaxPool_RunsOnTheVectorUnit()
    {
        // 4×6×6 input (576 B, one tile: 144 B planes, 4 fit half the buffer) → 4×3×3 outputs, 4 compares each = 144 ops;
        // 4 lanes → 36 cycles. Ifmap 576 B = 144 beats + 10 → ready at 154; outputs 36·4 = 144 B = 36 beats + 10,
        // from 190 to 236. Total 236 = 36 + 154 + 46.
        LayerTiming timing = LayerSimulator.Run(TestNetworks.TinyPool(), 1, TestHardware.Tiny());

        Assert.Multiple(() =>
        {
            Assert.That(timing.TotalCycles, Is.EqualTo(236));
            Assert.That(timing.ComputeCycles, Is.EqualTo(36));
            Assert.That(timing.StallCyclesByCause[StallCause.Ifmap], Is.EqualTo(154));
            Assert.That(timing.StallCyclesByCause[StallCause.OutputDrain], Is.EqualTo(46));
            Assert.That(timing.DramReadBytes, Is.EqualTo(576));
            Assert.That(timing.DramWriteBytes, Is.EqualTo(144));
        });
    }

    [Test]
    public void TinyFc_IsOneFoldOfAOneByOneConvolution()
    {
        // 36 inputs → 3 outputs: K = 36, one pixel, 3 filters: one fold of 36 + 4 + 4 − 2 = 42 cycles (36 computing,
        // 6 filling and draining the array).
        // Ifmap 144 B = 36 beats → ready at 46; weights 3·36·8 + 3·5 = 879 bits → 110 B = 28 beats (27.5 rounded up)
        // from 36 → 64, ready at 74 (stall 28). Compute 74 → 116; output 3·4 = 12 B = 3 beats + 10 → 129 (stall 13).
        LayerTiming timing = LayerSimulator.Run(TestNetworks.TinyFc(), 1, TestHardware.Tiny());

        Assert.Multiple(() =>
        {
            Assert.That(timing.TotalCycles, Is.EqualTo(129));
            Assert.That(timing.ComputeCycles, Is.EqualTo(36));
            Assert.That(timing.StallCyclesByCause[StallCause.FillDrain], Is.EqualTo(6));
            Assert.That(timing.StallCyclesByCause[StallCause.Ifmap], Is.EqualTo(46));
            Assert.That(timing.StallCyclesByCause[StallCause.Weights], Is.EqualTo(28));
            Assert.That(timing.StallCyclesByCause[StallCause.OutputDrain], Is.EqualTo(13));
            Assert.That(timing.DramReadBytes, Is.EqualTo(144 + 110));
            Assert.That(timing.Activity.Of(ComputeEngine.Macs), Is.EqualTo(36 * 3));
        });
    }

    [Test]
    public void SlowDram_ShowsUpAsStallsNotCompute()
    {
        // Same conv with DRAM 16× slower: compute cycles cannot change, the extra time must all be stalls.
        var fast = LayerSimulator.Run(TestNetworks.TinyConv(), 1, TestHardware.Tiny());
        var slowConfig = TestHardware.Tiny() with { Dram = new DramConfig(0.25, 10) };

        var slow = LayerSimulator.Run(TestNetworks.TinyConv(), 1, slowConfig);

        Assert.Multiple(() =>
        {
            Assert.That(slow.ComputeCycles, Is.EqualTo(fast.ComputeCycles));
            Assert.That(slow.StallCycles, Is.GreaterThan(fast.StallCycles * 10));
            Assert.That(slow.ComputeCycles + slow.StallCycles, Is.EqualTo(slow.TotalCycles));
        });
    }
}
