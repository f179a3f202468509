using Concord.Clock;
using Concord.Records;

namespace Concord.Testing;

/// <summary>Builds changes for tests with readable defaults.</summary>
public static class Changes
{
    private static long _sequence;

    /// <summary>A reading at <paramref name="ms"/> (a small number: early 1970) from <paramref name="node"/>.</summary>
    public static HlcTimestamp Hlc(long ms, string node = "n1", int counter = 0) => new(ms, counter, node);

    public static Change Put(string id, object fields, HlcTimestamp hlc, string collection = "todos", string? opId = null) =>
        new(opId ?? NextOpId(), collection, id, ChangeKind.Put, Fields(fields), hlc);

    public static Change Patch(string id, object fields, HlcTimestamp hlc, string collection = "todos", string? opId = null) =>
        new(opId ?? NextOpId(), collection, id, ChangeKind.Patch, Fields(fields), hlc);

    public static Change Delete(string id, HlcTimestamp hlc, string collection = "todos", string? opId = null) =>
        new(opId ?? NextOpId(), collection, id, ChangeKind.Delete, null, hlc);

    /// <summary>The members of an anonymous object (or dictionary) as raw JSON fields.</summary>
    public static Dictionary<string, RawJsonValue> Fields(object fields)
    {
        var result = new Dictionary<string, RawJsonValue>(StringComparer.Ordinal);
        JsonObjectFields.TrySplit(RawJsonValue.FromValidatedUtf8(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(fields, fields.GetType())), result, out _);
        return result;
    }

    public static string NextOpId() => "op-" + Interlocked.Increment(ref _sequence).ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
}
