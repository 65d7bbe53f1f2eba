using System.Collections.Immutable;
using AccelSim.Execution;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Execution;

public sealed class RunEstimateTests
{
    [Test]
    public void TimingOnlyPeak_DoesNotGrowWithTheFolds()
    {
        // A 3×3 conv of 4 filters on 2×1024×1024 and on 2×4096×4096 (tiny 4×4 array): 16 times the pixels, so at least 16
        // times the folds; schedules are generated as they are read, so timing alone takes the runtime's fixed share.
        RunEstimate small = RunEstimate.Of(TestHardware.Tiny(), Network(TestNetworks.SquareConv(2, 1024, 4, 3, pad: 1)));
        RunEstimate large = RunEstimate.Of(TestHardware.Tiny(), Network(TestNetworks.SquareConv(2, 4096, 4, 3, pad: 1)));

        Assert.Multiple(() =>
        {
            Assert.That(large.Steps, Is.GreaterThanOrEqualTo(16 * small.Steps));
            Assert.That(small.TimingPeakBytes, Is.EqualTo(RunEstimate.BaseBytes));
            Assert.That(large.TimingPeakBytes, Is.EqualTo(RunEstimate.BaseBytes));
            Assert.That(large.NumericsPeakBytes, Is.GreaterThan(small.NumericsPeakBytes), "the numerics hold whole tensors");
        });
    }

    [Test]
    public void WeightsLoadedFromAModel_CountSixTimesTheirBytes()
    {
        // The tiny conv's 4 filters × 2 channels × 3×3 = 72 weights and 4 biases, read from a model: 76 × 4 = 304 bytes
        // kept, 6 × 304 = 1,824 bytes at the load's peak, on top of the runtime's 128 MiB.
        float[] weights = new float[72];
        float[] bias = new float[4];
        var conv = TestNetworks.TinyConv() with { Weights = new LoadedWeights([.. weights], [.. bias], "test") };

        RunEstimate estimate = RunEstimate.Of(TestHardware.Tiny(), Network(conv));

        Assert.Multiple(() =>
        {
            Assert.That(estimate.LoadedBytes, Is.EqualTo(304));
            Assert.That(estimate.TimingPeakBytes, Is.EqualTo((128L << 20) + 1824));
            Assert.That(estimate.Describe(numerics: false), Does.Contain("304 B of weights loaded from a model"));
        });
    }

    [Test]
    public void ConcurrentRuns_ShareTheRuntime()
    {
        // Three runs at once: the runtime once, each run's numerics three times.
        RunEstimate estimate = RunEstimate.Of(TestHardware.Tiny(), TestNetworks.Tiny());
        long perRun = estimate.NumericsPeakBytes - RunEstimate.BaseBytes;

        Assert.Multiple(() =>
        {
            Assert.That(perRun, Is.GreaterThan(0));
            Assert.That(estimate.PeakBytes(numerics: true, runs: 3), Is.EqualTo(RunEstimate.BaseBytes + (3 * perRun)));
            Assert.That(estimate.PeakBytes(numerics: false, runs: 3), Is.EqualTo(RunEstimate.BaseBytes));
        });
    }

    private static Network Network(ConvLayer conv) => new()
    {
        Name = "one",
        Batch = 1,
        InputShape = conv.InputShape,
        Inputs = new SyntheticInputs(1),
        Layers = ImmutableArray.Create<Layer>(conv),
    };
}
