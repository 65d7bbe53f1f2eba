using AccelSim.Configuration;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Configuration;

/// <summary>The shape-only networks of Workloads/ have the MACs and parameter counts their papers publish.</summary>
/// <remarks>
/// Each case gives the exact count (derived below from the layer shapes, independently of the reader) and the published
/// figure with the tolerance its rounding allows. Counts are per 224x224 image; batch normalisation is folded into a
/// bias per output channel, so a network published with batch norm counts one parameter per channel fewer.
/// </remarks>
public sealed class ModelZooTests
{
    private static IEnumerable<TestCaseData> Zoo()
    {
        // AlexNet, torchvision's single tower. MACs: conv1 55²·64·3·121 = 70,276,800; conv2 27²·192·64·25 = 223,948,800;
        // conv3 13²·384·192·9 = 112,140,288; conv4 13²·256·384·9 = 149,520,384; conv5 13²·256·256·9 = 99,680,256;
        // fc6 9216·4096 = 37,748,736; fc7 4096² = 16,777,216; fc8 4096·1000 = 4,096,000 → 714,188,480 (published 0.71 G).
        // Parameters 23,296 + 307,392 + 663,936 + 884,992 + 590,080 + 37,752,832 + 16,781,312 + 4,097,000 = 61,100,840
        // (torchvision: 61,100,840).
        yield return Case("alexnet.yaml", 714_188_480L, 61_100_840L, 0.71e9, 0.005e9, 61.10e6, 0.005e6);

        // VGG-16: derivation in WorkloadLoaderTests (published 15.47 G MACs, 138.36 M parameters).
        yield return Case("vgg16.yaml", 15_470_264_320L, 138_357_544L, 15.47e9, 0.005e9, 138.36e6, 0.005e6);

        // VGG-19 = VGG-16 plus conv3_4 (56²·256·256·9 = 1,849,688,064 MACs; 590,080 parameters), conv4_4
        // (28²·512·512·9 = 1,849,688,064; 2,359,808) and conv5_4 (14²·512·512·9 = 462,422,016; 2,359,808):
        // 19,632,062,464 MACs and 143,667,240 parameters (published 19.63 G, 143.67 M).
        yield return Case("vgg19.yaml", 19_632_062_464L, 143_667_240L, 19.63e9, 0.005e9, 143.67e6, 0.005e6);

        // GoogLeNet (paper variant, 5x5 branches). MACs: conv1 112²·64·147 + conv2 reduce 56²·64·64 + conv2 56²·192·64·9 =
        // 477,675,520; per module H²·(Cin·(a + br + cr + pp) + br·b·9 + cr·c·25): 3a 128,049,152, 3b 304,267,264,
        // 4a 73,608,192, 4b 87,908,352, 4c 99,850,240, 4d 118,515,712, 4e 169,996,288, 5a 51,079,168, 5b 70,697,984;
        // fc 1,024,000 → 1,582,671,872 (published "1.5 billion multiply-adds"; table 1's rows add up to 1.59 G).
        // Parameters: stem 124,416; modules 163,696 + 388,736 + 376,176 + 449,160 + 510,104 + 605,376 + 868,352 +
        // 1,043,456 + 1,444,080; fc 1,025,000 → 6,998,552 (published 6.6-7.0 M across variants).
        yield return Case("googlenet.yaml", 1_582_671_872L, 6_998_552L, 1.5e9, 0.1e9, 6.8e6, 0.2e6);

        // ResNet-18 and ResNet-50 (synthetic, torchvision layout): derivations in ResNetWorkloadTests
        // (published 1.8 G / 11.69 M and 4.09-4.1 G / 25.56 M; the folded bias counts 1 parameter per channel, batch norm 2).
        yield return Case("resnet18_synthetic.yaml", 1_814_073_344L, 11_684_712L, 1.8e9, 0.05e9, 11.69e6, 0.01e6);
        yield return Case("resnet50.yaml", 4_089_184_256L, 25_530_472L, 4.09e9, 0.01e9, 25.56e6, 0.05e6);

        // MobileNet v1 1.0-224. MACs: stem 112²·32·27 = 10,838,016; depthwise Σ H²·C·9 = 17,385,984; pointwise
        // Σ H²·C·F = 539,492,352; fc 1,024,000 → 568,740,352 (published 569 M). Parameters: stem 896; depthwise
        // Σ C·9 + C = 49,600; pointwise Σ C·F + F = 3,145,536; fc 1,025,000 → 4,221,032 (published 4.2 M).
        yield return Case("mobilenet_v1.yaml", 568_740_352L, 4_221_032L, 569e6, 0.5e6, 4.2e6, 0.05e6);
    }

    private static TestCaseData Case(string file, long macs, long parameters, double publishedMacs, double macsTolerance, double publishedParameters, double parametersTolerance) =>
        new TestCaseData(file, macs, parameters, publishedMacs, macsTolerance, publishedParameters, parametersTolerance).SetName($"Zoo_{file}");

    [TestCaseSource(nameof(Zoo))]
    public void Network_HasThePublishedMacsAndParameters(
        string file, long macs, long parameters, double publishedMacs, double macsTolerance, double publishedParameters, double parametersTolerance)
    {
        Network network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, file));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(network.MacsPerItem, Is.EqualTo(macs));
            Assert.That(network.Parameters, Is.EqualTo(parameters));
            Assert.That((double)network.MacsPerItem, Is.EqualTo(publishedMacs).Within(macsTolerance));
            Assert.That((double)network.Parameters, Is.EqualTo(publishedParameters).Within(parametersTolerance));
            Assert.That(network.InputShape, Is.EqualTo(new TensorShape(3, 224, 224)));
            Assert.That(network.Layers[^1].OutputShape, Is.EqualTo(new TensorShape(1000, 1, 1)));
        }
    }

    [Test]
    public void MobileNet_UsesDepthwiseConvolutions()
    {
        Network network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "mobilenet_v1.yaml"));
        var depthwise = network.Layers.OfType<ConvLayer>().Where(c => c.Groups > 1).ToList();

        // 13 depthwise layers, each one group per input channel.
        Assert.That((depthwise.Count, depthwise.All(c => c.Groups == c.InputShape.Channels && c.OutputChannels == c.Groups)), Is.EqualTo((13, true)));
    }

    [Test]
    public void GoogLeNet_ConcatenatesFourBranchesPerInception()
    {
        Network network = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "googlenet.yaml"));
        var concats = network.Layers.OfType<ConcatLayer>().ToList();

        // 9 modules; 5b outputs 384 + 384 + 128 + 128 = 1024 channels at 7x7.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(concats.Select(c => c.Inputs.Length), Is.EqualTo(Enumerable.Repeat(4, 9)));
            Assert.That(concats[^1].OutputShape, Is.EqualTo(new TensorShape(1024, 7, 7)));
        }
    }
}
