using System.Collections.Immutable;
using AccelSim.Hardware;
using AccelSim.Execution;
using AccelSim.Numerics;
using AccelSim.Reports;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Execution;

/// <summary>Large conv/FC layers are processed in slabs of filters; every figure must keep the bits of the whole layer.</summary>
public sealed class NetworkNumericsSlabTests
{
    /// <summary>3×8×8 → c1 (7 filters 3×3, synthetic, K = 27) → c2 (5 filters 3×3, loaded with a bias, K = 63) → f1
    /// (320 → 13, synthetic) → f2 (13 → 5, loaded with a bias). With slabs of 60 weights: c1 in slabs of 2 filters
    /// (2+2+2+1), c2 and f1 of 1, f2 of 4 (4+1); with 700: only f1 (320 · 13 = 4,160 weights), in slabs of 2 (6 · 2 + 1).</summary>
    private static Network Slabbed(int batch)
    {
        var random = new Random(18);
        ImmutableArray<float> Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() - 0.5) * 0.6))];
        var input = new TensorShape(3, 8, 8);
        ConvLayer c1 = ConvLayer.Square("c1", AccelSim.Workloads.Network.InputName, input, filters: 7, kernel: 3, stride: 1, padding: 1, relu: true, new SyntheticWeights(21));
        ConvLayer c2 = ConvLayer.Square("c2", "c1", new TensorShape(7, 8, 8), filters: 5, kernel: 3, stride: 1, padding: 1, relu: true,
            new LoadedWeights(Values(5 * 63), Values(5), "test"));
        FullyConnectedLayer f1 = TestNetworks.TinyFc() with
        {
            Name = "f1", Inputs = ["c2"], InputShape = new TensorShape(5, 8, 8), OutputShape = new TensorShape(13, 1, 1), OutputFeatures = 13,
            FusedRelu = true, Weights = new SyntheticWeights(22),
        };
        FullyConnectedLayer f2 = TestNetworks.TinyFc() with
        {
            Name = "f2", Inputs = ["f1"], InputShape = new TensorShape(13, 1, 1), OutputShape = new TensorShape(5, 1, 1), OutputFeatures = 5,
            Weights = new LoadedWeights(Values(5 * 13), Values(5), "test"),
        };
        return new Network
        {
            Name = "slabs", Batch = batch, InputShape = input, Inputs = new SyntheticInputs(23), Layers = [c1, c2, f1, f2],
        };
    }

    private static IEnumerable<TestCaseData> Cases()
    {
        BfpSettings tiny = TestHardware.Tiny().Bfp;
        var settings = new (string Name, BfpSettings Bfp)[]
        {
            ("6-11 packed", tiny),
            ("6-12 packed", tiny with { InputPartition = BlockPartition.Column }),
            ("row-inputrow segmented", tiny with { InputPartition = BlockPartition.Row }),
            ("group4-group3 segmented", tiny with { WeightPartition = BlockPartition.Group(4), InputPartition = BlockPartition.Group(3) }),
            ("6-11 accumulator 14 bits", tiny with { AccumulatorBits = 14 }),
            ("6-11 bfp(5,12) int16", tiny with { Weights = new BfpFormat(5, 12), Inputs = new BfpFormat(5, 12) }),
            ("6-11 toward zero", tiny with { Rounding = RoundingMode.TowardZero }),
        };
        foreach ((string name, BfpSettings bfp) in settings)
        {
            foreach ((long slab, int slabbed) in new[] { (60L, 4), (700L, 1) })
            {
                foreach (int batch in new[] { 1, 2 })
                {
                    yield return new TestCaseData(bfp, slab, slabbed, batch).SetName($"{name}, slabs of {slab} weights, batch {batch}");
                }
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Slabs_GiveEveryFigureOfTheWholeLayers_BitForBit(BfpSettings bfp, long slabWeights, int slabbedLayers, int batch)
    {
        Network network = Slabbed(batch);
        AcceleratorConfig config = TestHardware.Tiny() with { Bfp = bfp };
        var whole = new NetworkNumerics(network, config, 2);
        (ImmutableArray<LayerNumerics> wholeLayers, OutputAgreement wholeAgreement) = whole.Run();
        var slabs = new NetworkNumerics(network, config, 2);
        NetworkNumerics.SlabWeightsOverride.Value = slabWeights;
        ImmutableArray<LayerNumerics> slabLayers;
        OutputAgreement slabAgreement;
        try
        {
            (slabLayers, slabAgreement) = slabs.Run();
        }
        finally
        {
            NetworkNumerics.SlabWeightsOverride.Value = null;
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(whole.SlabbedLayers, Is.Zero, "the default slab (2^22 weights) is far above these layers");
            Assert.That(slabs.SlabbedLayers, Is.EqualTo(slabbedLayers));
            Assert.That(slabLayers.Select(Bits), Is.EqualTo(wholeLayers.Select(Bits)));
            Assert.That(slabAgreement, Is.EqualTo(wholeAgreement));
            Assert.That(slabs.ReferenceOutput!.Select(BitConverter.DoubleToInt64Bits), Is.EqualTo(whole.ReferenceOutput!.Select(BitConverter.DoubleToInt64Bits)));
            Assert.That(wholeLayers.Sum(l => l.WeightSaturations + l.ZeroOperandMacs), Is.GreaterThan(0), "counts that can differ");
        }
    }

    /// <summary>The run's JSON (every layer's timing, energy and numerics) is the same bytes whether the big FC layer
    /// (1,024 → 300: 307,200 weights) is processed whole or in slabs of 64 filters (4 · 64 + 44).</summary>
    [Test]
    public void Slabs_LeaveTheRunsJsonByteIdentical()
    {
        Network network = TestNetworks.BigFc();

        string whole = Json(network);
        NetworkNumerics.SlabWeightsOverride.Value = 64 * 1024;
        string slabs;
        try
        {
            slabs = Json(network);
        }
        finally
        {
            NetworkNumerics.SlabWeightsOverride.Value = null;
        }

        Assert.That(slabs, Is.EqualTo(whole));
    }

    private static string Json(Network network)
    {
        RunResult result = NetworkRunner.Run(TestHardware.Tiny(), TestHardware.UnitEnergyTable(), network, new RunOptions(Numerics: true, Threads: 2));
        using var text = new StringWriter();
        new JsonReportWriter().Write(result, text);
        return text.ToString();
    }

    /// <summary>Every field of a layer's figures, doubles by their bits.</summary>
    private static string Bits(LayerNumerics n)
    {
        static string Figures(ErrorFigures? f) => f is null ? "none"
            : string.Join(' ', new[] { f.SqnrDb, f.Nsr, f.MaxAbsError, f.MeanAbsError, f.RelativeRmse }.Select(v => BitConverter.DoubleToInt64Bits(v).ToString("x16", null)));
        return string.Join(
            " | ",
            Figures(n.Accumulated),
            Figures(n.Local),
            n.InputSaturations,
            n.WeightSaturations,
            n.AccumulatorSaturations,
            BitConverter.DoubleToInt64Bits(n.PredictedNsr).ToString("x16", null),
            n.ZeroOperandMacs,
            BitConverter.DoubleToInt64Bits(n.OutputDensity).ToString("x16", null));
    }
}
