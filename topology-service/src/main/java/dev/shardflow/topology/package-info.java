/**
 * The ring registry, the rebalance workflow and the router client that applications embed.
 */
package dev.shardflow.topology;
