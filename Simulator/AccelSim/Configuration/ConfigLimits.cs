using AccelSim.Configuration.Yaml;

namespace AccelSim.Configuration;

/// <summary>
/// The ranges of the accelerator-config and energy-table settings whose arithmetic could otherwise overflow
/// (docs/configs.md, "Limits"). Each bound is far outside any real design; together they keep every count a 64-bit
/// integer and every figure a finite double:
/// <list type="bullet">
/// <item>Simulated time: a layer ends by <c>max_cycles</c> ≤ 5e11, and a single delay is at most a DRAM transfer
/// (bytes ≤ 2^40 at ≥ 1e-6 bytes per cycle ≈ 1.1e18 cycles, and the channel caps it at 2^60) plus a latency ≤ 2^40,
/// so the current cycle plus any delay stays below 2^63.</item>
/// <item>Leakage counts cycles × PEs: 5e11 × 4096 × 4096 ≈ 8.4e18 &lt; 2^63 ≈ 9.2e18.</item>
/// <item>Energy: a figure ≤ 1e9 pJ (or 1e9 µW / 0.001 MHz = 1e12 pJ per cycle) times a count below 2^63 stays
/// below 1e32, a finite double.</item>
/// </list>
/// </summary>
internal static class ConfigLimits
{
    /// <summary>2^40: one tebibyte, or about 18 minutes at 1 GHz.</summary>
    public const long TwoToThe40 = 1L << 40;

    /// <summary><c>clock_mhz</c> (and an energy table's <c>max_clock_mhz</c>).</summary>
    public static readonly Limit ClockMegahertz = new(0.001, 100_000, "1 kHz to 100 GHz in MHz; static power per cycle is microwatts / clock_mhz");

    /// <summary><c>max_cycles</c>.</summary>
    public static readonly Limit MaxCycles = new(1, 500_000_000_000,
        "leakage counts max_cycles x up to 4096 x 4096 PEs, which must fit a 64-bit integer");

    /// <summary><c>dram.bandwidth_bytes_per_cycle</c>, and what <c>dram.bandwidth_gb_per_s</c> gives at the clock.</summary>
    public static readonly Limit BytesPerCycle = new(1e-6, 1e9, "a transfer's cycles, bytes / bandwidth, must fit the simulated clock");

    /// <summary><c>dram.bandwidth_gb_per_s</c>.</summary>
    public static readonly Limit GigabytesPerSecond = new(0.001, 1_000_000, "1 MB/s to 1 PB/s");

    /// <summary><c>dram.latency_cycles</c>.</summary>
    public static readonly Limit LatencyCycles = new(0, TwoToThe40, "2^40 cycles; added to the current cycle, it must fit the simulated clock");

    /// <summary>A buffer's <c>capacity_bytes</c>.</summary>
    public static readonly Limit CapacityBytes = new(64, TwoToThe40, "2^40 bytes, 1 TiB; sizes in bits and sums over buffers must fit a 64-bit integer");

    /// <summary>An energy table's <c>pj</c>.</summary>
    public static readonly Limit PicoJoules = new(0, 1e9, "up to 1 mJ per action; energy is a count times this figure");

    /// <summary>An energy table's <c>microwatts</c>.</summary>
    public static readonly Limit Microwatts = new(0, 1e9, "up to 1 kW per unit; energy is cycles times this figure / clock_mhz");

    /// <summary>An energy table's <c>um2</c>.</summary>
    public static readonly Limit SquareMicrometres = new(0, 1e9, "up to 1000 mm2 per unit; area is a count times this figure");

    /// <summary>An energy table's <c>adder_luts_per_bit</c> and <c>adder_ffs_per_bit</c>.</summary>
    public static readonly Limit PerBit = new(0, 1_000_000, "resources per adder bit, multiplied by bits and PEs");

    /// <summary>An energy table's <c>capacity_bytes</c> of a point and <c>block_ram_bits</c>.</summary>
    public static readonly Limit TableCapacity = new(1, TwoToThe40, "2^40, 1 TiB, as a buffer's capacity_bytes");
}
