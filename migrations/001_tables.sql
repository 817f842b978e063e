-- 001_tables.sql - articles, figures, pairings, regions, ingest_errors.
--
-- Applied by `extractd --migrate` in one transaction, under an advisory
-- lock, and recorded in schema_migrations. Migrations must not contain
-- transaction control (BEGIN/COMMIT) nor CREATE INDEX CONCURRENTLY.
-- All times are timestamptz (UTC on output: the service sets TimeZone).

CREATE TABLE regions (
	code text PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
	name text NOT NULL,
	short_name text,
	level text NOT NULL
		CHECK (level IN ('province', 'prefecture', 'county')),
	parent_code text REFERENCES regions (code),
	province_code text GENERATED ALWAYS AS
		(substr(code, 1, 2) || '0000') STORED
);
COMMENT ON TABLE regions IS
	'Administrative divisions (GB/T 2260, county level and above), seeded '
	'by every `extractd --migrate` with COPY from data/divisions.tsv, the '
	'file the extractor loads, so codes in figures and pairings always '
	'resolve here.';
COMMENT ON COLUMN regions.code IS 'Six-digit administrative division code.';
COMMENT ON COLUMN regions.name IS
	'Full official Simplified name (广西壮族自治区).';
COMMENT ON COLUMN regions.short_name IS
	'Short form the extractor recognises (广西), NULL when withheld.';
COMMENT ON COLUMN regions.level IS 'province, prefecture or county.';
COMMENT ON COLUMN regions.parent_code IS
	'The prefecture, or the province for prefectures, municipal districts '
	'and province-administered counties; NULL for provinces.';
COMMENT ON COLUMN regions.province_code IS
	'The province (first two digits + 0000), for rolling up to provinces.';
CREATE INDEX regions_parent_code_idx ON regions (parent_code);

CREATE TABLE articles (
	sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	raw bytea NOT NULL,
	raw_size integer GENERATED ALWAYS AS (octet_length(raw)) STORED,
	text text NOT NULL,
	title text,
	source text,
	published date,
	reporters text[] NOT NULL DEFAULT '{}',
	editors text[] NOT NULL DEFAULT '{}',
	charset text,
	charset_hint text,
	converted boolean NOT NULL DEFAULT false,
	uri text,
	feed text,
	content_type text,
	main_region text CHECK (main_region ~ '^[0-9]{6}$'),
	extractor_version integer NOT NULL,
	data_hash text NOT NULL,
	received_at timestamptz,
	stored_at timestamptz NOT NULL DEFAULT now(),
	extracted_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE articles IS
	'One row per article, keyed by the SHA-256 of its raw bytes. Keeps the '
	'raw bytes so that articles can be re-extracted when the extractor or '
	'its data files change (extractor_version, data_hash).';
COMMENT ON COLUMN articles.sha256 IS
	'SHA-256 of the raw bytes, 64 lowercase hex digits: the article id.';
COMMENT ON COLUMN articles.raw IS
	'The article as received (UTF-8, GB18030 or Big5), byte for byte.';
COMMENT ON COLUMN articles.raw_size IS 'octet_length(raw).';
COMMENT ON COLUMN articles.text IS
	'Normalised text: decoded, cleaned, Simplified. Offsets in figures and '
	'pairings count code points of this text (0-based, end exclusive).';
COMMENT ON COLUMN articles.title IS 'Headline, NULL when none was found.';
COMMENT ON COLUMN articles.source IS
	'Publishing outlet (来源), NULL when none was found.';
COMMENT ON COLUMN articles.published IS
	'Publication date from the text, NULL when none was found.';
COMMENT ON COLUMN articles.reporters IS 'Names in bylines (记者 X).';
COMMENT ON COLUMN articles.editors IS 'Names in 责任编辑 lines.';
COMMENT ON COLUMN articles.charset IS
	'Charset the raw bytes were decoded with: utf-8, gb18030 or big5.';
COMMENT ON COLUMN articles.charset_hint IS
	'Charset announced by the feed or sidecar, if any.';
COMMENT ON COLUMN articles.converted IS
	'True when Traditional script was converted to Simplified.';
COMMENT ON COLUMN articles.main_region IS
	'Code of the region the article is mainly about, NULL when unknown.';
COMMENT ON COLUMN articles.extractor_version IS
	'Extractor version that wrote this row and its figures and pairings.';
COMMENT ON COLUMN articles.data_hash IS
	'Hash of the extractor data files that wrote this row.';
COMMENT ON COLUMN articles.received_at IS 'When ingestd accepted it.';
COMMENT ON COLUMN articles.stored_at IS 'When it was first stored.';
COMMENT ON COLUMN articles.extracted_at IS
	'When its current figures and pairings were written.';
CREATE INDEX articles_published_idx ON articles (published);
CREATE INDEX articles_main_region_idx ON articles (main_region);
CREATE INDEX articles_version_idx ON articles (extractor_version, data_hash);

CREATE TABLE pairings (
	sha256 text NOT NULL REFERENCES articles (sha256) ON DELETE CASCADE,
	ord integer NOT NULL CHECK (ord >= 0),
	helper text NOT NULL,
	helper_code text CHECK (helper_code ~ '^[0-9]{6}$'),
	recipient text NOT NULL,
	recipient_code text CHECK (recipient_code ~ '^[0-9]{6}$'),
	relation text NOT NULL,
	start_offset integer NOT NULL,
	end_offset integer NOT NULL,
	sentence_ord integer,
	evidence text,
	PRIMARY KEY (sha256, ord)
);
COMMENT ON TABLE pairings IS
	'Directed assistance relationships named in an article: helper assists '
	'recipient. One row per pairing statement (a helper with two recipients '
	'is two rows).';
COMMENT ON COLUMN pairings.sha256 IS 'The article (articles.sha256).';
COMMENT ON COLUMN pairings.ord IS
	'Position in the article''s pairings, from 0 (figures.pairing_ord).';
COMMENT ON COLUMN pairings.helper IS
	'Official name of the helping division, or the organisation as '
	'written (公安部, 南方科技大学).';
COMMENT ON COLUMN pairings.helper_code IS
	'Division code of the helper, NULL when it is not a division.';
COMMENT ON COLUMN pairings.recipient IS 'Official name of the recipient.';
COMMENT ON COLUMN pairings.recipient_code IS
	'Division code of the recipient, NULL when it is not a division.';
COMMENT ON COLUMN pairings.relation IS
	'east_west, designated (定点帮扶), institutional or other.';
COMMENT ON COLUMN pairings.start_offset IS
	'Code point offset in articles.text of the span that states it.';
COMMENT ON COLUMN pairings.end_offset IS 'End of that span (exclusive).';
COMMENT ON COLUMN pairings.sentence_ord IS 'Index of its sentence.';
COMMENT ON COLUMN pairings.evidence IS
	'The sentence that states it (very long sentences are cut to a window '
	'around the span, marked with …).';
CREATE INDEX pairings_helper_code_idx ON pairings (helper_code);
CREATE INDEX pairings_recipient_code_idx ON pairings (recipient_code);
CREATE INDEX pairings_helper_idx ON pairings (helper);

CREATE TABLE figures (
	sha256 text NOT NULL REFERENCES articles (sha256) ON DELETE CASCADE,
	ord integer NOT NULL CHECK (ord >= 0),
	text text NOT NULL,
	value numeric NOT NULL,
	unit text NOT NULL,
	approx boolean NOT NULL,
	metric text,
	category text NOT NULL,
	year integer,
	start_offset integer NOT NULL,
	end_offset integer NOT NULL,
	sentence_ord integer,
	sentence text,
	region_codes text[] NOT NULL DEFAULT '{}',
	pairing_ord integer,
	PRIMARY KEY (sha256, ord),
	FOREIGN KEY (sha256, pairing_ord) REFERENCES pairings (sha256, ord)
);
COMMENT ON TABLE figures IS
	'Quantities stated in an article (money, people, projects...), with '
	'the regions and the pairing of their own sentence.';
COMMENT ON COLUMN figures.sha256 IS 'The article (articles.sha256).';
COMMENT ON COLUMN figures.ord IS 'Position in the article''s figures.';
COMMENT ON COLUMN figures.text IS 'The span as it reads in articles.text.';
COMMENT ON COLUMN figures.value IS
	'Exact value with 万 and 亿 multiplied out (4.72亿元 is 472000000).';
COMMENT ON COLUMN figures.unit IS
	'Measure word in Simplified Chinese: 元 (always yuan), 人, 个, 亩, %...';
COMMENT ON COLUMN figures.approx IS
	'True for bounds and estimates (多, 余, 近, 约, 超过, 以上...).';
COMMENT ON COLUMN figures.metric IS
	'What was counted, as written (财政帮扶资金), NULL when unknown.';
COMMENT ON COLUMN figures.category IS
	'fiscal_aid, social_aid, investment, enterprises, projects, '
	'consumption, employment, training, personnel, population, '
	'infrastructure, education_health, pairing_count, share, growth, other.';
COMMENT ON COLUMN figures.year IS
	'Year the figure refers to, NULL when the text does not say.';
COMMENT ON COLUMN figures.start_offset IS
	'Code point offset of the span in articles.text.';
COMMENT ON COLUMN figures.end_offset IS 'End of the span (exclusive).';
COMMENT ON COLUMN figures.sentence_ord IS 'Index of its sentence.';
COMMENT ON COLUMN figures.sentence IS
	'Its sentence (very long sentences are cut to a window around the '
	'figure, marked with …).';
COMMENT ON COLUMN figures.region_codes IS
	'Divisions named in its sentence, or the article''s main region when '
	'the sentence names none.';
COMMENT ON COLUMN figures.pairing_ord IS
	'The pairing its sentence states (pairings.ord), NULL when none.';
CREATE INDEX figures_category_idx ON figures (category);
CREATE INDEX figures_region_codes_idx ON figures USING gin (region_codes);
CREATE INDEX figures_year_idx ON figures (year);
CREATE INDEX figures_unit_category_idx ON figures (unit, category);

CREATE TABLE ingest_errors (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	sha256 text NOT NULL,
	stage text NOT NULL,
	reason text NOT NULL,
	raw bytea,
	raw_size bigint,
	uri text,
	feed text,
	content_type text,
	charset_hint text,
	extractor_version integer,
	data_hash text,
	received_at timestamptz,
	first_at timestamptz NOT NULL DEFAULT now(),
	at timestamptz NOT NULL DEFAULT now(),
	attempts integer NOT NULL DEFAULT 1,
	UNIQUE (sha256, stage)
);
COMMENT ON TABLE ingest_errors IS
	'Articles that could not be stored, with the reason: one row per article '
	'and stage; a repeated failure bumps attempts and refreshes reason and at.';
COMMENT ON COLUMN ingest_errors.sha256 IS 'SHA-256 of the raw bytes.';
COMMENT ON COLUMN ingest_errors.stage IS
	'Where it failed: decode, extract, store...';
COMMENT ON COLUMN ingest_errors.reason IS 'Why, readable.';
COMMENT ON COLUMN ingest_errors.raw IS
	'The raw bytes when small enough to keep (4 MiB), else NULL.';
COMMENT ON COLUMN ingest_errors.raw_size IS 'Size of the raw bytes.';
COMMENT ON COLUMN ingest_errors.extractor_version IS
	'Version of the extractor that failed.';
COMMENT ON COLUMN ingest_errors.first_at IS 'First failure.';
COMMENT ON COLUMN ingest_errors.at IS 'Latest failure.';
COMMENT ON COLUMN ingest_errors.attempts IS 'Failures recorded so far.';
CREATE INDEX ingest_errors_at_idx ON ingest_errors (at);
