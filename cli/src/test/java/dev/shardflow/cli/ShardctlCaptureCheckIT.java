package dev.shardflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardflow.testkit.ShopTopology;
import dev.shardflow.testkit.db.DatabaseShard;
import dev.shardflow.testkit.db.MariaDbShard;
import dev.shardflow.testkit.db.PostgresShard;
import dev.shardflow.testkit.db.SampleSchema;
import dev.shardflow.testkit.process.Scratch;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ShardctlCaptureCheckIT {

    @Test
    void reportsEachShardReadyOrEveryProblemWithItsFix() {
        try (PostgresShard ready = PostgresShard.start("pg-ready");
                PostgresShard replicaOnly = PostgresShard.builder("pg-replica").setting("wal_level", "replica").start();
                MariaDbShard rowless = MariaDbShard.builder("maria-mixed").option("binlog-format", "MIXED").start()) {
            List<DatabaseShard> shards = List.of(ready, replicaOnly, rowless);
            shards.forEach(SampleSchema::applyTo);
            Path topology = ShopTopology.writeYaml(ShopTopology.of(shards), Scratch.newDirectory("check"));

            StringWriter out = new StringWriter();
            CommandLine commandLine = Shardctl.commandLine();
            commandLine.setOut(new PrintWriter(out, true));
            int exit = commandLine.execute("capture", "check", "--topology", topology.toString());

            assertThat(exit).isEqualTo(1);
            assertThat(out.toString().lines()).containsExactly(
                    "pg-ready: ready (postgresql)",
                    "FAIL shard pg-replica: wal_level is replica; set wal_level = logical in postgresql.conf and "
                            + "restart PostgreSQL",
                    "FAIL shard maria-mixed: binlog_format is MIXED; set binlog_format=ROW");
            assertThat(out.toString()).doesNotContain(ready.password());

            StringWriter onlyReady = new StringWriter();
            CommandLine again = Shardctl.commandLine();
            again.setOut(new PrintWriter(onlyReady, true));
            assertThat(again.execute("capture", "check", "--topology", topology.toString(), "--shards", "pg-ready"))
                    .isZero();
        }
    }
}
