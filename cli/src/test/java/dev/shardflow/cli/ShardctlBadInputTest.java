package dev.shardflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code shardctl} subcommand given what an operator gets wrong — a malformed topology file, a shard that is
 * not in it, a topology service or Kafka cluster that cannot be reached, a flag that does not exist — answers with
 * the reason and its exit code, and never with the password of a shard.
 */
class ShardctlBadInputTest {
    private static final String PASSWORD = "pw-never-printed-7c1";
    private static final String NOWHERE = "http://127.0.0.1:1";

    @TempDir
    Path directory;

    private Path valid;
    private Path malformed;
    private Path token;

    @BeforeEach
    void files() throws IOException {
        Path secret = Files.writeString(directory.resolve("s.password"), PASSWORD);
        StringBuilder yaml = new StringBuilder("keyspace: shop\nepoch: 1\nshards:\n");
        for (String id : List.of("s0", "s1", "s2")) {
            yaml.append("  - {id: ").append(id).append(", engine: postgresql, jdbcUrl: \"jdbc:postgresql://127.0.0.1:1/")
                    .append(id).append("\", user: u, password: {file: \"").append(secret).append("\"}}\n");
        }
        yaml.append("strategy: {type: hash, shards: [s0, s1, s2]}\n")
                .append("tables:\n  - {name: users, primaryKey: [id], shardKey: id}\n");
        valid = Files.writeString(directory.resolve("topology.yaml"), yaml.toString());
        malformed = Files.writeString(directory.resolve("malformed.yaml"), "keyspace: shop\nepoch: two\nshards: []\n");
        token = Files.writeString(directory.resolve("api.token"), "a-token\n");
    }

    private ShardctlRun run(String... args) {
        ShardctlRun run = ShardctlRun.of(args);
        assertThat(run.out() + run.err()).doesNotContain(PASSWORD);
        return run;
    }

    @Test
    void everyCommandThatReadsATopologyFileNamesWhatIsWrongInIt() {
        String file = malformed.toString();
        List<String[]> commands = List.of(
                new String[] {"ring", "route", "--config", file},
                new String[] {"ring", "distribution", "--config", file},
                new String[] {"ring", "diff", "--config", file, "--to-shards", "s0,s1"},
                new String[] {"capture", "check", "--topology", file},
                new String[] {"replay", "--shard", "s0", "--topology", file, "--kafka", "127.0.0.1:1"},
                new String[] {"replay", "--view", "v", "--target", "s0", "--topology", file, "--kafka", "127.0.0.1:1"},
                new String[] {"dlq", "list", "--topology", file, "--kafka", "127.0.0.1:1"},
                new String[] {"dlq", "show", "0@1", "--topology", file, "--kafka", "127.0.0.1:1"},
                new String[] {"dlq", "replay", "--topology", file, "--kafka", "127.0.0.1:1"},
                new String[] {"topology", "apply", file, "--api", NOWHERE, "--token-file", token.toString()});
        for (String[] command : commands) {
            ShardctlRun run = run(command);
            assertThat(run.exit()).as(String.join(" ", command) + ": " + run.err()).isEqualTo(ExitCodes.FAILED);
            assertThat(run.err()).as(String.join(" ", command)).contains("epoch", "malformed.yaml")
                    .doesNotContain("\tat ");
        }
        ShardctlRun missing = run("capture", "check", "--topology", directory.resolve("nope.yaml").toString());
        assertThat(missing.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(missing.err()).contains("nope.yaml");
    }

    @Test
    void aShardThatIsNotInTheTopologyIsNamedBeforeAnythingIsContacted() {
        String file = valid.toString();
        ShardctlRun check = run("capture", "check", "--topology", file, "--shards", "s0,s9");
        assertThat(check.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(check.err()).contains("no shard s9", "[s0, s1, s2]");

        // refused before the topology service is asked to hold the shard's writes: exit 1, not 4
        ShardctlRun replay = run("replay", "--shard", "s9", "--hold", "--topology", file, "--kafka", "127.0.0.1:1",
                "--api", NOWHERE, "--token-file", token.toString());
        assertThat(replay.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(replay.err()).contains("no shard s9", "[s0, s1, s2]");

        ShardctlRun view = run("replay", "--view", "v", "--target", "s9", "--topology", file, "--kafka", "127.0.0.1:1");
        assertThat(view.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(view.err()).contains("no shard s9");

        ShardctlRun route = run("ring", "route", "--shards", "s0,s1=", "--hash", "md5");
        assertThat(route.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(route.err()).contains("s1");
    }

    @Test
    void aTopologyServiceThatCannotBeReachedEndsWithExitCode4() {
        String[] api = {"--api", NOWHERE, "--token-file", token.toString()};
        List<String[]> commands = List.of(
                new String[] {"topology", "show"},
                new String[] {"topology", "apply", valid.toString()},
                new String[] {"rebalance", "plan", "--add", "s3"},
                new String[] {"rebalance", "start", "r2-x"},
                new String[] {"rebalance", "status"},
                new String[] {"rebalance", "status", "r2-x", "--watch"},
                new String[] {"rebalance", "verify", "r2-x"},
                new String[] {"rebalance", "verify", "--all"},
                new String[] {"rebalance", "cutover", "r2-x"},
                new String[] {"rebalance", "complete", "r2-x"},
                new String[] {"rebalance", "cancel", "r2-x"},
                new String[] {"rebalance", "rollback", "r2-x"});
        for (String[] command : commands) {
            ShardctlRun run = run(ShardctlRun.args(command, api));
            assertThat(run.exit()).as(String.join(" ", command) + ": " + run.err()).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(run.err()).as(String.join(" ", command)).contains("cannot be reached", NOWHERE)
                    .doesNotContain("a-token");
        }
    }

    @Test
    void aSourceThatCannotBeReachedFailsItsCaptureCheckWithTheReason() {
        ShardctlRun check = run("capture", "check", "--topology", valid.toString(), "--shards", "s0");
        assertThat(check.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(check.out()).contains("FAIL shard s0: cannot connect to jdbc:postgresql://127.0.0.1:1/s0 as u",
                "refused");
    }

    @Test
    void aKafkaClusterThatCannotBeReachedEndsWithExitCode4() {
        String[] kafka = {"--topology", valid.toString(), "--kafka", "127.0.0.1:1", "--kafka-timeout", "2"};
        for (String[] command : List.of(new String[] {"dlq", "list"}, new String[] {"dlq", "show", "0@1"},
                new String[] {"dlq", "replay", "--table", "users"}, new String[] {"replay", "--shard", "s0"})) {
            ShardctlRun run = run(ShardctlRun.args(command, kafka));
            assertThat(run.exit()).as(String.join(" ", command) + ": " + run.err()).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(run.err()).contains("Kafka cannot be reached", "--kafka");
        }
    }

    @Test
    void flagsThatDoNotExistOrDoNotFitPrintTheUsage() {
        for (String[] command : List.of(new String[] {"rebalance", "cutover"}, new String[] {"rebalance", "plan",
                "--bogus"}, new String[] {"topology", "apply"}, new String[] {"dlq", "show"},
                new String[] {"replay", "--topology", valid.toString()}, new String[] {"capture", "check"},
                new String[] {"nonsense"})) {
            ShardctlRun run = run(command);
            assertThat(run.exit()).as(String.join(" ", command) + ": " + run.err()).isEqualTo(ExitCodes.USAGE);
            assertThat(run.err()).as(String.join(" ", command)).containsAnyOf("Usage:", "Did you mean");
        }
        ShardctlRun notAToken = run("rebalance", "start", "r2-x", "--api", NOWHERE, "--token-file", valid.toString());
        assertThat(notAToken.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(notAToken.err()).contains("does not hold a token").doesNotContain("keyspace", "jdbc");
        ShardctlRun until = run("rebalance", "status", "--watch", "--until", "DONE", "--api", NOWHERE);
        assertThat(until.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(until.err()).contains("--until", "DONE", "CATCHING_UP");
        ShardctlRun since = run("replay", "--shard", "s0", "--since", "yesterday", "--topology", valid.toString(),
                "--kafka", "127.0.0.1:1");
        assertThat(since.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(since.err()).contains("--since", "ISO-8601");
    }

    @Test
    void versionPrintsTheVersionTheBuildStamped() {
        ShardctlRun version = ShardctlRun.of("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).matches("(?s)shardctl \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\RJava .*")
                .doesNotContain("${");
    }
}
