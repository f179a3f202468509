using System.Collections.Concurrent;
using System.Text.Json;
using Concord.Client;
using Concord.Client.Collections;

namespace Concord.Testing.Chaos;

/// <summary>
/// One replica writing at random: plain records (put, patch, delete) and CRDT records (counter increments, set adds
/// and removes, text edits), which are never deleted or replaced so that every increment must survive.
/// </summary>
public sealed class ChaosClient
{
    private const int PlainRecords = 8;
    private const int CrdtRecords = 4;
    private static readonly string[] Tags = ["red", "green", "blue", "amber", "violet"];

    private readonly Random _random;
    private readonly ConcordCollection<JsonElement> _records;
    private readonly ConcurrentDictionary<string, long> _sums;

    public ChaosClient(ConcordClient client, int seed, ConcurrentDictionary<string, long> sums)
    {
        Client = client;
        _random = new Random(seed);
        _records = client.Collection<JsonElement>(ChaosServer.Collection);
        _sums = sums;
    }

    public ConcordClient Client { get; }

    /// <summary>Local writes made, each one op for the server.</summary>
    public long Writes { get; private set; }

    public long Increments { get; private set; }

    /// <summary>The ids of the records that hold CRDT fields.</summary>
    public static IEnumerable<string> CrdtIds => Enumerable.Range(0, CrdtRecords).Select(i => $"c{i}");

    public async Task WriteOnceAsync(CancellationToken cancellationToken)
    {
        int roll = _random.Next(100);
        if (roll < 40)
        {
            await WritePlainAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await WriteCrdtAsync(roll, cancellationToken).ConfigureAwait(false);
        }

        Writes++;
    }

    /// <summary>Every live record of the replica's view, each as canonical JSON.</summary>
    public static async Task<SortedDictionary<string, string>> ViewAsync(ConcordClient client, CancellationToken cancellationToken = default)
    {
        var view = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach ((string id, JsonElement value) in await client.Collection<JsonElement>(ChaosServer.Collection).Query().ToEntriesAsync(cancellationToken).ConfigureAwait(false))
        {
            view[id] = Canonical(value);
        }

        return view;
    }

    private async Task WritePlainAsync(CancellationToken cancellationToken)
    {
        string id = $"p{_random.Next(PlainRecords)}";
        switch (_random.Next(10))
        {
            case < 4:
                await _records.PutAsync(id, JsonSerializer.SerializeToElement(new { title = Word(), n = _random.Next(1000) }), cancellationToken).ConfigureAwait(false);
                break;
            case < 9:
                await _records.PatchAsync(id, _random.Next(2) == 0 ? new { n = _random.Next(1000) } : new { title = Word() }, cancellationToken).ConfigureAwait(false);
                break;
            default:
                await _records.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private async Task WriteCrdtAsync(int roll, CancellationToken cancellationToken)
    {
        string id = $"c{_random.Next(CrdtRecords)}";
        if (roll < 65)
        {
            long delta = _random.Next(-3, 6);
            await _records.IncrementAsync(id, "count", delta, cancellationToken).ConfigureAwait(false);
            _sums.AddOrUpdate(id, delta, (_, sum) => sum + delta);
            Increments++;
        }
        else if (roll < 80)
        {
            string tag = Tags[_random.Next(Tags.Length)];
            await (_random.Next(3) == 0 ? _records.RemoveFromSetAsync(id, "tags", tag) : _records.AddToSetAsync(id, "tags", tag)).ConfigureAwait(false);
        }
        else
        {
            JsonElement current = await _records.GetAsync(id, cancellationToken).ConfigureAwait(false);
            int length = current.ValueKind == JsonValueKind.Object && current.TryGetProperty("body", out JsonElement body) && body.ValueKind == JsonValueKind.String ? body.GetString()!.Length : 0;
            int position = _random.Next(length + 1);
            int delete = length > position && _random.Next(4) == 0 ? _random.Next(1, Math.Min(5, length - position) + 1) : 0;
            await _records.EditTextAsync(id, "body", position, delete, Word(), cancellationToken).ConfigureAwait(false);
        }
    }

    private string Word() => new(Enumerable.Range(0, _random.Next(1, 6)).Select(_ => (char)('a' + _random.Next(26))).ToArray());

    /// <summary>JSON with object members in ordinal order, so that equal values print equally.</summary>
    private static string Canonical(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(',', value.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => JsonSerializer.Serialize(p.Name) + ":" + Canonical(p.Value))) + "}",
        JsonValueKind.Array => "[" + string.Join(',', value.EnumerateArray().Select(Canonical)) + "]",
        _ => value.GetRawText(),
    };
}
