using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Reports;
using AccelSim.Statistics;
using AccelSim.Tensors;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Execution;

/// <summary>Sparse weights change what the hardware stores (traffic), what it computes (cycles) and what it spends (energy).</summary>
public sealed class SparseExecutionTests
{
    /// <summary>The tiny conv (C = 2, 4 filters 3×3, K = 18) with input channel 0's weights zero in every filter:
    /// k 0..8 are zero, k 9..17 non-zero (36 of 72 weights).</summary>
    private static ConvLayer HalfZeroConv() => TestNetworks.TinyConv() with { NonZeroWeights = new WeightMask(4, 18, (_, k) => k >= 9) };

    private static AcceleratorConfig Tiny(ZeroOperandPolicy zeros = ZeroOperandPolicy.None, WeightStorage storage = WeightStorage.Dense)
    {
        var tiny = TestHardware.Tiny();
        return tiny with { WeightStorage = storage, PeArray = tiny.PeArray with { ZeroOperands = zeros } };
    }

    [Test]
    public void Skip_LeavesOutTheReductionStepsWhereEveryFilterIsZero()
    {
        LayerTiming dense = LayerSimulator.Run(HalfZeroConv(), 1, Tiny());
        LayerTiming skip = LayerSimulator.Run(HalfZeroConv(), 1, Tiny(ZeroOperandPolicy.Skip));

        using (Assert.EnterMultipleScope())
        {
            // Dense: 9 folds × 18 reduction steps = 162 compute cycles, plus 9 × (4 + 4 − 2) = 54 of fill and drain (see
            // LayerSimulatorTests). Skipping the 9 zero steps: 9 × 9 = 81, the fill and drain unchanged.
            Assert.That(dense.ComputeCycles, Is.EqualTo(162));
            Assert.That(skip.ComputeCycles, Is.EqualTo(81));
            Assert.That(skip.StallCyclesByCause[StallCause.FillDrain], Is.EqualTo(9 * 6));

            // 4 × 4 PEs × 9 steps × 9 folds performed, as many skipped; together the layer's 2,592 MACs.
            Assert.That((skip.Activity.Of(ComputeEngine.Macs), skip.Activity.Of(ComputeEngine.SkippedMacs)), Is.EqualTo((1296L, 1296L)));

            // Half the (real) input elements are streamed: per fold 22, 25, 33, 33, 30, 33, 33, 25, 22 of the dense
            // 44, 50, 66, 66, 60, 66, 66, 50, 44; at 4 B in 16-B words: 6 + 7 + 9 + 9 + 8 + 9 + 9 + 7 + 6 = 70.
            Assert.That(skip.Activity.Of(ComputeEngine.IfmapReadWords, ComponentId.Ifmap), Is.EqualTo(70));
        }
    }

    [Test]
    public void Gate_DoesNotSkip()
    {
        LayerTiming gate = LayerSimulator.Run(HalfZeroConv(), 1, Tiny(ZeroOperandPolicy.Gate));

        Assert.That((gate.ComputeCycles, gate.Activity.Of(ComputeEngine.Macs), gate.Activity.Of(ComputeEngine.SkippedMacs)), Is.EqualTo((162L, 2592L, 0L)), "9 folds × 18 steps; fill and drain apart");
    }

    [TestCase(WeightStorage.Dense, 75)]
    [TestCase(WeightStorage.Bitmap, 48)]
    [TestCase(WeightStorage.Csr, 66)]
    public void Storage_SetsTheWeightBytesFetched(WeightStorage storage, long weightBytes)
    {
        // Dense: 72 × 8 + 4 × 5 = 596 bits → 75 B. Bitmap: 72 presence bits + 36 × 8 + 20 = 380 → 48 B.
        // CSR: 36 × (8 + ceil(log2 18) = 5) + 5 offsets × ceil(log2 73) = 7 + 20 = 523 → 66 B. The input is 288 B.
        LayerTiming timing = LayerSimulator.Run(HalfZeroConv(), 1, Tiny(storage: storage));

        Assert.That(timing.DramReadBytes, Is.EqualTo(288 + weightBytes));
    }

    [Test]
    public void Skip_IsRefusedWhereTheDataflowCannotUseIt()
    {
        var config = Tiny(ZeroOperandPolicy.Skip);
        config = config with { PeArray = config.PeArray with { Dataflow = Dataflow.WeightStationary } };

        var error = Assert.Throws<AccelSim.Mapping.MappingException>(() => LayerSimulator.Run(HalfZeroConv(), 1, config));

        Assert.That(error!.Message, Does.Contain("zero_operands: skip is modelled for output_stationary only"));
    }

    [Test]
    public void WholeRun_MeasuresTheMaskFromTheWeights_AndCyclesTrafficAndEnergyRespond()
    {
        // The tiny workload with c1's weights from a file: channel 0 zero in every filter, channel 1 ones.
        string folder = Path.Combine(Path.GetTempPath(), "accelsim-sparse-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            float[] weights = Enumerable.Range(0, 4 * 2 * 3 * 3).Select(i => i % 18 < 9 ? 0f : 1f).ToArray();
            NpyFile.WriteFloat32(Path.Combine(folder, "c1.npy"), [4, 2, 3, 3], weights);
            string yaml = File.ReadAllText(Path.Combine(RepoPaths.Workloads, "tiny.yaml")).Replace(
                "{ name: c1, type: conv, filters: 4, kernel: 3, padding: 1, relu: true }",
                "{ name: c1, type: conv, filters: 4, kernel: 3, padding: 1, relu: true, bias: false, weights: { npy: { weights: c1.npy } } }",
                StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(folder, "tiny.yaml"), yaml);
            Network network = ConfigLoader.LoadWorkload(Path.Combine(folder, "tiny.yaml"));

            RunResult Run(ZeroOperandPolicy zeros, WeightStorage storage) =>
                NetworkRunner.Run(Tiny(zeros, storage), TestHardware.UnitEnergyTable(), network, new RunOptions(Numerics: true, Threads: 1));

            RunResult dense = Run(ZeroOperandPolicy.None, WeightStorage.Dense);
            RunResult sparse = Run(ZeroOperandPolicy.Skip, WeightStorage.Bitmap);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(sparse.Layers[0].ComputeCycles, Is.EqualTo(81), "the zero channel is skipped: 9 folds × 9 of 18 steps");
                Assert.That(dense.Layers[0].DramReadBytes - sparse.Layers[0].DramReadBytes, Is.EqualTo(75 - 48), "bitmap storage");
                Assert.That(sparse.Layers[0].EnergyPicoJoules, Is.LessThan(dense.Layers[0].EnergyPicoJoules));

                // Half of c1's 2,592 MACs meet a zero weight, and padding adds zero inputs: at least 1,296 zero-operand MACs.
                Assert.That(dense.Layers[0].Numerics!.ZeroOperandMacs, Is.GreaterThanOrEqualTo(1296));
                Assert.That(sparse.Layers[2].ComputeCycles, Is.EqualTo(dense.Layers[2].ComputeCycles), "fc's He-normal weights have no zero column");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
