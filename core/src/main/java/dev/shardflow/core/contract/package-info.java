/**
 * What two modules must agree on, declared once: the control tables and columns shardflow keeps in a shard, the
 * consumer groups one module reads another's progress by, the routers' heartbeat and lease, and how many copies of a
 * marker reach a writer. A module that needs one of these names imports it from here; none spells it again.
 */
package dev.shardflow.core.contract;
