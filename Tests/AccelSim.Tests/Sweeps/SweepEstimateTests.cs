using AccelSim.Execution;
using AccelSim.Sweeps;

namespace AccelSim.Tests.Sweeps;

public sealed class SweepEstimateTests
{
    [Test]
    public void Estimate_TakesTheLargestPoint_OfThoseThatRun()
    {
        // The small spec with numerics: 4 array sizes × 2 buffer sizes = 8 points; the constraint skips the 8- and 16-row
        // ones (4 points), so 4 run. The numerics do not depend on the array, so every point's peak is the same and the first
        // point (index 0) is the largest.
        using var folder = new SweepFolder();
        string spec = folder.Spec(SweepFolder.SmallSpec.Replace("numerics: false", "numerics: true", StringComparison.Ordinal)
            + "\nconstraints: [\"pe_array.rows < 8\"]\n");

        SweepEstimate? estimate = SweepRunner.Estimate(spec, Shard.All, jobs: 2);
        SweepPoint first = SweepPlan.Expand(AccelSim.Configuration.SweepSpecReader.Load(spec, SweepMetric.Names))[0];

        Assert.That(estimate, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(estimate!.Runnable, Is.EqualTo(4));
            Assert.That(estimate.Numerics, Is.True);
            Assert.That(estimate.PointId, Is.EqualTo(first.Id));
            Assert.That(estimate.Largest.NumericsPeakBytes, Is.GreaterThan(RunEstimate.BaseBytes));
        });
    }
}
