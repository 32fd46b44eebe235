package dev.shardflow.topology.registry;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardflow.core.topology.TopicNames;
import dev.shardflow.kafka.KafkaConnection;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How a failed commit of the registry is told to the leader, by the state it leaves its producer in: fenced, another
 * instance leads; aborted, the step simply failed and is tried again; unable even to abort, the writer is broken and
 * the step may have landed, so the leader must read the log again ({@link LogBrokenException}). The failures are
 * Kafka's own exceptions, raised by its {@link MockProducer}; the path on a real broker is the chaos harness's.
 */
class RegistryLogTest {
    private MockProducer<byte[], byte[]> producer;
    private RegistryLog log;

    @BeforeEach
    void open() {
        producer = new MockProducer<>(null, false, null, new ByteArraySerializer(), new ByteArraySerializer());
        producer.initTransactions();
        log = new RegistryLog(KafkaConnection.plain("localhost:1"), "shop", new TopicNames("sf.shop"), producer);
    }

    @Test
    void aCommitThatFailsAndCannotAbortLeavesTheLogBroken() {
        // what a Kafka 4 coordinator answers to a retried commit it already completed, and what the producer then says
        producer.commitTransactionException = new InvalidTxnStateException("invalid state");
        producer.abortTransactionException = new KafkaException("Cannot execute transactional method because we are "
                + "in an error state");

        assertThatThrownBy(() -> log.commit(null, null)).isInstanceOf(LogBrokenException.class)
                .hasMessageContaining("may or may not have been committed");
    }

    @Test
    void aCommitThatFailsButAbortsIsAnOrdinaryFailure() {
        producer.commitTransactionException = new TimeoutException("no answer");

        assertThatThrownBy(() -> log.commit(null, null)).isInstanceOf(TimeoutException.class);
    }

    @Test
    void aFencedWriterNoLongerLeads() {
        producer.commitTransactionException = new KafkaException(new ProducerFencedException("fenced"));

        assertThatThrownBy(() -> log.commit(null, null)).isInstanceOf(NotLeaderException.class);
    }
}
