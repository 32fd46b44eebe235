-- The sample orders table partitioned the way the sharding chapter teaches on PostgreSQL: by range of id, two ranges
-- and a default partition. Run after shop-postgresql.sql, on an empty orders table.

DROP TABLE orders;
CREATE TABLE orders (
    id            BIGINT        NOT NULL,
    user_id       BIGINT        NOT NULL,
    order_date    DATE          NOT NULL,
    total_amount  DECIMAL(10,2),
    status        VARCHAR(20)   NOT NULL CHECK (status IN ('pending', 'processing', 'shipped', 'delivered')),
    username      VARCHAR(50),
    version       BIGINT        NOT NULL,
    PRIMARY KEY (id)
) PARTITION BY RANGE (id);
CREATE TABLE orders_low PARTITION OF orders FOR VALUES FROM (MINVALUE) TO (5000);
CREATE TABLE orders_mid PARTITION OF orders FOR VALUES FROM (5000) TO (10000);
CREATE TABLE orders_rest PARTITION OF orders DEFAULT;
CREATE INDEX orders_user_id ON orders (user_id);

-- A partitioned table's own replica identity does not reach its partitions, and the old row of a delete is logged
-- by the partition that held it: each partition needs its own.
ALTER TABLE orders_low REPLICA IDENTITY FULL;
ALTER TABLE orders_mid REPLICA IDENTITY FULL;
ALTER TABLE orders_rest REPLICA IDENTITY FULL;
