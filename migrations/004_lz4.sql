-- 004_lz4.sql - lz4 instead of pglz for the columns that get compressed.
--
-- Only values larger than about 2 KB are compressed (TOAST), and in this
-- schema only the article bodies are: articles.raw and articles.text
-- (6 KB each on average), and ingest_errors.raw. Sentences in figures and
-- pairings stay under 1 KB (long ones are cut), so they never are.
-- On CJK text pglz costs the server about 200 us of CPU per article and
-- lz4 about 45 us, for about 4 % more bytes in articles (BENCHMARKS.md).
--
-- SET COMPRESSION does not rewrite the table: values already stored keep
-- pglz (both read back alike), new ones get lz4. It takes an ACCESS
-- EXCLUSIVE lock on each table for a moment. The server must be built
-- with lz4 (--with-lz4): Debian's and the postgres Docker images are.
ALTER TABLE articles
	ALTER COLUMN raw SET COMPRESSION lz4,
	ALTER COLUMN text SET COMPRESSION lz4;
ALTER TABLE ingest_errors
	ALTER COLUMN raw SET COMPRESSION lz4;
