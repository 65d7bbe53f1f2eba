using AccelSim.Onnx;

namespace AccelSim.Tests.Onnx;

/// <summary>The readable-name rule of docs/numerics.md#layer-names on small hand-made graphs.</summary>
public sealed class LayerNamingTests
{
    private static NamedLayer L(string name, string type, params string[] inputs) => new(name, type, [.. inputs]);

    [Test]
    public void ResidualNetwork_GetsStemStagesBlocksAndHead()
    {
        // stem: c0 → p0; block A: a1 → a2, add(a2, p0) (identity shortcut); block B: projection d reads addA, b1 → b2,
        // add(b2, d); block C: c1 → c2, add(c2, addB) (identity); head: avg → fc.
        NamedLayer[] layers =
        [
            L("c0", "conv", "input"), L("p0", "max_pool", "c0"),
            L("a1", "conv", "p0"), L("a2", "conv", "a1"), L("addA", "add", "a2", "p0"),
            L("d", "conv", "addA"), L("b1", "conv", "addA"), L("b2", "conv", "b1"), L("addB", "add", "b2", "d"),
            L("c1", "conv", "addB"), L("c2", "conv", "c1"), L("addC", "add", "c2", "addB"),
            L("avg", "avg_pool", "addC"), L("fc", "fc", "avg"),
        ];

        // Block A is the first block: stage 1. Block B has a one-layer shortcut (d): a new stage, 2, block 0. Block C has
        // none: stage 2, block 1. Outside blocks, conv1 and pool1 in the stem, pool2 and fc1 in the head.
        Assert.That(LayerNaming.Derive(layers), Is.EqualTo(new[]
        {
            "conv1", "pool1",
            "layer1.0.conv1", "layer1.0.conv2", "layer1.0.add",
            "layer2.0.downsample", "layer2.0.conv1", "layer2.0.conv2", "layer2.0.add",
            "layer2.1.conv1", "layer2.1.conv2", "layer2.1.add",
            "pool2", "fc1",
        }));
    }

    [Test]
    public void ShortcutOfSeveralLayers_IsNumberedFromZero_AndAReluOnTheMainBranchCountsItsOwnKind()
    {
        // Main branch m1 → r → m2 (3 layers) against shortcut s1 → s2 (2 layers): the shorter one is the downsample.
        NamedLayer[] layers =
        [
            L("m1", "conv", "input"), L("s1", "avg_pool", "input"), L("r", "relu", "m1"), L("s2", "conv", "s1"),
            L("m2", "conv", "r"), L("sum", "add", "m2", "s2"),
        ];

        Assert.That(LayerNaming.Derive(layers), Is.EqualTo(new[]
        {
            "layer1.0.conv1", "layer1.0.downsample.0", "layer1.0.relu1", "layer1.0.downsample.1", "layer1.0.conv2", "layer1.0.add",
        }));
    }

    [Test]
    public void AddOfOneTensorWithItself_EndsNoBlock_AndAChainIsNumberedByKind()
    {
        NamedLayer[] layers =
        [
            L("a", "conv", "input"), L("b", "conv", "a"), L("p", "max_pool", "b"), L("twice", "add", "p", "p"),
            L("k", "concat", "twice", "p"), L("f", "fc", "k"),
        ];

        Assert.That(LayerNaming.Derive(layers), Is.EqualTo(new[] { "conv1", "conv2", "pool1", "add1", "concat1", "fc1" }));
    }
}
