using Concord.Client;

namespace Concord.Testing;

/// <summary>Opens clients on their own database files against a server, and closes them all at the end.</summary>
public sealed class TestClients : IAsyncDisposable
{
    private readonly TempDirectory _folder;
    private readonly TempDirectory? _ownFolder;
    private readonly List<ConcordClient> _open = [];

    /// <summary>Clients whose files go in <paramref name="folder"/>, which the caller removes.</summary>
    public TestClients(TempDirectory folder) => _folder = folder;

    /// <summary>Clients whose files go in a folder of their own, removed with them.</summary>
    public TestClients() => _folder = _ownFolder = new TempDirectory();

    /// <summary>Opens (or reopens) the client whose database is <c>{name}.db</c>.</summary>
    public async Task<ConcordClient> OpenAsync(string name, Uri? server, Func<ConcordClientOptions, ConcordClientOptions>? adjust = null)
    {
        var options = new ConcordClientOptions
        {
            DatabasePath = _folder.File(name + ".db"),
            ServerUrl = server,
            PollInterval = TimeSpan.FromMilliseconds(100),
            MinBackoff = TimeSpan.FromMilliseconds(20),
            MaxBackoff = TimeSpan.FromMilliseconds(200),
        };
        ConcordClient client = await ConcordClient.OpenAsync(adjust is null ? options : adjust(options)).ConfigureAwait(false);
        _open.Add(client);
        return client;
    }

    /// <summary>Closes one client, as an app would on exit.</summary>
    public async Task CloseAsync(ConcordClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _open.Remove(client);
        await client.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (ConcordClient client in _open)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }

        _open.Clear();
        _ownFolder?.Dispose();
    }
}
