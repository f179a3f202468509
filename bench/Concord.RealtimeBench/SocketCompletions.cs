namespace Concord.RealtimeBench;

/// <summary>
/// Whether socket completions run on the event thread (inline) instead of hopping to the thread pool. The runtime
/// reads the setting once, when the first socket is made, from the process's environment.
/// </summary>
internal static class SocketCompletions
{
    public const string InlineVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static bool Inline => Environment.GetEnvironmentVariable(InlineVariable) == "1";
}
