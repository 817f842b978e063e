-- 008_writer_ids.sql - the writer reserves article ids itself.
--
-- store.c writes a batch's new articles with COPY, ids included, so that
-- their figure_sets, pairing_rows and flow_rows can be COPYed in the same
-- batch: it takes those ids from the identity's own sequence (nextval),
-- which needs USAGE on it. Migration 002 granted USAGE on the sequences
-- that existed then; articles.id came with 007. COPY writes a given value
-- into a GENERATED ALWAYS identity column (as OVERRIDING SYSTEM VALUE
-- would), and the upsert keeps taking its id from the same sequence, so
-- no id is given twice.
DO $$
BEGIN
	EXECUTE format('GRANT USAGE ON SEQUENCE %s TO eastwest_writer',
	               pg_get_serial_sequence('articles', 'id'));
END
$$;
