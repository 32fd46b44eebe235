package dev.shardflow.cli.ring;

import dev.shardflow.core.strategy.ShardKeyText;

/** How keys read from standard input become shard-key values. */
enum KeyParsing {
    /** Integers as numbers, everything else as text, as the API reads keys ({@link ShardKeyText}). */
    AUTO,
    LONG,
    STRING;

    Object parse(String line) {
        return switch (this) {
            case STRING -> line;
            case LONG -> {
                try {
                    yield Long.parseLong(line.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("key '" + line + "' is not a long; use --key-type string");
                }
            }
            case AUTO -> ShardKeyText.parse(line);
        };
    }
}
