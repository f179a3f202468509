using Concord.Crdt;
using Concord.Protocol;
using Concord.Records;
using Concord.Server.Auth;
using Concord.Server.Merging;
using Concord.Server.Schema;
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
    private readonly Dictionary<string, FieldRule> _schema = new(StringComparer.Ordinal);

    internal CollectionOptions(string name) => Name = name;

    /// <summary>The collection's name.</summary>
    public string Name { get; }

    /// <summary>How conflicting changes resolve; last-writer-wins by default.</summary>
    public ConflictPolicy Policy { get; set; } = ConflictPolicy.LastWriterWins;

    /// <summary>The CRDT fields and their types; every other field is last-writer-wins.</summary>
    public IReadOnlyDictionary<string, CrdtKind> Fields => _fields;

    /// <summary>The declared plain fields and what they may hold, checked on every push.</summary>
    public IReadOnlyDictionary<string, FieldRule> Schema => _schema;

    /// <summary>Whether plain fields that <see cref="Schema"/> does not declare are accepted. True by default.</summary>
    public bool AllowUndeclaredFields { get; set; } = true;

    /// <summary>
    /// Whether a caller may see a record, asked for each record before it is sent (pulls, in-process reads; realtime
    /// connections are poked and pull instead). A record refused is simply not sent. Null (the default): every
    /// member of the workspace may read every record. Runs on the request's thread: keep it quick and free of I/O.
    /// </summary>
    /// <example><code>c.CanRead = (principal, record) =&gt; principal.Role == WorkspaceRole.Owner || !record.Id.StartsWith("private-", StringComparison.Ordinal);</code></example>
    public Func<ConcordPrincipal, RecordMessage, bool>? CanRead { get; set; }

    /// <summary>
    /// Whether a caller may make a change, given the record as stored (null when new). A change refused comes back
    /// <c>rejected</c> with <c>SYNC:FORBIDDEN</c> and its batch goes on. Null (the default): every editor and owner may
    /// write. Runs inside the store's write transaction: keep it quick and free of I/O.
    /// </summary>
    /// <example><code>
    /// // Only the author may change a post: "author" is set when it is created and never changed.
    /// c.CanWrite = (principal, change, current) =&gt; current is null
    ///     ? change.Fields.TryGetValue("author", out RawJsonValue author) &amp;&amp; author.ToElement().GetString() == principal.UserId
    ///     : current.Fields.TryGetValue("author", out FieldState stored) &amp;&amp; stored.Value.ToElement().GetString() == principal.UserId
    ///       &amp;&amp; !change.Fields.ContainsKey("author");
    /// </code></example>
    public Func<ConcordPrincipal, Change, RecordState?, bool>? CanWrite { get; set; }

    /// <summary>Declares a plain field: its JSON type, whether it is required, and its longest string or array.</summary>
    /// <example><code>c.Field("title", FieldType.String, required: true, maxLength: 200).Field("done", FieldType.Boolean);</code></example>
    public CollectionOptions Field(string field, FieldType type, bool required = false, int? maxLength = null)
    {
        CheckName(field);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength ?? 0, 0, nameof(maxLength));
        _schema[field] = new FieldRule(type, required, maxLength);
        return this;
    }

    /// <summary>Declares a PN-counter field.</summary>
    public CollectionOptions Counter(string field) => Declare(field, CrdtKind.Counter);

    /// <summary>Declares an add-wins set field.</summary>
    public CollectionOptions Set(string field) => Declare(field, CrdtKind.Set);

    /// <summary>Declares a collaboratively edited text field.</summary>
    public CollectionOptions Text(string field) => Declare(field, CrdtKind.Text);

    private CollectionOptions Declare(string field, CrdtKind kind)
    {
        CheckName(field);
        _fields[field] = kind;
        return this;
    }

    private static void CheckName(string field)
    {
        if (!NameRules.IsValidFieldName(field, 128))
        {
            throw new ArgumentException($"'{field}' is not a valid field name.", nameof(field));
        }
    }
}
