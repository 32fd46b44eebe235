package dev.shardflow.rebalancer.route;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EnvelopeCheck;
import dev.shardflow.core.topology.ReferenceCopies;
import dev.shardflow.core.topology.TableSpec;
import java.util.List;
import java.util.Optional;

/**
 * Decides, for one change of a source shard, whether it is the truth about its key and where it must also go
 * (invariant 3): a change counts only if its source owns the key under the topology in force; during a rebalance
 * such a change of a key whose owner differs in the other topology is forwarded there with the epoch in force, so
 * that a writer orders it after everything of an earlier epoch.
 */
public final class ChangeRouter {

    private ChangeRouter() {}

    public static Decision route(ChangeEvent change, Routing routing) {
        return route(change, routing, null);
    }

    /**
     * Routes a change of a child table by the shard key of its parent row, which decides where the child lives.
     *
     * @param parentShardKey the shard key of the child's parent row; null routes a child as following its parent
     */
    /**
     * A reference table is copied whole to every shard of the ring; a shard that joins it gets the copy of the first
     * shard of the ring in force (the copy verify compares every other with), its history from the change topics like
     * any moving row, before the cutover's fence.
     */
    private static Decision reference(ChangeEvent change, Routing routing) {
        if (!routing.moving()) {
            return Decision.Skip.REFERENCE;
        }
        if (!change.source().shard().equals(ReferenceCopies.truth(routing.current()))) {
            return Decision.Skip.REFERENCE;
        }
        List<String> joining = ReferenceCopies.joining(routing.current(), routing.other());
        return joining.isEmpty() ? Decision.Skip.REFERENCE
                : new Decision.Replicate(joining, change.withEpoch(routing.current().epoch()));
    }

    /**
     * Why no move may take this change, whatever the ring, or empty: it does not belong to the keyspace in force
     * ({@link EnvelopeCheck}), or a row placed by its own shard key has none. The one test of the moves and of the
     * poison watch.
     */
    public static Optional<String> poison(ChangeEvent change, Routing routing) {
        Optional<String> foreign = EnvelopeCheck.problem(change, routing.current(),
                routing.moving() ? routing.other() : null);
        if (foreign.isPresent() || change.isMarker()) {
            return foreign;
        }
        Optional<TableSpec> table = routing.current().table(change.table());
        if (table.isPresent() && table.get().placement() == TableSpec.Placement.SHARD_KEY
                && change.shardKey() == null) {
            return Optional.of(change.table() + " " + change.key() + ": the shard key "
                    + table.get().shardKeyColumn() + " is null, so the row has no owner");
        }
        return Optional.empty();
    }

    /**
     * A table's definition goes, like a fence, to every partition of the apply topics of the shards changes flow to, so
     * that it reaches them ahead of the first row that has it; a reference table's only from the shard whose copy
     * they receive.
     */
    private static Decision schema(ChangeEvent change, Routing routing) {
        if (!routing.moving()) {
            return Decision.Skip.IDLE_SCHEMA;
        }
        String name = String.valueOf(change.key().get("table"));
        Optional<TableSpec> table = routing.current().table(name);
        if (table.isEmpty()) {
            return new Decision.Reject("schema event of table " + name + " from shard " + change.source().shard()
                    + ", which keyspace " + routing.current().keyspace() + " does not list");
        }
        if (table.get().placement() == TableSpec.Placement.REFERENCE
                && !change.source().shard().equals(ReferenceCopies.truth(routing.current()))) {
            return Decision.Skip.REFERENCE;
        }
        return new Decision.Fence(routing.receivers(), change);
    }

    public static Decision route(ChangeEvent change, Routing routing, Object parentShardKey) {
        Optional<String> poison = poison(change, routing);
        if (poison.isPresent()) {
            return new Decision.Poison(poison.get());
        }
        if (change.isFence()) {
            return routing.moving() ? new Decision.Fence(routing.receivers(), change)
                    : Decision.Skip.IDLE_FENCE;
        }
        if (change.isSchema()) {
            return schema(change, routing);
        }
        TableSpec table = routing.current().table(change.table()).orElseThrow();
        switch (table.placement()) {
            case REFERENCE -> {
                return reference(change, routing);
            }
            case PARENT -> {
                if (parentShardKey == null) {
                    return Decision.Skip.FOLLOWS_PARENT;
                }
            }
            case SHARD_KEY -> {
                // routed below
            }
        }
        Object shardKey = table.placement() == TableSpec.Placement.PARENT ? parentShardKey : change.shardKey();
        String owner;
        try {
            owner = routing.placement().ownerOf(shardKey);
        } catch (IllegalArgumentException e) {
            return new Decision.Reject(change.table() + " " + change.key() + ": shard key " + shardKey
                    + " cannot be placed: " + e.getMessage());
        }
        if (!owner.equals(change.source().shard())) {
            return Decision.Skip.NON_OWNER;
        }
        String otherOwner = routing.placement().otherOwnerOf(shardKey).orElse(owner);
        if (otherOwner.equals(owner)) {
            return Decision.Skip.STAYS;
        }
        return new Decision.Forward(otherOwner, change.withEpoch(routing.current().epoch()));
    }
}
