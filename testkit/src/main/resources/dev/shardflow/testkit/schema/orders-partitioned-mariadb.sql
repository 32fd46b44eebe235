-- The sample orders table partitioned the way the sharding chapter teaches on MariaDB and MySQL: by range of id, with
-- room to add a partition above the last one. Run after shop-mariadb.sql, on an empty orders table.

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
) PARTITION BY RANGE (id) (
    PARTITION p_low VALUES LESS THAN (5000),
    PARTITION p_mid VALUES LESS THAN (10000),
    PARTITION p_rest VALUES LESS THAN (1000000)
);
CREATE INDEX orders_user_id ON orders (user_id);
