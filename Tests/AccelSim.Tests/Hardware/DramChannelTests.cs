using AccelSim.Hardware;
using AccelSim.Kernel;

namespace AccelSim.Tests.Hardware;

public sealed class DramChannelTests
{
    [Test]
    public void Read_CompletesAfterItsBeatsPlusLatency_NotACycleEarlier()
    {
        // 10 bytes at 4 B/cycle = ceil(2.5) = 3 beats, + 10 cycles latency → done at cycle 13.
        var simulation = new Simulation();
        var dram = new DramChannel(simulation, ComponentId.Dram, new DramConfig(4, 10));
        long? doneAt = null;
        dram.Read(10, () => doneAt = simulation.Now.Value);

        simulation.Run(new Cycle(12));
        Assert.That(doneAt, Is.Null);
        simulation.RunToCompletion();

        Assert.That(doneAt, Is.EqualTo(13));
    }

    [Test]
    public void BackToBackTransfers_PipelineTheLatency_AndAreServedInOrder()
    {
        // Three 8-byte transfers at 4 B/cycle: beats 0–2, 2–4, 4–6; each completes 10 cycles after its beats: 12, 14, 16.
        var simulation = new Simulation();
        var dram = new DramChannel(simulation, ComponentId.Dram, new DramConfig(4, 10));
        var done = new List<(string, long)>();
        dram.Read(8, () => done.Add(("a", simulation.Now.Value)));
        dram.Write(8, () => done.Add(("b", simulation.Now.Value)));
        dram.Read(8, () => done.Add(("c", simulation.Now.Value)));

        simulation.RunToCompletion();

        Assert.That(done, Is.EqualTo(new[] { ("a", 12L), ("b", 14L), ("c", 16L) }));
        var stats = simulation.Stats.Snapshot();
        Assert.Multiple(() =>
        {
            Assert.That(stats["dram.read_bytes"], Is.EqualTo(16));
            Assert.That(stats["dram.write_bytes"], Is.EqualTo(8));
            Assert.That(stats["dram.busy_cycles"], Is.EqualTo(6));
        });
    }

    [Test]
    public void Bursts_MoveEveryBurstATransferTouches_PerStream()
    {
        // 64-byte bursts at 4 B/cycle. ifmap 100 B at offset 0 touches bursts 0–1: 128 B, 32 beats (0 → 32, done 42).
        // ifmap 100 B at offset 100 touches bursts 1–3 (burst 1 again): 192 B, 48 beats (32 → 80, done 90). weights 64 B
        // at its own stream's offset 0: one burst, 16 beats (80 → 96, done 106). Moved 384 B for 264 requested.
        var simulation = new Simulation();
        var dram = new DramChannel(simulation, ComponentId.Dram, new DramConfig(4, 10) { BurstBytes = 64 });
        var done = new List<long>();
        dram.Read(100, () => done.Add(simulation.Now.Value), stream: ComponentId.Ifmap);
        dram.Read(100, () => done.Add(simulation.Now.Value), stream: ComponentId.Ifmap);
        dram.Read(64, () => done.Add(simulation.Now.Value), stream: ComponentId.Weights);

        simulation.RunToCompletion();

        var stats = simulation.Stats.Snapshot();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(done, Is.EqualTo(new[] { 42L, 90L, 106L }));
            Assert.That(stats["dram.read_bytes"], Is.EqualTo(384));
            Assert.That(stats["dram.burst_padding_bytes"], Is.EqualTo(384 - 264));
        }
    }

    [TestCase(256, 25.6, 10)]
    [TestCase(257, 25.6, 11)]
    [TestCase(1, 0.5, 2)]
    [TestCase(0, 4.0, 0)]
    public void TransferCycles_RoundUpWithoutBinaryNoise(long bytes, double bytesPerCycle, long expected) =>
        Assert.That(DramChannel.TransferCycles(bytes, bytesPerCycle), Is.EqualTo(expected));
}
