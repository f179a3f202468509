using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Concord.Errors;
using Concord.Records;

namespace Concord.Server.Schema;

/// <summary>Checks a change's plain fields against its collection's declared fields, before it reaches the store.</summary>
internal static class SchemaCheck
{
    public static bool TryCheck(Change change, CollectionOptions collection, [NotNullWhen(false)] out SyncError? error)
    {
        error = null;
        if (collection.Schema.Count == 0 && collection.AllowUndeclaredFields)
        {
            return true;
        }

        foreach ((string name, RawJsonValue value) in change.Fields)
        {
            if (!collection.Schema.TryGetValue(name, out FieldRule? rule))
            {
                if (!collection.AllowUndeclaredFields && !collection.Fields.ContainsKey(name))
                {
                    error = Refuse($"'{change.Collection}' declares no field '{name}'.", name);
                    return false;
                }

                continue;
            }

            if (!TryCheck(name, value, rule, out error))
            {
                return false;
            }
        }

        if (change.Kind == ChangeKind.Put)
        {
            foreach ((string name, FieldRule rule) in collection.Schema)
            {
                if (rule.Required && !change.Fields.ContainsKey(name))
                {
                    error = Refuse($"'{name}' is required.", name);
                    return false;
                }
            }
        }

        return true;
    }

    private static bool TryCheck(string name, RawJsonValue value, FieldRule rule, [NotNullWhen(false)] out SyncError? error)
    {
        error = null;
        JsonValueKind kind = value.Kind;
        if (kind == JsonValueKind.Null)
        {
            if (rule.Required)
            {
                error = Refuse($"'{name}' is required and cannot be cleared.", name);
                return false;
            }

            return true;
        }

        bool typed = rule.Type switch
        {
            FieldType.Any => true,
            FieldType.String => kind == JsonValueKind.String,
            FieldType.Number => kind == JsonValueKind.Number,
            FieldType.Integer => kind == JsonValueKind.Number && value.Utf8.Span.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0,
            FieldType.Boolean => kind is JsonValueKind.True or JsonValueKind.False,
            FieldType.Object => kind == JsonValueKind.Object,
            FieldType.Array => kind == JsonValueKind.Array,
            _ => false,
        };
        if (!typed)
        {
            error = Refuse($"'{name}' must be {Article(rule.Type)}.", name);
            return false;
        }

        if (rule.MaxLength is { } max && Length(value, kind) > max)
        {
            error = Refuse($"'{name}' is longer than {max} {(kind == JsonValueKind.Array ? "items" : "characters")}.", name);
            return false;
        }

        return true;
    }

    private static int Length(RawJsonValue value, JsonValueKind kind)
    {
        JsonElement element = value.ToElement();
        return kind switch
        {
            JsonValueKind.String => element.GetString()!.Length,
            JsonValueKind.Array => element.GetArrayLength(),
            _ => 0,
        };
    }

    private static string Article(FieldType type) => type switch
    {
        FieldType.Integer => "an integer",
        FieldType.Object => "an object",
        FieldType.Array => "an array",
        _ => "a " + type.ToString().ToLowerInvariant(),
    };

    private static SyncError Refuse(string message, string field) =>
        SyncError.InvalidChange(message, new Dictionary<string, object> { ["field"] = field });
}
