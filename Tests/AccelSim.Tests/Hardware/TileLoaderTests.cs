using System.Runtime.CompilerServices;
using AccelSim.Hardware;
using AccelSim.Kernel;

namespace AccelSim.Tests.Hardware;

public sealed class TileLoaderTests
{
    [Test]
    public void Loader_PullsTilesOnlyAsHalvesFreeUp()
    {
        // 1,000 tiles of 64 B into two halves of 2 KiB: the loader may hold two tiles, so when tile t is in use it has
        // pulled at most tiles 0..t+1 from the sequence. A loader that read the whole list up front would have pulled
        // all 1,000 before the first arrived.
        const int Tiles = 1000;
        var pulled = new StrongBox<int>();
        var simulation = new Simulation();
        var dram = new DramChannel(simulation, ComponentId.Dram, new DramConfig(4, 10));
        var loader = new TileLoader(simulation, ComponentId.Ifmap, new SramConfig("ifmap", 4096, 128, 1, 1), dram, Sequence(Tiles, pulled));
        loader.OnTileReady(() => { });
        loader.Start();
        int worst = 0;
        for (int tile = 0; tile < Tiles; tile++)
        {
            simulation.Run();
            Assert.That(loader.IsReady(tile), $"tile {tile} arrived");
            worst = Math.Max(worst, pulled.Value - tile);
            loader.Release(tile);
        }

        simulation.Run();
        Assert.Multiple(() =>
        {
            Assert.That(worst, Is.EqualTo(2), "tiles pulled beyond the one in use: itself and the next");
            Assert.That(pulled.Value, Is.EqualTo(Tiles));
            Assert.That(loader.PendingWork, Is.Null);
        });

        static IEnumerable<long> Sequence(int count, StrongBox<int> pulled)
        {
            for (int i = 0; i < count; i++)
            {
                pulled.Value = i + 1;
                yield return 64;
            }
        }
    }

    [Test]
    public void CompressedTiles_MoveFewerDramBytes_ButFillTheBufferDecompressed()
    {
        // Two tiles of 1,000 B at a DRAM ratio of 0.5625 (a float16 bitmap at density 0.5): each moves ceil(562.5) = 563
        // DRAM bytes, 1,126 in all, while the buffer takes the 2,000 decompressed bytes: ceil(1000·8/128) = 63 words each.
        var simulation = new Simulation();
        var dram = new DramChannel(simulation, ComponentId.Dram, new DramConfig(4, 10));
        var loader = new TileLoader(simulation, ComponentId.Ifmap, new SramConfig("ifmap", 4096, 128, 1, 1), dram, [1000, 1000], dramRatio: 0.5625);
        loader.OnTileReady(() => { });
        loader.Start();
        simulation.Run();
        loader.Release(0);
        simulation.Run();
        var stats = simulation.Stats.Snapshot();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stats["ifmap", TileLoader.FillBytes], Is.EqualTo(1126));
            Assert.That(stats["dram", DramChannel.ReadBytes], Is.EqualTo(1126));
            Assert.That(stats["ifmap", TileLoader.DecompressedBytes], Is.EqualTo(2000));
            Assert.That(stats["ifmap", TileLoader.WriteWords], Is.EqualTo(126));
        }
    }
}
