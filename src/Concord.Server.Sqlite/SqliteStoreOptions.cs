namespace Concord.Server.Sqlite;

/// <summary>Settings of the SQLite store.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>The database file; created with its folder if missing. <c>concord.db</c> by default.</summary>
    public string Path { get; set; } = "concord.db";

    /// <summary>
    /// Whether every commit waits for the disk (<c>synchronous=FULL</c>). Off by default: with
    /// <c>synchronous=NORMAL</c> in WAL mode a committed batch survives the process being killed,
    /// and only a power cut or OS crash can take back the last commits.
    /// </summary>
    public bool DurableCommits { get; set; }

    /// <summary>SQLite page cache per connection, in KiB.</summary>
    public int CacheSizeKiB { get; set; } = 16 * 1024;
}
