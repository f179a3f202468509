using System.Text.Json;
using Concord.Client.LiveQueries;
using Concord.Crdt;
using Concord.Protocol;
using Concord.Records;
using Concord.Validation;

namespace Concord.Client.Collections;

/// <summary>
/// One collection seen as objects of <typeparamref name="T"/>. Writes apply locally at once and
/// reach the server with the next sync; reads see the local view (server state plus pending edits).
/// </summary>
/// <example><code>
/// var todos = client.Collection&lt;Todo&gt;("todos");
/// await todos.PutAsync("t1", new Todo { Title = "Buy milk" });
/// await todos.PatchAsync("t1", new { done = true });
/// Todo? t = await todos.GetAsync("t1");
/// var open = await todos.Query().Where("done", "=", false).OrderBy("title").ToListAsync();
/// </code></example>
public sealed class ConcordCollection<T>
{
    private readonly ConcordClient _client;
    private readonly JsonSerializerOptions _json;
    private readonly JsonSerializerOptions _putJson;

    internal ConcordCollection(ConcordClient client, string name, JsonSerializerOptions json)
    {
        _client = client;
        Name = name;
        _json = json;

        // A put replaces the record, so a null property and an absent one mean the same; leaving nulls out
        // lets a type carry its counter, set and text fields as nullable properties that a put does not touch.
        _putJson = new JsonSerializerOptions(json) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
    }

    /// <summary>The collection's name.</summary>
    public string Name { get; }

    /// <summary>
    /// Replaces the record with <paramref name="value"/>'s fields (fields it lacks are removed). Null properties
    /// are left out: declare counter, set and text properties nullable so that a put does not write them.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> does not serialize to a JSON object of valid fields.</exception>
    public Task PutAsync(string id, T value, CancellationToken cancellationToken = default) =>
        _client.WriteAsync(Name, id, ChangeKind.Put, Fields(JsonSerializer.SerializeToUtf8Bytes(value, _putJson)), cancellationToken);

    /// <summary>Sets the fields named by <paramref name="fields"/> (an anonymous object or a dictionary) and leaves the rest.</summary>
    /// <exception cref="ArgumentException"><paramref name="fields"/> does not serialize to a JSON object of valid fields.</exception>
    public Task PatchAsync(string id, object fields, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return _client.WriteAsync(Name, id, ChangeKind.Patch, Fields(JsonSerializer.SerializeToUtf8Bytes(fields, fields.GetType(), _json)), cancellationToken);
    }

    /// <summary>Deletes the record (a tombstone that wins over older writes everywhere).</summary>
    public Task DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        _client.WriteAsync(Name, id, ChangeKind.Delete, null, cancellationToken);

    /// <summary>Adds <paramref name="delta"/> (negative to subtract) to a counter field; concurrent increments all count.</summary>
    public Task IncrementAsync(string id, string field, long delta = 1, CancellationToken cancellationToken = default) =>
        _client.WriteAsync(Name, id, ChangeKind.Patch, null, cancellationToken, _ => new()
        {
            [field] = new CrdtOperationMessage { Type = "counter", Delta = delta },
        });

    /// <summary>Adds values to a set field; an add concurrent with a remove of the same value survives.</summary>
    public Task AddToSetAsync(string id, string field, params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        RawJsonValue[] elements = values.Select(Element).ToArray();
        return _client.WriteAsync(Name, id, ChangeKind.Patch, null, CancellationToken.None, _ => new()
        {
            [field] = new CrdtOperationMessage { Type = "set", Add = elements },
        });
    }

    /// <summary>Removes values from a set field (the adds this replica has seen of them).</summary>
    public Task RemoveFromSetAsync(string id, string field, params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        RawJsonValue[] elements = values.Select(Element).ToArray();
        return _client.WriteAsync(Name, id, ChangeKind.Patch, null, CancellationToken.None, working =>
        {
            string[] tags = working.Crdt.GetValueOrDefault(field) is SetValue set ? elements.SelectMany(set.TagsOf).ToArray() : [];
            return new() { [field] = new CrdtOperationMessage { Type = "set", Remove = tags } };
        });
    }

    /// <summary>
    /// Edits a text field: deletes <paramref name="deleteCount"/> characters at <paramref name="position"/> and
    /// inserts <paramref name="insert"/> there. Concurrent edits merge without losing either side's typing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The position or length is outside the text.</exception>
    public Task EditTextAsync(string id, string field, int position, int deleteCount, string insert, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(insert);
        return _client.WriteAsync(Name, id, ChangeKind.Patch, null, cancellationToken, working =>
        {
            if (working.Crdt.GetValueOrDefault(field) is not TextValue text)
            {
                text = new TextValue(_client.ClientId);
            }

            byte[] update = text.Text.Replace(position, deleteCount, insert);
            text.Touch();
            return new() { [field] = new CrdtOperationMessage { Type = "text", Update = update } };
        });
    }

    /// <summary>The merge state of a CRDT field as this replica sees it (server state and pending changes), or null.</summary>
    public async Task<CrdtValue?> GetCrdtAsync(string id, string field, CancellationToken cancellationToken = default)
    {
        RecordState working = await _client.ReadWorkingAsync(Name, id, cancellationToken).ConfigureAwait(false);
        return working.Crdt.GetValueOrDefault(field);
    }

    /// <summary>The record as this replica sees it, or default when absent or deleted.</summary>
    public async Task<T?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        string? data = await _client.ReadViewAsync(Name, id, cancellationToken).ConfigureAwait(false);
        return data is null ? default : JsonSerializer.Deserialize<T>(data, _json);
    }

    /// <summary>
    /// One record as a live value: it at once (default when absent or deleted), then again after every commit
    /// that changes it.
    /// </summary>
    /// <example><code>
    /// using IDisposable watching = todos.Observe("t1").Subscribe(todo => Console.WriteLine(todo?.Title ?? "(gone)"));
    /// </code></example>
    public LiveQuery<T?> Observe(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _client.Live(LiveSource.Record(Name, id), rows => rows.Count == 0 ? default : JsonSerializer.Deserialize<T>(rows[0].Data, _json));
    }

    /// <summary>Every live record of the collection, by id.</summary>
    public Task<IReadOnlyList<T>> ListAsync(CancellationToken cancellationToken = default) => Query().ToListAsync(cancellationToken);

    /// <summary>Starts a query over the collection's view.</summary>
    public CollectionQuery<T> Query() => new(_client, Name, _json);

    private RawJsonValue Element(object? value) =>
        RawJsonValue.FromValidatedUtf8(JsonSerializer.SerializeToUtf8Bytes(value, value?.GetType() ?? typeof(object), _json));

    private static RawJsonValue Fields(byte[] json)
    {
        RawJsonValue value = RawJsonValue.FromValidatedUtf8(json);
        var fields = new Dictionary<string, RawJsonValue>(StringComparer.Ordinal);
        if (value.Kind != JsonValueKind.Object || !JsonObjectFields.TrySplit(value, fields, out _))
        {
            throw new ArgumentException("A record serializes to a JSON object with each field named once.");
        }

        Protocol.ProtocolLimits limits = ConcordClient.LocalLimits;
        if (fields.Count > limits.MaxFieldsPerRecord)
        {
            throw new ArgumentException($"A record has at most {limits.MaxFieldsPerRecord} fields.");
        }

        foreach (string name in fields.Keys)
        {
            if (!NameRules.IsValidFieldName(name, limits.MaxFieldNameLength))
            {
                throw new ArgumentException($"Field names are 1-{limits.MaxFieldNameLength} characters with no control characters.");
            }
        }

        return value;
    }
}
