namespace AccelSim.Onnx;

/// <summary>An ONNX model that cannot be read or holds something AccelSim does not model; the message names the node.</summary>
public sealed class OnnxFormatException(string message) : Exception(message);
