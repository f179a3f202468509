using System.IO.Compression;
using System.Text.Json;
using Concord.Crdt.Text;

namespace Concord.Tests.Crdt;

/// <summary>
/// Replays the automerge-paper editing trace (Kleppmann: every keystroke of writing a LaTeX paper,
/// 259,778 single-character edits) kept in the shared data folder beside the repository.
/// </summary>
public sealed class ReplicatedTextTraceTests : IClassFixture<ReplicatedTextTraceTests.ReplayedTrace>
{
    /// <summary>Size of the same final document in Yjs's V2 encoding, the bound the state must beat.</summary>
    private const int YjsV2StateBytes = 159_926;

    private readonly ReplayedTrace _trace;

    public ReplicatedTextTraceTests(ReplayedTrace trace) => _trace = trace;

    [Fact]
    public void Replaying_every_edit_locally_gives_the_final_text_of_the_trace()
    {
        Assert.Equal(259_778, _trace.PatchCount);
        Assert.Equal(_trace.EndContent.Length, _trace.Text.Length);
        Assert.Equal(_trace.EndContent, _trace.Text.ToString());
    }

    [Fact]
    public void The_encoded_state_is_smaller_than_yjs_and_decodes_to_the_same_text()
    {
        byte[] state = _trace.Text.EncodeState();
        var loaded = ReplicatedText.Decode(state, "reader");

        Assert.True(state.Length < YjsV2StateBytes, $"The state takes {state.Length} bytes.");
        Assert.Equal(_trace.EndContent, loaded.ToString());
        Assert.Equal(_trace.EndContent, ReplicatedText.Decode(loaded.EncodeState(), "reader2").ToString());
    }

    [Fact]
    public void Applying_every_returned_update_to_a_fresh_replica_gives_the_same_text()
    {
        var remote = new ReplicatedText("remote");
        foreach (byte[] update in _trace.Updates)
        {
            remote.ApplyUpdate(update);
        }

        Assert.Equal(_trace.EndContent, remote.ToString());
        Assert.False(remote.HasPendingUpdates);
        Assert.True(_trace.Updates.Max(u => u.Length) < 100, "An update of one keystroke took 100 bytes or more.");
    }

    [Fact]
    public void The_merge_of_every_update_gives_the_same_text()
    {
        byte[] merged = ReplicatedText.MergeUpdates(_trace.Updates);

        Assert.Equal(_trace.EndContent, ReplicatedText.Decode(merged, "merged").ToString());
    }

    /// <summary>Loads the trace and replays it once for all the tests of the class.</summary>
    public sealed class ReplayedTrace
    {
        public ReplayedTrace()
        {
            string path = FindTrace();
            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using JsonDocument json = JsonDocument.Parse(gzip);
            JsonElement root = json.RootElement;
            EndContent = root.GetProperty("endContent").GetString() ?? throw new InvalidDataException("The trace has no endContent.");

            Text = new ReplicatedText("author");
            Text.Insert(0, root.GetProperty("startContent").GetString() ?? "");
            foreach (JsonElement txn in root.GetProperty("txns").EnumerateArray())
            {
                foreach (JsonElement patch in txn.GetProperty("patches").EnumerateArray())
                {
                    int position = patch[0].GetInt32();
                    int deleted = patch[1].GetInt32();
                    string inserted = patch[2].GetString() ?? "";
                    if (deleted > 0)
                    {
                        Updates.Add(Text.Delete(position, deleted));
                    }

                    if (inserted.Length > 0)
                    {
                        Updates.Add(Text.Insert(position, inserted));
                    }

                    PatchCount++;
                }
            }
        }

        public string EndContent { get; }

        public ReplicatedText Text { get; }

        public List<byte[]> Updates { get; } = [];

        public int PatchCount { get; }

        private static string FindTrace()
        {
            string? root = AppContext.BaseDirectory;
            while (root is not null && !File.Exists(Path.Combine(root, "Concord.slnx")))
            {
                root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar));
            }

            Assert.True(root is not null, $"No folder holding Concord.slnx above {AppContext.BaseDirectory}, so the editing trace could not be found.");
            string path = Path.GetFullPath(Path.Combine(root, "..", "shared", "data", "editing-traces", "automerge-paper.json.gz"));
            Assert.True(File.Exists(path), $"The editing trace is missing: looked for {path}.");
            return path;
        }
    }
}
