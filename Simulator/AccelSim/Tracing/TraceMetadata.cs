namespace AccelSim.Tracing;

/// <summary>What a trace file says about the run it comes from.</summary>
/// <param name="ConfigName">The accelerator config's name.</param>
/// <param name="WorkloadName">The workload's name.</param>
/// <param name="ClockMegahertz">The clock, to turn cycles into time.</param>
/// <param name="DramBandwidthBytesPerCycle">The DRAM channel's peak, for the bandwidth histogram.</param>
public sealed record TraceMetadata(string ConfigName, string WorkloadName, double ClockMegahertz, double DramBandwidthBytesPerCycle);
