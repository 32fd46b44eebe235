package dev.shardflow.testkit.workload;

/** A row as a reader finds it: absent, or present at a version. */
record RowState(boolean present, long version) {
    static final RowState ABSENT = new RowState(false, 0);

    static RowState present(long version) {
        return new RowState(true, version);
    }

    @Override
    public String toString() {
        return present ? "v" + version : "no row";
    }
}
