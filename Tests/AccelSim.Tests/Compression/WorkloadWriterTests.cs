using AccelSim.Compression;
using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Compression;

/// <summary>A network written back as a workload reads in as the same network: layers, shapes, weights and input.</summary>
public sealed class WorkloadWriterTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder()
    {
        _folder = Path.Combine(Path.GetTempPath(), "accelsim-writer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void GoogLeNet_WithConcats_RoundTrips()
    {
        Network original = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "googlenet.yaml"));
        string path = Path.Combine(_folder, "googlenet.yaml");

        WorkloadWriter.Write(WeightedNetwork.Materialize(original), path, "googlenet_copy", ["round trip"]);
        Network copy = ConfigLoader.LoadWorkload(path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(copy.Layers.Select(l => (l.Name, l.Kind, l.OutputShape)), Is.EqualTo(original.Layers.Select(l => (l.Name, l.Kind, l.OutputShape))));
            Assert.That((copy.MacsPerItem, copy.Parameters), Is.EqualTo((original.MacsPerItem, original.Parameters)));
            Assert.That(copy.Layers.Count(l => l is ConcatLayer), Is.EqualTo(9), "the nine inception modules");
        }
    }

    [Test]
    public void TrainedResNet18_WithAnImageInput_KeepsItsWeightsAndPreparedInput()
    {
        Network original = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "resnet18.yaml"));
        string path = Path.Combine(_folder, "resnet18.yaml");

        WorkloadWriter.Write(WeightedNetwork.Materialize(original), path, "resnet18_copy", ["round trip"]);
        Network copy = ConfigLoader.LoadWorkload(path);

        // The image (BGR, mean image subtracted) is written as the tensor the network reads; the ONNX weights as .npy.
        var firstConv = (ConvLayer)original.Layers[0];
        var g = firstConv.ShapeFor(1);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(copy.Inputs, Is.InstanceOf<NpyInputs>());
            Assert.That(NetworkInputs.Tensor(copy), Is.EqualTo(NetworkInputs.Tensor(original)));
            Assert.That(NetworkNumerics.LoadWeights(copy.Layers[0], g, ((ConvLayer)copy.Layers[0]).Weights, true).Weights,
                Is.EqualTo(NetworkNumerics.LoadWeights(firstConv, g, firstConv.Weights, true).Weights));
        }
    }

    [Test]
    public void ShapeOnly_WritesNoValues_AndKeepsTheShapes()
    {
        Network original = ConfigLoader.LoadWorkload(Path.Combine(RepoPaths.Workloads, "resnet18.yaml"));
        string path = Path.Combine(_folder, "shapes.yaml");

        WorkloadWriter.Write(WeightedNetwork.Materialize(original), path, "shapes", ["shapes"], shapeOnly: true);
        Network copy = ConfigLoader.LoadWorkload(path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Directory.Exists(Path.Combine(_folder, "shapes_weights")), Is.False);
            Assert.That(copy.Inputs, Is.InstanceOf<SyntheticInputs>());
            Assert.That(copy.Layers.OfType<ConvLayer>().Select(c => c.Weights), Is.All.InstanceOf<SyntheticWeights>());
            Assert.That((copy.MacsPerItem, copy.Parameters), Is.EqualTo((original.MacsPerItem, original.Parameters)));
        }
    }
}
