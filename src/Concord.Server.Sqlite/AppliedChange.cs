using Concord.Records;

namespace Concord.Server.Sqlite;

/// <summary>What the writer stores for one change of a batch.</summary>
/// <param name="Change">The change.</param>
/// <param name="Version">The version it was applied at, or 0 if it was not (a duplicate or a rejection that still ends its record's run in the batch).</param>
/// <param name="ClearsText">A put or delete over a record that had text: its text log starts over.</param>
/// <param name="LogsText">Its text updates took effect and go to the text log.</param>
/// <param name="Row">The record's row, when this is the record's last change in the batch.</param>
internal readonly record struct AppliedChange(Change Change, long Version, bool ClearsText, bool LogsText, StoredRow? Row);
