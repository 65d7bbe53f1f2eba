using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Packaging;

/// <summary>
/// A single-node Slurm cluster from the distribution's packages (slurm-wlm, munge), private to one test: a munge key
/// generated for it, munged, slurmctld and slurmd started in the foreground with a configuration and state in a
/// temporary folder, on free ports, and stopped by <see cref="Dispose"/>. No cgroups: processes are tracked through
/// /proc, tasks are not confined, nothing is accounted. Jobs run as the calling user, who must be root (slurmd switches
/// to the submitting user to run a job).
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    /// <summary>The one node's name; the partition is <c>debug</c>.</summary>
    public const string NodeName = "accelsim-node";

    private static readonly string[] Programs = ["munged", "slurmctld", "slurmd", "sbatch", "scontrol", "sinfo"];
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly List<(string Name, Process Process, StringBuilder Output)> _daemons = [];

    private SlurmCluster(string folder)
    {
        Folder = folder;
        ConfigFile = Path.Combine(folder, "slurm.conf");
    }

    /// <summary>The cluster's temporary folder: configuration, state, spool, munge key and socket.</summary>
    public string Folder { get; }

    /// <summary>slurm.conf; clients find it through SLURM_CONF (see <see cref="Environment"/>).</summary>
    public string ConfigFile { get; }

    /// <summary>Why a cluster cannot start on this machine (a program missing, not root), or null when it can try.</summary>
    public static string? CannotStart()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "Slurm runs on Linux only";
        }

        string[] missing = [.. Programs.Where(program => Which(program) is null)];
        if (missing.Length > 0)
        {
            return $"not installed: {string.Join(", ", missing)} (Debian packages slurm-wlm and munge; .ci/run installs them)";
        }

        return System.Environment.UserName == "root" ? null : "slurmd must run as root to start jobs";
    }

    /// <summary>Starts munged, slurmctld and slurmd in a new folder under <paramref name="parent"/> and waits until the node is idle.</summary>
    /// <exception cref="InvalidOperationException">A daemon exited or the node did not come up; the message holds their output.</exception>
    public static SlurmCluster Start(string parent)
    {
        var cluster = new SlurmCluster(Path.Combine(parent, "slurm"));
        try
        {
            cluster.StartDaemons();
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>Variables a client (sbatch, scontrol) needs to reach this cluster, on top of <paramref name="extra"/>.</summary>
    public Dictionary<string, string> Environment(IReadOnlyDictionary<string, string>? extra = null)
    {
        var variables = new Dictionary<string, string>(extra ?? new Dictionary<string, string>()) { ["SLURM_CONF"] = ConfigFile };
        return variables;
    }

    /// <summary>Waits until job <paramref name="jobId"/> (every task of an array) has ended and returns its state
    /// (COMPLETED, FAILED, CANCELLED, …). Polled twice a second: <c>sbatch --wait</c> backs off to half a minute.</summary>
    public string WaitForJob(string jobId, TimeSpan timeout)
    {
        string[] ended = ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED", "BOOT_FAIL", "DEADLINE"];
        var clock = Stopwatch.StartNew();
        while (true)
        {
            string shown = ExternalProcess.RunOk(Which("scontrol") ?? "scontrol", ["show", "job", "--oneliner", jobId], Folder, TimeSpan.FromSeconds(30), Environment());
            string[] states = [.. shown.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' ').FirstOrDefault(word => word.StartsWith("JobState=", StringComparison.Ordinal))?["JobState=".Length..] ?? "")];
            if (states.Length > 0 && states.All(state => ended.Contains(state)))
            {
                return states.FirstOrDefault(state => state != "COMPLETED") ?? "COMPLETED";
            }

            if (clock.Elapsed > timeout)
            {
                return $"still {string.Join(", ", states)} after {timeout.TotalSeconds} s";
            }

            Thread.Sleep(500);
        }
    }

    /// <summary>What the daemons printed, for a failure message.</summary>
    public string Logs() => string.Join("\n", _daemons.Select(d => $"--- {d.Name}\n{Snapshot(d.Output)}"));

    public void Dispose()
    {
        if (_daemons.Any(d => d.Name == "slurmctld" && !d.Process.HasExited))
        {
            // Stops slurmctld and slurmd cleanly (they save state and end their job steps).
            ExternalProcess.Run(Which("scontrol") ?? "scontrol", ["shutdown"], Folder, TimeSpan.FromSeconds(30), Environment());
        }

        for (int i = _daemons.Count - 1; i >= 0; i--)
        {
            (string name, Process process, _) = _daemons[i];
            // munged has no shutdown request of its own and holds nothing worth saving: it is killed outright.
            if (name == "munged" || !process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            process.Dispose();
        }

        _daemons.Clear();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    private void StartDaemons()
    {
        string keyFolder = Directory.CreateDirectory(Path.Combine(Folder, "munge")).FullName;
        string socketFolder = Directory.CreateDirectory(Path.Combine(Folder, "socket")).FullName;
        string state = Directory.CreateDirectory(Path.Combine(Folder, "state")).FullName;
        string spool = Directory.CreateDirectory(Path.Combine(Folder, "spool")).FullName;
        // munged refuses a key or key folder that others can read, and a socket folder that others cannot traverse.
        SetMode(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        SetMode(keyFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string key = Path.Combine(keyFolder, "munge.key");
        File.WriteAllBytes(key, System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024));
        SetMode(key, UnixFileMode.UserRead);
        string socket = Path.Combine(socketFolder, "munge.socket");

        Launch("munged", ["--foreground", "--force", $"--key-file={key}", $"--socket={socket}",
            $"--pid-file={Path.Combine(socketFolder, "munged.pid")}", $"--seed-file={Path.Combine(keyFolder, "munged.seed")}"]);
        WaitFor(() => File.Exists(socket), "munged's socket");

        string host = System.Environment.MachineName.Split('.')[0];
        (int controllerPort, int nodePort) = (FreePort(), FreePort());
        File.WriteAllText(ConfigFile, string.Create(CultureInfo.InvariantCulture, $"""
            ClusterName=accelsim
            SlurmctldHost={host}(127.0.0.1)
            SlurmUser=root
            SlurmdUser=root
            SlurmctldPort={controllerPort}
            SlurmdPort={nodePort}
            AuthType=auth/munge
            AuthInfo=socket={socket}
            CredType=cred/munge
            StateSaveLocation={state}
            SlurmdSpoolDir={spool}
            SlurmctldPidFile={Path.Combine(Folder, "slurmctld.pid")}
            SlurmdPidFile={Path.Combine(Folder, "slurmd.pid")}
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            JobAcctGatherType=jobacct_gather/none
            AccountingStorageType=accounting_storage/none
            JobCompType=jobcomp/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_CPU
            MpiDefault=none
            SwitchType=switch/none
            ReturnToService=2
            SchedulerType=sched/builtin
            SchedulerParameters=sched_interval=1
            NodeName={NodeName} NodeAddr=127.0.0.1 NodeHostname={host} CPUs={System.Environment.ProcessorCount} State=UNKNOWN
            PartitionName=debug Nodes={NodeName} Default=YES MaxTime=INFINITE State=UP

            """));

        Launch("slurmctld", ["-D"]);
        Launch("slurmd", ["-D", "-N", NodeName]);
        WaitFor(() => ExternalProcess.Run(Which("sinfo") ?? "sinfo", ["-h", "-n", NodeName, "-o", "%t"], Folder, TimeSpan.FromSeconds(20), Environment()) is (0, var state, _)
            && state.Trim() == "idle", $"node {NodeName} idle");
    }

    private void Launch(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(Which(program) ?? program)
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["SLURM_CONF"] = ConfigFile;
        var output = new StringBuilder();
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _daemons.Add((program, process, output));
    }

    private void WaitFor(Func<bool> ready, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!ready())
        {
            if (_daemons.FirstOrDefault(d => d.Process.HasExited) is { Process: not null } exited)
            {
                throw new InvalidOperationException($"{exited.Name} exited ({exited.Process.ExitCode}) before {what}\n{Logs()}");
            }

            if (clock.Elapsed > StartTimeout)
            {
                throw new InvalidOperationException($"no {what} after {StartTimeout.TotalSeconds} s\n{Logs()}");
            }

            Thread.Sleep(200);
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        // CannotStart() has already refused anything but Linux; the check is for the analyzer.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The full path of a Slurm or munge program (daemons live in /usr/sbin, which a user's PATH may lack).</summary>
    public static string? Which(string program) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Concat(["/usr/sbin", "/sbin"])
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);
}
