-- 007_lean.sql - the per-article rows in a lean form: each sentence kept
-- once (in articles.text, cut out by offsets), a bigint article id as the
-- key of child rows, and only the indexes the documented queries use.
-- docs/SCHEMA.md ("Storage") gives the measurements behind each choice.
--
-- figures, pairings and flows become views over figure_sets, pairing_rows
-- and flow_rows with the columns they had, so every query written for the
-- old tables, and every analyst view, returns the same rows:
-- * articles.id (bigint identity) keys the child rows; articles.sha256
--   stays the primary key and the idempotency key of the writer.
-- * An article's figures (63 on average) are one figure_sets row of
--   arrays, one element per figure: one heap tuple, one index entry and
--   one foreign-key check per article instead of per figure, compressed
--   together. Which figure a flow states and which pairing a figure's
--   sentence states are checked by constraint triggers (one per flow, one
--   per article's figures) where foreign keys checked every figure row.
-- * A figure's text and a figure's or pairing's sentence are not stored:
--   the views cut them out of articles.text by offsets (sentence_window()
--   repeats the writer's window around a figure in a very long sentence).
--   A row keeps its own text or sentence only where the extractor's
--   differs from what the offsets give (the column is NULL otherwise).
-- * Secondary indexes on the child tables are gone: every documented
--   query reads them whole or by article.
--
-- Converts the rows already stored in place, in three steps (the
-- "-- migrate:" lines; store_migrate.c): the new tables, without their
-- foreign keys, and an id column with no value yet, in one transaction;
-- then batches of articles (1000, or the setting eastwest.migrate_batch),
-- each in its own transaction, each article given its id and its child
-- rows copied, the old tables left in place for readers; then, in the
-- last transaction, what is left (articles stored meanwhile), the id's
-- identity, unique index and NOT NULL, the foreign keys, the checks, the
-- views, and the old tables dropped. Only that last step locks articles
-- exclusively (docs/OPERATIONS.md gives the times). Run again after an
-- interruption, it goes on where it stopped.

ALTER TABLE articles ADD COLUMN IF NOT EXISTS id bigint;
CREATE SEQUENCE IF NOT EXISTS lean_convert_ids;
CREATE TABLE IF NOT EXISTS lean_convert_pos (after text NOT NULL);
INSERT INTO lean_convert_pos (after)
SELECT '' WHERE NOT EXISTS (SELECT FROM lean_convert_pos);

-- The sentence a figure or pairing is stored with, cut out of the text:
-- the sentence [s0, s1) (code points, end exclusive); one over 1000 code
-- points is cut to 200 on either side of the item [x0, x1), marked with …
-- (as store.c did before the sentence was dropped from the rows).
CREATE OR REPLACE FUNCTION sentence_window(t text, s0 integer, s1 integer,
	x0 integer, x1 integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
	WHEN s0 IS NULL OR s1 IS NULL OR s1 < s0 THEN NULL
	WHEN s1 - s0 <= 1000 THEN substr(t, s0 + 1, s1 - s0)
	WHEN x0 < s0 OR x0 > s1 OR x1 < x0
		THEN substr(t, s0 + 1, 1000) || '…'
	ELSE CASE WHEN x0 - 200 > s0 THEN '…' ELSE '' END
		|| substr(t, greatest(x0 - 200, s0) + 1,
			least(least(x1, s1) + 200, s1) - greatest(x0 - 200, s0))
		|| CASE WHEN least(x1, s1) + 200 < s1 THEN '…' ELSE '' END
END;
COMMENT ON FUNCTION sentence_window(text, integer, integer, integer,
	integer) IS
	'The sentence [s0, s1) of text t (code points), cut to 200 code points '
	'either side of [x0, x1) when longer than 1000 (marked with …).';

CREATE TABLE IF NOT EXISTS pairing_rows (
	article_id bigint NOT NULL,
	ord integer NOT NULL CHECK (ord >= 0),
	start_offset integer NOT NULL,
	end_offset integer NOT NULL,
	sentence_ord integer,
	sentence_start integer,
	sentence_end integer,
	helper text NOT NULL,
	helper_code text CHECK (helper_code ~ '^[0-9]{6}$'),
	recipient text NOT NULL,
	recipient_code text CHECK (recipient_code ~ '^[0-9]{6}$'),
	relation text NOT NULL,
	evidence text,
	PRIMARY KEY (article_id, ord)
);
COMMENT ON TABLE pairing_rows IS
	'The rows of the view pairings, keyed by articles.id.';
COMMENT ON COLUMN pairing_rows.sentence_start IS
	'Code point offset in articles.text of the sentence that states it.';
COMMENT ON COLUMN pairing_rows.sentence_end IS 'End of that sentence.';
COMMENT ON COLUMN pairing_rows.evidence IS
	'NULL: the evidence is the sentence (sentence_window()); else the '
	'extractor''s own evidence, which differs from it.';

CREATE TABLE IF NOT EXISTS figure_sets (
	article_id bigint PRIMARY KEY,
	start_offset integer[] NOT NULL,
	end_offset integer[] NOT NULL,
	sentence_ord integer[] NOT NULL,
	sentence_start integer[] NOT NULL,
	sentence_end integer[] NOT NULL,
	year integer[] NOT NULL,
	pairing_ord integer[] NOT NULL,
	approx boolean[] NOT NULL,
	value numeric[] NOT NULL,
	unit text[] NOT NULL,
	metric text[] NOT NULL,
	category text[] NOT NULL,
	region_codes text[] NOT NULL,
	text text[] NOT NULL,
	sentence text[] NOT NULL,
	CHECK (cardinality(start_offset) > 0
		AND array_ndims(start_offset) = 1
		AND array_lower(start_offset, 1) = 1
		AND cardinality(end_offset) = cardinality(start_offset)
		AND cardinality(sentence_ord) = cardinality(start_offset)
		AND cardinality(sentence_start) = cardinality(start_offset)
		AND cardinality(sentence_end) = cardinality(start_offset)
		AND cardinality(year) = cardinality(start_offset)
		AND cardinality(pairing_ord) = cardinality(start_offset)
		AND cardinality(approx) = cardinality(start_offset)
		AND cardinality(value) = cardinality(start_offset)
		AND cardinality(unit) = cardinality(start_offset)
		AND cardinality(metric) = cardinality(start_offset)
		AND cardinality(category) = cardinality(start_offset)
		AND cardinality(region_codes) = cardinality(start_offset)
		AND cardinality(text) = cardinality(start_offset)
		AND cardinality(sentence) = cardinality(start_offset))
);
-- Compressed with lz4 like articles (migration 004): an article's arrays
-- take about 3.5 KB, over TOAST's 2 KB threshold, and pglz would cost the
-- server several times lz4's CPU.
ALTER TABLE figure_sets
	ALTER COLUMN start_offset SET COMPRESSION lz4,
	ALTER COLUMN end_offset SET COMPRESSION lz4,
	ALTER COLUMN sentence_ord SET COMPRESSION lz4,
	ALTER COLUMN sentence_start SET COMPRESSION lz4,
	ALTER COLUMN sentence_end SET COMPRESSION lz4,
	ALTER COLUMN year SET COMPRESSION lz4,
	ALTER COLUMN pairing_ord SET COMPRESSION lz4,
	ALTER COLUMN approx SET COMPRESSION lz4,
	ALTER COLUMN value SET COMPRESSION lz4,
	ALTER COLUMN unit SET COMPRESSION lz4,
	ALTER COLUMN metric SET COMPRESSION lz4,
	ALTER COLUMN category SET COMPRESSION lz4,
	ALTER COLUMN region_codes SET COMPRESSION lz4,
	ALTER COLUMN text SET COMPRESSION lz4,
	ALTER COLUMN sentence SET COMPRESSION lz4;
COMMENT ON TABLE figure_sets IS
	'The rows of the view figures: one row per article, one array element '
	'per figure (element i + 1 is figure ord i), keyed by articles.id.';
COMMENT ON COLUMN figure_sets.sentence_start IS
	'Code point offset in articles.text of each figure''s sentence.';
COMMENT ON COLUMN figure_sets.sentence_end IS 'End of that sentence.';
COMMENT ON COLUMN figure_sets.region_codes IS
	'Each figure''s region codes, as an array literal ({440000,450000}).';
COMMENT ON COLUMN figure_sets.text IS
	'NULL: the span as it reads in articles.text (by the offsets); else '
	'the extractor''s text, which differs from it.';
COMMENT ON COLUMN figure_sets.sentence IS
	'NULL: the sentence is cut out of articles.text (sentence_window()); '
	'else the one stored before migration 007 where that differs.';

CREATE TABLE IF NOT EXISTS flow_rows (
	article_id bigint NOT NULL,
	ord integer NOT NULL CHECK (ord >= 0),
	figure_ord integer NOT NULL,
	year integer,
	part_of integer,
	value numeric NOT NULL,
	helper text,
	helper_code text CHECK (helper_code ~ '^[0-9]{6}$'),
	recipient text,
	recipient_code text CHECK (recipient_code ~ '^[0-9]{6}$'),
	category text NOT NULL,
	rule text,
	PRIMARY KEY (article_id, ord)
);
COMMENT ON TABLE flow_rows IS
	'The rows of the view flows, keyed by articles.id (through its '
	'figures: deleting an article deletes its figures and so its flows).';

-- Converts up to n articles (sha256 order, after the last batch's), or
-- with leftovers every article that has no id yet: gives each its id and
-- copies its pairings, figures and flows into the new tables. A
-- sentence's start is where it first occurs in the text (the same words,
-- so the same window); where the window or the offsets do not give back
-- the stored text, it is kept in the row. Returns how many articles it
-- passed (0: none left).
CREATE OR REPLACE FUNCTION lean_convert(n integer, leftovers boolean)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	shas text[];
	k integer;
BEGIN
	IF leftovers THEN
		SELECT array_agg(sha256) INTO shas FROM articles
		WHERE id IS NULL;
	ELSE
		SELECT array_agg(b.sha256 ORDER BY b.sha256) INTO shas
		FROM (SELECT a.sha256 FROM articles a
			WHERE a.sha256 > (SELECT after FROM lean_convert_pos)
			ORDER BY a.sha256 LIMIT n) b;
	END IF;
	IF shas IS NULL THEN
		RETURN 0;
	END IF;
	WITH upd AS (
		UPDATE articles a SET id = nextval('lean_convert_ids')
		WHERE a.sha256 = ANY (shas) AND a.id IS NULL
		RETURNING a.id, a.sha256, a.text
	), ins_p AS (
		INSERT INTO pairing_rows (article_id, ord, start_offset, end_offset,
			sentence_ord, sentence_start, sentence_end, helper, helper_code,
			recipient, recipient_code, relation, evidence)
		SELECT a.id, p.ord, p.start_offset, p.end_offset, p.sentence_ord, s.s0,
			s.s1, p.helper, p.helper_code, p.recipient, p.recipient_code,
			p.relation,
			CASE WHEN p.evidence IS NOT DISTINCT FROM sentence_window(s.t, s.s0,
				s.s1, p.start_offset, p.end_offset) THEN NULL
				ELSE p.evidence END
		FROM pairings p
		JOIN upd a ON a.sha256 = p.sha256
		CROSS JOIN LATERAL (SELECT a.text AS t,
			nullif(strpos(a.text, p.evidence), 0) - 1 AS s0) s0
		CROSS JOIN LATERAL (SELECT s0.t, s0.s0,
			s0.s0 + char_length(p.evidence) AS s1) s
		RETURNING 1
	), ins_f AS (
		INSERT INTO figure_sets (article_id, start_offset, end_offset,
			sentence_ord, sentence_start, sentence_end, year, pairing_ord, approx,
			value, unit, metric, category, region_codes, text, sentence)
		SELECT a.id, array_agg(f.start_offset ORDER BY f.ord),
			array_agg(f.end_offset ORDER BY f.ord),
			array_agg(f.sentence_ord ORDER BY f.ord),
			array_agg(s.s0 ORDER BY f.ord),
			array_agg(s.s1 ORDER BY f.ord),
			array_agg(f.year ORDER BY f.ord),
			array_agg(f.pairing_ord ORDER BY f.ord),
			array_agg(f.approx ORDER BY f.ord),
			array_agg(f.value ORDER BY f.ord),
			array_agg(f.unit ORDER BY f.ord),
			array_agg(f.metric ORDER BY f.ord),
			array_agg(f.category ORDER BY f.ord),
			array_agg(f.region_codes::text ORDER BY f.ord),
			array_agg(CASE WHEN f.text = substr(a.text, f.start_offset + 1,
				greatest(f.end_offset - f.start_offset, 0)) THEN NULL
				ELSE f.text END ORDER BY f.ord),
			array_agg(CASE WHEN f.sentence IS NOT DISTINCT FROM
				sentence_window(s.t, s.s0, s.s1, f.start_offset, f.end_offset)
				THEN NULL ELSE f.sentence END ORDER BY f.ord)
		FROM figures f
		JOIN upd a ON a.sha256 = f.sha256
		CROSS JOIN LATERAL (SELECT a.text AS t,
			nullif(strpos(a.text, f.sentence), 0) - 1 AS s0) s0
		CROSS JOIN LATERAL (SELECT s0.t, s0.s0,
			s0.s0 + char_length(f.sentence) AS s1) s
		GROUP BY a.id
		RETURNING 1
	), ins_fl AS (
		INSERT INTO flow_rows (article_id, ord, figure_ord, year, part_of, value,
			helper, helper_code, recipient, recipient_code, category, rule)
		SELECT a.id, fl.ord, fl.figure_ord, fl.year, fl.part_of, fl.value,
			fl.helper, fl.helper_code, fl.recipient, fl.recipient_code,
			fl.category, fl.rule
		FROM flows fl
		JOIN upd a ON a.sha256 = fl.sha256
		RETURNING 1
	)
	SELECT count(*) INTO k FROM upd;
	IF NOT leftovers THEN
		UPDATE lean_convert_pos SET after = shas[cardinality(shas)];
	END IF;
	RETURN cardinality(shas);
END
$$;

-- migrate: repeat
SELECT lean_convert(coalesce(nullif(current_setting('eastwest.migrate_batch',
	true), '')::integer, 1000), false);
-- migrate: then

SELECT lean_convert(NULL, true);
ALTER TABLE articles ALTER COLUMN id SET NOT NULL;
ALTER TABLE articles ADD CONSTRAINT articles_id_key UNIQUE (id);
DO $$
BEGIN
	EXECUTE format('ALTER TABLE articles ALTER COLUMN id ADD GENERATED'
		' ALWAYS AS IDENTITY (START WITH %s)',
		(SELECT coalesce(max(id), 0) + 1 FROM articles));
END
$$;
DROP FUNCTION lean_convert(integer, boolean);
DROP TABLE lean_convert_pos;
DROP SEQUENCE lean_convert_ids;
COMMENT ON COLUMN articles.id IS
	'Compact article id: the key of figure_sets, pairing_rows, flow_rows. '
	'sha256 stays the article''s identity across databases.';
DROP INDEX articles_main_region_idx;
DROP INDEX articles_version_idx;

ALTER TABLE pairing_rows ADD FOREIGN KEY (article_id)
	REFERENCES articles (id) ON DELETE CASCADE;
ALTER TABLE figure_sets ADD FOREIGN KEY (article_id)
	REFERENCES articles (id) ON DELETE CASCADE;
ALTER TABLE flow_rows ADD FOREIGN KEY (article_id)
	REFERENCES figure_sets (article_id) ON DELETE CASCADE;
ALTER TABLE flow_rows ADD FOREIGN KEY (article_id, part_of)
	REFERENCES flow_rows (article_id, ord);

-- A figure's pairing_ord names a pairing of its article (what a foreign
-- key checked for every figure row): one check per article's figures.
CREATE FUNCTION figure_sets_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	top integer;
BEGIN
	SELECT max(p) INTO top FROM unnest(NEW.pairing_ord) AS p;
	IF top IS NOT NULL AND (
		EXISTS (SELECT FROM unnest(NEW.pairing_ord) AS p WHERE p < 0)
		OR NOT EXISTS (SELECT FROM pairing_rows
			WHERE article_id = NEW.article_id AND ord = top)
		OR (SELECT count(*) FROM pairing_rows
			WHERE article_id = NEW.article_id AND ord <= top)
			<> top + 1) THEN
		RAISE foreign_key_violation USING MESSAGE = format(
			'figures of article %s name a pairing it does not have',
			NEW.article_id);
	END IF;
	RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER figure_sets_pairing
	AFTER INSERT OR UPDATE ON figure_sets
	FOR EACH ROW EXECUTE FUNCTION figure_sets_check();

-- A flow's figure_ord names one of its article's figures (what the
-- foreign key to figures (sha256, ord) checked).
CREATE FUNCTION flow_rows_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.figure_ord < 0 OR NOT EXISTS (SELECT FROM figure_sets s
		WHERE s.article_id = NEW.article_id
		AND NEW.figure_ord < cardinality(s.value)) THEN
		RAISE foreign_key_violation USING MESSAGE = format(
			'flow %s of article %s names no figure of it',
			NEW.ord, NEW.article_id);
	END IF;
	RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER flow_rows_figure
	AFTER INSERT OR UPDATE ON flow_rows
	FOR EACH ROW EXECUTE FUNCTION flow_rows_check();
CREATE INDEX flow_rows_sides_year_idx
	ON flow_rows (helper_code, recipient_code, year);


DROP TABLE flows, figures, pairings CASCADE;

-- The old tables, as views with their columns.
CREATE VIEW pairings AS
SELECT a.sha256,
	p.ord,
	p.helper,
	p.helper_code,
	p.recipient,
	p.recipient_code,
	p.relation,
	p.start_offset,
	p.end_offset,
	p.sentence_ord,
	coalesce(p.evidence, sentence_window(a.text, p.sentence_start,
		p.sentence_end, p.start_offset, p.end_offset)) AS evidence
FROM pairing_rows p
JOIN articles a ON a.id = p.article_id;
COMMENT ON VIEW pairings IS
	'Directed assistance relationships named in an article: helper assists '
	'recipient, one row per pairing statement (docs/SCHEMA.md).';

CREATE VIEW figures AS
SELECT a.sha256,
	(u.ord - 1)::integer AS ord,
	coalesce(u.text, substr(a.text, u.start_offset + 1,
		greatest(u.end_offset - u.start_offset, 0))) AS text,
	u.value,
	u.unit,
	u.approx,
	u.metric,
	u.category,
	u.year,
	u.start_offset,
	u.end_offset,
	u.sentence_ord,
	coalesce(u.sentence, sentence_window(a.text, u.sentence_start,
		u.sentence_end, u.start_offset, u.end_offset)) AS sentence,
	u.region_codes::text[] AS region_codes,
	u.pairing_ord
FROM figure_sets f
JOIN articles a ON a.id = f.article_id
CROSS JOIN LATERAL unnest(f.start_offset, f.end_offset, f.sentence_ord,
	f.sentence_start, f.sentence_end, f.year, f.pairing_ord, f.approx,
	f.value, f.unit, f.metric, f.category, f.region_codes, f.text,
	f.sentence) WITH ORDINALITY AS u (start_offset, end_offset,
	sentence_ord, sentence_start, sentence_end, year, pairing_ord, approx,
	value, unit, metric, category, region_codes, text, sentence, ord);
COMMENT ON VIEW figures IS
	'Quantities stated in an article (money, people, projects...), with '
	'the regions and the pairing of their own sentence (docs/SCHEMA.md).';

CREATE VIEW flows AS
SELECT a.sha256,
	fl.ord,
	fl.figure_ord,
	fl.value,
	fl.helper,
	fl.helper_code,
	fl.recipient,
	fl.recipient_code,
	fl.year,
	fl.category,
	fl.part_of,
	fl.rule
FROM flow_rows fl
JOIN articles a ON a.id = fl.article_id;
COMMENT ON VIEW flows IS
	'Aid flows, once per article (docs/SCHEMA.md); add them up through '
	'aid_flows.';

-- The analyst views, as migrations 003 and 005 left them, over the views
-- above.
CREATE VIEW aid_money AS
WITH sole AS (
	SELECT sha256, min(ord) AS ord
	FROM pairings
	GROUP BY sha256
	HAVING count(*) = 1
)
SELECT f.sha256,
	f.ord AS figure_ord,
	p.helper,
	p.helper_code,
	p.recipient,
	p.recipient_code,
	p.relation,
	f.year,
	f.category,
	f.metric,
	f.value,
	f.approx,
	CASE
		WHEN f.pairing_ord IS NOT NULL THEN 'sentence'
		WHEN p.ord IS NOT NULL THEN 'article'
		ELSE 'none'
	END AS attribution,
	f.text,
	f.sentence,
	a.published,
	a.title,
	a.source,
	a.uri
FROM figures f
JOIN articles a ON a.sha256 = f.sha256
LEFT JOIN sole s ON f.pairing_ord IS NULL AND s.sha256 = f.sha256
LEFT JOIN pairings p
	ON p.sha256 = f.sha256 AND p.ord = coalesce(f.pairing_ord, s.ord)
WHERE f.unit = '元' AND f.category IN ('fiscal_aid', 'social_aid');
COMMENT ON VIEW aid_money IS
	'Figures of aid money in yuan (unit 元, categories fiscal_aid and '
	'social_aid), one row per statement, with the helper and recipient of '
	'the pairing its sentence states, else of its article''s only '
	'pairing; helper and recipient are NULL when neither exists. For '
	'reading the evidence, not for adding up: a fact the article repeats '
	'is two rows. Sum aid_flows (or read aid_money_totals) instead.';
COMMENT ON COLUMN aid_money.year IS
	'The year the figure refers to, NULL when the text does not say '
	'(published has the date of publication).';


CREATE VIEW figures_by_region AS
SELECT f.sha256,
	f.ord AS figure_ord,
	rc.code AS region_code,
	r.name AS region,
	r.level,
	r.province_code,
	pr.name AS province,
	f.category,
	f.metric,
	f.value,
	f.unit,
	f.approx,
	f.year,
	a.published
FROM figures f
JOIN articles a ON a.sha256 = f.sha256
CROSS JOIN LATERAL unnest(f.region_codes) AS rc (code)
LEFT JOIN regions r ON r.code = rc.code
LEFT JOIN regions pr ON pr.code = r.province_code;
COMMENT ON COLUMN figures_by_region.year IS
	'The year the figure refers to, NULL when the text does not say.';

COMMENT ON VIEW figures_by_region IS
	'Figures with each region of their sentence (one row per figure and '
	'region: a figure naming two regions appears twice, so do not sum '
	'across regions).';
COMMENT ON COLUMN figures_by_region.region_code IS
	'A code from figures.region_codes.';
COMMENT ON COLUMN figures_by_region.province IS
	'Name of the region''s province, for rolling up.';

CREATE VIEW figure_totals AS
SELECT category,
	unit,
	region_code,
	region,
	level,
	province,
	year,
	count(*) AS figures,
	count(DISTINCT sha256) AS articles,
	sum(value) AS total,
	bool_or(approx) AS approx
FROM figures_by_region
GROUP BY category, unit, region_code, region, level, province, year;
COMMENT ON VIEW figure_totals IS
	'Figures counted by category, unit, region and year. total adds every '
	'statement: a fact an article repeats counts twice, so it is a rough '
	'measure; for money add aid_flows. year NULL: the text gives none.';

-- pairing_network cuts out one sentence per row it returns (the evidence
-- of its latest article), not one per pairing it counts.
CREATE VIEW pairing_network AS
SELECT g.helper,
	g.helper_code,
	g.recipient,
	g.recipient_code,
	g.relation,
	g.articles,
	g.mentions,
	g.first_seen,
	g.last_seen,
	(SELECT coalesce(p.evidence, sentence_window(a.text, p.sentence_start,
		p.sentence_end, p.start_offset, p.end_offset))
	 FROM pairing_rows p
	 JOIN articles a ON a.id = p.article_id
	 WHERE p.article_id = g.evidence_id AND p.ord = g.evidence_ord)
		AS evidence,
	g.evidence_sha256
FROM (SELECT p.helper,
	p.helper_code,
	p.recipient,
	p.recipient_code,
	p.relation,
	count(DISTINCT p.article_id) AS articles,
	count(*) AS mentions,
	min(a.published) AS first_seen,
	max(a.published) AS last_seen,
	(array_agg(p.article_id ORDER BY a.published DESC NULLS LAST,
		a.sha256, p.ord))[1] AS evidence_id,
	(array_agg(p.ord ORDER BY a.published DESC NULLS LAST, a.sha256,
		p.ord))[1] AS evidence_ord,
	(array_agg(a.sha256 ORDER BY a.published DESC NULLS LAST, a.sha256,
		p.ord))[1] AS evidence_sha256
	FROM pairing_rows p
	JOIN articles a ON a.id = p.article_id
	GROUP BY p.helper, p.helper_code, p.recipient, p.recipient_code,
		p.relation) g;
COMMENT ON VIEW pairing_network IS
	'Who helps whom: one row per helper, recipient and relation, with the '
	'number of articles stating it, publication dates and the latest '
	'evidence sentence.';
COMMENT ON COLUMN pairing_network.articles IS 'Articles that state it.';
COMMENT ON COLUMN pairing_network.mentions IS 'Pairing rows (statements).';
COMMENT ON COLUMN pairing_network.first_seen IS
	'Earliest publication date among them.';
COMMENT ON COLUMN pairing_network.last_seen IS
	'Latest publication date among them.';
COMMENT ON COLUMN pairing_network.evidence IS
	'The sentence that states it in the latest article.';
COMMENT ON COLUMN pairing_network.evidence_sha256 IS
	'The article of that sentence.';


-- aid_flows reads its figure by subscript from the article's figure_sets
-- row (element figure_ord + 1), not through the figures view, which would
-- unnest every figure of the article for each flow.
CREATE VIEW aid_flows AS
SELECT a.sha256,
	fl.ord AS flow_ord,
	fl.helper,
	fl.helper_code,
	fl.recipient,
	fl.recipient_code,
	fl.year,
	fl.category,
	fl.value,
	fl.part_of,
	x.approx,
	fl.figure_ord,
	coalesce(x.text, substr(a.text, x.s + 1, greatest(x.e - x.s, 0)))
		AS figure_text,
	x.metric,
	coalesce(x.sentence, sentence_window(a.text, x.ss, x.se, x.s, x.e))
		AS sentence,
	x.sentence_ord,
	x.s AS start_offset,
	x.e AS end_offset,
	a.title,
	a.published,
	a.source,
	a.uri,
	fl.rule
FROM flow_rows fl
JOIN figure_sets fs ON fs.article_id = fl.article_id
JOIN articles a ON a.id = fl.article_id
CROSS JOIN LATERAL (SELECT fs.approx[fl.figure_ord + 1] AS approx,
	fs.text[fl.figure_ord + 1] AS text,
	fs.metric[fl.figure_ord + 1] AS metric,
	fs.sentence[fl.figure_ord + 1] AS sentence,
	fs.sentence_ord[fl.figure_ord + 1] AS sentence_ord,
	fs.start_offset[fl.figure_ord + 1] AS s,
	fs.end_offset[fl.figure_ord + 1] AS e,
	fs.sentence_start[fl.figure_ord + 1] AS ss,
	fs.sentence_end[fl.figure_ord + 1] AS se
	OFFSET 0) x;
COMMENT ON VIEW aid_flows IS
	'The aid money to add up: one row per flow (once per article), with '
	'its sentence and article. SUM(value) over rows with part_of IS NULL '
	'never counts an amount twice within an article; a row with part_of '
	'is inside its total too (a city''s part of its province''s money), '
	'so add it only where its total is not in the sum. Rows with a NULL '
	'year are not for any year: never add them to dated rows.';
COMMENT ON COLUMN aid_flows.flow_ord IS 'flows.ord.';
COMMENT ON COLUMN aid_flows.year IS
	'Year the amount is for, NULL when the text does not say or it spans '
	'several years (never the year of publication by default).';
COMMENT ON COLUMN aid_flows.value IS 'Yuan, exact.';
COMMENT ON COLUMN aid_flows.part_of IS
	'flow_ord of the total it is a part of, NULL for none.';
COMMENT ON COLUMN aid_flows.approx IS
	'True when the text gives a bound or estimate (多, 近, 超过...).';
COMMENT ON COLUMN aid_flows.figure_text IS
	'The figure as it reads in the text (figures.text).';
COMMENT ON COLUMN aid_flows.sentence IS
	'The sentence that states it (very long sentences are cut to a '
	'window around the figure, marked with …).';
COMMENT ON COLUMN aid_flows.start_offset IS
	'Code point offset of the figure in articles.text.';


CREATE VIEW aid_money_totals AS
SELECT fl.helper,
	fl.helper_code,
	fl.recipient,
	fl.recipient_code,
	fl.year,
	fl.category,
	sum(fl.value) AS yuan,
	coalesce(sum(fl.value) FILTER (WHERE NOT fl.approx), 0) AS exact_yuan,
	bool_or(fl.approx) AS approx,
	coalesce(sum(fl.value) FILTER (WHERE fl.part_of IS NULL), 0)
		AS top_level_yuan,
	count(*) AS flows,
	count(DISTINCT fl.sha256) AS articles
FROM aid_flows fl
LEFT JOIN flows t ON t.sha256 = fl.sha256 AND t.ord = fl.part_of
-- A part counts in its own group only: where its total falls in the same
-- group it is already inside that total.
WHERE fl.part_of IS NULL
	OR (t.helper, t.helper_code, t.recipient, t.recipient_code, t.year,
	    t.category)
	   IS DISTINCT FROM
	   (fl.helper, fl.helper_code, fl.recipient, fl.recipient_code,
	    fl.year, fl.category)
GROUP BY fl.helper, fl.helper_code, fl.recipient, fl.recipient_code,
	fl.year, fl.category;
COMMENT ON VIEW aid_money_totals IS
	'aid_flows summed by helper, recipient, year and category: each '
	'amount once per article (a part inside a total of the same group is '
	'not added again). yuan answers "how much did X give Y in year N"; '
	'to add several rows together (a province''s grand total) add '
	'top_level_yuan, because a part (深圳市 to 河池市) is in its own row '
	'and inside its total''s row (广东省 to 广西). year NULL: amounts for '
	'no single year, never to be added to a year''s.';
COMMENT ON COLUMN aid_money_totals.yuan IS
	'Sum of the group''s flows, yuan.';
COMMENT ON COLUMN aid_money_totals.exact_yuan IS
	'Sum of the flows that are not approximate.';
COMMENT ON COLUMN aid_money_totals.approx IS
	'True when any flow in the sum is approximate.';
COMMENT ON COLUMN aid_money_totals.top_level_yuan IS
	'Sum of the flows that are no part of another (part_of NULL): what '
	'can be added across rows without counting an amount twice.';
COMMENT ON COLUMN aid_money_totals.flows IS 'Flows in the sum.';
COMMENT ON COLUMN aid_money_totals.articles IS 'Articles they come from.';


GRANT SELECT, INSERT, UPDATE, DELETE
	ON figure_sets, pairing_rows, flow_rows TO eastwest_writer;
GRANT SELECT ON figures, pairings, flows TO eastwest_writer;
GRANT SELECT ON figure_sets, pairing_rows, flow_rows, figures, pairings,
	flows, aid_money, aid_money_totals, aid_flows, figures_by_region,
	figure_totals, pairing_network TO eastwest_reader;
GRANT EXECUTE ON FUNCTION sentence_window(text, integer, integer, integer,
	integer) TO eastwest_writer, eastwest_reader;
