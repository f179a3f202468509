using System.Text.Json;
using System.Text.RegularExpressions;
using Concord.Errors;
using Concord.Protocol;
using Concord.Protocol.Cbor;
using Concord.Protocol.Json;
using Concord.Testing;

namespace Concord.Server.Tests;

/// <summary>Decodes every CBOR hex example of docs/protocol.md and compares it with the JSON beside it.</summary>
public sealed partial class CborDocumentTests
{
    private readonly CborProtocolCodec _cbor = new(new ProtocolLimits());
    private readonly JsonProtocolCodec _json = new(new ProtocolLimits());

    [Fact]
    public void Every_documented_cbor_example_decodes_to_its_json()
    {
        MatchCollection examples = Example().Matches(File.ReadAllText(RepositoryFiles.Path("docs", "protocol.md")).Replace("\r", string.Empty, StringComparison.Ordinal));
        Assert.True(examples.Count >= 3, $"expected the document's CBOR examples, found {examples.Count}");
        foreach (Match example in examples)
        {
            byte[] cbor = Convert.FromHexString(Regex.Replace(example.Groups[2].Value, "\\s", string.Empty));
            string json = example.Groups[3].Value;
            string decoded = example.Groups[1].Value switch
            {
                "PullRequest" => Decode<PullRequest>(cbor),
                "PushRequest" => Decode<PushRequest>(cbor),
                "PushResponse" => Decode<PushResponse>(cbor),
                "PullResponse" => Decode<PullResponse>(cbor),
                string other => throw new InvalidOperationException($"No decoder for {other}."),
            };

            Assert.Equal(Normalize(json), Normalize(decoded));
        }
    }

    private string Decode<T>(byte[] cbor)
        where T : class
    {
        Assert.True(_cbor.TryDecode(cbor, out T? message, out SyncError? error), error?.Message);
        return System.Text.Encoding.UTF8.GetString(_json.EncodeToArray(message));
    }

    private static string Normalize(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);

    [GeneratedRegex("```cbor (\\w+)\\n(.*?)```\\s*```json\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Example();
}
