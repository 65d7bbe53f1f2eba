namespace AccelSim.Configuration;

/// <summary>The kinds of configuration file, told apart by their top-level keys.</summary>
public enum ConfigKind
{
    /// <summary>A hardware description (top-level key <c>pe_array</c>).</summary>
    Accelerator,

    /// <summary>A network description (top-level key <c>layers</c>).</summary>
    Workload,

    /// <summary>A table of cited energy figures (top-level key <c>entries</c>).</summary>
    EnergyTable,
}
