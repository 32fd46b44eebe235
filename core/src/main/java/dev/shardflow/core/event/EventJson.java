package dev.shardflow.core.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * The one JSON mapping of the envelope. Decimals stay exact ({@code BigDecimal}), integers read as {@code Long}, and
 * fields this version does not know are ignored so that older readers can consume newer events.
 */
public final class EventJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private EventJson() {}

    /** The shared mapper; configure nothing on it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] toBytes(ChangeEvent event) {
        try {
            return MAPPER.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write change event of " + event.table() + " " + event.key()
                    + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Writes another value of the model (a topology state, a rebalance record) with the same mapping.
     *
     * @param what names the value in the error
     */
    public static byte[] write(Object value, String what) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + what + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads another value of the model.
     *
     * @param what names what the bytes should be, in the error: "not a {what}: ..."
     */
    public static <T> T read(byte[] json, Class<T> type, String what) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a " + what + ": " + e.getMessage(), e);
        }
    }

    /** Parses an event; a clear error names what is wrong with the payload. */
    public static ChangeEvent fromBytes(byte[] json) {
        try {
            return MAPPER.readValue(json, ChangeEvent.class);
        } catch (IOException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            throw new IllegalArgumentException("not a change event: " + cause.getMessage(), e);
        }
    }
}
