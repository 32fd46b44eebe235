package dev.shardflow.bench.event;

import dev.shardflow.core.event.ChangeEvent;
import dev.shardflow.core.event.EnvelopeReader;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.event.Op;
import dev.shardflow.core.event.PostgresLsn;
import dev.shardflow.core.event.Source;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.testkit.ShopTopology;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the re-key pays per change to read it, on an {@code orders} update as capture writes it (before and after
 * images of eight columns): the whole event decoded and encoded again with its new epoch, as the router did, next
 * to the envelope and routing columns only, forwarded as its bytes re-stamped ({@link EnvelopeReader}). The
 * baseline is the least any reader does: a pass of the JSON parser over every token.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EnvelopeReadBench {
    private byte[] json;
    private EnvelopeReader reader;

    @Setup
    public void setUp() {
        Topology topology = dev.shardflow.core.config.TopologyLoader.parse(ShopTopology.routingDocument(1,
                List.of("s0", "s1", "s2")), "bench", Map.of());
        Map<String, Object> before = new LinkedHashMap<>();
        before.put("id", 123_456L);
        before.put("user_id", 4_242L);
        before.put("order_date", "2026-03-14");
        before.put("total_amount", new java.math.BigDecimal("123.45"));
        before.put("status", "pending");
        before.put("username", "user4242");
        before.put("version", 3L);
        before.put("note", null);
        Map<String, Object> after = new LinkedHashMap<>(before);
        after.put("status", "shipped");
        after.put("version", 4L);
        json = EventJson.toBytes(new ChangeEvent("shop", "orders", Op.UPDATE, Map.of("id", 123_456L), before, after,
                4_242L, new Source("s1", PostgresLsn.parse("16/B374D848"), "771", 1_764_000_000_000L), 1));
        reader = new EnvelopeReader(topology);
    }

    @Benchmark
    public int baselineTokens() throws java.io.IOException {
        int tokens = 0;
        try (var parser = EventJson.mapper().createParser(json)) {
            while (parser.nextToken() != null) {
                tokens++;
            }
        }
        return tokens;
    }

    @Benchmark
    public byte[] decodeAndEncode() {
        return EventJson.toBytes(EventJson.fromBytes(json).withEpoch(2));
    }

    @Benchmark
    public byte[] envelopeAndReStamp() {
        return reader.read(json).withEpoch(2);
    }
}
