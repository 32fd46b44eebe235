package dev.shardflow.router;

/** Where a key's writes go: its owner, and the epoch under which it owns the key. */
public record Route(String shard, long epoch) {}
