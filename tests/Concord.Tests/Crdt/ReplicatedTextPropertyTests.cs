using Concord.Crdt.Text;
using CsCheck;

namespace Concord.Tests.Crdt;

public sealed class ReplicatedTextPropertyTests
{
    // Ordinal order differs from the order of creation, and "n1" < "n10" < "n2" catches numeric comparisons.
    private static readonly string[] ReplicaIds = ["n2", "n10", "n1", "x", "A"];

    /// <summary>One random action: an edit on a replica, or one replica sending what it has to another.</summary>
    private readonly record struct Step(int Kind, int Replica, int Target, int Position, int Size);

    private static readonly Gen<Step> Steps =
        Gen.Select(Gen.Int[0, 99], Gen.Int[0, 4], Gen.Int[0, 4], Gen.Int[0, 10_000], Gen.Int[1, 6],
            (kind, replica, target, position, size) => new Step(kind, replica, target, position, size));

    private static readonly Gen<(int Replicas, Step[] Steps, int Seed)> Scenarios =
        Gen.Select(Gen.Int[3, 5], Steps.Array[1, 60], Gen.Int);

    [Fact]
    public void Every_replica_matches_the_per_character_reference_after_every_step_and_all_converge()
    {
        Scenarios.Sample(scenario =>
        {
            var network = new Network(scenario.Replicas, withReference: true);
            foreach (Step step in scenario.Steps)
            {
                network.Run(step);
                network.AssertMatchesReference();
            }

            network.SyncAll();
            network.AssertMatchesReference();
            network.AssertConverged();
        });
    }

    [Fact]
    public void Updates_delivered_in_any_order_with_duplicates_converge_to_the_same_text()
    {
        Scenarios.Sample(scenario =>
        {
            var network = new Network(scenario.Replicas, withReference: false);
            foreach (Step step in scenario.Steps)
            {
                network.Run(step);
            }

            List<byte[]> updates = [.. network.Updates];
            network.SyncAll();
            string expected = network.Replicas[0].ToString();

            var random = new Random(scenario.Seed);
            List<byte[]> shuffled = [.. updates, .. updates.Where(_ => random.Next(3) == 0)];
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(shuffled));
            var late = new ReplicatedText("late");
            foreach (byte[] update in shuffled)
            {
                late.ApplyUpdate(update);
            }

            Assert.Equal(expected, late.ToString());
            Assert.False(late.HasPendingUpdates);
        });
    }

    [Fact]
    public void Merging_states_is_commutative_associative_and_idempotent()
    {
        Scenarios.Sample(scenario =>
        {
            var network = new Network(scenario.Replicas, withReference: false);
            foreach (Step step in scenario.Steps)
            {
                network.Run(step);
            }

            byte[][] states = [.. network.Replicas.Select(r => r.EncodeState())];
            var random = new Random(scenario.Seed);
            int[] order = [.. Enumerable.Range(0, states.Length)];
            random.Shuffle(order);

            string inOrder = Merge(states);
            string shuffled = Merge([.. order.Select(i => states[i])]);
            string grouped = Merge(ReplicatedText.MergeUpdates(states[1..]), states[0]);
            string nested = Merge(ReplicatedText.MergeUpdates([ReplicatedText.MergeUpdates(states[..2]), .. states[2..]]));
            string twice = Merge([.. states, .. states.Reverse()]);

            ReplicatedText into = network.Replicas[order[0]];
            foreach (byte[] state in states)
            {
                into.ApplyUpdate(state);
            }

            network.SyncAll();
            string expected = network.Replicas[0].ToString();
            Assert.Equal(expected, inOrder);
            Assert.Equal(expected, shuffled);
            Assert.Equal(expected, grouped);
            Assert.Equal(expected, nested);
            Assert.Equal(expected, twice);
            Assert.Equal(expected, into.ToString());
        });
    }

    [Fact]
    public void Decoding_an_encoded_state_round_trips()
    {
        Scenarios.Sample(scenario =>
        {
            var network = new Network(scenario.Replicas, withReference: false);
            foreach (Step step in scenario.Steps)
            {
                network.Run(step);
            }

            foreach (ReplicatedText replica in network.Replicas)
            {
                var copy = ReplicatedText.Decode(replica.EncodeState(), "copy");
                var copyOfCopy = ReplicatedText.Decode(copy.EncodeState(), "copy2");

                Assert.Equal(replica.ToString(), copy.ToString());
                Assert.Equal(replica.ToString(), copyOfCopy.ToString());
                Assert.Equal(replica.Length, copy.Length);
            }
        });
    }

    [Fact]
    public void A_merged_update_applies_like_its_parts_even_when_they_are_incomplete()
    {
        Scenarios.Sample(scenario =>
        {
            var network = new Network(scenario.Replicas, withReference: false);
            foreach (Step step in scenario.Steps)
            {
                network.Run(step);
            }

            var random = new Random(scenario.Seed);
            List<byte[]> subset = [.. network.Updates.Where(_ => random.Next(2) == 0)];
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(subset));
            List<byte[]> rest = [.. network.Updates.Except(subset)];

            var oneByOne = new ReplicatedText("one-by-one");
            foreach (byte[] update in subset)
            {
                oneByOne.ApplyUpdate(update);
            }

            var merged = new ReplicatedText("merged");
            merged.ApplyUpdate(ReplicatedText.MergeUpdates(subset));

            Assert.Equal(oneByOne.ToString(), merged.ToString());
            Assert.Equal(oneByOne.HasPendingUpdates, merged.HasPendingUpdates);

            // What waited must still be there: both complete the same with the remaining updates.
            foreach (byte[] update in rest)
            {
                oneByOne.ApplyUpdate(update);
                merged.ApplyUpdate(update);
            }

            network.SyncAll();
            Assert.Equal(network.Replicas[0].ToString(), merged.ToString());
            Assert.Equal(network.Replicas[0].ToString(), oneByOne.ToString());
        });
    }

    private static string Merge(params byte[][] states)
    {
        var text = new ReplicatedText("merger");
        foreach (byte[] state in states)
        {
            text.ApplyUpdate(state);
        }

        return text.ToString();
    }

    /// <summary>
    /// Replicas that edit and exchange updates. A sync sends the updates the sender has seen, in the order
    /// it saw them, which keeps every replica's history causal.
    /// </summary>
    private sealed class Network
    {
        private readonly List<int>[] _logs;
        private readonly HashSet<int>[] _seen;
        private readonly ReferenceText[]? _references;
        private readonly List<ReferenceText.Operation> _operations = [];

        public Network(int replicas, bool withReference)
        {
            Replicas = [.. ReplicaIds.Take(replicas).Select(id => new ReplicatedText(id))];
            _logs = [.. Enumerable.Range(0, replicas).Select(_ => new List<int>())];
            _seen = [.. Enumerable.Range(0, replicas).Select(_ => new HashSet<int>())];
            if (withReference)
            {
                _references = [.. ReplicaIds.Take(replicas).Select(id => new ReferenceText(id))];
            }
        }

        public ReplicatedText[] Replicas { get; }

        public List<byte[]> Updates { get; } = [];

        public void Run(Step step)
        {
            int r = step.Replica % Replicas.Length;
            ReplicatedText replica = Replicas[r];
            int length = replica.Length;
            if (step.Kind < 45)
            {
                // Many inserts at the very start or end, where concurrent runs meet most often.
                int position = step.Kind < 8 ? 0 : step.Kind < 16 ? length : step.Position % (length + 1);
                string text = string.Concat(Enumerable.Range(0, step.Size).Select(j => (char)('a' + ((step.Position + j) % 26))));
                Record(r, replica.Insert(position, text), _references?[r].Insert(position, text));
            }
            else if (step.Kind < 65)
            {
                if (length == 0)
                {
                    return;
                }

                int position = step.Position % length;
                int count = Math.Min(step.Kind < 60 ? step.Size : step.Size * 5, length - position);
                Record(r, replica.Delete(position, count), _references?[r].Delete(position, count));
            }
            else if (step.Kind < 70)
            {
                int position = step.Position % (length + 1);
                int count = Math.Min(step.Size, length - position);
                string text = new((char)('A' + (step.Position % 26)), step.Size);
                ReferenceText.Operation? operation = null;
                if (_references is not null)
                {
                    ReferenceText.Operation deleted = _references[r].Delete(position, count);
                    ReferenceText.Operation inserted = _references[r].Insert(position, text);
                    operation = new ReferenceText.Operation(inserted.Inserted, deleted.Deleted);
                }

                Record(r, replica.Replace(position, count, text), operation);
            }
            else
            {
                Sync(r, step.Target % Replicas.Length);
            }
        }

        public void Sync(int from, int to)
        {
            if (from == to)
            {
                return;
            }

            foreach (int id in _logs[from].ToArray())
            {
                if (_seen[to].Add(id))
                {
                    Replicas[to].ApplyUpdate(Updates[id]);
                    _references?[to].Apply(_operations[id]);
                    _logs[to].Add(id);
                }
            }
        }

        public void SyncAll()
        {
            for (int round = 0; round < 2; round++)
            {
                for (int from = 0; from < Replicas.Length; from++)
                {
                    for (int to = 0; to < Replicas.Length; to++)
                    {
                        Sync(from, to);
                    }
                }
            }
        }

        public void AssertMatchesReference()
        {
            for (int i = 0; i < Replicas.Length; i++)
            {
                Assert.Equal(_references![i].ToString(), Replicas[i].ToString());
            }
        }

        public void AssertConverged()
        {
            foreach (ReplicatedText replica in Replicas)
            {
                Assert.Equal(Replicas[0].ToString(), replica.ToString());
                Assert.False(replica.HasPendingUpdates);
            }
        }

        private void Record(int replica, byte[] update, ReferenceText.Operation? operation)
        {
            int id = Updates.Count;
            Updates.Add(update);
            if (operation is not null)
            {
                _operations.Add(operation);
            }

            _logs[replica].Add(id);
            _seen[replica].Add(id);
        }
    }
}
