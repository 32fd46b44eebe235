package dev.shardflow.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shardflow.cli.ExitCodes;
import dev.shardflow.cli.ShardctlRun;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.topology.workflow.Planner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code shardctl quickstart} with small sizes, as a new user runs it: Kafka, two MariaDB and three PostgreSQL
 * shards, the shop loaded, a live 4 → 5 rebalance across engines while an application writes, and a report in which
 * every check passed. With {@code --keep-running} everything stays up, and an operator takes two more rebalances
 * through every step with {@code shardctl} — one rolled back after its cutover, one completed — and finds a row put
 * on a shard that does not own it. Bad sizes fail before anything starts.
 */
class QuickstartIT {
    private static final StringWriter OUT = new StringWriter();
    private static final AtomicInteger EXIT = new AtomicInteger(-1);
    private static Thread quickstart;
    private static String[] api;
    private static Path topologyFile;
    private static String kafka;

    @BeforeAll
    static void start() {
        quickstart = new Thread(() -> {
            CommandLine commandLine = QuickstartMain.commandLine();
            commandLine.setOut(new PrintWriter(OUT, true));
            EXIT.set(commandLine.execute("--users", "2000", "--orders", "6000", "--writes-per-second",
                    "40", "--api-port", "0", "--ddl-demo", "--keep-running"));
        }, "quickstart");
        quickstart.start();
        await("the quickstart's report").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1))
                .until(() -> OUT.toString().contains("everything stays up") || !quickstart.isAlive());
        String report = OUT.toString();
        assertThat(report).as("exit %d: %s", EXIT.get(), report).contains("everything stays up");
        api = new String[] {"--api", "http://127.0.0.1:" + group(report, "dashboard +http://127\\.0\\.0\\.1:(\\d+)/"),
                "--token-file", group(report, "SHARDFLOW_API_TOKEN=\\$\\(cat (\\S+)\\)")};
        topologyFile = Path.of(group(report, "topology +(\\S+) "));
        kafka = group(report, "kafka +(\\S+)");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (quickstart != null) {
            quickstart.interrupt();
            quickstart.join(Duration.ofMinutes(1).toMillis());
        }
    }

    private static String group(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("'%s' in %s", regex, text).isTrue();
        return matcher.group(1);
    }

    private static ShardctlRun shardctl(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(api));
        return ShardctlRun.of(all.toArray(String[]::new));
    }

    @Test
    void aLiveRebalanceAcrossEnginesEndsWithEveryCheckPassed() {
        String report = OUT.toString();
        assertThat(report).contains("plan r2-", "copy done", "cutover: epoch 2 in force", "quickstart report",
                "0 mismatches, 0 unsettled", "0 orphans", "6,000 rows for 6,000 orders", "all checks passed");
        // a column added on every source mid-copy reached the new shard, with the values of the users that moved
        assertThat(report).contains("ddl demo                users.nickname on pg3: varchar(40); 50 of 50 users "
                + "moved with their nickname\n  dead letters            0\n");
        assertThat(report).containsPattern("present afterwards +(\\d[\\d,]*) of \\1 users")
                .containsPattern("complete: [\\d,]+ moved rows deleted from their old owners")
                // the move's rate beside the new shard's own, measured before the move, and verify's and cleanup's
                .containsPattern("copy +[\\d,]+ moved rows/s \\(\\d+ % of a plain upsert into the new shard, "
                        + "[\\d,]+ rows/s\\)")
                .containsPattern("verify \\(moving rows\\) +[\\d,]+ rows compared in [\\d.]+ s "
                        + "\\([\\d,]+ rows/s\\)")
                .containsPattern("cleanup +[\\d,]+ deleted rows/s");
    }

    @Test
    void anOperatorTakesRebalancesThroughEveryStepFromTheCommandLine() throws Exception {
        ShardctlRun shown = shardctl("topology", "show");
        assertThat(shown.exit()).as(shown.err()).isZero();
        assertThat(shown.out()).startsWith("shop epoch 2 STEADY").contains("pg3");

        ShardctlRun all = shardctl("rebalance", "verify", "--all", "--output", "json");
        assertThat(all.exit()).as(all.out() + all.err()).isZero();
        assertThat(all.json().path("orphans").asLong()).isZero();
        assertThat(all.json().path("rowsCompared").asLong()).isPositive();

        // a whole new topology file: pg1 with twice the weight; started, verified, cut over, and rolled back
        Path next = topologyFile.resolveSibling("heavier-pg1.yaml");
        Files.writeString(next, Planner.plan(Files.readString(topologyFile), new Planner.Request(List.of(), List.of(),
                Map.of("pg1", 2.0), null)).document());
        ShardctlRun applied = shardctl("topology", "apply", next.toString());
        assertThat(applied.exit()).as(applied.err()).isZero();
        String first = group(applied.out(), "planned (\\S+) +PLANNED");
        runToCutover(first, false);
        ShardctlRun rollback = shardctl("rebalance", "rollback", first);
        assertThat(rollback.exit()).as(rollback.err()).isZero();
        assertThat(watch(first).out()).contains(first + "  ROLLED_BACK");

        // by flags: pg2 heavier; started, verified, cut over, and completed
        ShardctlRun planned = shardctl("rebalance", "plan", "--weight", "pg2=2");
        assertThat(planned.exit()).as(planned.err()).isZero();
        assertThat(planned.out()).containsPattern("-> pg2 +\\d");
        String second = group(planned.out(), "planned (\\S+) +PLANNED");
        runToCutover(second, true);
        ShardctlRun complete = shardctl("rebalance", "complete", second);
        assertThat(complete.exit()).as(complete.err()).isZero();
        assertThat(watch(second).out()).contains(second + "  COMPLETED");
        assertThat(shardctl("topology", "show").out()).containsPattern("^shop epoch \\d+ STEADY").contains("pg2");

        // pg3 loses its rows (a TRUNCATE, which capture does not see) and is rebuilt from the change topics, its
        // writes held at the routers meanwhile; the file is epoch 2, the rows it owns now are decided by the epoch in force
        ShardSpec pg3 = TopologyLoader.load(topologyFile).shard("pg3").orElseThrow();
        long users = count(pg3, "users");
        long orders = count(pg3, "orders");
        assertThat(users).isPositive();
        execute(pg3, "TRUNCATE users, orders");
        ShardctlRun rebuilt = shardctl("replay", "--shard", "pg3", "--hold", "--topology", topologyFile.toString(),
                "--kafka", kafka);
        assertThat(rebuilt.exit()).as(rebuilt.out() + rebuilt.err()).isZero();
        assertThat(rebuilt.out()).contains("is in force (", "writes to pg3 are held", "0 mismatch(es)",
                "writes to pg3 released");
        assertThat(count(pg3, "users")).isEqualTo(users);
        assertThat(count(pg3, "orders")).isEqualTo(orders);

        // a user put by hand on a shard that does not own it is found, with exit code 3
        long key = 9_000_001;
        while (ownerInForce(key).equals("pg2")) {
            key++;
        }
        ShardSpec pg2 = TopologyLoader.load(topologyFile).shard("pg2").orElseThrow();
        execute(pg2, "INSERT INTO users (id, username, email, country, created_at, version) VALUES (" + key
                + ", 'stray', 'stray@example.com', 'NL', now(), 1)");
        ShardctlRun stray = shardctl("rebalance", "verify", "--all");
        assertThat(stray.exit()).as(stray.out() + stray.err()).isEqualTo(ExitCodes.MISMATCH);
        assertThat(stray.out()).contains("1 orphans", "ORPHAN users");
        assertThat(stray.out() + stray.err()).doesNotContain(pg2.password().resolve());
    }

    private static void execute(ShardSpec shard, String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(shard.jdbcUrl(), shard.user(),
                shard.password().resolve()); Statement statement = connection.createStatement()) {
            statement.executeUpdate(sql);
        }
    }

    private static long count(ShardSpec shard, String table) throws Exception {
        try (Connection connection = DriverManager.getConnection(shard.jdbcUrl(), shard.user(),
                shard.password().resolve()); Statement statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** The shard that owns a key at the epoch in force, as the topology service answers {@code /api/route}. */
    private static String ownerInForce(long key) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api[1]
                + "/api/route?key=" + key)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return EventJson.mapper().readTree(answer.body()).path("shard").asText();
    }

    /**
     * Start, watch until caught up, verify clean — or, without {@code verify}, see the cutover refused and force it —
     * and cut over (again while the catch-up is not close enough).
     */
    private static void runToCutover(String id, boolean verify) throws Exception {
        ShardctlRun started = shardctl("rebalance", "start", id);
        assertThat(started.exit()).as(started.err()).isZero();
        assertThat(started.out()).startsWith(id + "  COPYING");

        ShardctlRun watched = shardctl("rebalance", "status", id, "--watch", "--until", "catching_up", "--interval",
                "0.5");
        assertThat(watched.exit()).as(watched.err()).isZero();
        assertThat(watched.out()).contains(id + "  CATCHING_UP");

        if (verify) {
            ShardctlRun verified = shardctl("rebalance", "verify", id);
            assertThat(verified.exit()).as(verified.out() + verified.err()).isZero();
            assertThat(verified.out()).contains("0 mismatches", ": clean");
        } else {
            ShardctlRun refused = shardctl("rebalance", "cutover", id);
            assertThat(refused.exit()).as(refused.out()).isNotZero();
            assertThat(refused.err()).contains("no verify has run since the catch-up began", "--force");
        }

        ShardctlRun[] cutover = new ShardctlRun[1];
        await("cutover of " + id).atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            cutover[0] = verify ? shardctl("rebalance", "cutover", id)
                    : shardctl("rebalance", "cutover", id, "--force");
            return cutover[0].exit() == 0;
        });
        assertThat(cutover[0].out()).contains(id + "  CUT_OVER");
        JsonNode status = shardctl("rebalance", "status", id, "--output", "json").json();
        assertThat(status.path("rebalance").path("fences").get(0).path("pauseMs").asLong()).isPositive();
        if (!verify) {
            assertThat(status.path("rebalance").path("history").toString()).contains("forced by the operator");
        }
    }

    private static ShardctlRun watch(String id) {
        ShardctlRun watched = shardctl("rebalance", "status", id, "--watch", "--interval", "0.5");
        assertThat(watched.exit()).as(watched.err()).isZero();
        return watched;
    }

    @Test
    void badSizesAreRefusedBeforeAnythingStarts() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = QuickstartMain.commandLine();
        commandLine.setErr(new PrintWriter(err, true));
        assertThat(commandLine.execute("--engines", "oracle")).isEqualTo(QuickstartMain.FAILED);
        assertThat(err.toString()).contains("--engines", "mixed, postgresql or mariadb");
        assertThat(commandLine.execute("--shards", "0")).isEqualTo(QuickstartMain.FAILED);
        assertThat(commandLine.execute("--users", "many")).as("bad usage").isEqualTo(2);
        assertThat(err.toString()).contains("Usage:");
    }
}
