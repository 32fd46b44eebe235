package dev.shardflow.capture.debezium;

import dev.shardflow.capture.CaptureOptions;
import dev.shardflow.capture.SourceControlTables;
import dev.shardflow.core.contract.ControlTables;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The Debezium engine and connector settings for one source shard: the connector of its engine, only the topology's
 * tables, offsets and schema history in Kafka topics (so a capture can resume on another machine), heartbeats,
 * exact decimals, and the batch, queue and fetch sizes of {@link CaptureOptions}.
 */
public final class EngineProperties {

    private EngineProperties() {}

    public static Properties of(CaptureOptions options, ShardSpec shard, String password) {
        Topology topology = options.topology();
        TopicNames topics = TopicNames.of(topology);
        String id = sanitize(topology.keyspace() + "_" + shard.id());
        Properties p = new Properties();
        p.setProperty("name", "shardflow-" + id);
        p.setProperty("topic.prefix", "shardflow_" + id);
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore");
        // the offset store's producer, consumer and admin client take the engine's own settings: the connection's
        p.putAll(options.kafka().map(java.util.Map.of()));
        p.setProperty("offset.storage.topic", topics.captureOffsets());
        p.setProperty("offset.storage.partitions", "1");
        p.setProperty("offset.storage.replication.factor", Integer.toString(options.replicationFactor()));
        p.setProperty("offset.flush.interval.ms", Long.toString(options.offsetFlushIntervalMs()));
        p.setProperty("max.batch.size", Integer.toString(options.maxBatchSize()));
        p.setProperty("max.queue.size", Integer.toString(options.maxQueueSize()));
        p.setProperty("poll.interval.ms", Long.toString(options.pollIntervalMs()));
        p.setProperty("snapshot.fetch.size", Integer.toString(options.snapshotFetchSize()));
        p.setProperty("heartbeat.interval.ms", Long.toString(options.heartbeatIntervalMs()));
        p.setProperty("snapshot.mode", "initial");
        p.setProperty("decimal.handling.mode", "precise");
        p.setProperty("time.precision.mode", "adaptive_time_microseconds");
        p.setProperty("include.schema.changes", "false");
        p.setProperty("tombstones.on.delete", "false"); // capture writes its own tombstone after each delete
        // every column's source type, length and scale in the row's schema: a table's definition, read from its rows
        p.setProperty("column.propagate.source.type", ".*");
        // a connection error ends the engine instead of being retried inside it without end, unseen: capture
        // restarts the engine itself, with its state, its count and a limit (ShardCapture)
        p.setProperty("errors.max.retries", "0");
        // the writers' own columns (versions) are bookkeeping of one database, never row data to copy elsewhere
        p.setProperty("column.exclude.list", "[^.]+\\.[^.]+\\._sf_.*");

        JdbcTarget target = JdbcTarget.parse(shard.jdbcUrl(), shard.engine() == Engine.POSTGRESQL ? 5432 : 3306);
        p.setProperty("database.hostname", target.host());
        p.setProperty("database.port", Integer.toString(target.port()));
        p.setProperty("database.user", shard.user());
        p.setProperty("database.password", password);
        p.putAll(target.tlsSettings(shard.engine()));
        if (shard.engine() == Engine.MARIADB && target.serverCertificate() != null
                && !p.containsKey("database.ssl.truststore")) {
            PemTrustStore trust = PemTrustStore.of(target.serverCertificate());
            p.setProperty("database.ssl.truststore", trust.path().toString());
            p.setProperty("database.ssl.truststore.password", trust.password());
        }

        if (shard.engine() == Engine.POSTGRESQL) {
            p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
            p.setProperty("plugin.name", "pgoutput");
            p.setProperty("slot.name", slotName(topology, shard));
            p.setProperty("publication.name", publicationName(topology));
            p.setProperty("publication.autocreate.mode", "filtered");
            // A partitioned table's changes are published under the root's name, so the table filter keeps them;
            // by default PostgreSQL names the partition, and the filter drops every live change of the table.
            p.setProperty("publish.via.partition.root", "true");
            p.setProperty("database.dbname", target.database());
            p.setProperty("table.include.list", capturedTables(topology, shard).stream()
                    .map(t -> target.schema() + "." + t)
                    .collect(Collectors.joining(",")));
            // Without a change to a captured table the slot never moves, and the server keeps every byte of WAL.
            p.setProperty("heartbeat.action.query", SourceControlTables.heartbeatStatement(target.schema()));
        } else {
            p.setProperty("connector.class", shard.engine() == Engine.MARIADB
                    ? "io.debezium.connector.mariadb.MariaDbConnector" : "io.debezium.connector.mysql.MySqlConnector");
            p.setProperty("database.server.id", Long.toString(clientServerId(topology, shard)));
            // a lost binlog connection is looked for, and tried again, every 10 s rather than every minute
            p.setProperty("connect.keep.alive.interval.ms", "10000");
            p.setProperty("database.include.list", target.database());
            p.setProperty("table.include.list", tableList(topology, target.database()));
            p.setProperty("schema.history.internal", "io.debezium.storage.kafka.history.KafkaSchemaHistory");
            p.setProperty("schema.history.internal.kafka.bootstrap.servers", options.kafka().bootstrapServers());
            p.putAll(options.kafka().prefixed("schema.history.internal.producer."));
            p.putAll(options.kafka().prefixed("schema.history.internal.consumer."));
            p.setProperty("schema.history.internal.kafka.topic", topics.captureSchemaHistory(shard.id()));
            p.setProperty("schema.history.internal.store.only.captured.tables.ddl", "true");
            // the DDL statements of the captured tables, in order with their rows: a schema event names its statement
            p.setProperty("include.schema.changes", "true");
        }
        return p;
    }

    /** The publication capture reads a PostgreSQL shard through: one per keyspace and database. */
    public static String publicationName(Topology topology) {
        return sanitize("shardflow_" + topology.keyspace());
    }

    /**
     * The tables capture reads on a shard: the topology's, the fence table whose rows become markers, and on
     * PostgreSQL the heartbeat table.
     */
    public static List<String> capturedTables(Topology topology, ShardSpec shard) {
        List<String> tables = new ArrayList<>(topology.tables().stream().map(TableSpec::name).toList());
        tables.add(ControlTables.FENCE);
        if (shard.engine() == Engine.POSTGRESQL) {
            tables.add(ControlTables.HEARTBEAT);
        }
        return tables;
    }

    /** The replication slot of one shard's capture: one per keyspace and shard. */
    public static String slotName(Topology topology, ShardSpec shard) {
        return sanitize("shardflow_" + topology.keyspace() + "_" + shard.id());
    }

    /**
     * The server id capture presents to a MySQL/MariaDB source as a replica; stable per keyspace and shard, and far
     * from the small ids servers usually carry.
     */
    static long clientServerId(Topology topology, ShardSpec shard) {
        return 100_000L + Math.floorMod((topology.keyspace() + "/" + shard.id()).hashCode(), 1_000_000_000);
    }

    /** The topology's tables and the fence table, whose rows become fence markers. */
    private static String tableList(Topology topology, String schema) {
        return java.util.stream.Stream.concat(topology.tables().stream().map(TableSpec::name),
                        java.util.stream.Stream.of(ControlTables.FENCE))
                .map(table -> schema + "." + table)
                .collect(Collectors.joining(","));
    }

    private static String sanitize(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }
}
