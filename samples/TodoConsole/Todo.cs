namespace TodoConsole;

/// <summary>One to-do item, stored as the fields of a record in the <c>todos</c> collection.</summary>
public sealed record Todo(string Title, bool Done = false);
