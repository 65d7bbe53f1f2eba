using AccelSim.Kernel;

namespace AccelSim.Tests.Kernel;

public sealed class ComponentTests
{
    [Test]
    public void Construction_RegistersWithTheSimulation()
    {
        var simulation = new Simulation();

        var component = new StubComponent(simulation, "accel.gbuf");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(simulation.Components, Is.EqualTo(new[] { component }));
            Assert.That(component.Simulation, Is.SameAs(simulation));
            Assert.That(component.Path, Is.EqualTo("accel.gbuf"));
            Assert.That(component.ToString(), Is.EqualTo("accel.gbuf"));
        }
    }

    [Test]
    public void Components_AreSortedOrdinallyByPath_WhateverTheRegistrationOrder()
    {
        // Ordinal: '.' (0x2E) < '_' (0x5F) < letters, so "a.z" < "a_b" < "b".
        var simulation = new Simulation();
        foreach (string path in new[] { "b", "a_b", "a.z", "a", "a.b" })
        {
            _ = new StubComponent(simulation, path);
        }

        string[] paths = [.. simulation.Components.Select(c => c.Path)];

        string[] expected = ["a", "a.b", "a.z", "a_b", "b"];
        Assert.That(paths, Is.EqualTo(expected));
    }

    [Test]
    public void DuplicatePath_ThrowsNamingThePath_AndKeepsTheFirst()
    {
        var simulation = new Simulation();
        var first = new StubComponent(simulation, "accel.pe_array");

        Assert.That(() => new StubComponent(simulation, "accel.pe_array"),
            Throws.ArgumentException.With.Message.Contains("'accel.pe_array'"));
        Assert.That(simulation.Components, Is.EqualTo(new[] { first }));
    }

    [Test]
    public void SamePath_InTwoSimulations_IsAllowed()
    {
        var one = new Simulation();
        var two = new Simulation();

        _ = new StubComponent(one, "accel");
        _ = new StubComponent(two, "accel");

        Assert.That(two.Components, Has.Count.EqualTo(1));
    }

    [TestCase("")]
    [TestCase("Accel")]
    [TestCase("accel..gbuf")]
    [TestCase(".accel")]
    [TestCase("accel.")]
    [TestCase("accel gbuf")]
    [TestCase("accel-gbuf")]
    [TestCase("accel/gbuf")]
    public void InvalidPath_ThrowsNamingThePath(string path)
    {
        var simulation = new Simulation();

        Assert.That(() => new StubComponent(simulation, path),
            Throws.ArgumentException.With.Message.Contains($"'{path}'"));
        Assert.That(simulation.Components, Is.Empty);
    }

    [Test]
    public void PendingWork_IsNullByDefault()
    {
        var component = new IdleComponent(new Simulation(), "idle");

        Assert.That(component.PendingWork, Is.Null);
    }

    private sealed class IdleComponent(Simulation simulation, string path) : Component(simulation, path);
}
