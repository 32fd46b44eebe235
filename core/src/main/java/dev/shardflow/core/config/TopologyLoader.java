package dev.shardflow.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.shardflow.core.config.TopologyDocument.ShardEntry;
import dev.shardflow.core.config.TopologyDocument.TableEntry;
import dev.shardflow.core.strategy.ShardingStrategy;
import dev.shardflow.core.topology.Engine;
import dev.shardflow.core.topology.SecretRef;
import dev.shardflow.core.topology.ShardSpec;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.schema.DdlPolicy;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.core.topology.ViewSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Loads a topology from one YAML file, applies {@code SHARDFLOW_*} environment overrides (see
 * {@link EnvironmentOverrides}), and validates everything before anything starts: a bad file fails with one line
 * per problem, each naming the field and the fix.
 */
public final class TopologyLoader {
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private TopologyLoader() {}

    public static Topology load(Path file) {
        return load(file, System.getenv());
    }

    public static Topology load(Path file, Map<String, String> environment) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot read the file: " + e.getMessage()));
        }
        return parse(text, file.toString(), environment);
    }

    /** Parses YAML text; {@code source} names it in errors. */
    public static Topology parse(String yaml, String source, Map<String, String> environment) {
        TopologyDocument document = bind(yaml, source, environment);
        Problems problems = new Problems();
        if (document.keyspace() == null || document.keyspace().isBlank()) {
            problems.add("keyspace", "missing; name the keyspace, for example keyspace: shop");
        }
        long epoch = document.epoch() == null ? 0 : document.epoch();
        if (epoch < 0) {
            problems.add("epoch", "must not be negative, was " + epoch);
        }
        List<ShardSpec> shards = shards(document.shards(), problems);
        Map<String, Double> weights = new LinkedHashMap<>();
        shards.forEach(shard -> weights.putIfAbsent(shard.id(), shard.weight()));
        ShardingStrategy strategy = new StrategyFactory(weights, problems).build(document.strategy(), "strategy");
        List<TableSpec> tables = tables(document.tables(), problems);
        List<ViewSpec> views = ViewEntries.validate(document.views(), tables, problems);
        long maxRowBytes = document.maxRowBytes() == null ? Topology.DEFAULT_MAX_ROW_BYTES : document.maxRowBytes();
        if (maxRowBytes < 1 || maxRowBytes > Topology.MAX_MAX_ROW_BYTES) {
            problems.add("maxRowBytes", "must be within 1.." + Topology.MAX_MAX_ROW_BYTES + " (512 MiB), was "
                    + maxRowBytes);
        }
        DdlPolicy ddl = DdlPolicy.PROPAGATE;
        if (document.ddl() != null) {
            try {
                ddl = DdlPolicy.fromConfigName(document.ddl());
            } catch (IllegalArgumentException e) {
                problems.add("ddl", e.getMessage());
            }
        }
        problems.throwIfAny(source);
        String prefix = document.topicPrefix() == null ? "sf." + document.keyspace() : document.topicPrefix();
        return new Topology(document.keyspace(), epoch, prefix, tables, shards, strategy, views, maxRowBytes, ddl);
    }

    /**
     * The document as published to the other components: {@code yaml} with its environment overrides applied,
     * validated, written as JSON (which is YAML, so {@link #parse} reads it back with no environment). Passwords
     * stay references.
     */
    public static String resolve(String yaml, String source, Map<String, String> environment) {
        parse(yaml, source, environment);
        try {
            JsonNode tree = tree(yaml, source);
            EnvironmentOverrides.apply(tree, environment);
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source, List.of("not valid YAML: " + e.getOriginalMessage()));
        }
    }

    private static JsonNode tree(String yaml, String source) throws JsonProcessingException {
        JsonNode tree = YAML.readTree(yaml);
        if (tree == null || !tree.isObject()) {
            throw new ConfigException(source, List.of("the file holds no YAML mapping; start with keyspace: ..."));
        }
        return tree;
    }

    private static TopologyDocument bind(String yaml, String source, Map<String, String> environment) {
        try {
            JsonNode tree = tree(yaml, source);
            EnvironmentOverrides.apply(tree, environment);
            return YAML.treeToValue(tree, TopologyDocument.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(source, List.of(path(e) + ": unknown field '" + e.getPropertyName()
                    + "'; known fields here: " + e.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", "))));
        } catch (JsonMappingException e) {
            throw new ConfigException(source, List.of(path(e) + ": " + e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw new ConfigException(source, List.of("not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr())));
        }
    }

    private static List<ShardSpec> shards(List<ShardEntry> entries, Problems problems) {
        List<ShardSpec> shards = new ArrayList<>();
        if (entries == null || entries.isEmpty()) {
            problems.add("shards", "no shards; declare at least one with id, engine, jdbcUrl, user and password");
            return shards;
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            ShardEntry entry = entries.get(i);
            String at = "shards[" + i + "]";
            int before = problems.size();
            if (entry.id() == null || entry.id().isBlank()) {
                problems.add(at + ".id", "missing; give the shard an id such as s1");
            } else if (!ids.add(entry.id())) {
                problems.add(at + ".id", "duplicate shard id " + entry.id() + "; give each shard a unique id");
            }
            Engine engine = null;
            try {
                engine = Engine.fromConfigName(entry.engine());
            } catch (IllegalArgumentException e) {
                problems.add(at + ".engine", e.getMessage());
            }
            if (entry.jdbcUrl() == null || !entry.jdbcUrl().startsWith("jdbc:")) {
                problems.add(at + ".jdbcUrl", "missing or not a JDBC URL; for example jdbc:postgresql://host:5432/shop");
            }
            if (entry.user() == null) {
                problems.add(at + ".user", "missing; name the database user");
            }
            SecretRef password = password(entry, at, problems);
            double weight = entry.weight() == null ? 1.0 : entry.weight();
            if (!(weight > 0) || Double.isInfinite(weight)) {
                problems.add(at + ".weight", "must be a positive number, was " + entry.weight());
            }
            if (problems.size() == before) {
                shards.add(new ShardSpec(entry.id(), engine, entry.jdbcUrl(), entry.user(), password, weight));
            }
        }
        return shards;
    }

    private static SecretRef password(ShardEntry entry, String at, Problems problems) {
        if (entry.password() == null) {
            problems.add(at + ".password", "missing; give {env: VARIABLE} or {file: /path} (never the password itself)");
            return null;
        }
        boolean env = entry.password().env() != null;
        boolean file = entry.password().file() != null;
        if (env == file) {
            problems.add(at + ".password", "give exactly one of env or file");
            return null;
        }
        return env ? SecretRef.env(entry.password().env()) : SecretRef.file(entry.password().file());
    }

    private static List<TableSpec> tables(List<TableEntry> entries, Problems problems) {
        List<TableSpec> tables = new ArrayList<>();
        if (entries == null || entries.isEmpty()) {
            problems.add("tables", "no tables; list the keyspace's tables");
            return tables;
        }
        Map<String, String> parents = new HashMap<>();
        Set<String> names = new HashSet<>();
        entries.forEach(entry -> {
            if (entry.name() != null) {
                names.add(entry.name());
            }
        });
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            TableEntry entry = entries.get(i);
            String at = "tables[" + i + "]";
            int before = problems.size();
            if (entry.name() == null) {
                problems.add(at + ".name", "missing");
            } else if (!seen.add(entry.name())) {
                problems.add(at + ".name", "table " + entry.name() + " is listed twice");
            }
            if (entry.primaryKey() == null || entry.primaryKey().isEmpty()) {
                problems.add(at + ".primaryKey", "missing; list the primary-key columns");
            }
            boolean reference = Boolean.TRUE.equals(entry.reference());
            int placements = (entry.shardKey() != null ? 1 : 0) + (entry.parent() != null ? 1 : 0) + (reference ? 1 : 0);
            if (placements != 1) {
                problems.add(at, placements == 0
                        ? "table " + entry.name() + " has neither a shard key nor a parent; add shardKey: <column>, "
                                + "parent: {table, column}, or reference: true"
                        : "give only one of shardKey, parent and reference");
            }
            if (entry.parent() != null) {
                if (entry.parent().table() == null || !names.contains(entry.parent().table())) {
                    problems.add(at + ".parent.table", "unknown table '" + entry.parent().table()
                            + "'; name a table of this keyspace");
                } else {
                    parents.put(entry.name(), entry.parent().table());
                }
                if (entry.parent().column() == null) {
                    problems.add(at + ".parent.column", "missing; name the column that references the parent");
                }
            }
            if (problems.size() == before) {
                tables.add(entry.shardKey() != null ? TableSpec.sharded(entry.name(), entry.primaryKey(), entry.shardKey())
                        : entry.parent() != null
                                ? TableSpec.child(entry.name(), entry.primaryKey(), entry.parent().table(),
                                        entry.parent().column())
                                : TableSpec.reference(entry.name(), entry.primaryKey()));
            }
        }
        reportParentCycles(entries, parents, problems);
        return tables;
    }

    private static void reportParentCycles(List<TableEntry> entries, Map<String, String> parents, Problems problems) {
        Set<String> reported = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            String start = entries.get(i).name();
            List<String> chain = new ArrayList<>(List.of(start == null ? "" : start));
            String current = parents.get(start);
            while (current != null && !chain.contains(current)) {
                chain.add(current);
                current = parents.get(current);
            }
            if (current != null && current.equals(start) && reported.add(Set.copyOf(chain).toString())) {
                chain.add(start);
                problems.add("tables[" + i + "].parent", "parent cycle " + String.join(" -> ", chain)
                        + "; one table in the chain needs its own shard key");
            }
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.length() == 0 ? "(top level)" : path.toString();
    }
}
