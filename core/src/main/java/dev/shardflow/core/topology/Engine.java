package dev.shardflow.core.topology;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The database engine a shard runs; it decides the capture connector and the SQL dialect of the writer. */
public enum Engine {
    POSTGRESQL("postgresql"),
    MYSQL("mysql"),
    MARIADB("mariadb");

    private final String configName;

    Engine(String configName) {
        this.configName = configName;
    }

    /** The name used in configuration files and on the command line. */
    public String configName() {
        return configName;
    }

    /** Parses a configuration name; the error lists the accepted names. */
    public static Engine fromConfigName(String name) {
        for (Engine engine : values()) {
            if (engine.configName.equals(name == null ? null : name.toLowerCase(Locale.ROOT))) {
                return engine;
            }
        }
        throw new IllegalArgumentException("unknown engine '" + name + "'; use one of "
                + Arrays.stream(values()).map(Engine::configName).collect(Collectors.joining(", ")));
    }
}
