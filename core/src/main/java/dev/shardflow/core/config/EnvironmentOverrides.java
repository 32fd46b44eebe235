package dev.shardflow.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Replaces values of a configuration tree from environment variables named after their path:
 * {@code SHARDFLOW_} + the path in upper case, segments joined by {@code _}, where a list element that has an
 * {@code id} or {@code name} is addressed by it. {@code SHARDFLOW_SHARDS_S1_JDBCURL} sets the {@code jdbcUrl} of
 * shard {@code s1}; {@code SHARDFLOW_STRATEGY_VNODES} the ring's vnodes. Only values present in the file can be
 * overridden, so a typo in a variable name changes nothing instead of inventing a field.
 */
final class EnvironmentOverrides {
    static final String PREFIX = "SHARDFLOW_";

    private EnvironmentOverrides() {}

    /** Applies the overrides in place and returns the names of the variables that were used. */
    static List<String> apply(JsonNode root, Map<String, String> environment) {
        List<String> used = new ArrayList<>();
        walk(root, PREFIX.substring(0, PREFIX.length() - 1), environment, used);
        return used;
    }

    private static void walk(JsonNode node, String path, Map<String, String> environment, List<String> used) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.properties().forEach(field -> names.add(field.getKey()));
            for (String name : names) {
                JsonNode child = object.get(name);
                String childPath = path + "_" + segment(name);
                if (child.isValueNode() || child.isNull()) {
                    String value = environment.get(childPath);
                    if (value != null) {
                        object.set(name, TextNode.valueOf(value));
                        used.add(childPath);
                    }
                } else {
                    walk(child, childPath, environment, used);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode element = array.get(i);
                String label = element.hasNonNull("id") ? element.get("id").asText()
                        : element.hasNonNull("name") ? element.get("name").asText() : Integer.toString(i);
                if (element.isContainerNode()) {
                    walk(element, path + "_" + segment(label), environment, used);
                }
            }
        }
    }

    private static String segment(String name) {
        return name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }
}
