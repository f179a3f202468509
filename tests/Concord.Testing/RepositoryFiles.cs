namespace Concord.Testing;

/// <summary>Finds files of the repository (docs, the shared data folder beside it) from a test's output folder.</summary>
public static class RepositoryFiles
{
    /// <summary>The folder holding <c>Concord.slnx</c>.</summary>
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Concord.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Concord.slnx not found above " + AppContext.BaseDirectory);
    }
}
