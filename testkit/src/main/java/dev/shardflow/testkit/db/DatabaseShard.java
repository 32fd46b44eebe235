package dev.shardflow.testkit.db;

import dev.shardflow.core.topology.Engine;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real database server holding one shard, running as its own process on a loopback port with its own data
 * directory. It can be crashed ({@link #kill()}), stopped, and started again on the same port with the same data;
 * {@link #close()} removes the process and every file it wrote.
 */
public interface DatabaseShard extends AutoCloseable {

    /** The shard id, for example {@code "s1"}. */
    String id();

    Engine engine();

    /** The database (schema, on MariaDB) that holds the shard's tables. */
    String database();

    String host();

    int port();

    /** A JDBC URL for {@link #database()}; it carries no credentials. */
    String jdbcUrl();

    /** A user with every privilege on the server, replication included. */
    String user();

    /** The password of {@link #user()}: a secret made up for this server, never printed by {@code toString}. */
    String password();

    /** A new connection to {@link #database()} as {@link #user()}; the caller closes it. */
    Connection connect() throws SQLException;

    /** The rows {@code table} of {@link #database()} holds now. */
    default long count(String table) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT COUNT(*) FROM " + table)) {
            result.next();
            return result.getLong(1);
        }
    }

    /** Runs every statement of a SQL script, found on the class path, in {@link #database()}. */
    void runScript(String classpathResource);

    /** Runs the given statements in {@link #database()}, one after another, in autocommit mode. */
    void execute(String... statements);

    boolean isRunning();

    /** SIGKILL to the server and its children: no shutdown, no flush beyond what the server had already made. */
    void kill();

    /** A clean shutdown; waits for the server to exit. */
    void stop();

    /** Starts the server again after {@link #kill()} or {@link #stop()}, on the same port and data directory. */
    void restart();

    /** Kills the server and deletes its data directory. */
    @Override
    void close();
}
