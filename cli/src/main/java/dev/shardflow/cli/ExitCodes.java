package dev.shardflow.cli;

/** What {@code shardctl}'s exit code says, for scripts. */
public final class ExitCodes {
    /** Done. */
    public static final int OK = 0;
    /** Failed; the reason is printed (a refused step, a bad file, a missing shard). */
    public static final int FAILED = 1;
    /** Bad usage; the usage is printed. */
    public static final int USAGE = 2;
    /** A verification found differences. */
    public static final int MISMATCH = 3;
    /** The topology service (or Kafka) could not be reached. */
    public static final int UNREACHABLE = 4;

    private ExitCodes() {}
}
