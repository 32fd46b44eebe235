package dev.shardflow.core.config;

import java.util.ArrayList;
import java.util.List;

/** The problems found in one configuration, each as {@code field: what is wrong; how to fix it}. */
final class Problems {
    private final List<String> lines = new ArrayList<>();

    void add(String field, String problem) {
        lines.add(field + ": " + problem);
    }

    boolean isEmpty() {
        return lines.isEmpty();
    }

    int size() {
        return lines.size();
    }

    void throwIfAny(String source) {
        if (!lines.isEmpty()) {
            throw new ConfigException(source, lines);
        }
    }
}
