using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Hardware;

public sealed class TileScheduleTests
{
    [Test]
    public void ScheduleOfQuarterMillionSteps_IsGeneratedAsItIsRead_NotHeld()
    {
        // 1×1024×1024 input, 4 filters of 1×1 on the tiny 4×4 output-stationary array: 1024² = 1,048,576 pixels in row
        // folds of 4 = 262,144 folds, one column fold (4 filters), K = 1 in one chunk: one step per fold, 4·4·1 = 16 MACs
        // each. Held in memory those steps alone would take 262,144 × the size of a step (over 100 bytes): more than
        // 26 MB allocated. Generated as they are read, mapping and reading them twice allocates a fixed amount (the plan,
        // its iterators); 4 MiB leaves room for the runtime's own bookkeeping.
        var conv = TestNetworks.SquareConv(channels: 1, size: 1024, filters: 4, kernel: 1);
        const long Folds = 1024L * 1024 / 4;

        long before = GC.GetAllocatedBytesForCurrentThread();
        TileSchedule schedule = Mapper.Map(conv, 1, TestHardware.Tiny());
        long steps = 0;
        long macs = 0;
        foreach (ComputeStep step in schedule.Steps)
        {
            steps++;
            macs += step.Macs;
        }

        long again = 0;
        foreach (ComputeStep _ in schedule.Steps)
        {
            again++;
        }

        long ifmapBytes = schedule.IfmapTileBytes.Sum();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Multiple(() =>
        {
            Assert.That(steps, Is.EqualTo(Folds));
            Assert.That(schedule.Steps.Length, Is.EqualTo(Folds));
            Assert.That(again, Is.EqualTo(Folds), "the steps are generated again on each enumeration");
            Assert.That(macs, Is.EqualTo(16L * Folds));
            Assert.That(ifmapBytes, Is.EqualTo(schedule.IfmapTileBytes.TotalBytes));
            Assert.That(allocated, Is.LessThan(4L << 20), "bytes allocated while mapping and reading the schedule");
        });
    }

    [Test]
    public void ExplicitLists_KeepTheirOrderAndTotals()
    {
        // Tiles of 3 and 5 bytes (total 8, largest 5) and one weight tile of 7; two steps writing 4 and 12 bytes (16).
        ComputeStep Step(int tile, long outputBytes) => new()
        {
            IfmapTile = tile, WeightTile = 0, ComputeCycles = 1, FillDrainCycles = 0, Macs = 1, IfmapReadBytes = 0,
            WeightReadBytes = 0, OutputBytes = outputBytes, InputConversions = 0, OutputConversions = 0, VectorOps = 0,
        };

        var schedule = new TileSchedule([3L, 5L], [7L], [Step(0, 4), Step(1, 12)], EngineKind.PeArray, "two steps");

        Assert.Multiple(() =>
        {
            Assert.That(schedule.IfmapTileBytes, Is.EqualTo(new long[] { 3, 5 }));
            Assert.That(schedule.IfmapTileBytes.TotalBytes, Is.EqualTo(8));
            Assert.That(schedule.IfmapTileBytes.LargestBytes, Is.EqualTo(5));
            Assert.That(schedule.WeightTileBytes, Is.EqualTo(new long[] { 7 }));
            Assert.That(schedule.Steps.Select(s => s.IfmapTile), Is.EqualTo(new[] { 0, 1 }));
            Assert.That(schedule.Steps.OutputBytes, Is.EqualTo(16));
            Assert.That(schedule.WithDescription("again").Steps.Length, Is.EqualTo(2));
        });
    }
}
