package dev.shardflow.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardflow.core.ring.HashRing;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.SecretRef;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvelopeReaderTest {
    private static final Source SOURCE = new Source("s1", PostgresLsn.parse("16/B374D848"), "771", 1_764_000_000_000L);
    private final EnvelopeReader reader = new EnvelopeReader(topology());

    private static Topology topology() {
        return new Topology("shop", 3, "sf.shop", List.of(TableSpec.sharded("orders", List.of("id"), "user_id"),
                TableSpec.child("order_items", List.of("id"), "orders", "order_id"),
                TableSpec.reference("products", List.of("id"))),
                List.of(new ShardSpec("s1", Engine.POSTGRESQL, "jdbc:postgresql://localhost/s1", "shardflow",
                        SecretRef.env("PW"), 1.0)), HashRing.builder().shard("s1").build(), List.of());
    }

    private static ChangeEvent order(Op op, long epoch) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 7L);
        row.put("user_id", 42L);
        row.put("total_amount", new BigDecimal("19.90"));
        row.put("note", "a \"quoted\" \"epoch\":9 {not json}");
        row.put("status", null);
        Map<String, Object> newer = new LinkedHashMap<>(row);
        newer.put("status", "shipped");
        return switch (op) {
            case DELETE -> new ChangeEvent("shop", "orders", op, Map.of("id", 7L), row, null, 42L, SOURCE, epoch);
            case UPDATE -> new ChangeEvent("shop", "orders", op, Map.of("id", 7L), row, newer, 42L, SOURCE, epoch);
            default -> new ChangeEvent("shop", "orders", op, Map.of("id", 7L), null, newer, 42L, SOURCE, epoch);
        };
    }

    @Test
    void theEnvelopeIsReadInFullAndTheImagesOnlyInTheColumnsRoutingLooksAt() {
        for (Op op : List.of(Op.READ, Op.CREATE, Op.UPDATE, Op.DELETE)) {
            ChangeEvent full = order(op, 3);
            ChangeEvent read = reader.read(EventJson.toBytes(full)).event();
            assertThat(read.keyspace()).isEqualTo("shop");
            assertThat(read.table()).isEqualTo("orders");
            assertThat(read.op()).isEqualTo(op);
            assertThat(read.key()).isEqualTo(full.key());
            assertThat(read.shardKey()).isEqualTo(42L);
            assertThat(read.source()).isEqualTo(SOURCE);
            assertThat(read.epoch()).isEqualTo(3);
            for (var images : List.of(new Map[] {full.before(), read.before()}, new Map[] {full.after(), read.after()})) {
                if (images[0] == null) {
                    assertThat(images[1]).isNull();
                } else {
                    assertThat(images[1]).containsOnlyKeys("id", "user_id").containsEntry("id", 7L)
                            .containsEntry("user_id", 42L);
                }
            }
        }
    }

    @Test
    void aViewChangeKeepsTheVersionOfItsJoinedRow() {
        ChangeEvent.Joined joined = new ChangeEvent.Joined(new Source("s1", PostgresLsn.parse("16/B374D000"), null,
                0), 2);
        ChangeEvent view = new ChangeEvent("shop", "order_user_view", Op.UPDATE, Map.of("order_id", 7L), null,
                Map.of("order_id", 7L, "username", "ada"), 42L, SOURCE, 3, joined);
        assertThat(EventJson.fromBytes(EventJson.toBytes(view))).isEqualTo(view);
        assertThat(reader.read(EventJson.toBytes(view)).event().joined()).isEqualTo(joined);
        assertThat(new String(EventJson.toBytes(order(Op.CREATE, 1)), java.nio.charset.StandardCharsets.UTF_8))
                .as("a change of one row says nothing of a join").doesNotContain("joined");
    }

    @Test
    void aChildKeepsItsParentColumnAndAnUnknownTableIsReadInFull() {
        ChangeEvent child = new ChangeEvent("shop", "order_items", Op.CREATE, Map.of("id", 1L), null,
                Map.of("id", 1L, "order_id", 7L, "qty", 2L), null, SOURCE, 1);
        assertThat(reader.read(EventJson.toBytes(child)).event().after()).containsOnlyKeys("id", "order_id");
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("id", 1L);
        values.put("what", "x");
        values.put("amount", new BigDecimal("-0.10"));
        values.put("flag", true);
        values.put("nothing", null);
        values.put("doc", Map.of("tags", List.of("a", 2L, false)));
        ChangeEvent unknown = new ChangeEvent("shop", "audit", Op.CREATE, Map.of("id", 1L), null, values,
                new BigDecimal("2.5"), SOURCE, 1);
        // read as the full decode reads it: the same types for every kind of value
        assertThat(reader.read(EventJson.toBytes(unknown)).event()).isEqualTo(EventJson.fromBytes(
                EventJson.toBytes(unknown))).isEqualTo(unknown);
    }

    @Test
    void imagesBeforeTheTableNameAreReadInFull() {
        String json = "{\"after\":{\"id\":7,\"user_id\":42,\"x\":1},\"keyspace\":\"shop\",\"table\":\"orders\","
                + "\"op\":\"c\",\"key\":{\"id\":7},\"shardKey\":42,\"source\":"
                + new String(EventJson.write(SOURCE, "source"), StandardCharsets.UTF_8) + ",\"epoch\":3}";
        assertThat(reader.read(json.getBytes(StandardCharsets.UTF_8)).event().after()).containsOnlyKeys("id",
                "user_id", "x");
    }

    @Test
    void reStampingTheEpochChangesOnlyTheEpoch() {
        for (Op op : List.of(Op.READ, Op.UPDATE, Op.DELETE)) {
            ChangeEvent full = order(op, 3);
            EnvelopeReader.Envelope envelope = reader.read(EventJson.toBytes(full));
            assertThat(EventJson.fromBytes(envelope.withEpoch(12_345_678_901L)))
                    .isEqualTo(full.withEpoch(12_345_678_901L));
            assertThat(EventJson.fromBytes(envelope.withEpoch(2))).isEqualTo(full.withEpoch(2));
            assertThat(envelope.withEpoch(3)).isSameAs(envelope.raw());
        }
    }

    @Test
    void anEventWithoutAnEpochGetsOne() {
        String json = new String(EventJson.toBytes(order(Op.READ, 0)), StandardCharsets.UTF_8)
                .replace(",\"epoch\":0", "");
        assertThat(json).doesNotContain("\"epoch\":0");
        EnvelopeReader.Envelope envelope = reader.read(json.getBytes(StandardCharsets.UTF_8));
        assertThat(envelope.event().epoch()).isZero();
        assertThat(EventJson.fromBytes(envelope.withEpoch(5))).isEqualTo(order(Op.READ, 5));
    }

    @Test
    void unknownFieldsAreSkippedAndBadPayloadsNamed() {
        String json = new String(EventJson.toBytes(order(Op.UPDATE, 3)), StandardCharsets.UTF_8)
                .replaceFirst("\\{", "{\"addedLater\":{\"nested\":[1,2,{\"epoch\":1}]},");
        assertThat(reader.read(json.getBytes(StandardCharsets.UTF_8)).event().epoch()).isEqualTo(3);
        for (String bad : List.of("[1]", "{\"keyspace\":\"shop\"", "not json",
                "{\"keyspace\":\"shop\",\"table\":\"orders\",\"op\":\"x\"}",
                "{\"keyspace\":\"shop\",\"table\":\"orders\",\"op\":\"c\",\"key\":{\"id\":1}}",
                // a whole number beyond a long, which the full decode refuses too
                "{\"keyspace\":\"shop\",\"table\":\"orders\",\"op\":\"c\",\"key\":{\"id\":"
                        + "123456789012345678901234567890}}",
                "{\"keyspace\":\"shop\",\"table\":\"orders\",\"op\":\"c\",\"key\":{\"id\":1},\"after\":{\"id\":1,"
                        + "\"x\":[}}")) {
            assertThatThrownBy(() -> reader.read(bad.getBytes(StandardCharsets.UTF_8)))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not a change event");
        }
    }

    @Test
    void everyEventSaysItsFormatFirstAndANewerFormatIsRefusedByName() {
        String json = new String(EventJson.toBytes(order(Op.CREATE, 3)), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).startsWith("{\"format\":" + ChangeEvent.FORMAT + ",\"keyspace\":\"shop\"");
        assertThat(reader.read(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)).event().epoch()).isEqualTo(3);
        assertThat(EventJson.fromBytes(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isEqualTo(order(Op.CREATE, 3));
        String withoutFormat = json.replace("\"format\":1,", "");
        assertThat(reader.read(withoutFormat.getBytes(java.nio.charset.StandardCharsets.UTF_8)).event().key())
                .as("an event of before the field, format 1").isEqualTo(Map.of("id", 7L));
        String newer = json.replace("\"format\":1,", "\"format\":2,");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> reader.read(newer.getBytes(
                java.nio.charset.StandardCharsets.UTF_8))).hasMessageContaining("format 2, newer than 1");
    }
}
