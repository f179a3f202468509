using System.Text.Json;
using Concord.Crdt;

namespace Concord.Protocol.Json;

/// <summary>
/// The JSON forms of CRDT data as stores and outboxes keep them: a record's field states
/// (<c>{"field": {"type", …}}</c>) and a change's operations.
/// </summary>
public static class CrdtJson
{
    /// <summary>Writes the states of <paramref name="values"/>.</summary>
    public static byte[] WriteStates(IReadOnlyDictionary<string, CrdtValue> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var messages = values.ToDictionary(v => v.Key, v => v.Value.ToMessage(), StringComparer.Ordinal);
        return WriteStates(messages);
    }

    /// <summary>Writes state messages.</summary>
    public static byte[] WriteStates(Dictionary<string, CrdtStateMessage> states) =>
        JsonSerializer.SerializeToUtf8Bytes(states, ConcordJsonContext.Default.DictionaryStringCrdtStateMessage);

    /// <summary>Reads states written by <see cref="WriteStates(IReadOnlyDictionary{string, CrdtValue})"/>.</summary>
    /// <exception cref="JsonException">The text is not such a map.</exception>
    public static Dictionary<string, CrdtStateMessage> ReadStates(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, ConcordJsonContext.Default.DictionaryStringCrdtStateMessage)
        ?? throw new JsonException("Stored CRDT states are null.");

    /// <summary>Writes a change's operations.</summary>
    public static string WriteOperations(Dictionary<string, CrdtOperationMessage> operations) =>
        JsonSerializer.Serialize(operations, ConcordJsonContext.Default.DictionaryStringCrdtOperationMessage);

    /// <summary>Reads operations written by <see cref="WriteOperations"/>.</summary>
    /// <exception cref="JsonException">The text is not such a map.</exception>
    public static Dictionary<string, CrdtOperationMessage> ReadOperations(string json) =>
        JsonSerializer.Deserialize(json, ConcordJsonContext.Default.DictionaryStringCrdtOperationMessage)
        ?? throw new JsonException("Stored CRDT operations are null.");
}
