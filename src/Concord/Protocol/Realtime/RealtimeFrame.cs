namespace Concord.Protocol.Realtime;

/// <summary>
/// One WebSocket message: a <see cref="Type"/>, the <see cref="Id"/> of a request and its answer, and the
/// members of the message the type names (<see cref="Body"/>: a <see cref="PushRequest"/> for <c>push</c>,
/// a <see cref="PullResponse"/> for <c>pullResult</c>, …; null for <c>ping</c> and <c>pong</c>).
/// </summary>
/// <example><code>
/// var frame = new RealtimeFrame(FrameTypes.Pull, FrameId.From(2), new PullRequest { Cursor = cursor });
/// </code></example>
public sealed record RealtimeFrame
{
    /// <summary>Creates a frame, checking that <paramref name="body"/> is what <paramref name="type"/> carries.</summary>
    /// <exception cref="ArgumentException">Unknown type, or a body of another type.</exception>
    public RealtimeFrame(string type, FrameId? id = null, object? body = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (!FrameTypes.IsKnown(type))
        {
            throw new ArgumentException($"'{type}' is not a frame type.", nameof(type));
        }

        Type? expected = FrameTypes.BodyType(type);
        if (expected is null ? body is not null : body?.GetType() != expected)
        {
            throw new ArgumentException($"A {type} frame carries {expected?.Name ?? "no members"}.", nameof(body));
        }

        Type = type;
        Id = id;
        Body = body;
    }

    /// <summary>One of <see cref="FrameTypes"/>.</summary>
    public string Type { get; }

    /// <summary>The request's id, repeated by its answer.</summary>
    public FrameId? Id { get; }

    /// <summary>The message's members, as the type of message <see cref="Type"/> names.</summary>
    public object? Body { get; }
}
