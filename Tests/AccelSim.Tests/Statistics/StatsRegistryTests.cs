using AccelSim.Statistics;

namespace AccelSim.Tests.Statistics;

public sealed class StatsRegistryTests
{
    [TestCase("")]
    [TestCase("Accel.macs")]
    [TestCase("accel..macs")]
    [TestCase("accel.macs.")]
    [TestCase("accel.mac-ops")]
    [TestCase("accel macs")]
    public void RegisterCounter_BadPath_ThrowsNamingThePath(string path)
    {
        var registry = new StatsRegistry();

        Assert.That(() => registry.RegisterCounter(path, StatUnit.Macs, "Multiply-accumulates"),
            Throws.ArgumentException
                .With.Property(nameof(ArgumentException.ParamName)).EqualTo("path")
                .And.Message.Contains($"'{path}'"));
        Assert.That(registry.Counters, Is.Empty);
    }

    [Test]
    public void RegisterCounter_NullPath_Throws() =>
        Assert.That(() => new StatsRegistry().RegisterCounter(null!, StatUnit.Macs, "Multiply-accumulates"),
            Throws.ArgumentException);

    [Test]
    public void RegisterCounter_DuplicatePath_ThrowsNamingThePath_AndKeepsTheFirst()
    {
        var registry = new StatsRegistry();
        Counter first = registry.RegisterCounter("accel.macs", StatUnit.Macs, "Multiply-accumulates");

        Assert.That(() => registry.RegisterCounter("accel.macs", StatUnit.Events, "Something else"),
            Throws.ArgumentException.With.Message.Contains("'accel.macs'").And.Message.Contains("already"));
        Assert.That(registry.Counters, Is.EqualTo(new[] { first }));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    public void RegisterCounter_MissingDescription_ThrowsNamingThePath(string? description)
    {
        var registry = new StatsRegistry();

        Assert.That(() => registry.RegisterCounter("accel.macs", StatUnit.Macs, description!),
            Throws.ArgumentException
                .With.Property(nameof(ArgumentException.ParamName)).EqualTo("description")
                .And.Message.Contains("'accel.macs'"));
        Assert.That(registry.Counters, Is.Empty);
    }

    [Test]
    public void RegisterCounter_UndefinedUnit_Throws() =>
        Assert.That(() => new StatsRegistry().RegisterCounter("accel.macs", (StatUnit)99, "Multiply-accumulates"),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("'accel.macs'"));

    [Test]
    public void Counters_AreSortedOrdinallyByPath_WhateverTheRegistrationOrder()
    {
        // Ordinal: '.' (0x2E) < '_' (0x5F) < letters, so "a.z" < "a_b" < "b".
        var registry = new StatsRegistry();
        foreach (string path in new[] { "b", "a_b", "a.z", "a", "a.b" })
        {
            registry.RegisterCounter(path, StatUnit.Count, "Test counter");
        }

        string[] paths = [.. registry.Counters.Select(c => c.Path)];

        string[] expected = ["a", "a.b", "a.z", "a_b", "b"];
        Assert.That(paths, Is.EqualTo(expected));
    }

    [Test]
    public void Snapshot_CopiesEveryCounterSorted()
    {
        var registry = new StatsRegistry();
        registry.RegisterCounter("accel.gbuf.words_read", StatUnit.Words, "Words read").Add(40);
        registry.RegisterCounter("accel.array.macs", StatUnit.Macs, "Multiply-accumulates").Add(64);

        StatsSnapshot snapshot = registry.Snapshot();

        Assert.That(snapshot.Values, Is.EqualTo(new[]
        {
            new StatValue("accel.array.macs", StatUnit.Macs, "Multiply-accumulates", 64),
            new StatValue("accel.gbuf.words_read", StatUnit.Words, "Words read", 40),
        }));
    }

    [Test]
    public void Snapshot_IsNotChangedByLaterAddsOrRegistrations()
    {
        var registry = new StatsRegistry();
        Counter macs = registry.RegisterCounter("accel.macs", StatUnit.Macs, "Multiply-accumulates");
        macs.Add(10);
        StatsSnapshot snapshot = registry.Snapshot();

        macs.Add(5);
        registry.RegisterCounter("accel.stalls", StatUnit.Cycles, "Stall cycles");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(snapshot["accel.macs"], Is.EqualTo(10));
            Assert.That(snapshot.Count, Is.EqualTo(1));
            Assert.That(registry.Snapshot()["accel.macs"], Is.EqualTo(15));
        }
    }

    [Test]
    public void Snapshot_OfAnEmptyRegistry_IsEmpty() =>
        Assert.That(new StatsRegistry().Snapshot().Values, Is.Empty);
}
