-- One column for each type pair a move between MariaDB/MySQL and PostgreSQL meets; its PostgreSQL twin is
-- samples-postgresql.sql, column by column.
CREATE TABLE samples (
    id          BIGINT PRIMARY KEY,
    at_local    DATETIME(6),
    at_instant  TIMESTAMP(6) NULL DEFAULT NULL,
    at_chapter  TIMESTAMP NULL DEFAULT NULL,
    day         DATE,
    amount      DECIMAL(12, 2),
    ratio       DECIMAL(30, 10),
    code        CHAR(6),
    active      BOOLEAN,
    status      ENUM('pending', 'shipped', 'delivered'),
    doc         JSON,
    raw         VARBINARY(64),
    name_c      VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
    name_bin    VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
    version     BIGINT NOT NULL
);
