/**
 * The Kafka Streams application that re-keys every change with the target ring and forwards moving keys.
 */
package dev.shardflow.rebalancer;
