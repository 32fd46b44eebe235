package dev.shardflow.bench.cutover;

/** One probe: an update of a moving user's name to {@code version}, and when each hop saw it (epoch ms, 0: not yet). */
final class Probe {
    final long user;
    final long version;
    volatile long committedMs;
    volatile long cdcMs;
    volatile long applyTopicMs;
    volatile long appliedMs;
    volatile long viewTopicMs;
    volatile long viewMs;

    Probe(long user, long version) {
        this.user = user;
        this.version = version;
    }

    String name() {
        return "probe" + user + "v" + version;
    }
}
