/* flow_test.c - aid flows (flow.c) and the year of figures (year.c) through
 * ext_extract() with the real tables, on sentences written for the test
 * (invented amounts; places other than the evaluation pages'): which money
 * is a flow, its two sides, its year, once per article, part_of. */
#include "extload.h"
#include "extract.h"
#include "extract_int.h"
#include "test.h"

static struct extload el;

static struct ext_result *
run(const char *text)
{
	struct ext_result *res = NULL;
	struct ext_options opt = { NULL, 0, true };
	int rc = ext_extract(el.tables, text, strlen(text), &opt, &res, NULL);

	CHECK(rc == 0, "ext_extract(%s) = %d", text, rc);
	return rc == 0 ? res : NULL;
}

/* The flow of the given value (yuan), or NULL. */
static const struct ext_flow *
flow_of(const struct ext_result *res, double value)
{
	for (size_t i = 0; res && i < res->n_flows; i++)
		if (ext_decimal_double(res->flows[i].value) == value)
			return &res->flows[i];
	return NULL;
}

static const struct ext_figure *
figure_of(const struct ext_result *res, const char *text)
{
	for (size_t i = 0; res && i < res->n_figures; i++)
		if (!strcmp(res->figures[i].text, text))
			return &res->figures[i];
	return NULL;
}

/* Checks one flow: helper and recipient names (NULL: null), year (0:
 * null); category when cat is not NULL. */
static void
want_flow(const char *text, double value, const char *helper,
          const char *recipient, int year, const char *cat)
{
	struct ext_result *res = run(text);
	const struct ext_flow *f = flow_of(res, value);

	CHECK(f != NULL, "no flow of %.0f in %s", value, text);
	if (f) {
		CHECK_STR(f->helper, helper, "helper in %s", text);
		CHECK_STR(f->recipient, recipient, "recipient in %s", text);
		CHECK_INT(f->year, year, "year in %s", text);
		if (cat)
			CHECK_STR(f->category, cat, "category in %s", text);
		CHECK(f->rule != NULL);
	}
	ext_result_destroy(&res);
}

static void
want_none(const char *text, double value)
{
	struct ext_result *res = run(text);

	CHECK(res && !flow_of(res, value), "a flow of %.0f in %s", value, text);
	if (res) {
		bool noted = false;

		/* the analyst can read why */
		for (size_t i = 0; i < res->n_notes; i++)
			noted |= !strcmp(res->notes[i].stage, "refused");
		CHECK(noted, "no refusal note in %s", text);
	}
	ext_result_destroy(&res);
}

#define DATED "发布时间:2021-05-06\n"

/* Which money: the four categories, and what is no flow. */
static void
test_which_money(void)
{
	want_flow("2018年,浙江省向四川省投入财政帮扶资金3.5亿元。", 3.5e8,
	          "浙江省", "四川省", 2018, "fiscal_aid");
	want_flow("2018年,浙江省社会各界向四川省捐款捐物7600万元。", 7.6e7,
	          "浙江省", "四川省", 2018, "social_aid");
	want_flow("2018年,浙江省帮助采购四川省农产品4.2亿元。", 4.2e8, "浙江省",
	          "四川省", 2018, "consumption");
	want_flow("2018年,浙江省引导企业到四川省投资,到位投资16亿元。", 1.6e9,
	          "浙江省", "四川省", 2018, "investment");
	/* increases, plans, pledges, rates, own economy, project size */
	want_none("2018年,浙江省向四川省投入财政帮扶资金3.5亿元,同比增加1.3亿元"
	          "。",
	          1.3e8);
	want_none("浙江省计划明年向四川省投入帮扶资金9亿元。", 9e8);
	want_none("浙江省与四川省签约项目12个,签约金额27亿元。", 2.7e9);
	want_none("浙江省向四川省投入帮扶资金,每户补助资金3000元。", 3000);
	want_none("四川省地区生产总值达到480亿元。", 4.8e10);
	want_none("浙江省在四川省援建项目8个,总投资6.6亿元。", 6.6e8);
	want_none("两地签订协议,约定明年采购农产品不少于6000万元。", 6e7);
	want_none("2019年,浙江省采购四川省农产品3.3亿元,比去年多出1.1亿元。",
	          1.1e8);
	/* the recipient spending its own money */
	want_none("四川省投入本级财政资金21亿元用于农村公路。", 2.1e9);
	/* parts told apart by their use */
	want_none(
	    "浙江省帮扶资金投入道路建设1.1亿元、投入学校2.2亿元,分别占帮扶"
	    "资金总数的20%和40%。",
	    1.1e8);
}

/* The two sides, at the level the sentence names them. */
static void
test_sides(void)
{
	/* a group is null; society of a named place is that place */
	want_flow("2019年,社会各界向贵州省捐款1.8亿元。", 1.8e8, NULL, "贵州省",
	          2019, "social_aid");
	/* several named units sharing one amount: the smallest division */
	want_flow("2019年,浙江省向甘孜州、阿坝州投入财政援助资金5.5亿元。",
	          5.5e8, "浙江省", "四川省", 2019, NULL);
	/* units in different provinces: null */
	want_flow("2019年,北京市、上海市向贵州省投入财政援助资金8.8亿元。",
	          8.8e8, NULL, "贵州省", 2019, NULL);
	/* a counted group placed nowhere is null */
	want_flow("2019年,浙江省向12个贫困县投入财政援助资金2.9亿元。", 2.9e8,
	          "浙江省", NULL, 2019, NULL);
	/* a province written before its prefecture names the prefecture */
	want_flow("2019年,杭州市向四川甘孜州投入协作资金6100万元。", 6.1e7,
	          "杭州市", "甘孜藏族自治州", 2019, NULL);
	/* the subject carried over from the sentence before */
	want_flow("湖州市围绕产业合作做了大量工作。五年来,累计拨付财政援助资金"
	          "6.8亿元。",
	          6.8e8, "湖州市", NULL, 0, NULL);
	/* a side not named: the article's, when its pairings nest */
	want_flow("浙江省对口帮扶四川省。2019年,投入财政帮扶资金7.7亿元。",
	          7.7e8, "浙江省", "四川省", 2019, NULL);
	/* the helper of a pair abbreviation, the county named in full */
	want_flow("2019年,白玉县小学由浙川协作资金投入260万元。", 2.6e6,
	          "浙江省", "白玉县", 2019, NULL);
	/* a place written into an organisation's name is part of it */
	want_flow("2019年,广东温氏集团向百色市捐赠资金700万元。", 7e6,
	          "广东温氏集团", "百色市", 2019, "social_aid");
	/* a ministry's money for counties at large is no flow */
	want_none("2019年,交通运输部向全国贫困县安排车购税资金900亿元。", 9e10);
}

/* Rules that read the whole article or the words around a name. */
static void
test_article(void)
{
	/* a counted group is the division the article placed it in */
	want_flow(
	    "2020年,福建省帮扶范围覆盖宁夏全部9个贫困县。福建省全年采购9个"
	    "贫困县农特产品2.3亿元。",
	    2.3e8, "福建省", "宁夏回族自治区", 2020, "consumption");
	/* the subject mobilised society: the subject gave */
	want_flow("2020年,福州市引导社会各界捐资捐物3.7亿元。", 3.7e8, "福州市",
	          NULL, 2020, "social_aid");
	/* a model named after 学习 is no side */
	want_flow(
	    "福建省对口帮扶宁夏回族自治区。学习浙江经验,2020年投入财政援助"
	    "资金8.1亿元。",
	    8.1e8, "福建省", "宁夏回族自治区", 2020, NULL);
	/* an office named after a place is no side */
	want_flow(
	    "记者从贵州省政府新闻办获悉,2020年广州市向黔南州投入财政援助资金"
	    "5.9亿元。",
	    5.9e8, "广州市", "黔南布依族苗族自治州", 2020, NULL);
	/* no helper named and only generic money words: no flow */
	want_none(
	    "福建省对口帮扶宁夏回族自治区。2020年,投资1.9亿元建设农村电网。",
	    1.9e8);
	/* ... aid wording makes it the article's helper's */
	want_flow(
	    "福建省对口帮扶宁夏回族自治区。2020年,安排财政援助资金1.8亿元。",
	    1.8e8, "福建省", "宁夏回族自治区", 2020, NULL);
	/* a unit's recipients all over the country: no article recipient */
	want_flow(
	    "中国建筑定点帮扶甘肃省康乐县。中国建筑在新疆、西藏、青海、云南"
	    "等地实施项目。2020年,中国建筑投入帮扶资金1.6亿元。",
	    1.6e8, "中国建筑", NULL, 2020, "social_aid");
}

/* The year rules. */
static void
test_years(void)
{
	want_flow(DATED "今年,浙江省向四川省投入财政帮扶资金4.1亿元。", 4.1e8,
	          "浙江省", "四川省", 2021, NULL);
	want_flow(DATED "去年,浙江省向四川省投入财政帮扶资金4.2亿元。", 4.2e8,
	          "浙江省", "四川省", 2020, NULL);
	want_flow(DATED "今年以来,浙江省向四川省投入财政帮扶资金4.3亿元。",
	          4.3e8, "浙江省", "四川省", 2021, NULL);
	/* 今年 without a date: null */
	want_flow("今年,浙江省向四川省投入财政帮扶资金4.4亿元。", 4.4e8,
	          "浙江省", "四川省", 0, NULL);
	/* 同年: the last year named */
	want_flow("2017年,两省召开联席会议3次。同年,浙江省向四川省投入财政帮扶"
	          "资金4.5亿元。",
	          4.5e8, "浙江省", "四川省", 2017, NULL);
	/* X年以来 in a later year, 累计 over years, N年来, 期间, 截至 */
	want_flow(DATED "2016年以来,浙江省向四川省投入财政帮扶资金4.6亿元。",
	          4.6e8, "浙江省", "四川省", 0, NULL);
	want_flow(DATED "2021年以来,浙江省向四川省投入财政帮扶资金4.7亿元。",
	          4.7e8, "浙江省", "四川省", 2021, NULL);
	want_flow("三年来,浙江省向四川省投入财政帮扶资金4.8亿元。", 4.8e8,
	          "浙江省", "四川省", 0, NULL);
	want_flow("截至2019年底,浙江省向四川省累计投入财政帮扶资金4.9亿元。",
	          4.9e8, "浙江省", "四川省", 0, NULL);
	want_flow("“十三五”期间,浙江省向四川省投入财政帮扶资金5.1亿元。", 5.1e8,
	          "浙江省", "四川省", 0, NULL);
	/* 累计 within one named year is that year */
	want_flow("2018年,浙江省向四川省累计投入财政帮扶资金5.2亿元。", 5.2e8,
	          "浙江省", "四川省", 2018, NULL);
	/* a year that dates something else (a building) dates no money */
	want_flow("浙江省对口帮扶四川省。2015年建成的白玉县小学由浙江省帮扶资金"
	          "投入270万元。",
	          2.7e6, "浙江省", "白玉县", 0, NULL);
	/* clauses joined by ';' keep the year of the first */
	want_flow("仅2019年,浙江省投入四川省财政帮扶资金5.3亿元;浙江省社会各界"
	          "捐款捐物5.4亿元。",
	          5.4e8, "浙江省", "四川省", 2019, NULL);
}

/* Figures get the same years; the publication year is no default. */
static void
test_figure_years(void)
{
	struct ext_result *res = run(
	    DATED "两地去年培训1200人。贫困人口由2014年的15万人减少到2019年的"
	          "3000人。\n四川省共有贫困村650个。");
	const struct ext_figure *f;

	f = figure_of(res, "1200人");
	CHECK(f && f->year == 2020);
	f = figure_of(res, "15万人");
	CHECK(f && f->year == 2014);
	f = figure_of(res, "3000人");
	CHECK(f && f->year == 2019);
	f = figure_of(res, "650个");
	CHECK(f && f->year == 0, "no year named: null, not 2021");
	ext_result_destroy(&res);
}

/* Once per article; part_of; a total split by helper is no flow. */
static void
test_once(void)
{
	struct ext_result *res;
	const struct ext_flow *f;

	/* a title and the body state one fact */
	res =
	    run("浙江省向四川省投入帮扶资金6.2亿元\n\n2019年,浙江省向四川省投入"
	        "财政帮扶资金6.2亿元。");
	CHECK(res && res->n_flows == 1, "%zu flows", res ? res->n_flows : 0);
	ext_result_destroy(&res);

	/* 其中: a part with other sides is a flow with part_of */
	res =
	    run("2019年,浙江省向四川省投入财政帮扶资金10亿元,其中杭州市向甘孜州"
	        "投入3亿元。");
	f = flow_of(res, 3e8);
	CHECK(f && f->part_of == 0 && f->helper &&
	      !strcmp(f->helper, "杭州市"));
	CHECK(flow_of(res, 1e9) != NULL);
	ext_result_destroy(&res);
	/* ... a part by its use only is none */
	res =
	    run("2019年,浙江省向四川省投入财政帮扶资金10亿元,其中用于教育的资金"
	        "2亿元。");
	CHECK(res && flow_of(res, 1e9) && !flow_of(res, 2e8));
	ext_result_destroy(&res);

	/* a total split completely by helper: its parts only */
	res = run(
	    "截至2018年,三省市对口支援四川省资金超过9亿元。北京市援助资金4亿"
	    "元;上海市援助资金3亿元;天津市援助资金2.5亿元。");
	CHECK(res && !flow_of(res, 9e8));
	f = flow_of(res, 4e8);
	CHECK(f && f->helper && !strcmp(f->helper, "北京市"));
	CHECK(flow_of(res, 2.5e8) != NULL);
	ext_result_destroy(&res);
}

/* No crash and linear work on many amounts in one sentence. */
static void
test_long(void)
{
	const char *cl = "杭州市向甘孜州投入帮扶资金1.5亿元,";
	size_t n = 3000, l = strlen(cl);
	char *text = malloc(l * n + 4);
	struct ext_result *res;

	if (!text)
		abort();
	for (size_t i = 0; i < n; i++)
		memcpy(text + i * l, cl, l);
	memcpy(text + l * n, "。", 4);
	res = run(text);
	/* one fact told 3000 times is one flow */
	CHECK(res && res->n_flows == 1, "%zu flows", res ? res->n_flows : 0);
	ext_result_destroy(&res);
	free(text);
}

int
main(void)
{
	char err[512];

	if (extload_open(&el, NULL, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "extload: %s\n", err);
		return 1;
	}
	test_which_money();
	test_sides();
	test_article();
	test_years();
	test_figure_years();
	test_once();
	test_long();
	extload_close(&el);
	return test_done("flow");
}
