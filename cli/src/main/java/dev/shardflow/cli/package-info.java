/**
 * shardctl, the operator's command line.
 */
package dev.shardflow.cli;
