using AccelSim.Kernel;

namespace AccelSim.Tests.Kernel;

public sealed class EventQueueTests
{
    [Test]
    public void EmptyQueue_HasNothingToPeekOrDequeue()
    {
        var queue = new EventQueue();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(queue.Count, Is.Zero);
            Assert.That(queue.TryPeekTime(out _), Is.False);
            Assert.That(queue.TryDequeue(out _, out _), Is.False);
        }
    }

    [Test]
    public void Dequeue_FollowsCycleThenPriorityThenInsertionOrder()
    {
        // 5,000 events over 40 cycles and 4 priorities give about 31 per (cycle, priority) pair, so FIFO ties are
        // exercised heavily. The expected order is a stable sort by (cycle, priority) of the insertion order.
        var random = new Random(20_261_128);
        var queue = new EventQueue();
        var inserted = new List<(long Cycle, EventPriority Priority, int Index)>();
        var dequeued = new List<int>();
        for (int i = 0; i < 5_000; i++)
        {
            int index = i;
            var at = new Cycle(random.Next(40));
            var priority = (EventPriority)random.Next(4);
            inserted.Add((at.Value, priority, index));
            queue.Schedule(at, priority, () => dequeued.Add(index));
        }

        int[] expected = [.. inserted.OrderBy(e => e.Cycle).ThenBy(e => e.Priority).Select(e => e.Index)];
        var times = new List<long>();
        while (queue.TryDequeue(out Cycle at, out Action? handler))
        {
            times.Add(at.Value);
            handler();
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(dequeued, Is.EqualTo(expected));
            Assert.That(times, Is.Ordered);
            Assert.That(queue.Count, Is.Zero);
        }
    }

    [Test]
    public void InterleavedScheduleAndDequeue_MatchesALinearScanOracle()
    {
        // The oracle keeps a plain list and picks the smallest (cycle, priority, sequence) by linear scan. Events are
        // only scheduled at or after the last dequeued cycle, as the simulation guarantees, and often at exactly that
        // cycle, which is where FIFO ties matter.
        var random = new Random(7);
        var queue = new EventQueue();
        var oracle = new List<(long Cycle, EventPriority Priority, long Sequence, int Id)>();
        var fromQueue = new List<int>();
        var fromOracle = new List<int>();
        long now = 0;
        long sequence = 0;
        int nextId = 0;
        for (int step = 0; step < 20_000; step++)
        {
            if (oracle.Count == 0 || random.Next(100) < 55)
            {
                int id = nextId++;
                long at = now + (random.Next(3) == 0 ? 0 : random.Next(6));
                var priority = (EventPriority)random.Next(4);
                queue.Schedule(new Cycle(at), priority, () => fromQueue.Add(id));
                oracle.Add((at, priority, sequence++, id));
                continue;
            }

            int first = 0;
            for (int i = 1; i < oracle.Count; i++)
            {
                if ((oracle[i].Cycle, oracle[i].Priority, oracle[i].Sequence)
                    .CompareTo((oracle[first].Cycle, oracle[first].Priority, oracle[first].Sequence)) < 0)
                {
                    first = i;
                }
            }

            fromOracle.Add(oracle[first].Id);
            now = oracle[first].Cycle;
            oracle.RemoveAt(first);
            queue.TryDequeue(out Cycle dequeuedAt, out Action? handler);
            handler!();
            Assert.That(dequeuedAt.Value, Is.EqualTo(now));
        }

        Assert.That(fromQueue, Is.EqualTo(fromOracle));
    }

    [Test]
    public void InsertionOrder_HoldsAcrossInterleavedDequeues()
    {
        // C is scheduled after A was dequeued; it still runs after B, which was scheduled before it.
        var queue = new EventQueue();
        var order = new List<string>();
        queue.Schedule(new Cycle(5), EventPriority.Normal, () => order.Add("A"));
        queue.Schedule(new Cycle(5), EventPriority.Normal, () => order.Add("B"));
        queue.TryDequeue(out _, out Action? first);
        first!();

        queue.Schedule(new Cycle(5), EventPriority.Normal, () => order.Add("C"));
        while (queue.TryDequeue(out _, out Action? next))
        {
            next();
        }

        string[] expected = ["A", "B", "C"];
        Assert.That(order, Is.EqualTo(expected));
    }

    [Test]
    public void TryPeekTime_ReportsTheEarliestCycleWithoutRemovingIt()
    {
        var queue = new EventQueue();
        queue.Schedule(new Cycle(9), EventPriority.Urgent, () => { });
        queue.Schedule(new Cycle(4), EventPriority.Low, () => { });

        bool found = queue.TryPeekTime(out Cycle at);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found, Is.True);
            Assert.That(at, Is.EqualTo(new Cycle(4)));
            Assert.That(queue.Count, Is.EqualTo(2));
        }
    }

    [Test]
    public void Schedule_NullHandler_Throws() =>
        Assert.That(() => new EventQueue().Schedule(Cycle.Zero, EventPriority.Normal, null!),
            Throws.ArgumentNullException);

    [TestCase(-1)]
    [TestCase(4)]
    public void Schedule_UndefinedPriority_Throws(int priority) =>
        Assert.That(() => new EventQueue().Schedule(Cycle.Zero, (EventPriority)priority, () => { }),
            Throws.TypeOf<ArgumentOutOfRangeException>());

    [Test]
    public void Schedule_OnceTheHeapHasGrown_AllocatesNothing()
    {
        var queue = new EventQueue();
        Action handler = () => { };
        Fill(queue, handler);
        Drain(queue);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Fill(queue, handler);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.Zero);

        static void Fill(EventQueue queue, Action handler)
        {
            for (int i = 0; i < 1_000; i++)
            {
                queue.Schedule(new Cycle(i % 17), (EventPriority)(i % 4), handler);
            }
        }

        static void Drain(EventQueue queue)
        {
            while (queue.TryDequeue(out _, out _))
            {
            }
        }
    }
}
