using System.Collections.Concurrent;
using Concord.Errors;
using Concord.Server.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Concord.Server.Realtime;

/// <summary>
/// One timer for every realtime connection: closes WebSockets that fell silent and readers too slow to keep up,
/// sends event-stream heartbeats, and closes everything when the app stops so that shutdown does not wait on them.
/// </summary>
internal sealed class RealtimeMonitor(RealtimeContext context, IHostApplicationLifetime lifetime) : IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<long, RealtimeConnection> _connections = new();
    private ITimer? _timer;
    private CancellationTokenRegistration _stopping;
    private volatile bool _stopped;

    public int Count => _connections.Count;

    /// <summary>Watches <paramref name="connection"/> until it closes.</summary>
    public void Track(RealtimeConnection connection)
    {
        _connections[connection.Id] = connection;
        if (_stopped)
        {
            connection.Close(CloseReason.Shutdown);
        }

        connection.Closed.ContinueWith(_ => _connections.TryRemove(connection.Id, out RealtimeConnection? _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        TimeSpan heartbeat = context.Options.HeartbeatInterval;
        TimeSpan period = TimeSpan.FromTicks(Math.Clamp(Math.Min(heartbeat.Ticks, context.Options.SlowReaderTimeout.Ticks) / 4, TimeSpan.FromMilliseconds(5).Ticks, TimeSpan.FromSeconds(5).Ticks));
        _timer = context.Time.CreateTimer(static state => ((RealtimeMonitor)state!).Check(), this, period, period);
        _stopping = lifetime.ApplicationStopping.Register(static state => ((RealtimeMonitor)state!).CloseAll(), this);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        CloseAll();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _timer?.Dispose();
    }

    /// <summary>
    /// Closes the connections of <paramref name="userId"/> (of everyone when null) to <paramref name="tenant"/>: their
    /// role there changed or ended, and a connection holds the role it was opened with. Its client reconnects, and is
    /// admitted again only as what it now is.
    /// </summary>
    public void Revoke(string tenant, string? userId)
    {
        foreach (RealtimeConnection connection in _connections.Values)
        {
            if (connection.Tenant == tenant && (userId is null || connection.UserId == userId))
            {
                connection.Explain(SyncError.Create(SyncErrorCodes.Forbidden, "Your membership of this workspace changed; reconnect."));
                connection.Close(CloseReason.Revoked);
            }
        }
    }

    private void CloseAll()
    {
        _stopped = true;
        foreach (RealtimeConnection connection in _connections.Values)
        {
            connection.Close(CloseReason.Shutdown);
        }
    }

    private void Check()
    {
        TimeProvider time = context.Time;
        long now = time.GetTimestamp();
        TimeSpan heartbeat = context.Options.HeartbeatInterval;
        foreach (RealtimeConnection connection in _connections.Values)
        {
            try
            {
                long sending = connection.SendStarted;
                if (connection.TokenExpires is { } expires && expires <= time.GetUtcNow())
                {
                    // The client reconnects with a fresh token; until then it may not keep listening on the old one.
                    connection.Explain(SyncError.Create(SyncErrorCodes.Unauthorized, "The access token expired; reconnect with a new one."));
                    connection.Close(CloseReason.TokenExpired);
                }
                else if (sending != 0 && time.GetElapsedTime(sending, now) > context.Options.SlowReaderTimeout)
                {
                    connection.Close(CloseReason.SlowReader, dropped: true);
                }
                else if (connection is EventStreamConnection stream)
                {
                    if (time.GetElapsedTime(connection.LastSent, now) >= heartbeat)
                    {
                        stream.SendHeartbeat();
                    }
                }
                else if (time.GetElapsedTime(connection.LastReceived, now) > 2 * heartbeat)
                {
                    connection.Close(CloseReason.NoHeartbeat, dropped: true);
                }
            }
            catch (Exception ex)
            {
                // A timer callback that throws would take the process down; one connection must not.
                ConcordServerLog.Unhandled(context.Logger, ex, "realtime monitor");
            }
        }
    }
}
