using System.Globalization;
using System.Text;

namespace AccelSim.Mapping;

/// <summary>One point of a dataflow's mapping space: limits on the tile sizes and the loop order that the dataflow's
/// plan would otherwise choose itself (each tile as large as fits half its buffer; the loop order with less DRAM
/// traffic). Null leaves the choice to the plan, so <see cref="Heuristic"/> (every field null) is today's mapping.</summary>
/// <remarks>
/// Every limit only shrinks a tile below the largest that fits, and a smaller tile always fits too, so every point is
/// legal and executable. What is fixed by the dataflow, not searched: the unrolling (output-stationary: output pixels on
/// the rows, filters on the columns; weight-stationary: reduction on the rows, filters on the columns; input-stationary:
/// reduction on the rows, output pixels on the columns; row-stationary: filter rows on the rows, output rows on the
/// columns, replicated) and where partial sums live (in the PEs for output stationary, in the output buffer for the
/// others). docs/mapping.md describes the space.
/// </remarks>
public sealed record MappingPoint
{
    /// <summary>The dataflow's own choice of every parameter: the mapping AccelSim has always made.</summary>
    public static MappingPoint Heuristic { get; } = new();

    /// <summary>Output stationary: true runs column folds (filters) outermost and re-fetches the input per column fold;
    /// false runs row-fold bands (pixels) outermost and re-fetches the weights per band.</summary>
    public bool? ColumnFoldsOuter { get; init; }

    /// <summary>Output stationary: most row folds whose input rows one ifmap tile holds (a line buffer).</summary>
    public long? FoldsPerBand { get; init; }

    /// <summary>Output and row stationary: most input channels of one tile (one K chunk).</summary>
    public long? ChannelsPerChunk { get; init; }

    /// <summary>Weight and input stationary: most streamed rows of one pass (the stationary block is loaded once per
    /// pass; natively its partial sums wait in the output buffer).</summary>
    public long? StreamedPerPass { get; init; }

    /// <summary>Weight and input stationary: most streamed rows of one streamed tile.</summary>
    public long? StreamedPerPiece { get; init; }

    /// <summary>Row stationary: most batch items of one tile.</summary>
    public long? ItemsPerBlock { get; init; }

    /// <summary>Row stationary: most output rows of one strip (the logical PE set's width).</summary>
    public long? StripRows { get; init; }

    /// <summary>Row stationary: most filters of one block (their psums share half the output buffer).</summary>
    public long? FiltersPerBlock { get; init; }

    /// <summary>True for <see cref="Heuristic"/>.</summary>
    public bool IsHeuristic => this == Heuristic;

    /// <summary>The limits as <c>key=value</c> pairs, in declaration order ("heuristic" when none is set).</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        Add("column_folds_outer", ColumnFoldsOuter is { } outer ? (outer ? "true" : "false") : null);
        Add("folds_per_band", FoldsPerBand);
        Add("channels_per_chunk", ChannelsPerChunk);
        Add("streamed_per_pass", StreamedPerPass);
        Add("streamed_per_piece", StreamedPerPiece);
        Add("items_per_block", ItemsPerBlock);
        Add("strip_rows", StripRows);
        Add("filters_per_block", FiltersPerBlock);
        return text.Length == 0 ? "heuristic" : text.ToString();

        void Add(string key, object? value)
        {
            if (value is null)
            {
                return;
            }

            text.Append(text.Length == 0 ? string.Empty : " ").Append(key).Append('=')
                .Append(Convert.ToString(value, CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The limit, or the plan's own choice where none is set, never more than that choice.</summary>
    internal static long Limit(long? limit, long chosen) => limit is { } l ? Math.Max(1, Math.Min(l, chosen)) : chosen;

    /// <summary>Candidate limits below a plan's choice <paramref name="chosen"/>: halvings (rounded up), at most
    /// <paramref name="count"/> of them, largest first; the choice itself is the null limit.</summary>
    internal static IEnumerable<long?> Below(long chosen, int count)
    {
        yield return null;
        long previous = chosen;
        for (int i = 0; i < count && previous > 1; i++)
        {
            long next = (previous + 1) / 2;
            if (next == previous)
            {
                break;
            }

            yield return next;
            previous = next;
        }
    }
}
