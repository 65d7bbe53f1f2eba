namespace AccelSim.Configuration;

/// <summary>
/// Thrown when configuration files are missing, malformed or invalid. It carries every problem found, not just the
/// first; <see cref="Exception.Message"/> lists them one per line as <c>file:line:column: message</c>.
/// </summary>
public sealed class ConfigException : Exception
{
    /// <summary>Creates the exception from the problems found; there must be at least one.</summary>
    /// <exception cref="ArgumentException"><paramref name="errors"/> is empty.</exception>
    public ConfigException(IReadOnlyList<ConfigError> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception for a single problem.</summary>
    public ConfigException(ConfigError error)
        : this([error])
    {
    }

    /// <summary>The problems, in file order (a file's own errors before those of files it refers to).</summary>
    public IReadOnlyList<ConfigError> Errors { get; }

    private static string Describe(IReadOnlyList<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("A configuration exception needs at least one error.", nameof(errors));
        }

        return string.Join('\n', errors);
    }
}
