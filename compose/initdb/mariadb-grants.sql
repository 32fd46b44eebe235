-- What capture needs of a MariaDB source beyond the shop database: reading the binlog as a replica does.
GRANT RELOAD, REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO 'shardflow'@'%';
