using AccelSim.Configuration;
using AccelSim.Energy;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Numerics;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Execution;

/// <summary>NVFP4's block-scale and per-tensor-scale multiplies and the float32 block adds of MX units: counted by the
/// PE array from the layer's shape, priced by every shipped energy table.</summary>
public sealed class MxScaleEnergyTests
{
    private static LoadedAccelerator Mxfp8() => ConfigLoader.LoadAcceleratorWithEnergy(Path.Combine(RepoPaths.Configs, "mxfp8.yaml"));

    private static AcceleratorConfig With(AcceleratorConfig config, MxFormat weights, MxFormat inputs, MxAccumulation accumulation) =>
        config with { Bfp = config.Bfp with { WeightMx = weights, InputMx = inputs, Mx = config.Bfp.Mx with { Accumulation = accumulation } } };

    private static Dictionary<string, (long Count, double Bits)> Actions(Layer layer, AcceleratorConfig config)
    {
        LayerContext context = LayerContexts.For(layer, config, RunSettings.Native);
        LayerTiming timing = LayerSimulator.Run(layer, 1, config, context);
        return EnergyAccounting.Actions(layer, timing.Activity, config, timing.TotalCycles, null, context.Bfp)
            .Where(a => !a.Key.IsLeakage)
            .ToDictionary(a => a.Key.Name + "@" + a.Key.Component.Path, a => (a.Count, a.Bits));
    }

    [Test]
    public void Nvfp4WithFloat32Accumulation_CountsBlockScaleMultiplies_TensorScaleMultiplies_AndBlockAdds()
    {
        AcceleratorConfig config = With(Mxfp8().Hardware, MxFormat.Nvfp4, MxFormat.Nvfp4, MxAccumulation.Fp32);
        var conv = Actions(TestNetworks.TinyConv(), config);
        var fc = Actions(TestNetworks.TinyFc(), config);

        using (Assert.EnterMultipleScope())
        {
            // Tiny conv: 4 filters over 6x6 outputs = 144 output values; K = 2 channels x 3x3 = 18, blocks of 16: ceil(18/16)
            // = 2 block products per output, 288 in all. Each block product multiplies two E4M3 scales (4-bit significands)
            // and is added once in float32; each output value is multiplied once by the float32 per-tensor scales.
            Assert.That(conv["nvfp4_block_scale_multiply@pe_array"], Is.EqualTo((288L, 4.0)));
            Assert.That(conv["mx_fp32_block_accumulate@pe_array"], Is.EqualTo((288L, 32.0)));
            Assert.That(conv["nvfp4_tensor_scale_multiply@pe_array"], Is.EqualTo((144L, 32.0)));

            // Each block's exact sum is multiplied by its scale product: E2M1 codes reach 6 / 0.5 = 12 (4 bits), so a
            // block sum of 16 products takes 4 + 4 + log2(16) + 1 sign = 13 bits, times the 4 x 4 = 8-bit scale product.
            Assert.That(conv["nvfp4_block_sum_scale@pe_array"], Is.EqualTo((288L, Math.Sqrt(13.0 * 8))));

            // Tiny FC: 3 outputs, K = 4 x 3 x 3 = 36: ceil(36/16) = 3 block products each, 9 in all.
            Assert.That(fc["nvfp4_block_scale_multiply@pe_array"], Is.EqualTo((9L, 4.0)));
            Assert.That(fc["mx_fp32_block_accumulate@pe_array"], Is.EqualTo((9L, 32.0)));
            Assert.That(fc["nvfp4_tensor_scale_multiply@pe_array"], Is.EqualTo((3L, 32.0)));
        }
    }

    [Test]
    public void MxFp8_HasNoScaleMultiplies_AndItsFloat32AddsFollowTheAccumulation()
    {
        AcceleratorConfig fp32 = With(Mxfp8().Hardware, MxFormat.MxFp8E4M3, MxFormat.MxFp8E4M3, MxAccumulation.Fp32);
        AcceleratorConfig exact = With(Mxfp8().Hardware, MxFormat.MxFp8E4M3, MxFormat.MxFp8E4M3, MxAccumulation.Exact);
        AcceleratorConfig mixed = With(Mxfp8().Hardware, MxFormat.MxFp8E4M3, MxFormat.Nvfp4, MxAccumulation.Exact);
        var withFp32 = Actions(TestNetworks.TinyConv(), fp32);
        var withExact = Actions(TestNetworks.TinyConv(), exact);
        var withMixed = Actions(TestNetworks.TinyConv(), mixed);

        using (Assert.EnterMultipleScope())
        {
            // MXFP8 blocks of 32: ceil(18/32) = 1 block product per output value, 144 float32 adds; E8M0 scales are
            // powers of two, so no scale multiply is priced.
            Assert.That(withFp32["mx_fp32_block_accumulate@pe_array"], Is.EqualTo((144L, 32.0)));
            Assert.That(withFp32.Keys, Has.None.StartsWith("nvfp4_"));
            Assert.That(withExact.Keys, Has.None.StartsWith("mx_fp32_").And.None.StartsWith("nvfp4_"));

            // MXFP8 weights (32) with NVFP4 inputs (16): segments of 16, 2 per output value, 288; an exact sum adds nothing
            // in float32, but the NVFP4 side's scales are multiplied.
            Assert.That(withMixed["nvfp4_block_scale_multiply@pe_array"], Is.EqualTo((288L, 4.0)));

            // The block sum: E4M3 codes reach 448 / 2^-9 = 229,376 (18 bits), E2M1 12 (4 bits), segments of 16 (4 bits),
            // a sign: 27 bits, times one E4M3 scale's 4-bit significand (the E8M0 side is a power of two).
            Assert.That(withMixed["nvfp4_block_sum_scale@pe_array"], Is.EqualTo((288L, Math.Sqrt(27.0 * 4))));
            Assert.That(withMixed.Keys, Has.None.StartsWith("mx_fp32_"));
        }
    }

    [TestCase("horowitz_45nm.yaml")]
    [TestCase("eyeriss_65nm.yaml")]
    public void EveryShippedTable_PricesTheNewActions(string table)
    {
        EnergyTable energy = ConfigLoader.LoadEnergyTable(Path.Combine(RepoPaths.Configs, "energy", table));
        foreach (ActionKey key in new[] { HardwareActions.BlockScaleMultiply, HardwareActions.BlockSumScale, HardwareActions.TensorScaleMultiply, HardwareActions.Fp32BlockAccumulate })
        {
            double pj = EnergyModel.PicoJoulesPerAction(energy, new PricedAction(key, 1, key == HardwareActions.BlockScaleMultiply ? 4 : 32, 0));
            Assert.That(pj, Is.GreaterThan(0), $"{table} prices {key}");
        }
    }
}
