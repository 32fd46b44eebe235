package dev.shardflow.cli.ring;

/** How keys read from standard input become shard-key values. */
enum KeyParsing {
    /** Integers (optionally signed, up to 18 digits) as numbers, everything else as text. */
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
            case AUTO -> line.matches("-?\\d{1,18}") && !(line.length() > 1 && line.startsWith("0"))
                    && !line.startsWith("-0") ? (Object) Long.parseLong(line) : line;
        };
    }
}
