/**
 * The router applications embed to write to a sharded keyspace: {@link dev.shardflow.router.ShardRouter} and its
 * builder, the retryable refusals, and a listener through which background failures reach the application.
 */
package dev.shardflow.router;
