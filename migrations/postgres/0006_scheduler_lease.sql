-- 0006 (PostgreSQL): one active scheduler among several processes. The row names the owner and
-- when its lease runs out (ISO UTC text); the owner renews it each minute, another process takes
-- it over only once it has expired.

CREATE TABLE scheduler_lease (
    name       TEXT COLLATE "C" PRIMARY KEY,
    owner      TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL
);
