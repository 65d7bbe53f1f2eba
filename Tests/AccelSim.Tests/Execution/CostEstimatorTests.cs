using AccelSim.Configuration;
using AccelSim.Energy;
using AccelSim.Execution;
using AccelSim.Hardware;
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
