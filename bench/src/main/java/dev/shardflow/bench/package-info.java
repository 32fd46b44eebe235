/**
 * Benchmarks of shardflow's stages. Every figure is printed next to a baseline measured in the same run on the
 * same machine, so results compare across machines as ratios.
 */
package dev.shardflow.bench;
