using System.CommandLine;
using System.Text.RegularExpressions;
using AccelSim.Tests.Support;

namespace AccelSim.Tests.Docs;

/// <summary>
/// Every command the README and the other Markdown files show stays runnable as written. The commands are found by the
/// rules of <see cref="DocumentedCommands"/> (shell code blocks, and inline spans that are whole commands). Each one
/// (a) parses with the real command line (<c>Commands.Build</c>) without errors; (b) names only repository files that
/// exist (a word whose first folder is a top-level folder of the repository: <c>Configs/…</c>, <c>Workloads/…</c>,
/// <c>Tests/…</c>), unless it is what the command writes or what an earlier command of the same document writes; and
/// (c) when it is fast, runs in process and exits 0, with everything it writes redirected to a temporary folder.
/// Fast means: <c>--help</c>, <c>validate</c>, <c>describe</c>, <c>bfp-cost</c>, <c>sweep … --dry-run</c>, a <c>trace</c>
/// question about a trace in the repository or written by a command run before it, and a <c>run</c> of one of the
/// small test networks or a timing-only <c>run</c> (<c>--no-numerics</c>, or a SCALE-Sim topology) without a trace or
/// <c>--detail pe</c>. Whole-network numerics, sweeps, compression, imports and benchmarks are checked by (a) and (b) only.
/// Besides the commands, every path to the code a document names in a code span exists (see <see cref="SourcePaths"/>).
/// </summary>
public sealed partial class DocumentationTests
{
    /// <summary>Options whose value is a file or folder the command writes.</summary>
    private static readonly HashSet<string> OutputOptions = new(StringComparer.Ordinal)
    {
        "-o", "--output", "--json", "--csv", "--trace", "--scalesim-reports", "--dump-tensors", "--report",
    };

    /// <summary>The small networks of <c>Workloads/</c> that tests use: their runs take milliseconds, numerics included.</summary>
    private static readonly HashSet<string> SmallTestNetworks = new(StringComparer.Ordinal) { "Workloads/tiny.yaml", "Workloads/resnet_block.yaml" };

    private static readonly Lazy<IReadOnlyList<DocumentedCommand>> Found = new(() =>
        [.. DocumentedCommands.Documents(RepoPaths.Root)
            .SelectMany(document => DocumentedCommands.Extract(document, File.ReadAllText(Path.Combine(RepoPaths.Root, document))))]);

    public static IEnumerable<TestCaseData> AllCommands() =>
        Found.Value.Select(command => new TestCaseData(command).SetArgDisplayNames($"{command.Document}:{command.Line}"));

    public static IEnumerable<TestCaseData> DocumentsWithCommands() =>
        Found.Value.Select(command => command.Document).Distinct().Select(document => new TestCaseData(document).SetArgDisplayNames(document));

    [Test]
    public void Extract_FindsShellCommandsAndWholeInlineCommands_NotSynopses()
    {
        const string Markdown = """
            Run `accelsim run -w Workloads/tiny.yaml --no-numerics`, see `accelsim run` and `accelsim validate FILE…`.

            ```sh
            #!/bin/bash
            accelsim validate Configs/tiny.yaml   # a comment
            for s in 2 3; do
              accelsim run --set bfp.mantissa_bits=$s \
                --csv "out/l$s.csv"
            done
            accelsim describe && accelsim run --shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT" | head
            jobid=$(sbatch --parsable sweep.sh)
            ```

            ```yaml
            args: [accelsim sweep x.yaml]
            ```
            """;

        var commands = DocumentedCommands.Extract("x.md", Markdown);

        Assert.That(commands.Select(command => $"{command.Line}|{string.Join(' ', command.Arguments)}"), Is.EqualTo(new[]
        {
            "1|run -w Workloads/tiny.yaml --no-numerics",
            "5|validate Configs/tiny.yaml",
            "6|run --set bfp.mantissa_bits=2 --csv out/l2.csv",
            "10|describe",
            "10|run --shard 0/16",
        }));
    }

    [Test]
    public void Readme_ShowsTheTwoCommands()
    {
        var readme = Found.Value.Where(command => command.Document == "README.md").ToList();

        Assert.That(readme.Any(command => command.Project == "Simulator/AccelSim.Cli" && command.Arguments.SequenceEqual(["run"])), Is.True,
            "README.md shows `dotnet run --project Simulator/AccelSim.Cli -- run`");
        Assert.That(File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md")), Does.Contain("\ndotnet test "));
    }

    [TestCaseSource(nameof(AllCommands))]
    public void Command_ParsesWithTheRealCommandLine(DocumentedCommand command)
    {
        ParseResult parse = AccelSim.Cli.Commands.Build(TextWriter.Null, TextWriter.Null).Parse([.. command.Arguments]);

        Assert.That(parse.Errors.Select(error => error.Message), Is.Empty, command.ToString());
    }

    [TestCaseSource(nameof(AllCommands))]
    public void Command_NamesOnlyRepositoryFilesThatExist(DocumentedCommand command)
    {
        var writtenBefore = Found.Value.Where(other => other.Document == command.Document && other.Line < command.Line)
            .SelectMany(other => Outputs(other.Arguments)).ToHashSet(StringComparer.Ordinal);
        var missing = Inputs(command.Arguments)
            .Where(path => IsRepositoryPath(path) && !ExistsInRepository(path) && !writtenBefore.Contains(path))
            .ToList();
        if (command.Project is not null && !Directory.Exists(Path.Combine(RepoPaths.Root, command.Project)))
        {
            missing.Add(command.Project);
        }

        Assert.That(missing, Is.Empty, command.ToString());
    }

    [TestCaseSource(nameof(DocumentsWithCommands))]
    public void FastCommands_RunInProcess(string document)
    {
        string work = Path.Combine(Path.GetTempPath(), "accelsim-docs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach (DocumentedCommand command in Found.Value.Where(command => command.Document == document && IsFast(command.Arguments, written)))
            {
                var (code, _, stderr) = CliHarness.Run(Redirected(command.Arguments, work, written));

                Assert.That(code, Is.Zero, $"{command}\n{stderr}");
                TestContext.Out.WriteLine($"ran {command}");
                written.UnionWith(Outputs(command.Arguments));
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    public static IEnumerable<TestCaseData> DocumentsNamingPaths() =>
        DocumentedCommands.Documents(RepoPaths.Root).Where(document => SourcePaths(document).Any())
            .Select(document => new TestCaseData(document).SetArgDisplayNames(document));

    [TestCaseSource(nameof(DocumentsNamingPaths))]
    public void PathsToTheCode_Exist(string document)
    {
        var missing = SourcePaths(document).Where(path => !SourceRoots.Any(root => Exists(root, path))).ToList();

        Assert.That(missing, Is.Empty, $"{document} names paths that do not exist under the repository or a project folder");
    }

    /// <summary>Where a path in a document may start: the repository, or a project folder (<c>Mapping/Mapper.cs</c>).</summary>
    private static readonly string[] SourceRoots = ["", "Simulator/AccelSim", "Simulator/AccelSim.Cli", "Tests/AccelSim.Tests"];

    /// <summary>The code spans of <paramref name="document"/> that are one path: every <c>*.cs</c> file, and every path
    /// whose first folder is a folder of the repository or of a project (<c>Simulator/AccelSim/ScaleSim/</c>,
    /// <c>Mapping/Dataflows/</c>, <c>Configs/*.yaml</c>). Paths of files a command writes start elsewhere.</summary>
    private static IEnumerable<string> SourcePaths(string document) =>
        InlineCode().Matches(File.ReadAllText(Path.Combine(RepoPaths.Root, document)))
            .Select(match => match.Groups[1].Value)
            .Where(span => char.IsLetter(span[0]) && !span.Any(char.IsWhiteSpace) && (span.EndsWith(".cs", StringComparison.Ordinal)
                || (span.Contains('/', StringComparison.Ordinal) && SourceRoots.Any(root => Directory.Exists(Path.Combine(RepoPaths.Root, root, span.Split('/')[0]))))));

    /// <summary>Whether <paramref name="path"/> exists under <paramref name="root"/>; for a pattern (<c>*</c>), whether its folder does.</summary>
    private static bool Exists(string root, string path)
    {
        string full = Path.Combine(RepoPaths.Root, root, path.Contains('*', StringComparison.Ordinal) ? path[..path.LastIndexOf('/')] : path);
        return File.Exists(full) || Directory.Exists(full);
    }

    [GeneratedRegex(@"`([^`\n]+)`")]
    private static partial Regex InlineCode();

    private static bool IsFast(IReadOnlyList<string> arguments, HashSet<string> written)
    {
        if (arguments.Any(word => word is "--help" or "-h" or "-?"))
        {
            return true;
        }

        return (arguments.Count > 0 ? arguments[0] : null) switch
        {
            "validate" or "describe" or "bfp-cost" => true,
            "sweep" => arguments.Contains("--dry-run"),
            "trace" => arguments.Count > 2 && (written.Contains(arguments[2]) || ExistsInRepository(arguments[2])),
            "run" => IsFastRun(arguments),
            "eval" => SmallTestNetworks.Contains(ValueOf(arguments, "-w", "--workload") ?? AccelSim.Cli.Commands.DefaultWorkload),
            _ => false,
        };
    }

    private static bool IsFastRun(IReadOnlyList<string> arguments)
    {
        string workload = ValueOf(arguments, "-w", "--workload") ?? AccelSim.Cli.Commands.DefaultWorkload;
        bool timingOnly = arguments.Contains("--no-numerics") || workload.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
        bool traced = ValueOf(arguments, "--trace") is not null;
        bool perPe = ValueOf(arguments, "--detail") == "pe";
        return SmallTestNetworks.Contains(workload) || (timingOnly && !traced && !perPe);
    }

    /// <summary>The arguments with written paths moved into <paramref name="work"/> and repository paths made absolute.</summary>
    private static string[] Redirected(IReadOnlyList<string> arguments, string work, HashSet<string> written)
    {
        var result = new string[arguments.Count];
        for (int i = 0; i < arguments.Count; i++)
        {
            string word = arguments[i];
            bool output = i > 0 && OutputOptions.Contains(arguments[i - 1]);
            if (output || written.Contains(word))
            {
                string path = Path.Combine(work, word);
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                result[i] = path;
            }
            else
            {
                result[i] = IsRepositoryPath(word) && ExistsInRepository(word) ? Path.Combine(RepoPaths.Root, word) : word;
            }
        }

        return result;
    }

    private static IEnumerable<string> Outputs(IReadOnlyList<string> arguments) =>
        arguments.Skip(1).Where((_, i) => OutputOptions.Contains(arguments[i]));

    private static IEnumerable<string> Inputs(IReadOnlyList<string> arguments) =>
        arguments.Where((_, i) => i == 0 || !OutputOptions.Contains(arguments[i - 1]));

    private static string? ValueOf(IReadOnlyList<string> arguments, params string[] names)
    {
        int index = arguments.ToList().FindLastIndex(names.Contains);
        return index >= 0 && index + 1 < arguments.Count ? arguments[index + 1] : null;
    }

    /// <summary>A relative path whose first folder is a top-level folder of the repository.</summary>
    private static bool IsRepositoryPath(string word)
    {
        int slash = word.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && !word.StartsWith('-') && !Path.IsPathRooted(word) && !word.Contains('=', StringComparison.Ordinal)
            && Directory.Exists(Path.Combine(RepoPaths.Root, word[..slash]));
    }

    private static bool ExistsInRepository(string path)
    {
        string full = Path.Combine(RepoPaths.Root, path);
        return File.Exists(full) || Directory.Exists(full);
    }
}
