using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Workloads;

/// <summary>The one shape of a convolution: its output size, its GEMM view and its padding moved into the input.</summary>
public sealed class ConvShapeTests
{
    [Test]
    public void OutputSize_FollowsTheFloorRule_WithPaddingStrideAndDilation()
    {
        // 10×9 input, 3×3 kernel dilated by 2 (span 5), stride 2×1, padding 1/2 rows and 0/1 columns:
        // rows floor((10 + 3 − 5) / 2) + 1 = 5, columns floor((9 + 1 − 5) / 1) + 1 = 6.
        var shape = new ConvShape(2, 4, 10, 9, 6, 3, 3, 2, 1, 1, 0, 2, 1, 2, 2, 2);

        Assert.Multiple(() =>
        {
            Assert.That((shape.OutHeight, shape.OutWidth), Is.EqualTo((5, 6)));
            Assert.That(shape.GroupFilters, Is.EqualTo(3));
            Assert.That(shape.Reduction, Is.EqualTo(2 * 3 * 3));
            Assert.That(shape.Pixels, Is.EqualTo(2 * 5 * 6));
            Assert.That(shape.OutputLength, Is.EqualTo(2 * 6 * 5 * 6));
        });
    }

    [Test]
    public void ShapeOfAConvLayer_HasTheLayersOutputSize()
    {
        ConvLayer conv = TestNetworks.SquareConv(channels: 3, size: 11, filters: 5, kernel: 3, stride: 2, pad: 1, dilation: 2);

        ConvShape shape = conv.ShapeFor(4);

        Assert.That((shape.Batch, shape.OutChannels, shape.OutHeight, shape.OutWidth),
            Is.EqualTo((4, conv.OutputShape.Channels, conv.OutputShape.Height, conv.OutputShape.Width)));
    }

    [Test]
    public void PaddingInTheInput_KeepsTheOutputSize()
    {
        var shape = new ConvShape(1, 2, 7, 8, 4, 3, 3, 2, 2, 1, 2, 3, 1, 1, 1, 1);

        ConvShape all = shape.WithPaddingInInput();
        ConvShape some = shape.WithPaddingInInput(1, 0);

        Assert.Multiple(() =>
        {
            Assert.That((all.InHeight, all.InWidth, all.PadTop, all.PadLeft, all.PadBottom, all.PadRight), Is.EqualTo((11, 11, 0, 0, 0, 0)));
            Assert.That((some.InHeight, some.InWidth, some.PadBottom, some.PadRight), Is.EqualTo((9, 10, 2, 1)));
            Assert.That((all.OutHeight, all.OutWidth), Is.EqualTo((shape.OutHeight, shape.OutWidth)));
            Assert.That((some.OutHeight, some.OutWidth), Is.EqualTo((shape.OutHeight, shape.OutWidth)));
            Assert.That(() => shape.WithPaddingInInput(4, 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
        });
    }

    [Test]
    public void FullyConnected_IsAOneByOneConvolutionOnAOneByOneMap()
    {
        ConvShape fc = TestNetworks.TinyFc().ShapeFor(2);

        Assert.Multiple(() =>
        {
            Assert.That((fc.InHeight, fc.InWidth, fc.KernelHeight, fc.KernelWidth, fc.OutHeight, fc.OutWidth), Is.EqualTo((1, 1, 1, 1, 1, 1)));
            Assert.That(fc.Reduction, Is.EqualTo(TestNetworks.TinyFc().InputFeatures));
            Assert.That(fc.Pixels, Is.EqualTo(2));
        });
    }
}
