package dev.shardflow.topology;

import dev.shardflow.core.config.Setting;
import dev.shardflow.kafka.KafkaConnection;
import dev.shardflow.process.ProcessSettings;
import java.util.List;

/** Every setting of a topology-service process, declared once: name, default, what it does. */
public final class TopologySettings {
    public static final Setting<String> TOPOLOGY = Setting.text("topology", null,
            "the topology YAML file published when the registry holds no state for its keyspace");
    public static final Setting<String> BOOTSTRAP_SERVERS = Setting.text("kafka.bootstrapServers", null,
            "the Kafka cluster of the registry, routers and change topics");
    public static final Setting<Integer> REPLICATION_FACTOR = Setting.positiveInt("kafka.replicationFactor", 3,
            "replicas of the topics the service creates (topology, rebalances, leader, routers)");
    public static final Setting<String> INSTANCE_ID = Setting.text("instanceId", "default",
            "names this instance in logs and the election; default means topology-<host>-<pid>");
    public static final Setting<Long> LEADER_SESSION_TIMEOUT_MS = Setting.positiveLong("leader.sessionTimeoutMs",
            6000L, "how long after the leader stops answering a standby takes over");
    public static final Setting<String> API_HOST = Setting.text("api.host", "127.0.0.1",
            "the address the API and dashboard listen on; 0.0.0.0 for every interface");
    public static final Setting<Integer> API_PORT = Setting.positiveInt("api.port", 8080,
            "the port of the API, the dashboard and /metrics");
    public static final Setting<String> API_TOKEN_ENV = Setting.text("api.tokenEnv", "SHARDFLOW_API_TOKEN",
            "the environment variable holding the bearer token of mutating calls");
    public static final Setting<String> API_TOKEN_FILE = Setting.text("api.tokenFile", "none",
            "a file holding the bearer token instead (none: use api.tokenEnv)");
    public static final Setting<Boolean> API_READS_NEED_TOKEN = Setting.flag("api.readsNeedToken", false,
            "whether every read of the API and /metrics needs the bearer token too, not only those showing row values");
    public static final Setting<String> API_TLS_KEY_STORE = Setting.text("api.tls.keyStore", "none",
            "a PKCS12 (or .jks) key store with the API's certificate and key: the API is then served over HTTPS only");
    public static final Setting<String> API_TLS_PASSWORD_ENV = Setting.text("api.tls.keyStorePasswordEnv",
            "SHARDFLOW_API_KEYSTORE_PASSWORD", "the environment variable holding the key store's password");
    public static final Setting<String> API_TLS_PASSWORD_FILE = Setting.text("api.tls.keyStorePasswordFile", "none",
            "a file holding the key store's password instead (none: use api.tls.keyStorePasswordEnv)");
    public static final Setting<Long> FENCE_TIMEOUT_MS = Setting.positiveLong("fence.timeoutMs", 10000L,
            "how long a cutover fence may hold writes to moving keys before it is aborted and writes resume");
    public static final Setting<Long> FENCE_MAX_LAG = Setting.positiveLong("fence.maxLagRecords", 1000L,
            "cutover is refused while the move and the target writers have more change records than this left");
    public static final Setting<Long> ROUTER_TIMEOUT_MS = Setting.positiveLong("routers.timeoutMs", 10000L,
            "after this long without a beat a router no longer counts for a fence; longer than the routers' lease");
    public static final Setting<Integer> CLEANUP_BATCH_ROWS = Setting.positiveInt("cleanup.batchRows", 5000,
            "rows looked at per cleanup batch; those placed elsewhere are deleted in one transaction, 500 keys a "
                    + "statement");
    public static final Setting<Long> CLEANUP_ROWS_PER_SECOND = Setting.positiveLong("cleanup.rowsPerSecond", 100000L,
            "the most rows cleanup deletes per second on each shard, about a plain batched delete on a small server; "
                    + "lower it where replicas of the old owners fall behind");
    public static final Setting<Integer> VERIFY_CHUNK_ROWS = Setting.positiveInt("verify.chunkRows", 2000,
            "rows per verify chunk; each chunk costs one watermark row on its owner");
    public static final Setting<Long> VERIFY_ROWS_PER_SECOND = Setting.positiveLong("verify.rowsPerSecond", 100000L,
            "the most rows verify reads per second, over all shards");
    public static final Setting<Integer> VERIFY_MAX_RECHECKS = Setting.positiveInt("verify.maxRechecks", 5,
            "how many times verify compares again keys that changed while they were compared");
    public static final Setting<Long> VERIFY_WATERMARK_TIMEOUT_MS = Setting.positiveLong("verify.watermarkTimeoutMs",
            60000L, "how long the other side's writers may take to apply a verify watermark");
    public static final Setting<Long> TRANSACTION_RECOVERY_AGE_MS = Setting.positiveLong("transactions.recoveryAgeMs",
            60000L, "how old a prepared branch of a cross-shard transaction without a decision is before the leader "
                    + "decides abort and rolls it back (one with a commit decision is committed at once); the leader "
                    + "sweeps every half of it, at most every 30 s");
    public static final Setting<String> REBALANCER_APPLICATION_ID = Setting.text("rebalancer.applicationId",
            "default", "the rebalancers' application id, whose moves the copy progress is read from; default means "
                    + "shardflow-rebalancer-<keyspace>");

    public static final List<Setting<?>> ALL = List.of(TOPOLOGY, BOOTSTRAP_SERVERS, KafkaConnection.PROPERTIES, REPLICATION_FACTOR, INSTANCE_ID,
            LEADER_SESSION_TIMEOUT_MS, API_HOST, API_PORT, API_TOKEN_ENV, API_TOKEN_FILE, API_READS_NEED_TOKEN,
            API_TLS_KEY_STORE, API_TLS_PASSWORD_ENV, API_TLS_PASSWORD_FILE, FENCE_TIMEOUT_MS,
            FENCE_MAX_LAG, ROUTER_TIMEOUT_MS, CLEANUP_BATCH_ROWS, CLEANUP_ROWS_PER_SECOND, VERIFY_CHUNK_ROWS,
            VERIFY_ROWS_PER_SECOND, VERIFY_MAX_RECHECKS, VERIFY_WATERMARK_TIMEOUT_MS, TRANSACTION_RECOVERY_AGE_MS,
            REBALANCER_APPLICATION_ID,
            ProcessSettings.EXIT_ON_FAILURE, ProcessSettings.SHUTDOWN_TIMEOUT_MS, ProcessSettings.LOGGING_FORMAT,
            ProcessSettings.LOGGING_LEVEL);

    private TopologySettings() {}
}
