-- 003_views.sql - views for the usual analyst questions.
--
-- Every figure carries the pairing of its own sentence (pairing_ord), so
-- attributing money needs no join of every figure to every pairing of its
-- article. Where a figure's sentence states no pairing and its article
-- states exactly one, that one is used (attribution = 'article').
--
-- Sums over these views count a figure once per article that reports it:
-- a reposted article (other bytes, other sha256) counts again.

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
	coalesce(f.year, extract(year FROM a.published)::integer) AS year,
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
	'Aid money in yuan (figures of unit 元, categories fiscal_aid and '
	'social_aid), one row per figure, with the helper and recipient of the '
	'pairing its sentence states, else of its article''s only pairing; '
	'helper and recipient are NULL when neither exists. Aggregate with '
	'GROUP BY helper, recipient, year.';
COMMENT ON COLUMN aid_money.year IS
	'The year the figure refers to, else the year of publication.';
COMMENT ON COLUMN aid_money.value IS 'Yuan, exact.';
COMMENT ON COLUMN aid_money.approx IS
	'True when the text gives a bound or estimate (多, 近, 超过...).';
COMMENT ON COLUMN aid_money.attribution IS
	'sentence (pairing of the figure''s sentence), article (the article''s '
	'only pairing) or none.';

CREATE VIEW aid_money_totals AS
SELECT helper,
	helper_code,
	recipient,
	recipient_code,
	year,
	sum(value) AS yuan,
	coalesce(sum(value) FILTER (WHERE NOT approx), 0) AS exact_yuan,
	bool_or(approx) AS approx,
	count(*) AS figures,
	count(DISTINCT sha256) AS articles
FROM aid_money
GROUP BY helper, helper_code, recipient, recipient_code, year;
COMMENT ON VIEW aid_money_totals IS
	'aid_money summed by helper, recipient and year.';
COMMENT ON COLUMN aid_money_totals.yuan IS 'Sum of all figures, yuan.';
COMMENT ON COLUMN aid_money_totals.exact_yuan IS
	'Sum of the figures that are not approximate.';
COMMENT ON COLUMN aid_money_totals.approx IS
	'True when any figure in the sum is approximate.';

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
	coalesce(f.year, extract(year FROM a.published)::integer) AS year,
	a.published
FROM figures f
JOIN articles a ON a.sha256 = f.sha256
CROSS JOIN LATERAL unnest(f.region_codes) AS rc (code)
LEFT JOIN regions r ON r.code = rc.code
LEFT JOIN regions pr ON pr.code = r.province_code;
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
	'Figures counted and summed by category, unit, region and year.';

CREATE VIEW pairing_network AS
SELECT p.helper,
	p.helper_code,
	p.recipient,
	p.recipient_code,
	p.relation,
	count(DISTINCT p.sha256) AS articles,
	count(*) AS mentions,
	min(a.published) AS first_seen,
	max(a.published) AS last_seen,
	(array_agg(p.evidence ORDER BY a.published DESC NULLS LAST, p.sha256,
		p.ord))[1] AS evidence,
	(array_agg(p.sha256 ORDER BY a.published DESC NULLS LAST, p.sha256,
		p.ord))[1] AS evidence_sha256
FROM pairings p
JOIN articles a ON a.sha256 = p.sha256
GROUP BY p.helper, p.helper_code, p.recipient, p.recipient_code, p.relation;
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

GRANT SELECT ON aid_money, aid_money_totals, figures_by_region,
	figure_totals, pairing_network TO eastwest_reader;
