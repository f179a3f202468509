namespace Concord.Records;

/// <summary>What a change does to its record.</summary>
public enum ChangeKind
{
    /// <summary>Replaces the record's fields: fields it does not name are removed.</summary>
    Put,

    /// <summary>Sets the named fields and leaves the others alone.</summary>
    Patch,

    /// <summary>Writes a tombstone.</summary>
    Delete,
}
