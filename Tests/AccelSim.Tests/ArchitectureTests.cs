using System.Reflection;
using AccelSim.Kernel;

namespace AccelSim.Tests;

/// <summary>The folders are the architecture: each namespace may use only the namespaces below it.</summary>
/// <remarks>Checked over every type's base types, interfaces, fields, properties, and method and constructor
/// signatures (method bodies are not visible to reflection, so this is a floor, not a proof).</remarks>
public sealed class ArchitectureTests
{
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Statistics"] = [],
        ["Numerics"] = [],
        ["Workloads"] = [],
        ["Tensors"] = [],
        ["Plotting"] = [],
        ["Tracing"] = ["Plotting"],
        ["Onnx"] = ["Workloads"],
        ["Kernel"] = ["Statistics", "Tracing"],
        ["Hardware"] = ["Kernel", "Statistics", "Numerics", "Energy", "Tracing"],
        ["Energy"] = ["Hardware", "Statistics"],
        ["Mapping"] = ["Hardware", "Workloads", "Numerics"],
        ["Reports"] = ["Energy", "Statistics"],
        ["Configuration"] = ["Hardware", "Workloads", "Energy", "Numerics", "Onnx"],
        ["Execution"] = ["Kernel", "Statistics", "Hardware", "Mapping", "Numerics", "Energy", "Workloads", "Reports", "Tensors", "Tracing"],
        ["Compression"] = ["Execution", "Hardware", "Numerics", "Workloads", "Reports", "Tensors"],
    };

    private static IEnumerable<TestCaseData> Namespaces() => Allowed.Keys.Order(StringComparer.Ordinal).Select(n => new TestCaseData(n).SetName($"{n}_UsesOnlyWhatItMay"));

    [TestCaseSource(nameof(Namespaces))]
    public void Namespace_DependsOnlyOnAllowedNamespaces(string area)
    {
        Assembly library = typeof(Simulation).Assembly;
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Type type in library.GetTypes().Where(t => Area(t) == area))
        {
            foreach (Type used in Referenced(type))
            {
                string? usedArea = Area(used);
                if (usedArea is not null && usedArea != area && !Allowed[area].Contains(usedArea))
                {
                    violations.Add($"{type.FullName} uses {used.FullName}");
                }
            }
        }

        Assert.That(violations, Is.Empty);
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

    private static string? Area(Type type)
    {
        string? ns = type.Namespace;
        if (ns is null || !ns.StartsWith("AccelSim.", StringComparison.Ordinal))
        {
            return null;
        }

        string area = ns["AccelSim.".Length..].Split('.')[0];
        return Allowed.ContainsKey(area) ? area : null;
    }

    private static IEnumerable<Type> Referenced(Type type)
    {
        const BindingFlags all = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var types = new List<Type>();
        if (type.BaseType is { } baseType)
        {
            types.Add(baseType);
        }

        types.AddRange(type.GetInterfaces());
        types.AddRange(type.GetFields(all).Select(f => f.FieldType));
        types.AddRange(type.GetProperties(all).Select(p => p.PropertyType));
        foreach (MethodBase method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (method is MethodInfo info)
            {
                types.Add(info.ReturnType);
            }

            types.AddRange(method.GetParameters().Select(p => p.ParameterType));
        }

        return types.SelectMany(Expand);
    }

    private static IEnumerable<Type> Expand(Type type)
    {
        if (type.HasElementType)
        {
            return Expand(type.GetElementType()!);
        }

        return type.IsGenericType ? type.GetGenericArguments().SelectMany(Expand).Append(type) : [type];
    }
}
