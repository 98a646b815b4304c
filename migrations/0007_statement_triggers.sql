-- 0007: nothing to change on SQLite; the number is kept in step with migrations/postgres/0007.
-- There, the board, streak and team triggers became statement triggers that update in key order, so
-- that answer batches of several processes cannot deadlock. SQLite has one writer at a time (the file
-- lock), so its row triggers (0001, 0005) cannot deadlock and stay the reference for both.

SELECT 1;
