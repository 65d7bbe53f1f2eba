using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Tensors;
using AccelSim.Tests.Support;
using AccelSim.Workloads;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace AccelSim.Tests.Onnx;

/// <summary>The shipped ResNet-18 (Workloads/resnet18.yaml over the packaged ResNet18.onnx) against ONNX Runtime.</summary>
public sealed class PretrainedResNet18Tests
{
    private static string Model(string file) => Path.Combine(AppContext.BaseDirectory, "models", file);

    private static float[] RunOrt(string model, float[] input, int[] shape)
    {
        using var session = new InferenceSession(model);
        string inputName = session.InputMetadata.Keys.Single();
        using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(input, shape))]);
        return [.. outputs.Single().AsEnumerable<float>()];
    }

    [Test]
    public void FloatReference_MatchesOnnxRuntime_OnTheSameInput()
    {
        Network network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "resnet18.yaml"));
        float[] input = NetworkInputs.Tensor(network);
        float[] expected = RunOrt(Model("ResNet18.onnx"), input, [1, 3, 224, 224]);

        var numerics = new NetworkNumerics(network, TestHardware.Tiny(), Environment.ProcessorCount);
        numerics.Run();
        double[] actual = numerics.ReferenceOutput!;

        // Batch norm folded into the weights (rounded to float once) and double accumulation differ from ONNX Runtime's
        // float arithmetic by rounding only; the bound the issue sets is 1e-5 of the output's largest magnitude.
        double largest = expected.Max(v => Math.Abs((double)v));
        double worst = expected.Select((v, i) => Math.Abs(v - actual[i])).Max();
        TestContext.Out.WriteLine($"max |ort| = {largest:G6}, max |diff| = {worst:G6} ({worst / largest:E2} of the largest)");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(actual, Has.Length.EqualTo(512));
            Assert.That(largest, Is.GreaterThan(0.1), "a dead output would make the comparison vacuous");
            Assert.That(worst, Is.LessThanOrEqualTo(1e-5 * largest));
        }
    }

    [Test]
    public void ShippedWorkload_HasTheNamesTheImportDerives_WithTheOnnxNodeOfEachLayer()
    {
        var imported = AccelSim.Onnx.OnnxImporter.Import(Model("ResNet18.onnx"));
        Network network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "resnet18.yaml"));

        // Stage 1 has two identity blocks; stages 2 and 3 two blocks each, the first with a projection; this variant's
        // stage 4 has three. Every block is conv1, conv2 (after the downsample when there is one), add.
        var expected = new List<string> { "conv1", "pool1" };
        foreach ((int stage, int blocks) in new[] { (1, 2), (2, 2), (3, 2), (4, 3) })
        {
            for (int b = 0; b < blocks; b++)
            {
                string prefix = $"layer{stage}.{b}.";
                expected.AddRange(stage > 1 && b == 0 ? [prefix + "downsample"] : []);
                expected.AddRange([prefix + "conv1", prefix + "conv2", prefix + "add"]);
            }
        }

        expected.Add("pool2");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(imported.Layers.Select(l => l.Name), Is.EqualTo(expected));
            Assert.That(network.Layers.Select(l => l.Name), Is.EqualTo(expected));
            Assert.That(network.Layers.Select(l => l.OnnxNode), Is.EqualTo(imported.Layers.Select(l => l.OnnxNode)));
            Assert.That(network.Layers[0].OnnxNode, Is.EqualTo("Convolution249"));
            Assert.That(network.Layers[4].OnnxNode, Is.EqualTo("Plus267"));
        }
    }

    [Test]
    public void SyntheticImage_IsPreparedAsThePackagesPreprocessingModelDoes()
    {
        Network network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "resnet18.yaml"));
        var image = (ImageInputs)network.Inputs;
        Assert.That(image.Image, Is.EqualTo(new SyntheticImage(7)));

        // The raw image (RGB, 0..255, CHW) through ResNetPreprocess.onnx (split, reorder to BGR, subtract MeanImage)
        // must give exactly the tensor AccelSim feeds the network: both do one float subtraction per element.
        byte[] pixels = new byte[3 * 224 * 224];
        ImageFile.Synthetic(7, pixels);
        float[] rgb = new float[pixels.Length];
        for (int p = 0; p < 224 * 224; p++)
        {
            for (int c = 0; c < 3; c++)
            {
                rgb[(c * 224 * 224) + p] = pixels[(p * 3) + c];
            }
        }

        float[] expected = RunOrt(Model("ResNetPreprocess.onnx"), rgb, [1, 3, 224, 224]);

        Assert.That(NetworkInputs.Tensor(network), Is.EqualTo(expected));
    }
}
