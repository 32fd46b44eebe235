package dev.shardflow.topology.workflow;

import java.util.EnumSet;
import java.util.Set;

/**
 * What an operator asks of a rebalance, and in which states it may be asked. Anything else is refused with the
 * state it was asked in, never half done.
 */
public enum Action {
    START(EnumSet.of(RebalanceState.PLANNED)),
    VERIFY(EnumSet.of(RebalanceState.CATCHING_UP, RebalanceState.VERIFIED, RebalanceState.CUT_OVER)),
    CUTOVER(EnumSet.of(RebalanceState.CATCHING_UP, RebalanceState.VERIFIED)),
    COMPLETE(EnumSet.of(RebalanceState.CUT_OVER)),
    CANCEL(EnumSet.of(RebalanceState.PLANNED, RebalanceState.COPYING, RebalanceState.CATCHING_UP,
            RebalanceState.VERIFIED)),
    ROLLBACK(EnumSet.of(RebalanceState.CUT_OVER)),
    /** The move forwards nothing until resumed; copy and catch-up keep their place. */
    PAUSE(EnumSet.of(RebalanceState.COPYING, RebalanceState.CATCHING_UP, RebalanceState.VERIFIED)),
    /** Lifts a pause, and lets the writers pass the schema changes they hold the move behind. */
    RESUME(EnumSet.of(RebalanceState.COPYING, RebalanceState.CATCHING_UP, RebalanceState.VERIFIED,
            RebalanceState.CUT_OVER)),
    /** The most change records per second the move forwards; 0 lifts the limit. */
    THROTTLE(EnumSet.of(RebalanceState.COPYING, RebalanceState.CATCHING_UP, RebalanceState.VERIFIED));

    private final Set<RebalanceState> from;

    Action(Set<RebalanceState> from) {
        this.from = from;
    }

    public boolean allowedIn(RebalanceState state) {
        return from.contains(state);
    }

    /** The states this action may be asked in, for the message that refuses it elsewhere. */
    public Set<RebalanceState> allowedStates() {
        return from;
    }

    public String verb() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
