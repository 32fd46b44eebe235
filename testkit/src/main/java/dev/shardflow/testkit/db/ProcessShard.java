package dev.shardflow.testkit.db;

import dev.shardflow.core.topology.Engine;
import dev.shardflow.testkit.process.Scratch;
import dev.shardflow.testkit.process.ServerProcess;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What PostgreSQL and MariaDB shards share: one server process, its directory, its credentials, its lifecycle. */
abstract class ProcessShard implements DatabaseShard {
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Logger log = LoggerFactory.getLogger(ProcessShard.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The address every shard listens on, and its set-up connections use. */
    static final String LOOPBACK = "127.0.0.1";

    private final String id;
    private final Engine engine;
    private final String database;
    private final int port;
    private final String host;
    private final String password;
    final Path directory;
    private ServerProcess server;

    /** @param host the address clients reach it at: {@code 127.0.0.1}, or another local one it listens on too */
    ProcessShard(String id, Engine engine, String database, Path directory, int port, String host) {
        this.id = id;
        this.host = host;
        this.engine = engine;
        this.database = database;
        this.directory = directory;
        this.port = port;
        byte[] secret = new byte[12];
        RANDOM.nextBytes(secret);
        this.password = HexFormat.of().formatHex(secret);
    }

    /** The command line that runs the server in the foreground. */
    abstract List<String> serverCommand();

    /** The signal that asks the server for a clean, prompt shutdown. */
    abstract String shutdownSignal();

    /** True once the server accepts connections; must not throw. */
    abstract boolean acceptsConnections();

    /** Creates the database and the user on a server started for the first time. */
    abstract void createDatabaseAndUser() throws SQLException;

    /** Creates an empty data directory, as {@code initdb} or {@code mariadb-install-db} do. */
    abstract void initializeDataDirectory();

    /** Initializes and starts a new shard; on failure removes whatever it had made and rethrows. */
    static <S extends ProcessShard> S launch(S shard) {
        try {
            shard.initializeDataDirectory();
            shard.startFirstTime();
            return shard;
        } catch (RuntimeException e) {
            shard.close();
            throw e;
        }
    }

    /** Starts a server whose data directory is already initialized, then creates the database and user. */
    final void startFirstTime() {
        long started = System.nanoTime();
        server = new ServerProcess(engine.configName() + " shard " + id, serverCommand(), directory, Map.of());
        server.start();
        server.awaitReady(STARTUP_TIMEOUT, this::acceptsConnections);
        try {
            createDatabaseAndUser();
        } catch (SQLException e) {
            throw new IllegalStateException(this + ": cannot create database " + database + " and its user", e);
        }
        log.info("{} started in {} ms (pid {}, data in {})", this, (System.nanoTime() - started) / 1_000_000,
                server.pid(), directory);
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final Engine engine() {
        return engine;
    }

    @Override
    public final String database() {
        return database;
    }

    @Override
    public final String host() {
        return host;
    }

    /** The addresses the server listens on: {@code 127.0.0.1}, and {@link #host()} where that is another. */
    final String listenAddresses() {
        return host.equals(LOOPBACK) ? LOOPBACK : LOOPBACK + "," + host;
    }

    @Override
    public final int port() {
        return port;
    }

    @Override
    public final String user() {
        return "shardflow";
    }

    @Override
    public final String password() {
        return password;
    }

    @Override
    public Connection connect() throws SQLException {
        return connect(jdbcUrl(), user(), password());
    }

    static Connection connect(String url, String user, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        if (password != null) {
            properties.setProperty("password", password);
        }
        return DriverManager.getConnection(url, properties);
    }

    @Override
    public void runScript(String classpathResource) {
        execute(SqlScript.fromClasspath(classpathResource).statements().toArray(String[]::new));
    }

    @Override
    public void execute(String... statements) {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                try {
                    statement.execute(sql);
                } catch (SQLException e) {
                    throw new IllegalStateException(this + ": statement failed: " + sql + ": " + e.getMessage(), e);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(this + ": cannot connect: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean isRunning() {
        return server.isAlive();
    }

    @Override
    public void kill() {
        server.kill();
        log.info("{} killed with SIGKILL", this);
    }

    @Override
    public void stop() {
        server.stop(shutdownSignal(), Duration.ofSeconds(30));
        log.info("{} stopped", this);
    }

    @Override
    public void restart() {
        if (server.isAlive()) {
            throw new IllegalStateException(this + " is still running; kill() or stop() it first");
        }
        long started = System.nanoTime();
        server.start();
        server.awaitReady(STARTUP_TIMEOUT, this::acceptsConnections);
        log.info("{} restarted in {} ms (pid {})", this, (System.nanoTime() - started) / 1_000_000, server.pid());
    }

    @Override
    public void close() {
        if (server != null) {
            server.kill();
        }
        Scratch.delete(directory);
    }

    /** The end of the server's log, for error messages. */
    public String logTail(int lines) {
        return server.logTail(lines);
    }

    @Override
    public String toString() {
        return engine.configName() + " shard " + id + " on " + host() + ":" + port + "/" + database;
    }
}
