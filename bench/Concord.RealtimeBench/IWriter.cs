namespace Concord.RealtimeBench;

/// <summary>The one client that writes: sends write i as its server's protocol has it.</summary>
internal interface IWriter : IAsyncDisposable
{
    /// <summary>Writes the server refused (a Concord push rejected or answered with an error).</summary>
    long Refused { get; }

    ValueTask SendAsync(int write, CancellationToken cancellationToken);
}
