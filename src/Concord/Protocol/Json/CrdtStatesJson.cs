using System.Text.Json;
using Concord.Crdt;

namespace Concord.Protocol.Json;

/// <summary>The JSON form of a record's CRDT field states, as stores keep them: <c>{"field": {"type", …}}</c>.</summary>
public static class CrdtStatesJson
{
    /// <summary>Writes the states of <paramref name="values"/>.</summary>
    public static byte[] Write(IReadOnlyDictionary<string, CrdtValue> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var messages = values.ToDictionary(v => v.Key, v => v.Value.ToMessage(), StringComparer.Ordinal);
        return JsonSerializer.SerializeToUtf8Bytes(messages, ConcordJsonContext.Default.DictionaryStringCrdtStateMessage);
    }

    /// <summary>Reads states written by <see cref="Write"/>.</summary>
    /// <exception cref="JsonException">The text is not such a map.</exception>
    public static Dictionary<string, CrdtStateMessage> Read(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, ConcordJsonContext.Default.DictionaryStringCrdtStateMessage)
        ?? throw new JsonException("Stored CRDT states are null.");
}
