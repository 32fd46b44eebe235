/**
 * Idempotent, version-guarded, batched appliers of change events into target shards.
 */
package dev.shardflow.writer;
