package dev.shardflow.core.strategy;

/**
 * How a shard key written as text — a line on {@code shardctl}'s standard input, a key in an API path — becomes the
 * value that is routed: an integer as a number, anything else as text. An integer means optionally signed, up to 18
 * digits, without a leading zero: {@code 007} is a code, not seven, so it stays text, as a database column of codes
 * would hold it. Every front end parses keys here, so the same text is placed on the same shard everywhere.
 */
public final class ShardKeyText {

    private ShardKeyText() {}

    public static Object parse(String text) {
        boolean integer = text.matches("-?\\d{1,18}") && !(text.length() > 1 && text.startsWith("0"))
                && !text.startsWith("-0");
        return integer ? (Object) Long.parseLong(text) : text;
    }
}
