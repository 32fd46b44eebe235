package dev.shardflow.core.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The md5 ring against vectors produced by the Python ConsistentHashRouter (150 vnodes) for 100,011 keys: small and
 * large and negative numbers, ASCII strings, e-mail addresses, non-ASCII strings, the empty string.
 */
class Md5RouterCompatibilityTest {
    private record Vector(String key, String ownerOfFour, String ownerOfFive) {
        String ownerOf(int shards) {
            return shards == 4 ? ownerOfFour : ownerOfFive;
        }
    }

    private static final List<Vector> VECTORS = new ArrayList<>();

    @BeforeAll
    static void readVectors() throws IOException {
        try (InputStream in = Md5RouterCompatibilityTest.class.getResourceAsStream("md5-router-vectors.tsv.gz");
                BufferedReader reader = new BufferedReader(
                        new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("# ")) {
                    continue;
                }
                String[] fields = line.split("\t", -1);
                VECTORS.add(new Vector(fields[0], fields[1], fields[2]));
            }
        }
    }

    @Test
    void vectorsCoverWhatTheyClaim() {
        assertThat(VECTORS).hasSizeGreaterThanOrEqualTo(100_000);
        assertThat(VECTORS).anyMatch(v -> v.key().chars().anyMatch(c -> c > 127));
        assertThat(VECTORS).anyMatch(v -> v.key().matches("-\\d+"));
        assertThat(VECTORS).anyMatch(v -> v.key().isEmpty());
        assertThat(VECTORS).extracting(Vector::ownerOfFive).contains("shard4");
    }

    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {4, 5})
    void everyKeyLandsWhereThePythonRouterPutsIt(int shards) {
        HashRing ring = md5Ring(shards);
        List<String> mismatches = VECTORS.stream()
                .filter(v -> !ring.ownerOf(v.key()).equals(v.ownerOf(shards)))
                .map(v -> v.key() + ": python " + v.ownerOf(shards) + ", shardflow " + ring.ownerOf(v.key()))
                .limit(20).toList();
        assertThat(mismatches).isEmpty();
    }

    @Test
    void numericKeysRouteLikeTheirDecimalString() {
        HashRing ring = md5Ring(4);
        VECTORS.stream().filter(v -> v.key().matches("-?\\d{1,18}")).forEach(v -> {
            long key = Long.parseLong(v.key());
            if (Long.toString(key).equals(v.key())) {
                assertThat(ring.ownerOf(key)).as("key %d", key).isEqualTo(v.ownerOfFour());
                assertThat(ring.ownerOf((Object) key)).isEqualTo(v.ownerOfFour());
            }
        });
    }

    @Test
    void movesBetweenFourAndFiveShardsAreExactlyTheVectorsThatChangedOwner() {
        RingDiff diff = RingDiff.between(md5Ring(4), md5Ring(5));
        HashRing four = md5Ring(4);
        for (Vector v : VECTORS) {
            boolean moved = !v.ownerOfFour().equals(v.ownerOfFive());
            boolean inMove = diff.moves().stream().anyMatch(m -> m.contains(four.tokenOf(v.key())));
            assertThat(inMove).as("key '%s' moved=%s", v.key(), moved).isEqualTo(moved);
        }
        assertThat(diff.moves()).allMatch(m -> m.to().equals("shard4"));
    }

    private static HashRing md5Ring(int shards) {
        HashRing.Builder builder = HashRing.builder().hash(RingHash.MD5).vnodes(150);
        for (int i = 0; i < shards; i++) {
            builder.shard("shard" + i);
        }
        return builder.build();
    }
}
