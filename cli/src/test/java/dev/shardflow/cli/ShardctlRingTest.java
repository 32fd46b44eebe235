package dev.shardflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.core.topology.TopologyState;
import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.topology.TopologyApi;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ShardctlRingTest {
    private final InputStream originalIn = System.in;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @AfterEach
    void restoreStdin() {
        System.setIn(originalIn);
    }

    private int run(String stdin, String... args) {
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        CommandLine commandLine = Shardctl.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void routePrintsEachKeyWithTheShardThePythonRouterWouldPick() {
        // expected owners taken from the Python ConsistentHashRouter vectors of the core tests
        int exit = run("0\n1\n2\nключ-5\n", "ring", "route", "--shards", "shard0,shard1,shard2,shard3", "--hash", "md5");
        assertThat(exit).isZero();
        assertThat(out.toString().lines().toList()).startsWith("0\tshard0", "1\tshard1", "2\tshard3");
        assertThat(out.toString().lines()).hasSize(4);
    }

    @Test
    void aKeyWithLeadingZerosIsPlacedWhereTheApiPlacesIt() throws Exception {
        String document = ShopTopology.routingDocument(3, List.of("s0", "s1", "s2", "s3"));
        Path file = Files.writeString(Scratch.newDirectory("route-007").resolve("topology.yaml"), document);
        TopologyState state = TopologyState.steady("shop", document);
        assertThat(state.currentTopology().strategy().ownerOf("007"))
                .as("this ring places the text 007 and the number 7 apart, so a parser that read 007 as 7 fails here")
                .isNotEqualTo(state.currentTopology().strategy().ownerOf(7L));

        assertThat(run("007\n", "ring", "route", "--config", file.toString())).isZero();
        String shardctlShard = out.toString().lines().findFirst().orElseThrow().split("\t")[1];
        assertThat(TopologyApi.routeOf(state, "007")).containsEntry("shard", shardctlShard);
    }

    @Test
    void diffReportsTheMovedFractionAndEveryMoveGoesToTheNewShard() {
        int exit = run("", "ring", "diff", "--shards", "s0,s1,s2,s3", "--to-shards", "s0,s1,s2,s3,s4", "--ranges");
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("moved fraction: 0.1956");
        assertThat(out.toString().lines().filter(l -> l.contains("tokens [")))
                .isNotEmpty().allMatch(l -> l.endsWith("-> s4"));
    }

    @Test
    void distributionWarnsAboutAShardAboveTheHotspotFactor() {
        StringBuilder keys = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            keys.append(i).append('\n');
        }
        int exit = run(keys.toString(), "ring", "distribution", "--shards", "a,b,c=3", "--hotspot-factor", "1.5");
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("keys: 10000").contains("WARNING: shard c holds");
    }

    @Test
    void badFlagsPrintUsageAndExitNonZero() {
        assertThat(run("", "ring", "route", "--bogus")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--bogus'").contains("Usage: shardctl ring route");
    }

    @Test
    void aBadConfigFailsWithItsProblemsNotAStackTrace() {
        assertThat(run("1\n", "ring", "route", "--config", "does-not-exist.yaml")).isEqualTo(1);
        assertThat(err.toString()).startsWith("shardctl: invalid configuration does-not-exist.yaml").doesNotContain("\tat ");
    }

    @Test
    void aWeightThatIsNotANumberIsNamed() {
        assertThat(run("1\n", "ring", "route", "--shards", "a,b=heavy")).isEqualTo(1);
        assertThat(err.toString()).contains("weight 'heavy' of b=heavy is not a number");
    }
}
