using AccelSim.Kernel;

namespace AccelSim.Tests.Kernel;

public sealed class SimulationTests
{
    [Test]
    public void NewSimulation_StartsAtCycleZeroWithNothingQueued()
    {
        var simulation = new Simulation();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(simulation.Now, Is.EqualTo(Cycle.Zero));
            Assert.That(simulation.QueuedEvents, Is.Zero);
            Assert.That(simulation.ProcessedEvents, Is.Zero);
            Assert.That(simulation.Components, Is.Empty);
            Assert.That(simulation.Stats.Counters, Is.Empty);
            Assert.That(simulation.Options.MaxCycles, Is.EqualTo(long.MaxValue));
        }
    }

    [Test]
    public void SameCycle_LowerPriorityValueRunsFirst()
    {
        // Scheduled in the reverse of the expected order, so insertion order cannot explain the result.
        var simulation = new Simulation();
        var log = new EventLog(simulation);
        simulation.Schedule(5, log.Recorder("low"), EventPriority.Low);
        simulation.Schedule(5, log.Recorder("normal"), EventPriority.Normal);
        simulation.Schedule(5, log.Recorder("high"), EventPriority.High);
        simulation.Schedule(5, log.Recorder("urgent"), EventPriority.Urgent);

        simulation.Run();

        Assert.That(log.Entries, Is.EqualTo(new[] { (5L, "urgent"), (5L, "high"), (5L, "normal"), (5L, "low") }));
    }

    [Test]
    public void SameCycleAndPriority_RunsInInsertionOrder()
    {
        var simulation = new Simulation();
        var log = new EventLog(simulation);
        foreach (string label in new[] { "e0", "e1", "e2", "e3", "e4" })
        {
            simulation.Schedule(3, log.Recorder(label));
        }

        simulation.Run();

        Assert.That(log.Entries, Is.EqualTo(new[] { (3L, "e0"), (3L, "e1"), (3L, "e2"), (3L, "e3"), (3L, "e4") }));
    }

    [Test]
    public void EarlierCycle_RunsFirst_WhateverThePriority()
    {
        var simulation = new Simulation();
        var log = new EventLog(simulation);
        simulation.Schedule(10, log.Recorder("urgent at 10"), EventPriority.Urgent);
        simulation.Schedule(9, log.Recorder("low at 9"), EventPriority.Low);

        simulation.Run();

        Assert.That(log.Entries, Is.EqualTo(new[] { (9L, "low at 9"), (10L, "urgent at 10") }));
    }

    [Test]
    public void ZeroDelayFromInsideAnEvent_RunsThisCycle_AfterQueuedEventsOfTheSamePriority()
    {
        // Cycle 2 holds a, b (Normal) and c (Low). While a runs it schedules a-normal and a-urgent with zero delay.
        // a-urgent outranks everything left in cycle 2; a-normal queues behind b, the Normal event already
        // waiting; c, being Low, still runs last.
        var simulation = new Simulation();
        var log = new EventLog(simulation);
        simulation.Schedule(2, () =>
        {
            log.Add("a");
            simulation.Schedule(0, log.Recorder("a-normal"));
            simulation.Schedule(0, log.Recorder("a-urgent"), EventPriority.Urgent);
        });
        simulation.Schedule(2, log.Recorder("b"));
        simulation.Schedule(2, log.Recorder("c"), EventPriority.Low);

        simulation.Run();

        Assert.That(log.Entries, Is.EqualTo(new[]
        {
            (2L, "a"), (2L, "a-urgent"), (2L, "b"), (2L, "a-normal"), (2L, "c"),
        }));
    }

    [Test]
    public void DelayedEvent_RunsAtNowPlusDelay()
    {
        // Scheduled at cycle 4 with a delay of 6: runs at 4 + 6 = 10.
        var simulation = new Simulation();
        var log = new EventLog(simulation);
        simulation.Schedule(4, () => simulation.Schedule(6, log.Recorder("later")));

        simulation.Run();

        Assert.That(log.Entries, Is.EqualTo(new[] { (10L, "later") }));
    }

    [Test]
    public void RunWithLimit_RunsEventsAtTheLimit_StopsBeforeLaterOnes_AndSetsNowToTheLimit()
    {
        var simulation = new Simulation();
        var log = new EventLog(simulation);
        simulation.Schedule(5, log.Recorder("at 5"));
        simulation.Schedule(10, log.Recorder("at 10"));
        simulation.Schedule(11, log.Recorder("at 11"));

        StopReason reason = simulation.Run(new Cycle(10));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Is.EqualTo(StopReason.ReachedLimit));
            Assert.That(simulation.Now, Is.EqualTo(new Cycle(10)));
            Assert.That(log.Entries, Is.EqualTo(new[] { (5L, "at 5"), (10L, "at 10") }));
            Assert.That(simulation.QueuedEvents, Is.EqualTo(1));
        }
    }

    [Test]
    public void RunWithLimit_BetweenEvents_AdvancesNowToTheLimit_AndALaterRunResumes()
    {
        var simulation = new Simulation();
        var log = new EventLog(simulation);
        simulation.Schedule(5, log.Recorder("at 5"));
        simulation.Schedule(20, log.Recorder("at 20"));

        StopReason first = simulation.Run(new Cycle(12));
        simulation.Schedule(1, log.Recorder("scheduled at 12 + 1"));
        StopReason second = simulation.Run();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo(StopReason.ReachedLimit));
            Assert.That(second, Is.EqualTo(StopReason.Drained));
            Assert.That(simulation.Now, Is.EqualTo(new Cycle(20)));
            Assert.That(log.Entries, Is.EqualTo(new[] { (5L, "at 5"), (13L, "scheduled at 12 + 1"), (20L, "at 20") }));
        }
    }

    [Test]
    public void RunWithLimit_WhenEventsRunOutFirst_ReturnsDrained_AndNowIsTheLastEvent()
    {
        var simulation = new Simulation();
        simulation.Schedule(7, () => { });

        StopReason reason = simulation.Run(new Cycle(100));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason, Is.EqualTo(StopReason.Drained));
            Assert.That(simulation.Now, Is.EqualTo(new Cycle(7)));
        }
    }

    [Test]
    public void RunWithLimit_BeforeNow_Throws()
    {
        Simulation simulation = AtCycle(8);

        Assert.That(() => simulation.Run(new Cycle(7)),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("current cycle 8"));
    }

    [Test]
    public void Schedule_NegativeDelay_ThrowsNamingNow()
    {
        Simulation simulation = AtCycle(7);

        Assert.That(() => simulation.Schedule(-1, () => { }), Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.Contains("-1").And.Message.Contains("current cycle is 7"));
    }

    [Test]
    public void Schedule_DelayThatOverflowsTheClock_Throws()
    {
        // At cycle 1, a delay of long.MaxValue would land at long.MaxValue + 1.
        Simulation simulation = AtCycle(1);

        Assert.That(() => simulation.Schedule(long.MaxValue, () => { }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("overflows"));
    }

    [Test]
    public void Schedule_NullHandler_Throws() =>
        Assert.That(() => new Simulation().Schedule(1, null!), Throws.ArgumentNullException);

    [Test]
    public void ScheduleAt_InThePast_ThrowsNamingNow()
    {
        Simulation simulation = AtCycle(7);

        Assert.That(() => simulation.ScheduleAt(new Cycle(6), () => { }), Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.Contains("cycle 6").And.Message.Contains("current cycle 7"));
    }

    [Test]
    public void ScheduleAt_Now_RunsThisCycle_AfterQueuedEventsOfTheSamePriority()
    {
        var simulation = new Simulation();
        var log = new EventLog(simulation);
        simulation.Schedule(3, () =>
        {
            log.Add("first");
            simulation.ScheduleAt(simulation.Now, log.Recorder("at now"));
        });
        simulation.Schedule(3, log.Recorder("second"));

        simulation.Run();

        Assert.That(log.Entries, Is.EqualTo(new[] { (3L, "first"), (3L, "second"), (3L, "at now") }));
    }

    [Test]
    public void ProcessedEvents_CountsHandlersRun()
    {
        var simulation = new Simulation();
        for (int i = 0; i < 6; i++)
        {
            simulation.Schedule(i, () => { });
        }

        simulation.Run(new Cycle(3));

        // Events at cycles 0, 1, 2 and 3 fall within the limit.
        Assert.That(simulation.ProcessedEvents, Is.EqualTo(4));
    }

    [Test]
    public void Run_FromInsideAHandler_Throws()
    {
        var simulation = new Simulation();
        simulation.Schedule(1, () => simulation.Run());

        Assert.That(() => simulation.Run(), Throws.InvalidOperationException.With.Message.Contains("inside an event"));
    }

    [Test]
    public void HandlerException_Propagates_NowStaysAtItsCycle_AndTheRestCanStillRun()
    {
        var simulation = new Simulation();
        var log = new EventLog(simulation);
        simulation.Schedule(1, () => throw new InvalidOperationException("boom"));
        simulation.Schedule(2, log.Recorder("after"));

        Assert.That(() => simulation.Run(), Throws.InvalidOperationException.With.Message.EqualTo("boom"));
        Cycle nowAfterThrow = simulation.Now;
        StopReason reason = simulation.Run();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(nowAfterThrow, Is.EqualTo(new Cycle(1)));
            Assert.That(reason, Is.EqualTo(StopReason.Drained));
            Assert.That(log.Entries, Is.EqualTo(new[] { (2L, "after") }));
        }
    }

    [Test]
    public void Schedule_OnceTheQueueHasGrown_AllocatesNothing()
    {
        var simulation = new Simulation();
        Action handler = () => { };
        ScheduleBatch(simulation, handler);
        simulation.Run();

        long before = GC.GetAllocatedBytesForCurrentThread();
        ScheduleBatch(simulation, handler);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.Zero);

        static void ScheduleBatch(Simulation simulation, Action handler)
        {
            for (int i = 0; i < 1_000; i++)
            {
                simulation.Schedule(i % 13, handler, (EventPriority)(i % 4));
            }
        }
    }

    [Test]
    public void Options_NegativeMaxCycles_Throws() =>
        Assert.That(() => new SimulationOptions { MaxCycles = -1 }, Throws.TypeOf<ArgumentOutOfRangeException>());

    [Test]
    public void IdenticalModels_OnParallelThreads_GiveIdenticalResults()
    {
        // Each run owns all of its state, so four concurrent copies of one model must agree exactly.
        var results = new (long Cycle, int Item)[4][];

        Parallel.For(0, results.Length, i => results[i] = RunPipeline());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(results[0], Has.Length.EqualTo(500));
            Assert.That(results[1], Is.EqualTo(results[0]));
            Assert.That(results[2], Is.EqualTo(results[0]));
            Assert.That(results[3], Is.EqualTo(results[0]));
        }

        static (long Cycle, int Item)[] RunPipeline()
        {
            // Three producers hand over items i, i + 3, i + 6, … after 1 to 4 cycles each, at rotating priorities,
            // so items of different producers meet in the same cycles and the event order decides.
            var simulation = new Simulation();
            var taken = new List<(long Cycle, int Item)>(500);
            for (int first = 0; first < 3; first++)
            {
                Hand(first);
            }

            simulation.RunToCompletion();
            return [.. taken];

            void Hand(int item) => simulation.Schedule(1 + (item % 4), () =>
            {
                taken.Add((simulation.Now.Value, item));
                if (item + 3 < 500)
                {
                    Hand(item + 3);
                }
            }, (EventPriority)(item % 3));
        }
    }

    private static Simulation AtCycle(long cycle)
    {
        var simulation = new Simulation();
        simulation.Schedule(cycle, () => { });
        simulation.Run();
        return simulation;
    }
}
