using System.Text;
using Concord.Client.Outbox;
using Concord.Clock;
using Concord.Merge;
using Concord.Protocol;
using Concord.Protocol.Json;
using Concord.Records;
using Concord.Sqlite;
using Concord.Validation;
using Microsoft.Data.Sqlite;

namespace Concord.Client.Local;

/// <summary>A local write: the view changes at once, and the outbox keeps the change for the server.</summary>
internal sealed class LocalWriter
{
    /// <summary>Checks local changes with the same rules the server applies, so that none is refused for its shape.</summary>
    private static readonly ChangeValidator LocalChanges = new(new ProtocolLimits());

    private readonly LocalView _view;
    private readonly RecordRebase _rebase;
    private readonly SyncOutbox _outbox;
    private readonly RawStatement _writeView;

    public LocalWriter(LocalDatabase database, LocalView view, RecordRebase rebase, SyncOutbox outbox)
    {
        _view = view;
        _rebase = rebase;
        _outbox = outbox;
        _writeView = database.Prepare(LocalSql.WriteLocalView);
    }

    /// <summary>
    /// Applies one local change to the view and appends it to the outbox, inside the caller's transaction.
    /// A change with CRDT operations gets them from <paramref name="crdt"/>, which sees the record as this
    /// replica does (server state and pending changes) and may edit its CRDT values in place (text edits).
    /// </summary>
    /// <returns>What the change adds to <see cref="QueueStats.Bytes"/>.</returns>
    /// <exception cref="ArgumentException">The CRDT operations are not a valid change of the record.</exception>
    public long Write(
        string opId,
        string collection,
        string id,
        ChangeKind kind,
        RawJsonValue? fields,
        Func<RecordState, Dictionary<string, CrdtOperationMessage>>? crdt,
        HlcTimestamp hlc,
        SqliteTransaction transaction)
    {
        string? operationsText = null;
        string? view = null;
        if (crdt is null)
        {
            // A local write carries the newest reading this replica has, so it wins over everything the
            // view holds: the view can be updated directly instead of rebased. A put's view is its fields.
            view = kind == ChangeKind.Patch ? PatchView(_view.Read(collection, id, transaction), fields!.Value) : null;
        }
        else
        {
            RecordState working = _rebase.Working(collection, id, transaction);
            Dictionary<string, CrdtOperationMessage> operations = crdt(working);
            var message = new ChangeMessage
            {
                OpId = opId,
                Collection = collection,
                Id = id,
                Kind = ChangeValidator.FormatKind(kind),
                Fields = fields,
                Hlc = hlc.ToString(),
                Crdt = operations,
            };
            if (!LocalChanges.TryValidate(message, out Change? change, out Errors.SyncError? error))
            {
                throw new ArgumentException(error.Message);
            }

            if (!LastWriterWinsMerge.TryApply(working, change, out string? why))
            {
                throw new ArgumentException(why);
            }

            operationsText = CrdtJson.WriteOperations(operations);
            view = RecordRebase.ViewOf(working);
        }

        // Bound by position, the fields straight from their UTF-8 (see SyncOutbox.Append).
        _writeView.BindText(1, collection);
        _writeView.BindText(2, id);
        if (view is not null)
        {
            _writeView.BindText(3, view);
        }
        else if (kind == ChangeKind.Put && crdt is null && fields is { } put)
        {
            _writeView.BindText(3, put.Utf8.Span);
        }
        else
        {
            _writeView.BindNull(3);
        }

        _writeView.Execute();
        return _outbox.Append(opId, collection, id, kind, fields, hlc, operationsText);
    }

    private static string PatchView(string? current, RawJsonValue patch)
    {
        if (current is null)
        {
            return patch.ToString();
        }

        var fields = new Dictionary<string, RawJsonValue>(StringComparer.Ordinal);
        JsonObjectFields.TrySplit(RawJsonValue.FromValidatedUtf8(Encoding.UTF8.GetBytes(current)), fields, out _);
        var patched = new Dictionary<string, RawJsonValue>(StringComparer.Ordinal);
        JsonObjectFields.TrySplit(patch, patched, out _);
        foreach ((string name, RawJsonValue value) in patched)
        {
            fields[name] = value;
        }

        return Encoding.UTF8.GetString(JsonObjectFields.Write(fields));
    }
}
