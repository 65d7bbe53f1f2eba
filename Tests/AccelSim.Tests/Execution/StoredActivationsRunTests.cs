using AccelSim.Execution;
using AccelSim.Numerics;
using AccelSim.Tensors;
using AccelSim.Tests.Support;
using AccelSim.Workloads;

namespace AccelSim.Tests.Execution;

/// <summary>What the next layer reads is the stored format's value.</summary>
public sealed class StoredActivationsRunTests
{
    [Test]
    public void Float16StorageOfTheConv_ChangesThePoolsInputExactlyAsRoundingToHalf()
    {
        // Tiny network c1 → p1 (2×2 max pool) → f1 on a float32-storage config; only c1 stores its output in float16.
        // Rounding to half is monotonic, so the max pool of the rounded map is the rounded max pool of the float32 one:
        // p1's output with c1 in float16 must be ToHalf of p1's output with c1 in float32, element by element.
        Network float32 = TestNetworks.Tiny();
        Network float16 = float32 with { Layers = [float32.Layers[0] with { ActivationStorage = ActivationStorage.Float16 }, .. float32.Layers[1..]] };

        float[] plain = PoolOutput(float32);
        float[] rounded = PoolOutput(float16);

        Assert.Multiple(() =>
        {
            Assert.That(rounded, Is.EqualTo(Array.ConvertAll(plain, StoredActivations.ToHalf)));
            Assert.That(rounded, Is.Not.EqualTo(plain), "the float32 pool output must hold values that float16 cannot");
        });
    }

    private static float[] PoolOutput(Network network)
    {
        string dir = Path.Combine(Path.GetTempPath(), "accelsim-stored-" + Guid.NewGuid().ToString("N"));
        try
        {
            NetworkRunner.Run(TestHardware.Tiny(), TestHardware.UnitEnergyTable(), network, new RunOptions(true, 1, dir));
            return NpyFile.Read(Path.Combine(dir, "p1.bfp_output.npy")).Values;
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
