-- 005_flows.sql - aid flows (SPEC "Aid flows"), the aid_flows view that
-- analysts add up, aid_money_totals rebuilt on it, and figure years that
-- stay NULL where the text gives none.
--
-- A flow is money a helper gave, invested, raised or bought for a
-- recipient, once per article: a fact the article repeats (title and
-- body, lead and summary) is one flow, and increases, shares, plans and
-- pledges are none. Summing figures instead (aid_money) adds every
-- statement, so before this migration aid_money_totals counted a
-- repeated fact twice and added year-on-year increases (同比增加) to the
-- money given.
--
-- store.c writes an article's flows with its figures and pairings, in the
-- same transaction, and deletes them with its figures when a newer
-- extractor replaces its rows. Articles stored before this migration have
-- no flows: the end of this file marks them stale, so that
-- `extractd --reextract` redoes them.

CREATE TABLE flows (
	sha256 text NOT NULL REFERENCES articles (sha256) ON DELETE CASCADE,
	ord integer NOT NULL CHECK (ord >= 0),
	figure_ord integer NOT NULL,
	value numeric NOT NULL,
	helper text,
	helper_code text CHECK (helper_code ~ '^[0-9]{6}$'),
	recipient text,
	recipient_code text CHECK (recipient_code ~ '^[0-9]{6}$'),
	year integer,
	category text NOT NULL,
	part_of integer,
	rule text,
	PRIMARY KEY (sha256, ord),
	FOREIGN KEY (sha256, figure_ord) REFERENCES figures (sha256, ord)
		ON DELETE CASCADE,
	FOREIGN KEY (sha256, part_of) REFERENCES flows (sha256, ord)
);
COMMENT ON TABLE flows IS
	'Aid flows: money a helper gave, invested, raised or bought for a '
	'recipient, as an article states it, once per article (a repeated fact '
	'is one row; increases, shares, plans and pledges are none). The rows '
	'to add up: see the view aid_flows.';
COMMENT ON COLUMN flows.sha256 IS 'The article (articles.sha256).';
COMMENT ON COLUMN flows.ord IS 'Position in the article''s flows, from 0.';
COMMENT ON COLUMN flows.figure_ord IS
	'The figure that states it (figures.ord; where the article repeats '
	'the fact, its most exact statement): its text, sentence and offsets '
	'are the provenance.';
COMMENT ON COLUMN flows.value IS 'Yuan, exact.';
COMMENT ON COLUMN flows.helper IS
	'Official name of the side that gives, NULL when the article names it '
	'only as a group (社会各界, 四省市) or not at all.';
COMMENT ON COLUMN flows.helper_code IS
	'Division code of the helper, NULL when it is not a division.';
COMMENT ON COLUMN flows.recipient IS
	'Official name of the side that receives, NULL as for helper.';
COMMENT ON COLUMN flows.recipient_code IS
	'Division code of the recipient, NULL when it is not a division.';
COMMENT ON COLUMN flows.year IS
	'Calendar year the amount is for, NULL when the text does not say or '
	'the amount spans several years (累计, 三年来, "十三五"期间). Never '
	'the year of publication by default.';
COMMENT ON COLUMN flows.category IS
	'fiscal_aid, social_aid, consumption or investment: the flow''s own, '
	'which may differ from its figure''s.';
COMMENT ON COLUMN flows.part_of IS
	'The flow (flows.ord) of the total this is a part of, NULL for none: '
	'a part is a flow only where its helper, recipient, category or year '
	'differs from its total''s, so it is inside an amount already counted.';
COMMENT ON COLUMN flows.rule IS
	'Name of the extractor rule that made it (for debugging).';
CREATE INDEX flows_sides_year_idx
	ON flows (helper_code, recipient_code, year);
CREATE INDEX flows_recipient_code_idx ON flows (recipient_code);
CREATE INDEX flows_figure_idx ON flows (sha256, figure_ord);

GRANT SELECT, INSERT, UPDATE, DELETE ON flows TO eastwest_writer;
GRANT SELECT ON flows TO eastwest_reader;

CREATE VIEW aid_flows AS
SELECT fl.sha256,
	fl.ord AS flow_ord,
	fl.helper,
	fl.helper_code,
	fl.recipient,
	fl.recipient_code,
	fl.year,
	fl.category,
	fl.value,
	fl.part_of,
	f.approx,
	f.ord AS figure_ord,
	f.text AS figure_text,
	f.metric,
	f.sentence,
	f.sentence_ord,
	f.start_offset,
	f.end_offset,
	a.title,
	a.published,
	a.source,
	a.uri,
	fl.rule
FROM flows fl
JOIN figures f ON f.sha256 = fl.sha256 AND f.ord = fl.figure_ord
JOIN articles a ON a.sha256 = fl.sha256;
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

-- aid_money_totals summed aid_money, one row per figure: a repeated fact
-- twice, an increase (同比增加6.85亿元) as money given. Rebuilt on
-- aid_flows, with the flow's own category in the key.
DROP VIEW aid_money_totals;
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

-- Figure years: NULL where the text gives none. aid_money and
-- figures_by_region filled that in with the year of publication, which
-- files a report on 2019 published in January 2020 under 2020. Same
-- columns, so the views are replaced in place (figure_totals, built on
-- figures_by_region, follows).
CREATE OR REPLACE VIEW aid_money AS
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

CREATE OR REPLACE VIEW figures_by_region AS
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
COMMENT ON VIEW figure_totals IS
	'Figures counted by category, unit, region and year. total adds every '
	'statement: a fact an article repeats counts twice, so it is a rough '
	'measure; for money add aid_flows. year NULL: the text gives none.';

GRANT SELECT ON aid_flows, aid_money_totals, aid_money, figures_by_region
	TO eastwest_reader;

-- Articles extracted before flows existed have none: their data_hash gets
-- the prefix 'pre-flows:', which no data files hash to, so re-extraction
-- (same extractor version, other data_hash) writes their flows. Rewrites
-- every articles row once (raw and text are not copied: TOAST).
UPDATE articles SET data_hash = 'pre-flows:' || data_hash
WHERE data_hash NOT LIKE 'pre-flows:%';
