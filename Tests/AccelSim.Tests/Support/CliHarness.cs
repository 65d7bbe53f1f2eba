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

    /// <summary>The bad-input contract: exit 2, a message containing <paramref name="located"/> (where the problem is and
    /// what is allowed), and no stack trace, exception type name or "internal error".</summary>
    public static void AssertBadInput(int code, string stderr, string located)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(ExitCodes.BadInput), stderr);
            Assert.That(stderr, Does.Contain(located));
            AssertNoStackTrace(stderr);
        }
    }

    /// <summary>Nothing in <paramref name="stderr"/> shows an exception escaping: no stack frame, exception type name
    /// or "internal error".</summary>
    public static void AssertNoStackTrace(string stderr) =>
        Assert.That(stderr, Does.Not.Contain("   at ").And.Not.Contain("Exception").And.Not.Contain("internal error"));
}
