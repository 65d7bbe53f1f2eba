using System.Diagnostics;
using System.Reflection;

namespace AccelSim.Tests.Support;

/// <summary>Runs another program (the .NET SDK, an installed tool, a scheduler's commands) and captures what it prints.</summary>
public static class ExternalProcess
{
    /// <summary>The <c>dotnet</c> executable running these tests, or <c>dotnet</c> from the path.</summary>
    public static string Dotnet { get; } =
        Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";

    /// <summary>The build configuration of the test assembly (Release or Debug), so an SDK command packs what was built.</summary>
    public static string BuildConfiguration { get; } =
        typeof(ExternalProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    /// <summary>Runs <paramref name="program"/> to its end, or kills it after <paramref name="timeout"/> and fails the test.</summary>
    /// <param name="environment">Variables set for the child on top of the inherited environment.</param>
    public static (int Code, string Out, string Err) Run(string program, IEnumerable<string> arguments, string workingDirectory,
        TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The SDK's first-run banner and telemetry notice would otherwise land in the captured output.
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds} s\n{stdout.Result}\n{stderr.Result}");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs a program that must succeed; fails the test with its output otherwise.</summary>
    public static string RunOk(string program, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        string[] args = [.. arguments];
        (int code, string output, string error) = Run(program, args, workingDirectory, timeout, environment);
        Assert.That(code, Is.Zero, $"{program} {string.Join(' ', args)} exited {code}\n{output}\n{error}");
        return output;
    }
}
