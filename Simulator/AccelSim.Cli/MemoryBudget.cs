using System.CommandLine;
using System.Globalization;
using AccelSim.Execution;
using Serilog;

namespace AccelSim.Cli;

/// <summary><c>--max-memory</c> and <c>--force</c>, shared by the commands that simulate: work predicted to need more
/// memory than the limit is refused with its estimate before it starts.</summary>
internal static class MemoryBudget
{
    /// <summary>A new <c>--max-memory</c> option.</summary>
    public static Option<string?> MaxMemoryOption() => new("--max-memory")
    {
        Description = "Refuse a run predicted to need more memory than this (bytes, or with KiB, MiB, GiB, TiB); default: 3/4 of the available memory.",
    };

    /// <summary>A new <c>--force</c> option.</summary>
    public static Option<bool> ForceOption() => new("--force") { Description = "Run even when the estimate exceeds the memory limit." };

    /// <summary>A byte count: digits, optionally followed by KiB, MiB, GiB or TiB (also K, M, G, T, KB, MB, GB, TB as binary units).</summary>
    /// <exception cref="UsageException">Not such a count, or not positive.</exception>
    public static long ParseBytes(string text)
    {
        string trimmed = text.Trim();
        int digits = 0;
        while (digits < trimmed.Length && char.IsAsciiDigit(trimmed[digits]))
        {
            digits++;
        }

        int shift = trimmed[digits..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 0,
            "K" or "KB" or "KIB" => 10,
            "M" or "MB" or "MIB" => 20,
            "G" or "GB" or "GIB" => 30,
            "T" or "TB" or "TIB" => 40,
            _ => -1,
        };
        if (digits == 0 || shift < 0 || !long.TryParse(trimmed[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            || value < 1 || value > (long.MaxValue >> shift))
        {
            throw new UsageException($"--max-memory must be a positive byte count such as 8000000000 or 16GiB, was '{text}'");
        }

        return value << shift;
    }

    /// <summary>The limit of <c>--max-memory</c> as given, or null for the default.</summary>
    /// <exception cref="UsageException">Not a positive byte count.</exception>
    public static long? Read(ParseResult parse, Option<string?> maxMemory) => parse.GetValue(maxMemory) is { } text ? ParseBytes(text) : null;

    /// <summary>Refuses work predicted to need more memory than <paramref name="maxMemory"/> (by default three quarters
    /// of what the machine makes available) unless <paramref name="force"/>; logs the estimate at --verbose.</summary>
    /// <param name="runs">Runs of this estimate at once (a sweep's jobs).</param>
    /// <param name="subject">What is refused, as the message's subject: "the run", "the sweep (…)".</param>
    /// <param name="lower">Advice besides --force, starting with ", or".</param>
    /// <exception cref="UsageException">The work would exceed the limit.</exception>
    public static void Check(RunEstimate estimate, bool numerics, long? maxMemory, bool force, ILogger log, int runs = 1, string subject = "the run", string? lower = null)
    {
        log.Debug("{Estimate}", estimate.Describe(numerics));
        long limit = maxMemory ?? (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 0.75);
        long peak = estimate.PeakBytes(numerics, runs);
        if (force || peak <= limit)
        {
            return;
        }

        lower ??= numerics ? ", lower the batch, or drop the numerics with --no-numerics" : ", or use a larger array or smaller layers";
        throw new UsageException(
            $"{subject} is predicted to need {RunEstimate.Format(peak)}, more than the limit of {RunEstimate.Format(limit)} " +
            $"({(maxMemory is null ? "3/4 of the available memory; set another with --max-memory" : "--max-memory")}); {estimate.Describe(numerics)}. " +
            $"To run it anyway give --force{lower}");
    }
}
