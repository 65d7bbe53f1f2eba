using System.Collections.Immutable;
using AccelSim.Compression;
using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Numerics;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Compression;

/// <summary>Filter pruning, correlation pruning, low-rank decomposition and the written workload, on small networks.</summary>
public sealed class CompressionTests
{
    private static readonly ImmutableHashSet<string> None = ImmutableHashSet<string>.Empty;

    private static FilterPruningOptions Ratio(double ratio, FilterScope scope = FilterScope.Layer) =>
        new(ratio, ImmutableDictionary<string, double>.Empty, scope, null, ImmutableDictionary<string, float[]>.Empty, 0.01);

    private static double[] Outputs(WeightedNetwork model, int samples = 4, ulong seed = 3) =>
        ReferenceForward.Run(model, Compressor.Synthetic(model.Network.InputShape, samples, seed), samples, None, 1).Outputs;

    private static Network Load(string workload) => ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, workload));

    [Test]
    public void Prunability_LeavesAddFeedingLayersAndTheOutputUnpruned()
    {
        var prunable = FilterPruning.Prunability(Load("resnet_block.yaml"));

        Assert.Multiple(() =>
        {
            Assert.That(prunable["conv_a"], Is.Null, "conv_a feeds conv_b only");
            Assert.That(prunable["conv_b"], Does.Contain("residual add 'residual'"));
        });
    }

    [Test]
    public void PruningFiltersThatAreZero_LeavesTheOutputUnchanged_ThroughPoolingIntoFc()
    {
        // Tiny: c1 (4 filters, zero bias, ReLU) -> max pool -> fc. Filters 1 and 3 are all zero, so their L1 norm is the
        // lowest, a ratio of 0.5 removes exactly them, and they contributed relu(0) = 0 to the fc: the output cannot move.
        WeightedNetwork model = WeightedNetwork.Materialize(TestNetworks.Tiny());
        float[] w = model.Weights["c1"].Weights;
        int fanIn = w.Length / 4;
        Array.Clear(w, 1 * fanIn, fanIn);
        Array.Clear(w, 3 * fanIn, fanIn);

        (WeightedNetwork pruned, var changes) = FilterPruning.Apply(model, Ratio(0.5));

        Assert.Multiple(() =>
        {
            Assert.That(pruned.Network.Layers[0].OutputShape, Is.EqualTo(new TensorShape(2, 6, 6)));
            Assert.That(((FullyConnectedLayer)pruned.Network.Layers[2]).InputFeatures, Is.EqualTo(2 * 3 * 3));
            Assert.That(pruned.Weights["f1"].Weights, Has.Length.EqualTo(3 * 18));
            Assert.That(changes["c1"], Is.EqualTo("filters 4->2"));
            Assert.That(changes["f1"], Is.EqualTo("input channels 4->2"));
            // Equal up to the order of the double sums (the dot products are shorter): 1e-12, not bit for bit.
            Assert.That(Outputs(pruned), Is.EqualTo(Outputs(model)).Within(1e-12));
        });
    }

    [Test]
    public void NetworkScope_RanksFiltersAcrossLayers_ByMeanMagnitude()
    {
        // Two prunable convs; a's filters are scaled by 10 so every one of b's filters ranks lower: removing half of all
        // 8 filters (4) can only take b's, but b keeps one, so 3 of b's and 1 of a's go.
        Network net = TwoConvs();
        WeightedNetwork model = WeightedNetwork.Materialize(net);
        for (int i = 0; i < model.Weights["a"].Weights.Length; i++)
        {
            model.Weights["a"].Weights[i] *= 10;
        }

        (WeightedNetwork pruned, _) = FilterPruning.Apply(model, Ratio(0.5, FilterScope.Network));

        Assert.Multiple(() =>
        {
            Assert.That(pruned.Network.Layers[0].OutputShape.Channels, Is.EqualTo(3));
            Assert.That(pruned.Network.Layers[1].OutputShape.Channels, Is.EqualTo(1));
        });
    }

    [Test]
    public void MacsReduction_StopsAtTheFirstRatioThatReachesTheTarget()
    {
        // TwoConvs: a = 4·18·36 = 2,592 MACs, b = 4·36·36 = 5,184, fc = 144·3 = 432; 8,208 in all. Removing k filters of
        // each conv leaves a (4-k)·18·36 + b (4-k)²·9·36 + fc (4-k)·36·3: k = 1 gives 5,184 (36.8 % removed), k = 2 gives
        // 1,296 + 1,296 + 216 = 2,808 (65.8 %). A 50 % target therefore needs k = 2.
        WeightedNetwork model = WeightedNetwork.Materialize(TwoConvs());
        var options = Ratio(0) with { Ratio = null, MacsReduction = 0.5 };

        (WeightedNetwork pruned, _) = FilterPruning.Apply(model, options);

        Assert.That(pruned.Network.MacsPerItem, Is.EqualTo(2808));
    }

    [Test]
    public void Masks_OfTheWrongLength_OrOnAnUnprunableLayer_AreUserErrors()
    {
        WeightedNetwork tiny = WeightedNetwork.Materialize(TestNetworks.Tiny());
        var wrongLength = Ratio(0) with { Masks = ImmutableDictionary<string, float[]>.Empty.Add("c1", [1f, 0f]) };
        WeightedNetwork block = WeightedNetwork.Materialize(Load("resnet_block.yaml"));
        var unprunable = Ratio(0) with { Masks = ImmutableDictionary<string, float[]>.Empty.Add("conv_b", new float[8]) };

        Assert.Multiple(() =>
        {
            Assert.That(() => FilterPruning.Apply(tiny, wrongLength), Throws.TypeOf<CompressionException>().With.Message.Contains("has 2 values; the layer has 4 filters"));
            Assert.That(() => FilterPruning.Apply(block, unprunable), Throws.TypeOf<CompressionException>().With.Message.Contains("cannot be filter-pruned"));
        });
    }

    [Test]
    public void Mask_RemovesTheFiltersBelowTheThreshold()
    {
        WeightedNetwork tiny = WeightedNetwork.Materialize(TestNetworks.Tiny());
        var masked = Ratio(0) with { Masks = ImmutableDictionary<string, float[]>.Empty.Add("c1", [0.9f, 0.001f, -0.5f, 0.009f]) };

        (WeightedNetwork pruned, _) = FilterPruning.Apply(tiny, masked);

        // Filters 0 and 2 stay: their rows are the first and third rows of the original weights.
        int fanIn = 2 * 3 * 3;
        float[] expected = [.. tiny.Weights["c1"].Weights.AsSpan(0, fanIn), .. tiny.Weights["c1"].Weights.AsSpan(2 * fanIn, fanIn)];
        Assert.That(pruned.Weights["c1"].Weights, Is.EqualTo(expected));
    }

    [Test]
    public void Float32Forward_AgreesWithTheDoubleReference()
    {
        // Same network, same inputs: float32 GEMM against double accumulation differ by float rounding only.
        WeightedNetwork model = WeightedNetwork.Materialize(Load("resnet_block.yaml"));
        float[] inputs = Compressor.Synthetic(model.Network.InputShape, 2, 3);

        double[] reference = ReferenceForward.Run(model, inputs, 2, None, 1).Outputs;
        double[] fast = ReferenceForward.Run(model, inputs, 2, None, 2, ForwardPrecision.Float32).Outputs;

        double scale = reference.Max(Math.Abs);
        Assert.That(fast, Is.EqualTo(reference).Within(1e-5 * scale));
    }

    [Test]
    public void Correlation_IsPearson_AndZeroForAConstantColumn()
    {
        // Inputs x0 = 1,2,3,4 and x1 = 5,5,5,5 (constant); outputs y0 = 2x0 (r = +1), y1 = -x0 (r = -1).
        var seen = new FcActivations(4, 2, 2, [1, 5, 2, 5, 3, 5, 4, 5], [2, -1, 4, -2, 6, -3, 8, -4]);

        float[] r = CorrelationPruning.Correlation(seen, 1);

        Assert.That(r, Is.EqualTo(new[] { 1f, 0f, -1f, 0f }).Within(1e-6));
    }

    [Test]
    public void DensityThreshold_KeepsTheRequestedFraction()
    {
        // |r| = 0.1 .. 0.8: keeping half (4 of 8) needs a threshold in (0.4, 0.5].
        float[][] values = [[0.1f, -0.2f, 0.3f, -0.4f], [0.5f, 0.6f, -0.7f, 0.8f]];

        double t = CorrelationPruning.DensityThreshold(values, 0.5);

        Assert.That(t, Is.GreaterThan(0.4).And.LessThanOrEqualTo(0.5));
    }

    [Test]
    public void CorrelationPruning_ZeroesConnections_AndKeepsTheClassifierByDefault()
    {
        Network net = TwoFcs();
        WeightedNetwork model = WeightedNetwork.Materialize(net);
        var layers = CorrelationPruning.DefaultLayers(net, includeClassifier: false);
        float[] samples = Compressor.Synthetic(net.InputShape, 32, 1);

        (WeightedNetwork pruned, var changes) = CorrelationPruning.Apply(model, layers, new CorrelationPruningOptions(null, 0.25), samples, 32, 1);

        long kept = pruned.Weights["h"].NonZeroWeights;
        Assert.Multiple(() =>
        {
            Assert.That(layers, Is.EqualTo(new[] { "h" }));
            Assert.That(kept, Is.InRange(16 * 12 / 4, (16 * 12 / 4) + 2), "a quarter of 16x12 kept (ties may add one or two)");
            Assert.That(pruned.Weights["out"].Weights, Is.EqualTo(model.Weights["out"].Weights));
            Assert.That(changes.Keys, Is.EqualTo(new[] { "h" }));
        });
    }

    [Test]
    public void RankForSpeedup_HandWorked()
    {
        Assert.Multiple(() =>
        {
            // VGG-16 conv2_1 (C = 64, 3x3, N = 128), R = 576: floor(128·576 / (2·704)) = floor(52.36) = 52.
            Assert.That(LowRank.RankForSpeedup(128, 576, 2), Is.EqualTo(52));
            // VGG-16 fc6 (4096 x 25088) at 6.87x: floor(102,760,448 / (6.87·29,184)) = floor(512.53) = 512.
            Assert.That(LowRank.RankForSpeedup(4096, 25088, 6.87), Is.EqualTo(512));
            // Never below one basis.
            Assert.That(LowRank.RankForSpeedup(4, 4, 100), Is.EqualTo(1));
        });
    }

    [Test]
    public void RankForEnergy_HandWorked()
    {
        // σ = 3, 2, 1: σ² = 9, 4, 1 of 14. 90 % is 12.6: 9 < 12.6 <= 13, so K = 2; 50 % is 7 <= 9, so K = 1.
        Assert.Multiple(() =>
        {
            Assert.That(LowRank.RankForEnergy([3f, 2f, 1f], 0.9), Is.EqualTo(2));
            Assert.That(LowRank.RankForEnergy([3f, 2f, 1f], 0.5), Is.EqualTo(1));
            Assert.That(LowRank.RankForEnergy([3f, 2f, 1f], 1.0), Is.EqualTo(3));
        });
    }

    [Test]
    public void LowRankConv_EqualsTheConvWithTheRankKWeights_WithStrideAndPadding()
    {
        // The basis conv plus the 1x1 conv compute W_K = U_K Σ_K V_Kᵀ applied as one conv: same stride 2, padding 1.
        var input = new TensorShape(3, 7, 7);
        ConvLayer conv = ConvLayer.Square("c", Network.InputName, input, filters: 6, kernel: 3, stride: 2, padding: 1, relu: true, new SyntheticWeights(5));
        var net = new Network { Name = "one", Batch = 1, InputShape = input, Inputs = new SyntheticInputs(1), Layers = [conv] };
        WeightedNetwork model = WeightedNetwork.Materialize(net);
        LayerWeights w = model.Weights["c"];
        for (int i = 0; i < w.Bias.Length; i++)
        {
            w.Bias[i] = 0.1f * i;
        }

        // 6 filters, R = 27: speedup 2 gives K = floor(6·27 / (2·33)) = 2.
        (WeightedNetwork low, var changes) = LowRank.Apply(model, ["c"], new LowRankOptions(2, null), Serilog.Core.Logger.None);

        SvdFactors f = TruncatedSvd.Compute(w.Weights, 6, 27, 2, SvdMethod.Exact);
        var wk = new float[6 * 27];
        for (int m = 0; m < 6; m++)
        {
            for (int j = 0; j < 27; j++)
            {
                double sum = 0;
                for (int k = 0; k < 2; k++)
                {
                    sum += (double)f.U[(m * 2) + k] * f.S[k] * f.Vt[(k * 27) + j];
                }

                wk[(m * 27) + j] = (float)sum;
            }
        }

        var direct = model with { Weights = model.Weights.SetItem("c", new LayerWeights(wk, w.Bias)) };
        Assert.Multiple(() =>
        {
            Assert.That(low.Network.Layers.Select(l => l.Name), Is.EqualTo(new[] { "c_basis", "c" }));
            Assert.That(low.Network.Layers[0].OutputShape, Is.EqualTo(new TensorShape(2, 4, 4)));
            Assert.That(low.Network.Layers[1].OutputShape, Is.EqualTo(conv.OutputShape));
            Assert.That(low.Origins["c_basis"], Is.EqualTo("c"));
            Assert.That(changes["c"], Does.StartWith("low-rank: rank 2 of 6 (ideal 2.45x), energy kept "), "6·27 / (2·33) = 2.45");
            Assert.That(Outputs(low), Is.EqualTo(Outputs(direct)).Within(1e-5));
        });
    }

    [Test]
    public void LowRankFc_SplitsIntoTwoFcLayers_WithTheBiasOnTheSecond()
    {
        WeightedNetwork model = WeightedNetwork.Materialize(TwoFcs());

        (WeightedNetwork low, _) = LowRank.Apply(model, ["h"], new LowRankOptions(3, null), Serilog.Core.Logger.None);

        // h: 16 outputs x 12 inputs; K = floor(16·12 / (3·28)) = floor(2.29) = 2. Parameters 2·(16 + 12) + 16 bias.
        var basis = (FullyConnectedLayer)low.Network.Layers[0];
        var mix = (FullyConnectedLayer)low.Network.Layers[1];
        Assert.Multiple(() =>
        {
            Assert.That((basis.Name, basis.OutputFeatures, basis.HasBias, basis.FusedRelu), Is.EqualTo(("h_basis", 2, false, false)));
            Assert.That((mix.Name, mix.InputFeatures, mix.HasBias, mix.FusedRelu), Is.EqualTo(("h", 2L, true, true)));
            Assert.That(low.NonZeroParameters(basis) + low.NonZeroParameters(mix), Is.EqualTo((2 * (16 + 12)) + 16));
        });
    }

    [Test]
    public void WrittenWorkload_ReadsBack_WithTheSameWeightsAndOutputs()
    {
        string folder = Path.Combine(Path.GetTempPath(), "accelsim-compress-" + Guid.NewGuid().ToString("N"));
        try
        {
            WeightedNetwork model = WeightedNetwork.Materialize(Load("resnet_block.yaml"));
            (model, _) = FilterPruning.Apply(model, Ratio(0.5));
            (model, _) = LowRank.Apply(model, ["conv_b"], new LowRankOptions(2, null), Serilog.Core.Logger.None);
            string path = Path.Combine(folder, "small.yaml");

            WorkloadWriter.Write(model, path, "small", ["a test"]);

            Network read = ConfigLoader.LoadWorkload(path);
            WeightedNetwork reread = WeightedNetwork.Materialize(read);
            Assert.Multiple(() =>
            {
                Assert.That(File.ReadAllLines(path)[0], Is.EqualTo("# a test"));
                Assert.That(read.Layers.Select(l => (l.Name, l.InputShape, l.OutputShape)), Is.EqualTo(model.Network.Layers.Select(l => (l.Name, l.InputShape, l.OutputShape))));
                Assert.That(read.MacsPerItem, Is.EqualTo(model.Network.MacsPerItem));
                foreach ((string name, LayerWeights w) in model.Weights)
                {
                    Assert.That(reread.Weights[name].Weights, Is.EqualTo(w.Weights), name);
                    Assert.That(reread.Weights[name].Bias, Is.EqualTo(w.Bias), name);
                }

                Assert.That(Outputs(reread with { Origins = model.Origins }), Is.EqualTo(Outputs(model)));
            });
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Test]
    public void Compressor_ReportsParametersMacsAndCycles_PerSourceLayer()
    {
        string folder = Path.Combine(Path.GetTempPath(), "accelsim-compress-" + Guid.NewGuid().ToString("N"));
        try
        {
            Network net = Load("resnet_block.yaml");
            var plan = new CompressionPlan(Ratio(0.5), null, new LowRankOptions(2, null), null, ["conv_b"], false, null, 8, 1, 4, 1);

            CompressionReport report = Compressor.Run(net, "resnet_block.yaml", (n, timing) => NetworkRunner.Run(TestHardware.Tiny(), TestHardware.UnitEnergyTable(), n, timing), plan, Path.Combine(folder, "c.yaml"),
                path => ConfigLoader.LoadWorkload(path), Serilog.Core.Logger.None);

            // conv_a: 8 -> 4 filters of 8·9 = 72 weights, no bias: 576 -> 288 parameters, x 64 pixels: 36,864 -> 18,432 MACs.
            // conv_b reads 4 channels (R = 36) into 8 filters: K = floor(8·36 / (2·44)) = 3: 3·36 + 8·3 = 132 parameters.
            CompressedLayer a = report.Layers.Single(l => l.Name == "conv_a");
            CompressedLayer b = report.Layers.Single(l => l.Name == "conv_b");
            Assert.Multiple(() =>
            {
                Assert.That((a.ParametersBefore, a.ParametersAfter, a.MacsBefore, a.MacsAfter), Is.EqualTo((576L, 288L, 36864L, 18432L)));
                Assert.That((b.ParametersBefore, b.ParametersAfter, b.MacsAfter), Is.EqualTo((576L, 132L, 132L * 64)));
                Assert.That(report.Layers.Select(l => l.Name), Is.EqualTo(net.Layers.Select(l => l.Name)));
                Assert.That(report.CyclesAfter, Is.GreaterThan(0));
                Assert.That(report.Numerics!.Inputs, Is.EqualTo(4));
                Assert.That(report.Numerics.SqnrDb, Is.GreaterThan(0).And.LessThan(100), "a real approximation: finite error");
            });
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>input 2x6x6 -> conv a (4 filters 3x3, pad 1, ReLU) -> conv b (4 filters 3x3, pad 1, ReLU) -> fc (3).</summary>
    private static Network TwoConvs()
    {
        var shape = new TensorShape(2, 6, 6);
        ConvLayer a = ConvLayer.Square("a", Network.InputName, shape, 4, 3, 1, 1, true, new SyntheticWeights(21));
        ConvLayer b = ConvLayer.Square("b", "a", a.OutputShape, 4, 3, 1, 1, true, new SyntheticWeights(22));
        var fc = new FullyConnectedLayer
        {
            Name = "fc", Inputs = ["b"], InputShape = b.OutputShape, OutputShape = new TensorShape(3, 1, 1), OutputFeatures = 3,
            HasBias = true, FusedRelu = false, Weights = new SyntheticWeights(23),
        };
        return new Network { Name = "two_convs", Batch = 1, InputShape = shape, Inputs = new SyntheticInputs(1), Layers = [a, b, fc] };
    }

    /// <summary>input 12x1x1 -> fc h (16, ReLU) -> fc out (5).</summary>
    private static Network TwoFcs()
    {
        var shape = new TensorShape(12, 1, 1);
        var h = new FullyConnectedLayer
        {
            Name = "h", Inputs = [Network.InputName], InputShape = shape, OutputShape = new TensorShape(16, 1, 1), OutputFeatures = 16,
            HasBias = true, FusedRelu = true, Weights = new SyntheticWeights(31),
        };
        var output = new FullyConnectedLayer
        {
            Name = "out", Inputs = ["h"], InputShape = h.OutputShape, OutputShape = new TensorShape(5, 1, 1), OutputFeatures = 5,
            HasBias = true, FusedRelu = false, Weights = new SyntheticWeights(32),
        };
        return new Network { Name = "two_fcs", Batch = 1, InputShape = shape, Inputs = new SyntheticInputs(1), Layers = [h, output] };
    }
}
