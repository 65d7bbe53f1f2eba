using AccelSim.Statistics;

namespace AccelSim.Kernel;

/// <summary>A named part of the simulated hardware. The constructor registers the component with its
/// <see cref="Simulation"/>, which uses the registration to report deadlocks and to list the parts of a model.</summary>
/// <remarks>Derived classes take their parameters as one config record and the components they talk to as constructor
/// parameters, register their statistics in the constructor (under <see cref="Path"/>), and do all further work in
/// event handlers.</remarks>
public abstract class Component
{
    /// <summary>Creates the component and registers it with <paramref name="simulation"/>.</summary>
    /// <param name="simulation">The simulation that owns this component.</param>
    /// <param name="path">Hierarchical name, unique within the simulation, following the <see cref="StatPath"/>
    /// grammar (lower-case <c>[a-z0-9_]</c> segments separated by <c>'.'</c>), for example <c>accel.gbuf</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> breaks the grammar or another component of
    /// the same simulation already has it.</exception>
    protected Component(Simulation simulation, string path)
    {
        ArgumentNullException.ThrowIfNull(simulation);
        StatPath.ThrowIfInvalid(path, "Component path", nameof(path));
        Simulation = simulation;
        Path = path;
        simulation.Register(this);
    }

    /// <summary>The simulation that owns this component.</summary>
    public Simulation Simulation { get; }

    /// <summary>The hierarchical name, unique within <see cref="Simulation"/>.</summary>
    public string Path { get; }

    /// <summary><see langword="null"/> when the component is idle; otherwise a short description of the pending
    /// work and what it waits on, for example <c>waits for item 3 of 8 on accel.link</c>. Read when a run ends
    /// with work outstanding, to build the deadlock report; should name the paths it waits on.</summary>
    public virtual string? PendingWork => null;

    /// <summary>Returns <see cref="Path"/>.</summary>
    public override string ToString() => Path;
}
