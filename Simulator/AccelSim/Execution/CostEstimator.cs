using System.Collections.Immutable;
using AccelSim.Energy;
using AccelSim.Hardware;
using AccelSim.Numerics;

namespace AccelSim.Execution;

/// <summary>Area (ASIC) and resource (FPGA) estimates of an accelerator from the cited figures of its table.</summary>
public static class CostEstimator
{
    /// <summary>Null when the table gives no area figures.</summary>
    /// <remarks>
    /// Per PE one multiplier and one accumulator adder at the array's widths (a BFP accumulator at its configured width, or
    /// 32 bits when exact); per vector lane one float32 adder; per buffer its bits of SRAM cells. Wires, registers,
    /// control, converters and SRAM periphery are not counted, so this is a lower bound. An MX/NVFP4 array's PEs are
    /// priced by <see cref="MxPeUnits"/> instead of the mantissa multiplier.
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
        var lines = new List<AreaLine>();
        if (pe.Arithmetic == Arithmetic.Bfp && config.Bfp.IsMx)
        {
            lines.AddRange(MxPeUnits(config.Bfp).Select(u => Line(ComponentId.PeArray.Path, u.Part, pe.PeCount, u.Entry, u.Bits)));
        }
        else
        {
            lines.Add(Line(ComponentId.PeArray.Path, "multiplier", pe.PeCount, multiply, multiplyBits));
            lines.Add(Line(ComponentId.PeArray.Path, "accumulator", pe.PeCount, add, addBits));
        }

        lines.Add(Line(ComponentId.VectorUnit.Path, "fp32_adder", config.VectorUnit.Lanes, EnergyEntryNames.FloatAdd, 32));
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
        bool mx = fixedPoint && config.Bfp.IsMx;
        FpgaMultiplier multiplier = fixedPoint ? fpga.Fixed16 : fpga.Float16;

        // An MX PE's fabric adders: its block-sum accumulator, the element exponent adder and the block-scale adder (the
        // significand multipliers, at most 8 × 8 bits, take the DSP; NVFP4's 4 × 4 scale multiply and a float32 block add
        // have no cited FPGA figure and are left out).
        long accumulatorBits = mx
            ? MxPeUnits(config.Bfp).Where(u => u.Entry == EnergyEntryNames.IntegerAdd).Sum(u => (long)u.Bits)
            : fixedPoint ? config.Bfp.AccumulatorBits ?? 32 : 0;
        long luts = pe.PeCount * (multiplier.Lut + (long)Math.Ceiling(fpga.AdderLutsPerBit * accumulatorBits));
        long flipFlops = pe.PeCount * (multiplier.FlipFlops + (long)Math.Ceiling(fpga.AdderFlipFlopsPerBit * accumulatorBits));
        // Every bank is its own set of block RAMs.
        long blockRams = config.Buffers.Physical
            .Sum(b => b.Banks * Math.Max(DivideRoundingUp(b.BankCapacityBytes * 8, fpga.BlockRamBits), DivideRoundingUp(b.WordBits, fpga.BlockRamMaxWidthBits)));
        string notes = mx
            ? "significand multipliers, block-sum accumulators, element exponent and block-scale adders, and buffers; NVFP4's scale multiply, float32 block adds, control, converters and the vector unit not counted: a lower bound"
            : fixedPoint
            ? "multipliers, integer accumulators (32 bits when exact) and buffers; control, converters and the vector unit not counted"
            : "multipliers and buffers; float32 accumulators (no cited figure), control and the vector unit not counted: a lower bound";
        return new FpgaEstimate(fpga.Family, fixedPoint ? "fixed16" : "float16", pe.PeCount * (long)multiplier.Dsp, luts, flipFlops, blockRams,
            multiplier.MaxClockMegahertz, notes);
    }

    /// <summary>The arithmetic units of one PE of an MX/NVFP4 array, each with the table entry that prices it and its
    /// width (docs/mx-formats.md, "Area and FPGA").</summary>
    /// <remarks>
    /// Assumptions, derived rather than cited (the table cites no MX multiplier area): an FP element
    /// multiplier is an integer multiplier of its significands (√(sW·sI) bits, s = mantissa bits + 1, 8 for INT8) plus
    /// an adder of its exponents (the wider exponent plus a carry bit); INT8 elements have no exponent. The block sum is
    /// an integer add at the block-sum (or configured fixed) width. Once per block each PE scales its block sum: an
    /// E8M0 × E8M0 scale is an add of the two 8-bit exponents (9 bits); an NVFP4 E4M3 scale multiplies 4-bit
    /// significands (an E4M3 and E8M0 pair, √(4·1) = 2 bits) and adds the exponents (5 bits, 9 with an E8M0); with
    /// float32 accumulation one float32 add takes the scaled block sum. Each is priced with the cited integer multiply,
    /// integer add and float32 add areas; one set per PE, as every PE of an output-stationary array ends its own blocks.
    /// </remarks>
    internal static IReadOnlyList<(string Part, string Entry, double Bits)> MxPeUnits(BfpSettings bfp)
    {
        MxFormat w = bfp.WeightMx!;
        MxFormat i = bfp.InputMx!;
        var units = new List<(string Part, string Entry, double Bits)>
        {
            ("multiplier", EnergyEntryNames.IntegerMultiply, Math.Sqrt((double)w.SignificandBits * i.SignificandBits)),
        };
        if (!w.Element.IsInteger || !i.Element.IsInteger)
        {
            units.Add(("exponent_adder", EnergyEntryNames.IntegerAdd, Math.Max(w.Element.ExponentBits, i.Element.ExponentBits) + 1));
        }

        units.Add(("accumulator", EnergyEntryNames.IntegerAdd,
            bfp.AccumulatorBits ?? (bfp.Mx.Accumulation == MxAccumulation.Fixed ? bfp.Mx.AccumulatorBits : MxFormat.BlockSumBits(w, i))));
        if (w.IsNvfp4 || i.IsNvfp4)
        {
            static int ScaleSignificand(MxFormat f) => f.IsNvfp4 ? 4 : 1;
            units.Add(("scale_multiplier", EnergyEntryNames.IntegerMultiply, Math.Sqrt((double)ScaleSignificand(w) * ScaleSignificand(i))));
            units.Add(("scale_adder", EnergyEntryNames.IntegerAdd, w.IsNvfp4 && i.IsNvfp4 ? 5 : 9));
        }
        else
        {
            units.Add(("scale_adder", EnergyEntryNames.IntegerAdd, 9));
        }

        if (bfp.Mx.Accumulation == MxAccumulation.Fp32)
        {
            units.Add(("block_fp32_adder", EnergyEntryNames.FloatAdd, 32));
        }

        return units;
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
