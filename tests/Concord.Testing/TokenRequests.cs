using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Concord.Testing;

/// <summary>HTTP requests with an access token and a workspace, answered with their status and JSON body.</summary>
public static class TokenRequests
{
    private static readonly HttpClient Http = new() { Timeout = Wait.DefaultTimeout };

    /// <returns>The status and the body (default when there is none or it is an event stream).</returns>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, Uri uri, string? body, string? token, string? workspace = null)
    {
        using var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (workspace is not null)
        {
            request.Headers.TryAddWithoutValidation("Concord-Workspace", workspace);
        }

        using HttpResponseMessage response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            return (response.StatusCode, default);
        }

        string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>The <c>SYNC:*</c> code of an error body, or null.</summary>
    public static string? ErrorCode(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("error", out JsonElement error) ? error.GetProperty("code").GetString() : null;

    /// <summary>A push body of one put of a note.</summary>
    public static string Push(string id, string collection = "notes", string fields = """{"text":"x"}""") =>
        $$"""{"clientId":"tester","changes":[{{Change(id, collection, fields)}}]}""";

    /// <summary>One put, stamped a second in the past so that no clock check refuses it.</summary>
    public static string Change(string id, string collection = "notes", string fields = """{"text":"x"}""") =>
        $$"""{"opId":"{{Guid.CreateVersion7()}}","collection":"{{collection}}","id":"{{id}}","kind":"put","fields":{{fields}},"hlc":"{{Hlc()}}"}""";

    /// <summary>A clock reading a second in the past, as a client named <c>tester</c> would stamp a change.</summary>
    public static string Hlc() => $"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000:x12}0000-tester";
}
