package dev.shardflow.quickstart;

/**
 * The quickstart's fleet and data.
 *
 * @param engines {@code mixed} (MariaDB and PostgreSQL sources, a new PostgreSQL shard), {@code postgresql} or
 *     {@code mariadb}
 * @param sources the shards of the ring before the rebalance; one more is added
 * @param apiPort the topology service's API and dashboard port (0: any free one)
 * @param ddlDemo whether a column is added to {@code users} on every source in the middle of the copy ({@link DdlDemo})
 */
record QuickstartSettings(String engines, int sources, int users, int orders, int writesPerSecond, int apiPort,
        boolean ddlDemo) {

    QuickstartSettings {
        if (!java.util.List.of("mixed", "postgresql", "mariadb").contains(engines)) {
            throw new IllegalArgumentException("--engines: give mixed, postgresql or mariadb, not " + engines);
        }
        if (sources < 1 || sources > 8) {
            throw new IllegalArgumentException("--shards: give 1 to 8 source shards, not " + sources);
        }
        if (users < 10 || orders < 0) {
            throw new IllegalArgumentException("--users must be at least 10 and --orders not negative");
        }
        if (writesPerSecond < 4) {
            throw new IllegalArgumentException("--writes-per-second must be at least 4, was " + writesPerSecond);
        }
    }

    int postgres() {
        return switch (engines) {
            case "postgresql" -> sources + 1;
            case "mariadb" -> 0;
            default -> sources - sources / 2 + 1;
        };
    }

    int mariadb() {
        return switch (engines) {
            case "postgresql" -> 0;
            case "mariadb" -> sources + 1;
            default -> sources / 2;
        };
    }

    /** The shard the rebalance adds: the last one started. */
    String added() {
        return engines.equals("mariadb") ? "maria" + mariadb() : "pg" + postgres();
    }
}
