package dev.shardflow.process;

import java.util.List;

/**
 * How the loops of a process stand — a capture's shards, a writer's apply loop, a rebalancer's move — for its
 * readiness ({@link HealthEndpoint}): ready while every loop runs.
 */
@FunctionalInterface
public interface Health {

    /** Every loop of the process, now. */
    List<Loop> loops();

    /**
     * One loop.
     *
     * @param name what the loop is, as the logs name it ({@code capture pg1})
     * @param running whether it does its work now
     * @param state its state as the process names it ({@code RUNNING}, {@code RETRYING}, {@code FAILED})
     * @param detail why it is not running (its last error), or empty; never a secret
     */
    record Loop(String name, boolean running, String state, String detail) {
        public Loop {
            detail = detail == null ? "" : detail;
        }

        /** Whether the loop has failed for good ({@code FAILED}): it will not run again in this process. */
        public boolean failed() {
            return state.equals("FAILED");
        }
    }

    /** Whether every loop runs (a process without loops is ready). */
    default boolean ready() {
        return loops().stream().allMatch(Loop::running);
    }
}
