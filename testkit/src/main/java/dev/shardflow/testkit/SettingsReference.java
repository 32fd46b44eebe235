package dev.shardflow.testkit;

import dev.shardflow.core.config.Setting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a module README's settings table against the module's declared {@link Setting}s: one row per setting,
 * {@code | `name` | default | doc |}, and no row for a setting that does not exist.
 */
public final class SettingsReference {

    private SettingsReference() {}

    /** The table row a setting must have. */
    public static String row(Setting<?> setting) {
        String defaultText = setting.required() ? "(required)" : "`" + setting.defaultValue() + "`";
        return "| `" + setting.name() + "` | " + defaultText + " | " + setting.doc() + " |";
    }

    /** What the README gets wrong, one line per problem; empty if its table matches the declarations. */
    public static List<String> problems(Path readme, List<Setting<?>> settings) {
        String text;
        try {
            text = Files.readString(readme);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + readme, e);
        }
        List<String> problems = new ArrayList<>();
        for (Setting<?> setting : settings) {
            if (!text.contains(row(setting))) {
                problems.add("missing or outdated row: " + row(setting));
            }
        }
        long rows = text.lines().filter(line -> line.startsWith("| `")).count();
        if (rows != settings.size()) {
            problems.add(readme + " has " + rows + " setting rows for " + settings.size() + " declared settings");
        }
        return problems;
    }
}
