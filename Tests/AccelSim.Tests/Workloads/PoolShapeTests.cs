using AccelSim.Configuration;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Workloads;

/// <summary>The one shape of a pooling layer: its output size and its element counts.</summary>
public sealed class PoolShapeTests
{
    [Test]
    public void OutputSize_FollowsTheFloorRule_WithPaddingAndStride()
    {
        // ResNet's stem pool, 64 channels of 112×112, 3×3 windows, stride 2, padding 1 on every side:
        // floor((112 + 1 + 1 − 3) / 2) + 1 = floor(111 / 2) + 1 = 55 + 1 = 56 rows and columns.
        var shape = new PoolShape(2, 64, 112, 112, 3, 3, 2, 2, 1, 1, 1, 1);

        Assert.Multiple(() =>
        {
            Assert.That((shape.OutHeight, shape.OutWidth), Is.EqualTo((56, 56)));
            Assert.That(shape.Planes, Is.EqualTo(2 * 64));
            Assert.That(shape.WindowElements, Is.EqualTo(3 * 3));
            Assert.That(shape.InputLength, Is.EqualTo(2L * 64 * 112 * 112));
            Assert.That(shape.OutputLength, Is.EqualTo(2L * 64 * 56 * 56));
        });
    }

    [Test]
    public void GlobalPool_HasAOneByOneOutput()
    {
        // A 7×5 window moving by 7×5 over a 7×5 plane without padding: floor((7 − 7) / 7) + 1 = 1 row and
        // floor((5 − 5) / 5) + 1 = 1 column, so each of the 3 planes becomes one value.
        var shape = new PoolShape(1, 3, 7, 5, 7, 5, 7, 5, 0, 0, 0, 0);

        Assert.Multiple(() =>
        {
            Assert.That((shape.OutHeight, shape.OutWidth), Is.EqualTo((1, 1)));
            Assert.That(shape.PlaneOutputs, Is.EqualTo(1L));
            Assert.That(shape.OutputLength, Is.EqualTo(3L));
        });
    }

    [Test]
    public void ShapeOfAPoolLayer_HasTheLayersOutputSize()
    {
        PoolLayer pool = TestNetworks.TinyPool();

        PoolShape shape = pool.ShapeFor(4);

        Assert.That((shape.Batch, shape.Channels, shape.OutHeight, shape.OutWidth),
            Is.EqualTo((4, pool.OutputShape.Channels, pool.OutputShape.Height, pool.OutputShape.Width)));
    }

    [Test]
    public void EveryShippedPoolLayer_HasItsShapesOutputSize()
    {
        // The workload reader sizes a pool layer's output with its own checked rule; the shape must agree with it.
        var pools = Directory.EnumerateFiles(RepoPaths.Workloads, "*.yaml", SearchOption.AllDirectories)
            .SelectMany(path => ConfigLoader.LoadWorkload(path).Layers.OfType<PoolLayer>())
            .ToList();

        Assert.That(pools, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            foreach (PoolLayer pool in pools)
            {
                PoolShape shape = pool.ShapeFor(1);
                Assert.That((shape.OutHeight, shape.OutWidth), Is.EqualTo((pool.OutputShape.Height, pool.OutputShape.Width)), pool.Name);
            }
        });
    }
}
