using System.Collections.Immutable;
using AccelSim.Energy;
using AccelSim.Hardware;

namespace AccelSim.Execution;

/// <summary>Area (ASIC) and resource (FPGA) estimates of an accelerator from the cited figures of its table.</summary>
public static class CostEstimator
{
    /// <summary>Null when the table gives no area figures.</summary>
    /// <remarks>
    /// Per PE one multiplier and one accumulator adder at the array's widths (a BFP accumulator at its configured width, or
    /// 32 bits when exact); per vector lane one float32 adder; per buffer its bits of SRAM cells. Wires, registers,
    /// control, converters and SRAM periphery are not counted, so this is a lower bound.
    /// </remarks>
    public static AreaEstimate? Area(AcceleratorConfig config, EnergyTable energy)
    {
        var areas = energy.Areas;
        if (areas.IsEmpty)
        {
            return null;
        }

        var pe = config.PeArray;
        (string multiply, double multiplyBits, string add, double addBits) = Units(config);
        var lines = new List<AreaLine>
        {
            Line(ComponentId.PeArray.Path, "multiplier", pe.PeCount, multiply, multiplyBits),
            Line(ComponentId.PeArray.Path, "accumulator", pe.PeCount, add, addBits),
            Line(ComponentId.VectorUnit.Path, "fp32_adder", config.VectorUnit.Lanes, EnergyEntryNames.FloatAdd, 32),
        };
        foreach (SramConfig sram in config.Buffers.Physical)
        {
            lines.Add(Line(sram.Name, "sram_bit", sram.CapacityBytes * 8, "sram_bit", 1));
        }

        return new AreaEstimate(energy.Name, [.. lines]);

        AreaLine Line(string component, string part, long count, string entry, double bits)
        {
            AreaEntry area = areas[entry];
            double ratio = bits / area.ReferenceBits;
            double each = area.Scaling switch
            {
                EnergyScaling.None => area.SquareMicrometres,
                EnergyScaling.Linear => area.SquareMicrometres * ratio,
                EnergyScaling.Quadratic => area.SquareMicrometres * ratio * ratio,
                _ => throw new ArgumentOutOfRangeException(nameof(config)),
            };
            return new AreaLine(component, part, count, each, entry);
        }
    }

    /// <summary>Null when the table gives no FPGA figures, or for a float32 array (no cited float32 multiplier).</summary>
    /// <remarks>
    /// One multiplier per PE: BFP mantissas (up to 18 bits, one DSP slice's width) use the cited 16-bit fixed-point
    /// multiplier, float16 arrays the cited 16-bit floating-point one. Integer accumulators are fabric adders (LUTs and
    /// flip-flops per bit); a float16 array's float32 accumulators have no cited figure and are left out, so its estimate
    /// is a lower bound. Each buffer (each bank of it) takes block RAMs by capacity, and at least enough side by side for its word width.
    /// </remarks>
    public static FpgaEstimate? Fpga(AcceleratorConfig config, EnergyTable energy)
    {
        FpgaFigures? fpga = energy.Fpga;
        var pe = config.PeArray;
        if (fpga is null || pe.Arithmetic == Arithmetic.Float32
            || (pe.Arithmetic == Arithmetic.Bfp && Math.Max(config.Bfp.Weights.MantissaBits, config.Bfp.Inputs.MantissaBits) > 18))
        {
            return null;
        }

        bool fixedPoint = pe.Arithmetic == Arithmetic.Bfp;
        FpgaMultiplier multiplier = fixedPoint ? fpga.Fixed16 : fpga.Float16;
        long accumulatorBits = fixedPoint ? config.Bfp.AccumulatorBits ?? 32 : 0;
        long luts = pe.PeCount * (multiplier.Lut + (long)Math.Ceiling(fpga.AdderLutsPerBit * accumulatorBits));
        long flipFlops = pe.PeCount * (multiplier.FlipFlops + (long)Math.Ceiling(fpga.AdderFlipFlopsPerBit * accumulatorBits));
        // Every bank is its own set of block RAMs.
        long blockRams = config.Buffers.Physical
            .Sum(b => b.Banks * Math.Max(DivideRoundingUp(b.BankCapacityBytes * 8, fpga.BlockRamBits), DivideRoundingUp(b.WordBits, fpga.BlockRamMaxWidthBits)));
        string notes = fixedPoint
            ? "multipliers, integer accumulators (32 bits when exact) and buffers; control, converters and the vector unit not counted"
            : "multipliers and buffers; float32 accumulators (no cited figure), control and the vector unit not counted: a lower bound";
        return new FpgaEstimate(fpga.Family, fixedPoint ? "fixed16" : "float16", pe.PeCount * (long)multiplier.Dsp, luts, flipFlops, blockRams,
            multiplier.MaxClockMegahertz, notes);
    }

    /// <summary>The multiplier and accumulator entries and widths of a PE.</summary>
    internal static (string Multiply, double MultiplyBits, string Add, double AddBits) Units(AcceleratorConfig config) => config.PeArray.Arithmetic switch
    {
        Arithmetic.Bfp => (EnergyEntryNames.IntegerMultiply, Math.Sqrt((double)config.Bfp.Weights.MantissaBits * config.Bfp.Inputs.MantissaBits),
            EnergyEntryNames.IntegerAdd, config.Bfp.AccumulatorBits ?? 32),
        Arithmetic.Float16 => (EnergyEntryNames.HalfMultiply, 16, EnergyEntryNames.FloatAdd, 32),
        Arithmetic.Float32 => (EnergyEntryNames.FloatMultiply, 32, EnergyEntryNames.FloatAdd, 32),
        _ => throw new ArgumentOutOfRangeException(nameof(config)),
    };

    private static long DivideRoundingUp(long numerator, long denominator) => (numerator + denominator - 1) / denominator;
}
