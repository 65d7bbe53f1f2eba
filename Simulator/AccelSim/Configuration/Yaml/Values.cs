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

    /// <summary><see cref="Integer(DocNode, string, IntRule, ConfigErrors)"/>, then within <paramref name="limit"/>.</summary>
    public static long? Integer(DocNode node, string what, IntRule rule, Limit limit, ConfigErrors errors) =>
        Integer(node, what, rule, errors) is { } value && Within(node, what, value, limit, errors) ? value : null;

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

    /// <summary><see cref="Number(DocNode, string, NumberRule, ConfigErrors)"/>, then within <paramref name="limit"/>.</summary>
    public static double? Number(DocNode node, string what, NumberRule rule, Limit limit, ConfigErrors errors) =>
        Number(node, what, rule, errors) is { } value && Within(node, what, value, limit, errors) ? value : null;

    /// <summary>Whether <paramref name="value"/> is within <paramref name="limit"/>; reports it when not.</summary>
    public static bool Within(DocNode node, string what, double value, Limit limit, ConfigErrors errors)
    {
        if (limit.Accepts(value))
        {
            return true;
        }

        errors.Add(node, $"{what} must be {limit.Describe()}, was {Scalars.Describe(node)}");
        return false;
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
