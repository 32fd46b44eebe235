package dev.shardflow.bench.chaos;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What one chaos run does, drawn from its seed alone, so that a seed replays the same run: which shard joins the
 * ring, how the rebalance ends, and which faults strike at which step of the workflow.
 *
 * @param seed the run's seed
 * @param added the shard the rebalance adds
 * @param ending how the rebalance ends once cut over, or that it is cancelled before
 * @param faults the faults, in the order of the steps they strike at
 */
public record ChaosPlan(long seed, String added, Ending ending, List<Fault> faults) {

    /** How a run's rebalance ends. */
    public enum Ending { COMPLETE, ROLLBACK, CANCEL }

    /** The steps of the workflow a fault can strike at, in the order a run passes them. */
    public enum Stage { PLAN, COPY, CATCH_UP, VERIFY, FENCE, CUTOVER, COMPLETE, ROLLBACK, CANCEL }

    /** The kinds of fault. */
    public enum Kind {
        /** SIGKILL of a shardflow process; its supervisor starts it again. */
        KILL_PROCESS,
        /** SIGKILL of a database server, started again a moment later. */
        KILL_DATABASE,
        /** SIGKILL of a Kafka broker, started again later. */
        KILL_BROKER,
        /** SIGSTOP of a shardflow process for longer than its session timeout, then SIGCONT. */
        PAUSE_PROCESS,
        /** A target database shut down for 30 s, then started again. */
        STOP_TARGET_DATABASE,
        /**
         * A shardflow process cut off from Kafka and every database (its network namespace's link down) for longer
         * than its session timeout, then joined again. Drawn only where the machine allows it ({@link Partition}).
         */
        PARTITION
    }

    /** The kinds drawn for every run; {@link Kind#PARTITION} is drawn apart, where the machine allows it. */
    private static final List<Kind> ALWAYS = List.of(Kind.KILL_PROCESS, Kind.KILL_DATABASE, Kind.KILL_BROKER,
            Kind.PAUSE_PROCESS, Kind.STOP_TARGET_DATABASE);

    /** One fault: its kind, what it strikes (a process, shard or broker name), and when. */
    public record Fault(Kind kind, String target, Stage stage) {
        @Override
        public String toString() {
            return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + target + " at " + stage.name()
                    .toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public ChaosPlan {
        faults = List.copyOf(faults);
    }

    /**
     * Draws a run: the shard added is {@code candidates}' pick; one to three faults, each at a step this run's ending
     * passes through, on a target of its kind; and where {@code partitions}, in a third of the runs a partition of
     * one process besides, drawn from a second stream of the seed so that the other draws are the same either way.
     *
     * @param shards every shard: the ring before the run and the one that joins
     * @param candidates the shards that may join
     * @param processes the shardflow processes of the fleet, by name (writers named {@code writer-<shard>})
     * @param brokers how many Kafka brokers there are
     * @param partitions whether this machine can cut a process off the network
     */
    public static ChaosPlan draw(long seed, List<String> shards, List<String> candidates, List<String> processes,
            int brokers, boolean partitions) {
        SplittableRandom random = new SplittableRandom(seed);
        String added = candidates.get(random.nextInt(candidates.size()));
        int endingDraw = random.nextInt(10);
        Ending ending = endingDraw < 6 ? Ending.COMPLETE : endingDraw < 9 ? Ending.ROLLBACK : Ending.CANCEL;
        List<Stage> stages = stages(ending);
        int count = 1 + random.nextInt(3);
        List<Fault> faults = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Kind kind = ALWAYS.get(random.nextInt(ALWAYS.size()));
            Stage stage = stages.get(random.nextInt(stages.size()));
            String target = switch (kind) {
                case KILL_PROCESS, PAUSE_PROCESS -> processes.get(random.nextInt(processes.size()));
                case KILL_DATABASE -> shards.get(random.nextInt(shards.size()));
                case KILL_BROKER -> "broker-" + (1 + random.nextInt(brokers));
                case STOP_TARGET_DATABASE -> added;
                case PARTITION -> throw new IllegalStateException("drawn apart");
            };
            faults.add(new Fault(kind, target, stage));
        }
        SplittableRandom apart = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        if (partitions && apart.nextInt(3) == 0) {
            faults.add(new Fault(Kind.PARTITION, processes.get(apart.nextInt(processes.size())),
                    stages.get(apart.nextInt(stages.size()))));
        }
        faults.sort(Comparator.comparing(Fault::stage));
        return new ChaosPlan(seed, added, ending, faults);
    }

    /** The steps a run with {@code ending} passes through, in order. */
    public static List<Stage> stages(Ending ending) {
        return switch (ending) {
            case COMPLETE -> List.of(Stage.PLAN, Stage.COPY, Stage.CATCH_UP, Stage.VERIFY, Stage.FENCE, Stage.CUTOVER,
                    Stage.COMPLETE);
            case ROLLBACK -> List.of(Stage.PLAN, Stage.COPY, Stage.CATCH_UP, Stage.VERIFY, Stage.FENCE, Stage.CUTOVER,
                    Stage.ROLLBACK);
            case CANCEL -> List.of(Stage.PLAN, Stage.COPY, Stage.CATCH_UP, Stage.CANCEL);
        };
    }

    /** The process a partition fault cuts off, if the run has one: it runs in the namespace from the start. */
    public java.util.Optional<String> partitioned() {
        return faults.stream().filter(f -> f.kind() == Kind.PARTITION).map(Fault::target).findFirst();
    }

    /** The faults that strike at {@code stage}. */
    public List<Fault> at(Stage stage) {
        return faults.stream().filter(f -> f.stage() == stage).toList();
    }

    @Override
    public String toString() {
        return "seed " + seed + ": add " + added + ", then " + ending.name().toLowerCase(java.util.Locale.ROOT)
                + "; faults " + faults;
    }
}
