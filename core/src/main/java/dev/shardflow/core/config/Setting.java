package dev.shardflow.core.config;

import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One configuration option, declared once with its name, default, documentation and validation (the idea of
 * Debezium's {@code Field}). A component lists its settings in one class; {@link SettingsReader} reads and
 * validates them together, and the component's README reference is checked against the same declarations.
 *
 * @param name the dotted path in the YAML file, for example {@code engine.maxBatchSize}
 * @param defaultValue the value when the file leaves it out; null makes the setting required
 * @param doc one sentence for the reference: what it does and why one would change it
 */
public record Setting<T>(String name, Class<T> type, T defaultValue, String doc, Function<T, String> validator) {

    public Setting {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(doc, "doc");
        Objects.requireNonNull(validator, "validator");
    }

    public static Setting<String> text(String name, String defaultValue, String doc) {
        return new Setting<>(name, String.class, defaultValue, doc, value -> value.isBlank() ? "must not be blank" : null);
    }

    public static Setting<Integer> positiveInt(String name, Integer defaultValue, String doc) {
        return new Setting<>(name, Integer.class, defaultValue, doc, value -> value > 0 ? null : "must be positive");
    }

    public static Setting<Long> positiveLong(String name, Long defaultValue, String doc) {
        return new Setting<>(name, Long.class, defaultValue, doc, value -> value > 0 ? null : "must be positive");
    }

    /** A yes/no setting: {@code true} or {@code false}. */
    public static Setting<Boolean> flag(String name, Boolean defaultValue, String doc) {
        return new Setting<>(name, Boolean.class, defaultValue, doc, value -> null);
    }

    /** A TCP port, 1 to 65535, or 0 for none (the component then does not listen). */
    public static Setting<Integer> port(String name, Integer defaultValue, String doc) {
        return new Setting<>(name, Integer.class, defaultValue, doc,
                value -> value >= 0 && value <= 65535 ? null : "must be a port from 1 to 65535, or 0 for none");
    }

    public boolean required() {
        return defaultValue == null;
    }

    /** The YAML value at this setting's path in {@code document}, or null. */
    Object lookup(Map<String, Object> document) {
        Object node = document;
        for (String part : name.split("\\.")) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            node = map.get(part);
        }
        return node;
    }
}
