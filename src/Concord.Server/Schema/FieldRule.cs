namespace Concord.Server.Schema;

/// <summary>What a declared plain field may hold. <c>null</c> clears a field and is allowed unless it is required.</summary>
/// <param name="Type">The JSON type.</param>
/// <param name="Required">Whether a put must give it, and no write may clear it.</param>
/// <param name="MaxLength">Most characters of a string, or items of an array; null for no limit.</param>
public sealed record FieldRule(FieldType Type, bool Required = false, int? MaxLength = null);
