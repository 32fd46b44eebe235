package dev.shardflow.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangeEventJsonTest {
    static ChangeEvent update() {
        Map<String, Object> before = new LinkedHashMap<>();
        before.put("id", 7L);
        before.put("total_amount", new BigDecimal("19.90"));
        before.put("status", "pending");
        before.put("username", null);
        Map<String, Object> after = new LinkedHashMap<>(before);
        after.put("status", "shipped");
        return new ChangeEvent("shop", "orders", Op.UPDATE, Map.of("id", 7L), before, after, 42L,
                new Source("s1", PostgresLsn.parse("16/B374D848"), "771", 1_764_000_000_000L), 3);
    }

    @Test
    void anEventSurvivesItsJsonUnchangedWithExactDecimalsAndNulls() {
        ChangeEvent event = update();
        byte[] bytes = EventJson.toBytes(event);
        ChangeEvent back = EventJson.fromBytes(bytes);
        assertThat(back).isEqualTo(event);
        assertThat(back.after().get("total_amount")).isEqualTo(new BigDecimal("19.90"));
        assertThat(back.after()).containsEntry("username", null);
        assertThat(new String(bytes, StandardCharsets.UTF_8))
                .contains("\"op\":\"u\"")
                .contains("\"position\":{\"kind\":\"pg_lsn\",\"lsn\":\"16/B374D848\"}");
    }

    @Test
    void everyPositionKindRoundTrips() {
        for (SourcePosition position : new SourcePosition[] {
            PostgresLsn.parse("0/16B6C50"), new BinlogPosition("mysql-bin.000003", 1234, 2), MariaDbGtid.parse("0-1-42")}) {
            ChangeEvent event = new ChangeEvent("shop", "users", Op.CREATE, Map.of("id", 1L), null,
                    Map.of("id", 1L), 1L, new Source("s2", position, null, 0), 0);
            assertThat(EventJson.fromBytes(EventJson.toBytes(event))).isEqualTo(event);
        }
    }

    @Test
    void malformedEventsAreRefusedAtConstruction() {
        Source source = new Source("s1", PostgresLsn.parse("0/1"), null, 0);
        assertThatThrownBy(() -> new ChangeEvent("k", "t", Op.CREATE, Map.of("id", 1L), null, null, 1L, source, 0))
                .hasMessageContaining("needs its after image");
        assertThatThrownBy(() -> new ChangeEvent("k", "t", Op.DELETE, Map.of("id", 1L), Map.of("id", 1L),
                Map.of("id", 1L), 1L, source, 0)).hasMessageContaining("no after image");
        assertThatThrownBy(() -> new ChangeEvent("k", "t", Op.READ, Map.of(), null, Map.of("id", 1L), 1L, source, 0))
                .hasMessageContaining("primary key");
    }

    @Test
    void unknownFieldsFromNewerWritersAreIgnored() {
        String json = new String(EventJson.toBytes(update()), StandardCharsets.UTF_8)
                .replaceFirst("\\{", "{\"addedLater\":true,");
        assertThat(EventJson.fromBytes(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(update());
    }
}
