namespace Concord.RealtimeBench;

/// <summary>
/// The runtime setting that runs socket completions on the event thread instead of the thread pool. A process reads
/// it from its environment once, when it makes its first socket, and its children inherit it.
/// </summary>
internal static class SocketCompletions
{
    public const string InlineVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
}
