using System.Net;
using System.Net.Sockets;

namespace Concord.Testing;

/// <summary>
/// A TCP proxy on 127.0.0.1 between a real client and a real server. While <see cref="DropResponses"/>
/// is set, requests still reach the server but its answers are thrown away and the client's
/// connection is cut: the server did the work, the client never hears of it.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _dropped;

    public TcpFaultProxy(Uri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Where clients connect instead of the target.</summary>
    public Uri Root => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public Uri SyncUri => new(Root, "api/sync/");

    /// <summary>Swallow the server's answers and cut the client off.</summary>
    public bool DropResponses { get; set; }

    /// <summary>How many answers were swallowed.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await upstream.ConnectAsync(_target, _stop.Token).ConfigureAwait(false);
                using var cut = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                Task up = PumpAsync(client.GetStream(), upstream.GetStream(), drop: false, cut.Token);
                Task down = PumpAsync(upstream.GetStream(), client.GetStream(), drop: true, cut.Token);
                await Task.WhenAny(up, down).ConfigureAwait(false);
                await cut.CancelAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // A cut connection is what this proxy is for.
            }
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool drop, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int read = await from.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                if (drop && DropResponses)
                {
                    Interlocked.Increment(ref _dropped);
                    return;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
