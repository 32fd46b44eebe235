package dev.shardflow.cli.recovery;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shardflow.cli.ExitCodes;
import dev.shardflow.cli.api.Output;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.core.topology.Topology;
import dev.shardflow.writer.dlq.DeadLetter;
import dev.shardflow.writer.dlq.DeadLetterReplay;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code shardctl dlq}: the dead-letter topic — what is there, why, and re-driving it once the cause is fixed. */
@Command(name = "dlq", mixinStandardHelpOptions = true, description = "List, show and replay dead letters.",
        subcommands = {DlqCommand.ListLetters.class, DlqCommand.Show.class, DlqCommand.Replay.class})
public final class DlqCommand {

    private DlqCommand() {}

    abstract static class Base implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka;

        @Mixin
        Output output;

        @Spec
        CommandSpec spec;

        DeadLetterReplay letters() {
            Topology topology = kafka.topology();
            TopicNames names = TopicNames.of(topology);
            return new DeadLetterReplay(kafka.connection(), names.dlq(), names.prefix(),
                    "shardflow-dlq-replay-" + topology.keyspace(), kafka.timeout(), topology.maxMessageBytes());
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Dead letters not replayed yet: where, from which component and topic, and why.")
    static final class ListLetters extends Base {
        @Option(names = "--max", defaultValue = "100", description = "At most this many (default ${DEFAULT-VALUE}).")
        int max;

        @Override
        public Integer call() {
            List<DeadLetter> letters = letters().list(max);
            ArrayNode json = EventJson.mapper().createArrayNode();
            letters.forEach(letter -> json.add(json(letter)));
            output.print(out(), json, ignored -> {
                StringBuilder text = new StringBuilder();
                for (DeadLetter letter : letters) {
                    text.append(letter.partition()).append('@').append(letter.offset()).append("  ")
                            .append(letter.component()).append("  ").append(letter.sourceTopic()).append("  ")
                            .append(cut(letter.reason(), 120)).append('\n');
                }
                return text.append(letters.size()).append(" dead letter(s)")
                        .append(letters.size() == max ? " shown (--max)" : "").toString();
            });
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One dead letter: every header and the "
            + "payload as it was.")
    static final class Show extends Base {
        @Parameters(paramLabel = "PARTITION@OFFSET", description = "The letter, as dlq list names it.")
        String at;

        @Override
        public Integer call() {
            if (!at.matches("\\d+@\\d+")) {
                throw new IllegalArgumentException("name a letter as PARTITION@OFFSET, as dlq list prints it; was "
                        + at);
            }
            DeadLetter letter = letters().list(Integer.MAX_VALUE).stream()
                    .filter(l -> (l.partition() + "@" + l.offset()).equals(at)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no dead letter " + at + " among those not "
                            + "replayed yet"));
            output.print(out(), json(letter), ignored -> {
                StringBuilder text = new StringBuilder();
                letter.headers().forEach((name, value) -> text.append(name).append(": ").append(value).append('\n'));
                return text.append('\n').append(payload(letter)).toString();
            });
            return ExitCodes.OK;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true, description = "Send the dead letters back to the "
            + "topics they came from, once their cause is fixed; those that fail again come back with the new reason.")
    static final class Replay extends Base {
        @Option(names = "--table", paramLabel = "TABLE", description = "Only letters of this table.")
        String table;

        @Option(names = "--source-topic", paramLabel = "TOPIC", description = "Only letters from this topic.")
        String sourceTopic;

        @Override
        public Integer call() throws InterruptedException {
            Predicate<DeadLetter> filter = letter -> (table == null || table.equals(letter.headers().get("table")))
                    && (sourceTopic == null || sourceTopic.equals(letter.sourceTopic()));
            DeadLetterReplay.Result result = letters().replay(filter);
            output.print(out(), EventJson.mapper().valueToTree(result), ignored -> {
                StringBuilder text = new StringBuilder(result.read() + " dead letter(s) read, " + result.replayed()
                        + " sent back, " + result.skipped() + " left");
                result.notReplayable().forEach(why -> text.append("\n  not replayable: ").append(why));
                return text.toString();
            });
            return ExitCodes.OK;
        }
    }

    /** A letter for scripts: where, why, from where, its headers, and its payload as text. */
    private static ObjectNode json(DeadLetter letter) {
        ObjectNode json = EventJson.mapper().createObjectNode();
        json.put("at", letter.partition() + "@" + letter.offset());
        json.put("timestampMs", letter.timestampMs());
        json.put("reason", letter.reason());
        json.put("component", letter.component());
        json.put("sourceTopic", letter.sourceTopic());
        json.set("headers", EventJson.mapper().valueToTree(letter.headers()));
        json.put("payload", letter.value() == null ? null : new String(letter.value(), StandardCharsets.UTF_8));
        return json;
    }

    private static String payload(DeadLetter letter) {
        return letter.value() == null ? "(no payload)" : new String(letter.value(), StandardCharsets.UTF_8);
    }

    private static String cut(String text, int max) {
        return text == null ? "" : text.length() <= max ? text : text.substring(0, max) + "…";
    }
}
