using AccelSim.Hardware;
using AccelSim.ScaleSim;
using AccelSim.Workloads;

namespace AccelSim.Tests.ScaleSim;

/// <summary>SCALE-Sim's memory system on a whole (tiny) layer, and how layers are shown to it.</summary>
public sealed class ScaleSimNetworkMemoryTests
{
    [Test]
    public void TinyOutputStationaryLayer_InCalcMode_FollowsByHand()
    {
        // 1×2 input, 1 channel, 1×1 filter, 2 filters: M = 2, K = 1, N = 2 on a 2×2 array: one fold of
        // K + R + C − 2 = 3 lines (0, 1, 2). IFMAP slot c reads k = t − c: line 0 {pixel 0}, line 1 {pixel 1}, line 2 none;
        // filters likewise {0}, {1}, none; outputs (no idle line, T − 1 = 0) 1, 2 and 1 per line.
        var shape = ScaleSimShapes.Unpadded(1, 2, 1, 1, 1, 2, 1, 1);

        var result = ScaleSimMemorySystem.Run(Dataflow.OutputStationary, 2, 2, shape, new ScaleSimMemoryConfig(1024, 1024, 1024, bandwidthWords: null));

        Assert.Multiple(() =>
        {
            // CALC: hits answer one cycle later, the write buffer never fills: no stalls, last write at line 2.
            Assert.That(result.StallCycles, Is.Zero);
            Assert.That(result.TotalCycles, Is.EqualTo(2));
            Assert.That((result.SramIfmapStartCycle, result.SramIfmapStopCycle), Is.EqualTo((1L, 2L)));
            Assert.That((result.SramFilterStartCycle, result.SramFilterStopCycle), Is.EqualTo((1L, 2L)));
            Assert.That((result.SramOfmapStartCycle, result.SramOfmapStopCycle), Is.EqualTo((0L, 2L)));

            // 2 new addresses per read buffer, one set of ⌊1024/100⌋ = 10, never half full: fetched before cycle 0 at
            // 10 words/cycle in ⌈10/10⌉ = 1 cycle, answered at −1.
            Assert.That((result.DramIfmapStartCycle, result.DramIfmapStopCycle, result.DramIfmapReads), Is.EqualTo((-1L, -1L, 2L)));
            Assert.That((result.DramFilterStartCycle, result.DramFilterStopCycle, result.DramFilterReads), Is.EqualTo((-1L, -1L, 2L)));

            // The 4 outputs leave after the last line in lines of C = 2 words: cycles 2 and 3.
            Assert.That((result.DramOfmapStartCycle, result.DramOfmapStopCycle, result.DramOfmapWrites), Is.EqualTo((2L, 3L, 4L)));
        });
    }

    [Test]
    public void MemoryConfig_RefusesBuffersBelowOneSetPerPercentAndNoBandwidth()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new ScaleSimMemoryConfig(99, 1024, 1024, null), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => new ScaleSimMemoryConfig(1024, 1024, 1024, 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(new ScaleSimMemoryConfig(1024, 1024, 1024, 16).UserBandwidth, Is.True);
        });
    }

    [Test]
    public void PaddedConv_IsShownAsItsPrePaddedInput()
    {
        // 3×3, padding 1, stride 1 on 4×4: SCALE-Sim would be given the 6×6 padded input, E = ⌈(6 − 3 + 1)/1⌉ = 4.
        var conv = ConvLayer.Square("c", Network.InputName, new TensorShape(2, 4, 4), 3, 3, 1, 1, relu: false, new SyntheticWeights(1));

        Assert.That(ScaleSimNetworkMemory.ShapeOf(conv, batch: 1), Is.EqualTo(ScaleSimShapes.Unpadded(6, 6, 3, 3, 2, 3, 1, 1)));
    }

    [Test]
    public void TopologyLayer_KeepsItsOverhangOutsideTheInput()
    {
        // conv3x3s2: 32×32×8, 3×3, 16 filters, stride 2: E = ⌈(32 − 3 + 2)/2⌉ = 16; the reader records the overhang
        // (15·2 + 3 − 32 = 1) as bottom/right padding, which SCALE-Sim does not read.
        string topology = Path.Combine(Path.GetTempPath(), "accelsim-shape-" + Guid.NewGuid().ToString("N") + ".csv");
        File.WriteAllText(topology, "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nc, 32, 32, 3, 3, 8, 16, 2,\n");
        try
        {
            Layer layer = ScaleSimTopologyReader.Read(topology).Layers[0];

            Assert.That(ScaleSimNetworkMemory.ShapeOf(layer, batch: 1), Is.EqualTo(ScaleSimShapes.Unpadded(32, 32, 3, 3, 8, 16, 2, 2)));
        }
        finally
        {
            File.Delete(topology);
        }
    }
}
