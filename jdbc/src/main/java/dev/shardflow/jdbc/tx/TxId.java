package dev.shardflow.jdbc.tx;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The id of one cross-shard transaction, {@code sf1-<start, ms since 1970, hex>-<16 random hex digits>}, and the
 * name its prepared branches carry on every shard: {@code <id>@<deciding shard>}. The start lets a recovery tell a
 * transaction still running from one whose coordinator is gone; the deciding shard says where its decision is.
 */
public record TxId(String id, long startedAtMillis) {
    /** The prefix every branch name shardflow prepares starts with; anything else on a shard is not ours. */
    public static final String PREFIX = "sf1-";
    /** The XA format id of shardflow's branches on MariaDB/MySQL ("SF"). */
    public static final int XA_FORMAT = 0x5346;
    /** A transaction older than this is not committed by its coordinator: a recovery may have decided it already. */
    public static final java.time.Duration MAX_AGE = java.time.Duration.ofMinutes(10);
    private static final Pattern ID = Pattern.compile("sf1-([0-9a-f]{1,16})-[0-9a-f]{16}");
    private static final Pattern SHARD = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public TxId {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not a shardflow transaction id: " + id);
        }
    }

    public static TxId next(long nowMillis) {
        byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        return new TxId(PREFIX + Long.toHexString(nowMillis) + "-" + HexFormat.of().formatHex(random), nowMillis);
    }

    /** The id, checked, with its start read back from it. */
    public static TxId parse(String id) {
        Matcher m = ID.matcher(id.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a shardflow transaction id: " + id);
        }
        return new TxId(m.group(0), Long.parseUnsignedLong(m.group(1), 16));
    }

    /** The PostgreSQL name of a branch decided on {@code decider}. */
    public String gid(String decider) {
        return id + "@" + checkedShard(decider);
    }

    /** A shard id as it appears in a branch's name; refused when it could not be spelled there safely. */
    public static String checkedShard(String shard) {
        if (!SHARD.matcher(shard).matches()) {
            throw new IllegalArgumentException("shard id " + shard + " cannot name a two-phase commit branch: use up "
                    + "to 64 letters, digits, '_', '.' or '-'");
        }
        return shard;
    }

    /** A branch name as a PostgreSQL gid or an XA gtrid + bqual spell it: the transaction and its deciding shard. */
    public record BranchName(TxId tx, String decider) {
        /** Reads {@code <id>@<decider>}; null when the name is not one of shardflow's. */
        static BranchName parse(String gtrid, String bqual) {
            if (gtrid == null || !gtrid.startsWith(PREFIX) || bqual == null || !SHARD.matcher(bqual).matches()) {
                return null;
            }
            try {
                return new BranchName(TxId.parse(gtrid), bqual);
            } catch (IllegalArgumentException notOurs) {
                return null;
            }
        }

        static BranchName parse(String gid) {
            int at = gid == null ? -1 : gid.indexOf('@');
            return at < 0 ? null : parse(gid.substring(0, at), gid.substring(at + 1));
        }
    }
}
