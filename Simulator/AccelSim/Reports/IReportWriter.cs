namespace AccelSim.Reports;

/// <summary>Writes a <see cref="RunResult"/> in one format.</summary>
/// <remarks>Contract: writers only format what the result holds (no physics, no clock time, no paths), in invariant
/// culture and a fixed order, so the same result always gives the same bytes.</remarks>
public interface IReportWriter
{
    void Write(RunResult result, TextWriter output);
}
