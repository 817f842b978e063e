/* region_test.c - the gazetteer: names inside longer words, shared and
 * ambiguous names resolved by context, aliases, abbreviation patterns,
 * organisations, the main region, and the tables' errors. Sentences are
 * our own. */
#include "extload.h"
#include "extract.h"
#include "extract_int.h"
#include "reg_int.h"
#include "regtest.h"
#include "test.h"

#include <stdio.h>
#include <time.h>

static const struct reg_tables *rt;

/* Mentions as "surface=code" (regions and abbreviations) or "surface#"
 * (organisations, by their name), space-separated, in text order. */
static void
describe(const char *text, size_t len, char *out, size_t cap)
{
	struct arena *ar = exi_ar_new();
	struct mention *m;
	size_t n_s, n_m, i, k = 0;
	struct sent *s = regtest_split(text, len, ar, &n_s);

	out[0] = '\0';
	if (reg_find(rt, text, len, s, n_s, ar, &m, &n_m) != 0) {
		snprintf(out, cap, "ERROR");
		exi_ar_destroy(&ar);
		return;
	}
	for (i = 0; i < n_m; i++) {
		int w;

		if (m[i].kind == MEN_ORG)
			w = snprintf(out + k, cap - k, "%s%s#", k ? " " : "",
			             m[i].org);
		else
			w = snprintf(out + k, cap - k, "%s%.*s=%s",
			             k ? " " : "", (int)(m[i].b1 - m[i].b0),
			             text + m[i].b0, m[i].r->code);
		if (w < 0 || (size_t)w >= cap - k)
			break;
		k += (size_t)w;
	}
	exi_ar_destroy(&ar);
}

static void
test_find(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		/* Short names inside longer words. */
		{ "黑龙江省的冬天很冷。", "黑龙江省=230000" },
		{ "广西安排干部驻村。", "广西=450000" },
		{ "搬迁安置点已经建成。", "" },
		{ "合作社带动农户,合作共赢。", "" },
		{ "大兴安岭林区。", "" },
		{ "湄潭县永兴镇的茶园。", "湄潭县=520328" },
		/* A county named by two characters needs its province
		 * elsewhere in the text or a name it is listed with. */
		{ "项目资金安排到位。", "" },
		{ "不断加大东西部协作力度。", "" },
		{ "携手奔小康县市全覆盖。", "" },
		{ "浙江省援助。龙泉的青瓷。", "浙江省=330000 龙泉=331181" },
		{ "龙泉的青瓷。", "" },
		/* Two such names do not hold each other up. */
		{ "察右后旗乌兰哈达苏木阿达日嘎查。", "察右后旗=150928" },
		{ "黔南州和涪陵的干部。", "黔南州=522700 涪陵=500102" },
		/* ... and gives way to a name at its second character. */
		{ "如东丽区的干部。", "东丽区=120110" },
		{ "从江苏来的干部。", "江苏=320000" },
		/* County short names that are everyday words (安居乐业). */
		{ "四川省的群众圆了安居梦。", "四川省=510000" },
		{ "全州第一名,全州县的米粉。", "全州县=450324" },
		/* Full names shared by four districts: the parent decides. */
		{ "南京市鼓楼区和福州市鼓楼区。",
		  "南京市=320100 鼓楼区=320106 福州市=350100 鼓楼区=350102" },
		{ "徐州市发展很快。鼓楼区也是。",
		  "徐州市=320300 鼓楼区=320302" },
		{ "鼓楼区的居民。", "" },
		/* A same-level clash: the article's province decides. */
		{ "贵州省的山。台江的苗绣。", "贵州省=520000 台江=522630" },
		{ "福州市的江。台江的码头。", "福州市=350100 台江=350103" },
		{ "台江的夜景。", "" },
		/* Derived forms and aliases. */
		{ "临夏州和三都县、南涧县。",
		  "临夏州=622900 三都县=522732 南涧县=532926" },
		{ "黔东南州、巴州和塔县。",
		  "黔东南州=522600 巴州=652800 塔县=653131" },
		{ "当年的毕节地区。", "毕节地区=520500" },
		/* Conventional short forms of banners (察哈尔右翼后旗). */
		{ "察右后旗和科左中旗。", "察右后旗=150928 科左中旗=150521" },
		{ "张承保三市。", "张承保=130600 张承保=130700 张承保=130800" },
		/* Abbreviations only in compounds and fixed patterns. */
		{ "粤桂协作。", "粤=440000 桂=450000" },
		{ "粤企入黔。", "粤企=440000 入黔=520000" },
		{ "推进新型城镇化,纳入新规划,吉祥如意。", "" },
		{ "沪宁高速。", "" },
		{ "粤港澳大湾区。", "" },
		{ "京津企业。", "京=110000 津=120000" },
		/* Organisations. */
		{ "中山大学的专家。", "中山大学#" },
		{ "财政部门和财政部。", "财政部#" },
		{ "成立创新中心。", "" },
		{ "华为技术有限公司的工程师。", "华为技术有限公司#" },
		{ "如广州妇儿中心帮扶毕节、黔南妇幼保健院。",
		  "广州妇儿中心# 广州=440100 毕节妇幼保健院# 毕节=520500 "
		  "黔南妇幼保健院# 黔南=522700" },
		{ "贵州省。帮扶的台江一中。",
		  "贵州省=520000 台江一中# 台江=522630" },
		{ "贵州省科技厅的处长。", "贵州省=520000" },
	};
	char got[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		describe(cases[i].text, strlen(cases[i].text), got,
		         sizeof(got));
		CHECK_STR(got, cases[i].want, "for %s", cases[i].text);
	}
}

static const struct region *
main_of(const char *text, const char *title)
{
	struct arena *ar = exi_ar_new();
	struct mention *m;
	size_t n_s, n_m, len = strlen(text);
	struct sent *s = regtest_split(text, len, ar, &n_s);
	struct ext_doc doc;
	const struct region *r = NULL;

	memset(&doc, 0, sizeof(doc));
	doc.meta.title = (char *)title;
	if (reg_find(rt, text, len, s, n_s, ar, &m, &n_m) == 0)
		r = reg_main(rt, text, &doc, m, n_m);
	exi_ar_destroy(&ar);
	return r;
}

static void
test_main(void)
{
	const struct region *r;

	r = main_of("广东省帮扶广西。广西发展。贵州省也有。", NULL);
	CHECK_STR(r ? r->code : NULL, "450000");
	/* Eastern provinces are never the article's region. */
	r = main_of("广东省和江苏省。广东省。", NULL);
	CHECK(r == NULL);
	/* The title counts three times. */
	r = main_of("贵州省的变化。广西。广西。", "贵州省的变化");
	CHECK_STR(r ? r->code : NULL, "520000");
	/* A prefecture that takes most of its province's mentions. */
	r = main_of("毕节市。毕节市七星关区。毕节市。贵州省。", NULL);
	CHECK_STR(r ? r->code : NULL, "520500");
	CHECK(main_of("没有地名的文章。", NULL) == NULL);
}

static void
test_by_code(void)
{
	const struct region *r = reg_by_code(rt, "520502");

	CHECK(r != NULL);
	if (r) {
		CHECK_STR(r->name, "七星关区");
		CHECK_STR(r->short_name, "七星关");
		CHECK_INT(r->level, REG_COUNTY);
		CHECK_STR(r->parent ? r->parent->code : NULL, "520500");
		CHECK_STR(reg_province(r)->code, "520000");
	}
	CHECK(reg_by_code(rt, "999999") == NULL);
	CHECK(reg_by_code(rt, "52") == NULL);
	CHECK(reg_by_code(rt, NULL) == NULL);
}

/* Tables: every file is required; a bad row names its line. */
static void
test_tables(const char *dir)
{
	static const char *const names[] = {
		"abbrev_patterns.tsv",   "divisions.tsv",
		"official_pairings.tsv", "org_suffixes.tsv",
		"organisations.tsv",     "pairing_cues.tsv",
		"province_abbrev.tsv",   "region_aliases.tsv",
		"region_roles.tsv",      "short_name_collisions.tsv",
	};
	struct reg_tables *t = NULL;
	const char *missing = NULL;
	size_t errline = 0, i;
	int rc = 0;

	CHECK_INT(reg_tables_check(NULL, &missing), EXT_EDATA);
	CHECK_INT(reg_tables_add(&t, "units.tsv", "x", 1, &errline), 1);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[8192];
		FILE *f;
		char *buf;
		long n;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		f = fopen(path, "rb");
		CHECK(f != NULL, "%s", path);
		if (!f)
			break;
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		fseek(f, 0, SEEK_SET);
		buf = malloc((size_t)n + 1);
		if (fread(buf, 1, (size_t)n, f) != (size_t)n)
			n = 0;
		fclose(f);
		if (i + 1 < sizeof(names) / sizeof(names[0])) {
			CHECK_INT(reg_tables_check(t, &missing), EXT_EDATA);
		}
		rc = reg_tables_add(&t, names[i], buf, (size_t)n, &errline);
		CHECK(rc == 0, "%s line %zu: %d", names[i], errline, rc);
		free(buf);
	}
	CHECK_INT(reg_tables_check(t, &missing), 0);
	/* A role for an unknown code: the tables are rebuilt and refused. */
	{
		const char bad[] = "code\trole\n810000\teast\n999999\teast\n";

		rc = reg_tables_add(&t, "region_roles.tsv", bad, strlen(bad),
		                    &errline);
		CHECK_INT(rc, EXT_EDATA);
		CHECK_INT(errline, 3);
		CHECK_INT(reg_tables_check(t, &missing), EXT_EDATA);
	}
	reg_tables_free(&t);
	CHECK(t == NULL);
	reg_tables_free(&t);
}

/* One sentence of 40,000 clauses full of names costs milliseconds. */
static void
test_linear(void)
{
	size_t n = 40000, len, n_m = 0;
	char *text = regtest_repeat(n, &len);
	struct arena *ar = exi_ar_new();
	struct sent s = { 0, len };
	struct mention *m;
	clock_t t0;
	double secs;

	t0 = clock();
	CHECK_INT(reg_find(rt, text, len, &s, 1, ar, &m, &n_m), 0);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK_INT(n_m, 5 * n); /* three divisions, two halves of 粤桂 */
	/* Reported, not asserted (see pairing_test.c). */
	printf("region: 40,000 clauses in %.3f s\n", secs);
	exi_ar_destroy(&ar);
	free(text);
}

int
main(void)
{
	struct extload el;
	char err[512];

	if (extload_open(&el, NULL, "", err, sizeof(err)) != 0) {
		fprintf(stderr, "region_test: %s\n", err);
		return 1;
	}
	rt = el.tables->reg;
	test_find();
	test_main();
	test_by_code();
	test_tables(el.data_dir);
	test_linear();
	extload_close(&el);
	return test_done("region_test");
}
