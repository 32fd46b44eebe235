package dev.shardflow.topology;

import dev.shardflow.core.strategy.ShardKeyText;
import dev.shardflow.core.topology.CopyProgress;
import dev.shardflow.core.topology.Placement;
import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.topology.api.ApiBackend;
import dev.shardflow.topology.api.RingPicture;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.MoveWatch;
import dev.shardflow.topology.workflow.Planner;
import dev.shardflow.topology.workflow.Rebalance;
import dev.shardflow.topology.workflow.SchemaHolds;
import dev.shardflow.topology.workflow.WorkflowException;
import dev.shardflow.topology.workflow.WorkflowException.Kind;
import java.util.List;
import java.util.Map;

/** The API's answers, read from a topology service: the ring, routes, rebalances and their progress. */
public final class TopologyApi implements ApiBackend {
    private final TopologyService service;

    public TopologyApi(TopologyService service) {
        this.service = service;
    }

    @Override
    public Object topology() {
        TopologyState current = service.state().orElseThrow(() -> new WorkflowException(Kind.NOT_FOUND,
                "no topology published yet for " + service.keyspace()));
        var topology = current.currentTopology();
        var other = current.otherTopology();
        Map<String, Double> shares = topology.strategy() instanceof dev.shardflow.core.ring.HashRing ring
                ? ring.tokenShares() : Map.of();
        List<Map<String, Object>> shards = topology.strategy().shards().stream().map(id -> Map.<String, Object>of(
                "id", id, "engine", topology.shard(id).map(s -> s.engine().configName()).orElse("?"),
                "share", shares.getOrDefault(id, 0.0))).toList();
        Map<String, Object> answer = new java.util.LinkedHashMap<>();
        answer.put("keyspace", service.keyspace());
        answer.put("epoch", topology.epoch());
        answer.put("phase", current.phase());
        answer.put("rebalance", current.rebalanceId());
        answer.put("fence", current.fence());
        answer.put("held", current.held());
        answer.put("shards", shards);
        answer.put("ring", RingPicture.of(topology.strategy(), other == null ? null : other.strategy()));
        return answer;
    }

    @Override
    public Object rows(double maxShare) {
        TopologyState current = service.state().orElseThrow(() -> new WorkflowException(Kind.NOT_FOUND,
                "no topology published yet for " + service.keyspace()));
        return service.rows(current, maxShare);
    }

    @Override
    public Object route(String key) {
        TopologyState current = service.state().orElseThrow(() -> new WorkflowException(Kind.NOT_FOUND,
                "no topology published yet for " + service.keyspace()));
        return routeOf(current, key);
    }

    /** The API's answer to where {@code key} (as text, read by {@link ShardKeyText}) lives under {@code state}. */
    public static Map<String, Object> routeOf(TopologyState state, String key) {
        Object shardKey = ShardKeyText.parse(key);
        Placement placement = state.placement();
        String owner;
        boolean moving;
        try {
            owner = placement.ownerOf(shardKey);
            moving = placement.moving(shardKey);
        } catch (IllegalArgumentException e) {
            throw new WorkflowException(Kind.INVALID, "key " + key + " cannot be placed: " + e.getMessage(), e);
        }
        Map<String, Object> answer = new java.util.LinkedHashMap<>();
        answer.put("key", key);
        answer.put("shard", owner);
        answer.put("epoch", placement.current().epoch());
        answer.put("moving", moving);
        return answer;
    }

    @Override
    public Object rebalanceList(boolean withRows) {
        return service.rebalances().values().stream()
                .sorted(java.util.Comparator.comparingLong(Rebalance::createdAtMs).reversed())
                .map(r -> withRows ? r : r.withoutRows()).toList();
    }

    @Override
    public Map<String, Object> status(String rebalanceId, boolean withRows) {
        Rebalance rebalance = service.rebalance(rebalanceId).orElseThrow(() -> new WorkflowException(Kind.NOT_FOUND,
                "no rebalance " + rebalanceId));
        Map<String, Object> answer = new java.util.LinkedHashMap<>();
        answer.put("rebalance", withRows ? rebalance : rebalance.withoutRows());
        if (!withRows && rebalance.verification() != null && !rebalance.verification().sample().isEmpty()) {
            answer.put("rowsHidden", "the differing rows are shown to callers with the API token");
        }
        service.verifyRuns().progress().filter(p -> !p.done()).ifPresent(p -> answer.put("verifyProgress", p));
        service.state().filter(s -> rebalanceId.equals(s.rebalanceId()))
                .ifPresent(s -> answer.put("controls", s.controls()));
        if (!rebalance.state().terminal()) {
            try {
                List<SchemaHolds.Hold> holds = service.schemaHolds(rebalanceId);
                if (!holds.isEmpty()) {
                    answer.put("schemaHolds", holds);
                }
            } catch (RuntimeException e) {
                answer.put("schemaHoldsError", "cannot read the held schema changes: " + e.getMessage());
            }
        }
        try {
            MoveWatch.Figures figures = service.moves().figures(rebalance);
            CopyProgress copy = figures.copy();
            answer.put("copy", copy == null ? null : Map.of("done", copy.done(), "total", copy.total(),
                    "fraction", copy.fraction()));
            if (figures.lag() != null) {
                answer.put("lag", figures.lag());
            }
        } catch (Exception e) {
            answer.put("progressError", e.getMessage());
        }
        return answer;
    }



    @Override
    public Object hold(String shard, boolean held) {
        TopologyState state = service.hold(shard, held);
        Map<String, Object> answer = new java.util.LinkedHashMap<>();
        answer.put("shard", shard);
        answer.put("writes", held ? "held" : "taken");
        answer.put("held", state.held());
        return answer;
    }

    @Override
    public Object verifyStatus() {
        Map<String, Object> answer = new java.util.LinkedHashMap<>();
        answer.put("job", service.verifyJob(true).orElse(null));
        answer.put("progress", service.verifyRuns().progress().orElse(null));
        answer.put("last", service.verifyRuns().last().orElse(null));
        return answer;
    }

    /**
     * Every shard of the ring in force (and of the other ring during a rebalance) with its capture's last report, and
     * whether that report is stale (its process stopped reporting) or its held-back source log above the threshold.
     */
    @Override
    public Object captureStatus() {
        Map<String, dev.shardflow.core.contract.CaptureReport> reports = service.captureReports();
        long now = System.currentTimeMillis();
        List<Map<String, Object>> shards = new java.util.ArrayList<>();
        java.util.Set<String> ids = new java.util.TreeSet<>(reports.keySet());
        service.state().ifPresent(state -> {
            ids.addAll(state.currentTopology().strategy().shards());
            if (state.otherTopology() != null) {
                ids.addAll(state.otherTopology().strategy().shards());
            }
        });
        for (String id : ids) {
            Map<String, Object> shard = new java.util.LinkedHashMap<>();
            shard.put("shard", id);
            var report = reports.get(id);
            if (report == null) {
                shard.put("state", "NO_REPORT");
            } else {
                shard.put("report", report);
                shard.put("stale", report.staleAt(now));
                shard.put("heldBackWarning", report.heldBackWarning());
                shard.put("heldBackText", report.heldBackText());
            }
            shards.add(shard);
        }
        return Map.of("shards", shards);
    }

    /**
     * The last sweep of prepared branches left by crashed coordinators; a standby does not sweep, and says so.
     */
    @Override
    public Object transactions() {
        Map<String, Object> answer = new java.util.LinkedHashMap<>();
        answer.put("leading", service.leading());
        answer.put("sweepIntervalMs", service.workflowSettings().transactionSweepInterval().toMillis());
        answer.put("recoveryAgeMs", service.workflowSettings().transactionRecoveryAge().toMillis());
        answer.put("last", service.transactions().last().orElse(null));
        return answer;
    }

    @Override
    public Object verify(boolean all) {
        return service.startVerifyKeyspace(all);
    }

    @Override
    public Object plan(Planner.Request request, boolean dryRun) {
        return dryRun ? service.preview(request) : service.plan(request);
    }

    @Override
    public Object throttle(String rebalanceId, long maxRowsPerSecond) {
        return service.throttle(rebalanceId, maxRowsPerSecond);
    }

    @Override
    public Object perform(String rebalanceId, Action action, boolean force) {
        if (action == Action.VERIFY) {
            return service.startVerify(rebalanceId);
        }
        return service.perform(rebalanceId, action, force);
    }
}
