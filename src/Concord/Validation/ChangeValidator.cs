using System.Diagnostics.CodeAnalysis;
using Concord.Clock;
using Concord.Crdt;
using Concord.Errors;
using Concord.Protocol;
using Concord.Records;

namespace Concord.Validation;

/// <summary>
/// Checks push messages against the protocol's rules and limits, and turns each valid
/// <see cref="ChangeMessage"/> into a <see cref="Change"/>. Never throws on bad input.
/// </summary>
/// <example><code>
/// var validator = new ChangeValidator(new ProtocolLimits());
/// if (!validator.TryValidate(message, out Change? change, out SyncError? error)) { /* reject this change */ }
/// </code></example>
public sealed class ChangeValidator(ProtocolLimits limits)
{
    private readonly ProtocolLimits _limits = limits ?? throw new ArgumentNullException(nameof(limits));

    /// <summary>
    /// Checks what a whole push needs before any change can be answered: a client id, the batch size,
    /// and op ids (a result is keyed by its op id, so a change without a usable one cannot be rejected alone).
    /// </summary>
    public bool TryValidateBatch(PushRequest request, [NotNullWhen(false)] out SyncError? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!NameRules.IsValidId(request.ClientId, _limits.MaxOpIdLength))
        {
            error = SyncError.BadRequest($"clientId must be 1-{_limits.MaxOpIdLength} printable characters.", Meta("field", "clientId"));
            return false;
        }

        if (request.Changes.Count > _limits.MaxBatchChanges)
        {
            error = SyncError.PayloadTooLarge($"A push holds at most {_limits.MaxBatchChanges} changes; this one has {request.Changes.Count}.", "maxBatchChanges", _limits.MaxBatchChanges);
            return false;
        }

        for (int i = 0; i < request.Changes.Count; i++)
        {
            if (!NameRules.IsValidId(request.Changes[i].OpId, _limits.MaxOpIdLength))
            {
                error = SyncError.BadRequest($"changes[{i}].opId must be 1-{_limits.MaxOpIdLength} printable characters.", Meta("field", $"changes[{i}].opId"));
                return false;
            }
        }

        error = null;
        return true;
    }

    /// <summary>Checks one change and converts it.</summary>
    public bool TryValidate(ChangeMessage message, [NotNullWhen(true)] out Change? change, [NotNullWhen(false)] out SyncError? error) =>
        TryValidate(message, null, out change, out error);

    /// <summary>Checks one change and converts it, sharing field-name strings through <paramref name="names"/> (one cache per batch).</summary>
    public bool TryValidate(ChangeMessage message, FieldNameCache? names, [NotNullWhen(true)] out Change? change, [NotNullWhen(false)] out SyncError? error)
    {
        ArgumentNullException.ThrowIfNull(message);
        change = null;
        if (!NameRules.IsValidCollectionName(message.Collection))
        {
            error = Invalid("collection must match ^[A-Za-z_][A-Za-z0-9_.-]{0,63}$.", "collection");
            return false;
        }

        if (!NameRules.IsValidId(message.Id, _limits.MaxIdLength))
        {
            error = Invalid($"id must be 1-{_limits.MaxIdLength} characters with no control characters.", "id");
            return false;
        }

        if (!TryParseKind(message.Kind, out ChangeKind kind))
        {
            error = Invalid("kind must be \"put\", \"patch\" or \"delete\".", "kind");
            return false;
        }

        if (!HlcTimestamp.TryParse(message.Hlc, out HlcTimestamp hlc))
        {
            error = Invalid("hlc must be 16 lowercase hex digits, '-', and a node id.", "hlc");
            return false;
        }

        if (message.BaseVersion is < 0)
        {
            error = Invalid("baseVersion must not be negative.", "baseVersion");
            return false;
        }

        Dictionary<string, RawJsonValue>? fields = null;
        Dictionary<string, CrdtOperation>? operations = null;
        if (kind == ChangeKind.Delete)
        {
            if (message.Fields is { } present && !IsEmptyOrNull(present))
            {
                error = Invalid("A delete carries no fields.", "fields");
                return false;
            }

            if (message.Crdt is { Count: > 0 })
            {
                error = Invalid("A delete carries no CRDT operations.", "crdt");
                return false;
            }
        }
        else
        {
            if (message.Fields is not null || message.Crdt is null)
            {
                if (!TryReadFields(message.Fields, names, out fields, out error))
                {
                    return false;
                }
            }

            if (message.Crdt is not null && !TryReadOperations(message.Crdt, fields, out operations, out error))
            {
                return false;
            }
        }

        change = new Change(message.OpId, message.Collection, message.Id, kind, fields, hlc, message.BaseVersion, operations);
        error = null;
        return true;
    }

    private bool TryReadFields(RawJsonValue? raw, FieldNameCache? names, out Dictionary<string, RawJsonValue>? fields, [NotNullWhen(false)] out SyncError? error)
    {
        // Sized for typical records up front: growing a dictionary field by field leaves garbage behind.
        fields = new Dictionary<string, RawJsonValue>(16, StringComparer.Ordinal);
        if (raw is not { } json || json.Kind != System.Text.Json.JsonValueKind.Object)
        {
            error = Invalid("A put or patch carries a JSON object of fields.", "fields");
            return false;
        }

        if (!JsonObjectFields.TrySplit(json, fields, names, out string? duplicate))
        {
            error = Invalid(duplicate is null ? "fields must be a JSON object." : "fields names one member twice.", "fields");
            return false;
        }

        if (fields.Count > _limits.MaxFieldsPerRecord)
        {
            error = Invalid($"A change writes at most {_limits.MaxFieldsPerRecord} fields.", "fields");
            return false;
        }

        foreach (string name in fields.Keys)
        {
            if (!NameRules.IsValidFieldName(name, _limits.MaxFieldNameLength))
            {
                error = Invalid($"Field names are 1-{_limits.MaxFieldNameLength} characters with no control characters.", "fields");
                return false;
            }
        }

        error = null;
        return true;
    }

    private bool TryReadOperations(
        IReadOnlyDictionary<string, CrdtOperationMessage> messages,
        Dictionary<string, RawJsonValue>? fields,
        out Dictionary<string, CrdtOperation>? operations,
        [NotNullWhen(false)] out SyncError? error)
    {
        operations = new Dictionary<string, CrdtOperation>(messages.Count, StringComparer.Ordinal);
        if (messages.Count + (fields?.Count ?? 0) > _limits.MaxFieldsPerRecord)
        {
            error = Invalid($"A change writes at most {_limits.MaxFieldsPerRecord} fields.", "crdt");
            return false;
        }

        foreach ((string name, CrdtOperationMessage message) in messages)
        {
            if (!NameRules.IsValidFieldName(name, _limits.MaxFieldNameLength) || fields?.ContainsKey(name) == true)
            {
                error = Invalid("CRDT operations name valid fields that the change does not also write as plain values.", "crdt");
                return false;
            }

            if (!TryReadOperation(message, out CrdtOperation? operation, out string? why))
            {
                error = Invalid($"crdt.{name}: {why}", "crdt");
                return false;
            }

            operations[name] = operation;
        }

        error = null;
        return true;
    }

    private bool TryReadOperation(CrdtOperationMessage message, [NotNullWhen(true)] out CrdtOperation? operation, [NotNullWhen(false)] out string? why)
    {
        operation = null;
        if (!CrdtOperation.TryParseKind(message.Type, out CrdtKind kind))
        {
            why = "type must be \"counter\", \"set\" or \"text\".";
            return false;
        }

        bool onlyCounter = message.Delta is not null, onlySet = message.Add is not null || message.Remove is not null, onlyText = message.Update is not null;
        switch (kind)
        {
            case CrdtKind.Counter when message.Delta is { } delta && !onlySet && !onlyText:
                operation = CrdtOperation.Count(delta);
                break;
            case CrdtKind.Set when onlySet && !onlyCounter && !onlyText:
                IReadOnlyList<RawJsonValue> adds = message.Add ?? [];
                IReadOnlyList<string> removes = message.Remove ?? [];
                if (adds.Count + removes.Count > _limits.MaxBatchChanges)
                {
                    why = $"a set operation adds and removes at most {_limits.MaxBatchChanges} elements.";
                    return false;
                }

                if (removes.Any(tag => !NameRules.IsValidId(tag, 2 * _limits.MaxOpIdLength)))
                {
                    why = "remove holds tags of added elements.";
                    return false;
                }

                operation = CrdtOperation.ChangeSet(adds.Select(Canonical).ToArray(), removes);
                break;
            case CrdtKind.Text when message.Update is { Length: > 0 } update && !onlyCounter && !onlySet:
                operation = CrdtOperation.EditText(update);
                break;
            default:
                why = "a counter carries delta, a set add and/or remove, a text update, and nothing else.";
                return false;
        }

        why = null;
        return true;
    }

    /// <summary>One spelling per JSON value, so that set elements compare by value: <c>"a"</c> and <c>"\u0061"</c> are one element.</summary>
    private static RawJsonValue Canonical(RawJsonValue value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(value.Utf8.Length);
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            value.ToElement().WriteTo(writer);
        }

        return RawJsonValue.FromValidatedUtf8(buffer.WrittenSpan.ToArray());
    }

    /// <summary>Parses a change kind as it appears on the wire.</summary>
    public static bool TryParseKind(string? text, out ChangeKind kind)
    {
        switch (text)
        {
            case "put":
                kind = ChangeKind.Put;
                return true;
            case "patch":
                kind = ChangeKind.Patch;
                return true;
            case "delete":
                kind = ChangeKind.Delete;
                return true;
            default:
                kind = default;
                return false;
        }
    }

    /// <summary>The wire word for a change kind.</summary>
    public static string FormatKind(ChangeKind kind) => kind switch
    {
        ChangeKind.Put => "put",
        ChangeKind.Patch => "patch",
        ChangeKind.Delete => "delete",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static bool IsEmptyOrNull(RawJsonValue value) =>
        value.Kind == System.Text.Json.JsonValueKind.Null || value.Utf8.Span.Trim(" \t\r\n"u8).SequenceEqual("{}"u8);

    private static SyncError Invalid(string message, string field) => SyncError.InvalidChange(message, Meta("field", field));

    private static Dictionary<string, object> Meta(string key, object value) => new() { [key] = value };
}
