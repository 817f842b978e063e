-- 006_no_temp.sql - no temporary tables for the group roles.
--
-- PostgreSQL grants TEMPORARY on every database to PUBLIC, so
-- eastwest_writer and eastwest_reader could create temp tables (store.c
-- relies on the writer not being able to; an analyst could fill the disk
-- with them). The database owner keeps TEMPORARY (the migration seeds
-- regions through one). Run by someone other than the owner, the REVOKE
-- changes nothing and PostgreSQL only warns.
DO $$
BEGIN
	EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC',
	               current_database());
END
$$;
