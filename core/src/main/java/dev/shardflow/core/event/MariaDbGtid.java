package dev.shardflow.core.event;

/**
 * A MariaDB global transaction id {@code domain-server-sequence}. Within one replication domain sequence numbers
 * only grow, so GTIDs of the same domain compare by sequence; GTIDs of different domains do not compare.
 */
public record MariaDbGtid(long domain, long server, long sequence) implements SourcePosition {

    public static MariaDbGtid parse(String text) {
        String[] parts = text.trim().split("-");
        if (parts.length != 3) {
            throw new IllegalArgumentException("'" + text + "' is not a MariaDB GTID like 0-1-42");
        }
        return new MariaDbGtid(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
    }

    @Override
    public int compareTo(SourcePosition other) {
        if (other instanceof MariaDbGtid that && domain == that.domain) {
            return Long.compare(sequence, that.sequence);
        }
        throw SourcePosition.incomparable(this, other);
    }

    @Override
    public String toString() {
        return domain + "-" + server + "-" + sequence;
    }
}
