-- One column for each type pair a move between MariaDB/MySQL and PostgreSQL meets; its MariaDB twin is
-- samples-mariadb.sql, column by column.
CREATE TYPE sample_status AS ENUM ('pending', 'shipped', 'delivered');
CREATE TABLE samples (
    id          BIGINT PRIMARY KEY,
    at_local    TIMESTAMP(6),                 -- DATETIME(6)
    at_instant  TIMESTAMPTZ(6),               -- TIMESTAMP(6)
    at_chapter  TIMESTAMP(0),                 -- TIMESTAMP, as the sharding chapter declares created_at
    day         DATE,                         -- DATE
    amount      NUMERIC(12, 2),               -- DECIMAL(12,2)
    ratio       NUMERIC,                      -- DECIMAL(30,10): any scale on this side
    code        CHAR(6),                      -- CHAR(6): padded here, not there
    active      BOOLEAN,                      -- BOOLEAN, which is TINYINT(1)
    status      sample_status,                -- ENUM
    doc         JSONB,                        -- JSON, which is LONGTEXT: jsonb reorders keys and spaces
    raw         BYTEA,                        -- VARBINARY
    name_c      VARCHAR(100) COLLATE "C",     -- VARCHAR utf8mb4_unicode_ci
    name_bin    TEXT,                         -- VARCHAR utf8mb4_bin
    version     BIGINT NOT NULL
);
