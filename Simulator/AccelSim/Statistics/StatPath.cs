namespace AccelSim.Statistics;

/// <summary>The grammar shared by statistic paths and component paths: one or more segments separated by
/// <c>'.'</c>, each segment a non-empty run of <c>[a-z0-9_]</c>. Example: <c>accel.gbuf.words_read</c>.</summary>
/// <remarks>Component paths follow the same grammar so that a component can register its statistics under its
/// own path. Because <c>'.'</c> sorts before every other allowed character, an ordinal sort keeps all paths below
/// a prefix contiguous, directly after the prefix itself.</remarks>
public static class StatPath
{
    /// <summary>The separator between segments.</summary>
    public const char Separator = '.';

    /// <summary>Whether <paramref name="path"/> follows the grammar. Returns <see langword="false"/> for
    /// <see langword="null"/>.</summary>
    public static bool IsValid(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return false;
        }

        bool segmentIsEmpty = true;
        foreach (char c in path)
        {
            if (c == Separator)
            {
                if (segmentIsEmpty)
                {
                    return false;
                }

                segmentIsEmpty = true;
            }
            else if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_')
            {
                segmentIsEmpty = false;
            }
            else
            {
                return false;
            }
        }

        return !segmentIsEmpty;
    }

    /// <summary>Whether <paramref name="path"/> equals <paramref name="prefix"/> or lies below it
    /// (<paramref name="prefix"/> followed by <c>'.'</c>). <c>a.b</c> is under <c>a</c>; <c>ab</c> is not.</summary>
    public static bool IsUnder(string path, string prefix)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(prefix);
        return path.StartsWith(prefix, StringComparison.Ordinal)
            && (path.Length == prefix.Length || path[prefix.Length] == Separator);
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming <paramref name="what"/> and the offending text when
    /// <paramref name="path"/> does not follow the grammar.</summary>
    internal static void ThrowIfInvalid(string? path, string what, string paramName)
    {
        if (!IsValid(path))
        {
            throw new ArgumentException(
                $"{what} '{path}' is not a valid path: use lower-case [a-z0-9_] segments separated by '.', "
                + "for example 'accel.gbuf.words_read'.",
                paramName);
        }
    }
}
