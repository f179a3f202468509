namespace Concord.Server;

/// <summary>Settings of one declared collection.</summary>
public sealed class CollectionOptions
{
    internal CollectionOptions(string name) => Name = name;

    /// <summary>The collection's name.</summary>
    public string Name { get; }
}
