namespace AccelSim.Statistics;

/// <summary>A statistic declared once by a kind of component: its name below the component's path, its unit and what
/// it counts. The component registers it under its own path and readers look it up with the same key, so no stat path
/// is spelled twice.</summary>
/// <param name="Name">The path below the component: one or more <see cref="StatPath"/> segments, for example
/// <c>read_bytes</c> or <c>stall_cycles.ifmap</c>.</param>
/// <param name="Unit">The unit the statistic counts in.</param>
/// <param name="Description">What is counted, in one sentence.</param>
public sealed record StatKey(string Name, StatUnit Unit, string Description)
{
    /// <summary>The path below the component. Always follows the <see cref="StatPath"/> grammar.</summary>
    /// <exception cref="ArgumentException">At construction, when the name breaks the grammar.</exception>
    public string Name { get; } = StatPath.IsValid(Name)
        ? Name
        : throw new ArgumentException($"Statistic name '{Name}' is not a valid path.", nameof(Name));

    /// <summary>What is counted. Never null or blank.</summary>
    /// <exception cref="ArgumentException">At construction, when the description is null or blank.</exception>
    public string Description { get; } = !string.IsNullOrWhiteSpace(Description)
        ? Description
        : throw new ArgumentException($"Statistic '{Name}' needs a description.", nameof(Description));

    /// <summary>The statistic's full path for the component at <paramref name="componentPath"/>:
    /// <c>componentPath.Name</c>.</summary>
    public string PathUnder(string componentPath) => componentPath + StatPath.Separator + Name;
}
