package dev.shardflow.cli.crossshard;

import dev.shardflow.cli.ExitCodes;
import dev.shardflow.cli.api.Output;
import dev.shardflow.cli.recovery.KafkaOptions;
import dev.shardflow.core.event.EventJson;
import dev.shardflow.core.topology.Placement;
import dev.shardflow.jdbc.tx.TxRecovery;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code shardctl tx}: the cross-shard transactions a coordinator left prepared on the shards, and finishing them by
 * the decision log — what the topology service does on its own, by hand.
 */
@Command(name = "tx", mixinStandardHelpOptions = true, description = "Cross-shard transactions left prepared: list "
        + "them with their decision, or finish them by the decision log.",
        subcommands = {TxCommand.ListBranches.class, TxCommand.Recover.class})
public final class TxCommand {

    private TxCommand() {}

    abstract static class Base implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka;

        @Mixin
        Output output;

        @Spec
        CommandSpec spec;

        @Mixin
        ShardsOption shards;

        <T> T withRecovery(Function<TxRecovery, T> action) {
            Placement placement = shards.placement(kafka);
            try (ShardConnections pools = new ShardConnections("tx", placement, Duration.ofSeconds(10))) {
                return action.apply(new TxRecovery(pools::shards, pools::pool));
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every prepared branch of a cross-shard "
            + "transaction on every shard: its shard, transaction, start, deciding shard and decision.")
    static final class ListBranches extends Base {
        @Override
        public Integer call() {
            List<TxRecovery.InDoubt> branches = withRecovery(recovery -> {
                try {
                    return recovery.list();
                } catch (SQLException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            });
            com.fasterxml.jackson.databind.node.ArrayNode json = EventJson.mapper().createArrayNode();
            for (TxRecovery.InDoubt branch : branches) {
                json.addObject().put("shard", branch.shard()).put("transaction", branch.transaction())
                        .put("started", branch.started().toString()).put("decider", branch.decider())
                        .put("decision", branch.decision()).put("problem", branch.problem());
            }
            output.print(spec.commandLine().getOut(), json, ignored -> {
                StringBuilder text = new StringBuilder();
                for (TxRecovery.InDoubt branch : branches) {
                    text.append(branch.shard()).append("  ").append(branch.transaction()).append("  started ")
                            .append(branch.started()).append("  decided on ").append(branch.decider()).append(": ")
                            .append(branch.decision() == null ? "nothing yet" : branch.decision())
                            .append(branch.problem() == null ? "" : "  (" + branch.problem() + ")").append('\n');
                }
                return text.append(branches.size()).append(" prepared branch(es)").toString();
            });
            return ExitCodes.OK;
        }
    }

    @Command(name = "recover", mixinStandardHelpOptions = true, description = "Commit every prepared branch whose "
            + "transaction decided commit; decide abort for those without a decision that started at least "
            + "--min-age ago, and roll them back. Exit 1 while any is left or a shard cannot be read.")
    static final class Recover extends Base {
        @Option(names = "--min-age", paramLabel = "SECONDS", defaultValue = "60", description = "Leave transactions "
                + "younger than this alone: their coordinator may still be running (default ${DEFAULT-VALUE}).")
        long minAgeSeconds;

        @Override
        public Integer call() {
            if (minAgeSeconds < 0) {
                throw new IllegalArgumentException("--min-age must not be negative, was " + minAgeSeconds);
            }
            TxRecovery.Report report = withRecovery(recovery -> {
                try {
                    return recovery.recover(Duration.ofSeconds(minAgeSeconds));
                } catch (SQLException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            });
            output.print(spec.commandLine().getOut(), EventJson.mapper().valueToTree(report), ignored -> {
                StringBuilder text = new StringBuilder(report.committed() + " branch(es) committed, "
                        + report.rolledBack() + " rolled back, " + report.waiting() + " left");
                if (report.waiting() > 0 && report.problems().isEmpty()) {
                    text.append(" (younger than --min-age)");
                }
                report.problems().forEach(problem -> text.append("\n  ").append(problem));
                return text.toString();
            });
            return report.waiting() == 0 && report.problems().isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }
}
