package dev.shardflow.core.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.shardflow.core.topology.TableSpec;
import dev.shardflow.core.topology.Topology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads a change event for routing, not for applying: the envelope in full (keyspace, table, op, key, shard key,
 * source, epoch, joined) but of the row images only the columns that placing and checking the row look at — the
 * primary key, the shard key column, a child's parent column. The other columns are skipped by the parser without
 * being built, which is most of what reading an event costs; the event's bytes are kept, so a router forwards them
 * as they came, re-stamped with the epoch it routed under ({@link Envelope#withEpoch}).
 *
 * <p>The {@link ChangeEvent} it returns is checked like any other (its constructor, and {@link EnvelopeCheck} by the
 * router), and its images hold exactly the columns that check compares; a table the topology does not know is read
 * in full.
 */
public final class EnvelopeReader {
    private static final TypeReference<Map<String, Object>> ROW = new TypeReference<>() {};
    private static final ObjectReader ROWS = EventJson.mapper().readerFor(ROW);
    private static final ObjectReader SOURCES = EventJson.mapper().readerFor(Source.class);
    private static final ObjectReader JOINED = EventJson.mapper().readerFor(ChangeEvent.Joined.class);
    private static final ObjectReader VALUES = EventJson.mapper().readerFor(Object.class);

    private final Map<String, Set<String>> routingColumns = new HashMap<>();

    public EnvelopeReader(Topology topology) {
        for (TableSpec table : topology.tables()) {
            Set<String> columns = new LinkedHashSet<>(table.primaryKey());
            if (table.shardKeyColumn() != null) {
                columns.add(table.shardKeyColumn());
            }
            if (table.parentColumn() != null) {
                columns.add(table.parentColumn());
            }
            routingColumns.put(table.name(), Set.copyOf(columns));
        }
    }

    /**
     * An event read for routing, with its bytes and where in them its epoch stands.
     *
     * @param epochAt the offset of the epoch's digits in {@code raw}, or of the closing brace where it has none
     * @param epochLength how many bytes the epoch's digits take; 0 where it has none
     */
    public record Envelope(ChangeEvent event, byte[] raw, int epochAt, int epochLength) {

        /** The event's bytes as they came, but for the epoch: {@code epoch}, the epoch it was routed under. */
        public byte[] withEpoch(long epoch) {
            if (epoch == event.epoch() && epochLength > 0) {
                return raw;
            }
            byte[] digits = (epochLength > 0 ? Long.toString(epoch) : ",\"epoch\":" + epoch)
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] out = new byte[raw.length - epochLength + digits.length];
            System.arraycopy(raw, 0, out, 0, epochAt);
            System.arraycopy(digits, 0, out, epochAt, digits.length);
            System.arraycopy(raw, epochAt + epochLength, out, epochAt + digits.length,
                    raw.length - epochAt - epochLength);
            return out;
        }
    }

    /** Reads {@code json}; a clear error names what is wrong with it, as {@link EventJson#fromBytes} would. */
    public Envelope read(byte[] json) {
        try (JsonParser parser = EventJson.mapper().createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a change event: the payload is not a JSON object");
            }
            String keyspace = null;
            String table = null;
            Op op = null;
            Map<String, Object> key = null;
            Map<String, Object> before = null;
            Map<String, Object> after = null;
            Object shardKey = null;
            Source source = null;
            ChangeEvent.Joined joined = null;
            long epoch = 0;
            int epochAt = -1;
            int epochLength = 0;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "keyspace" -> keyspace = text(parser, value);
                    case "table" -> table = text(parser, value);
                    case "op" -> op = value == JsonToken.VALUE_NULL ? null : Op.fromCode(parser.getText());
                    case "key" -> key = value == JsonToken.VALUE_NULL ? null : image(parser, value, null);
                    case "before" -> before = image(parser, value, table);
                    case "after" -> after = image(parser, value, table);
                    case "shardKey" -> shardKey = value(parser, value);
                    case "source" -> source = value == JsonToken.VALUE_NULL ? null : SOURCES.readValue(parser);
                    case "joined" -> joined = value == JsonToken.VALUE_NULL ? null : JOINED.readValue(parser);
                    case "epoch" -> {
                        if (value != JsonToken.VALUE_NUMBER_INT) {
                            throw new IllegalArgumentException("not a change event: epoch is not a whole number");
                        }
                        epoch = parser.getLongValue();
                        epochAt = (int) parser.currentTokenLocation().getByteOffset();
                        epochLength = parser.getTextLength();
                    }
                    case "format" -> {
                        if (value != JsonToken.VALUE_NUMBER_INT || parser.getIntValue() > ChangeEvent.FORMAT) {
                            throw new IllegalArgumentException("not a change event this shardflow reads: format "
                                    + parser.getText() + ", newer than " + ChangeEvent.FORMAT + "; upgrade the "
                                    + "readers before the writers of a new format");
                        }
                    }
                    default -> parser.skipChildren(); // a field of a newer version
                }
            }
            if (epochAt < 0) {
                epochAt = (int) parser.currentTokenLocation().getByteOffset(); // the closing brace
            }
            ChangeEvent event = new ChangeEvent(keyspace, table, op, key, before, after, shardKey, source, epoch,
                    joined);
            return new Envelope(event, json, epochAt, epochLength);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a change event: " + e.getMessage(), e);
        } catch (NullPointerException | IllegalArgumentException e) {
            throw e.getMessage() != null && e.getMessage().startsWith("not a change event") ? e
                    : new IllegalArgumentException("not a change event: " + e.getMessage(), e);
        }
    }

    private static String text(JsonParser parser, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException("not a change event: " + parser.currentName() + " is not a string");
        }
        return parser.getText();
    }

    /**
     * An image with only the routing columns of {@code table}; in full where the table is not known (yet), and a
     * key (no table) always in full.
     */
    private Map<String, Object> image(JsonParser parser, JsonToken value, String table) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.START_OBJECT) {
            return ROWS.readValue(parser); // fails with the mapper's own message
        }
        Set<String> wanted = table == null ? null : routingColumns.get(table);
        Map<String, Object> image = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String column = parser.currentName();
            JsonToken columnValue = parser.nextToken();
            if (wanted == null || wanted.contains(column)) {
                image.put(column, value(parser, columnValue));
            } else {
                parser.skipChildren();
            }
        }
        return image;
    }

    /**
     * A column value as the envelope's mapping reads it — whole numbers as {@code Long}, others as
     * {@code BigDecimal}, strings, booleans, null — without a trip through the mapper for a scalar.
     */
    private static Object value(JsonParser parser, JsonToken token) throws IOException {
        return switch (token) {
            case VALUE_NULL -> null;
            case VALUE_STRING -> parser.getText();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NUMBER_INT -> parser.getLongValue(); // beyond a long it fails, as the full decode does
            case VALUE_NUMBER_FLOAT -> parser.getDecimalValue();
            default -> VALUES.readValue(parser);
        };
    }
}
