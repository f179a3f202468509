namespace Concord.Protocol.Realtime;

/// <summary>The <c>type</c> of every realtime frame (<c>GET {base}/ws</c>); see <c>docs/protocol.md</c>.</summary>
public static class FrameTypes
{
    /// <summary>Client, first frame: <see cref="HelloMessage"/>.</summary>
    public const string Hello = "hello";

    /// <summary>Server's answer to <see cref="Hello"/>: <see cref="WelcomeMessage"/>.</summary>
    public const string Welcome = "welcome";

    /// <summary>Client: a <see cref="PushRequest"/> with an id.</summary>
    public const string Push = "push";

    /// <summary>Server: the <see cref="PushResponse"/> to the push with the same id.</summary>
    public const string PushResult = "pushResult";

    /// <summary>Client: a <see cref="PullRequest"/> with an id.</summary>
    public const string Pull = "pull";

    /// <summary>Server: the <see cref="PullResponse"/> to the pull with the same id.</summary>
    public const string PullResult = "pullResult";

    /// <summary>Server: new records for a connection that was caught up (<see cref="ChangesMessage"/>).</summary>
    public const string Changes = "changes";

    /// <summary>Server: the tenant's version moved; pull (<see cref="PokeMessage"/>).</summary>
    public const string Poke = "poke";

    /// <summary>Client: heartbeat; the server answers <see cref="Pong"/>.</summary>
    public const string Ping = "ping";

    /// <summary>Server: the answer to <see cref="Ping"/>.</summary>
    public const string Pong = "pong";

    /// <summary>Server: an <see cref="ErrorResponse"/>, with the id of the request it answers when there is one.</summary>
    public const string Error = "error";

    /// <summary>The CLR type of each frame type's members (null for frames that have none).</summary>
    internal static Type? BodyType(string type) => type switch
    {
        Hello => typeof(HelloMessage),
        Welcome => typeof(WelcomeMessage),
        Push => typeof(PushRequest),
        PushResult => typeof(PushResponse),
        Pull => typeof(PullRequest),
        PullResult => typeof(PullResponse),
        Changes => typeof(ChangesMessage),
        Poke => typeof(PokeMessage),
        Error => typeof(ErrorResponse),
        _ => null,
    };

    /// <summary>Whether <paramref name="type"/> is one of the frame types.</summary>
    public static bool IsKnown(string type) => type is Hello or Welcome or Push or PushResult or Pull or PullResult or Changes or Poke or Ping or Pong or Error;
}
