using AccelSim.Configuration;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Kernel;
using AccelSim.Tests.Configuration;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Hardware;

public sealed class DramBanksTests
{
    /// <summary>2 banks of 256-byte rows, 64-byte bursts, activate 10 cycles, precharge 5, at 4 bytes per cycle.</summary>
    private static readonly DramBankConfig Small = new(Banks: 2, RowBytes: 256, BurstBytes: 64, ActivateCycles: 10, PrechargeCycles: 5);

    [Test]
    public void Rows_OpenHitAndConflict_AsDerivedByHand()
    {
        var banks = new DramBanks(Small);

        using (Assert.EnterMultipleScope())
        {
            // ifmap bytes 0..511: row 0 in bank 0 (idle: activate 10, the transfer's first row, exposed), 3 hits; row 1 in
            // bank 1 (activate 10, overlapped by row 0's 256 bytes = 64 cycles of data: nothing exposed), 3 hits.
            Assert.That(banks.Access(DramBanks.RegionBase(ComponentId.Ifmap), 512, 4), Is.EqualTo((6L, 2L, 10L)));

            // weights start at 4 GiB: row 2^24, bank 0, which holds ifmap's row open: precharge 5 + activate 10, exposed.
            Assert.That(banks.Access(DramBanks.RegionBase(ComponentId.Weights), 256, 4), Is.EqualTo((3L, 1L, 15L)));

            // ifmap continues at byte 512: bank 0 again, now holding the weights' row: another conflict.
            Assert.That(banks.Access(DramBanks.RegionBase(ComponentId.Ifmap) + 512, 256, 4), Is.EqualTo((3L, 1L, 15L)));
        }
    }

    [Test]
    public void OneBank_CannotOverlapItsOwnRowChanges()
    {
        var banks = new DramBanks(Small with { Banks = 1 });

        // Rows 0 and 1 both in bank 0: activate 10, then precharge 5 + activate 10 with nothing to overlap: 25.
        Assert.That(banks.Access(DramBanks.RegionBase(ComponentId.Ifmap), 512, 4), Is.EqualTo((6L, 2L, 25L)));
    }

    [Test]
    public void Layer_WithBanks_TakesLongerByTheExposedCycles_AndReportsRows()
    {
        var plain = TestHardware.Tiny();
        var banked = plain with { Dram = plain.Dram with { Banks = Small } };

        LayerTiming before = LayerSimulator.Run(TestNetworks.TinyConv(), 1, plain);
        LayerTiming after = LayerSimulator.Run(TestNetworks.TinyConv(), 1, banked);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(after.Stats["dram.row_hits"] + after.Stats["dram.row_misses"], Is.GreaterThan(0));
            Assert.That(after.Stats["dram.row_cycles"], Is.GreaterThan(0));
            Assert.That(after.TotalCycles, Is.GreaterThan(before.TotalCycles));
            Assert.That(after.ComputeCycles + after.StallCycles, Is.EqualTo(after.TotalCycles));
        }
    }

    [Test]
    public void Cas_AddsToEveryTransfersLatency()
    {
        // One 512-byte ifmap read on the small banks at 4 B/cycle: 128 beats + 10 exposed by its first row (see above)
        // = 138 channel cycles, then latency 10 + CAS 7: done at 155.
        var simulation = new Simulation();
        var dram = new DramChannel(simulation, ComponentId.Dram, new DramConfig(4, 10) { BurstBytes = 64, Banks = Small with { CasCycles = 7 } });
        long? doneAt = null;
        dram.Read(512, () => doneAt = simulation.Now.Value, stream: ComponentId.Ifmap);

        simulation.RunToCompletion();

        Assert.That(doneAt, Is.EqualTo(155));
    }

    [TestCase("burst_bytes: 96, banks: { count: 8, row_bytes: 2048, activate_cycles: 14, precharge_cycles: 14 }",
        "dram.burst_bytes must divide dram.banks.row_bytes (2048) when banks are given, was 96")]
    [TestCase("banks: { count: 8, row_bytes: 2048, activate_cycles: 14, precharge_cycles: 14 }",
        "dram.banks counts row hits and misses per burst: give dram.burst_bytes")]
    public void Config_BanksNeedABurstThatDividesTheRow(string banks, string expected)
    {
        using var files = new ConfigFiles();
        string yaml = File.ReadAllText(Path.Combine(RepoPaths.Configs, "tiny.yaml")).Replace(
            "dram: { bandwidth_bytes_per_cycle: 4, latency_cycles: 10 }",
            $"dram: {{ bandwidth_bytes_per_cycle: 4, latency_cycles: 10, {banks} }}",
            StringComparison.Ordinal);
        string path = files.Write("banks.yaml", yaml);

        string[] errors = ConfigFiles.ErrorsOf(() => ConfigLoader.LoadAccelerator(path));

        Assert.That(errors.Single(), Does.Contain(expected));
    }

    [Test]
    public void Regions_FollowTheDeclaredStreams_ThenOneForOtherTraffic()
    {
        const long region = 1L << 32;

        Assert.That(
            new[] { ComponentId.Ifmap, ComponentId.Weights, ComponentId.Ofmap, ComponentId.PeArray }.Select(DramBanks.RegionBase),
            Is.EqualTo(new[] { 0, region, 2 * region, 3 * region }));
    }
}
