using System.Collections.Immutable;
using AccelSim.Energy;
using AccelSim.Hardware;
using AccelSim.Numerics;

namespace AccelSim.Tests.Support;

/// <summary>Small accelerators built in code, so tests state every parameter they depend on.</summary>
public static class TestHardware
{
    /// <summary>
    /// A 4×4 output-stationary array; 4 KiB buffers with 128-bit words and one port each; DRAM at 4 bytes/cycle with
    /// 10 cycles latency; a 4-lane vector unit; bfp(5, 8) weights and inputs under scheme 6-11 with round-to-nearest-even.
    /// Each dataflow's heuristic mapping, not the default search: the tests built on it derive their numbers by hand from
    /// that mapping (a test of the search sets <c>Mapper</c> itself).
    /// </summary>
    public static AcceleratorConfig Tiny() => new()
    {
        Name = "tiny",
        ClockMegahertz = 200,
        PeArray = new PeArrayConfig(4, 4, Dataflow.OutputStationary),
        Buffers = new BufferSetConfig(
            new SramConfig("ifmap", 4096, 128, 1, 1),
            new SramConfig("weights", 4096, 128, 1, 1),
            new SramConfig("ofmap", 4096, 128, 1, 1)),
        Dram = new DramConfig(BandwidthBytesPerCycle: 4, LatencyCycles: 10),
        VectorUnit = new VectorUnitConfig(4),
        Bfp = new BfpSettings(new BfpFormat(5, 8), new BfpFormat(5, 8), BlockPartition.Row, BlockPartition.Tensor,
            RoundingMode.NearestEven, AccumulatorBits: null, StochasticSeed: 1),
        MaxCycles = 10_000_000,
        Mapper = MapperConfig.Heuristic,
    };

    /// <summary>The tiny accelerator with a rows × cols array, ifmap and weight buffers of <paramref name="capacityBytes"/>
    /// (the ofmap buffer at least one fold's 4-byte results), and the given DRAM channel.</summary>
    public static AcceleratorConfig TinyWith(int rows, int cols, long capacityBytes, double bandwidthBytesPerCycle, long latencyCycles)
    {
        var tiny = Tiny();
        return tiny with
        {
            PeArray = tiny.PeArray with { Rows = rows, Cols = cols },
            Buffers = new BufferSetConfig(
                tiny.Buffers.Ifmap with { CapacityBytes = capacityBytes },
                tiny.Buffers.Weights with { CapacityBytes = capacityBytes },
                tiny.Buffers.Ofmap with { CapacityBytes = Math.Max(capacityBytes, rows * cols * 4) }),
            Dram = new DramConfig(bandwidthBytesPerCycle, latencyCycles),
        };
    }

    /// <summary>An energy table whose every entry is 1 pJ at its reference width, scaling linearly (1 bit for DRAM, 8 for
    /// the rest), and without leakage (0 µW).</summary>
    public static EnergyTable UnitEnergyTable()
    {
        var entries = EnergyEntryNames.Required.ToImmutableSortedDictionary(
            name => name,
            name => new EnergyEntry
            {
                Name = name,
                PicoJoules = name.StartsWith("leakage", StringComparison.Ordinal) ? null : 1,
                Microwatts = name.StartsWith("leakage", StringComparison.Ordinal) ? 0 : null,
                ReferenceBits = name == EnergyEntryNames.DramAccess ? 1 : 8,
                Scaling = EnergyScaling.Linear,
                Source = "test value",
            },
            StringComparer.Ordinal);
        return new EnergyTable { Name = "unit", TechnologyNanometers = 45, Entries = entries };
    }
}
