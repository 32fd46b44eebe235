package dev.shardflow.bench.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.bench.chaos.ChaosPlan.Ending;
import dev.shardflow.bench.chaos.ChaosPlan.Fault;
import dev.shardflow.bench.chaos.ChaosPlan.Kind;
import dev.shardflow.bench.chaos.ChaosPlan.Stage;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ChaosPlanTest {

    private static List<ChaosPlan> plans(int count) {
        return LongStream.range(0, count).mapToObj(seed -> ChaosRun.plan(seed, true)).toList();
    }

    @Test
    void aSeedDrawsTheSameRunEveryTime() {
        assertThat(ChaosRun.plan(42, true)).isEqualTo(ChaosRun.plan(42, true));
        assertThat(ChaosRun.plan(-7_300_115_872L, true).toString())
                .isEqualTo(ChaosRun.plan(-7_300_115_872L, true).toString());
        assertThat(plans(20).stream().map(ChaosPlan::toString).distinct()).hasSizeGreaterThan(15);
    }

    @Test
    void everyFaultStrikesAtAStepItsRunPassesInOrderOnATargetOfItsKind() {
        Set<String> processes = Set.of("capture", "rebalancer", "topology-1", "topology-2", "writer-pg1",
                "writer-maria1", "writer-pg2", "writer-maria2");
        for (ChaosPlan plan : plans(500)) {
            assertThat(plan.faults()).hasSizeBetween(1, 4);
            assertThat(plan.faults().stream().filter(f -> f.kind() == Kind.PARTITION)).hasSizeLessThan(2);
            assertThat(plan.added()).isIn("pg2", "maria2");
            List<Stage> stages = ChaosPlan.stages(plan.ending());
            assertThat(plan.faults()).extracting(Fault::stage).allMatch(stages::contains).isSorted();
            for (Fault fault : plan.faults()) {
                switch (fault.kind()) {
                    case KILL_PROCESS, PAUSE_PROCESS, PARTITION -> assertThat(fault.target()).isIn(processes);
                    case KILL_DATABASE -> assertThat(fault.target()).isIn(ChaosRun.SHARDS);
                    case KILL_BROKER -> assertThat(fault.target()).isIn("broker-1", "broker-2", "broker-3");
                    case STOP_TARGET_DATABASE -> assertThat(fault.target()).isEqualTo(plan.added());
                }
            }
        }
    }

    @Test
    void aMachineWithoutPartitionsDrawsTheSameRunsButForThem() {
        for (long seed = 0; seed < 200; seed++) {
            ChaosPlan with = ChaosRun.plan(seed, true);
            ChaosPlan without = ChaosRun.plan(seed, false);
            assertThat(without.faults()).noneMatch(f -> f.kind() == Kind.PARTITION);
            assertThat(with.faults().stream().filter(f -> f.kind() != Kind.PARTITION).toList())
                    .isEqualTo(without.faults());
            assertThat(with.added()).isEqualTo(without.added());
            assertThat(with.ending()).isEqualTo(without.ending());
        }
    }

    @Test
    void fiftyRunsCoverEveryKindOfFaultEveryStepAndEveryEnding() {
        Set<Kind> kinds = EnumSet.noneOf(Kind.class);
        Set<Stage> stages = EnumSet.noneOf(Stage.class);
        Set<Ending> endings = EnumSet.noneOf(Ending.class);
        for (ChaosPlan plan : plans(50)) {
            endings.add(plan.ending());
            plan.faults().forEach(f -> {
                kinds.add(f.kind());
                stages.add(f.stage());
            });
        }
        assertThat(kinds).containsExactlyInAnyOrder(Kind.values());
        assertThat(endings).containsExactlyInAnyOrder(Ending.values());
        assertThat(stages).containsExactlyInAnyOrder(Stage.values());
    }
}
