using AccelSim.Configuration;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Sweeps;

/// <summary>The shipped ResNet workloads that the sweeps run, checked against the published figures.</summary>
public sealed class ResNetWorkloadTests
{
    private static Network Load(string file) => ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, file));

    [Test]
    public void ResNet18_HasThePublishedMacsAndParameters()
    {
        Network network = Load("resnet18_synthetic.yaml");

        // MACs = Σ conv Ho·Wo·M·(C·kh·kw) + fc in·out:
        //   stem 112²·64·(3·49) = 118,013,952; conv2_x 4 × 56²·64·(64·9) = 462,422,016;
        //   conv3_x: 28²·128·(64·9) = 57,802,752 + 3 × 28²·128·(128·9) = 346,816,512 + projection 28²·128·64 = 6,422,528
        //   = 411,041,792, and conv4_x, conv5_x the same (channels double as the side halves); fc 512·1000 = 512,000.
        //   Total 118,013,952 + 462,422,016 + 3 × 411,041,792 + 512,000 = 1,814,073,344 (the published 1.814 G).
        // Parameters = conv weights 11,166,912 + one bias per conv output channel (64 + 4·64 + 4·128+128 + 4·256+256
        //   + 4·512+512 = 4,800) + fc 512·1000 + 1000 = 11,684,712. The published 11,689,512 (11.69 M) counts batch
        //   norm's scale and shift per channel, 2 × 4,800, where the folded network has one bias: 4,800 more.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(network.MacsPerItem, Is.EqualTo(1_814_073_344L));
            Assert.That(network.Parameters, Is.EqualTo(11_684_712L));
            Assert.That(network.Parameters + 4_800, Is.EqualTo(11_689_512L), "with batch norm's two parameters per channel");
            Assert.That(network.MacsPerItem / 1e9, Is.EqualTo(1.814).Within(0.0005));
            Assert.That(network.Layers.Count(l => l.Kind == LayerKind.Convolution), Is.EqualTo(20), "17 convolutions + 3 projections");
            Assert.That(network.Layers.Count(l => l.Kind == LayerKind.Add), Is.EqualTo(8));
        }
    }

    [Test]
    public void ResNet50_HasThePublishedMacsAndParameters()
    {
        Network network = Load("resnet50.yaml");

        // MACs: stem 118,013,952; conv2_x 667,942,912; conv3_x 1,027,604,480; conv4_x 1,464,336,384;
        //   conv5_x 809,238,528; fc 2048·1000 = 2,048,000; total 4,089,184,256 (the published 4.09 G, "4.1 G").
        //   A bottleneck at width w and side s: 1x1 s²·w·4w + 3x3 s²·w·9w + 1x1 s²·4w·w; e.g. conv2_x (w 64, s 56):
        //   51,380,224 + 115,605,504 + 51,380,224 per block, the first block's 1x1 reading 64 channels (12,845,056)
        //   and its projection 56²·256·64 = 51,380,224.
        // Parameters = conv weights 23,454,912 + one bias per conv output channel 26,560 + fc 2,048,000 + 1,000
        //   = 25,530,472. The published 25,557,032 (25.56 M) counts batch norm's 2 × 26,560 instead of 26,560 biases.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(network.MacsPerItem, Is.EqualTo(4_089_184_256L));
            Assert.That(network.Parameters, Is.EqualTo(25_530_472L));
            Assert.That(network.Parameters + 26_560, Is.EqualTo(25_557_032L), "with batch norm's two parameters per channel");
            Assert.That(network.MacsPerItem / 1e9, Is.EqualTo(4.09).Within(0.005));
            Assert.That(network.Layers.Count(l => l.Kind == LayerKind.Convolution), Is.EqualTo(53), "1 + 16 × 3 + 4 projections");
            Assert.That(network.Layers.Count(l => l.Kind == LayerKind.Add), Is.EqualTo(16));
        }
    }

    [TestCase("resnet18_synthetic.yaml", 512)]
    [TestCase("resnet50.yaml", 2048)]
    public void ResNet_StemPoolAndHead_HaveTheStandardShapes(string file, int features)
    {
        Network network = Load(file);

        using (Assert.EnterMultipleScope())
        {
            // 224 → (224 + 2·3 − 7)/2 + 1 = 112 → (112 + 2·1 − 3)/2 + 1 = 56.
            Assert.That(network.Layers.Single(l => l.Name == "conv1").OutputShape, Is.EqualTo(new TensorShape(64, 112, 112)));
            Assert.That(network.Layers.Single(l => l.Name == "pool1").OutputShape, Is.EqualTo(new TensorShape(64, 56, 56)));
            Assert.That(network.Layers.Single(l => l.Name == "gap").InputShape, Is.EqualTo(new TensorShape(features, 7, 7)));
            Assert.That(network.Layers[^1].OutputShape, Is.EqualTo(new TensorShape(1000, 1, 1)));
            Assert.That(network.Layers.OfType<ConvLayer>().All(c => c.HasBias), Is.True, "batch norm folded: every convolution has a bias");
            Assert.That(network.Layers.OfType<ConvLayer>().Where(c => c.Name.EndsWith("_proj", StringComparison.Ordinal))
                .All(c => c.KernelHeight == 1 && c.StrideHeight == (c.Name.StartsWith("res2", StringComparison.Ordinal) ? 1 : 2)), Is.True,
                "1x1 projections, stride 2 where a stage halves the side");
        }
    }
}
