using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Execution;

public sealed class ReportContextsTests
{
    [Test]
    public void Ceilings_AreThePeCount_TheDramBandwidth_AndEachBuffersReadBandwidth()
    {
        // Configs/tiny.yaml: a 4x4 array (16 MACs per cycle), DRAM 4 B/cycle, three buffers of 128-bit words with one read
        // port and one bank each: 1 × 1 × 128 / 8 = 16 B/cycle.
        var config = ConfigLoader.LoadAccelerator(Path.Combine(RepoPaths.Configs, "tiny.yaml"));

        var ceilings = ReportContexts.Ceilings(config);

        Assert.Multiple(() =>
        {
            Assert.That(ceilings.PeakMacsPerCycle, Is.EqualTo(16));
            Assert.That(ceilings.DramBytesPerCycle, Is.EqualTo(4));
            Assert.That(ceilings.Sram, Is.EqualTo(new[] { ("ifmap", 16.0), ("weights", 16.0), ("ofmap", 16.0) }));
        });
    }

    [Test]
    public void UnifiedBuffer_IsOneCeiling_AtItsPortsBanksAndWordWidth()
    {
        // Configs/unified_buffer.yaml: one buffer of 1024-bit words, one read port, 4 banks: 1 × 4 × 1024 / 8 = 512 B/cycle.
        var config = ConfigLoader.LoadAccelerator(Path.Combine(RepoPaths.Configs, "unified_buffer.yaml"));

        var ceilings = ReportContexts.Ceilings(config);

        Assert.That(ceilings.Sram, Is.EqualTo(new[] { ("unified", 512.0) }));
    }
}
