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
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real {@code mariadbd} for one shard, with the binary log Debezium reads ({@code log_bin},
 * {@code binlog_format=ROW}, {@code binlog_row_image=FULL}, a {@code server_id} unique in this JVM) and durable
 * commits ({@code innodb_flush_log_at_trx_commit=1}, {@code sync_binlog=1}). Its datadir, socket and pid file live
 * in the shard's own scratch directory. {@link #user()} has every privilege, replication included, from
 * {@code '%'} and {@code 'localhost'}.
 */
public final class MariaDbShard extends ProcessShard {
    private static final AtomicInteger SERVER_IDS = new AtomicInteger(1000);

    private final Path base;
    private final int serverId;
    private final Map<String, String> options;
    private final TestCertificates tls;

    private MariaDbShard(Builder builder, Path directory) {
        super(builder.id, Engine.MARIADB, builder.database, directory, FreePorts.next(), builder.host);
        this.base = ShippedBinaries.mariadbBase();
        this.serverId = SERVER_IDS.incrementAndGet();
        this.options = builder.options;
        this.tls = builder.tls;
    }

    /** Starts a shard with the default options and a database named {@code shop}. */
    public static MariaDbShard start(String id) {
        return builder(id).start();
    }

    public static Builder builder(String id) {
        return new Builder(id);
    }

    /** Options for a new shard; every default can be overridden with {@link #option}. */
    public static final class Builder {
        private final String id;
        private String database = "shop";
        private final Map<String, String> options = new LinkedHashMap<>();
        private TestCertificates tls;
        private String host = LOOPBACK;

        private Builder(String id) {
            this.id = id;
            options.put("log-bin", "mysql-bin");
            options.put("binlog-format", "ROW");
            options.put("binlog-row-image", "FULL");
            options.put("innodb-flush-log-at-trx-commit", "1");
            options.put("sync-binlog", "1");
            options.put("innodb-buffer-pool-size", "64M");
            options.put("innodb-log-file-size", "16M");
            options.put("character-set-server", "utf8mb4");
            options.put("collation-server", "utf8mb4_unicode_ci");
            options.put("default-time-zone", "+00:00");
            options.put("max-connections", "200");
            // 11.4 makes a self-signed TLS certificate at every start, which costs seconds; loopback needs none.
            options.put("skip-ssl", "");
        }

        public Builder database(String name) {
            this.database = name;
            return this;
        }

        /**
         * A server option passed as {@code --name=value}, for example {@code binlog-format=STATEMENT}; an empty
         * value passes a bare flag ({@code --name}).
         */
        public Builder option(String name, String value) {
            options.put(name, value);
            return this;
        }

        /**
         * TCP only over TLS ({@code require_secure_transport=ON}) with {@code certificates}; the shard's JDBC URL
         * verifies the server by them ({@code sslMode=verify-full&serverSslCert=...}).
         */
        public Builder tls(TestCertificates certificates) {
            this.tls = certificates;
            options.remove("skip-ssl");
            options.put("ssl-cert", certificates.certificatePem().toString());
            options.put("ssl-key", certificates.keyPem().toString());
            options.put("ssl-ca", certificates.certificatePem().toString());
            options.put("require-secure-transport", "ON");
            return this;
        }

        /**
         * Clients reach it at {@code address}, a local address other than {@code 127.0.0.1} (it listens on both): for a
         * client in another network namespace. Its users may log in from any host.
         */
        public Builder host(String address) {
            this.host = address;
            return this;
        }

        public MariaDbShard start() {
            return launch(new MariaDbShard(this, Scratch.newDirectory("mariadb-" + id)));
        }
    }

    @Override
    void initializeDataDirectory() {
        Path installer = ShippedBinaries.requireFile(base.resolve("scripts/mariadb-install-db"),
                "mariadb-install-db", "-Dshardflow.testkit.mariadb.basedir");
        try {
            Files.createDirectories(directory.resolve("tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException(this + ": cannot create its tmpdir", e);
        }
        List<String> command = new ArrayList<>(List.of(installer.toString(), "--no-defaults",
                "--basedir=" + base, "--datadir=" + dataDirectory(),
                // Its own tmpdir: bootstraps sharing /tmp collide on temporary table names.
                "--tmpdir=" + directory.resolve("tmp"),
                "--auth-root-authentication-method=normal", "--skip-test-db",
                "--innodb-log-file-size=" + options.getOrDefault("innodb-log-file-size", "16M")));
        if (Command.runningAsRoot()) {
            command.add("--user=root");
        }
        Command.run("mariadb-install-db " + id(), command, directory, Duration.ofSeconds(120));
    }

    @Override
    List<String> serverCommand() {
        Path mariadbd = ShippedBinaries.requireFile(base.resolve("bin/mariadbd"), "mariadbd",
                "-Dshardflow.testkit.mariadb.basedir");
        List<String> args = new ArrayList<>(List.of(mariadbd.toString(), "--no-defaults",
                "--basedir=" + base,
                "--datadir=" + dataDirectory(),
                "--tmpdir=" + directory.resolve("tmp"),
                "--socket=" + directory.resolve("mysqld.sock"),
                "--pid-file=" + directory.resolve("mysqld.pid"),
                "--port=" + port(),
                "--bind-address=" + listenAddresses(),
                "--skip-name-resolve",
                "--server-id=" + serverId));
        if (Command.runningAsRoot()) {
            args.add("--user=root");
        }
        options.forEach((name, value) -> args.add(value.isEmpty() ? "--" + name : "--" + name + "=" + value));
        return args;
    }

    @Override
    String shutdownSignal() {
        return "TERM";
    }

    @Override
    boolean acceptsConnections() {
        try (Connection connection = connectAsRoot()) {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    void createDatabaseAndUser() throws SQLException {
        try (Connection connection = connectAsRoot(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE IF NOT EXISTS `" + database() + "`");
            // Both hosts: an anonymous ''@'localhost' account would otherwise win for local connections.
            for (String host : List.of("%", "localhost")) {
                String account = "'" + user() + "'@'" + host + "'";
                statement.execute("CREATE USER IF NOT EXISTS " + account + " IDENTIFIED BY '" + password() + "'");
                statement.execute("GRANT ALL PRIVILEGES ON *.* TO " + account + " WITH GRANT OPTION");
            }
        }
    }

    /** root has no password but can only come from 127.0.0.1; it sets the server up, nothing else. */
    private Connection connectAsRoot() throws SQLException {
        return connect("jdbc:mariadb://" + LOOPBACK + ":" + port() + "/" + tlsParameters(), "root", null);
    }

    @Override
    public String jdbcUrl() {
        return "jdbc:mariadb://" + host() + ":" + port() + "/" + database() + tlsParameters();
    }

    private String tlsParameters() {
        return tls == null ? "" : "?sslMode=verify-full&serverSslCert=" + tls.certificatePem();
    }

    /** The {@code server_id} this server runs with; replication clients must use another. */
    public int serverId() {
        return serverId;
    }

    public Path dataDirectory() {
        return directory.resolve("data");
    }
}
