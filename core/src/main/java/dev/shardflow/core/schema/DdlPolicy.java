package dev.shardflow.core.schema;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a running move does with a schema change of a managed table on a source shard ({@code ddl:} in the topology
 * file). A change that cannot be made online without risk — a column dropped or renamed, a type narrowed, the key
 * changed — always holds the move until an operator makes it on the targets and resumes it, whatever the policy.
 */
public enum DdlPolicy {
    /** Additive changes (a column added, a type widened) are made on every target before the first row needing them. */
    PROPAGATE,
    /** Every change holds the move, additive ones too, until an operator resumes it. */
    PAUSE,
    /**
     * Changes are noted, never made; a row that needs a column the target lacks goes to the dead-letter topic, as
     * without schema events.
     */
    IGNORE;

    /** The name in the topology file. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DdlPolicy fromConfigName(String name) {
        for (DdlPolicy policy : values()) {
            if (policy.configName().equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
                return policy;
            }
        }
        throw new IllegalArgumentException("unknown ddl policy '" + name + "'; use one of "
                + Arrays.stream(values()).map(DdlPolicy::configName).collect(Collectors.joining(", ")));
    }
}
