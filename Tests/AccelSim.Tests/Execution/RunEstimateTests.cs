using System.Collections.Immutable;
using AccelSim.Execution;
using AccelSim.Hardware;
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

    /// <summary>FC 1,024 → 300 (307,200 weights) with slabs of 65,536 weights: 64 filters a slab, two slabs held at
    /// once = 131,072 weights × 16 bytes = 2,097,152; its activations (1,024 + 300) × 48 bytes = 63,552. Under stochastic
    /// rounding the layer is not processed in slabs: all 307,200 weights × 16 = 4,915,200, plus the same 63,552.</summary>
    [Test]
    public void LayersProcessedInSlabs_HoldTwoSlabsOfWeights()
    {
        Network network = TestNetworks.BigFc();
        AcceleratorConfig config = TestHardware.Tiny();
        AcceleratorConfig stochastic = config with { Bfp = config.Bfp with { Rounding = AccelSim.Numerics.RoundingMode.Stochastic } };
        NetworkNumerics.SlabWeightsOverride.Value = 64 * 1024;
        try
        {
            Assert.Multiple(() =>
            {
                Assert.That(RunEstimate.Of(config, network).Layers[0].NumericsBytes, Is.EqualTo(2_097_152 + 63_552));
                Assert.That(RunEstimate.Of(stochastic, network).Layers[0].NumericsBytes, Is.EqualTo(4_915_200 + 63_552));
            });
        }
        finally
        {
            NetworkNumerics.SlabWeightsOverride.Value = null;
        }
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

    [Test]
    public void PoolSteps_FollowTheStorageFormatOfTheMapItReads()
    {
        // c1: 1×1 conv of 8 filters on 2×16×16 → 8×16×16; p1: 2×2/2 max pool → 8×8×8, on the tiny config (float32
        // storage; ifmap buffer 4,096 bytes, half 2,048; ofmap 4,096). A pool step takes whole channel planes: one input
        // plane is 16×16 = 256 elements, one output plane 8×8 = 64 elements stored float32 (256 bytes; 16 fit the ofmap).
        //   c1 stores float32: 1,024 bytes a plane, 2 planes fit half the ifmap buffer: ceil(8 / 2) = 4 steps.
        //   c1 stores float16: 512 bytes a plane, 4 planes fit: ceil(8 / 4) = 2 steps.
        ConvLayer conv = TestNetworks.SquareConv(2, 16, 8, 1);
        PoolLayer pool = TestNetworks.TinyPool() with { InputShape = new TensorShape(8, 16, 16), OutputShape = new TensorShape(8, 8, 8) };
        Network Of(ActivationStorage? stored) => Network(conv with { ActivationStorage = stored }) with { Layers = [conv with { ActivationStorage = stored }, pool] };

        Assert.Multiple(() =>
        {
            Assert.That(RunEstimate.Of(TestHardware.Tiny(), Of(null)).Layers[1].Steps, Is.EqualTo(4));
            Assert.That(RunEstimate.Of(TestHardware.Tiny(), Of(ActivationStorage.Float16)).Layers[1].Steps, Is.EqualTo(2));
        });
    }

    [Test]
    public void ConvChunks_FollowTheStorageFormatOfItsInput()
    {
        // A 3×3 conv (pad 1) of 4 filters on 16×32×32 on the tiny 4×4 output-stationary array: a fold's 4 pixels span
        // min(32, ceil(4/32) + 1) = 2 output rows, so (2 − 1)·1 + 3 = 4 input rows of 32 pixels a channel: 128 elements.
        // The input (16·32·32 elements) is not resident in half the ifmap buffer (2,048 bytes) in either format; the
        // weights of 4 filters × 16 channels × 9 at bfp(5, 8) row blocks (4·144·8 + 4·5 = 4,628 bits = 579 bytes) are.
        //   float32: 512 bytes a channel, 4 channels fit: ceil(16 / 4) = 4 chunks.
        //   float16: 256 bytes a channel, 8 channels fit: ceil(16 / 8) = 2 chunks.
        // Folds: ceil(32·32 / 4) × ceil(4 / 4) = 256; steps 256 × 4 = 1,024 and 256 × 2 = 512.
        Network network = Network(TestNetworks.SquareConv(16, 32, 4, 3, pad: 1));

        Assert.Multiple(() =>
        {
            Assert.That(RunEstimate.Of(TestHardware.Tiny(), network).Steps, Is.EqualTo(1024));
            Assert.That(RunEstimate.Of(TestHardware.Tiny() with { ActivationStorage = ActivationStorage.Float16 }, network).Steps, Is.EqualTo(512));
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
