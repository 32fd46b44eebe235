package dev.shardflow.capture.debezium;

import dev.shardflow.core.topology.Engine;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What Debezium takes as separate settings from a shard's JDBC URL: host, port, database, the PostgreSQL schema
 * ({@code currentSchema}, {@code public} by default) and the URL's TLS parameters, so that capture reaches a source
 * the way the writers and the checks do, over TLS when the URL says so.
 *
 * @param parameters the URL's query parameters, in their order
 */
public record JdbcTarget(String host, int port, String database, Map<String, String> parameters) {

    public JdbcTarget {
        parameters = Map.copyOf(parameters);
    }

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
        Map<String, String> parameters = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int equals = pair.indexOf('=');
                if (pair.isEmpty()) {
                    continue;
                }
                parameters.put(decode(equals < 0 ? pair : pair.substring(0, equals)),
                        equals < 0 ? "" : decode(pair.substring(equals + 1)));
            }
        }
        return new JdbcTarget(uri.getHost(), uri.getPort() < 0 ? defaultPort : uri.getPort(), path, parameters);
    }

    /** The PostgreSQL schema of the tables: the first of {@code currentSchema}, else {@code public}. */
    public String schema() {
        String current = parameters.get("currentSchema");
        return current == null || current.isBlank() ? "public" : current.split(",")[0].trim();
    }

    /**
     * The connector settings of the URL's TLS parameters, for {@code engine}'s Debezium connector:
     * <ul>
     *   <li>PostgreSQL: {@code sslmode}, {@code sslrootcert}, {@code sslcert}, {@code sslkey}, {@code sslpassword},
     *       {@code sslfactory} as {@code database.<name>};
     *   <li>MariaDB: {@code sslMode} as {@code database.ssl.mode}, {@code trustStore}/{@code keyStore} and their
     *       passwords as {@code database.ssl.truststore}/{@code keystore}; a PEM {@code serverSslCert} is returned
     *       by {@link #serverCertificate()} for the caller to turn into a trust store;
     *   <li>MySQL: {@code sslMode}, {@code trustCertificateKeyStoreUrl}, {@code clientCertificateKeyStoreUrl} and
     *       their passwords.
     * </ul>
     */
    public Map<String, String> tlsSettings(Engine engine) {
        Map<String, String> settings = new LinkedHashMap<>();
        switch (engine) {
            case POSTGRESQL -> {
                for (String name : new String[] {"sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword",
                        "sslfactory"}) {
                    copy(settings, name, "database." + name);
                }
            }
            case MARIADB -> {
                copy(settings, "sslMode", "database.ssl.mode");
                copyPath(settings, "trustStore", "database.ssl.truststore");
                copy(settings, "trustStorePassword", "database.ssl.truststore.password");
                copyPath(settings, "keyStore", "database.ssl.keystore");
                copy(settings, "keyStorePassword", "database.ssl.keystore.password");
            }
            case MYSQL -> {
                if (parameters.containsKey("sslMode")) {
                    settings.put("database.ssl.mode", parameters.get("sslMode").toLowerCase(Locale.ROOT));
                }
                copyPath(settings, "trustCertificateKeyStoreUrl", "database.ssl.truststore");
                copy(settings, "trustCertificateKeyStorePassword", "database.ssl.truststore.password");
                copyPath(settings, "clientCertificateKeyStoreUrl", "database.ssl.keystore");
                copy(settings, "clientCertificateKeyStorePassword", "database.ssl.keystore.password");
            }
        }
        return settings;
    }

    /** A MariaDB URL's {@code serverSslCert}: the PEM certificate (or its CA) the server is trusted by, if given. */
    public String serverCertificate() {
        return parameters.get("serverSslCert");
    }

    private void copy(Map<String, String> settings, String parameter, String setting) {
        if (parameters.containsKey(parameter)) {
            settings.put(setting, parameters.get(parameter));
        }
    }

    /** A trust or key store, which the drivers take as a path or a {@code file:} URL; Debezium takes a path. */
    private void copyPath(Map<String, String> settings, String parameter, String setting) {
        if (parameters.containsKey(parameter)) {
            settings.put(setting, parameters.get(parameter).replaceFirst("^file:(//)?", ""));
        }
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    /** Host, port and database; never the parameters, which may hold a trust store's password. */
    @Override
    public String toString() {
        return host + ":" + port + "/" + database;
    }
}
