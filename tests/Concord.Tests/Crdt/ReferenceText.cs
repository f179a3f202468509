namespace Concord.Tests.Crdt;

/// <summary>
/// A deliberately naive model of the same CRDT: one object per character in a plain list, positions
/// found by scanning, and the Yjs rule written in its index-based form (as in the reference CRDT
/// implementations of Gentle et al.). It shares no code with <c>ReplicatedText</c>, so comparing the two
/// checks runs, splits, indexes and markers against the per-character semantics they must preserve.
/// It needs causal delivery and is quadratic; it is only for small test documents.
/// </summary>
internal sealed class ReferenceText
{
    private readonly List<Character> _content = [];
    private readonly Dictionary<string, int> _nextClock = new(StringComparer.Ordinal);

    public ReferenceText(string replicaId) => ReplicaId = replicaId;

    public string ReplicaId { get; }

    public override string ToString() => string.Concat(_content.Where(c => !c.Deleted).Select(c => c.Value));

    /// <summary>Inserts locally and returns the new characters, to be integrated by the other replicas.</summary>
    public Operation Insert(int position, string text)
    {
        var inserted = new List<Character>();
        for (int k = 0; k < text.Length; k++)
        {
            // After the visible character before the position and after the tombstones that follow it.
            int index = position + k == 0 ? 0 : VisibleIndex(position + k - 1) + 1;
            while (index < _content.Count && _content[index].Deleted)
            {
                index++;
            }

            int clock = _nextClock.GetValueOrDefault(ReplicaId);
            var character = new Character(
                new Id(ReplicaId, clock),
                index > 0 ? _content[index - 1].Id : null,
                index < _content.Count ? _content[index].Id : null,
                text[k]);
            Integrate(character);
            inserted.Add(character);
        }

        return new Operation(inserted, []);
    }

    /// <summary>Deletes locally and returns the deleted ids.</summary>
    public Operation Delete(int position, int length)
    {
        var deleted = new List<Id>();
        for (int k = 0; k < length; k++)
        {
            Character character = _content[VisibleIndex(position)];
            character.Deleted = true;
            deleted.Add(character.Id);
        }

        return new Operation([], deleted);
    }

    /// <summary>Applies a remote operation; operations must arrive in causal order.</summary>
    public void Apply(Operation operation)
    {
        foreach (Character character in operation.Inserted)
        {
            if (character.Id.Clock < _nextClock.GetValueOrDefault(character.Id.Replica))
            {
                continue;
            }

            Integrate(new Character(character.Id, character.OriginLeft, character.OriginRight, character.Value));
        }

        foreach (Id id in operation.Deleted)
        {
            _content[IndexOf(id)].Deleted = true;
        }
    }

    private void Integrate(Character item)
    {
        if (item.Id.Clock != _nextClock.GetValueOrDefault(item.Id.Replica))
        {
            throw new InvalidOperationException("Operations out of order.");
        }

        _nextClock[item.Id.Replica] = item.Id.Clock + 1;
        int left = item.OriginLeft is null ? -1 : IndexOf(item.OriginLeft.Value);
        int right = item.OriginRight is null ? _content.Count : IndexOf(item.OriginRight.Value);
        int destination = left + 1;
        bool scanning = false;
        for (int i = destination; ; i++)
        {
            if (!scanning)
            {
                destination = i;
            }

            if (i == _content.Count || i == right)
            {
                break;
            }

            Character other = _content[i];
            int otherLeft = other.OriginLeft is null ? -1 : IndexOf(other.OriginLeft.Value);
            int otherRight = other.OriginRight is null ? _content.Count : IndexOf(other.OriginRight.Value);
            if (otherLeft < left)
            {
                break;
            }

            if (otherLeft == left)
            {
                if (string.CompareOrdinal(item.Id.Replica, other.Id.Replica) > 0)
                {
                    scanning = false;
                }
                else if (otherRight == right)
                {
                    break;
                }
                else
                {
                    scanning = true;
                }
            }
        }

        _content.Insert(destination, item);
    }

    private int VisibleIndex(int position)
    {
        int seen = 0;
        for (int i = 0; i < _content.Count; i++)
        {
            if (!_content[i].Deleted && seen++ == position)
            {
                return i;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(position));
    }

    private int IndexOf(Id id) => _content.FindIndex(c => c.Id == id);

    public readonly record struct Id(string Replica, int Clock);

    public sealed class Character(Id id, Id? originLeft, Id? originRight, char value)
    {
        public Id Id { get; } = id;

        public Id? OriginLeft { get; } = originLeft;

        public Id? OriginRight { get; } = originRight;

        public char Value { get; } = value;

        public bool Deleted { get; set; }
    }

    public sealed record Operation(IReadOnlyList<Character> Inserted, IReadOnlyList<Id> Deleted);
}
