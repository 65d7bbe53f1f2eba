using AccelSim.Hardware;

namespace AccelSim.Energy;

/// <summary>What one count of a priced action is.</summary>
public enum ActionBasis
{
    /// <summary>One action (an access, an operation, a conversion).</summary>
    PerAction,

    /// <summary>One bit moved.</summary>
    PerBit,

    /// <summary>One cycle of one unit's static power (leakage), priced at the configured clock.</summary>
    PerCycle,
}

/// <summary>The typed name of an action the energy model prices: the component that performs it, its stable name in
/// reports and <c>describe</c>, the energy-table entry that prices it, and what one count of it is. Declared once, in
/// <see cref="HardwareActions"/>; the accounting only adds the count and the operand width.</summary>
/// <param name="Component">The component that performs the action.</param>
/// <param name="Name">The action's stable lower-case name, for example <c>mac_multiply</c>.</param>
/// <param name="Entry">The energy-table entry that prices one action (one of <see cref="EnergyEntryNames"/>).</param>
/// <param name="Basis">What one count of the action is; <see cref="ActionBasis.PerCycle"/> marks static power.</param>
public sealed record ActionKey(ComponentId Component, string Name, string Entry, ActionBasis Basis = ActionBasis.PerAction)
{
    /// <summary>True for static power (leakage): the action counts unit-cycles, not work done.</summary>
    public bool IsLeakage => Basis == ActionBasis.PerCycle;

    /// <summary><c>component.name</c>, for messages.</summary>
    public override string ToString() => $"{Component.Path}.{Name}";
}
