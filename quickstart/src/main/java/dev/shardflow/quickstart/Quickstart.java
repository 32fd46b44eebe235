package dev.shardflow.quickstart;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.shardflow.topology.TopologyService;
import dev.shardflow.router.ShardRouter;
import dev.shardflow.topology.verify.VerifyReport;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.Planner;
import dev.shardflow.topology.workflow.Rebalance;
import dev.shardflow.topology.workflow.RebalanceState;
import dev.shardflow.topology.workflow.WorkflowException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A live rebalance of the sample shop on this machine: an in-JVM Kafka broker and real PostgreSQL and MariaDB shard
 * processes, the shop loaded, capture, rebalancer, writers and the topology service in this process, an application
 * writing through {@link ShardRouter} all along, and then plan, copy, verify, fenced cutover and complete — ending
 * with a report of what moved, how fast, how long writes paused, and whether every acknowledged write is in place.
 */
final class Quickstart implements AutoCloseable {
    /** Change records the move and the writers may have left when verify starts: the quickstart's "caught up". */
    private static final long CAUGHT_UP = 500;

    private final QuickstartSettings settings;
    private final Narration narration;
    private final LocalShop shop;

    Quickstart(QuickstartSettings settings, PrintWriter out) {
        this.settings = settings;
        this.narration = new Narration(out);
        this.shop = new LocalShop(settings, narration);
    }

    QuickstartReport run() throws Exception {
        shop.start();
        TopologyService service = shop.service;
        ShardRouter router = shop.keep(ShardRouter.builder(shop.before, shop.bootstrap).routerId("quickstart").start());
        RouterWrites writes = shop.keep(new RouterWrites(router, settings.users()).start(4,
                settings.writesPerSecond()));
        narration.say("the application writes %d transactions/s through ShardRouter", settings.writesPerSecond());

        double rawUpsert = RawUpsertProbe.rowsPerSecond(shop.shards.get(shop.added));
        narration.say("a plain batched upsert into %s runs at %,.0f rows/s (%,d rows into a scratch table)", shop.added,
                rawUpsert, RawUpsertProbe.ROWS);
        Rebalance plan = service.plan(new Planner.Request(List.of(TextNode.valueOf(shop.added)), null, null, null));
        double ideal = 1.0 / (shop.sources.size() + 1);
        narration.say("plan %s: %.1f %% of the keys move to %s (ideal 1/%d = %.1f %%)", plan.id(),
                100 * plan.plan().movedFraction(), shop.added, shop.sources.size() + 1, 100 * ideal);
        service.perform(plan.id(), Action.START);
        long copyStarted = System.nanoTime();
        DdlDemo ddl = null;
        if (settings.ddlDemo()) {
            ddl = new DdlDemo(shop.sources, shop.shards.get(shop.added));
            ddl.change(shop.before, plan.toTopology(), settings.users() + 1_000_000L);
            narration.say("ddl demo: %s on every source shard, mid-copy, and users with a nickname that move to %s",
                    DdlDemo.STATEMENT, shop.added);
        }
        long copied = copy(service, plan.id(), copyStarted);
        double copySeconds = Narration.seconds(copyStarted);
        long landed = LocalShop.moved(shop.shards.get(shop.added));
        narration.say("copy done in %.1f s: %,d rows on %s", copySeconds, landed, shop.added);
        List<Long> lags = new ArrayList<>();
        catchUp(service, plan.id(), lags);

        Rebalance verified = service.verify(plan.id());
        VerifyReport verify = verified.verification();
        narration.say("verify: %,d rows compared, %d mismatches, %d unsettled, in %.1f s", verify.rowsCompared(),
                verify.mismatches(), verify.unsettled(), verify.elapsedMs() / 1000.0);

        Rebalance cut = cutover(service, plan.id(), lags);
        Rebalance.FenceAttempt fence = cut.fences().get(cut.fences().size() - 1);
        narration.say("cutover: epoch %d in force; writes to moving keys paused %d ms", cut.toTopology().epoch(),
                fence.pauseMs());
        long onSources = onSources();
        long cleanupStarted = System.nanoTime();
        service.perform(plan.id(), Action.COMPLETE);
        while (service.rebalance(plan.id()).orElseThrow().state() != RebalanceState.COMPLETED) {
            Thread.sleep(100);
        }
        double cleanupSeconds = Narration.seconds(cleanupStarted);
        long deleted = onSources - onSources();
        narration.say("complete: %,d moved rows deleted from their old owners in %.1f s", deleted, cleanupSeconds);
        shop.release(writes);
        RouterWrites.Check check = writes.check();
        VerifyReport everything = service.verifyKeyspace(true);
        long movedRows = LocalShop.moved(shop.shards.get(shop.added));
        long viewRows = shop.awaitView();
        DdlDemo.Outcome ddlOutcome = ddl == null ? null : ddl.outcome();
        long deadLetters = shop.deadLetters();
        Path topologyFile = Files.writeString(shop.directory.resolve("topology.yaml"), service.state().orElseThrow()
                .current());
        List<Long> sorted = new ArrayList<>(lags);
        Collections.sort(sorted);
        return new QuickstartReport(settings, movedRows, (double) movedRows / shop.rows(), ideal,
                new QuickstartReport.Rates(landed / copySeconds, copied / copySeconds, rawUpsert,
                        deleted / cleanupSeconds), sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1),
                sorted.isEmpty() ? 0 : sorted.get((int) Math.ceil(0.99 * sorted.size()) - 1), fence.pauseMs(),
                writes.acknowledged(), writes.refused(), check, verify, everything, shop.viewTarget.id(), viewRows,
                ddlOutcome, deadLetters,
                shop.api.port(), shop.tokenFile, topologyFile, shop.bootstrap, narration.elapsed());
    }

    /** Users and orders on the shards the rows move from. */
    private long onSources() throws Exception {
        long rows = 0;
        for (var source : shop.sources.values()) {
            rows += LocalShop.moved(source);
        }
        return rows;
    }

    /** Follows the copy until the rebalance catches up; returns the change records it copied. */
    private long copy(TopologyService service, String id, long copyStarted) throws Exception {
        long copied = 0;
        while (service.rebalance(id).orElseThrow().state() != RebalanceState.CATCHING_UP) {
            var copy = service.moves().copyProgress(id);
            if (copy.isPresent()) {
                copied = copy.get().done();
                narration.progress("copy", "change records", copy.get().done(), copy.get().total(), copyStarted);
            }
            Thread.sleep(500);
        }
        return copied;
    }

    /** Catch-up: the move and the new shard's writers work off what the copy left, while writes go on. */
    private void catchUp(TopologyService service, String id, List<Long> lags) throws Exception {
        long catchUpStarted = System.nanoTime();
        long caughtUpBy = catchUpStarted + 600_000_000_000L;
        while (true) {
            long lag = service.moves().moveLag(id).orElse(0L) + service.moves().writerLag(List.of(shop.added));
            lags.add(lag);
            narration.every2s("  catch-up lag %,d change records", lag);
            if (lag <= CAUGHT_UP || System.nanoTime() > caughtUpBy) {
                break;
            }
            Thread.sleep(500);
        }
        narration.say("caught up in %.1f s (lag %,d change records)", Narration.seconds(catchUpStarted),
                lags.get(lags.size() - 1));
    }

    private Rebalance cutover(TopologyService service, String id, List<Long> lags) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (true) {
            try {
                return service.perform(id, Action.CUTOVER);
            } catch (WorkflowException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                lags.add(service.moves().moveLag(id).orElse(0L));
                narration.say("cutover not yet: %s", e.getMessage());
                Thread.sleep(1_000);
            }
        }
    }

    @Override
    public void close() {
        shop.close();
    }
}
