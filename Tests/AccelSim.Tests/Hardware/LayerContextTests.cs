using AccelSim.Hardware;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Hardware;

/// <summary>The context of a layer nothing was decided for.</summary>
public sealed class LayerContextTests
{
    [Test]
    public void Of_TakesTheConfigsBuffersAndBfp_WithInputAndOutputInDram()
    {
        var config = TestHardware.Tiny();

        LayerContext context = LayerContext.Of(config);

        Assert.Multiple(() =>
        {
            Assert.That(context.Buffers, Is.EqualTo(config.Buffers));
            Assert.That(context.Bfp, Is.EqualTo(config.Bfp));
            Assert.That(context.InputFromChip, Is.False);
            Assert.That(context.OutputToChip, Is.False);
            Assert.That(context.Run, Is.EqualTo(RunSettings.Native));
            Assert.That(context.Run.Counting, Is.EqualTo(CountingConventions.Native));
            Assert.That(context.Run.Detail, Is.EqualTo(TimingDetail.ClosedForm));
        });
    }
}
