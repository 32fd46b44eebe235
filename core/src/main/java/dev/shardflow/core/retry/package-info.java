/** How shardflow components wait before they try again. */
package dev.shardflow.core.retry;
