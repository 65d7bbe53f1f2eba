using System.Text;
using AccelSim.Tensors;

namespace AccelSim.Tests.Tensors;

public sealed class NpyFileTests
{
    private string _dir = "";

    [SetUp]
    public void Create() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "accelsim-npy-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Delete() => Directory.Delete(_dir, true);

    [Test]
    public void Header_IsReadWithoutTheData_AndRefusesWhatReadRefuses()
    {
        // A 2×3 float32 array: 6 elements, data after the 10 bytes of magic, version and length and the header itself
        // (its length at bytes 8 and 9). Cut 4 bytes short, the header alone shows the data missing, with Read's message.
        string path = Path.Combine(_dir, "a.npy");
        NpyFile.WriteFloat32(path, [2, 3], [1f, 2f, 3f, 4f, 5f, 6f]);
        string cut = Path.Combine(_dir, "cut.npy");
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(cut, bytes[..^4]);

        NpyHeader header = NpyFile.ReadHeader(path);
        string? readMessage = Assert.Throws<NpyFormatException>(() => NpyFile.Read(cut))?.Message;

        Assert.Multiple(() =>
        {
            Assert.That(header.Dtype, Is.EqualTo("<f4"));
            Assert.That(header.Shape, Is.EqualTo(new[] { 2, 3 }));
            Assert.That(header.Elements, Is.EqualTo(6));
            Assert.That(header.DataStart, Is.EqualTo(10 + (bytes[8] | (bytes[9] << 8))));
            Assert.That(() => NpyFile.ReadHeader(cut), Throws.TypeOf<NpyFormatException>().With.Message.EqualTo(readMessage));
            Assert.That(readMessage, Does.EndWith("needs 24 bytes of data, the file has 20"));
        });
    }

    [Test]
    public void WrittenFile_HasNumPysVersion1Layout_AndReadsBack()
    {
        string path = Path.Combine(_dir, "a.npy");

        NpyFile.WriteFloat32(path, [2, 3], [1f, 2f, 3f, -4f, 0.5f, float.Epsilon]);
        byte[] bytes = File.ReadAllBytes(path);
        var array = NpyFile.Read(path);

        // Magic, version 1.0, header length; header + 10 bytes is a multiple of 64 and ends in a newline (NEP 1).
        int headerLength = bytes[8] | (bytes[9] << 8);
        string header = Encoding.Latin1.GetString(bytes, 10, headerLength);
        Assert.Multiple(() =>
        {
            Assert.That(bytes[..8], Is.EqualTo(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }));
            Assert.That((10 + headerLength) % 64, Is.Zero);
            Assert.That(header, Does.StartWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"));
            Assert.That(header, Does.EndWith("\n"));
            Assert.That(bytes, Has.Length.EqualTo(10 + headerLength + 24));
            Assert.That(array.Shape, Is.EqualTo(new[] { 2, 3 }));
            Assert.That(array.Values, Is.EqualTo(new[] { 1f, 2f, 3f, -4f, 0.5f, float.Epsilon }));
        });
    }

    [Test]
    public void Version2HeaderAndInt16Data_AreRead()
    {
        // A version 2.0 file: 4-byte header length; int16 little-endian values 1, −2, 300.
        string dict = "{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }";
        string header = dict.PadRight(64 - 12 - 1) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0 };
        bytes.AddRange(BitConverter.GetBytes((uint)header.Length));
        bytes.AddRange(Encoding.Latin1.GetBytes(header));
        foreach (short v in new short[] { 1, -2, 300 })
        {
            bytes.AddRange(BitConverter.GetBytes(v));
        }

        string path = Path.Combine(_dir, "v2.npy");
        File.WriteAllBytes(path, bytes.ToArray());

        var array = NpyFile.Read(path);

        Assert.That(array.Values, Is.EqualTo(new[] { 1f, -2f, 300f }));
        Assert.That(array.Dtype, Is.EqualTo("<i2"));
    }

    [TestCase("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", 4, "dtype '>f4' is not supported; supported: <f4, <f8, |i1, <i2, <i4 (little-endian)")]
    [TestCase("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", 4, "the array is in Fortran order; save it in C order (numpy.ascontiguousarray)")]
    [TestCase("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 4, "shape (2,) of <f4 needs 8 bytes of data, the file has 4")]
    public void BadFiles_AreClearErrors(string dict, int dataBytes, string message)
    {
        string header = dict.PadRight(64 - 10 - 1) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0 };
        bytes.AddRange(Encoding.Latin1.GetBytes(header));
        bytes.AddRange(new byte[dataBytes]);
        string path = Path.Combine(_dir, "bad.npy");
        File.WriteAllBytes(path, bytes.ToArray());

        var error = Assert.Throws<NpyFormatException>(() => NpyFile.Read(path));

        Assert.That(error!.Message, Is.EqualTo($"{path}: {message}"));
    }
}
