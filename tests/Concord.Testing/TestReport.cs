namespace Concord.Testing;

/// <summary>
/// Figures a test wants printed at the end of a test run (scripts/test.sh prints the file named by
/// <c>CONCORD_TEST_REPORT</c>), since a passing test's own output is not shown.
/// </summary>
public static class TestReport
{
    private static readonly Lock Gate = new();

    public static void Write(string line)
    {
        if (Environment.GetEnvironmentVariable("CONCORD_TEST_REPORT") is not { Length: > 0 } path)
        {
            return;
        }

        lock (Gate)
        {
            File.AppendAllText(path, line + Environment.NewLine);
        }
    }
}
