using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Concord.Testing;

/// <summary>
/// A TCP proxy on 127.0.0.1 between real clients and a real server that injects network faults: latency and jitter,
/// connections reset at random, chunks cut in half, a partition that holds all traffic until it heals, and answers
/// swallowed after the server did the work. Every random decision comes from one seeded generator.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly Random _random;
    private readonly object _randomGate = new();
    private readonly List<Link> _links = [];
    private TaskCompletionSource _healed = Completed();
    private IPEndPoint _target;
    private long _connections;
    private long _resets;
    private long _cuts;
    private long _dropped;
    private long _blocked;

    public FaultProxy(Uri target, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        _random = new Random(seed);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Where clients connect instead of the target.</summary>
    public Uri Root => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public Uri SyncUri => new(Root, "api/sync/");

    /// <summary>Added to every chunk, each way.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Up to this much more, at random, per chunk (order is kept).</summary>
    public TimeSpan Jitter { get; set; }

    /// <summary>Chance that a chunk resets its connection instead of going through.</summary>
    public double ResetRate { get; set; }

    /// <summary>Chance that only the first half of a chunk goes through before the connection is reset.</summary>
    public double CutRate { get; set; }

    /// <summary>Swallow the server's answers and cut the client off: the server did the work, the client never hears of it.</summary>
    public bool DropResponses { get; set; }

    /// <summary>Answer WebSocket upgrades with 403 and close, as a proxy that blocks WebSockets does; other requests pass.</summary>
    public bool BlockWebSocketUpgrades { get; set; }

    /// <summary>Upgrades refused by <see cref="BlockWebSocketUpgrades"/>.</summary>
    public int BlockedUpgrades => (int)Interlocked.Read(ref _blocked);

    /// <summary>Connections accepted so far.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Connections reset by <see cref="ResetRate"/> or <see cref="ResetAll"/>.</summary>
    public long Resets => Interlocked.Read(ref _resets);

    /// <summary>Chunks cut in half.</summary>
    public long Cuts => Interlocked.Read(ref _cuts);

    /// <summary>Answers swallowed by <see cref="DropResponses"/>.</summary>
    public int Dropped => (int)Interlocked.Read(ref _dropped);

    /// <summary>Whether traffic is held (a partition).</summary>
    public bool IsPartitioned => !_healed.Task.IsCompleted;

    /// <summary>Holds all traffic, and every new connection, until <see cref="Heal"/>: a partition.</summary>
    public void Partition()
    {
        lock (_links)
        {
            if (_healed.Task.IsCompleted)
            {
                _healed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Ends a partition: held traffic flows again.</summary>
    public void Heal()
    {
        lock (_links)
        {
            _healed.TrySetResult();
        }
    }

    /// <summary>Turns every fault off and ends a partition.</summary>
    public void Calm()
    {
        Latency = TimeSpan.Zero;
        Jitter = TimeSpan.Zero;
        ResetRate = 0;
        CutRate = 0;
        DropResponses = false;
        Heal();
    }

    /// <summary>Resets every open connection.</summary>
    public void ResetAll()
    {
        Link[] links;
        lock (_links)
        {
            links = [.. _links];
        }

        foreach (Link link in links)
        {
            link.Reset();
            Interlocked.Increment(ref _resets);
        }
    }

    /// <summary>Points new connections at another address (a restarted server).</summary>
    public void Retarget(Uri target) => Volatile.Write(ref _target, new IPEndPoint(IPAddress.Parse(target.Host), target.Port));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        Heal();
        ResetAll();
        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    private double Roll()
    {
        lock (_randomGate)
        {
            return _random.NextDouble();
        }
    }

    private Task HealedAsync()
    {
        lock (_links)
        {
            return _healed.Task;
        }
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

            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var upstream = new TcpClient();
        using var link = new Link(client, upstream, CancellationTokenSource.CreateLinkedTokenSource(_stop.Token));
        lock (_links)
        {
            _links.Add(link);
        }

        try
        {
            // A partition holds new connections too, as lost SYNs would.
            await HealedAsync().WaitAsync(link.Token).ConfigureAwait(false);
            await upstream.ConnectAsync(Volatile.Read(ref _target), link.Token).ConfigureAwait(false);
            client.NoDelay = true;
            upstream.NoDelay = true;
            Task up = PumpAsync(link, client.GetStream(), upstream.GetStream(), answers: false);
            Task down = PumpAsync(link, upstream.GetStream(), client.GetStream(), answers: true);
            await Task.WhenAny(up, down).ConfigureAwait(false);
            link.Close();
            await Task.WhenAll(up, down).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A cut connection is what this proxy is for.
        }
        finally
        {
            lock (_links)
            {
                _links.Remove(link);
            }
        }
    }

    /// <summary>Reads one direction and forwards it in order, each chunk after its delay, through the faults.</summary>
    private async Task PumpAsync(Link link, NetworkStream from, NetworkStream to, bool answers)
    {
        var chunks = Channel.CreateUnbounded<(long Due, byte[] Bytes)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        Task writing = WriteAsync(link, chunks.Reader, to);
        try
        {
            byte[] buffer = new byte[64 * 1024];
            long lastDue = 0;
            bool first = true;
            while (true)
            {
                int read = await from.ReadAsync(buffer, link.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                if (first && !answers && BlockWebSocketUpgrades && IsWebSocketUpgrade(buffer.AsSpan(0, read)))
                {
                    Interlocked.Increment(ref _blocked);
                    await from.WriteAsync("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), link.Token).ConfigureAwait(false);
                    link.Close();
                    return;
                }

                first = false;

                if (answers && DropResponses)
                {
                    Interlocked.Increment(ref _dropped);
                    link.Reset();
                    return;
                }

                double delayMs = Latency.TotalMilliseconds + (Jitter > TimeSpan.Zero ? Roll() * Jitter.TotalMilliseconds : 0);
                long due = Math.Max(lastDue, Environment.TickCount64 + (long)delayMs);
                lastDue = due;
                chunks.Writer.TryWrite((due, buffer.AsSpan(0, read).ToArray()));
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            chunks.Writer.TryComplete();
            await writing.ConfigureAwait(false);
        }
    }

    private static bool IsWebSocketUpgrade(ReadOnlySpan<byte> request) =>
        System.Text.Encoding.ASCII.GetString(request).Contains("upgrade: websocket", StringComparison.OrdinalIgnoreCase);

    private async Task WriteAsync(Link link, ChannelReader<(long Due, byte[] Bytes)> chunks, NetworkStream to)
    {
        try
        {
            await foreach ((long due, byte[] bytes) in chunks.ReadAllAsync(link.Token).ConfigureAwait(false))
            {
                await HealedAsync().WaitAsync(link.Token).ConfigureAwait(false);
                long wait = due - Environment.TickCount64;
                if (wait > 0)
                {
                    // Simulated transit time: the proxy is the network, so waiting here is the fault, not a test's guess.
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), link.Token).ConfigureAwait(false);
                }

                double roll = Roll();
                if (roll < ResetRate)
                {
                    Interlocked.Increment(ref _resets);
                    link.Reset();
                    return;
                }

                if (roll < ResetRate + CutRate && bytes.Length > 1)
                {
                    Interlocked.Increment(ref _cuts);
                    await to.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), link.Token).ConfigureAwait(false);
                    await to.FlushAsync(link.Token).ConfigureAwait(false);
                    link.Reset();
                    return;
                }

                await to.WriteAsync(bytes, link.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            link.Close();
        }
        finally
        {
            link.Close();
        }
    }

    /// <summary>One proxied connection: both sockets, and the token that ends both pumps.</summary>
    private sealed class Link(TcpClient client, TcpClient upstream, CancellationTokenSource cancel) : IDisposable
    {
        public CancellationToken Token => cancel.Token;

        /// <summary>Closes both sides with RST rather than FIN, as a dropped connection looks to both ends.</summary>
        public void Reset()
        {
            foreach (TcpClient side in new[] { client, upstream })
            {
                try
                {
                    if (side.Client is { } socket)
                    {
                        socket.LingerState = new LingerOption(true, 0);
                    }
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                }
            }

            Close();
        }

        public void Close()
        {
            try
            {
                cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }

            client.Close();
            upstream.Close();
        }

        public void Dispose()
        {
            Close();
            cancel.Dispose();
        }
    }
}
