package dev.shardflow.writer.apply;

import dev.shardflow.jdbc.Privileges;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Tells a failure that passes (the target is down, restarting, out of connections, a deadlock) from one that a
 * change causes and that repeats every time (a value that does not fit, a constraint, a missing column). When the
 * error alone does not say, the target is probed: if it cannot be reached the failure passes. Only a failure that
 * repeats on a reachable target may send a change to the dead-letter topic; every other one is retried — a privilege
 * the writer's user lacks too, until it is granted.
 */
final class Failures {
    // connection exception, transaction rollback (serialization, deadlock), insufficient resources, operator
    // intervention (shutdown, starting up)
    private static final Set<String> PASSING_CLASSES = Set.of("08", "40", "53", "57", "58");
    // MariaDB/MySQL: lock wait timeout, deadlock, server shutdown in progress, connection killed
    private static final Set<Integer> PASSING_MYSQL_CODES = Set.of(1205, 1213, 1053, 1927, 2006, 2013);

    private Failures() {}

    static boolean passes(SQLException error, DataSource target) {
        if (Privileges.isDenied(error)) {
            return true; // a missing grant is the target's, never a change's: retried until it is given
        }
        for (Throwable t = error; t != null; t = t.getCause() != t ? t.getCause() : null) {
            if (t instanceof SQLException sql && passesByItself(sql)) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getNextException() != null && passesByItself(sql.getNextException())) {
                return true;
            }
        }
        return !reachable(target);
    }

    private static boolean passesByItself(SQLException e) {
        if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
            return true;
        }
        String state = e.getSQLState();
        return state != null && state.length() >= 2 && PASSING_CLASSES.contains(state.substring(0, 2))
                || PASSING_MYSQL_CODES.contains(e.getErrorCode());
    }

    private static boolean reachable(DataSource target) {
        try (Connection probe = target.getConnection()) {
            return probe.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }
}
