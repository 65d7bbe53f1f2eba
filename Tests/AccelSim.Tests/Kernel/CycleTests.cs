using AccelSim.Kernel;

namespace AccelSim.Tests.Kernel;

public sealed class CycleTests
{
    [Test]
    public void Zero_IsTheDefaultInstant() =>
        Assert.That(Cycle.Zero, Is.EqualTo(default(Cycle)).And.EqualTo(new Cycle(0)));

    [Test]
    public void PlusDelay_IsTheLaterInstant()
    {
        var start = new Cycle(10);

        Cycle end = start + 5;

        Assert.That(end, Is.EqualTo(new Cycle(15)));
    }

    [Test]
    public void Difference_IsTheDurationInCycles_AndMayBeNegative()
    {
        var early = new Cycle(7);
        var late = new Cycle(19);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(late - early, Is.EqualTo(12L));
            Assert.That(early - late, Is.EqualTo(-12L));
        }
    }

    [Test]
    public void Comparisons_OrderByValue()
    {
        var one = new Cycle(1);
        var two = new Cycle(2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(one < two, Is.True);
            Assert.That(two > one, Is.True);
            Assert.That(one <= new Cycle(1), Is.True);
            Assert.That(two >= new Cycle(2), Is.True);
            Assert.That(two < one, Is.False);
            Assert.That(one.CompareTo(two), Is.Negative);
            Assert.That(two.CompareTo(new Cycle(2)), Is.Zero);
        }
    }

    [Test]
    public void ToString_IsThePlainInvariantInteger() =>
        Assert.That(new Cycle(1234567).ToString(), Is.EqualTo("1234567"));

    [Test]
    public void Construction_RejectsNegativeValues() =>
        Assert.That(() => new Cycle(-1), Throws.TypeOf<ArgumentOutOfRangeException>());

    [Test]
    public void PlusDelay_BelowZero_Throws()
    {
        var start = new Cycle(10);

        Assert.That(() => start + (-11), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void PlusDelay_PastLongMaxValue_ThrowsOverflow()
    {
        var last = new Cycle(long.MaxValue);

        Assert.That(() => last + 1, Throws.TypeOf<OverflowException>());
    }
}
