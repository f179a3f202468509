namespace Concord.Errors;

/// <summary>
/// A failure that reaches a user: a stable <c>SYNC:*</c> code, a message for people,
/// a link to the code's documentation, and optional machine-readable details.
/// </summary>
/// <example><code>
/// var error = SyncError.Create(SyncErrorCodes.ClockDrift, "Change is 86400000 ms ahead.",
///     new Dictionary&lt;string, object&gt; { ["aheadMs"] = 86_400_000L });
/// int status = error.HttpStatus; // 400
/// </code></example>
public sealed class SyncError
{
    /// <summary>Where every code is documented; each code is an anchor in this page.</summary>
    public const string DocumentationUrl = "https://github.com/concord-sync/concord/blob/main/docs/errors.md";

    /// <summary>Creates an error; prefer <see cref="Create"/>.</summary>
    public SyncError(string code, string message, string helpUrl, IReadOnlyDictionary<string, object>? meta = null)
    {
        Code = code;
        Message = message;
        HelpUrl = helpUrl;
        Meta = meta;
    }

    /// <summary>The stable code, one of <see cref="SyncErrorCodes"/>.</summary>
    public string Code { get; }

    /// <summary>What went wrong, for people. Never contains record contents.</summary>
    public string Message { get; }

    /// <summary>Link to the code's entry in <c>docs/errors.md</c>.</summary>
    public string HelpUrl { get; }

    /// <summary>Details for programs (for example <c>retryAfterMs</c>, <c>limit</c>, <c>field</c>).</summary>
    public IReadOnlyDictionary<string, object>? Meta { get; }

    /// <summary>How long to wait before retrying, from <c>meta.retryAfterMs</c> (<c>SYNC:RATE_LIMITED</c>), or null.</summary>
    public TimeSpan? RetryAfter => Meta?.GetValueOrDefault("retryAfterMs") switch
    {
        long ms when ms >= 0 => TimeSpan.FromMilliseconds(ms),
        int ms when ms >= 0 => TimeSpan.FromMilliseconds(ms),
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Number } json when json.TryGetInt64(out long ms) && ms >= 0 => TimeSpan.FromMilliseconds(ms),
        _ => null,
    };

    /// <summary>The HTTP status for <see cref="Code"/>.</summary>
    public int HttpStatus => SyncErrorCodes.HttpStatus(Code);

    /// <summary>Creates an error with the help link for its code.</summary>
    public static SyncError Create(string code, string message, IReadOnlyDictionary<string, object>? meta = null) =>
        new(code, message, HelpUrlFor(code), meta);

    /// <summary>The documentation link for a code, e.g. <c>…/errors.md#syncclock_drift</c>.</summary>
    public static string HelpUrlFor(string code) =>
        DocumentationUrl + "#" + code.Replace(":", string.Empty, StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>A malformed request.</summary>
    public static SyncError BadRequest(string message, IReadOnlyDictionary<string, object>? meta = null) => Create(SyncErrorCodes.BadRequest, message, meta);

    /// <summary>An invalid change.</summary>
    public static SyncError InvalidChange(string message, IReadOnlyDictionary<string, object>? meta = null) => Create(SyncErrorCodes.InvalidChange, message, meta);

    /// <summary>A payload over a limit.</summary>
    public static SyncError PayloadTooLarge(string message, string limit, long value) =>
        Create(SyncErrorCodes.PayloadTooLarge, message, new Dictionary<string, object> { ["limit"] = limit, ["max"] = value });

    /// <summary>An unexpected server failure.</summary>
    public static SyncError Internal(string message = "The server failed to handle the request; nothing acknowledged was lost.") => Create(SyncErrorCodes.Internal, message);

    /// <inheritdoc />
    public override string ToString() => $"{Code}: {Message}";
}
