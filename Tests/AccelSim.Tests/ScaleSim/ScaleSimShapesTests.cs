using AccelSim.ScaleSim;
using AccelSim.Workloads;

namespace AccelSim.Tests.ScaleSim;

/// <summary>SCALE-Sim's layers in the shared shape vocabulary.</summary>
public sealed class ScaleSimShapesTests
{
    [Test]
    public void Unpadded_RoundsTheOutputUpAndKeepsTheOverhangAsBottomRightPadding()
    {
        // 7×8 input, 3×2 filter, strides 2×3: E = ⌈(7 − 3 + 2)/2⌉ = 3, F = ⌈(8 − 2 + 3)/3⌉ = 3; overhang
        // (3 − 1)·2 + 3 − 7 = 0 rows and (3 − 1)·3 + 2 − 8 = 0 columns; with a 9-wide input F = ⌈(9 − 2 + 3)/3⌉ = 4 and
        // (4 − 1)·3 + 2 − 9 = 2 columns hang over.
        ConvShape exact = ScaleSimShapes.Unpadded(7, 8, 3, 2, 4, 5, 2, 3);
        ConvShape overhang = ScaleSimShapes.Unpadded(7, 9, 3, 2, 4, 5, 2, 3);

        Assert.Multiple(() =>
        {
            Assert.That((exact.OutHeight, exact.OutWidth, exact.PadBottom, exact.PadRight), Is.EqualTo((3, 3, 0, 0)));
            Assert.That((overhang.OutHeight, overhang.OutWidth, overhang.PadBottom, overhang.PadRight), Is.EqualTo((3, 4, 0, 2)));

            // M = E·F = 12, K = Fh·Fw·C = 3·2·4 = 24, N = 5.
            Assert.That((overhang.PixelsPerItem, overhang.Reduction, overhang.OutChannels), Is.EqualTo((12, 24, 5)));
            Assert.That(ScaleSimShapes.IsScaleSimShape(overhang), Is.True);
        });
    }

    [Test]
    public void ShapesOutsideScaleSimsModel_AreRefused()
    {
        ConvShape layer = ScaleSimShapes.Unpadded(4, 4, 3, 3, 2, 2, 1, 1);

        Assert.Multiple(() =>
        {
            Assert.That(ScaleSimShapes.IsScaleSimShape(layer with { Batch = 2 }), Is.False);
            Assert.That(ScaleSimShapes.IsScaleSimShape(layer with { Groups = 2 }), Is.False);
            Assert.That(ScaleSimShapes.IsScaleSimShape(layer with { DilationWidth = 2 }), Is.False);
            Assert.That(ScaleSimShapes.IsScaleSimShape(layer with { PadTop = 1 }), Is.False);
            Assert.That(() => new ScaleSimOperands(layer with { Batch = 2 }), Throws.ArgumentException);
        });
    }
}
