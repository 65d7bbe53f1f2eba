using AccelSim.Configuration.Yaml;
using AccelSim.Numerics;

namespace AccelSim.Configuration;

/// <summary>A tensor's number format as a config names it: <c>bfp</c> (the widths of <c>exponent_bits</c> and
/// <c>mantissa_bits</c>), or an MX/NVFP4 format of docs/mx-formats.md.</summary>
internal readonly record struct NumberFormatChoice(string Name, MxFormat? Mx)
{
    /// <summary>The names a <c>format</c> key accepts, <c>bfp</c> first.</summary>
    public static Choices<NumberFormatChoice> All { get; } =
        new([("bfp", new NumberFormatChoice("bfp", null)), .. MxFormat.All.Select(f => (f.Name, new NumberFormatChoice(f.Name, f)))]);

    /// <summary>The MX/NVFP4 format of a name already validated (null for <c>bfp</c>).</summary>
    public static MxFormat? Resolve(string name) => All.TryGet(name, out NumberFormatChoice choice) ? choice.Mx : null;
}
