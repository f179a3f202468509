using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Concord.Server.Tests;

/// <summary>Raw HTTP calls to the sync API, as a client in any language would make them.</summary>
internal static class SyncApi
{
    public static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient http, string path, string body, string contentType = "application/json")
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return await SendAsync(http, new HttpRequestMessage(HttpMethod.Post, "api/sync/" + path) { Content = content });
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> PostBytesAsync(HttpClient http, string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await SendAsync(http, new HttpRequestMessage(HttpMethod.Post, "api/sync/" + path) { Content = content });
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        using (HttpResponseMessage response = await http.SendAsync(request))
        {
            string text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
        }
    }

    public static async Task<JsonElement> StatsAsync(HttpClient http)
    {
        string text = await http.GetStringAsync("api/sync/stats");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static string ErrorCode(JsonElement body) => body.GetProperty("error").GetProperty("code").GetString()!;

    public static string Push(params string[] changes) => $$"""{"clientId":"c1","changes":[{{string.Join(',', changes)}}]}""";

    public static string Change(string opId = "op", string collection = "\"todos\"", string id = "\"r1\"", string kind = "\"put\"", string fields = "{\"a\":1}", string? hlc = null, string extra = "") =>
        $$"""{"opId":"{{opId}}","collection":{{collection}},"id":{{id}},"kind":{{kind}},"fields":{{fields}},"hlc":{{hlc ?? "\"0190f3a2b4c10000-n1\""}}{{extra}}}""";
}
