using AccelSim.Configuration;
using AccelSim.Energy;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Numerics;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Execution;

/// <summary>Area and FPGA estimates of the shipped default (BFP) and float16 arrays, derived by hand from the cited figures.</summary>
public sealed class CostEstimatorTests
{
    private static LoadedAccelerator Load(string name) => ConfigLoader.LoadAcceleratorWithEnergy(Path.Combine(RepoPaths.Configs, name + ".yaml"));

    private static AreaEstimate? Area(LoadedAccelerator accelerator) => CostEstimator.Area(accelerator.Hardware, accelerator.Energy);

    private static FpgaEstimate? Fpga(LoadedAccelerator accelerator) => CostEstimator.Fpga(accelerator.Hardware, accelerator.Energy);

    [Test]
    public void DefaultArea_IsCitedUnitsTimesCounts()
    {
        var area = Area(Load("default"))!;

        // 1024 PEs × 282 µm² (8×8-bit multiply, the reference)       = 0.288768 mm²
        // 1024 PEs × 137 µm² (32-bit add; an exact accumulator is taken as 32 bits) = 0.140288 mm²
        // 32 lanes × 4184 µm² (float32 add)                             = 0.133888 mm²
        // (512 + 512 + 256) KiB × 8192 bits × 0.346 µm²                 = 3.62807296 mm²
        using (Assert.EnterMultipleScope())
        {
            Assert.That(area.ByComponent["pe_array"], Is.EqualTo(0.288768 + 0.140288).Within(1e-9));
            Assert.That(area.ByComponent["vector_unit"], Is.EqualTo(0.133888).Within(1e-9));
            Assert.That(area.ByComponent["ifmap"] + area.ByComponent["weights"] + area.ByComponent["ofmap"], Is.EqualTo(3.62807296).Within(1e-9));
            Assert.That(area.SquareMillimetres, Is.EqualTo(4.19101696).Within(1e-9));
        }
    }

    [Test]
    public void Float16Area_PaysForFloatMultipliersAndFloat32Accumulators()
    {
        var area = Area(Load("float16"))!;

        // 1024 × (1640 µm² float16 multiply + 4184 µm² float32 add) = 5.963776 mm² against 0.429056 mm² for BFP.
        Assert.That(area.ByComponent["pe_array"], Is.EqualTo(5.963776).Within(1e-9));
    }

    [Test]
    public void UnifiedBuffer_HasTheDefaultsSramArea_AndBlockRamsPerBank()
    {
        var config = Load("unified_buffer");
        var area = Area(config)!;
        var fpga = Fpga(config)!;

        // The same 1,310,720 bytes as the default's three buffers: 3.62807296 mm² of SRAM cells, as one component.
        // BRAM: 4 banks of 327,680 B = 2,621,440 bits / 36,864 → 72 each (their 1024-bit words need only 15 side by
        // side): 288, against 285 for three unbanked buffers.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(area.ByComponent["unified"], Is.EqualTo(3.62807296).Within(1e-9));
            Assert.That(area.ByComponent.ContainsKey("ifmap"), Is.False);
            Assert.That(fpga.BlockRams, Is.EqualTo(288L));
        }
    }

    [Test]
    public void FpgaEstimates_ShowTheSeedsDifference()
    {
        var bfp = Fpga(Load("default"))!;
        var half = Fpga(Load("float16"))!;

        // BRAM: ifmap and weights 4,194,304 bits / 36,864 → 114 each (their 1024- and 256-bit words need only 15 and 4
        // side by side); ofmap 2,097,152 / 36,864 → 57. Total 285 for both arrays.
        using (Assert.EnterMultipleScope())
        {
            // One fixed-point multiplier (1 DSP) per PE; the exact accumulator as 32 bits of carry chain: 1 LUT + 1 FF per bit.
            Assert.That((bfp.MultiplierKind, bfp.Dsp, bfp.Lut, bfp.FlipFlops, bfp.BlockRams, bfp.ClockMegahertz),
                Is.EqualTo(("fixed16", 1024L, 32_768L, 32_768L, 285L, 300.0)));

            // Two DSP, 51 LUT and 95 FF per float16 multiplier, and its 219 MHz; float32 accumulators are not counted.
            Assert.That((half.MultiplierKind, half.Dsp, half.Lut, half.FlipFlops, half.BlockRams, half.ClockMegahertz),
                Is.EqualTo(("float16", 2048L, 52_224L, 97_280L, 285L, 219.0)));
        }
    }

    [Test]
    public void MxFp8Area_PricesSignificandMultiplierExponentAndBlockScaleLogic()
    {
        var area = Area(Load("mxfp8"))!;
        var each = area.Lines.Where(l => l.Component == "pe_array").ToDictionary(l => l.Part, l => l.SquareMicrometresEach);

        // Per PE, E4M3 × E4M3 with float32 accumulation, from the cited 45 nm areas (8b multiply 282 µm², 32b add 137 µm²,
        // float32 add 4184 µm²):
        //   multiplier of the 4-bit significands: 282 × (4/8)²  = 70.5
        //   exponent adder, 4 bits + carry:       137 × 5/32    = 21.40625
        //   block sum, 18 + 18 + log2 32 + sign:  137 × 42/32   = 179.8125
        //   E8M0 + E8M0 scale add, 9 bits:        137 × 9/32    = 38.53125
        //   float32 add of each block product:    4184
        //   total 4494.25 µm², × 1024 PEs = 4.602112 mm² (against 0.429056 mm² for the default bfp(5, 8)).
        using (Assert.EnterMultipleScope())
        {
            Assert.That(each.Keys, Is.EquivalentTo(new[] { "multiplier", "exponent_adder", "accumulator", "scale_adder", "block_fp32_adder" }));
            Assert.That(each["multiplier"], Is.EqualTo(70.5).Within(1e-9));
            Assert.That(each["exponent_adder"], Is.EqualTo(21.40625).Within(1e-9));
            Assert.That(each["accumulator"], Is.EqualTo(179.8125).Within(1e-9));
            Assert.That(each["scale_adder"], Is.EqualTo(38.53125).Within(1e-9));
            Assert.That(each["block_fp32_adder"], Is.EqualTo(4184).Within(1e-9));
            Assert.That(area.ByComponent["pe_array"], Is.EqualTo(4.602112).Within(1e-9));
        }
    }

    [Test]
    public void Nvfp4AndMxInt8Area_PriceTheirOwnUnits()
    {
        var mx = Load("mxfp8");
        AreaEstimate ForFormat(MxFormat format, MxAccumulation accumulation) => CostEstimator.Area(
            mx.Hardware with { Bfp = mx.Hardware.Bfp with { WeightMx = format, InputMx = format, Mx = mx.Hardware.Bfp.Mx with { Accumulation = accumulation } } },
            mx.Energy)!;
        static Dictionary<string, double> Each(AreaEstimate a) =>
            a.Lines.Where(l => l.Component == "pe_array").ToDictionary(l => l.Part, l => l.SquareMicrometresEach);

        var nvfp4 = Each(ForFormat(MxFormat.Nvfp4, MxAccumulation.Fp32));
        var int8 = Each(ForFormat(MxFormat.MxInt8, MxAccumulation.Exact));
        using (Assert.EnterMultipleScope())
        {
            // NVFP4: E2M1 significands of 2 bits: 282 × (2/8)² = 17.625; exponents 2 bits + carry: 137 × 3/32 = 12.84375;
            // block sum of 16, codes of 4 bits (6 / 2^−1 = 12): 4 + 4 + 4 + 1 = 13 bits, 137 × 13/32 = 55.65625; the
            // E4M3 × E4M3 scale multiply, 4-bit significands: 282 × (4/8)² = 70.5, and its 4-bit exponents + carry:
            // 137 × 5/32 = 21.40625.
            Assert.That(nvfp4["multiplier"], Is.EqualTo(17.625).Within(1e-9));
            Assert.That(nvfp4["exponent_adder"], Is.EqualTo(12.84375).Within(1e-9));
            Assert.That(nvfp4["accumulator"], Is.EqualTo(55.65625).Within(1e-9));
            Assert.That(nvfp4["scale_multiplier"], Is.EqualTo(70.5).Within(1e-9));
            Assert.That(nvfp4["scale_adder"], Is.EqualTo(21.40625).Within(1e-9));

            // MXINT8, exact: an 8 × 8 multiply (282), no exponent adder, a block sum of 7 + 7 + 5 + 1 = 20 bits
            // (137 × 20/32 = 85.625), the 9-bit scale add, and no float32 add.
            Assert.That(int8.Keys, Is.EquivalentTo(new[] { "multiplier", "accumulator", "scale_adder" }));
            Assert.That(int8["multiplier"], Is.EqualTo(282).Within(1e-9));
            Assert.That(int8["accumulator"], Is.EqualTo(85.625).Within(1e-9));
        }
    }

    [Test]
    public void MxFp8Fpga_AddsTheExponentAndScaleAddersInFabric()
    {
        var fpga = Fpga(Load("mxfp8"))!;

        // Per PE one DSP for the 4 × 4 significand multiply, and carry-chain adders of 42 (block sum) + 5 (exponent) +
        // 9 (scale) = 56 bits, 1 LUT and 1 FF each: 1024 DSP, 57,344 LUT, 57,344 FF (285 BRAM as for the default).
        Assert.That((fpga.MultiplierKind, fpga.Dsp, fpga.Lut, fpga.FlipFlops, fpga.BlockRams), Is.EqualTo(("fixed16", 1024L, 57_344L, 57_344L, 285L)));
    }

    [Test]
    public void NoFigures_NoEstimates()
    {
        var config = TestHardware.Tiny();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(CostEstimator.Area(config, TestHardware.UnitEnergyTable()), Is.Null);
            Assert.That(CostEstimator.Fpga(config, TestHardware.UnitEnergyTable()), Is.Null);
            var float32 = Load("default");
            Assert.That(CostEstimator.Fpga(float32.Hardware with { PeArray = new PeArrayConfig(32, 32, Dataflow.OutputStationary) { Arithmetic = Arithmetic.Float32 } }, float32.Energy), Is.Null);
        }
    }
}
