package dev.shardflow.core.config;

import dev.shardflow.core.topology.SecretRef;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * A map of client properties handed to a library as they are — Kafka's {@code security.protocol}, {@code sasl.*},
 * {@code ssl.*} — declared as one setting. A value is written as it is, or as a reference to a secret,
 * {@code {env: VARIABLE}} or {@code {file: /path}}, read when the process starts, like a database password, so
 * that no secret has to be written into a settings file.
 */
public final class ClientProperties {

    private ClientProperties() {}

    /** A setting holding such a map, empty unless given. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Setting<Map<String, Object>> setting(String name, String doc) {
        return new Setting<>(name, (Class<Map<String, Object>>) (Class) Map.class, Map.of(), doc,
                ClientProperties::invalid);
    }

    /**
     * The properties with each secret reference read.
     *
     * @throws ConfigException naming every property whose secret cannot be read (never the secret)
     */
    public static Map<String, String> resolve(String setting, Map<String, Object> properties,
            UnaryOperator<String> environment) {
        Problems problems = new Problems();
        Map<String, String> resolved = new TreeMap<>();
        properties.forEach((key, value) -> {
            try {
                resolved.put(key, value instanceof Map<?, ?> reference ? secret(reference).resolve(environment)
                        : String.valueOf(value));
            } catch (IllegalStateException e) {
                problems.add(setting + "." + key, e.getMessage());
            }
        });
        problems.throwIfAny(setting);
        return resolved;
    }

    private static String invalid(Map<String, Object> properties) {
        for (Map.Entry<String, Object> entry : new LinkedHashMap<>(properties).entrySet()) {
            Object value = entry.getValue();
            if (value == null) {
                return "property " + entry.getKey() + " has no value";
            }
            if (value instanceof Map<?, ?> reference) {
                try {
                    secret(reference);
                } catch (IllegalArgumentException e) {
                    return "property " + entry.getKey() + ": " + e.getMessage();
                }
            } else if (value instanceof Iterable<?>) {
                return "property " + entry.getKey() + " is a list; write it as one comma-separated value";
            }
        }
        return null;
    }

    private static SecretRef secret(Map<?, ?> reference) {
        Object env = reference.get("env");
        Object file = reference.get("file");
        if (reference.size() != 1 || (env == null) == (file == null)) {
            throw new IllegalArgumentException("a secret is {env: VARIABLE} or {file: /path}, was "
                    + reference.keySet());
        }
        return env != null ? SecretRef.env(env.toString()) : SecretRef.file(file.toString());
    }
}
