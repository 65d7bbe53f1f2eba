using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Mapping.Dataflows;
using AccelSim.Statistics;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Mapping;

public sealed class RowStationaryMapperTests
{
    [Test]
    public void TinyConv_OnA4x4Array_ByHand()
    {
        // c1: 2×6×6 input, 4 filters 3×3, pad 1 → 4×6×6; R = S = 3, E = F = 6. One filter-row pass (3 ≤ 4 rows); E = 6
        // folds into strips of 4 and 2 output rows. Sets: 3×4 (1 fits) and 3×2 (2 side by side). A PE takes q = 2
        // channels (2 divides the chunk of 2; 4 filters × 1 item × 2/2 = 4 units still fill 1 and 2 replicas): 4 units per
        // strip → 4 and 2 array passes. A pass: q·F·S + stall + r = 36 + 0 + 3 = 39 cycles (a row of W = 8 streams
        // faster than its 18 MACs: no stall), 3 of them fill and drain. Compute 4·36 + 2·36 = 216; fill/drain 12 + 6.
        // MACs: 4 units × 12 PEs × 36 + 4 × 6 × 36 = 1,728 + 864 = 2,592 = 4·36·18 (every output × K).
        // Reads: a stream is (6−1) + (3−1) + 1 = 8 elements, of which columns 1..6 are real (6); strip 0 (output rows 0..3)
        // reads input rows −1..4 → 5 real rows, strip 1 (rows 4, 5) rows 3..6 → 3. Units run filter-fastest, so the 2 sets of a strip-1 pass
        // share their channels' rows, read once for both (multicast): 4 units × 2 channels × 5 rows × 6 = 240 and
        // 2 reads × 2 × 3 × 6 = 72 elements (4 B each, 128-bit words: 60 and 18 words). Both channels add up in the RFs,
        // so no partial sum goes through the output buffer. Outputs: 4 filters × 4 rows × 6 = 96 and 4 × 2 × 6 = 48.
        // Tiles: the input (288 B) and the weights (4 filters × 18 taps × 8 bits + 4 row exponents × 5 bits = 596 bits =
        // 75 B) fit half their 4 KiB buffers: one tile each. RF: 4·36 + 2·(3 + 8) = 166 per PE per pass: 4·12·166 and
        // 4·6·166.
        TileSchedule schedule = Mapper.Map(TestNetworks.TinyConv(), 1, Rs(TestHardware.Tiny()));

        Assert.Multiple(() =>
        {
            Assert.That(schedule.IfmapTileBytes, Is.EqualTo(new long[] { 288 }));
            Assert.That(schedule.WeightTileBytes, Is.EqualTo(new long[] { 75 }));
            Assert.That(schedule.Steps.Select(s => s.ComputeCycles), Is.EqualTo(new long[] { 4 * 39, 2 * 39 }));
            Assert.That(schedule.Steps.Select(s => s.FillDrainCycles), Is.EqualTo(new long[] { 4 * 3, 2 * 3 }));
            Assert.That(schedule.Steps.Select(s => s.PartialSumBytes), Is.EqualTo(new long[] { 0, 0 }));
            Assert.That(schedule.Steps.Select(s => s.Macs), Is.EqualTo(new long[] { 1728, 864 }));
            Assert.That(schedule.Steps.Select(s => s.InputConversions), Is.EqualTo(new long[] { 240, 72 }));
            Assert.That(schedule.Steps.Select(s => s.IfmapReadBytes), Is.EqualTo(new long[] { 960, 288 }));
            Assert.That(schedule.Steps.Select(s => s.OutputConversions), Is.EqualTo(new long[] { 96, 48 }));
            Assert.That(schedule.Steps.Select(s => s.VectorOps), Is.EqualTo(new long[] { 96, 48 }), "fused ReLU on each output");
            Assert.That(schedule.Steps.Select(s => s.RegisterFileAccesses), Is.EqualTo(new long[] { 4 * 12 * 166, 4 * 6 * 166 }));
        });

        LayerTiming t = LayerSimulator.Run(TestNetworks.TinyConv(), 1, Rs(TestHardware.Tiny()));
        Assert.Multiple(() =>
        {
            Assert.That(t.ComputeCycles, Is.EqualTo(216));
            Assert.That(t.StallCyclesByCause[StallCause.FillDrain], Is.EqualTo(18));
            Assert.That(t.Activity.Of(ComputeEngine.IfmapReadWords, ComponentId.Ifmap), Is.EqualTo(60 + 18));
            Assert.That(t.Activity.Of(ComputeEngine.RegisterFileAccesses), Is.EqualTo(11_952));
        });
    }

    [Test]
    public void MoreFilterRowsThanArrayRows_SplitIntoPasses_WhoseResultsAreWrittenOnce()
    {
        // 5×5 filter on a 4-row array: passes of 4 and 1 filter rows; psums wait in the output buffer, outputs leave on
        // the last pass only. 1×8×8 input, 2 filters, no pad → 4×4 outputs, one strip of 4. Pass cycles: 4·5 + 4 = 24 and
        // 4·5 + 1 = 21; the 4-row set fits once, the 1-row set 4 times: 2 units → 2 passes, then 1 pass. The second pass's
        // rows add into the first's sums in the output buffer: 2 filters × 16 outputs × 4 B read and written back.
        ConvLayer conv = TestNetworks.SquareConv(channels: 1, size: 8, filters: 2, kernel: 5);

        TileSchedule schedule = Mapper.Map(conv, 1, Rs(TestHardware.Tiny()));

        Assert.Multiple(() =>
        {
            Assert.That(schedule.Steps.Select(s => s.ComputeCycles), Is.EqualTo(new long[] { 2 * 24, 1 * 21 }));
            Assert.That(schedule.Steps.Select(s => s.OutputBytes), Is.EqualTo(new long[] { 0, 2 * 16 * 4 }));
            Assert.That(schedule.Steps.Select(s => s.PartialSumBytes), Is.EqualTo(new long[] { 0, 2 * 16 * 4 }));
            Assert.That(schedule.Steps.Sum(s => s.Macs), Is.EqualTo(conv.MacsPerItem));
        });
    }

    [Test]
    public void ReplicasSharingAChannel_ReadItsRowsOnce()
    {
        // Runs of 3 filters per (item, channel), 4 units per pass: units 0..2 | 3..5 | 6..8 | 9..11 against passes
        // 0..3 | 4..7 | 8..11: the runs touch 1, 2, 2, 1 passes = 6 reads, not 12. One replica: every unit reads.
        Assert.Multiple(() =>
        {
            Assert.That(RowStationaryMapper.MulticastReads(3, 4, 4), Is.EqualTo(6));
            Assert.That(RowStationaryMapper.MulticastReads(3, 4, 1), Is.EqualTo(12));
            Assert.That(RowStationaryMapper.MulticastReads(1, 5, 168), Is.EqualTo(5));
        });
    }

    [Test]
    public void ChannelsPerPe_IsTheLargestDivisorThatKeepsTheReplicasBusy_AndFitsTheFilterScratchpad()
    {
        Assert.Multiple(() =>
        {
            // 6 channels, 2 filter-items, 4 replicas: q = 6 leaves 2 units, 3 leaves 4 (enough); 4 and 5 do not divide 6.
            Assert.That(RowStationaryMapper.ChannelsPerPe(6, 2, 4, 3), Is.EqualTo(3));
            // 11 taps: at most 224 / 11 = 20 channels' weights fit; the largest divisor of 256 up to 20 is 16.
            Assert.That(RowStationaryMapper.ChannelsPerPe(256, 1, 1, 11), Is.EqualTo(16));
            // Too few units already: one channel each.
            Assert.That(RowStationaryMapper.ChannelsPerPe(5, 1, 168, 1), Is.EqualTo(1));
        });
    }

    private static IEnumerable<TestCaseData> Layers()
    {
        AcceleratorConfig tiny = TestHardware.Tiny();
        AcceleratorConfig rect = tiny with { PeArray = tiny.PeArray with { Rows = 3, Cols = 5 } };
        AcceleratorConfig tall = tiny with { PeArray = tiny.PeArray with { Rows = 6, Cols = 2 } };
        yield return new TestCaseData(TestNetworks.TinyConv(), 1, tiny).SetName("TinyConv_4x4");
        yield return new TestCaseData(TestNetworks.TinyConv(), 1, rect).SetName("TinyConv_3x5");
        yield return new TestCaseData(TestNetworks.SquareConv(3, 5, 2, 1), 1, tall).SetName("Pointwise_SmallerThanTheArray_6x2");
        yield return new TestCaseData(TestNetworks.SquareConv(2, 12, 3, 5, pad: 2), 1, tiny).SetName("Kernel5_MoreRowsAndOutputRowsThanTheArray_4x4");
        yield return new TestCaseData(TestNetworks.SquareConv(2, 11, 3, 3, stride: 2, pad: 1), 1, rect).SetName("Stride2_3x5");
        yield return new TestCaseData(TestNetworks.SquareConv(2, 10, 2, 3, pad: 2, dilation: 2), 1, tiny).SetName("Dilation2_4x4");
        yield return new TestCaseData(TestNetworks.SquareConv(4, 7, 4, 3, pad: 1, groups: 4), 1, rect).SetName("Depthwise_3x5");
        yield return new TestCaseData(TestNetworks.TinyFc(), 1, tiny).SetName("Fc_4x4");
        yield return new TestCaseData(TestNetworks.TinyConv(), 2, tall).SetName("Batch2_6x2");
        yield return new TestCaseData(TestNetworks.SquareConv(3, 12, 5, 3, stride: 2), 2, rect with
        {
            Buffers = new BufferSetConfig(tiny.Buffers.Ifmap with { CapacityBytes = 2560 }, tiny.Buffers.Weights with { CapacityBytes = 256 }, tiny.Buffers.Ofmap),
        }).SetName("Batch2_SmallBuffers_StreamedTiles_3x5");
    }

    [TestCaseSource(nameof(Layers))]
    public void ClosedForm_EqualsThePeLevelModel_ForEveryStep(Layer layer, int batch, AcceleratorConfig config)
    {
        TileSchedule closed = Mapper.Map(layer, batch, Rs(config));
        TileSchedule literal = Mapper.Map(layer, batch, Rs(config), LayerContext.Of(Rs(config), new RunSettings { Detail = TimingDetail.PeLevel }));

        Assert.That(literal.Steps, Is.EqualTo(closed.Steps));
        Assert.That(closed.Steps.Sum(s => s.FillDrainCycles), Is.GreaterThan(0), "every pass pays its psum climb");
    }

    [TestCaseSource(nameof(Layers))]
    public void Timing_ObeysConservation(Layer layer, int batch, AcceleratorConfig config)
    {
        LayerTiming t = LayerSimulator.Run(layer, batch, Rs(config));
        TileSchedule schedule = Mapper.Map(layer, batch, Rs(config));
        long outputs = layer.OutputShape.Elements * batch;
        long weightBytes = layer switch
        {
            ConvLayer c => DataSizes.BitsToBytes(DataSizes.WeightTileBits(c.OutputChannels, c.ReductionLength, config)),
            FullyConnectedLayer f => DataSizes.BitsToBytes(DataSizes.WeightTileBits(f.OutputFeatures, f.InputFeatures, config)),
            _ => 0,
        };

        Assert.Multiple(() =>
        {
            Assert.That(t.ComputeCycles + t.StallCycles, Is.EqualTo(t.TotalCycles));
            Assert.That(t.ComputeCycles, Is.EqualTo(schedule.Steps.Sum(s => s.ComputeCycles - s.FillDrainCycles)));
            Assert.That(t.StallCyclesByCause[StallCause.FillDrain], Is.EqualTo(schedule.Steps.Sum(s => s.FillDrainCycles)));
            Assert.That(t.Activity.Of(ComputeEngine.Macs), Is.EqualTo(layer.MacsPerItem * batch), "MACs exact");
            Assert.That(schedule.Steps.Sum(s => s.OutputConversions), Is.EqualTo(outputs), "every output written once");
            Assert.That(t.DramWriteBytes, Is.EqualTo(outputs * 4));

            // Every input element some window reads, and every weight (its group's share), is fetched at least once.
            Assert.That(t.DramReadBytes, Is.GreaterThanOrEqualTo((TouchedInputs(layer) * batch * 4) + (weightBytes / Groups(layer))));
            Assert.That(t.Activity.Of(ComputeEngine.RegisterFileAccesses), Is.GreaterThan(4 * t.Activity.Of(ComputeEngine.Macs)), "4 RF accesses per MAC, plus fills");

            // The output buffer writes every result once and every partial sum it adds; it reads each result once (to
            // drain it) and each partial sum it adds to.
            SramConfig ofmap = config.Buffers.Ofmap;
            Assert.That(t.Activity.Of(OutputBuffer.WriteWords, ComponentId.Ofmap), Is.EqualTo(schedule.Steps.Sum(s => ofmap.Words(s.OutputBytes) + ofmap.Words(s.PartialSumBytes))));
            Assert.That(t.Activity.Of(OutputBuffer.ReadWords, ComponentId.Ofmap), Is.EqualTo(t.Activity.Of(OutputBuffer.WriteWords, ComponentId.Ofmap)));
        });
    }

    /// <summary>The layer's input elements that lie under some window (padding excluded).</summary>
    private static long TouchedInputs(Layer layer)
    {
        if (layer is not ConvLayer c)
        {
            return layer.InputShape.Elements;
        }

        long Touched(int outputs, int stride, int pad, int dilation, int kernel, int size) =>
            Enumerable.Range(0, outputs).SelectMany(o => Enumerable.Range(0, kernel).Select(k => (o * stride) - pad + (k * dilation)))
                .Where(i => i >= 0 && i < size).Distinct().Count();

        return c.InputShape.Channels
            * Touched(c.OutputShape.Height, c.StrideHeight, c.PadTop, c.DilationHeight, c.KernelHeight, c.InputShape.Height)
            * Touched(c.OutputShape.Width, c.StrideWidth, c.PadLeft, c.DilationWidth, c.KernelWidth, c.InputShape.Width);
    }

    private static int Groups(Layer layer) => layer is ConvLayer c ? c.Groups : 1;

    private static AcceleratorConfig Rs(AcceleratorConfig config) => config with { PeArray = config.PeArray with { Dataflow = Dataflow.RowStationary } };
}
