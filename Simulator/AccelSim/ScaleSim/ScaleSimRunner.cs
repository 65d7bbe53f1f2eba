using AccelSim.Energy;
using AccelSim.Execution;
using AccelSim.Hardware;
using AccelSim.Mapping;
using AccelSim.Reports;
using AccelSim.Workloads;
using Serilog;

namespace AccelSim.ScaleSim;

/// <summary>A compatibility run: its final result, and what SCALE-Sim's three reports are made from.</summary>
/// <param name="Result">The run as SCALE-Sim counts it (with SCALE-Sim's memory settings, its memory system's stalls).</param>
/// <param name="Network">The network that ran.</param>
/// <param name="Hardware">The accelerator it ran on.</param>
/// <param name="Settings">The run settings it ran under (SCALE-Sim's counting conventions).</param>
/// <param name="Memory">Per layer, SCALE-Sim's memory system's result; null without SCALE-Sim's memory settings.</param>
public sealed record ScaleSimRun(
    RunResult Result, Network Network, AcceleratorConfig Hardware, RunSettings Settings, IReadOnlyList<ScaleSimMemoryResult?>? Memory);

/// <summary>Runs a network as SCALE-Sim v2 counts it: the one entry point of the compatibility mode.</summary>
/// <remarks>
/// The native runner runs the network under SCALE-Sim's <see cref="Conventions"/> (padding read as data, partial sums
/// written per fold, SRAM ports not limiting transfers). With SCALE-Sim's memory settings (a .cfg config) its memory
/// system, reimplemented in <see cref="ScaleSimMemorySystem"/>, then gives every modelled layer's stalls
/// (<see cref="ScaleSimNetworkMemory.WithScaleSimStalls"/>). SCALE-Sim models os, ws and is only: row-stationary is
/// refused when the runner is made, before anything runs.
/// </remarks>
public sealed class ScaleSimRunner
{
    /// <summary>How SCALE-Sim counts where it differs from the native model.</summary>
    public static readonly CountingConventions Conventions = new() { PaddingAsData = true, PartialSumsPerFold = true, TransfersIgnoreSramPorts = true };

    private readonly AcceleratorConfig _hardware;
    private readonly EnergyTable _energy;
    private readonly ScaleSimMemoryConfig? _memory;

    private ScaleSimRunner(AcceleratorConfig hardware, EnergyTable energy, ScaleSimMemoryConfig? memory) =>
        (_hardware, _energy, _memory) = (hardware, energy, memory);

    /// <summary>A runner for <paramref name="hardware"/>, priced with <paramref name="energy"/>.</summary>
    /// <param name="settings">What a SCALE-Sim .cfg said beyond the accelerator (its memory settings); null for a YAML config,
    /// whose runs keep this simulator's stalls.</param>
    /// <exception cref="MappingException">The array is row-stationary, which SCALE-Sim does not model.</exception>
    public static ScaleSimRunner For(AcceleratorConfig hardware, EnergyTable energy, ScaleSimSettings? settings)
    {
        ArgumentNullException.ThrowIfNull(hardware);
        ArgumentNullException.ThrowIfNull(energy);
        if (hardware.PeArray.Dataflow == Dataflow.RowStationary)
        {
            throw new MappingException("SCALE-Sim has no row-stationary dataflow (it models os, ws and is): drop --scalesim-compat or choose another pe_array.dataflow");
        }

        // SCALE-Sim has one fixed mapping per dataflow: its compatibility mode keeps the heuristic whatever mapper says,
        // and its own element size (float32 words of 4 bytes) whatever activation_storage says.
        // Its layers are separate passes: nothing fuses on an output path, and nothing is compressed.
        AcceleratorConfig fixedMapping = hardware with
        {
            Mapper = MapperConfig.Heuristic,
            ActivationStorage = ActivationStorage.Float32,
            ActivationCompression = ActivationCompression.None,
            VectorUnit = hardware.VectorUnit with { Fuse = FusedKinds.None },
        };
        return new ScaleSimRunner(fixedMapping, energy, settings is null ? null : MemoryOf(settings, fixedMapping));
    }

    /// <summary>Runs <paramref name="network"/> as SCALE-Sim counts it; <paramref name="options"/>' counting conventions
    /// are replaced by <see cref="Conventions"/>, its timing detail kept.</summary>
    public ScaleSimRun Run(Network network, RunOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ILogger log = logger ?? Serilog.Core.Logger.None;
        RunSettings settings = options.Settings with { Counting = Conventions };
        // A workload's per-layer storage formats and fusion are dropped as the config's are: SCALE-Sim stores float32
        // words and runs every layer on its own.
        network = network with { Layers = [.. network.Layers.Select(l => l with { ActivationStorage = null, Fuse = null })] };
        RunResult result = NetworkRunner.Run(_hardware, _energy, network, options with { Settings = settings }, log);
        if (_memory is null)
        {
            return new ScaleSimRun(result, network, _hardware, settings, null);
        }

        // With SCALE-Sim's memory settings its memory system gives the stalls everywhere.
        var memoryTime = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<ScaleSimMemoryResult?> memory = ScaleSimNetworkMemory.Run(network, _hardware, _memory, options.Threads);
        result = ScaleSimNetworkMemory.WithScaleSimStalls(result, memory);
        log.Information("SCALE-Sim's memory system: {Seconds:F2} s", memoryTime.Elapsed.TotalSeconds);
        return new ScaleSimRun(result, network, _hardware, settings, memory);
    }

    /// <summary>Writes SCALE-Sim's COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv of a run into
    /// <paramref name="directory"/> (created if missing).</summary>
    public static void WriteReports(string directory, ScaleSimRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        ScaleSimReports.Write(directory, ScaleSimReports.Rows(run.Result, run.Network, run.Hardware, run.Settings, run.Memory));
    }

    /// <summary>SCALE-Sim's memory settings from its .cfg: SRAM words, and the USER-mode bandwidth.</summary>
    private static ScaleSimMemoryConfig MemoryOf(ScaleSimSettings settings, AcceleratorConfig config)
    {
        long Words(long bytes) => bytes / ScaleSimConfigReader.OperandBytes;
        return new ScaleSimMemoryConfig(
            Words(config.Buffers.Ifmap.CapacityBytes), Words(config.Buffers.Weights.CapacityBytes), Words(config.Buffers.Ofmap.CapacityBytes),
            settings.UserBandwidth ? settings.BandwidthWords : null);
    }
}
