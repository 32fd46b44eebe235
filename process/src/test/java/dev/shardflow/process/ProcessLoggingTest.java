package dev.shardflow.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class ProcessLoggingTest {
    private final PrintStream stderr = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @AfterEach
    void restore() {
        System.setErr(stderr);
        ProcessLogging.command();
    }

    private List<String> lines() {
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void asJsonEachEventIsOneObjectALineWithItsLevelLoggerAndMessage() throws Exception {
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        ProcessLogging.server(ProcessLogging.Format.JSON, "info");
        LoggerFactory.getLogger("dev.shardflow.capture.ShardCapture").info("capture of shard {} started", "pg1");
        LoggerFactory.getLogger("dev.shardflow.capture.ShardCapture").debug("one record: {}", "not shown at info");
        LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient").info("library chatter, not shown");
        LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient").warn("broker unreachable");

        List<String> lines = lines();
        assertThat(lines).hasSize(2);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.path("message").asText()).isEqualTo("capture of shard pg1 started");
        assertThat(first.path("level").asText()).isEqualTo("INFO");
        assertThat(first.path("logger_name").asText()).isEqualTo("dev.shardflow.capture.ShardCapture");
        assertThat(first.path("@timestamp").asText()).isNotBlank();
        assertThat(new ObjectMapper().readTree(lines.get(1)).path("level").asText()).isEqualTo("WARN");
    }

    @Test
    void asTextEachLineIsTimedAndDebugShowsPerRecordDetail() {
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        ProcessLogging.server(ProcessLogging.Format.of("TEXT"), "debug");
        Logger log = LoggerFactory.getLogger("dev.shardflow.writer.WriterService");
        log.debug("applied {} rows", 3);
        assertThat(lines()).singleElement().asString().matches(
                "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* \\[main\\] DEBUG "
                        + "dev\\.shardflow\\.writer\\.WriterService - applied 3 rows");
        assertThatThrownBy(() -> ProcessLogging.Format.of("xml")).hasMessageContaining("neither text nor json");
    }
}
