package dev.shardflow.testkit.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A SQL script split into statements at semicolons that stand outside quotes and comments ({@code '...'},
 * {@code "..."}, {@code `...`}, {@code -- ...}, {@code /* ... *}{@code /}). Dollar-quoted PostgreSQL bodies are
 * not supported; keep function definitions out of scripts run this way.
 */
public record SqlScript(String name, List<String> statements) {

    public SqlScript {
        statements = List.copyOf(statements);
    }

    public static SqlScript fromClasspath(String resource) {
        try (InputStream in = SqlScript.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("SQL script " + resource + " is not on the class path");
            }
            return parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read SQL script " + resource, e);
        }
    }

    public static SqlScript parse(String name, String text) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '-' && text.startsWith("--", i)) {
                int end = text.indexOf('\n', i);
                i = end < 0 ? text.length() : end + 1;
                current.append('\n');
            } else if (c == '/' && text.startsWith("/*", i)) {
                int end = text.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException(name + ": unterminated /* comment");
                }
                i = end + 2;
                current.append(' ');
            } else if (c == '\'' || c == '"' || c == '`') {
                int end = closingQuote(text, i, c);
                if (end < 0) {
                    throw new IllegalArgumentException(name + ": unterminated " + c + " quote at offset " + i);
                }
                current.append(text, i, end + 1);
                i = end + 1;
            } else if (c == ';') {
                addIfNotBlank(statements, current);
                current.setLength(0);
                i++;
            } else {
                current.append(c);
                i++;
            }
        }
        addIfNotBlank(statements, current);
        return new SqlScript(name, statements);
    }

    /** The index of the quote closing the one at {@code start}; a doubled quote stands for itself. */
    private static int closingQuote(String text, int start, char quote) {
        int i = start + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\' && quote == '\'') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < text.length() && text.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i;
                }
            } else {
                i++;
            }
        }
        return -1;
    }

    private static void addIfNotBlank(List<String> statements, StringBuilder statement) {
        String sql = statement.toString().strip();
        if (!sql.isEmpty()) {
            statements.add(sql);
        }
    }
}
