using AccelSim.Statistics;

namespace AccelSim.Tests.Statistics;

public sealed class StatsSnapshotTests
{
    [Test]
    public void Indexer_ReturnsTheValue()
    {
        StatsSnapshot snapshot = Sample();

        Assert.That(snapshot["accel.gbuf.reads"], Is.EqualTo(7));
    }

    [Test]
    public void Indexer_UnknownPath_ThrowsNamingThePath()
    {
        StatsSnapshot snapshot = Sample();

        Assert.That(() => snapshot["accel.gbuf.misses"],
            Throws.TypeOf<KeyNotFoundException>().With.Message.Contains("'accel.gbuf.misses'"));
    }

    [Test]
    public void TryGet_FindsPresentPaths_AndOnlyThose()
    {
        StatsSnapshot snapshot = Sample();

        bool found = snapshot.TryGet("accel.macs", out StatValue? value);
        bool missing = snapshot.TryGet("accel.mac", out StatValue? none);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found, Is.True);
            Assert.That(value, Is.EqualTo(new StatValue("accel.macs", StatUnit.Macs, "Multiply-accumulates", 96)));
            Assert.That(missing, Is.False);
            Assert.That(none, Is.Null);
        }
    }

    [Test]
    public void WithPrefix_SelectsWholeSegmentsOnly()
    {
        StatsSnapshot snapshot = Sample();

        StatsSnapshot gbuf = snapshot.WithPrefix("accel.gbuf");

        // "accel.gbuf2.reads" and "accel.gbuf_hits" share the characters but not the segment.
        string[] expected = ["accel.gbuf", "accel.gbuf.reads", "accel.gbuf.writes"];
        Assert.That(gbuf.Values.Select(v => v.Path), Is.EqualTo(expected));
    }

    [Test]
    public void WithPrefix_NoMatch_IsEmpty() =>
        Assert.That(Sample().WithPrefix("dram").Values, Is.Empty);

    [TestCase("")]
    [TestCase("accel.")]
    [TestCase("Accel")]
    public void WithPrefix_InvalidPrefix_Throws(string prefix) =>
        Assert.That(() => Sample().WithPrefix(prefix), Throws.ArgumentException.With.Message.Contains($"'{prefix}'"));

    [Test]
    public void Construction_SortsValuesOrdinally()
    {
        var snapshot = new StatsSnapshot(
        [
            new StatValue("b", StatUnit.Count, "B", 2),
            new StatValue("a_b", StatUnit.Count, "A underscore B", 3),
            new StatValue("a.b", StatUnit.Count, "A dot B", 1),
        ]);

        // '.' (0x2E) sorts before '_' (0x5F), which sorts before 'b'.
        string[] expected = ["a.b", "a_b", "b"];
        Assert.That(snapshot.Values.Select(v => v.Path), Is.EqualTo(expected));
    }

    [Test]
    public void Construction_DuplicatePath_ThrowsNamingThePath() =>
        Assert.That(() => new StatsSnapshot(
            [
                new StatValue("accel.macs", StatUnit.Macs, "First", 1),
                new StatValue("accel.macs", StatUnit.Macs, "Second", 2),
            ]),
            Throws.ArgumentException.With.Message.Contains("'accel.macs'"));

    [Test]
    public void Empty_HasNoValues() =>
        Assert.That(StatsSnapshot.Empty.Count, Is.Zero);

    [Test]
    public void StatValue_RejectsAnInvalidPath() =>
        Assert.That(() => new StatValue("Accel", StatUnit.Count, "Bad", 0),
            Throws.ArgumentException.With.Message.Contains("'Accel'"));

    [Test]
    public void StatValue_RejectsABlankDescription() =>
        Assert.That(() => new StatValue("accel", StatUnit.Count, " ", 0),
            Throws.ArgumentException.With.Message.Contains("'accel'"));

    private static StatsSnapshot Sample()
    {
        var registry = new StatsRegistry();
        registry.RegisterCounter("accel.gbuf2.reads", StatUnit.Words, "Second buffer reads").Add(1);
        registry.RegisterCounter("accel.gbuf.writes", StatUnit.Words, "Buffer writes").Add(3);
        registry.RegisterCounter("accel.gbuf", StatUnit.Events, "Buffer events").Add(11);
        registry.RegisterCounter("accel.gbuf_hits", StatUnit.Events, "Buffer hits").Add(5);
        registry.RegisterCounter("accel.gbuf.reads", StatUnit.Words, "Buffer reads").Add(7);
        registry.RegisterCounter("accel.macs", StatUnit.Macs, "Multiply-accumulates").Add(96);
        return registry.Snapshot();
    }
}
