package dev.shardflow.topology.workflow;

import dev.shardflow.topology.verify.VerifyReport;

/** Whether a rebalance may cut over: only after a complete and clean verify since its catch-up began. */
final class CutoverGate {

    private CutoverGate() {}

    /**
     * Why a cutover must wait for a verify, or null when the last verify since the catch-up began was complete and
     * clean (the rebalance is VERIFIED).
     */
    static String unverified(Rebalance rebalance) {
        if (rebalance.state() == RebalanceState.VERIFIED) {
            return null;
        }
        VerifyReport last = rebalance.verification();
        if (last == null) {
            return "no verify has run since the catch-up began";
        }
        if (!last.complete()) {
            return "the last verify did not finish (" + last.rowsCompared() + " rows compared)";
        }
        if (!last.clean()) {
            return "the last verify found " + last.mismatches() + " mismatch(es), " + last.unsettled()
                    + " unsettled key(s) and " + last.orphans() + " orphan(s)"
                    + (last.sample().isEmpty() ? "" : ": " + last.sample().get(0));
        }
        return "no clean verify since the catch-up began";
    }
}
