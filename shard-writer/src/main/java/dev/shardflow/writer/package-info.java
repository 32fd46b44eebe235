/**
 * shard-writer: applies change events to target shards — batched, idempotent, guarded by version so an older change
 * never overwrites a newer one — and sends changes that can never apply to the dead-letter topic.
 */
package dev.shardflow.writer;
