using System.Text.Json;
using System.Text.RegularExpressions;
using Concord.Protocol.Realtime;
using Concord.Testing;

namespace Concord.Cli.Tests;

/// <summary>Replays the WebSocket exchange of docs/protocol.md over real sockets against <c>concord serve</c>.</summary>
public sealed partial class RealtimeDocumentTests
{
    [Fact]
    public async Task The_documented_websocket_exchange_is_what_the_server_answers()
    {
        string document = File.ReadAllText(RepositoryFiles.Path("docs", "protocol.md"));
        IReadOnlyList<(string Connection, bool Sends, string Json)> steps = ReadSteps(Assert.Single(WsBlock().Matches(document)).Groups[1].Value);
        Assert.True(steps.Count >= 10, $"expected the document's exchange, found {steps.Count} frames");
        using var folder = new TempDirectory();
        await using ServerProcess server = await ServerProcess.StartAsync(folder.File("doc.db"));
        var connections = new Dictionary<string, RawWebSocket>();
        var early = new Dictionary<string, List<JsonElement>>();
        string? cursor = null;
        try
        {
            foreach ((string name, bool sends, string json) in steps)
            {
                if (!connections.TryGetValue(name, out RawWebSocket? ws))
                {
                    connections[name] = ws = await RawWebSocket.ConnectAsync(server.SyncUri, JsonFrameCodec.Name);
                    early[name] = [];
                }

                if (sends)
                {
                    await ws.SendAsync(json.Replace("\"<cursor>\"", cursor is null ? "null" : $"\"{cursor}\"", StringComparison.Ordinal));
                    continue;
                }

                using JsonDocument expected = JsonDocument.Parse(json);
                string type = expected.RootElement.GetProperty("type").GetString()!;
                JsonElement actual = await NextOfTypeAsync(ws, early[name], type);
                JsonShape.AssertMatches(expected.RootElement, actual, $"{name}< {type}", c => cursor = c);
            }
        }
        finally
        {
            foreach (RawWebSocket ws in connections.Values)
            {
                await ws.DisposeAsync();
            }
        }
    }

    /// <summary>The next frame of <paramref name="type"/>; frames of other types that come first wait for their own step.</summary>
    private static async Task<JsonElement> NextOfTypeAsync(RawWebSocket ws, List<JsonElement> early, string type)
    {
        int waiting = early.FindIndex(f => f.GetProperty("type").GetString() == type);
        if (waiting >= 0)
        {
            JsonElement found = early[waiting];
            early.RemoveAt(waiting);
            return found;
        }

        while (true)
        {
            JsonElement frame = await ws.ReceiveJsonAsync();
            if (frame.GetProperty("type").GetString() == type)
            {
                return frame;
            }

            early.Add(frame);
        }
    }

    /// <summary>Lines <c>X&gt; json</c> and <c>X&lt; json</c>; a frame may continue on indented lines.</summary>
    private static List<(string, bool, string)> ReadSteps(string block)
    {
        var steps = new List<(string, bool, string)>();
        foreach (string line in block.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Match step = StepLine().Match(line);
            if (step.Success)
            {
                steps.Add((step.Groups[1].Value, step.Groups[2].Value == ">", step.Groups[3].Value));
            }
            else
            {
                Assert.True(steps.Count > 0 && line.StartsWith(' '), $"not a step: {line}");
                (string c, bool s, string j) = steps[^1];
                steps[^1] = (c, s, j + line.Trim());
            }
        }

        return steps;
    }

    [GeneratedRegex("```ws\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex WsBlock();

    [GeneratedRegex(@"^([A-Z])([<>]) (.*)$")]
    private static partial Regex StepLine();
}
