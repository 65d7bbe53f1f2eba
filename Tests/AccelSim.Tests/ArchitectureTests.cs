using System.Reflection;
using System.Text.RegularExpressions;
using AccelSim.Kernel;
using AccelSim.Tests.Support;
using ArchUnitNET.Domain;
using ArchUnitNET.Fluent;
using ArchUnitNET.Loader;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace AccelSim.Tests;

/// <summary>
/// The folders are the architecture: each namespace may use only the namespaces its row of <see cref="Layers"/> names.
/// The rules read the IL of the library and the command line, method bodies included, so a call or a local of a
/// forbidden type inside a method breaks them as surely as a field or a signature does.
/// </summary>
/// <remarks>
/// <see cref="Layers"/> is the single statement of the layering: one rule per namespace is generated from it, and
/// docs/architecture.md draws the same arrows (checked here), so the doc and this table change together.
/// </remarks>
public sealed class ArchitectureTests
{
    /// <summary>Every namespace under <c>AccelSim.</c> (by its first segment) and what it may use; rows top to bottom.</summary>
    internal static readonly (string Area, string[] MayUse)[] Layers =
    [
        ("Cli", ["Sweeps", "Compression", "ScaleSim", "Configuration", "Execution", "Reports", "Energy", "Mapping", "Hardware", "Onnx",
            "Kernel", "Tracing", "Numerics", "Workloads", "Statistics", "Tensors", "Plotting", "Files"]),
        ("Sweeps", ["Execution", "ScaleSim", "Configuration", "Reports", "Hardware", "Workloads", "Energy", "Mapping", "Statistics", "Plotting", "Files"]),
        ("Compression", ["Execution", "Hardware", "Numerics", "Workloads", "Reports", "Tensors", "Files"]),
        ("ScaleSim", ["Execution", "Mapping", "Hardware", "Workloads", "Reports", "Energy", "Configuration", "Kernel", "Statistics", "Files"]),
        ("Configuration", ["Hardware", "Workloads", "Energy", "Numerics", "Onnx", "Files"]),
        ("Execution", ["Mapping", "Hardware", "Energy", "Numerics", "Workloads", "Reports", "Kernel", "Statistics", "Tensors", "Tracing"]),
        ("Reports", ["Energy", "Numerics", "Statistics", "Workloads", "Plotting"]),
        ("Energy", ["Hardware", "Statistics"]),
        ("Mapping", ["Hardware", "Workloads", "Numerics"]),
        ("Hardware", ["Kernel", "Statistics", "Tracing", "Numerics", "Workloads"]),
        ("Onnx", ["Workloads", "Files"]),
        ("Kernel", ["Statistics", "Tracing"]),
        ("Tracing", ["Plotting", "Files"]),
        ("Numerics", ["Workloads"]),
        ("Workloads", []),
        ("Statistics", []),
        ("Tensors", ["Files"]),
        ("Plotting", []),
        ("Files", []),
    ];

    private const string Root = "AccelSim.";

    private Architecture _architecture = null!;

    /// <summary>Every type the library and the command line declare (the bodies of lambdas and iterators count as their declaring type's).</summary>
    private IReadOnlyList<IType> _ours = null!;

    [OneTimeSetUp]
    public void LoadArchitecture()
    {
        _architecture = new ArchLoader().LoadAssemblies(typeof(Simulation).Assembly, typeof(AccelSim.Cli.Program).Assembly).Build();
        _ours = [.. _architecture.Types.Where(t => !IsCompilerEmbedded(t))];
        Assert.That(_ours.Select(t => t.Assembly.Name).Distinct().Count(), Is.EqualTo(2), "both assemblies load");
    }

    private static IEnumerable<TestCaseData> Areas() =>
        Layers.Select(l => new TestCaseData(l.Area).SetName($"{l.Area}_UsesOnlyWhatItMay"));

    [TestCaseSource(nameof(Areas))]
    public void Namespace_UsesOnlyTheNamespacesItsRowNames(string area)
    {
        string[] forbidden = [.. Layers.Select(l => l.Area).Where(a => a != area && !MayUse(area).Contains(a))];
        if (forbidden.Length == 0)
        {
            Assert.Pass($"{area} may use every other namespace.");
        }

        IArchRule rule = Types().That().ResideInNamespaceMatching(AreaPattern(area))
            .Should().NotDependOnAnyTypesThat().ResideInNamespaceMatching(AreaPattern(forbidden))
            .WithoutRequiringPositiveResults();
        AssertNoViolations(rule, target => forbidden.Contains(AreaOf(target)), $"{area} uses a namespace its row does not name");
    }

    [Test]
    public void EveryNamespace_HasARowInTheTable()
    {
        string[] missing = [.. _ours.Select(t => AreaOf(t)).Distinct().Where(a => !Layers.Any(l => l.Area == a)).Order(StringComparer.Ordinal)];
        Assert.That(missing, Is.Empty, "namespaces with no row in ArchitectureTests.Layers");
    }

    [Test]
    public void Table_NamesOnlyKnownNamespaces_AndHasNoCycle()
    {
        string[] unknown = [.. Layers.SelectMany(l => l.MayUse).Where(a => !Layers.Any(l => l.Area == a)).Distinct()];
        Assert.That(unknown, Is.Empty, "arrows to namespaces without a row");

        // Rows are listed top to bottom: an arrow may only point to a later row, so the table cannot hold a cycle.
        string[] upward = [.. Layers.SelectMany((l, i) => l.MayUse.Where(a => Array.FindIndex(Layers, r => r.Area == a) <= i).Select(a => $"{l.Area} → {a}"))];
        Assert.That(upward, Is.Empty, "arrows pointing to a row above");
    }

    [Test]
    public void Library_NeverUsesTheCommandLine()
    {
        IArchRule rule = Types().That().ResideInAssembly(typeof(Simulation).Assembly)
            .Should().NotDependOnAnyTypesThat().ResideInAssembly(typeof(AccelSim.Cli.Program).Assembly)
            .WithoutRequiringPositiveResults();
        AssertNoViolations(rule, target => target.Assembly.FullName == typeof(AccelSim.Cli.Program).Assembly.FullName, "the library uses the command line");
    }

    [Test]
    public void OnlyTheCommandLine_UsesTheConsoleAndTheProcessEnvironment()
    {
        // The library writes to the TextWriter it is given and never reads or ends the process it runs in.
        AssertOnlyIn(["Cli"], t => t.FullName is "System.Console" or "System.Environment", "System.Console or System.Environment");
    }

    [Test]
    public void OnlyTheCommandLine_ConfiguresLogging()
    {
        // The library logs through the ILogger it is handed (Serilog.ILogger, or Logger.None when given none).
        AssertOnlyIn(["Cli"], t => t.FullName is "Serilog.Log" or "Serilog.LoggerConfiguration"
            || NamespaceOf(t).StartsWith("Serilog.Configuration", StringComparison.Ordinal)
            || NamespaceOf(t).StartsWith("Serilog.Sinks", StringComparison.Ordinal), "Serilog's static Log or its configuration");
    }

    [Test]
    public void OnlyConfiguration_ReadsYaml()
    {
        AssertOnlyIn(["Configuration", "ScaleSim"], t => NamespaceOf(t).StartsWith("YamlDotNet", StringComparison.Ordinal), "YamlDotNet");
    }

    [Test]
    public void NoOneOutsideConfiguration_ReachesIntoItsYamlInternals()
    {
        AssertOnlyIn(["Configuration"], t => NamespaceOf(t).StartsWith("AccelSim.Configuration.Yaml", StringComparison.Ordinal), "AccelSim.Configuration.Yaml");
    }

    [Test]
    public void OutsideConfiguration_OnlyItsPublicTypesAreUsed()
    {
        // Sweeps and the command line read files through Configuration's public API (ConfigLoader, ConfigDocument, ...).
        AssertOnlyIn(["Configuration"], t => AreaOf(t) == "Configuration" && t.Visibility != Visibility.Public, "Configuration's internal types");
    }

    [Test]
    public void TheDiagramInTheDoc_DrawsTheArrowsOfTheTable()
    {
        string doc = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "architecture.md"));
        Match block = Regex.Match(doc, @"```mermaid\s*\n(?<body>.*?)```", RegexOptions.Singleline);
        Assert.That(block.Success, Is.True, "docs/architecture.md holds a ```mermaid block");

        var drawn = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match edge in Regex.Matches(block.Groups["body"].Value, @"^\s*(?<from>\w+)\s*-->\s*(?<to>\w+(\s*&\s*\w+)*)\s*$", RegexOptions.Multiline))
        {
            foreach (string to in edge.Groups["to"].Value.Split('&', StringSplitOptions.TrimEntries))
            {
                drawn.Add($"{edge.Groups["from"].Value} → {to}");
            }
        }

        var table = new SortedSet<string>(Layers.SelectMany(l => l.MayUse.Select(a => $"{l.Area} → {a}")), StringComparer.Ordinal);
        Assert.Multiple(() =>
        {
            Assert.That(drawn.Except(table), Is.Empty, "arrows drawn in docs/architecture.md that the table does not have");
            Assert.That(table.Except(drawn), Is.Empty, "arrows of the table that docs/architecture.md does not draw");
        });
    }

    [Test]
    public void Library_HasNoStaticMutableFields()
    {
        // Allowed: constants and static readonly fields (immutable values and stateless singletons).
        var offenders = typeof(Simulation).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(f => !f.IsLiteral && !f.IsInitOnly && !f.Name.Contains('<', StringComparison.Ordinal))
            .Select(f => $"{f.DeclaringType!.FullName}.{f.Name}")
            .ToList();

        Assert.That(offenders, Is.Empty);
    }

    /// <summary>Attribute types the compiler writes into every assembly (nullable annotations and the like).</summary>
    private static bool IsCompilerEmbedded(IType type) =>
        type.FullName.StartsWith('<') || NamespaceOf(type) is "Microsoft.CodeAnalysis" or "System.Runtime.CompilerServices";

    private static string[] MayUse(string area) => Layers.Single(l => l.Area == area).MayUse;

    /// <summary>Matches the namespaces of the given areas and their sub-namespaces (<c>AccelSim.Configuration.Yaml</c>).</summary>
    private static string AreaPattern(params string[] areas) => $@"^AccelSim\.({string.Join('|', areas)})(\..+)?$";

    /// <summary>The first segment after <c>AccelSim.</c>, or the whole namespace for a type outside AccelSim.</summary>
    private static string AreaOf(IType type)
    {
        string ns = NamespaceOf(type);
        return ns.StartsWith(Root, StringComparison.Ordinal) ? ns[Root.Length..].Split('.')[0] : ns;
    }

    /// <summary>The type's namespace; empty for one without (a generic parameter).</summary>
    private static string NamespaceOf(IType type) => type.Namespace?.FullName ?? "";

    /// <summary>Evaluates an ArchUnitNET rule; on failure lists every offending type → used type.</summary>
    private void AssertNoViolations(IArchRule rule, Func<IType, bool> forbidden, string what)
    {
        var failed = rule.Evaluate(_architecture).Where(r => !r.Passed).ToList();
        string[] pairs = Pairs(failed.Select(r => r.EvaluatedObject).OfType<IType>(), forbidden);
        IEnumerable<string> lines = pairs.Length > 0 ? pairs : failed.Select(r => r.Description);
        Assert.That(failed, Is.Empty, () => $"{what}:{Environment.NewLine}{string.Join(Environment.NewLine, lines)}");
    }

    /// <summary>Only types of the given areas may use a type the predicate names.</summary>
    private void AssertOnlyIn(string[] areas, Func<IType, bool> forbidden, string what)
    {
        // A control: the check must see the type where it is allowed, or it could not see it anywhere.
        Assert.That(_ours.Any(t => areas.Contains(AreaOf(t)) && t.Dependencies.Any(d => forbidden(d.Target))), Is.True,
            $"no use of {what} is seen in {string.Join(" or ", areas)}");
        string[] pairs = Pairs(_ours.Where(t => !areas.Contains(AreaOf(t))), forbidden);
        Assert.That(pairs, Is.Empty, () => $"only {string.Join(" and ", areas)} may use {what}:{Environment.NewLine}{string.Join(Environment.NewLine, pairs)}");
    }

    private static string[] Pairs(IEnumerable<IType> origins, Func<IType, bool> forbidden) =>
        [.. origins.SelectMany(t => t.Dependencies.Where(d => forbidden(d.Target)).Select(d => $"{t.FullName} → {d.Target.FullName}"))
            .Distinct().Order(StringComparer.Ordinal)];
}
