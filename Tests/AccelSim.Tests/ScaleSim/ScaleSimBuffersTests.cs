using AccelSim.Hardware;
using AccelSim.ScaleSim;

namespace AccelSim.Tests.ScaleSim;

/// <summary>SCALE-Sim's buffers on cases small enough to follow by hand (each derivation in the test).</summary>
public sealed class ScaleSimBuffersTests
{
    [Test]
    public void WriteBuffer_DrainsHalfWhenMoreThanHalfIsFull_AndCountsAPartLineOnlyWhereItEndsADrain()
    {
        // 8 words, 2 per line: active half 4, drain half 4; a drain starts when more than 4 words are held.
        var buffer = new ScaleSimWriteBuffer(capacityWords: 8, bandwidthWords: 2);

        // 3 words: one full line and one started; 5 free, no drain.
        Assert.That(buffer.Service(3, 0), Is.Zero);

        // 4th word closes line 2; the 5th (3 free) starts a drain at cycle 1: the part line {w5} is closed, the
        // drain takes ⌈4/2⌉ = 2 lines (4 words) on cycles 1 and 2. Writing does not wait for it.
        Assert.That(buffer.Service(2, 1), Is.EqualTo(1));

        // Flush from cycle 2: the remaining line holds 1 word and ends its drain, so it counts 1 (2 − 1 empty slot).
        buffer.Flush(2);
        Assert.Multiple(() =>
        {
            Assert.That(buffer.DramWrites, Is.EqualTo(5));
            Assert.That(buffer.DramStartCycle, Is.EqualTo(1));
            Assert.That(buffer.DramStopCycle, Is.EqualTo(2));
        });
    }

    [Test]
    public void WriteBuffer_WaitsForTheDrain_OnlyWhenTheBufferIsFull()
    {
        // 4 words, 1 per line: a drain of 2 lines starts at the 3rd word (1 free < 2) on cycles 0..1 and frees 2 at once
        // (3 free). Words 4 and 5 leave 2 and 1 free; the 6th fills the buffer (0 free) while the drain runs, so that
        // line waits for the drain's end: cycle 1.
        var buffer = new ScaleSimWriteBuffer(capacityWords: 4, bandwidthWords: 1);

        Assert.That(buffer.Service(6, 0), Is.EqualTo(1));

        // The 4 lines left drain 2 at a time back to back from cycle 1: cycles 1–2 and 3–4.
        buffer.Flush(1);
        Assert.Multiple(() =>
        {
            Assert.That(buffer.DramWrites, Is.EqualTo(6));
            Assert.That(buffer.DramStartCycle, Is.Zero);
            Assert.That(buffer.DramStopCycle, Is.EqualTo(4));
        });
    }

    [Test]
    public void UserReadBuffer_SlidesItsWindowAndWrapsRound_FetchingBackToBack()
    {
        // 4 words at 1 word/cycle: active 2, prefetch 2, sets of ⌈4/100⌉ = 1 address. The order 0..5 makes sets 0..5 and
        // an empty set 6 (7 sets); the window holds 2 sets and moves on by 2.
        var order = new PrefetchOrder([0, 1, 2, 3, 4, 5], Count: 6, TotalSlots: 6);
        var buffer = new ScaleSimUserReadBuffer(capacityWords: 4, bandwidthWords: 1, order, addressCount: 6);

        // Before cycle 0: ⌈2/1⌉ = 2 lines answered at −2 and −1. Sets {0, 1} are in: hits answer at request + 1.
        Assert.That(buffer.Service([0], 0), Is.EqualTo(1));
        Assert.That(buffer.Service([1], 1), Is.EqualTo(2));

        // Address 2 misses: the window becomes {2, 3}; 2 lines are fetched from the cycle after the last answer (−1):
        // requests 0 and 1, answers 1 and 2. The line asked at 2 is served at 3: no wait.
        Assert.That(buffer.Service([2], 2), Is.EqualTo(3));

        // Address 4: window {4, 5}, fetched from cycle 3: answers 4 and 5; asked at 3, served at 5 (1 cycle late).
        Assert.That(buffer.Service([4], 3), Is.EqualTo(5));

        // Address 0 again: the window wraps to {6, 0} and fetches it again: answers 7 and 8; served at 8.
        Assert.That(buffer.Service([0], 5), Is.EqualTo(8));

        Assert.Multiple(() =>
        {
            Assert.That(buffer.DramReads, Is.EqualTo(8), "2 lines before cycle 0 and 3 prefetches of 2");
            Assert.That(buffer.DramStartCycle, Is.EqualTo(-2));
            Assert.That(buffer.DramStopCycle, Is.EqualTo(8));
        });
    }

    [Test]
    public void EstimatingReadBuffer_RecordsEachHalfOfNewDataOverTheCyclesSinceThePreviousOne()
    {
        // 100 words: sets of 1 address, 50 sets per half.
        var buffer = new ScaleSimEstimatingReadBuffer(capacityWords: 100, addressCount: 200);

        Assert.That(buffer.Service(Enumerable.Range(0, 10).ToArray(), 3), Is.EqualTo(4), "always a hit: request + 1");

        // The 50th new address (49, at cycle 4) fills the first half: it is placed before the first request (cycle 3)
        // at 10 words/cycle: 5 cycles ending at 3 − 2 = 1, i.e. −3..1, answered −2..2. The window moves to sets 50..99.
        buffer.Service(Enumerable.Range(10, 50).ToArray(), 4);

        // 0..9 have left the window: new again (sets 60..69); 55 is in the window: a hit.
        buffer.Service(Enumerable.Range(0, 10).Append(55).ToArray(), 5);

        // The rest (20 new addresses) is recorded over the cycles since the last prefetch: 2..4, answered 3..5.
        buffer.Complete();
        Assert.Multiple(() =>
        {
            Assert.That(buffer.DramReads, Is.EqualTo(70));
            Assert.That(buffer.DramStartCycle, Is.EqualTo(-2));
            Assert.That(buffer.DramStopCycle, Is.EqualTo(5));
        });
    }

    [Test]
    public void EstimatingReadBuffer_WhenHalfNeverFills_FetchesEverythingBeforeCycleZero()
    {
        // 1000 words: sets of 10. 25 addresses make 3 sets (the last part full), fetched at 10 words/cycle in
        // ⌈3·10/10⌉ = 3 cycles ending at −2: answers −3..−1.
        var buffer = new ScaleSimEstimatingReadBuffer(capacityWords: 1000, addressCount: 25);
        buffer.Service(Enumerable.Range(0, 25).ToArray(), 0);
        buffer.Complete();

        Assert.Multiple(() =>
        {
            Assert.That(buffer.DramReads, Is.EqualTo(25));
            Assert.That(buffer.DramStartCycle, Is.EqualTo(-3));
            Assert.That(buffer.DramStopCycle, Is.EqualTo(-1));
        });
    }

    [Test]
    public void OutputStationaryDemand_IsSkewedOneLinePerArrayRow()
    {
        // 1×4 input, 1 channel, 1×2 filter, 2 filters: E×F = 1×3, M = 3, K = 2, N = 2. On a 2×2 array: 2 row folds
        // (m 0–1, m 2), 1 column fold; a fold is K + R + C − 2 = 4 lines. Slot c (array row) reads (m = c, k = t − c):
        // line 1 = {(0, 1), (1, 0)} = addresses {1, 1}; the last row fold uses one row.
        var shape = ScaleSimShapes.Unpadded(1, 4, 1, 2, 1, 2, 1, 1);
        var demand = new ScaleSimDemand(Dataflow.OutputStationary, 2, 2, new ScaleSimOperands(shape));
        int[] line = new int[2];
        int fold0Line1 = demand.IfmapLine(0, 0, 1, line);
        int[] fold0Line1Addresses = line[..fold0Line1];
        int fold1Line0 = demand.IfmapLine(0, 1, 0, line);
        int fold1Line0First = line[0];
        int filterLine2 = demand.FilterLine(0, 0, 2, line);
        int filterLine2First = line[0];

        Assert.Multiple(() =>
        {
            Assert.That(demand.LinesPerFold, Is.EqualTo(4));
            Assert.That(demand.RowFolds, Is.EqualTo(2));
            Assert.That(fold0Line1Addresses, Is.EqualTo(new[] { 1, 1 }));
            Assert.That(fold1Line0, Is.EqualTo(1), "row fold 1 uses one array row");
            Assert.That(fold1Line0First, Is.EqualTo(2), "m = 2 starts at input column 2");

            // Filter slot c reads (k = t − c, n = c): address n·K + k; line 2 = {(k 1, n 1)} = 3 (slot 0 is past K).
            Assert.That(filterLine2, Is.EqualTo(1));
            Assert.That(filterLine2First, Is.EqualTo(3));

            // Outputs: T − 1 = 1 idle line, then the 2 output rows bottom first, skewed: lines 1, 2 (slot 0) and 2, 3 (slot 1).
            Assert.That(Enumerable.Range(0, 4).Select(t => demand.OfmapCount(0, 0, t)), Is.EqualTo(new[] { 0, 1, 2, 1 }));

            // Row fold 1 has one output row; after the flip it comes second: lines 2 (slot 0) and 3 (slot 1).
            Assert.That(Enumerable.Range(0, 4).Select(t => demand.OfmapCount(0, 1, t)), Is.EqualTo(new[] { 0, 0, 1, 1 }));
        });
    }

    [Test]
    public void OverhangingWindows_ReadNothing()
    {
        // 4 wide, 2-wide filter, stride 3: F = ⌈(4 − 2 + 3)/3⌉ = 2; the second window starts at column 3 and its second
        // element (column 4) lies outside the input.
        var operands = new ScaleSimOperands(ScaleSimShapes.Unpadded(1, 4, 1, 2, 1, 1, 1, 3));

        Assert.Multiple(() =>
        {
            Assert.That(operands.Shape.PixelsPerItem, Is.EqualTo(2));
            Assert.That(operands.Ifmap(1, 0), Is.EqualTo(3));
            Assert.That(operands.Ifmap(1, 1), Is.EqualTo(-1));
        });
    }
}
