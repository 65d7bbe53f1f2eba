namespace AccelSim.Configuration;

/// <summary>One problem found in a configuration file.</summary>
/// <param name="File">The file as the user named it (not made absolute), or <c>command line</c> for a malformed override.</param>
/// <param name="Line">1-based line of the offending key or value.</param>
/// <param name="Column">1-based column of the offending key or value.</param>
/// <param name="Message">What is wrong and what is allowed instead.</param>
public sealed record ConfigError(string File, int Line, int Column, string Message)
{
    /// <summary>The compiler-style form <c>file:line:column: message</c>.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}
