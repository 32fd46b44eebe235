/**
 * Capture of row changes from source shards into Kafka change topics, one Debezium engine per shard. Entry points:
 * {@link dev.shardflow.capture.CaptureService} in-process, {@link dev.shardflow.capture.CaptureMain} as a process.
 */
package dev.shardflow.capture;
