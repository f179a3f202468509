using Microsoft.Extensions.Logging;

namespace Concord.Cli.Commands;

/// <summary>What <c>concord serve</c> itself logs. Event ids 4000-4999 belong to the command line.</summary>
internal static partial class ServeLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Access tokens cannot be checked: the signing keys could not be read ({Reason}); every request is refused with 401 until they can")]
    public static partial void SigningKeysUnavailable(ILogger logger, string reason);
}
