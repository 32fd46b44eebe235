/**
 * Capture of row changes from source shards into Kafka change topics, one Debezium engine per shard.
 */
package dev.shardflow.capture;
