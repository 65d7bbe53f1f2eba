using System.Collections.Immutable;
using AccelSim.Energy;
using AccelSim.Hardware;

namespace AccelSim.Tests.Energy;

public sealed class EnergyModelTests
{
    private static EnergyTable Table(params EnergyEntry[] entries) => new()
    {
        Name = "t",
        TechnologyNanometers = 45,
        Entries = entries.ToImmutableSortedDictionary(e => e.Name, e => e, StringComparer.Ordinal),
    };

    private static EnergyEntry Entry(string name, double pj, int bits, EnergyScaling scaling) =>
        new() { Name = name, PicoJoules = pj, ReferenceBits = bits, Scaling = scaling, Source = "test" };

    [TestCase(8, 0.2)]
    [TestCase(16, 0.8)]
    [TestCase(4, 0.05)]
    public void QuadraticEntry_ScalesWithBitsSquared(double bits, double expectedPicoJoules)
    {
        // 0.2 pJ at 8 bits: 16 bits → 0.2·(16/8)² = 0.8; 4 bits → 0.2·(4/8)² = 0.05.
        var table = Table(Entry("int_mult", 0.2, 8, EnergyScaling.Quadratic));

        double pj = EnergyModel.PicoJoulesPerAction(table, new PricedAction(Key("pe", "mac", "int_mult"), 1, bits, 0));

        Assert.That(pj, Is.EqualTo(expectedPicoJoules).Within(1e-12));
    }

    [Test]
    public void MemoryEntry_IsInterpolatedLogLogByCapacity()
    {
        // 8 KiB → 10 pJ, 32 KiB → 20 pJ per 64 bits. 16 KiB is halfway in log(capacity), so the energy is halfway in
        // log(energy): sqrt(10·20) = 14.142… pJ; a 128-bit word costs twice that (linear in bits).
        var table = Table(new EnergyEntry
        {
            Name = "sram_access",
            Points = [new EnergyPoint(8192, 10), new EnergyPoint(32768, 20)],
            ReferenceBits = 64,
            Scaling = EnergyScaling.Linear,
            Source = "test",
        });

        double pj = EnergyModel.PicoJoulesPerAction(table, new PricedAction(Key("ifmap", "read_word", "sram_access"), 1, 128, 16384));

        Assert.That(pj, Is.EqualTo(2 * Math.Sqrt(200)).Within(1e-9));
    }

    [Test]
    public void Price_MultipliesCountsByEntries_AndChangingAnEntryChangesTheTotalByExactlyThatAmount()
    {
        // 1,000 DRAM bits at 1 pJ/bit + 10 MACs at 0.2 pJ = 1,002 pJ; raising the DRAM entry by 0.5 pJ/bit adds 500 pJ.
        PricedAction[] actions =
        [
            new(Key("dram", "read_bit", "dram_access"), 1000, 1, 0),
            new(Key("pe_array", "mac_multiply", "int_mult"), 10, 8, 0),
        ];
        var before = EnergyModel.Price(actions, Table(Entry("dram_access", 1, 1, EnergyScaling.Linear), Entry("int_mult", 0.2, 8, EnergyScaling.Quadratic)));
        var after = EnergyModel.Price(actions, Table(Entry("dram_access", 1.5, 1, EnergyScaling.Linear), Entry("int_mult", 0.2, 8, EnergyScaling.Quadratic)));

        Assert.Multiple(() =>
        {
            Assert.That(before.TotalPicoJoules, Is.EqualTo(1002).Within(1e-9));
            Assert.That(after.TotalPicoJoules - before.TotalPicoJoules, Is.EqualTo(500).Within(1e-9));
            Assert.That(before.Lines.Select(l => l.Component), Is.EqualTo(new[] { "dram", "pe_array" }), "sorted by component");
        });
    }

    [Test]
    public void MissingEntry_NamesTheTableTheEntryAndTheAction()
    {
        var table = Table(Entry("int_mult", 0.2, 8, EnergyScaling.Quadratic));

        var error = Assert.Throws<KeyNotFoundException>(() =>
            EnergyModel.Price([new PricedAction(Key("dram", "read_bit", "dram_access"), 8, 1, 0)], table));

        Assert.That(error!.Message, Is.EqualTo("energy table 't' has no entry 'dram_access' to price dram.read_bit"));
    }

    private static ActionKey Key(string component, string action, string entry) => new(new ComponentId(component), action, entry);
}
