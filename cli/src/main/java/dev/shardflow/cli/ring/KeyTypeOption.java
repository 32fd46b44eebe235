package dev.shardflow.cli.ring;

import picocli.CommandLine.Option;

/** {@code --key-type}: how the keys a command reads on standard input become shard-key values. */
public final class KeyTypeOption {

    @Option(names = "--key-type", defaultValue = "auto",
            description = "auto (integers as numbers, the rest as text), long or string; default: ${DEFAULT-VALUE}.")
    KeyParsing keyType;

    Object parse(String line) {
        return keyType.parse(line);
    }
}
