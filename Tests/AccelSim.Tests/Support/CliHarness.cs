using AccelSim.Cli;

namespace AccelSim.Tests.Support;

/// <summary>Runs the command line in process, as a user would, capturing what it prints.</summary>
public static class CliHarness
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A shipped file (config, workload, trace example) by its path in the repository.</summary>
    public static string Shipped(string relative) => Path.Combine(RepoPaths.Root, relative);
}
