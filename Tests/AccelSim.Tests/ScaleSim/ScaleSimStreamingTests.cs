using AccelSim.Hardware;
using AccelSim.ScaleSim;
using AccelSim.Workloads;

namespace AccelSim.Tests.ScaleSim;

/// <summary>USER-mode read buffers streaming their prefetch orders (read again as the window moves on) instead of
/// indexing them: the same results, and memory that does not follow the length of the order.</summary>
public sealed class ScaleSimStreamingTests
{
    private const long IndexEverything = long.MaxValue;
    private const long StreamEverything = 0;

    [Test]
    public void StreamedReadBuffer_SlidesAndWrapsAsTheIndexedOneDoes()
    {
        // The hand-derived case of ScaleSimBuffersTests, streamed: 4 words at 1 word/cycle, sets of 1 address, the order
        // 0..5 and an empty set 6; the window holds 2 sets and moves on by 2.
        var order = new PrefetchOrder([0, 1, 2, 3, 4, 5], Count: 6, TotalSlots: 6);
        var buffer = new ScaleSimUserReadBuffer(capacityWords: 4, bandwidthWords: 1, order, addressCount: 6, StreamEverything);

        // Sets {0, 1} hit; 2 moves the window to {2, 3} (answers 1 and 2, no wait); 4 to {4, 5} (answers 4 and 5, served
        // at 5); 0 wraps round to {6, 0} (answers 7 and 8, served at 8).
        Assert.Multiple(() =>
        {
            Assert.That(buffer.Service([0], 0), Is.EqualTo(1));
            Assert.That(buffer.Service([1], 1), Is.EqualTo(2));
            Assert.That(buffer.Service([2], 2), Is.EqualTo(3));
            Assert.That(buffer.Service([4], 3), Is.EqualTo(5));
            Assert.That(buffer.Service([0], 5), Is.EqualTo(8));
            Assert.That(buffer.DramReads, Is.EqualTo(8), "2 lines before cycle 0 and 3 prefetches of 2");
            Assert.That(buffer.DramStartCycle, Is.EqualTo(-2));
            Assert.That(buffer.DramStopCycle, Is.EqualTo(8));
        });
    }

    [TestCase(Dataflow.OutputStationary)]
    [TestCase(Dataflow.WeightStationary)]
    [TestCase(Dataflow.InputStationary)]
    public void StreamedLayer_EqualsIndexedLayer_OnBuffersThatWrapRound(Dataflow dataflow)
    {
        // A 4×3 array, a layer with an overhang (empty slots) and several row and column folds (1,440 input and 324
        // filter addresses); 100- and 400-word buffers (sets of 1 and 4 addresses) at 2 words/cycle make the windows
        // move and wrap round many times.
        ConvShape shape = ScaleSimShapes.Unpadded(16, 15, 3, 2, 6, 9, 1, 2);
        foreach (long words in new long[] { 100, 400 })
        {
            var memory = new ScaleSimMemoryConfig(words, words, words, bandwidthWords: 2);
            ScaleSimMemoryResult indexed = ScaleSimMemorySystem.Run(dataflow, 4, 3, shape, memory, IndexEverything);
            ScaleSimMemoryResult streamed = ScaleSimMemorySystem.Run(dataflow, 4, 3, shape, memory, StreamEverything);
            Assert.That(streamed, Is.EqualTo(indexed), $"{words} words");
            if (words == 100)
            {
                Assert.That(indexed.IfmapStallCycles + indexed.FilterStallCycles, Is.Positive, "the read buffers missed");
            }
        }
    }

    [Test]
    public void StreamedLayer_AllocatesLessThanItsPrefetchOrder_IndexedOneMore()
    {
        // 64×64×16 input, 3×3 filters, 8 of them, os on 8×8: M = 62² = 3,844 output pixels, K = 3·3·16 = 144, no window
        // past the input, so the IFMAP prefetch order holds M·K = 553,536 addresses: 2,214,144 bytes as ints. Streamed,
        // the buffer holds a count per input address (64·64·16 · 4 B = 262,144 B) and its window (half of 64 Ki words).
        ConvShape shape = ScaleSimShapes.Unpadded(64, 64, 3, 3, 16, 8, 1, 1);
        var memory = new ScaleSimMemoryConfig(65536, 65536, 65536, bandwidthWords: 16);
        const long orderBytes = 3844L * 144 * sizeof(int);

        long Allocated(long indexLimit)
        {
            ScaleSimMemorySystem.Run(Dataflow.OutputStationary, 8, 8, ScaleSimShapes.Unpadded(6, 6, 3, 3, 2, 2, 1, 1), memory, indexLimit);
            long before = GC.GetAllocatedBytesForCurrentThread();
            ScaleSimMemorySystem.Run(Dataflow.OutputStationary, 8, 8, shape, memory, indexLimit);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        long streamed = Allocated(StreamEverything);
        long indexed = Allocated(IndexEverything);
        Assert.Multiple(() =>
        {
            Assert.That(streamed, Is.LessThan(orderBytes / 2), "streamed");
            Assert.That(indexed, Is.GreaterThan(orderBytes), "indexed (the bound tells them apart)");
        });
    }
}
