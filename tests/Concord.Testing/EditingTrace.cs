using System.IO.Compression;
using System.Text.Json;

namespace Concord.Testing;

/// <summary>The real editing trace in <c>../shared/data/editing-traces/automerge-paper.json.gz</c>, read from where CI puts it.</summary>
public static class EditingTrace
{
    private static readonly Lazy<(List<(int, int, string)> Patches, string End)> Trace = new(Load);

    /// <summary>Where the trace is read from.</summary>
    public static string FilePath { get; } = Path.GetFullPath(RepositoryFiles.Path("..", "shared", "data", "editing-traces", "automerge-paper.json.gz"));

    /// <summary>Every patch in order: position, characters deleted, text inserted.</summary>
    public static IReadOnlyList<(int Position, int Deleted, string Inserted)> Patches() => Trace.Value.Patches;

    /// <summary>The text after every patch.</summary>
    public static string EndContent() => Trace.Value.End;

    private static (List<(int, int, string)>, string) Load()
    {
        if (!File.Exists(FilePath))
        {
            throw new FileNotFoundException($"The editing trace is missing: expected it at {FilePath} (the shared data folder beside the repository).", FilePath);
        }

        using FileStream file = File.OpenRead(FilePath);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using JsonDocument document = JsonDocument.Parse(gzip);
        var patches = new List<(int, int, string)>(260_000);
        foreach (JsonElement txn in document.RootElement.GetProperty("txns").EnumerateArray())
        {
            foreach (JsonElement patch in txn.GetProperty("patches").EnumerateArray())
            {
                patches.Add((patch[0].GetInt32(), patch[1].GetInt32(), patch[2].GetString()!));
            }
        }

        return (patches, document.RootElement.GetProperty("endContent").GetString()!);
    }
}
