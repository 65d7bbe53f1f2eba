using AccelSim.Statistics;

namespace AccelSim.Reports;

/// <summary>Names shared by the CSV and JSON writers, so both spell every field the same way.</summary>
internal static class ReportFields
{
    public static string StallKey(StallCause cause) => StallCauses.Name(cause);

    /// <summary>A double that JSON can hold: NaN and infinities become null (SQNR is +∞ for an exact result).</summary>
    public static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
