namespace AccelSim.Configuration.Yaml;

/// <summary>
/// Checks one value node against a rule and reports a message naming the value, the rule and what was found.
/// Each method returns null when the value is unusable (after reporting why).
/// </summary>
internal static class Values
{
    public static long? Integer(DocNode node, string what, IntRule rule, ConfigErrors errors)
    {
        if (Scalars.TryInteger(node, out long value) && rule.Accepts(value))
        {
            return value;
        }

        errors.Add(node, $"{what} must be {rule.Describe()}, was {Scalars.Describe(node)}");
        return null;
    }

    public static int? Int32(DocNode node, string what, IntRule rule, ConfigErrors errors) =>
        (int?)Integer(node, what, rule with { Max = Math.Min(rule.Max, int.MaxValue) }, errors);

    public static ulong? Unsigned(DocNode node, string what, ConfigErrors errors)
    {
        if (Scalars.TryUnsigned(node, out ulong value))
        {
            return value;
        }

        errors.Add(node, $"{what} must be an integer from 0 to {ulong.MaxValue}, was {Scalars.Describe(node)}");
        return null;
    }

    public static double? Number(DocNode node, string what, NumberRule rule, ConfigErrors errors)
    {
        if (Scalars.TryNumber(node, out double value) && rule.Accepts(value))
        {
            return value;
        }

        errors.Add(node, $"{what} must be {rule.Describe()}, was {Scalars.Describe(node)}");
        return null;
    }

    public static bool? Boolean(DocNode node, string what, ConfigErrors errors)
    {
        if (Scalars.TryBoolean(node, out bool value))
        {
            return value;
        }

        errors.Add(node, $"{what} must be true or false, was {Scalars.Describe(node)}");
        return null;
    }

    public static string? Text(DocNode node, string what, ConfigErrors errors)
    {
        if (Scalars.TryText(node, out string value) && value.Trim().Length > 0)
        {
            return value;
        }

        errors.Add(node, $"{what} must be a non-empty string, was {Scalars.Describe(node)}");
        return null;
    }

    public static T? Choice<T>(DocNode node, string what, Choices<T> choices, ConfigErrors errors)
        where T : struct
    {
        if (node is DocScalar { IsNull: false } scalar)
        {
            if (choices.TryGet(scalar.Value, out T value))
            {
                return value;
            }

            errors.Add(node, $"{what} '{scalar.Value}' is not one of {choices.List}");
            return null;
        }

        errors.Add(node, $"{what} must be one of {choices.List}, was {Scalars.Describe(node)}");
        return null;
    }
}
