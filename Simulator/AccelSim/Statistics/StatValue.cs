namespace AccelSim.Statistics;

/// <summary>One statistic as captured by a <see cref="StatsSnapshot"/>: an immutable copy of its registration and
/// of its value at the time of the snapshot.</summary>
/// <param name="Path">The statistic's path (see <see cref="StatPath"/>).</param>
/// <param name="Unit">The unit of <paramref name="Value"/>.</param>
/// <param name="Description">What is counted, in one sentence.</param>
/// <param name="Value">The value, in <paramref name="Unit"/>.</param>
public sealed record StatValue(string Path, StatUnit Unit, string Description, long Value)
{
    /// <summary>The statistic's path. Always follows the <see cref="StatPath"/> grammar.</summary>
    /// <exception cref="ArgumentException">At construction, when the path breaks the grammar.</exception>
    public string Path { get; } = StatPath.IsValid(Path)
        ? Path
        : throw new ArgumentException($"Statistic path '{Path}' is not a valid path.", nameof(Path));

    /// <summary>What is counted. Never null or blank.</summary>
    /// <exception cref="ArgumentException">At construction, when the description is null or blank.</exception>
    public string Description { get; } = !string.IsNullOrWhiteSpace(Description)
        ? Description
        : throw new ArgumentException($"Statistic '{Path}' needs a description.", nameof(Description));
}
