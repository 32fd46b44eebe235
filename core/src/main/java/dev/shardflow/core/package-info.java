/**
 * The pure shardflow model: keyspaces, sharding strategies and the change-event envelope. No I/O besides
 * reading configuration.
 */
package dev.shardflow.core;
