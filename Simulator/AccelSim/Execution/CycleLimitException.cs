using System.Globalization;
using AccelSim.Kernel;

namespace AccelSim.Execution;

/// <summary>A layer did not finish within the config's <c>max_cycles</c>: a limit the user set (or its default), so bad
/// input rather than a bug. The kernel's <see cref="MaxCyclesExceededException"/> (with the components' pending work)
/// is the inner exception.</summary>
public sealed class CycleLimitException : Exception
{
    /// <summary>Creates the exception for <paramref name="layer"/>.</summary>
    /// <param name="layer">The layer that was running.</param>
    /// <param name="inner">What the kernel reported.</param>
    public CycleLimitException(string layer, MaxCyclesExceededException inner)
        : base(FormatMessage(layer, inner), inner)
    {
        Layer = layer;
        MaxCycles = inner.MaxCycles;
    }

    /// <summary>The layer that was running.</summary>
    public string Layer { get; }

    /// <summary>The limit that was passed.</summary>
    public long MaxCycles { get; }

    private static string FormatMessage(string layer, MaxCyclesExceededException inner) => string.Create(
        CultureInfo.InvariantCulture,
        $"layer '{layer}' did not finish within max_cycles = {inner.MaxCycles} cycles (it had work due at cycle {inner.At}); raise max_cycles in the config or with --set max_cycles=N, or run with --verbose to see the work still pending");
}
