-- The table of order_user_view, kept by the writers of pg-a from the view's topic.
CREATE TABLE order_user_view (order_id BIGINT PRIMARY KEY, user_id BIGINT, username VARCHAR(50), email VARCHAR(100),
                              country CHAR(2), total_amount DECIMAL(10,2), status VARCHAR(20));
