namespace Concord.Errors;

/// <summary>The stable <c>SYNC:*</c> error codes. Each is documented in <c>docs/errors.md</c>.</summary>
public static class SyncErrorCodes
{
    /// <summary>No valid credentials (401).</summary>
    public const string Unauthorized = "SYNC:UNAUTHORIZED";

    /// <summary>Credentials valid, action not allowed (403).</summary>
    public const string Forbidden = "SYNC:FORBIDDEN";

    /// <summary>No such endpoint or resource (404).</summary>
    public const string NotFound = "SYNC:NOT_FOUND";

    /// <summary>The cursor is from another store epoch, ahead of the store, or older than the GC horizon (409).</summary>
    public const string CursorStale = "SYNC:CURSOR_STALE";

    /// <summary>The body, batch or page is over a limit (413).</summary>
    public const string PayloadTooLarge = "SYNC:PAYLOAD_TOO_LARGE";

    /// <summary>One change is invalid: name, id, kind, fields or clock (400 when it fails a whole request).</summary>
    public const string InvalidChange = "SYNC:INVALID_CHANGE";

    /// <summary>The request is malformed: syntax, types, unknown or missing fields (400).</summary>
    public const string BadRequest = "SYNC:BAD_REQUEST";

    /// <summary>Too many requests; retry after <c>retryAfterMs</c> (429).</summary>
    public const string RateLimited = "SYNC:RATE_LIMITED";

    /// <summary>The client speaks no protocol version the server supports (400).</summary>
    public const string UnsupportedProtocol = "SYNC:UNSUPPORTED_PROTOCOL";

    /// <summary>A change is stamped further in the future than the server allows (400).</summary>
    public const string ClockDrift = "SYNC:CLOCK_DRIFT";

    /// <summary>A change made against an older version lost to what changed since, under a server-wins policy (409).</summary>
    public const string Conflict = "SYNC:CONFLICT";

    /// <summary>The server failed; nothing was lost (500).</summary>
    public const string Internal = "SYNC:INTERNAL";

    /// <summary>Every code, in catalog order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Unauthorized, Forbidden, NotFound, CursorStale, PayloadTooLarge, InvalidChange, BadRequest,
        RateLimited, UnsupportedProtocol, ClockDrift, Conflict, Internal,
    ];

    /// <summary>The HTTP status that goes with a code (500 for an unknown code).</summary>
    public static int HttpStatus(string code) => code switch
    {
        Unauthorized => 401,
        Forbidden => 403,
        NotFound => 404,
        CursorStale or Conflict => 409,
        PayloadTooLarge => 413,
        InvalidChange or BadRequest or UnsupportedProtocol or ClockDrift => 400,
        RateLimited => 429,
        _ => 500,
    };

    /// <summary>Whether retrying the same request later can succeed.</summary>
    public static bool IsTransient(string code) => code is RateLimited or Internal;
}
