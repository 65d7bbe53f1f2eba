using System.Collections.Immutable;
using AccelSim.Energy;
using AccelSim.Reports;
using AccelSim.Statistics;

namespace AccelSim.Tests.Reports;

public sealed class RunResultTests
{
    [Test]
    public void PowerAndEfficiency_FollowFromEnergyCyclesAndMacs()
    {
        // 10^6 pJ over 1,000 cycles at 1,000 MHz (1 µs) → 1 µJ / 1 µs = 1 W. 500,000 MACs = 10^6 operations per 10^6 pJ
        // → 1 op/pJ = 1 TOPS/W. Batch 2 → 0.5·10^6 pJ per inference.
        var layer = new LayerResult
        {
            Name = "l", Type = "conv", Macs = 500_000, TotalCycles = 1000, ComputeCycles = 1000,
            StallCyclesByCause = ImmutableSortedDictionary<StallCause, long>.Empty, OverallUtilization = 0.5, DramReadBytes = 0,
            DramWriteBytes = 0, Energy = new EnergyBreakdown([new EnergyLine("pe_array", "mac", 1_000_000, 1, "int_mult")]),
            Numerics = null, Mapping = "", Events = 0,
        };
        var result = new RunResult
        {
            ConfigName = "c", WorkloadName = "w", Batch = 2, PeCount = 1000, ClockMegahertz = 1000, Layers = [layer], Agreement = null,
        };

        Assert.Multiple(() =>
        {
            Assert.That(result.AveragePowerWatts, Is.EqualTo(1).Within(1e-12));
            Assert.That(result.TopsPerWatt, Is.EqualTo(1).Within(1e-12));
            Assert.That(result.EnergyPerInferencePicoJoules, Is.EqualTo(500_000));
        });
    }
}
