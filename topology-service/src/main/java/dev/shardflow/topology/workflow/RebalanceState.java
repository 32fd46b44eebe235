package dev.shardflow.topology.workflow;

/**
 * Where a rebalance stands. Each state says what is published on the topology topic while it holds, so a service
 * that restarts in any state knows what the fleet sees and what to do next.
 */
public enum RebalanceState {
    /** The target topology and its moves are computed; nothing is published yet. */
    PLANNED(false),
    /** The target is published (phase FORWARD): the move copies the change topics from their beginning. */
    COPYING(false),
    /** The copy is read; live changes of moving keys are forwarded as they come. */
    CATCHING_UP(false),
    /** The moving keys compared equal on both sides. */
    VERIFIED(false),
    /** A fence is published: routers hold the moving keys while the markers travel to the target writers. */
    FENCING(false),
    /** The next epoch is in force (phase REVERSE): changes of moved keys flow back to the old owners. */
    CUT_OVER(false),
    /** The next epoch is steady; moved rows are being deleted from their old owners. */
    COMPLETING(false),
    COMPLETED(true),
    /** The previous layout is steady again; rows copied to the targets are being deleted. */
    CANCELLING(false),
    CANCELLED(true),
    /** A reverse fence is in progress, then the previous layout returns under a new epoch. */
    ROLLING_BACK(false),
    /** The previous layout is in force again under a new epoch; the targets' copies are being deleted. */
    ROLLING_BACK_CLEANUP(false),
    ROLLED_BACK(true);

    private final boolean terminal;

    RebalanceState(boolean terminal) {
        this.terminal = terminal;
    }

    /** True once nothing more happens to the rebalance, so another may be planned. */
    public boolean terminal() {
        return terminal;
    }

    /** True while the next epoch is in force and the old owners still receive changes back. */
    public boolean afterCutover() {
        return this == CUT_OVER || this == ROLLING_BACK;
    }
}
