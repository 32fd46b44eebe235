/** How a shardflow process starts from its settings file and stops on SIGTERM. */
package dev.shardflow.process;
