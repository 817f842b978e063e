-- 002_roles.sql - least-privilege group roles.
--
-- Roles are cluster-wide: several databases of one cluster (or two
-- migrations of two databases at once, whose advisory locks do not meet)
-- may try to create them, so creation checks pg_roles and tolerates losing
-- the race. They are NOLOGIN groups: a deployment grants them to its login
-- users (GRANT eastwest_writer TO extractd). Creating them needs CREATEROLE
-- (or superuser) the first time only.
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'eastwest_writer')
	THEN
		BEGIN
			CREATE ROLE eastwest_writer NOLOGIN;
		EXCEPTION WHEN duplicate_object OR unique_violation THEN
			NULL;
		END;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'eastwest_reader')
	THEN
		BEGIN
			CREATE ROLE eastwest_reader NOLOGIN;
		EXCEPTION WHEN duplicate_object OR unique_violation THEN
			NULL;
		END;
	END IF;
	-- COMMENT ON ROLE needs CREATEROLE too, even when the roles exist:
	-- a migration run by an owner without it (OPERATIONS.md section 3)
	-- leaves the comments to whoever created the roles.
	BEGIN
		COMMENT ON ROLE eastwest_writer IS
			'extractd workers: read and write articles, figures, '
			'pairings, ingest_errors; read regions. Cannot create '
			'or drop objects.';
		COMMENT ON ROLE eastwest_reader IS
			'Analysts: SELECT on the tables and views of the '
			'ingestion schema.';
	EXCEPTION WHEN insufficient_privilege THEN
		NULL;
	END;
END
$$;

-- Nobody but the owner creates objects in public (PostgreSQL 15 already
-- says so for new databases; older databases upgraded in place do not).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO eastwest_writer, eastwest_reader;

GRANT SELECT, INSERT, UPDATE, DELETE
	ON articles, figures, pairings, ingest_errors TO eastwest_writer;
GRANT SELECT ON regions TO eastwest_writer;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO eastwest_writer;

GRANT SELECT ON ALL TABLES IN SCHEMA public TO eastwest_reader;
GRANT SELECT ON schema_migrations TO eastwest_writer, eastwest_reader;

-- Tables and views that later migrations create (as the same owner) are
-- readable by analysts without a GRANT of their own; writers get only what
-- a migration grants them explicitly.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
	GRANT SELECT ON TABLES TO eastwest_reader;
