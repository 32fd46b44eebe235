package dev.shardflow.bench.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * One chaos run in the suite, the sample of {@code bench/run chaos}: seed 1 adds {@code maria2} to the ring with a
 * broker SIGKILLed while the move is planned and the writer of {@code pg2} SIGKILLed at the fence, on the whole fleet
 * of {@code shardctl serve} processes over three broker processes, under a smaller load than the benchmark's, with
 * transfers across shards through two-phase commit all along. The rebalance completes, and the harness's own checks
 * find nothing lost, regressed or orphaned, the reference table equal on the ring, the view equal to its
 * recomputation, no transaction left prepared, the balances' sum unchanged and each transfer on both sides or neither.
 */
class ChaosSampleIT {

    @Test
    void seedOneCompletesThroughABrokerKillAndAWriterKillWithNothingLost() {
        ChaosPlan plan = ChaosRun.plan(1, false);
        assertThat(plan).hasToString("seed 1: add maria2, then complete; faults [kill_broker broker-1 at plan, "
                + "kill_process writer-pg2 at fence]");

        ChaosRun.Result result = ChaosRun.run(plan, new ChaosRun.Load(500, 2, 10, 2));

        System.out.println(ChaosBench.line(1, result));
        assertThat(result.failure()).as("the run's failure").isNull();
        assertThat(result.outcome()).isEqualTo("COMPLETED");
        assertThat(result.verdict().findings()).as("what the checks found").isEmpty();
        assertThat(result.acknowledged()).as("writes acknowledged during the run").isGreaterThan(500);
        assertThat(result.transfers().committed()).as("transfers committed during the run").isGreaterThan(50);
    }
}
