using AccelSim.Kernel;

namespace AccelSim.Tests.Kernel;

/// <summary>End-of-run checks of <see cref="Simulation.RunToCompletion"/>: deadlocks and the max-cycles guard.</summary>
public sealed class RunToCompletionTests
{
    [Test]
    public void AllComponentsIdle_Returns_WithNowAtTheLastEvent()
    {
        // The worker has work until the event at 4 + 3 = 7 finishes it; the run ends there with nothing pending.
        var simulation = new Simulation();
        var worker = new StubComponent(simulation, "top.worker") { Waiting = "waits for cycle 7" };
        simulation.Schedule(4, () => simulation.Schedule(3, () => worker.Waiting = null));

        simulation.RunToCompletion();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(worker.PendingWork, Is.Null);
            Assert.That(simulation.Now, Is.EqualTo(new Cycle(7)));
        }
    }

    [Test]
    public void ConsumerWaitingOnAProducerThatNeverSends_ThrowsDeadlock_NamingBothPathsSorted()
    {
        // The producer registers first; the report must still list the consumer first (ordinal path order).
        var simulation = new Simulation();
        _ = new StubComponent(simulation, "top.producer") { Waiting = "waits for a start signal before sending 2 items to top.link" };
        _ = new StubComponent(simulation, "top.consumer") { Waiting = "waits for item 1 of 2 on top.link" };
        simulation.Schedule(5, () => { });

        var exception = Assert.Throws<DeadlockException>(simulation.RunToCompletion);

        string[] expectedLines =
        [
            "top.consumer: waits for item 1 of 2 on top.link",
            "top.producer: waits for a start signal before sending 2 items to top.link",
        ];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Lines, Is.EqualTo(expectedLines));
            Assert.That(exception.At, Is.EqualTo(new Cycle(5)));
            Assert.That(exception.Message, Is.EqualTo(
                "simulation deadlocked at cycle 5: no events remain but 2 component(s) report pending work:\n"
                + "  " + expectedLines[0] + "\n"
                + "  " + expectedLines[1]));
        }
    }

    [Test]
    public void Livelock_ThrowsMaxCyclesExceeded_WithTheLimitInTheMessage()
    {
        // Ticks at 0, 10, ..., 100 all lie within the limit of 100 (11 events); the tick due at 110 passes it.
        var simulation = new Simulation(new SimulationOptions { MaxCycles = 100 });
        _ = new Ticker(simulation, "top.ticker", periodCycles: 10);

        var exception = Assert.Throws<MaxCyclesExceededException>(simulation.RunToCompletion);

        string[] expectedPending = ["top.ticker: ticks forever"];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Message, Is.EqualTo(
                "simulation passed the limit of 100 cycles at cycle 110; pending: 1 queued event(s); "
                + "top.ticker: ticks forever; raise max_cycles or check for a livelock"));
            Assert.That(exception.MaxCycles, Is.EqualTo(100));
            Assert.That(exception.At, Is.EqualTo(new Cycle(110)));
            Assert.That(exception.Pending, Is.EqualTo(expectedPending));
            Assert.That(simulation.ProcessedEvents, Is.EqualTo(11));
            Assert.That(simulation.Now, Is.EqualTo(new Cycle(100)));
        }
    }

    [Test]
    public void EventAtExactlyMaxCycles_Runs()
    {
        var simulation = new Simulation(new SimulationOptions { MaxCycles = 50 });
        var log = new EventLog(simulation);
        simulation.Schedule(50, log.Recorder("at the limit"));

        simulation.RunToCompletion();

        Assert.That(log.Entries, Is.EqualTo(new[] { (50L, "at the limit") }));
    }

    [Test]
    public void EventOneCyclePastMaxCycles_Throws_AndDoesNotRun()
    {
        var simulation = new Simulation(new SimulationOptions { MaxCycles = 50 });
        var log = new EventLog(simulation);
        simulation.Schedule(51, log.Recorder("past the limit"));

        Assert.That(simulation.RunToCompletion, Throws.TypeOf<MaxCyclesExceededException>()
            .With.Message.StartsWith("simulation passed the limit of 50 cycles at cycle 51;"));
        Assert.That(log.Entries, Is.Empty);
    }

    [Test]
    public void Run_AlsoEnforcesMaxCycles_ButAnEarlierCallerLimitWins()
    {
        // MaxCycles 50, event at 60: Run(40) stops at its own limit first; Run() then meets the guard.
        var simulation = new Simulation(new SimulationOptions { MaxCycles = 50 });
        simulation.Schedule(60, () => { });

        StopReason reason = simulation.Run(new Cycle(40));

        Assert.That(reason, Is.EqualTo(StopReason.ReachedLimit));
        Assert.That(() => simulation.Run(), Throws.TypeOf<MaxCyclesExceededException>());
    }
}
