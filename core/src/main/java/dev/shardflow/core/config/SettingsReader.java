package dev.shardflow.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a component's YAML file against its declared {@link Setting}s: applies defaults, converts types, runs each
 * validator, rejects keys no setting declares, and lets {@code SHARDFLOW_<NAME>} environment variables (dots as
 * underscores, upper case) override any setting. Every problem is reported at once.
 */
public final class SettingsReader {
    private static final YAMLMapper YAML = YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final String source;
    private final Map<String, Object> document;
    private final Map<String, String> environment;
    private final Problems problems = new Problems();
    private final Map<Setting<?>, Object> values = new HashMap<>();

    private SettingsReader(String source, Map<String, Object> document, Map<String, String> environment) {
        this.source = source;
        this.document = document;
        this.environment = environment;
    }

    public static SettingsReader of(Path file, Map<String, String> environment) {
        try {
            Map<String, Object> document = YAML.readValue(Files.readString(file), new TypeReference<>() {});
            return new SettingsReader(file.toString(), document == null ? Map.of() : document, environment);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot read it as YAML: " + e.getMessage()));
        }
    }

    public static SettingsReader of(String source, Map<String, Object> document, Map<String, String> environment) {
        return new SettingsReader(source, document, environment);
    }

    /** Reads and validates every setting; throws one {@link ConfigException} listing all problems. */
    public SettingsReader read(List<Setting<?>> settings) {
        Set<String> declared = new LinkedHashSet<>();
        for (Setting<?> setting : settings) {
            declared.add(setting.name());
            readOne(setting);
        }
        reportUndeclared(document, "", declared);
        problems.throwIfAny(source);
        return this;
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        if (!values.containsKey(setting)) {
            throw new IllegalStateException("setting " + setting.name() + " was not read");
        }
        return (T) values.get(setting);
    }

    private <T> void readOne(Setting<T> setting) {
        String variable = "SHARDFLOW_" + setting.name().toUpperCase(Locale.ROOT).replace('.', '_');
        Object raw = environment.containsKey(variable) ? environment.get(variable) : setting.lookup(document);
        if (raw == null) {
            if (setting.required()) {
                problems.add(setting.name(), "missing; " + setting.doc());
            }
            values.put(setting, setting.defaultValue());
            return;
        }
        T value;
        try {
            if (raw instanceof String text && Map.class.isAssignableFrom(setting.type())) {
                raw = YAML.readValue(text, new TypeReference<Map<String, Object>>() {}); // {key: value, ...}
            }
            value = YAML.convertValue(raw, setting.type());
        } catch (IOException e) {
            problems.add(setting.name(), "'" + raw + "' is not a map, such as {key: value, other.key: value}");
            return;
        } catch (IllegalArgumentException e) {
            problems.add(setting.name(), "'" + raw + "' is not a " + setting.type().getSimpleName().toLowerCase(Locale.ROOT));
            return;
        }
        String invalid = setting.validator().apply(value);
        if (invalid != null) {
            problems.add(setting.name(), invalid + ", was " + raw);
            return;
        }
        values.put(setting, value);
    }

    private void reportUndeclared(Map<String, Object> node, String prefix, Set<String> declared) {
        for (Map.Entry<String, Object> entry : new LinkedHashMap<>(node).entrySet()) {
            String path = prefix + entry.getKey();
            if (declared.contains(path)) {
                continue;
            }
            boolean parent = declared.stream().anyMatch(name -> name.startsWith(path + "."));
            if (parent && entry.getValue() instanceof Map<?, ?> child) {
                @SuppressWarnings("unchecked")
                Map<String, Object> children = (Map<String, Object>) child;
                reportUndeclared(children, path + ".", declared);
            } else {
                problems.add(path, "unknown setting; known settings: " + String.join(", ", declared));
            }
        }
    }
}
