-- 009_statement_checks.sql - the check that a flow's figure_ord names one
-- of its article's figures (migration 007) runs once per statement, not
-- once per flow.
--
-- 007 checked it with a constraint trigger FOR EACH ROW: a PL/pgSQL call
-- and a query per flow, and each query detoasted its article's whole
-- value array. The writer COPYs a batch's flows in one statement, so the
-- same check over the statement's rows (a transition table) is one call;
-- BENCHMARKS.md has the measurement. It fires at the end of the statement
-- like the row trigger did (that one was not deferrable) and raises the
-- same error (SQLSTATE 23503, like a foreign key). A trigger with a
-- transition table takes one event: INSERT and UPDATE each get theirs.
-- The figure lookup is a subquery per flow row, so that its plan is the
-- primary key's index whatever the statistics say.

DROP TRIGGER flow_rows_figure ON flow_rows;
DROP FUNCTION flow_rows_check();

-- cardinality(start_offset): figure_sets' CHECK makes every array of the
-- row as long as this one, and it is among the smallest to detoast.
CREATE FUNCTION flow_rows_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	bad record;
BEGIN
	SELECT n.article_id, n.ord INTO bad
	FROM new_flows n
	WHERE n.figure_ord < 0
		OR n.figure_ord >= coalesce((SELECT cardinality(s.start_offset)
			FROM figure_sets s
			WHERE s.article_id = n.article_id), 0)
	LIMIT 1;
	IF FOUND THEN
		RAISE foreign_key_violation USING MESSAGE = format(
			'flow %s of article %s names no figure of it',
			bad.ord, bad.article_id);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER flow_rows_figure
	AFTER INSERT ON flow_rows REFERENCING NEW TABLE AS new_flows
	FOR EACH STATEMENT EXECUTE FUNCTION flow_rows_check();
CREATE TRIGGER flow_rows_figure_update
	AFTER UPDATE ON flow_rows REFERENCING NEW TABLE AS new_flows
	FOR EACH STATEMENT EXECUTE FUNCTION flow_rows_check();
