using System.Collections.Immutable;
using System.Reflection;
using AccelSim.Energy;
using AccelSim.Hardware;

namespace AccelSim.Tests.Energy;

public sealed class HardwareActionsTests
{
    /// <summary>Every declared key: the counted ones and static power (the buffer leakage of one buffer).</summary>
    private static IEnumerable<ActionKey> Declared() =>
        [.. HardwareActions.Counted, HardwareActions.PeLeakage, HardwareActions.LaneLeakage, HardwareActions.SramLeakage(ComponentId.Ifmap)];

    /// <summary>Every key a public member of <see cref="HardwareActions"/> holds: its fields and each array's four.</summary>
    private static IEnumerable<ActionKey> Public()
    {
        var fields = typeof(HardwareActions).GetFields(BindingFlags.Public | BindingFlags.Static);
        foreach (var field in fields.Where(f => f.FieldType == typeof(ActionKey)))
        {
            yield return (ActionKey)field.GetValue(null)!;
        }

        foreach (var array in fields.Where(f => f.FieldType == typeof(ArrayActions)).Select(f => (ArrayActions)f.GetValue(null)!))
        {
            yield return array.Multiply;
            yield return array.Accumulate;
            yield return array.MultiplyZeroOperand;
            yield return array.AccumulateZeroOperand;
        }
    }

    [Test]
    public void EveryPublicKey_IsCountedOnce_OrIsStaticPower()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(HardwareActions.Counted, Is.Unique);
            Assert.That(Public().Where(k => !k.IsLeakage), Is.EquivalentTo(HardwareActions.Counted));
        }
    }

    [Test]
    public void ExactlyTheCountedActions_NameACounter()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(HardwareActions.Counted.Select(k => k.Counter), Has.None.Null);
            Assert.That(Public().Where(k => k.IsLeakage).Select(k => k.Counter), Has.All.Null);
            Assert.That(HardwareActions.Counters, Is.EquivalentTo(HardwareActions.Counted.Select(k => k.Counter).Append(HardwareActions.SkippedMacs).Distinct()));
        }
    }

    [Test]
    public void NoTwoActions_ShareALine_UnderTheSameConditions() =>
        Assert.That(Declared().Select(k => (k.Component, k.Name, k.When)), Is.Unique);

    [Test]
    public void EveryAction_IsPricedByAnEntryEveryTableMustHave() =>
        Assert.That(Declared().Select(k => k.Entry).Distinct(), Is.SubsetOf(EnergyEntryNames.Required));

    [Test]
    public void StaticPower_IsExactlyTheActionsPricedByLeakageEntries()
    {
        string[] leakageEntries = [EnergyEntryNames.LogicLeakage, EnergyEntryNames.SramLeakage];

        Assert.That(Declared().Where(k => k.IsLeakage), Is.EquivalentTo(Declared().Where(k => leakageEntries.Contains(k.Entry))));
    }

    [Test]
    public void PricedLines_CarryTheKeysLeakageFlag()
    {
        var table = new EnergyTable
        {
            Name = "t",
            TechnologyNanometers = 45,
            Entries = new[]
            {
                new EnergyEntry { Name = "leakage_logic", Microwatts = 100, ReferenceBits = 1, Scaling = EnergyScaling.None, Source = "test" },
                new EnergyEntry { Name = "fp32_add", PicoJoules = 1, ReferenceBits = 32, Scaling = EnergyScaling.None, Source = "test" },
            }.ToImmutableSortedDictionary(e => e.Name, e => e, StringComparer.Ordinal),
        };

        var breakdown = EnergyModel.Price([new(HardwareActions.PeLeakage, 10, 1, 0, 100), new(HardwareActions.VectorOp, 3, 32, 0)], table);

        Assert.That(breakdown.Lines.Select(l => (l.Component, l.Action, l.IsLeakage)),
            Is.EqualTo(new[] { ("pe_array", "leakage_pe_cycle", true), ("vector_unit", "fp32_op", false) }));
    }
}
