using AccelSim.Sweeps;
using AccelSim.Tests.Support;
using Serilog;

namespace AccelSim.Tests.Sweeps;

/// <summary>
/// A temporary folder laid out like the repository for sweep tests: <c>Configs/</c> with the shipped tiny and default
/// configs and the energy table, <c>Workloads/</c> with the shipped workloads, and <c>sweeps/</c> for specs.
/// </summary>
public sealed class SweepFolder : IDisposable
{
    public SweepFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), "accelsim-sweep-tests", Guid.NewGuid().ToString("N"));
        foreach (string file in new[] { "Configs/tiny.yaml", "Configs/default.yaml", "Configs/energy/horowitz_45nm.yaml",
            "Workloads/tiny.yaml", "Workloads/resnet_block.yaml", "Workloads/resnet18_synthetic.yaml" })
        {
            string target = Path.Combine(Root, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(RepoPaths.Root, file), target);
        }

        Directory.CreateDirectory(Path.Combine(Root, "sweeps"));
    }

    public string Root { get; }

    /// <summary>A sweep on the tiny config and tiny workload: four array sizes by two ifmap buffer sizes, 8 points.</summary>
    public const string SmallSpec = """
        version: 1
        name: small
        config: ../Configs/tiny.yaml
        workloads: [../Workloads/tiny.yaml]
        numerics: false
        axes:
          - grid:
              pe_array.rows: [2, 4, 8, 16]
          - zip:
              buffers.ifmap.capacity_bytes: [4096, 8192]
              buffers.weights.capacity_bytes: [4096, 8192]
        metrics: [cycles, energy_pj, utilization, total_sram_bytes]
        objectives: { cycles: minimize, energy_pj: minimize }
        """;

    /// <summary>Writes a spec into <c>sweeps/</c> and returns its path.</summary>
    public string Spec(string yaml, string name = "spec.yaml")
    {
        string path = Path.Combine(Root, "sweeps", name);
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>A fresh output folder path under the root (not created).</summary>
    public string Output(string name) => Path.Combine(Root, "out", name);

    public static SweepRunOptions Options(int jobs = 2, Shard? shard = null, bool perLayer = false) =>
        new() { Jobs = jobs, Shard = shard ?? Shard.All, PerLayer = perLayer, Plots = false };

    public static SweepOutcome Run(string spec, string output, SweepRunOptions options, Action<SweepProgress>? progress = null, CancellationToken cancel = default) =>
        SweepRunner.Run(spec, output, options, progress, Serilog.Core.Logger.None, cancel);

    public static ILogger NoLog => Serilog.Core.Logger.None;

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
