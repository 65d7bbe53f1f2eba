using System.CommandLine;
using Serilog;
using Serilog.Events;

namespace AccelSim.Cli;

/// <summary>The composition root of the <c>accelsim</c> command: the only place that knows about args, files, the console and logging.</summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the command line with the given streams (tests call this in-process).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = Commands.Build(stdout, stderr);
        var parse = root.Parse(args);
        var invocation = new InvocationConfiguration { Output = stdout, Error = stderr };
        int code = parse.Invoke(invocation);

        // Usage errors (unknown option, missing value) are bad input: exit 2, like any other.
        return parse.Errors.Count > 0 ? ExitCodes.BadInput : code;
    }

    internal static ILogger CreateLogger(bool verbose, bool quiet, TextWriter stderr) => new LoggerConfiguration()
        .MinimumLevel.Is(verbose ? LogEventLevel.Debug : quiet ? LogEventLevel.Warning : LogEventLevel.Information)
        .WriteTo.Sink(new TextWriterSink(stderr, "[{Level:u3}] {Message:lj}{NewLine}{Exception}"))
        .CreateLogger();
}

/// <summary>Process exit codes.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Something went wrong inside AccelSim (a bug): please report it.</summary>
    public const int InternalError = 1;

    /// <summary>The input (arguments, configs, workloads, tensors) is invalid; the message says what and where.</summary>
    public const int BadInput = 2;
}
