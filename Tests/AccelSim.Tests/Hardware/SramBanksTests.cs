using System.Collections.Immutable;
using AccelSim.Hardware;
using AccelSim.Kernel;
using AccelSim.Statistics;

namespace AccelSim.Tests.Hardware;

public sealed class SramBanksTests
{
    [Test]
    public void OneBank_IsTheWordCount_WhateverTheWrap()
    {
        // One bank holds every address: 7 reads of a 3-word tile are 7 accesses to it.
        Assert.That(SramBanks.BusiestBankWords(new WordRun(0, 3, 7), banks: 1), Is.EqualTo(7));
    }

    [Test]
    public void ContiguousRun_SpreadsEvenly_OverTheBanks()
    {
        // 10 words from address 5 over 4 banks: addresses 5..14 → banks 1,2,3,0,1,2,3,0,1,2: banks 1 and 2 get 3 each.
        Assert.That(SramBanks.BusiestBankWords(new WordRun(5, 10, 10), banks: 4), Is.EqualTo(3));
    }

    [Test]
    public void ReReadingATileSmallerThanTheBankCount_UsesOnlyItsBanks()
    {
        // A 2-word tile read 8 times over 4 banks: addresses 0,1,0,1,… (a stride of 2 over the banks' worth of reads),
        // so banks 0 and 1 serve 4 words each and banks 2 and 3 none: 4 accesses in the busiest bank, twice the 8/4 = 2
        // that the same 8 words spread over all four banks would need.
        var run = new WordRun(0, 2, 8);
        Assert.Multiple(() =>
        {
            Assert.That(SramBanks.BusiestBankWords(run, banks: 4), Is.EqualTo(4));
            Assert.That(SramBanks.BusiestBankWords([run], banks: 4), Is.EqualTo(4));
            Assert.That(SramBanks.ConflictFreeCycles(8, banks: 4, ports: 1), Is.EqualTo(2));
        });
    }

    [Test]
    public void WrappingRun_ClosedForm_AgreesWithCountingEveryAddress()
    {
        // The closed form q·ceil(S/N) + ceil(r/N) against a literal count of every address the run touches.
        for (int banks = 1; banks <= 9; banks++)
        {
            for (long span = 1; span <= 12; span++)
            {
                for (long words = 0; words <= 40; words++)
                {
                    for (long baseWord = 0; baseWord < 3; baseWord++)
                    {
                        var run = new WordRun(baseWord, span, words);
                        long[] load = new long[banks];
                        for (long i = 0; i < words; i++)
                        {
                            load[(baseWord + (i % span)) % banks]++;
                        }

                        long literal = load.Max();
                        Assert.That(SramBanks.BusiestBankWords(run, banks), Is.EqualTo(literal), $"banks {banks}, span {span}, words {words}, base {baseWord}");
                        Assert.That(SramBanks.BusiestBankWords([run], banks), Is.EqualTo(literal));
                    }
                }
            }
        }
    }

    [Test]
    public void TwoStreams_SharingBanks_AddUpBankByBank()
    {
        // A unified buffer with 4 banks: 3 words from address 0 (banks 0,1,2) and 3 from address 8 (banks 0,1,2 again):
        // banks 0..2 serve 2 words each → 2. The second stream reading its 3-word tile twice adds 2 to each of banks
        // 0..2 → 3. One bank serves all 6 words of the first pair → 6.
        Assert.Multiple(() =>
        {
            Assert.That(SramBanks.BusiestBankWords([new WordRun(0, 3, 3), new WordRun(8, 3, 3)], banks: 4), Is.EqualTo(2));
            Assert.That(SramBanks.BusiestBankWords([new WordRun(0, 3, 3), new WordRun(8, 3, 6)], banks: 4), Is.EqualTo(3));
            Assert.That(SramBanks.BusiestBankWords([new WordRun(0, 3, 3), new WordRun(8, 3, 3)], banks: 1), Is.EqualTo(6));
        });
    }

    /// <summary>Runs one compute step of the engine <paramref name="engineName"/> over <paramref name="buffers"/>, its
    /// ifmap tiles and weight tiles (tile 0 of each, or no weight tile when there are none) loaded over a DRAM channel of
    /// 4 bytes per cycle and 10 cycles of latency; returns the cycle the engine finished and the statistics.</summary>
    private static (long FinishedAt, StatsSnapshot Stats) RunOneStep(
        ComponentId engineName, BufferSetConfig buffers, ImmutableArray<long> ifmapTiles, ImmutableArray<long> weightTiles,
        long computeCycles, long macs, long ifmapReadBytes, long weightReadBytes, long vectorOps)
    {
        var simulation = new Simulation();
        var dram = new DramChannel(simulation, ComponentId.Dram, new DramConfig(4, 10));
        var ifmap = new TileLoader(simulation, ComponentId.Ifmap, buffers.Ifmap, dram, ifmapTiles);
        var weights = new TileLoader(simulation, ComponentId.Weights, buffers.Weights, dram, weightTiles);
        var ofmap = new OutputBuffer(simulation, ComponentId.Ofmap, buffers.Ofmap, dram);
        ImmutableArray<ComputeStep> steps =
        [
            new ComputeStep
            {
                IfmapTile = 0, WeightTile = weightTiles.IsEmpty ? -1 : 0, ComputeCycles = computeCycles, FillDrainCycles = 0, Macs = macs,
                IfmapReadBytes = ifmapReadBytes, WeightReadBytes = weightReadBytes, OutputBytes = 0, InputConversions = 0,
                OutputConversions = 0, VectorOps = vectorOps,
            },
        ];
        var engine = new ComputeEngine(simulation, engineName, steps, ifmap, weights, ofmap, buffers);
        engine.Start();
        ifmap.Start();
        weights.Start();
        simulation.RunToCompletion();
        return (engine.FinishedAt!.Value.Value, simulation.Stats.Snapshot());
    }

    /// <summary>One input tile of <paramref name="tileBytes"/> read by one step of one compute cycle that reads
    /// <paramref name="readBytes"/>; 128-bit words, one read port per bank.</summary>
    private static (long Total, long Sram, long Conflicts, long Ifmap) OneStep(int banks, long tileBytes, long readBytes)
    {
        var sram = new SramConfig("ifmap", 4096, 128, 1, 1) { Banks = banks };
        var buffers = new BufferSetConfig(sram, sram with { Name = "weights" }, sram with { Name = "ofmap" });
        var (finishedAt, stats) = RunOneStep(
            ComponentId.VectorUnit, buffers, [tileBytes], [], computeCycles: 1, macs: 0, ifmapReadBytes: readBytes, weightReadBytes: 0, vectorOps: 1);
        return (finishedAt, stats["vector_unit.stall_cycles.sram_bandwidth"], stats["vector_unit.bank_conflict_cycles"],
            stats["vector_unit.stall_cycles.ifmap"]);
    }

    // 4 banks, a 32 B tile read as 128 B: the tile (two 16-byte words) arrives at 32 B / 4 B per cycle = 8 beats + 10
    // latency = cycle 18 (its two words go to banks 0 and 1, one cycle of the write port: no hold on the channel). The
    // step reads 128 B = 8 words, 0,1,0,1,…: 4 in each of banks 0 and 1, so 4 cycles where 8 words over 4 banks would
    // take 2. The step lasts max(1 compute, 4 port) = 4 cycles: 3 of SRAM-bandwidth stall, of which 4 − max(1, 2) = 2
    // are bank conflicts. Finished at 18 + 4 = 22.
    [TestCase(4, 32, 128, 22, 18, 3, 2, TestName = "Engine_ReReadingATwoWordTileOverFourBanks_TakesTwiceTheConflictFreeTime")]
    // 4 banks, a 128 B tile read whole: 8 words arrive at 128 / 4 = 32 beats + 10 = cycle 42; 8 reads of addresses 0..7
    // put 2 in each bank: 2 cycles, the conflict-free time; the step lasts 2 (1 cycle of SRAM-bandwidth stall, no
    // conflict) → 44.
    [TestCase(4, 128, 128, 44, 42, 1, 0, TestName = "Engine_ReadingAWholeEightWordTileOverFourBanks_HasNoConflict")]
    // One bank: 8 words take 8 cycles whatever the addresses; 7 of them stall, none is a conflict. 18 + 8 = 26.
    [TestCase(1, 32, 128, 26, 18, 7, 0, TestName = "Engine_OneBank_ReadsAWordPerPortPerCycle")]
    public void Engine_OneTileReadByOneStep(
        int banks, long tileBytes, long readBytes, long expectedTotal, long expectedIfmapStall, long expectedSramStall, long expectedConflicts)
    {
        var (total, sram, conflicts, ifmap) = OneStep(banks, tileBytes, readBytes);
        Assert.Multiple(() =>
        {
            Assert.That(total, Is.EqualTo(expectedTotal));
            Assert.That(ifmap, Is.EqualTo(expectedIfmapStall), "the step waits for its tile until it arrives");
            Assert.That(sram, Is.EqualTo(expectedSramStall));
            Assert.That(conflicts, Is.EqualTo(expectedConflicts));
        });
    }

    [Test]
    public void Engine_UnifiedBuffer_IfmapAndWeightReadsShareItsPorts()
    {
        // One step of 4 compute cycles reads 4 ifmap words and 4 weight words (64 B each, 16-byte words, 1 read port).
        // Separate buffers read both at once: 4 cycles, no SRAM stall. A unified buffer (one bank) serves the 8 words
        // through its one port: 8 cycles, 4 of them an SRAM-bandwidth stall (no bank conflict: there is one bank).
        // The tiles (64 B each) arrive at 64/4 = 16 beats + 10 = 26 and 32 + 10 = 42: the step starts at 42.
        var separate = SharedStep(unified: false);
        var unified = SharedStep(unified: true);
        Assert.Multiple(() =>
        {
            Assert.That(separate, Is.EqualTo((46L, 0L, 0L)));
            Assert.That(unified, Is.EqualTo((50L, 4L, 0L)));
        });

        static (long Total, long Sram, long Conflicts) SharedStep(bool unified)
        {
            var sram = new SramConfig("unified", 3072, 128, 1, 1);
            BufferSetConfig buffers = unified
                ? BufferSetConfig.Split(sram, 1024, 1024, 1024, partitioned: true)
                : new BufferSetConfig(sram with { Name = "ifmap", CapacityBytes = 1024 }, sram with { Name = "weights", CapacityBytes = 1024 },
                    sram with { Name = "ofmap", CapacityBytes = 1024 });
            var (finishedAt, stats) = RunOneStep(
                ComponentId.PeArray, buffers, [64], [64], computeCycles: 4, macs: 16, ifmapReadBytes: 64, weightReadBytes: 64, vectorOps: 0);
            return (finishedAt, stats["pe_array.stall_cycles.sram_bandwidth"], stats["pe_array.bank_conflict_cycles"]);
        }
    }

    [Test]
    public void Engine_UnifiedBanks_StreamsInTheSameBanks_Conflict()
    {
        // Unified buffer of 2 banks, 16-byte words: ifmap part 1024 B (64 words), so the weight part starts at word 64
        // (bank 0) like the ifmap tile (word 0, bank 0). Each tile is 1 word, read 4 times: both streams hit bank 0 only,
        // 8 accesses at 1 port = 8 cycles, where 8 words over 2 banks would take 4. Compute 1: stall 7, conflicts 4.
        // Tiles arrive at 16/4 = 4 beats + 10 = 14 and 4 + 4 + 10 = 18; 18 + 8 = 26.
        var sram = new SramConfig("unified", 3072, 128, 1, 1) { Banks = 2 };
        BufferSetConfig buffers = BufferSetConfig.Split(sram, 1024, 1024, 1024, partitioned: true);
        var (finishedAt, stats) = RunOneStep(
            ComponentId.PeArray, buffers, [16], [16], computeCycles: 1, macs: 1, ifmapReadBytes: 64, weightReadBytes: 64, vectorOps: 0);
        Assert.Multiple(() =>
        {
            Assert.That(finishedAt, Is.EqualTo(26));
            Assert.That(stats["pe_array.stall_cycles.sram_bandwidth"], Is.EqualTo(7));
            Assert.That(stats["pe_array.bank_conflict_cycles"], Is.EqualTo(4));
        });
    }

    [Test]
    public void Fill_SlowerThanTheChannel_HoldsTheChannel()
    {
        // 64 B of 8-bit words (64 words) into 2 banks with one write port each: 32 cycles, slower than the channel's
        // 64 / 4 = 16 beats; the data is usable 32 + 10 = 42 cycles after the request. With 4 banks: 16 cycles, as fast
        // as the channel: 16 + 10 = 26.
        Assert.Multiple(() =>
        {
            Assert.That(FillDoneAt(banks: 2), Is.EqualTo(42));
            Assert.That(FillDoneAt(banks: 4), Is.EqualTo(26));
        });

        static long FillDoneAt(int banks)
        {
            var simulation = new Simulation();
            var dram = new DramChannel(simulation, ComponentId.Dram, new DramConfig(4, 10));
            var loader = new TileLoader(simulation, ComponentId.Ifmap, new SramConfig("ifmap", 4096, 8, 1, 1) { Banks = banks }, dram, [64]);
            long? readyAt = null;
            loader.OnTileReady(() => readyAt ??= simulation.Now.Value);
            loader.Start();
            simulation.RunToCompletion();
            return readyAt!.Value;
        }
    }
}
