-- The sample keyspace "shop" (users, orders, order_items, and the products reference table) for PostgreSQL.
-- Every sharded table carries a version that each write increments, so a reader can tell which write it sees.

CREATE TABLE users (
    id          BIGINT       PRIMARY KEY,
    username    VARCHAR(50)  NOT NULL,
    email       VARCHAR(100) NOT NULL,
    country     CHAR(2),
    created_at  TIMESTAMP(3) NOT NULL,
    version     BIGINT       NOT NULL
);

-- Sharded by user_id, so a user's orders live with the user. username is the denormalized copy of users.username.
CREATE TABLE orders (
    id            BIGINT        PRIMARY KEY,
    user_id       BIGINT        NOT NULL,
    order_date    DATE          NOT NULL,
    total_amount  DECIMAL(10,2),
    status        VARCHAR(20)   NOT NULL CHECK (status IN ('pending', 'processing', 'shipped', 'delivered')),
    username      VARCHAR(50),
    version       BIGINT        NOT NULL
);
CREATE INDEX orders_user_id ON orders (user_id);

-- No shard key of its own: follows its order through order_id.
CREATE TABLE order_items (
    id          BIGINT        PRIMARY KEY,
    order_id    BIGINT        NOT NULL,
    product_id  BIGINT        NOT NULL,
    quantity    INTEGER       NOT NULL,
    price       DECIMAL(10,2) NOT NULL,
    version     BIGINT        NOT NULL
);
CREATE INDEX order_items_order_id ON order_items (order_id);

-- Reference table: the same rows on every shard.
CREATE TABLE products (
    id          BIGINT        PRIMARY KEY,
    name        VARCHAR(100)  NOT NULL,
    category    VARCHAR(50)   NOT NULL,
    price       DECIMAL(10,2) NOT NULL,
    created_at  TIMESTAMP(3)  NOT NULL,
    version     BIGINT        NOT NULL
);

INSERT INTO products (id, name, category, price, created_at, version) VALUES
    (1, 'Laptop', 'electronics', 1299.00, '2024-01-15 09:00:00', 1),
    (2, 'Phone', 'phones', 799.00, '2024-02-01 09:00:00', 1),
    (3, 'Headphones', 'electronics', 199.99, '2024-03-10 09:00:00', 1),
    (4, 'T-shirt', 'clothing', 19.90, '2024-01-20 09:00:00', 1),
    (5, 'Running shoes', 'shoes', 129.00, '2024-04-02 09:00:00', 1),
    (6, 'Backpack', 'accessories', 59.50, '2024-05-05 09:00:00', 1),
    (7, 'Designing Data-Intensive Applications', 'books', 45.00, '2024-06-01 09:00:00', 1),
    (8, 'Database Internals', 'ebooks', 29.99, '2024-06-02 09:00:00', 1),
    (9, 'Streaming Systems', 'audiobooks', 24.99, '2024-06-03 09:00:00', 1),
    (10, 'Desk lamp', 'home', 34.00, '2024-07-07 09:00:00', 1),
    (11, 'Café au lait mug', 'home', 12.50, '2024-08-08 09:00:00', 1),
    (12, 'Tablet', 'computers', 499.00, '2024-09-09 09:00:00', 1);

-- Deletes and updates must carry whole rows (the shard key and parent columns above all), not just the primary key.
ALTER TABLE users REPLICA IDENTITY FULL;
ALTER TABLE orders REPLICA IDENTITY FULL;
ALTER TABLE order_items REPLICA IDENTITY FULL;
