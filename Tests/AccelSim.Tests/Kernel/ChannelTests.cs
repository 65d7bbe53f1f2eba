using AccelSim.Kernel;

namespace AccelSim.Tests.Kernel;

public sealed class ChannelTests
{
    [TestCase(1L)]
    [TestCase(4L)]
    [TestCase(25L)]
    public void ItemSentAtT_IsTakeableAtTPlusLatency_AndNotAtTPlusLatencyMinusOne(long latencyCycles)
    {
        // Sent at t = 10. The probes are scheduled before the send, so they precede it in insertion order; the
        // probe at t + L - 1 runs at Low priority, after anything else in its cycle, and still finds nothing.
        const long sendCycle = 10;
        var simulation = new Simulation();
        var link = new Channel<string>(simulation, "top.link", capacity: 1, latencyCycles);
        int availableBefore = -1;
        bool takenBefore = true;
        bool takenAt = false;
        string? item = null;
        simulation.ScheduleAt(new Cycle(sendCycle + latencyCycles - 1), () =>
        {
            availableBefore = link.AvailableCount;
            takenBefore = link.TryTake(out _);
        }, EventPriority.Low);
        simulation.ScheduleAt(new Cycle(sendCycle + latencyCycles), () => takenAt = link.TryTake(out item));
        simulation.ScheduleAt(new Cycle(sendCycle), () => link.Send("payload"));

        simulation.Run();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(availableBefore, Is.Zero);
            Assert.That(takenBefore, Is.False);
            Assert.That(takenAt, Is.True);
            Assert.That(item, Is.EqualTo("payload"));
        }
    }

    [Test]
    public void ZeroLatency_DeliversInTheSendingCycle_AfterTheSendingEventReturns()
    {
        var simulation = new Simulation();
        var log = new EventLog(simulation);
        var link = new Channel<int>(simulation, "top.link", capacity: 1, latencyCycles: 0);
        link.OnArrival(log.Recorder("arrival"));
        simulation.Schedule(3, () =>
        {
            log.Add("send begins");
            link.Send(7);
            log.Add("send returns");
        });

        simulation.Run();

        Assert.That(log.Entries, Is.EqualTo(new[] { (3L, "send begins"), (3L, "send returns"), (3L, "arrival") }));
    }

    [Test]
    public void Items_ArriveInSendOrder()
    {
        // Latency 3: items 1 and 2 sent at cycle 0 arrive at 3; item 3 sent at cycle 1 arrives at 4.
        var simulation = new Simulation();
        var link = new Channel<int>(simulation, "top.link", capacity: 8, latencyCycles: 3);
        var consumer = new CountingConsumer(simulation, "top.consumer", link, expected: 3);
        simulation.Schedule(0, () =>
        {
            link.Send(1);
            link.Send(2);
        });
        simulation.Schedule(1, () => link.Send(3));

        simulation.RunToCompletion();

        Assert.That(consumer.Taken, Is.EqualTo(new[] { (3L, 1), (3L, 2), (4L, 3) }));
    }

    [Test]
    public void Capacity_CountsInFlightAndUntakenItems_AndATakeFreesASlot()
    {
        // Capacity 2, latency 5. Two sends at cycle 0 fill the channel. At cycle 5 both have arrived but, not yet
        // taken, still hold their slots; one TryTake frees one slot.
        var simulation = new Simulation();
        var link = new Channel<int>(simulation, "top.link", capacity: 2, latencyCycles: 5);
        bool canSendWhenFull = true;
        Exception? thirdSend = null;
        bool canSendAfterArrival = true;
        int availableAfterArrival = -1;
        bool canSendAfterTake = false;
        simulation.Schedule(0, () =>
        {
            link.Send(1);
            link.Send(2);
            canSendWhenFull = link.CanSend;
            thirdSend = Assert.Throws<InvalidOperationException>(() => link.Send(3));
        });
        simulation.Schedule(5, () =>
        {
            canSendAfterArrival = link.CanSend;
            availableAfterArrival = link.AvailableCount;
            link.TryTake(out _);
            canSendAfterTake = link.CanSend;
        });

        simulation.Run();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(canSendWhenFull, Is.False);
            Assert.That(thirdSend, Is.Not.Null);
            Assert.That(thirdSend!.Message, Does.Contain("'top.link'").And.Contain("at cycle 0"));
            Assert.That(canSendAfterArrival, Is.False);
            Assert.That(availableAfterArrival, Is.EqualTo(2));
            Assert.That(canSendAfterTake, Is.True);
        }
    }

    [Test]
    public void SpaceFreed_IsAScheduledUrgentEvent_NotACallFromInsideTryTake()
    {
        // At cycle 3 the take event and "other" (both Normal) are queued. The notification is scheduled during the
        // take with zero delay at Urgent priority: after the take event returns, and before "other".
        var simulation = new Simulation();
        var log = new EventLog(simulation);
        var link = new Channel<int>(simulation, "top.link", capacity: 1, latencyCycles: 1);
        link.OnSpaceFreed(log.Recorder("space freed"));
        link.Send(9);
        simulation.Schedule(3, () =>
        {
            log.Add("take begins");
            link.TryTake(out _);
            log.Add("take returns");
        });
        simulation.Schedule(3, log.Recorder("other"));

        simulation.Run();

        Assert.That(log.Entries, Is.EqualTo(new[]
        {
            (3L, "take begins"), (3L, "take returns"), (3L, "space freed"), (3L, "other"),
        }));
    }

    [Test]
    public void SpaceFreed_FiresOncePerTakenItem()
    {
        var simulation = new Simulation();
        var log = new EventLog(simulation);
        var link = new Channel<int>(simulation, "top.link", capacity: 3, latencyCycles: 1);
        link.OnSpaceFreed(log.Recorder("space freed"));
        link.Send(1);
        link.Send(2);
        simulation.Schedule(2, () =>
        {
            while (link.TryTake(out _))
            {
            }
        });

        simulation.Run();

        Assert.That(log.Entries, Is.EqualTo(new[] { (2L, "space freed"), (2L, "space freed") }));
    }

    [Test]
    public void Arrival_FiresOncePerItem_AtItsArrivalCycle()
    {
        // Latency 1: two items sent at 0 arrive at 1, one sent at 2 arrives at 3. The handler does not take, so
        // the available count climbs with each arrival.
        var simulation = new Simulation();
        var link = new Channel<int>(simulation, "top.link", capacity: 3, latencyCycles: 1);
        var arrivals = new List<(long Cycle, int Available)>();
        link.OnArrival(() => arrivals.Add((simulation.Now.Value, link.AvailableCount)));
        link.Send(1);
        link.Send(2);
        simulation.Schedule(2, () => link.Send(3));

        simulation.Run();

        Assert.That(arrivals, Is.EqualTo(new[] { (1L, 1), (1L, 2), (3L, 3) }));
    }

    [Test]
    public void TryTake_WhenNothingHasArrived_ReturnsFalseAndDefault()
    {
        var simulation = new Simulation();
        var link = new Channel<string>(simulation, "top.link", capacity: 1, latencyCycles: 2);
        link.Send("in flight");

        bool taken = link.TryTake(out string? item);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(taken, Is.False);
            Assert.That(item, Is.Null);
            Assert.That(link.InFlightCount, Is.EqualTo(1));
        }
    }

    [Test]
    public void SecondArrivalBinding_Throws()
    {
        var link = new Channel<int>(new Simulation(), "top.link", capacity: 1, latencyCycles: 1);
        link.OnArrival(() => { });

        Assert.That(() => link.OnArrival(() => { }),
            Throws.InvalidOperationException.With.Message.Contains("'top.link'"));
    }

    [Test]
    public void SecondSpaceFreedBinding_Throws()
    {
        var link = new Channel<int>(new Simulation(), "top.link", capacity: 1, latencyCycles: 1);
        link.OnSpaceFreed(() => { });

        Assert.That(() => link.OnSpaceFreed(() => { }),
            Throws.InvalidOperationException.With.Message.Contains("'top.link'"));
    }

    [Test]
    public void Bindings_AreReported()
    {
        var link = new Channel<int>(new Simulation(), "top.link", capacity: 1, latencyCycles: 1);
        bool arrivalBefore = link.HasArrivalHandler;

        link.OnArrival(() => { });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(arrivalBefore, Is.False);
            Assert.That(link.HasArrivalHandler, Is.True);
            Assert.That(link.HasSpaceFreedHandler, Is.False);
        }
    }

    [TestCase(0, 1L, "capacity")]
    [TestCase(1, -1L, "latencyCycles")]
    public void InvalidParameters_Throw_AndNothingIsRegistered(int capacity, long latencyCycles, string parameter)
    {
        var simulation = new Simulation();

        Assert.That(() => new Channel<int>(simulation, "top.link", capacity, latencyCycles),
            Throws.TypeOf<ArgumentOutOfRangeException>()
                .With.Property(nameof(ArgumentException.ParamName)).EqualTo(parameter)
                .And.Message.Contains("'top.link'"));
        Assert.That(simulation.Components, Is.Empty);
    }

    [Test]
    public void Channel_IsARegisteredComponent_WhosePendingWorkCountsItsItems()
    {
        var simulation = new Simulation();
        var link = new Channel<int>(simulation, "top.link", capacity: 4, latencyCycles: 10);
        string? idle = link.PendingWork;
        link.Send(1);
        link.Send(2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(simulation.Components, Is.EqualTo(new[] { link }));
            Assert.That(idle, Is.Null);
            Assert.That(link.PendingWork, Is.EqualTo("2 in flight, 0 arrived and not taken (capacity 4)"));
        }
    }

    [Test]
    public void SteadyStateTraffic_AllocatesNothing()
    {
        // Once the queues have grown, moving items through a channel schedules cached delegates only.
        var simulation = new Simulation();
        var link = new Channel<int>(simulation, "top.link", capacity: 4, latencyCycles: 2);
        var pump = new Pump(link, items: 1_000);
        link.OnArrival(() => link.TryTake(out _));
        pump.Start(simulation);
        simulation.Run();
        pump.Restart();

        long before = GC.GetAllocatedBytesForCurrentThread();
        pump.Start(simulation);
        simulation.Run();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(pump.Remaining, Is.Zero);
            Assert.That(allocated, Is.Zero);
        }
    }

    /// <summary>Sends a fixed number of items as fast as back-pressure allows.</summary>
    private sealed class Pump
    {
        private readonly Channel<int> _link;
        private readonly int _items;
        private readonly Action _fill;

        public Pump(Channel<int> link, int items)
        {
            _link = link;
            _items = items;
            Remaining = items;
            _fill = Fill;
            link.OnSpaceFreed(_fill);
        }

        public int Remaining { get; private set; }

        public void Start(Simulation simulation) => simulation.Schedule(0, _fill);

        public void Restart() => Remaining = _items;

        private void Fill()
        {
            while (Remaining > 0 && _link.CanSend)
            {
                _link.Send(Remaining--);
            }
        }
    }
}
