using AccelSim.Configuration;

namespace AccelSim.Tests.Configuration;

public sealed class LayerSeedsTests
{
    // Published FNV-1a 64-bit test vectors (offset basis for the empty string).
    [TestCase("", 0xcbf29ce484222325UL)]
    [TestCase("a", 0xaf63dc4c8601ec8cUL)]
    [TestCase("foobar", 0x85944171f73967e8UL)]
    public void Fnv1a64_MatchesPublishedVectors(string text, ulong expected)
    {
        Assert.That(LayerSeeds.Fnv1a64(text), Is.EqualTo(expected));
    }

    // The first outputs of SplitMix64 seeded with 0: state 0 yields the first, state 0x9E3779B97F4A7C15 the second.
    [TestCase(0UL, 0xE220A8397B1DCDAFUL)]
    [TestCase(0x9E3779B97F4A7C15UL, 0x6E789E6AA1B965F4UL)]
    public void SplitMix64_MatchesTheReferenceSequence(ulong state, ulong expected)
    {
        Assert.That(LayerSeeds.SplitMix64(state), Is.EqualTo(expected));
    }

    [Test]
    public void Derive_IsSplitMixOfTheSeedXorTheNameHash()
    {
        ulong seed = LayerSeeds.Derive(42, "conv1_1");

        Assert.That(seed, Is.EqualTo(LayerSeeds.SplitMix64(42UL ^ LayerSeeds.Fnv1a64("conv1_1"))));
    }

    [Test]
    public void Derive_SeparatesLayersAndWorkloadSeeds()
    {
        ulong[] seeds = [LayerSeeds.Derive(42, "conv1_1"), LayerSeeds.Derive(42, "conv1_2"), LayerSeeds.Derive(43, "conv1_1")];

        Assert.That(seeds, Is.Unique);
    }
}
