namespace Concord.Client.Tests;

public sealed record Todo(string Title, bool Done = false, int? Priority = null);
