namespace AccelSim.Cli;

/// <summary>Entry point of the <c>accelsim</c> command.</summary>
public static class Program
{
    public static int Main(string[] args) => args.Length >= 0 ? 0 : 1;
}
