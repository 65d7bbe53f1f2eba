using System.Collections.Immutable;
using System.Text;

namespace AccelSim.Configuration.Yaml;

/// <summary>The names a value may take in YAML, each mapped to its model value.</summary>
internal sealed class Choices<T>
{
    private readonly ImmutableArray<(string Name, T Value)> _items;

    public Choices(params (string Name, T Value)[] items)
    {
        _items = [.. items];
    }

    /// <summary>The names, comma-separated, in declaration order.</summary>
    public string List => string.Join(", ", _items.Select(i => i.Name));

    public bool TryGet(string name, out T value)
    {
        foreach ((string itemName, T itemValue) in _items)
        {
            if (itemName == name)
            {
                value = itemValue;
                return true;
            }
        }

        value = default!;
        return false;
    }

    public string NameOf(T value) => _items.First(i => EqualityComparer<T>.Default.Equals(i.Value, value)).Name;
}

/// <summary>Builds <see cref="Choices{T}"/> from an enum, so YAML names follow the enum without a second list to keep in step.</summary>
internal static class Choices
{
    /// <summary>Every member of <typeparamref name="TEnum"/>, named in snake_case (<c>OutputStationary</c> → <c>output_stationary</c>).</summary>
    public static Choices<TEnum> FromEnum<TEnum>()
        where TEnum : struct, Enum =>
        new([.. Enum.GetValues<TEnum>().Select(v => (SnakeCase(v.ToString()), v))]);

    public static string SnakeCase(string pascal)
    {
        var text = new StringBuilder(pascal.Length + 4);
        for (int i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0)
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(pascal[i]));
        }

        return text.ToString();
    }
}
