package dev.shardflow.core.topology;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Where a secret (a database password, a Kafka credential) is kept: an environment variable or a file. Only the reference is held and
 * printed; the secret itself is read when a connection needs it and never appears in {@code toString}, logs or
 * topics.
 */
public record SecretRef(Kind kind, String name) {

    public enum Kind { ENV, FILE }

    public SecretRef {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a secret reference needs a variable name or a file path");
        }
    }

    public static SecretRef env(String variable) {
        return new SecretRef(Kind.ENV, variable);
    }

    public static SecretRef file(String path) {
        return new SecretRef(Kind.FILE, path);
    }

    /** Reads the secret from the process environment or the file (trailing newline removed). */
    public String resolve() {
        return resolve(System::getenv);
    }

    /** Reads the secret, looking environment variables up with {@code environment}. */
    public String resolve(UnaryOperator<String> environment) {
        return switch (kind) {
            case ENV -> {
                String value = environment.apply(name);
                if (value == null) {
                    throw new IllegalStateException("environment variable " + name + " is not set; export it with "
                            + "the secret");
                }
                yield value;
            }
            case FILE -> {
                try {
                    yield Files.readString(Path.of(name), StandardCharsets.UTF_8).stripTrailing();
                } catch (java.nio.file.NoSuchFileException e) {
                    throw new IllegalStateException("secret file " + name + " does not exist; write the secret "
                            + "there or fix the path", e);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read the secret file " + name + ": " + e.getMessage(), e);
                }
            }
        };
    }

    @Override
    public String toString() {
        return kind == Kind.ENV ? "env:" + name : "file:" + name;
    }
}
