using AccelSim.Statistics;

namespace AccelSim.Tests.Statistics;

public sealed class CounterTests
{
    [Test]
    public void NewCounter_StartsAtZero_AndKeepsItsRegistration()
    {
        Counter counter = new StatsRegistry().RegisterCounter("accel.gbuf.words_read", StatUnit.Words, "Words read");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(counter.Value, Is.Zero);
            Assert.That(counter.Path, Is.EqualTo("accel.gbuf.words_read"));
            Assert.That(counter.Unit, Is.EqualTo(StatUnit.Words));
            Assert.That(counter.Description, Is.EqualTo("Words read"));
        }
    }

    [Test]
    public void AddAndIncrement_Accumulate()
    {
        Counter counter = NewCounter();

        counter.Add(5);
        counter.Add(0);
        counter.Increment();

        // 5 + 0 + 1
        Assert.That(counter.Value, Is.EqualTo(6));
    }

    [Test]
    public void Add_NegativeAmount_ThrowsNamingThePath_AndLeavesTheValue()
    {
        Counter counter = NewCounter();
        counter.Add(3);

        Assert.That(() => counter.Add(-1),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("'accel.macs'"));
        Assert.That(counter.Value, Is.EqualTo(3));
    }

    [Test]
    public void Add_PastLongMaxValue_ThrowsNamingThePath()
    {
        Counter counter = NewCounter();
        counter.Add(long.MaxValue);

        Assert.That(counter.Increment, Throws.TypeOf<OverflowException>().With.Message.Contains("'accel.macs'"));
        Assert.That(counter.Value, Is.EqualTo(long.MaxValue));
    }

    [Test]
    public void ToString_ShowsPathValueAndUnit()
    {
        Counter counter = NewCounter();
        counter.Add(12);

        Assert.That(counter.ToString(), Is.EqualTo("accel.macs = 12 Macs"));
    }

    private static Counter NewCounter() =>
        new StatsRegistry().RegisterCounter("accel.macs", StatUnit.Macs, "Multiply-accumulates performed");
}
