using AccelSim.Execution;
using AccelSim.Tensors;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Execution;

public sealed class TensorDumpTests
{
    [Test]
    public void DumpedMantissasAndExponents_RebuildTheDumpedBfpOutput_BitForBit()
    {
        // Tiny conv c1 under 6-11 (weights by row, input as one tensor block), zero bias: every output is
        // float32(Σ_k wq[m,k]·iq[k,n] · 2^(e_w[m] − 6) · 2^(e_i − 6)) with L = 8, the im2col of the dumped input mantissas.
        string dir = Path.Combine(Path.GetTempPath(), "accelsim-dump-" + Guid.NewGuid().ToString("N"));
        try
        {
            NetworkRunner.Run(TestHardware.Tiny(), TestHardware.UnitEnergyTable(), TestNetworks.Tiny(), new RunOptions(true, 2, dir));
            var wm = NpyFile.Read(Path.Combine(dir, "c1.weight_mantissas.npy"));
            var we = NpyFile.Read(Path.Combine(dir, "c1.weight_exponents.npy"));
            var im = NpyFile.Read(Path.Combine(dir, "c1.input_mantissas.npy"));
            var ie = NpyFile.Read(Path.Combine(dir, "c1.input_exponents.npy"));
            var output = NpyFile.Read(Path.Combine(dir, "c1.bfp_output.npy"));

            Assert.That(wm.Shape, Is.EqualTo(new[] { 4, 18 }));
            Assert.That(im.Shape, Is.EqualTo(new[] { 1, 2, 6, 6 }));
            for (int m = 0; m < 4; m++)
            {
                for (int oh = 0; oh < 6; oh++)
                {
                    for (int ow = 0; ow < 6; ow++)
                    {
                        long acc = 0;
                        for (int c = 0; c < 2; c++)
                        {
                            for (int r = 0; r < 3; r++)
                            {
                                for (int s = 0; s < 3; s++)
                                {
                                    int ih = oh - 1 + r;
                                    int iw = ow - 1 + s;
                                    if (ih is >= 0 and < 6 && iw is >= 0 and < 6)
                                    {
                                        acc += (long)wm.Values[(m * 18) + (c * 9) + (r * 3) + s] * (long)im.Values[(c * 36) + (ih * 6) + iw];
                                    }
                                }
                            }
                        }

                        float expected = (float)(acc * Math.ScaleB(1.0, (int)we.Values[m] - 6 + (int)ie.Values[0] - 6));
                        Assert.That(output.Values[(m * 36) + (oh * 6) + ow], Is.EqualTo(expected), $"m={m} oh={oh} ow={ow}");
                    }
                }
            }
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, true);
            }
        }
    }
}
