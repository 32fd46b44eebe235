package dev.shardflow.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.shardflow.core.config.TopologyLoader;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.Testbed;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.topology.verify.Mismatch;
import dev.shardflow.topology.verify.VerifyReport;
import dev.shardflow.topology.workflow.Action;
import dev.shardflow.topology.workflow.Planner;
import dev.shardflow.topology.workflow.Rebalance;
import dev.shardflow.topology.workflow.RebalanceState;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verify's verdict across engines, as a property over generated values: a table with one column for each type pair
 * a mixed move meets (date-times with and without a zone, the chapter's {@code TIMESTAMP} on both sides, dates,
 * decimals of fixed and of any scale, padded {@code CHAR}, booleans, enums, JSON, binary, text under several
 * collations) is filled with values from a seeded generator on MariaDB and PostgreSQL sources, moved by the real
 * pipeline to a new shard of each engine — every pair of engines — and verified: equal rows compare equal, and each
 * planted difference is reported with its exact kind, counted by table and shard. The MariaDB servers run in a
 * zone that is not UTC, as production servers do.
 */
class CrossEngineVerifyIT {
    private static final Logger log = LoggerFactory.getLogger(CrossEngineVerifyIT.class);
    private static final long SEED = 20261201L;
    private static final int ROWS = 300;
    private static final String[] STATUSES = {"pending", "shipped", "delivered"};
    private static final String TEXT = "aAzZ09 éüßñ漢字🙂-_'\"\\%";

    @Test
    void everyTypePairComparesEqualWhenEqualAndEachPlantedDifferenceIsFoundWithItsKind() throws Exception {
        List<AutoCloseable> running = new ArrayList<>();
        Testbed testbed = Testbed.builder().kafkaBrokers(1).postgresShards(2).mariadbShards(2).start();
        running.add(testbed);
        try {
            for (DatabaseShard shard : testbed.shards()) {
                shard.runScript("dev/shardflow/topology/samples-" + (shard.engine() == Engine.POSTGRESQL
                        ? "postgresql" : "mariadb") + ".sql");
                if (shard.engine() != Engine.POSTGRESQL) {
                    shard.execute("SET GLOBAL time_zone = '+02:00'"); // new sessions: not UTC
                }
            }
            Topology declared = ShopTopology.of(testbed.shards());
            Topology all = new Topology("types", 1, "sf.types", List.of(TableSpec.sharded("samples", List.of("id"),
                    "id")), declared.shards(), declared.strategy());
            String four = Files.readString(ShopTopology.writeYaml(all, Scratch.newDirectory("types")));
            String initial = Planner.plan(four, new Planner.Request(null, List.of("pg2", "maria2"), null, null))
                    .document();
            Topology before = TopologyLoader.parse(initial, "initial", Map.of());
            Topology target = TopologyLoader.parse(four, "four", Map.of());

            Random random = new Random(SEED);
            for (long id = 1; id <= ROWS; id++) {
                insert(Steps.shard(testbed, before.strategy().ownerOf(id)), id, random);
            }
            TopologyService service = Steps.leadingService(initial, testbed.kafka().connection(), "types",
                    running);
            Steps.startPipeline(before, testbed, "types", running);

            Rebalance plan = service.plan(new Planner.Request(List.of(TextNode.valueOf("pg2"),
                    TextNode.valueOf("maria2")), null, null, null));
            service.perform(plan.id(), Action.START);
            // live changes during the copy: new rows and new values in old ones, on both engines
            for (long id = ROWS + 1; id <= ROWS + 100; id++) {
                insert(Steps.shard(testbed, before.strategy().ownerOf(id)), id, random);
            }
            for (long id = 1; id <= 60; id++) {
                DatabaseShard owner = Steps.shard(testbed, before.strategy().ownerOf(id));
                owner.execute("DELETE FROM samples WHERE id = " + id);
                insert(owner, id, random);
            }
            await("copy done").atMost(Duration.ofSeconds(120))
                    .until(() -> service.rebalance(plan.id()).orElseThrow().state() == RebalanceState.CATCHING_UP);

            Map<String, Long> pairs = new java.util.TreeMap<>();
            for (long id = 1; id <= ROWS + 100; id++) {
                String from = before.strategy().ownerOf(id);
                String to = target.strategy().ownerOf(id);
                if (!from.equals(to)) {
                    pairs.merge(from.replaceAll("\\d", "") + " -> " + to.replaceAll("\\d", ""), 1L, Long::sum);
                }
            }
            log.info("moving rows by pair of engines: {}", pairs);
            assertThat(pairs).containsKeys("maria -> pg", "pg -> maria", "maria -> maria", "pg -> pg");

            Rebalance clean = service.verify(plan.id());
            VerifyReport equal = clean.verification();
            log.info("verify of equal rows: {} rows compared, {}", equal.rowsCompared(), equal.sample());
            assertThat(equal.details()).as("equal rows of every type pair compare equal").isEmpty();
            assertThat(equal.clean()).isTrue();
            assertThat(equal.rowsCompared()).isEqualTo(pairs.values().stream().mapToLong(Long::longValue).sum());

            // plant one difference of each kind on the copies
            long differs = movingTo(before, target, "pg2", 1);
            long missing = movingTo(before, target, "maria2", 1);
            long extra = movingTo(before, target, "maria2", 100_000);
            Steps.shard(testbed, "pg2").execute("UPDATE samples SET doc = '{\"planted\": true}' WHERE id = " + differs);
            Steps.shard(testbed, "maria2").execute("DELETE FROM samples WHERE id = " + missing);
            insert(Steps.shard(testbed, "maria2"), extra, random);
            VerifyReport found = service.verify(plan.id()).verification();
            log.info("verify with planted differences: {} by table, {}", found.byTable(), found.sample());
            assertThat(found.details()).extracting(m -> m.kind() + " " + m.key())
                    .containsExactlyInAnyOrder("DIFFERS " + differs, "MISSING " + missing, "EXTRA " + extra);
            assertThat(found.byTable()).isEqualTo(Map.of("samples", Map.of("DIFFERS", 1L, "MISSING", 1L,
                    "EXTRA", 1L)));
            assertThat(found.byShard()).isEqualTo(Map.of("pg2", Map.of("DIFFERS", 1L), "maria2",
                    Map.of("MISSING", 1L, "EXTRA", 1L)));
            assertThat(found.mismatches()).isEqualTo(3);
            Mismatch changed = found.details().stream().filter(m -> m.kind() == Mismatch.Kind.DIFFERS).findFirst()
                    .orElseThrow();
            assertThat(changed.otherRow().get("doc")).isEqualTo("{\"planted\":true}");
        } finally {
            Steps.closeAll(running);
        }
    }

    /** The first key from {@code from} on that moves to {@code shard}. */
    private static long movingTo(Topology before, Topology after, String shard, long from) {
        long id = from;
        while (!after.strategy().ownerOf(id).equals(shard) || before.strategy().ownerOf(id).equals(shard)) {
            id++;
        }
        return id;
    }

    /** One row of generated values, written with each engine's own types. */
    private static void insert(DatabaseShard shard, long id, Random random) throws SQLException {
        boolean postgres = shard.engine() == Engine.POSTGRESQL;
        try (Connection connection = shard.connect()) {
            if (!postgres) {
                try (Statement utc = connection.createStatement()) {
                    utc.execute("SET time_zone = '+00:00'"); // the instants below are given as UTC wall times
                }
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO samples (id, at_local, "
                    + "at_instant, at_chapter, day, amount, ratio, code, active, status, doc, raw, name_c, name_bin, "
                    + "version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)")) {
                insert.setLong(1, id);
                insert.setObject(2, nullable(random, localDateTime(random)));
                Instant instant = instant(random);
                if (instant == null) {
                    insert.setNull(3, postgres ? Types.TIMESTAMP_WITH_TIMEZONE : Types.TIMESTAMP);
                } else if (postgres) {
                    insert.setObject(3, instant.atOffset(ZoneOffset.UTC));
                } else {
                    insert.setObject(3, LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
                }
                Instant chapter = instant(random);
                insert.setObject(4, chapter == null ? null
                        : LocalDateTime.ofInstant(chapter.truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC));
                insert.setObject(5, nullable(random, LocalDate.of(1900 + random.nextInt(200), 1 + random.nextInt(12),
                        1 + random.nextInt(28))));
                insert.setBigDecimal(6, nullable(random, new BigDecimal(BigInteger.valueOf(
                        random.nextLong() % 1_000_000_000_000L), 2)));
                insert.setBigDecimal(7, nullable(random, new BigDecimal(BigInteger.valueOf(random.nextLong()
                        % 100_000_000_000_000_000L), random.nextInt(11))));
                insert.setString(8, nullable(random, text(random, 6).stripTrailing()
                        + " ".repeat(random.nextInt(2))));
                insert.setObject(9, nullable(random, random.nextBoolean()));
                String status = nullable(random, STATUSES[random.nextInt(STATUSES.length)]);
                if (postgres) {
                    insert.setObject(10, status, Types.OTHER);
                } else {
                    insert.setString(10, status);
                }
                String doc = nullable(random, json(random));
                if (postgres) {
                    insert.setObject(11, doc, Types.OTHER);
                } else {
                    insert.setString(11, doc);
                }
                byte[] raw = new byte[random.nextInt(65)];
                random.nextBytes(raw);
                insert.setBytes(12, nullable(random, raw));
                insert.setString(13, nullable(random, text(random, 40)));
                insert.setString(14, nullable(random, text(random, 40)));
                insert.executeUpdate();
            }
        }
    }

    private static <T> T nullable(Random random, T value) {
        return random.nextInt(10) == 0 ? null : value;
    }

    private static LocalDateTime localDateTime(Random random) {
        LocalDateTime base = LocalDateTime.of(1971 + random.nextInt(66), 1 + random.nextInt(12), 1 + random.nextInt(28),
                random.nextInt(24), random.nextInt(60), random.nextInt(60));
        return switch (random.nextInt(3)) {
            case 0 -> base;
            case 1 -> base.plusNanos(120_000_000L);
            default -> base.plusNanos(random.nextInt(1_000_000) * 1_000L);
        };
    }

    /** An instant both engines hold: MariaDB's TIMESTAMP ends in January 2038. */
    private static Instant instant(Random random) {
        return random.nextInt(10) == 0 ? null : localDateTime(random).toInstant(ZoneOffset.UTC);
    }

    private static String text(Random random, int max) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(max + 1);
        int[] points = TEXT.codePoints().toArray();
        for (int i = 0; i < length; i++) {
            text.appendCodePoint(points[random.nextInt(points.length)]);
        }
        return text.toString();
    }

    /** A JSON object with keys in a shuffled order and uneven spacing: jsonb keeps neither. */
    private static String json(Random random) {
        List<String> members = new ArrayList<>();
        members.add("\"id\": " + random.nextInt(1000));
        members.add("\"name\":\"" + text(random, 8).replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        members.add("\"tags\" : [" + random.nextInt(5) + ", \"t" + random.nextInt(5) + "\", null, true]");
        members.add("\"nested\": {\"b\": " + random.nextBoolean() + ", \"a\": [ ]}");
        Collections.shuffle(members, random);
        return "{" + String.join(random.nextBoolean() ? ", " : ",", members.subList(0, 1 + random.nextInt(4))) + "}";
    }
}
