using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Concord.Testing;

namespace Concord.Server.Tests;

/// <summary>Replays every example of docs/protocol.md, in order, against a fresh real server.</summary>
public sealed partial class ProtocolDocumentTests
{
    [Fact]
    public async Task Every_documented_exchange_is_what_the_server_answers()
    {
        IReadOnlyList<(string Request, string Response)> exchanges = ReadExamples(RepositoryFiles.Path("docs", "protocol.md"));
        Assert.True(exchanges.Count >= 10, $"expected the document's examples, found {exchanges.Count}");
        using var folder = new TempDirectory();
        await using ConcordTestServer server = await ConcordTestServer.StartAsync(folder.File("doc.db"), o => o.Collection("posts", c => c.Counter("likes").Set("tags").Text("body")));
        string? cursor = null;

        foreach ((string request, string response) in exchanges)
        {
            using HttpRequestMessage message = ParseRequest(request, cursor);
            using HttpResponseMessage answer = await server.Http.SendAsync(message);
            (int status, string? contentType, string body) = ParseResponse(response);
            string actualBody = await answer.Content.ReadAsStringAsync();
            string label = request.Split('\n')[0];

            Assert.True(status == (int)answer.StatusCode, $"{label}: expected {status}, got {(int)answer.StatusCode}: {actualBody}");
            Assert.Equal(contentType, answer.Content.Headers.ContentType?.MediaType);
            if (body.Length > 0)
            {
                using JsonDocument expected = JsonDocument.Parse(body);
                using JsonDocument actual = JsonDocument.Parse(actualBody);
                JsonShape.AssertMatches(expected.RootElement, actual.RootElement, label, c => cursor = c);
            }
        }
    }

    private static List<(string, string)> ReadExamples(string path)
    {
        string[] blocks = HttpBlock().Matches(File.ReadAllText(path)).Select(m => m.Groups[1].Value.Replace("\r", string.Empty, StringComparison.Ordinal)).ToArray();
        Assert.True(blocks.Length % 2 == 0, "every request in the document is followed by its answer");
        return Enumerable.Range(0, blocks.Length / 2).Select(i => (blocks[2 * i], blocks[(2 * i) + 1])).ToList();
    }

    private static HttpRequestMessage ParseRequest(string block, string? cursor)
    {
        (string head, string body) = Split(block);
        string[] lines = head.Split('\n');
        string[] start = lines[0].Split(' ');
        var message = new HttpRequestMessage(new HttpMethod(start[0]), start[1].TrimStart('/'));
        string? contentType = null;
        foreach (string line in lines.Skip(1))
        {
            string[] header = line.Split(':', 2, StringSplitOptions.TrimEntries);
            if (header[0].Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = header[1];
            }
            else
            {
                message.Headers.Add(header[0], header[1]);
            }
        }

        if (body.Length > 0)
        {
            message.Content = new StringContent(body.Replace("\"<cursor>\"", cursor is null ? "null" : $"\"{cursor}\"", StringComparison.Ordinal), Encoding.UTF8);
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "application/json");
        }

        return message;
    }

    private static (int Status, string? ContentType, string Body) ParseResponse(string block)
    {
        (string head, string body) = Split(block);
        string[] lines = head.Split('\n');
        int status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        string? contentType = lines.Skip(1).Select(l => l.Split(':', 2, StringSplitOptions.TrimEntries)).FirstOrDefault(h => h[0] == "Content-Type")?[1];
        return (status, contentType, body);
    }

    private static (string Head, string Body) Split(string block)
    {
        int blank = block.IndexOf("\n\n", StringComparison.Ordinal);
        return blank < 0 ? (block.Trim(), string.Empty) : (block[..blank].Trim(), block[(blank + 2)..].Trim());
    }

    [GeneratedRegex("```http\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex HttpBlock();
}
