using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Mapping;

/// <summary>The mapper picks one dataflow mapper per configured dataflow, and every dataflow has one.</summary>
public sealed class DataflowTableTests
{
    [TestCase(Dataflow.OutputStationary, "output-stationary 4x4:")]
    [TestCase(Dataflow.WeightStationary, "weight-stationary 4x4:")]
    [TestCase(Dataflow.InputStationary, "input-stationary 4x4:")]
    [TestCase(Dataflow.RowStationary, "row-stationary 4x4:")]
    public void EachDataflow_IsMappedByItsOwnMapper(Dataflow dataflow, string descriptionStart)
    {
        AcceleratorConfig config = TestHardware.Tiny() with { PeArray = new PeArrayConfig(4, 4, dataflow) };

        TileSchedule schedule = Mapper.Map(TestNetworks.TinyConv(), 1, config);

        Assert.That(schedule.Description, Does.StartWith(descriptionStart));
    }

    [Test]
    public void EveryDataflow_HasAMapper()
    {
        foreach (Dataflow dataflow in Enum.GetValues<Dataflow>())
        {
            AcceleratorConfig config = TestHardware.Tiny() with { PeArray = new PeArrayConfig(4, 4, dataflow) };

            Assert.That(() => Mapper.Map(TestNetworks.TinyFc(), 1, config), Throws.Nothing, dataflow.ToString());
        }
    }
}
