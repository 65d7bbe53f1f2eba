using AccelSim.Configuration;

namespace AccelSim.Tests.Configuration;

public sealed class ConstraintExpressionTests
{
    private static readonly Dictionary<string, double> Values = new(StringComparer.Ordinal)
    {
        ["pe_array.rows"] = 16,
        ["pe_array.cols"] = 8,
        ["buffers.ifmap.capacity_bytes"] = 524288,
        ["buffers.weights.capacity_bytes"] = 262144,
    };

    private static ConstraintExpression Parse(string text) =>
        ConstraintExpression.Parse(text, out _, out string error) ?? throw new AssertionException(error);

    private static bool? Evaluate(string text, out string problem, out string detail) =>
        Parse(text).Evaluate(k => Values.TryGetValue(k.Key, out double v) ? (v, "") : (null, $"{k.Key} is not set"), out problem, out detail);

    [TestCase("pe_array.rows * pe_array.cols <= 128", true, "128 <= 128")]
    [TestCase("pe_array.rows * pe_array.cols < 128", false, "128 < 128")]
    [TestCase("buffers.ifmap.capacity_bytes + buffers.weights.capacity_bytes <= 1048576", true, "786432 <= 1048576")]
    [TestCase("2 + 3 * 4 == 14", true, "14 == 14")]
    [TestCase("(2 + 3) * 4 == 20", true, "20 == 20")]
    [TestCase("10 - 4 - 3 == 3", true, "3 == 3")]
    [TestCase("-pe_array.cols + 1e1 > 1.5", true, "2 > 1.5")]
    [TestCase("pe_array.rows / pe_array.cols != 2", false, "2 != 2")]
    [TestCase("pe_array.rows >= pe_array.cols", true, "16 >= 8")]
    public void Constraint_EvaluatesWithUsualPrecedenceAndLeftAssociativity(string text, bool expected, string expectedDetail)
    {
        bool? holds = Evaluate(text, out string problem, out string detail);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(holds, Is.EqualTo(expected));
            Assert.That(problem, Is.Empty);
            Assert.That(detail, Is.EqualTo(expectedDetail));
        }
    }

    [Test]
    public void Keys_AreListedOnceInOrderOfUse_WithTheirFile()
    {
        var keys = Parse("layers.c1.filters * pe_array.rows + pe_array.rows <= 1000").Keys;

        Assert.That(keys.Select(k => (k.Key, k.Target)), Is.EqualTo(new[] { ("layers.c1.filters", KeyTarget.Workload), ("pe_array.rows", KeyTarget.Config) }));
    }

    [TestCase("pe_array.rows / (pe_array.cols - 8) < 1", "division by zero")]
    [TestCase("bfp.accumulator_bits <= 32", "bfp.accumulator_bits is not set")]
    public void Constraint_ThatCannotBeEvaluated_SaysWhy(string text, string expected)
    {
        bool? holds = Evaluate(text, out string problem, out _);

        Assert.That((holds, problem), Is.EqualTo(((bool?)null, expected)));
    }

    [TestCase("pe_array.rows <= ", 17, "the constraint ends where a number, a key path, '-' or '(' was expected")]
    [TestCase("(pe_array.rows <= 4", 15, "expected ')' to close the '(' at column 1")]
    [TestCase("pe_array.rows <= 4 <= 5", 19, "unexpected '<= 5' after the constraint; a constraint has one comparison")]
    [TestCase("pe_array.rows = 4", 14, "expected a comparison (<=, <, >=, >, ==, !=) at '= 4'")]
    [TestCase("pe_array.rows <= 4 $", 19, "unexpected '$' after the constraint; a constraint has one comparison")]
    [TestCase("1..2 < 3", 0, "'1..2' is not a number")]
    public void Malformed_IsReportedAtItsOffset(string text, int offset, string message)
    {
        ConstraintExpression? parsed = ConstraintExpression.Parse(text, out int at, out string error);

        Assert.That((parsed, at, error), Is.EqualTo(((ConstraintExpression?)null, offset, message)));
    }
}
