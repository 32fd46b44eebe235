package dev.shardflow.bench.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shardflow.bench.chaos.ChaosPlan.Ending;
import dev.shardflow.bench.chaos.ChaosPlan.Stage;
import dev.shardflow.cli.api.ApiClient;
import dev.shardflow.cli.api.ApiException;
import dev.shardflow.cli.rebalance.RebalanceText;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a run's rebalance through the topology services' API as an operator would, to the plan's ending, whichever
 * instance leads: it reads the rebalance's state, takes the next step, and tries again when a step is refused or the
 * service does not answer. It strikes each of the plan's faults when the workflow reaches its stage — faults at the
 * fence, at complete and at rollback strike while that step runs.
 */
final class Driver {
    private static final Logger log = LoggerFactory.getLogger(Driver.class);

    private final List<ApiClient> apis;
    private final ChaosPlan plan;
    private final Map<String, List<String>> request;
    private final Faults faults;
    private final SplittableRandom random;
    private final Set<Stage> struck = EnumSet.noneOf(Stage.class);
    private String id;
    private String lastState = "not planned";
    private long pauseMs;
    private boolean forced;
    private int preferred;
    private int unsettledVerifies;
    private String lastUnsettledJob;

    Driver(Fleet fleet, ChaosPlan plan, Faults faults) {
        this(fleet, plan, faults, Map.of("add", List.of(plan.added())));
    }

    /** @param request what the rebalance changes, as the API's plan request: {@code add} or {@code remove} shards */
    Driver(Fleet fleet, ChaosPlan plan, Faults faults, Map<String, List<String>> request) {
        this.request = Map.copyOf(request);
        this.apis = List.of(new ApiClient(fleet.api(1), fleet.token(), Duration.ofSeconds(60)),
                new ApiClient(fleet.api(2), fleet.token(), Duration.ofSeconds(60)));
        this.plan = plan;
        this.faults = faults;
        this.random = new SplittableRandom(plan.seed() ^ 0x5DEECE66DL);
    }

    /** The rebalance's last state seen, or {@code STUCK} when it did not end within {@code deadline}. */
    String drive(Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            try {
                if (id == null) {
                    strike(Stage.PLAN, 0);
                    id = planOrFind();
                    log.info("chaos: planned {} ({})", id, request);
                    continue;
                }
                JsonNode status = call(api -> api.get("api/rebalances/" + id));
                JsonNode rebalance = status.has("rebalance") ? status.get("rebalance") : status;
                String state = rebalance.path("state").asText();
                if (!state.equals(lastState)) {
                    log.info("chaos: rebalance {} is {}", id, state);
                    lastState = state;
                }
                if (step(state, rebalance)) {
                    return state;
                }
            } catch (ApiException e) {
                log.info("chaos: {} (tried again)", e.getMessage());
            }
            Thread.sleep(500);
        }
        return "STUCK";
    }

    /**
     * Plans the rebalance; when the service refuses because one is already planned (a leader that died after it
     * planned, before it answered), takes that one.
     */
    private String planOrFind() {
        try {
            return call(api -> api.post("api/rebalances", request)).path("id").asText();
        } catch (ApiException e) {
            if (e.status() != 409) {
                throw e;
            }
            for (JsonNode rebalance : call(api -> api.get("api/rebalances"))) {
                if (!Set.of("COMPLETED", "CANCELLED", "ROLLED_BACK").contains(rebalance.path("state").asText())) {
                    return rebalance.path("id").asText();
                }
            }
            throw e;
        }
    }

    /** Takes the step that {@code state} calls for; true once the rebalance ended. */
    private boolean step(String state, JsonNode rebalance) {
        switch (state) {
            case "PLANNED" -> call(api -> api.post("api/rebalances/" + id + "/start", null));
            case "COPYING" -> strike(Stage.COPY, 0);
            case "CATCHING_UP", "VERIFIED" -> {
                strike(Stage.CATCH_UP, 0);
                if (plan.ending() == Ending.CANCEL) {
                    strike(Stage.CANCEL, 300);
                    call(api -> api.post("api/rebalances/" + id + "/cancel", null));
                } else {
                    cutOverOrVerify();
                }
            }
            case "CUT_OVER" -> {
                pauseMs = pause(rebalance);
                forced = forced(rebalance);
                strike(Stage.CUTOVER, 0);
                if (plan.ending() == Ending.COMPLETE) {
                    strike(Stage.COMPLETE, 300);
                    call(api -> api.post("api/rebalances/" + id + "/complete", null));
                } else {
                    strike(Stage.ROLLBACK, 300);
                    call(api -> api.post("api/rebalances/" + id + "/rollback", null));
                }
            }
            case "COMPLETED", "CANCELLED", "ROLLED_BACK" -> {
                return true;
            }
            default -> {
                // FENCING, COMPLETING, CANCELLING, ROLLING_BACK, ROLLING_BACK_CLEANUP: the service is at work
            }
        }
        return false;
    }

    /**
     * Cuts over; refused (no clean verify since the catch-up began, or the lag still above its bound), starts a
     * verify unless one runs. The fence's faults strike only at a cutover that follows a clean verify, so that they
     * land in a fence rather than in a refusal.
     */
    private void cutOverOrVerify() {
        JsonNode job = call(api -> api.get("api/verify")).path("job");
        String jobState = job.path("state").asText();
        if (jobState.equals("RUNNING")) {
            return;
        }
        JsonNode report = job.path("report");
        boolean clean = jobState.equals("DONE") && RebalanceText.clean(report);
        // what an operator does when verify finds nothing wrong but keys written too often to compare: after two
        // such verifies, cut over with force (the rebalance's history records it); the harness's checks judge after
        boolean onlyUnsettled = jobState.equals("DONE") && report.path("complete").asBoolean(true)
                && report.path("mismatches").asLong() == 0 && report.path("orphans").asLong() == 0
                && report.path("unsettled").asLong() > 0;
        if (onlyUnsettled && !job.path("id").asText().equals(lastUnsettledJob)) {
            lastUnsettledJob = job.path("id").asText();
            unsettledVerifies++;
        }
        boolean force = unsettledVerifies >= 2;
        try {
            if (clean || force) {
                strike(Stage.FENCE, 200);
            }
            call(api -> api.post("api/rebalances/" + id + "/cutover", force ? Map.of("force", true) : null));
        } catch (ApiException refused) {
            if (refused.status() != 409) {
                throw refused;
            }
            log.info("chaos: cutover refused ({}); verifying", refused.getMessage());
            strike(Stage.VERIFY, 500);
            call(api -> api.post("api/rebalances/" + id + "/verify", null));
        }
    }

    /**
     * What an operator looks at when a move does not end: the rebalance's status and the verify job's state and
     * progress, as the API gives them (JSON, without row values).
     */
    String whereItStands() {
        StringBuilder text = new StringBuilder();
        try {
            if (id != null) {
                JsonNode status = call(api -> api.get("api/rebalances/" + id));
                text.append("status ").append(status.path("rebalance").path("state").asText()).append(", lag ")
                        .append(status.path("lag")).append(", controls ").append(status.path("controls"))
                        .append(", holds ").append(status.path("schemaHolds"));
            }
            JsonNode verify = call(api -> api.get("api/verify"));
            text.append("\n  verify job ").append(verify.path("job").path("id").asText()).append(" ")
                    .append(verify.path("job").path("state").asText()).append(", progress ")
                    .append(verify.path("progress"));
        } catch (RuntimeException e) {
            text.append("\n  the API did not answer: ").append(e.getMessage());
        }
        return text.toString();
    }

    /** Whether the last committed fence was a forced cutover. */
    private static boolean forced(JsonNode rebalance) {
        boolean forced = false;
        for (JsonNode fence : rebalance.path("fences")) {
            if (fence.path("outcome").asText().equals("committed")) {
                forced = fence.path("forced").asBoolean(false);
            }
        }
        return forced;
    }

    /** The pause of the last committed fence, in ms. */
    private static long pause(JsonNode rebalance) {
        long pause = 0;
        for (JsonNode fence : rebalance.path("fences")) {
            if (fence.path("outcome").asText().equals("committed")) {
                pause = fence.path("pauseMs").asLong();
            }
        }
        return pause;
    }

    /** Strikes the faults of {@code stage} once, after up to {@code maxDelayMs} (so they land during the step). */
    private void strike(Stage stage, int maxDelayMs) {
        if (!struck.add(stage)) {
            return;
        }
        long delay = maxDelayMs == 0 ? 0 : random.nextInt(maxDelayMs);
        for (ChaosPlan.Fault fault : plan.at(stage)) {
            if (delay == 0) {
                faults.strike(fault);
            } else {
                Thread timer = new Thread(() -> {
                    try {
                        Thread.sleep(delay);
                        faults.strike(fault);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "chaos-timer");
                timer.setDaemon(true);
                timer.start();
            }
        }
    }

    private interface Call {
        JsonNode on(ApiClient api);
    }

    /**
     * Calls the leading instance: the one that answered last first, the other when it is a standby (503) or does not
     * answer. A refusal (4xx) is the answer.
     */
    private JsonNode call(Call call) {
        ApiException last = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            int index = (preferred + attempt) % 2;
            try {
                JsonNode answer = call.on(apis.get(index));
                preferred = index;
                return answer;
            } catch (ApiException e) {
                if (e.status() >= 400 && e.status() < 500) {
                    preferred = index;
                    throw e;
                }
                last = e;
            } catch (RuntimeException e) {
                last = new ApiException(0, "topology-" + (index + 1) + ": " + e.getMessage());
            }
        }
        throw last;
    }

    long pauseMs() {
        return pauseMs;
    }

    /** Whether the cutover was forced after verifies that found only keys too busy to compare. */
    boolean forced() {
        return forced;
    }

    String lastState() {
        return lastState;
    }
}
