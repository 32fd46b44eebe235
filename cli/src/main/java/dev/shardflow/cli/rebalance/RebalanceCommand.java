package dev.shardflow.cli.rebalance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shardflow.cli.ExitCodes;
import dev.shardflow.cli.api.ApiCommand;
import dev.shardflow.topology.workflow.RebalanceState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code shardctl rebalance}: every step of a rebalance, over the topology service's API. */
@Command(name = "rebalance", mixinStandardHelpOptions = true,
        description = "Plan, run, verify and finish a rebalance through the topology service.",
        subcommands = {RebalanceCommand.Plan.class, RebalanceCommand.Step.Start.class, RebalanceCommand.Status.class,
                RebalanceCommand.Verify.class, RebalanceCommand.Step.Cutover.class,
                RebalanceCommand.Step.Complete.class, RebalanceCommand.Step.Cancel.class,
                RebalanceCommand.Step.Rollback.class, RebalanceCommand.Step.Pause.class,
                RebalanceCommand.Step.Resume.class, RebalanceCommand.Step.Throttle.class})
public final class RebalanceCommand {

    private RebalanceCommand() {}

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "Plan the next epoch: add shards, remove shards or change weights; shows what moves.")
    static final class Plan extends ApiCommand {
        @Option(names = "--add", paramLabel = "ID", split = ",", description = "Shards to add to the ring (declared in "
                + "the topology).")
        List<String> add = new ArrayList<>();

        @Option(names = "--remove", paramLabel = "ID", split = ",", description = "Shards to take out of the ring.")
        List<String> remove = new ArrayList<>();

        @Option(names = "--weight", paramLabel = "ID=WEIGHT", description = "A new weight for a shard.")
        Map<String, Double> weights = new LinkedHashMap<>();

        @Option(names = "--dry-run", description = "Print what would be planned, and create nothing.")
        boolean dryRun;

        @Override
        public Integer call() {
            if (add.isEmpty() && remove.isEmpty() && weights.isEmpty()) {
                throw new IllegalArgumentException("say what changes: --add ID, --remove ID or --weight ID=WEIGHT");
            }
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("add", add);
            request.put("remove", remove);
            request.put("weights", weights);
            if (dryRun) {
                request.put("dryRun", true);
                output.print(out(), api.client().post("api/rebalances", request),
                        r -> "would plan " + RebalanceText.plan(r) + "\n(dry run: nothing was created)");
                return ExitCodes.OK;
            }
            output.print(out(), api.client().post("api/rebalances", request),
                    r -> "planned " + RebalanceText.rebalance(r) + "\nnext: shardctl rebalance start "
                            + r.path("id").asText());
            return ExitCodes.OK;
        }
    }

    /** A step that takes the rebalance's id and changes its state: the API's action is the subcommand's name. */
    abstract static class Step extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The rebalance.")
        String id;

        @Override
        public Integer call() {
            output.print(out(), api.client().post("api/rebalances/" + id + "/" + spec.name(), body()),
                    RebalanceText::rebalance);
            return ExitCodes.OK;
        }

        /** The request's body: none, unless the step takes options. */
        Object body() {
            return null;
        }

        @Command(name = "start", mixinStandardHelpOptions = true,
                description = "Start copying the moving keys from the change topics, then keep them caught up.")
        static final class Start extends Step {}

        @Command(name = "cutover", mixinStandardHelpOptions = true,
                description = "Fenced cutover: writes to moving keys pause while the last of them arrive, then the "
                        + "next epoch is in force. Refused until a verify since the catch-up was clean.")
        static final class Cutover extends Step {
            @Option(names = "--force", description = "Cut over although no clean verify ran since the catch-up "
                    + "began; the rebalance's history records it, with what verify had not shown.")
            boolean force;

            @Override
            Object body() {
                return force ? Map.of("force", true) : null;
            }
        }

        @Command(name = "complete", mixinStandardHelpOptions = true,
                description = "Stop replicating back and delete moved rows from their old owners.")
        static final class Complete extends Step {}

        @Command(name = "cancel", mixinStandardHelpOptions = true,
                description = "Before cutover: the previous layout stays, copied rows are deleted.")
        static final class Cancel extends Step {}

        @Command(name = "rollback", mixinStandardHelpOptions = true,
                description = "After cutover, before complete: a reverse cutover to the previous layout.")
        static final class Rollback extends Step {}

        @Command(name = "pause", mixinStandardHelpOptions = true,
                description = "The move forwards nothing until resumed; copy and catch-up resume where they stopped. "
                        + "Cutover waits for resume.")
        static final class Pause extends Step {}

        @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a paused move.")
        static final class Resume extends Step {}

        @Command(name = "throttle", mixinStandardHelpOptions = true,
                description = "Limit how many change records per second the move forwards, while it runs.")
        static final class Throttle extends Step {
            @Option(names = "--max-rows-per-second", paramLabel = "N", required = true,
                    description = "The most change records per second; 0 lifts the limit.")
            long maxRowsPerSecond;

            @Override
            Object body() {
                if (maxRowsPerSecond < 0) {
                    throw new IllegalArgumentException("--max-rows-per-second: give 0 (no limit) or more, was "
                            + maxRowsPerSecond);
                }
                return Map.of("maxRowsPerSecond", maxRowsPerSecond);
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "State, copy progress, lag, verify and fences of a rebalance (default: the latest).")
    static final class Status extends ApiCommand {
        @Parameters(paramLabel = "ID", arity = "0..1", description = "The rebalance (default: the latest).")
        String id;

        @Option(names = "--watch", description = "Refresh until the rebalance is over (Ctrl-C to stop watching).")
        boolean watch;

        @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "2",
                description = "Seconds between refreshes with --watch (default ${DEFAULT-VALUE}).")
        double interval;

        @Option(names = "--until", paramLabel = "STATE", split = ",",
                description = "With --watch: stop watching when the rebalance reaches one of these states too (e.g. "
                        + "CATCHING_UP to script the next step), not only when it is over.")
        Set<String> until = Set.of();

        @Override
        public Integer call() throws InterruptedException {
            var client = api.client();
            Set<RebalanceState> stopAt = EnumSet.noneOf(RebalanceState.class);
            for (String state : until) {
                stopAt.add(state(state.toUpperCase(Locale.ROOT)).orElseThrow(() -> new IllegalArgumentException(
                        "--until: no state " + state + "; one of " + Arrays.toString(RebalanceState.values()))));
            }
            String rebalance = id;
            if (rebalance == null) {
                JsonNode all = client.get("api/rebalances");
                if (all.isEmpty()) {
                    out().println("no rebalance yet; plan one with: shardctl rebalance plan --add ID");
                    out().flush();
                    return ExitCodes.OK;
                }
                rebalance = all.get(0).path("id").asText();
            }
            long firstAt = 0;
            long firstDone = -1;
            while (true) {
                JsonNode status = client.get("api/rebalances/" + rebalance);
                long now = System.nanoTime();
                long done = status.path("copy").path("done").asLong(-1);
                if (firstDone < 0 && done >= 0) {
                    firstAt = now;
                    firstDone = done;
                }
                double rate = done > firstDone && now > firstAt ? (done - firstDone) / ((now - firstAt) / 1e9) : 0;
                output.print(out(), status, s -> RebalanceText.status(s, rate));
                Optional<RebalanceState> state = state(status.path("rebalance").path("state").asText());
                if (!watch || state.filter(s -> s.terminal() || stopAt.contains(s)).isPresent()) {
                    return ExitCodes.OK;
                }
                Thread.sleep(Duration.ofMillis(Math.round(interval * 1000)).toMillis());
            }
        }

        /** The state of this name; empty for one this command does not know (a newer service's). */
        private static Optional<RebalanceState> state(String name) {
            return Arrays.stream(RebalanceState.values()).filter(known -> known.name().equals(name)).findFirst();
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Compare the moving rows on both sides under writes; --all: every shard and table. Exit "
                    + "code 3 when anything differs.")
    static final class Verify extends ApiCommand {
        @Parameters(paramLabel = "ID", arity = "0..1", description = "The rebalance (not with --all).")
        String id;

        @Option(names = "--all", description = "Every row of every shard against its owner, and reference tables.")
        boolean all;

        @Override
        public Integer call() {
            if (all == (id != null)) {
                throw new IllegalArgumentException("give the rebalance's id, or --all");
            }
            var client = api.client();
            JsonNode job = all ? client.post("api/verify", Map.of("all", true))
                    : client.post("api/rebalances/" + id + "/verify", null);
            String jobId = job.path("id").asText();
            if (!output.json()) {
                out().println("verify " + jobId + " started (" + job.path("scope").asText() + "); following it");
                out().flush();
            }
            JsonNode ended = follow(client, jobId);
            if (ended.path("state").asText().equals("FAILED")) {
                throw new IllegalStateException("verify " + jobId + " failed: " + ended.path("error").asText());
            }
            JsonNode report = ended.path("report");
            output.print(out(), report, r -> "verify: " + RebalanceText.report(r));
            return RebalanceText.clean(report) ? ExitCodes.OK : ExitCodes.MISMATCH;
        }

        /**
         * Reads the job every two seconds, printing its progress, until it ended; a verify outlives any one request,
         * and a lost answer is only asked again.
         */
        private JsonNode follow(dev.shardflow.cli.api.ApiClient client, String jobId) {
            while (true) {
                JsonNode status = client.get("api/verify");
                JsonNode job = status.path("job");
                if (!job.path("id").asText().equals(jobId)) {
                    throw new IllegalStateException("verify " + jobId + " is no longer the service's job (a new "
                            + "leader?); run verify again");
                }
                if (!job.path("state").asText().equals("RUNNING")) {
                    return job;
                }
                JsonNode p = status.path("progress");
                if (!output.json() && p.isObject() && !p.path("done").asBoolean()) {
                    out().println("verify " + RebalanceText.verifyProgress(p));
                    out().flush();
                }
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while following verify " + jobId, e);
                }
            }
        }
    }
}
