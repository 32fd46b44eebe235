package dev.shardflow.writer.apply;

import dev.shardflow.core.event.ChangeEvent;
import java.util.Objects;

/**
 * A record that can never be applied as it is: not a change event, a table the target lacks, a value that does not
 * fit its column, a constraint it violates. It goes to the dead-letter topic with the reason.
 *
 * @param event the change, or null if the record could not be read as one
 */
public record Rejected(Origin origin, ChangeEvent event, String reason, Throwable error) {

    public Rejected {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(error, "error");
    }
}
