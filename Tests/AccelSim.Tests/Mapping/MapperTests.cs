using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.ScaleSim;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Mapping;

public sealed class MapperTests
{
    [Test]
    public void IfmapLargerThanHalfTheBuffer_IsStreamedInBandsOfRowFoldsThatShareTheirInputRows()
    {
        // 4×16×16 float32 input = 4,096 B > 2,048 B (half the tiny ifmap buffer): streamed. A 4-channel input row is
        // 16·4·4 = 256 B, so a tile holds at most 8 input rows. 3×3 conv, pad 1 → 16×16 outputs; 4 array rows → 4 row
        // folds per output row, 64 in all. Bands of 24 folds (6 output rows) read at most 8 input rows: rows 0..6 (7),
        // 5..12 (8), 11..15 (5); 25 folds would need 9 in the second band. Traffic = 20 rows · 256 B = 5,120 B in 3 tiles.
        var conv = TestNetworks.TinyConv() with
        {
            InputShape = new TensorShape(4, 16, 16),
            OutputShape = new TensorShape(4, 16, 16),
        };

        TileSchedule schedule = Mapper.Map(conv, 1, TestHardware.Tiny());

        Assert.Multiple(() =>
        {
            Assert.That(schedule.IfmapTileBytes, Is.EqualTo(new long[] { 7 * 256, 8 * 256, 5 * 256 }));
            Assert.That(schedule.WeightTileBytes, Has.Length.EqualTo(1), "4·36·8 + 4·5 bits = 147 B stay resident");
            Assert.That(schedule.Steps, Has.Length.EqualTo(64));
            Assert.That(schedule.Steps.Select(s => s.IfmapTile).Distinct(), Is.EqualTo(new[] { 0, 1, 2 }));
        });
    }

    [Test]
    public void WeightsLargerThanHalfTheBuffer_AreSplitAlongK_WithoutChangingComputeCycles()
    {
        // FC 512 → 4: whole weights = 4·512·8 + 4·5 bits = 2,050.5 B > 2,048 B: streamed. One chunk of c channels needs
        // 32c + 20 ≤ 16,384 bits → c ≤ 511: chunks of 511 and 1 channel (2,047 B and 7 B).
        // Compute: 511 + (1 + 4 + 4 − 2) = 518 = the unsplit fold's 512 + 6: fill and drain are paid once per fold.
        var fc = TestNetworks.TinyFc() with { InputShape = new TensorShape(512, 1, 1), OutputShape = new TensorShape(4, 1, 1), OutputFeatures = 4 };

        TileSchedule schedule = Mapper.Map(fc, 1, TestHardware.Tiny());

        Assert.Multiple(() =>
        {
            Assert.That(schedule.WeightTileBytes, Is.EqualTo(new long[] { 2047, 7 }));
            Assert.That(schedule.IfmapTileBytes, Is.EqualTo(new long[] { 2048 }), "512 float32 inputs fit half the buffer exactly");
            Assert.That(schedule.Steps.Sum(s => s.ComputeCycles), Is.EqualTo(518));
            Assert.That(schedule.Steps.Sum(s => s.Macs), Is.EqualTo(512 * 4));
            Assert.That(schedule.Steps.ElementAt(0).OutputBytes, Is.Zero, "partial sums stay in the array until the last chunk");
            Assert.That(schedule.Steps.ElementAt(1).OutputBytes, Is.EqualTo(16));
        });
    }

    /// <summary>A GEMM as SCALE-Sim writes one: input 1×M×K, one 1×K filter row per output: M pixels, K in one channel.</summary>
    private static ConvLayer GemmAsConv(int m, int k, int n) => TestNetworks.TinyConv() with
    {
        InputShape = new TensorShape(1, m, k),
        OutputShape = new TensorShape(n, m, 1),
        OutputChannels = n,
        KernelHeight = 1,
        KernelWidth = k,
        PadTop = 0,
        PadLeft = 0,
        PadBottom = 0,
        PadRight = 0,
    };

    [Test]
    public void OneChannelLargerThanHalfTheBuffer_StreamsKInPiecesOfTheChannel_WithoutANewFill()
    {
        // M = 16, K = 256 (one channel), N = 4 on the 4×4 tiny array (buffers 4 KiB, halves 2,048 B). The input (16 KiB)
        // is streamed; one fold's 4 pixels read 4 input rows of 256 float32 = 4,096 B > 2,048 B, so not even one channel
        // fits. A piece of t reduction indices gathers the fold's 4 × t block: 16t ≤ 2,048 → t = 128, 2 pieces of 2,048 B
        // per fold (the rows it reads would be 4,096 B). Weights (4·256·8 + 4·5 bits = 1,027 B) stay resident.
        // Compute: 4 folds × (256 + 4 + 4 − 2) = 1,048, the closed form: fill and drain once per fold, after the last piece.
        TileSchedule schedule = Mapper.Map(GemmAsConv(16, 256, 4), 1, TestHardware.Tiny());

        Assert.Multiple(() =>
        {
            Assert.That(schedule.IfmapTileBytes, Is.EqualTo(Enumerable.Repeat(2048L, 8)));
            Assert.That(schedule.WeightTileBytes, Is.EqualTo(new long[] { 1027 }));
            Assert.That(schedule.Steps.Select(s => s.ComputeCycles), Is.EqualTo(Enumerable.Repeat(new long[] { 128, 134 }, 4).SelectMany(x => x)));
            Assert.That(schedule.Steps.Sum(s => s.ComputeCycles), Is.EqualTo(1048));
            Assert.That(schedule.Steps.Select(s => s.OutputBytes), Is.EqualTo(Enumerable.Repeat(new long[] { 0, 64 }, 4).SelectMany(x => x)),
                "partial sums stay in the array until the channel's last piece; then 4×4 results");
            Assert.That(schedule.Steps.Sum(s => s.Macs), Is.EqualTo(16L * 256 * 4));
            Assert.That(schedule.Steps.Sum(s => s.IfmapReadBytes), Is.EqualTo(16L * 256 * 4), "each operand read once from the buffer");
            Assert.That(schedule.Description, Does.Contain("x 2 K chunk(s) of up to 128 of one channel's 256 reduction indices, fetched per fold"));
        });
    }

    [Test]
    public void WideChannels_GatherTheFoldsIm2colBlockOfSeveralChannels()
    {
        // 3×4×600 input, 3×3 conv, pad 1, 4 filters → 4×600 outputs on the 4×4 tiny array (halves 2,048 B). A fold's 4
        // pixels read 2-3 input rows of 600 float32 per channel (≥ 4,800 B): not one channel fits. Its im2col block of a
        // channel is at most 4·9·4 = 144 B, so the 3 channels gather together (432 B ≤ 2,048): 1 chunk, 600 folds.
        // Fold 0 (output row 0, columns 0..3): kernel rows 1..2 are real, columns 1..2 for column 0 and all 3 for the
        // others: (2·2 + 3·2·3)·3 = 66 elements = 264 B. Fold 151 (row 1, columns 4..7) is all real: 4·27·4 = 432 B.
        // Weights 4·27·8 + 4·5 bits = 111 B stay resident. Compute 600 × (27 + 4 + 4 − 2) = 19,800.
        var conv = TestNetworks.TinyConv() with
        {
            InputShape = new TensorShape(3, 4, 600),
            OutputShape = new TensorShape(4, 4, 600),
        };

        TileSchedule schedule = Mapper.Map(conv, 1, TestHardware.Tiny());

        Assert.Multiple(() =>
        {
            Assert.That(schedule.IfmapTileBytes, Has.Length.EqualTo(600));
            Assert.That(schedule.IfmapTileBytes.ElementAt(0), Is.EqualTo(264));
            Assert.That(schedule.IfmapTileBytes.ElementAt(151), Is.EqualTo(432));
            Assert.That(schedule.WeightTileBytes, Is.EqualTo(new long[] { 111 }));
            Assert.That(schedule.Steps.Sum(s => s.ComputeCycles), Is.EqualTo(19_800));
            Assert.That(schedule.Description, Does.Contain("x 1 K chunk(s) of up to 3 channel(s), fetched per fold"));
        });
    }

    [Test]
    public void PiecesOfAChannel_AlsoSplitWeightsThatDoNotFit_AndMatchThePeModelsFolds()
    {
        // M = 8, K = 300, N = 8 on 4×4 with 1 KiB ifmap and weight buffers (halves 512 B). Rows of one fold:
        // 4·300·4 = 4,800 B; weights of one column fold: 4·300·8 + 4·5 bits = 1,203 B, neither fits.
        // Pieces: ifmap 16t ≤ 512 → t ≤ 32; weights (32t + 20)/8 ≤ 512 → t ≤ 127: t = 32, ceil(300/32) = 10 pieces (the
        // last 12 long). Weight pieces 4·32 B + 3 B = 131 B (last: 48 + 3 = 51 B), one per step: 2×2 folds × 10 = 40 steps.
        var tiny = TestHardware.Tiny();
        var config = tiny with
        {
            Buffers = tiny.Buffers with
            {
                Ifmap = new SramConfig("ifmap", 1024, 128, 1, 1),
                Weights = new SramConfig("weights", 1024, 128, 1, 1),
            },
        };

        TileSchedule schedule = Mapper.Map(GemmAsConv(8, 300, 8), 1, config);
        TileSchedule peLevel = Mapper.Map(GemmAsConv(8, 300, 8), 1, config, LayerContext.Of(config, new RunSettings { Detail = TimingDetail.PeLevel }));

        Assert.Multiple(() =>
        {
            Assert.That(schedule.Steps, Has.Length.EqualTo(40));
            Assert.That(schedule.IfmapTileBytes.Take(10), Is.EqualTo(Enumerable.Repeat(512L, 9).Append(4 * 12 * 4)));
            Assert.That(schedule.WeightTileBytes.Take(10), Is.EqualTo(Enumerable.Repeat(131L, 9).Append(51)));
            Assert.That(schedule.Steps.Sum(s => s.ComputeCycles), Is.EqualTo(4 * (300 + 4 + 4 - 2)), "4 folds of K + R + C − 2");
            Assert.That(peLevel.Steps.Select(s => s.ComputeCycles), Is.EqualTo(schedule.Steps.Select(s => s.ComputeCycles)), "the PE model's fold");
            Assert.That(schedule.Steps.Sum(s => s.Macs), Is.EqualTo(8L * 300 * 8));
        });
    }

    [Test]
    public void OneReductionStepLargerThanHalfTheBuffer_IsRejectedNamingTheBufferAndTheBytes()
    {
        // 64 array rows: one reduction step of one fold is 64 float32 inputs = 256 B > 128 B (half of 256 B).
        var tiny = TestHardware.Tiny();
        var config = tiny with
        {
            PeArray = tiny.PeArray with { Rows = 64 },
            Buffers = tiny.Buffers with { Ifmap = new SramConfig("ifmap", 256, 128, 1, 1) },
        };

        var error = Assert.Throws<MappingException>(() => Mapper.Map(GemmAsConv(64, 16, 4), 1, config));

        // The smallest buffers: ifmap 2 x 64 inputs x 4 B = 512 (the whole input, 64x16x4 B, is larger); weights 2 x one
        // reduction step of 4 filters = 2 x ceil((4 x 8 mantissa + 4 row exponents x 5) / 8) = 2 x 7 = 14; ofmap one fold's
        // 64x4 results x 4 B = 1024.
        Assert.That(error!.Message, Is.EqualTo(
            "layer 'c1': even one reduction step of one fold is too large: its input (256 bytes) does not fit half the ifmap buffer (128 bytes); " +
            "the smallest buffers that hold the smallest tile: ifmap 512, weights 14, ofmap 1024 bytes (this layer has 256, 4096, 4096)"));
    }

    [Test]
    public void FoldResultsLargerThanTheOutputBuffer_AreRejectedWithAClearMessage()
    {
        var config = TestHardware.Tiny() with
        {
            Buffers = TestHardware.Tiny().Buffers with { Ofmap = new AccelSim.Hardware.SramConfig("ofmap", 32, 128, 1, 1) },
        };

        var error = Assert.Throws<MappingException>(() => Mapper.Map(TestNetworks.TinyConv(), 1, config));

        // The smallest buffers: ifmap 2 x 4 pixels' inputs x 4 B = 32 (the whole input is 2x6x6x4 = 288 B); weights 2 x one
        // reduction step of 4 filters = 2 x ceil((4 x 8 + 4 x 5) / 8) = 14; ofmap one 4x4 fold's results x 4 B = 64.
        Assert.That(error!.Message, Is.EqualTo(
            "layer 'c1': the results of one fold (64 bytes) do not fit the ofmap buffer (32 bytes); " +
            "the smallest buffers that hold the smallest tile: ifmap 32, weights 14, ofmap 64 bytes (this layer has 4096, 4096, 32)"));
    }
}

public sealed class PoolMappingTests
{
    [Test]
    public void PlaneLargerThanHalfTheBuffer_IsPooledInBandsOfOutputRows()
    {
        // 1×64×64 input, 2×2/2 max pool → 32×32. An input row is 64·4 = 256 B; half the tiny buffer (2,048 B) holds
        // 8 rows = 4 output rows. 32 / 4 = 8 steps of 8 input rows each: 8 · 2,048 = 16,384 B, every input byte once.
        var pool = AccelSim.Tests.Support.TestNetworks.TinyPool() with
        {
            InputShape = new TensorShape(1, 64, 64),
            OutputShape = new TensorShape(1, 32, 32),
        };

        var schedule = Mapper.Map(pool, 1, AccelSim.Tests.Support.TestHardware.Tiny());

        Assert.Multiple(() =>
        {
            Assert.That(schedule.IfmapTileBytes, Has.Length.EqualTo(8));
            Assert.That(schedule.IfmapTileBytes.Sum(), Is.EqualTo(16_384));
            Assert.That(schedule.Steps.Sum(s => s.OutputBytes), Is.EqualTo(32 * 32 * 4));
            Assert.That(schedule.Steps.Sum(s => s.VectorOps), Is.EqualTo(32 * 32 * 4), "4 compares per output");
        });
    }

    [Test]
    public void BandsOfOutputRows_AreSizedByTheBandThatReadsTheMostRows_NotTheFirst()
    {
        // 1×40×32 input, 3×3/1 max pool, pad 1 → 40×32. An input row is 32·4 = 128 B; half the tiny buffer holds 16 rows.
        // n output rows read n + 2 input rows, except next to the padding (n + 1): a first band of 15 would read 16 rows
        // but the second 17, so bands are 14 output rows: input rows 0..14 (15), 13..28 (16) and 27..39 (13).
        var pool = AccelSim.Tests.Support.TestNetworks.TinyPool() with
        {
            InputShape = new TensorShape(1, 40, 32),
            OutputShape = new TensorShape(1, 40, 32),
            KernelHeight = 3,
            KernelWidth = 3,
            StrideHeight = 1,
            StrideWidth = 1,
            PadTop = 1,
            PadLeft = 1,
            PadBottom = 1,
            PadRight = 1,
        };

        var schedule = Mapper.Map(pool, 1, AccelSim.Tests.Support.TestHardware.Tiny());

        Assert.That(schedule.IfmapTileBytes, Is.EqualTo(new long[] { 15 * 128, 16 * 128, 13 * 128 }));
    }
}

public sealed class StationaryMappingTests
{
    private static AcceleratorConfig Tiny(Dataflow dataflow) => TestHardware.Tiny() with { PeArray = new PeArrayConfig(4, 4, dataflow) };

    [TestCase(Dataflow.WeightStationary)]
    [TestCase(Dataflow.InputStationary)]
    public void TinyConv_FoldsOverKAndTheSpatialOperand_PartialSumsStayOnChip(Dataflow dataflow)
    {
        // c1: K = 2·9 = 18 on the rows → ceil(18/4) = 5 K folds. ws: N = 4 filters on the columns (1 fold), M = 36
        // pixels streamed; is: M = 36 pixels on the columns (9 folds), N = 4 filters streamed. A fold takes 2R + C + T − 2:
        // ws 8 + 4 + 36 − 2 = 46 → 5·46 = 230; is 8 + 4 + 4 − 2 = 14 → 45·14 = 630. Both tensors fit half their buffers:
        // one tile each. Outputs (36·4 float32 = 576 B) leave only after the last K fold.
        TileSchedule schedule = Mapper.Map(TestNetworks.TinyConv(), 1, Tiny(dataflow));

        bool ws = dataflow == Dataflow.WeightStationary;
        Assert.Multiple(() =>
        {
            Assert.That(schedule.Steps.Sum(s => s.ComputeCycles), Is.EqualTo(ws ? 230 : 630));
            Assert.That(schedule.Steps.Sum(s => s.Macs), Is.EqualTo(2592));
            Assert.That(schedule.IfmapTileBytes, Is.EqualTo(new long[] { 288 }));
            Assert.That(schedule.WeightTileBytes, Is.EqualTo(new long[] { 75 }));
            Assert.That(schedule.Steps.Sum(s => s.OutputBytes), Is.EqualTo(576));
        });
    }

    [Test]
    public void ScaleSimCompatibility_WritesPartialSumsPerKFold_AndFetchesThePaddingAsData()
    {
        // As SCALE-Sim counts: 5 K folds each write their 36·4 partial sums (5·576 B); the input is the pre-padded
        // 2×8×8 float32 = 512 B; compute cycles unchanged (230).
        TileSchedule schedule = Mapper.Map(TestNetworks.TinyConv(), 1, Tiny(Dataflow.WeightStationary),
            LayerContext.Of(Tiny(Dataflow.WeightStationary), new RunSettings { Counting = ScaleSimRunner.Conventions }));

        Assert.Multiple(() =>
        {
            Assert.That(schedule.Steps.Sum(s => s.OutputBytes), Is.EqualTo(5 * 576));
            Assert.That(schedule.IfmapTileBytes, Is.EqualTo(new long[] { 512 }));
            Assert.That(schedule.Steps.Sum(s => s.ComputeCycles), Is.EqualTo(230));
            Assert.That(schedule.Steps.Sum(s => s.IfmapReadBytes), Is.EqualTo(36 * 18 * 4), "im2col reads, zeros included");
        });
    }

    [Test]
    public void PartialSumsLargerThanHalfTheOutputBuffer_RunInPassesThatEachPayTheirFill()
    {
        // ofmap 256 B: half holds 128 / (4 columns · 4 B) = 8 pixels of partial sums → passes of 8, 8, 8, 8, 4 pixels.
        // Each pass runs all 5 K folds: 4 passes × 5 × (8 + 4 + 8 − 2 = 18) + 5 × (8 + 4 + 4 − 2 = 14) = 360 + 70 = 430.
        var config = Tiny(Dataflow.WeightStationary) with
        {
            Buffers = TestHardware.Tiny().Buffers with { Ofmap = new SramConfig("ofmap", 256, 128, 1, 1) },
        };

        TileSchedule schedule = Mapper.Map(TestNetworks.TinyConv(), 1, config);
        TileSchedule peLevel = Mapper.Map(TestNetworks.TinyConv(), 1, config, LayerContext.Of(config, new RunSettings { Detail = TimingDetail.PeLevel }));

        Assert.Multiple(() =>
        {
            Assert.That(schedule.Steps.Sum(s => s.ComputeCycles), Is.EqualTo(430));
            Assert.That(peLevel.Steps.Select(s => s.ComputeCycles), Is.EqualTo(schedule.Steps.Select(s => s.ComputeCycles)), "the PE model times both pass lengths");
            Assert.That(schedule.Steps.Sum(s => s.OutputBytes), Is.EqualTo(576));
            Assert.That(schedule.Steps.Max(s => s.OutputBytes), Is.LessThanOrEqualTo(256));
        });
    }

    /// <summary>A GEMM as SCALE-Sim writes one: input 1×16×64, one 1×64 filter row per output → M = 16, K = 64, N = 4.</summary>
    private static ConvLayer WideGemm() => TestNetworks.TinyConv() with
    {
        InputShape = new TensorShape(1, 16, 64),
        OutputShape = new TensorShape(4, 16, 1),
        KernelHeight = 1,
        KernelWidth = 64,
        PadTop = 0,
        PadLeft = 0,
        PadBottom = 0,
        PadRight = 0,
    };

    private static AcceleratorConfig WithIfmapBytes(Dataflow dataflow, long capacityBytes) => Tiny(dataflow) with
    {
        Buffers = TestHardware.Tiny().Buffers with { Ifmap = new SramConfig("ifmap", capacityBytes, 128, 1, 1) },
    };

    [Test]
    public void WeightStationary_StreamsIm2colBlocks_WhenOnePixelsInputRowsDoNotFitHalfTheBuffer()
    {
        // The GEMM of WideGemm on a 4×4 ws array: 16 K folds × 1 column fold, the 16 pixels streamed. One pixel reads a whole
        // input row of 64·4 = 256 B, more than half of a 256-B ifmap buffer (128 B), so the pixels stream as im2col blocks
        // of the fold's 4 K values: pieces of 128 / (4·4) = 8 pixels, 2 a fold: 32 tiles of 8·4·4 = 128 B. Pieces follow
        // one another: 16 folds of 2R + C + T − 2 = 8 + 4 + 16 − 2 = 26 cycles = 416.
        TileSchedule schedule = Mapper.Map(WideGemm(), 1, WithIfmapBytes(Dataflow.WeightStationary, 256));

        Assert.Multiple(() =>
        {
            Assert.That(schedule.IfmapTileBytes, Has.Length.EqualTo(32));
            Assert.That(schedule.IfmapTileBytes, Is.All.EqualTo(128));
            Assert.That(schedule.Steps.Sum(s => s.ComputeCycles), Is.EqualTo(16 * (8 + 4 + 16 - 2)));
            Assert.That(schedule.Description, Does.Contain("streamed in pieces of 8 (im2col blocks)"));
        });
    }

    [Test]
    public void InputStationary_GathersTheFoldsIm2colBlock_WhenItsInputRowsDoNotFitHalfTheBuffer()
    {
        // WideGemm (M = 16, K = 64, N = 4) on a 4×4 is array: 16 K folds × 4 pixel folds. A fold's 4 pixels read 4 whole input rows = 4·64·4 = 1,024 B > 512 B (half
        // of a 1 KiB ifmap buffer), so each fold fetches only its 4 pixels × 4 K values = 64 B: 64 tiles of 64 B.
        TileSchedule schedule = Mapper.Map(WideGemm(), 1, WithIfmapBytes(Dataflow.InputStationary, 1024));

        Assert.Multiple(() =>
        {
            Assert.That(schedule.IfmapTileBytes, Has.Length.EqualTo(64));
            Assert.That(schedule.IfmapTileBytes, Is.All.EqualTo(64));
            Assert.That(schedule.Steps.Sum(s => s.ComputeCycles), Is.EqualTo(64 * (8 + 4 + 4 - 2)), "64 folds of 2R + C + T − 2");
        });
    }
}
