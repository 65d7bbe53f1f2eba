using AccelSim.Energy;
using AccelSim.Hardware;

namespace AccelSim.Configuration;

/// <summary>A hardware file as loaded: the accelerator it describes and the energy table it names, kept side by side
/// (the hardware counts, the table prices).</summary>
public sealed record LoadedAccelerator(AcceleratorConfig Hardware, EnergyTable Energy);
