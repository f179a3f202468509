using System.Text.Json;
using Concord.Clock;

namespace Concord.Testing;

/// <summary>
/// Compares an actual JSON answer with a documented one in which <c>"&lt;hlc&gt;"</c>, <c>"&lt;cursor&gt;"</c>
/// and <c>"&lt;any&gt;"</c> stand for values that differ from run to run.
/// </summary>
public static class JsonShape
{
    public static void AssertMatches(JsonElement expected, JsonElement actual, string path, Action<string> sawCursor)
    {
        if (expected.ValueKind == JsonValueKind.String)
        {
            switch (expected.GetString())
            {
                case "<any>":
                    return;
                case "<hlc>":
                    Assert.True(actual.ValueKind == JsonValueKind.String && HlcTimestamp.TryParse(actual.GetString(), out _), $"{path}: expected a clock reading, got {actual}");
                    return;
                case "<cursor>":
                    Assert.True(actual.ValueKind == JsonValueKind.String && actual.GetString()!.Length > 0, $"{path}: expected a cursor, got {actual}");
                    sawCursor(actual.GetString()!);
                    return;
            }
        }

        Assert.True(expected.ValueKind == actual.ValueKind, $"{path}: expected {expected.ValueKind}, got {actual.ValueKind} ({actual})");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                Assert.Equal(expected.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal), actual.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
                foreach (JsonProperty property in expected.EnumerateObject())
                {
                    AssertMatches(property.Value, actual.GetProperty(property.Name), $"{path}.{property.Name}", sawCursor);
                }

                break;
            case JsonValueKind.Array:
                Assert.True(expected.GetArrayLength() == actual.GetArrayLength(), $"{path}: expected {expected.GetArrayLength()} items, got {actual}");
                for (int i = 0; i < expected.GetArrayLength(); i++)
                {
                    AssertMatches(expected[i], actual[i], $"{path}[{i}]", sawCursor);
                }

                break;
            default:
                Assert.True(expected.GetRawText() == actual.GetRawText(), $"{path}: expected {expected.GetRawText()}, got {actual.GetRawText()}");
                break;
        }
    }
}
