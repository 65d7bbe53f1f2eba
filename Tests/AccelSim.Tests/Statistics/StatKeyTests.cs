using AccelSim.Statistics;

namespace AccelSim.Tests.Statistics;

public sealed class StatKeyTests
{
    private static readonly StatKey ReadWords = new("read_words", StatUnit.Words, "Words read");

    [Test]
    public void Register_PutsTheKeyUnderTheComponentPath_AndTheSnapshotReadsItBack()
    {
        var registry = new StatsRegistry();
        registry.Register("accel.gbuf", ReadWords).Add(5);

        StatsSnapshot snapshot = registry.Snapshot();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot.Values.Single(), Is.EqualTo(new StatValue("accel.gbuf.read_words", StatUnit.Words, "Words read", 5)));
            Assert.That(snapshot["accel.gbuf", ReadWords], Is.EqualTo(5));
        }
    }

    [Test]
    public void SameKey_UnderTwoComponents_IsTwoStatistics()
    {
        var registry = new StatsRegistry();
        registry.Register("ifmap", ReadWords).Add(1);
        registry.Register("ofmap", ReadWords).Add(2);

        StatsSnapshot snapshot = registry.Snapshot();

        Assert.That((snapshot["ifmap", ReadWords], snapshot["ofmap", ReadWords]), Is.EqualTo((1L, 2L)));
    }

    [Test]
    public void Snapshot_KeyTheComponentNeverRegistered_ThrowsNamingThePath() =>
        Assert.That(() => new StatsRegistry().Snapshot()["dram", ReadWords],
            Throws.TypeOf<KeyNotFoundException>().With.Message.Contains("'dram.read_words'"));

    [TestCase("")]
    [TestCase("Read")]
    [TestCase("stall_cycles.")]
    public void BadName_Throws(string name) =>
        Assert.That(() => new StatKey(name, StatUnit.Count, "Things"), Throws.ArgumentException.With.Message.Contains($"'{name}'"));

    [Test]
    public void BlankDescription_Throws() =>
        Assert.That(() => new StatKey("things", StatUnit.Count, " "), Throws.ArgumentException);

    [Test]
    public void StallCauses_HaveTheirStableNames_InReportColumnOrder() =>
        Assert.That(StallCauses.All.Select(StallCauses.Name),
            Is.EqualTo(new[] { "ifmap", "weights", "output_drain", "sram_bandwidth", "converter", "dram_bandwidth", "fill_drain", "vector_unit" }));
}
