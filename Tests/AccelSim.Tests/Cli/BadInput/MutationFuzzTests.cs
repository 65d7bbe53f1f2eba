using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AccelSim.Cli;
using AccelSim.Configuration;
using AccelSim.Tests.Support;
using static AccelSim.Tests.Support.CliHarness;

namespace AccelSim.Tests.Cli.BadInput;

/// <summary>
/// A seeded mutation fuzz test: small valid configs and workloads, each mutated once (a scalar replaced by another type or
/// an extreme, a key deleted, duplicated or renamed, a tab inserted, the file truncated, two lines swapped, garbage bytes
/// inserted), then run or validated in process. Whatever the mutant, the command must exit 0 or 2, never print a stack
/// trace or an exception type, locate a refusal in the mutated file, and finish within a hang guard. The mutants are the
/// same on every machine (SplitMix64 from a fixed seed); <c>ACCELSIM_FUZZ_MUTANTS</c> raises their number for a longer
/// campaign run by hand.
/// </summary>
[Category("Fuzz")]
public sealed class MutationFuzzTests() : WorkFolderFixture("accelsim-fuzz-")
{
    /// <summary>Mutants in an ordinary test run: a few hundred, each a run of milliseconds on a tiny workload.</summary>
    private const int DefaultMutants = 500;

    private const ulong Seed = 0x5EED_F022_ACCE_1500UL;

    /// <summary>Only a guard against a hang; a mutant of these tiny inputs runs in milliseconds.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(10);

    private static readonly string[] Replacements =
    [
        "0", "-1", "1", "1e300", "-1e300", "-1e-300", "1e-300", "NaN", ".nan", ".inf", "-.inf", "\"\"", "''",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "2147483647", "2147483648", "4294967296",
        "65536", "99999999999999999999999999", "3.5", "0.5", "-0.0", "1_000", "0x10", "true", "false", "null", "~",
        "abc", "[1, 2]", "[]", "{ a: 1 }", "{}", "*a", "&a 1", "!!binary AA==", "\"\\u0000\"", "é", "[[[[[]]]]]",
    ];

    private static readonly string[] Garbage =
    [
        "\0", "\uFFFD", "\u202E", "€", "😀", ":", "- ", "{", "}", "[", "]", "\"", "'", "#", "&", "*", "!", "|", ">", "%", "@",
        "`", "\r", "\n", "\n  ", ",", "?", "\u00A0", "\uFEFF",
    ];

    private static readonly byte[][] GarbageBytes = [[0xFF], [0xFE, 0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0x80], [0xF4, 0x90, 0x80, 0x80]];

    // A scalar value after "key:" in block or flow style (possibly empty, as after "buffers:").
    private static readonly Regex KeyValue = new(@"(?<key>[A-Za-z_][A-Za-z_0-9]*):[ ]*(?<value>[^,{}\[\]\r\n#]*)", RegexOptions.CultureInvariant);

    [Test]
    public void Mutants_OfConfigsAndWorkloads_ExitZeroOrTwo_WithoutCrashOrHang()
    {
        int count = MutantCount();
        string config = File.ReadAllText(Shipped("Configs/tiny.yaml"))
            .Replace("energy_table: energy/horowitz_45nm.yaml", $"energy_table: \"{Shipped("Configs/energy/horowitz_45nm.yaml")}\"", StringComparison.Ordinal);
        string[] workloads = [File.ReadAllText(Shipped("Workloads/tiny.yaml")), File.ReadAllText(Shipped("Workloads/resnet_block.yaml"))];
        var failures = new List<string>();
        int accepted = 0, refused = 0;

        for (int index = 0; index < count; index++)
        {
            var random = new SplitMixRandom(Seed + (ulong)index);
            bool mutateConfig = random.NextBelow(2) == 0;
            string workload = workloads[random.NextBelow(workloads.Length)];
            // One mutation mostly; a quarter of the mutants stack two or three, to reach past the first check that fails.
            int mutations = random.NextBelow(4) == 0 ? 2 + random.NextBelow(2) : 1;
            (byte[] mutant, string mutation) = Mutate(mutateConfig ? config : workload, random);
            for (int more = 1; more < mutations; more++)
            {
                (byte[] next, string also) = Mutate(Encoding.UTF8.GetString(mutant), random);
                (mutant, mutation) = (next, $"{mutation}; {also}");
            }

            string folder = Path.Combine(Work, index.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(folder);
            string configPath = Path.Combine(folder, "hw.yaml");
            string workloadPath = Path.Combine(folder, "net.yaml");
            File.WriteAllText(configPath, config);
            File.WriteAllText(workloadPath, workload);
            string mutantPath = mutateConfig ? configPath : workloadPath;
            File.WriteAllBytes(mutantPath, mutant);

            string[] args = random.NextBelow(4) == 0
                ? ["validate", mutantPath]
                : ["run", "--config", configPath, "--workload", workloadPath, "--no-numerics", "--no-table"];
            string what = $"mutant {index} ({(mutateConfig ? "config" : "workload")}, {mutation}, {args[0]})";

            var run = Task.Run(() => Run(args));
            if (!run.Wait(HangGuard))
            {
                failures.Add($"{what}: still running after {HangGuard.TotalSeconds} s");
                continue;
            }

            var (code, _, stderr) = run.Result;
            if (code == ExitCodes.Success)
            {
                accepted++;
            }
            else if (code == ExitCodes.BadInput)
            {
                refused++;
            }

            string? problem =
                code != ExitCodes.Success && code != ExitCodes.BadInput ? $"exit {code}"
                : stderr.Contains("   at ", StringComparison.Ordinal) ? "a stack trace"
                : stderr.Contains("Exception", StringComparison.Ordinal) ? "an exception type name"
                : stderr.Contains("internal error", StringComparison.Ordinal) ? "an internal error"
                : code == ExitCodes.BadInput && !IsLocated(stderr, mutantPath) ? "a refusal that does not name the mutated file"
                : null;
            if (problem is not null)
            {
                failures.Add($"{what}: {problem}: {FirstLines(stderr)}");
            }
        }

        TestContext.Out.WriteLine($"{count} mutants: {accepted} exit 0, {refused} exit 2, {failures.Count} failures");
        Assert.That(failures, Is.Empty, string.Join('\n', failures));
    }

    /// <summary>
    /// Whether a refusal says where the problem is: in the mutated file, or, for a layer that the mapper cannot fit in
    /// the configured buffers (a clash of the two files, neither wrong alone), by the layer's name.
    /// </summary>
    private static bool IsLocated(string stderr, string mutantPath) =>
        stderr.Contains(mutantPath, StringComparison.Ordinal) || stderr.Contains("error: layer '", StringComparison.Ordinal);

    /// <summary>The number of mutants: <see cref="DefaultMutants"/>, or <c>ACCELSIM_FUZZ_MUTANTS</c> for a longer campaign.</summary>
    private static int MutantCount()
    {
        string? setting = Environment.GetEnvironmentVariable("ACCELSIM_FUZZ_MUTANTS");
        return int.TryParse(setting, NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count > 0 ? count : DefaultMutants;
    }

    /// <summary>One mutation of <paramref name="text"/>, chosen and placed by <paramref name="random"/>, with a description.</summary>
    private static (byte[] Bytes, string Mutation) Mutate(string text, SplitMixRandom random)
    {
        MatchCollection pairs = KeyValue.Matches(text);
        string[] lines = text.Split('\n');
        int kind = random.NextBelow(9);
        switch (pairs.Count == 0 && kind <= 4 ? 8 : kind)
        {
            case 0:
            case 1:
            {
                Match pair = pairs[random.NextBelow(pairs.Count)];
                Group value = pair.Groups["value"];
                string replacement = Replacements[random.NextBelow(Replacements.Length)];
                string trimmed = value.Value.TrimEnd();
                return (Utf8(string.Concat(text.AsSpan(0, value.Index), replacement, text.AsSpan(value.Index + trimmed.Length))),
                    $"{pair.Groups["key"].Value}: {trimmed} -> {replacement}");
            }

            case 2:
            {
                Match pair = pairs[random.NextBelow(pairs.Count)];
                int end = pair.Index + pair.Length;
                if (end < text.Length && text[end] == ',')
                {
                    end++;
                }

                return (Utf8(text.Remove(pair.Index, end - pair.Index)), $"delete {pair.Value.TrimEnd()}");
            }

            case 3:
            {
                Match pair = pairs[random.NextBelow(pairs.Count)];
                string copy = pair.Value.TrimEnd();
                bool flow = pair.Index > 0 && text.LastIndexOf('{', pair.Index - 1) > text.LastIndexOf('\n', pair.Index - 1);
                string insert = flow ? copy + ", " : copy + "\n" + Indent(text, pair.Index);
                return (Utf8(text.Insert(pair.Index, insert)), $"duplicate {copy}");
            }

            case 4:
            {
                Match pair = pairs[random.NextBelow(pairs.Count)];
                Group key = pair.Groups["key"];
                Match other = pairs[random.NextBelow(pairs.Count)];
                string renamed = random.NextBelow(2) == 0 ? key.Value + "x" : other.Groups["key"].Value;
                return (Utf8(string.Concat(text.AsSpan(0, key.Index), renamed, text.AsSpan(key.Index + key.Length))), $"rename {key.Value} -> {renamed}");
            }

            case 5:
            {
                int at = random.NextBelow(text.Length + 1);
                return (Utf8(text.Insert(at, "\t")), $"tab at {at}");
            }

            case 6:
            {
                byte[] bytes = Utf8(text);
                int at = random.NextBelow(bytes.Length + 1);
                return (bytes[..at], $"truncate at byte {at}");
            }

            case 7:
            {
                int a = random.NextBelow(lines.Length), b = random.NextBelow(lines.Length);
                (lines[a], lines[b]) = (lines[b], lines[a]);
                return (Utf8(string.Join('\n', lines)), $"swap lines {a + 1} and {b + 1}");
            }

            default:
            {
                byte[] bytes = Utf8(text);
                int at = random.NextBelow(bytes.Length + 1);
                byte[] garbage = random.NextBelow(3) == 0
                    ? GarbageBytes[random.NextBelow(GarbageBytes.Length)]
                    : Utf8(Garbage[random.NextBelow(Garbage.Length)]);
                return ([.. bytes[..at], .. garbage, .. bytes[at..]], $"insert {Convert.ToHexString(garbage)} at byte {at}");
            }
        }
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>As many spaces as precede <paramref name="offset"/> on its line, so a duplicated block key lines up.</summary>
    private static string Indent(string text, int offset)
    {
        int start = offset == 0 ? 0 : text.LastIndexOf('\n', offset - 1) + 1;
        return new string(' ', offset - start);
    }

    private static string FirstLines(string stderr) => string.Join(" | ", stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(3));
}
