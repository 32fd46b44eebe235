package dev.shardflow.capture.debezium;

import java.net.URI;

/** Host, port and database of a shard's JDBC URL, which Debezium takes as separate settings. */
public record JdbcTarget(String host, int port, String database) {

    public static JdbcTarget parse(String jdbcUrl, int defaultPort) {
        if (!jdbcUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("'" + jdbcUrl + "' is not a JDBC URL");
        }
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (uri.getHost() == null || path.isEmpty()) {
            throw new IllegalArgumentException("JDBC URL '" + jdbcUrl + "' needs a host and a database, like "
                    + "jdbc:postgresql://host:5432/shop");
        }
        return new JdbcTarget(uri.getHost(), uri.getPort() < 0 ? defaultPort : uri.getPort(), path);
    }
}
