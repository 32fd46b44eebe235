package dev.shardflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shardflow.core.event.EventJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One {@code shardctl} command line run in-process, as the tests see it: its exit code, output and errors. */
public record ShardctlRun(int exit, String out, String err) {

    public static ShardctlRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Shardctl.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return new ShardctlRun(commandLine.execute(args), out.toString(), err.toString());
    }

    /** A command line of these words followed by more, such as the options every call of a test shares. */
    public static String[] args(String[] words, String... more) {
        String[] all = java.util.Arrays.copyOf(words, words.length + more.length);
        System.arraycopy(more, 0, all, words.length, more.length);
        return all;
    }

    public JsonNode json() throws IOException {
        return EventJson.mapper().readTree(out);
    }
}
