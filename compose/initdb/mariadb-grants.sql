-- What shardflow needs of a MariaDB shard beyond its rows (README, "Database users"): reading the binlog as a
-- replica does, locking tables for capture's snapshot, creating its control tables and adding _sf_version columns.
GRANT REPLICATION SLAVE, BINLOG MONITOR, RELOAD ON *.* TO 'shardflow'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER ON shop.* TO 'shardflow'@'%';
