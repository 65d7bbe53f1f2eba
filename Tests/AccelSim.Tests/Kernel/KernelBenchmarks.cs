using System.Diagnostics;
using System.Globalization;
using AccelSim.Kernel;

namespace AccelSim.Tests.Kernel;

/// <summary>Throughput of the event loop. Run on demand, in Release:
/// <c>dotnet test -c Release --filter TestCategory=Benchmark --logger "console;verbosity=detailed"</c>.</summary>
[Explicit("Benchmark: run on demand")]
[Category("Benchmark")]
public sealed class KernelBenchmarks
{
    private const long TotalEvents = 10_000_000;

    [Test]
    public void TenMillionEvents_FromSelfReschedulingActivities()
    {
        // 1,024 activities each keep one event queued, rescheduling themselves with a pseudo-random delay of 0-15
        // cycles and a rotating priority: a steady queue of about 1,000 events, like a busy accelerator model.
        var simulation = new Simulation();
        var budget = new Budget(TotalEvents);
        for (int i = 0; i < 1_024; i++)
        {
            _ = new Activity(simulation, budget, seed: (uint)i + 1);
        }

        var stopwatch = Stopwatch.StartNew();
        simulation.Run();
        stopwatch.Stop();

        Report("self-rescheduling activities", simulation.ProcessedEvents, stopwatch.Elapsed);
        Assert.That(simulation.ProcessedEvents, Is.EqualTo(TotalEvents + 1_024));
    }

    [Test]
    public void TenMillionEvents_ScheduledUpFront()
    {
        // Worst case for the heap: all 10 million events are queued before the run starts.
        var simulation = new Simulation();
        Action handler = () => { };
        uint state = 1;

        var stopwatch = Stopwatch.StartNew();
        for (long i = 0; i < TotalEvents; i++)
        {
            state = (state * 1_664_525) + 1_013_904_223;
            simulation.Schedule(state >> 12, handler, (EventPriority)(state & 3));
        }

        simulation.Run();
        stopwatch.Stop();

        Report("scheduled up front", simulation.ProcessedEvents, stopwatch.Elapsed);
        Assert.That(simulation.ProcessedEvents, Is.EqualTo(TotalEvents));
    }

    private static void Report(string scenario, long events, TimeSpan elapsed)
    {
        double perSecond = events / elapsed.TotalSeconds;
        TestContext.Progress.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{scenario}: {events:N0} events in {elapsed.TotalMilliseconds:F0} ms = {perSecond / 1e6:F2} M events/s"));
    }

    private sealed class Budget(long events)
    {
        public long Remaining { get; set; } = events;
    }

    private sealed class Activity : Component
    {
        private readonly Budget _budget;
        private readonly Action _step;
        private uint _state;

        public Activity(Simulation simulation, Budget budget, uint seed)
            : base(simulation, string.Create(CultureInfo.InvariantCulture, $"activity_{seed}"))
        {
            _budget = budget;
            _state = seed;
            _step = Step;
            simulation.Schedule(0, _step);
        }

        private void Step()
        {
            if (_budget.Remaining <= 0)
            {
                return;
            }

            _budget.Remaining--;
            _state = (_state * 1_664_525) + 1_013_904_223;
            Simulation.Schedule(_state >> 28, _step, (EventPriority)((_state >> 20) & 3));
        }
    }
}
