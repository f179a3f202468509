using Concord.Crdt;
using Concord.Server.Merging;
using Concord.Validation;

namespace Concord.Server;

/// <summary>Settings of one declared collection: its conflict policy and its CRDT fields.</summary>
/// <example><code>
/// o.Collection("posts", c =>
/// {
///     c.Policy = ConflictPolicy.ServerWins;
///     c.Counter("likes").Set("tags").Text("body");
/// });
/// </code></example>
public sealed class CollectionOptions
{
    private readonly Dictionary<string, CrdtKind> _fields = new(StringComparer.Ordinal);

    internal CollectionOptions(string name) => Name = name;

    /// <summary>The collection's name.</summary>
    public string Name { get; }

    /// <summary>How conflicting changes resolve; last-writer-wins by default.</summary>
    public ConflictPolicy Policy { get; set; } = ConflictPolicy.LastWriterWins;

    /// <summary>The CRDT fields and their types; every other field is last-writer-wins.</summary>
    public IReadOnlyDictionary<string, CrdtKind> Fields => _fields;

    /// <summary>Declares a PN-counter field.</summary>
    public CollectionOptions Counter(string field) => Declare(field, CrdtKind.Counter);

    /// <summary>Declares an add-wins set field.</summary>
    public CollectionOptions Set(string field) => Declare(field, CrdtKind.Set);

    /// <summary>Declares a collaboratively edited text field.</summary>
    public CollectionOptions Text(string field) => Declare(field, CrdtKind.Text);

    private CollectionOptions Declare(string field, CrdtKind kind)
    {
        if (!NameRules.IsValidFieldName(field, 128))
        {
            throw new ArgumentException($"'{field}' is not a valid field name.", nameof(field));
        }

        _fields[field] = kind;
        return this;
    }
}
