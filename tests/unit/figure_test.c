/* figure_test.c - fig_find() on sentences: value, unit, approx, metric,
 * category, year and byte offsets; the data files' errors; and that huge
 * inputs stay linear. Every sentence here is written for the test. */
#include "figtest.h"

#include <time.h>

static struct fig_tables *ft;

struct want {
	const char *text;
	const char *fig_text; /* the figure's span */
	const char *value, *unit;
	bool approx;
	const char *metric; /* NULL: not checked */
	const char *category;
	int year;
};

static const struct want cases[] = {
	{ "2021年,东部省市向西部投入财政援助资金3.5亿元。", "3.5亿元",
	  "350000000", "元", false, "财政援助资金", "fiscal_aid", 2021 },
	{ "社会各界捐款1200万元。", "1200万元", "12000000", "元", false,
	  "社会各界捐款", "social_aid", 2019 },
	{ "企业通过慈善总会募集资金800万元。", "800万元", "8000000", "元",
	  false, NULL, "social_aid", 2019 },
	{ "引进企业46家,到位投资12.5亿元。", "46家", "46", "家", false, "企业",
	  "enterprises", 2019 },
	{ "引进企业46家,到位投资12.5亿元。", "12.5亿元", "1250000000", "元",
	  false, "到位投资", "investment", 2019 },
	{ "实施产业项目88个。", "88个", "88", "个", false, "产业项目",
	  "projects", 2019 },
	{ "帮助销售农畜产品5.6亿元。", "5.6亿元", "560000000", "元", false,
	  NULL, "consumption", 2019 },
	{ "帮助2.3万名农村劳动力实现转移就业。", "2.3万名", "23000", "人",
	  false, "农村劳动力", "employment", 2019 },
	{ "举办技能培训班36期,培训4200人次。", "36期", "36", "期", false,
	  "技能培训班", "training", 2019 },
	{ "举办技能培训班36期,培训4200人次。", "4200人次", "4200", "人次",
	  false, "培训", "training", 2019 },
	{ "选派挂职干部58名。", "58名", "58", "人", false, "挂职干部",
	  "personnel", 2019 },
	/* 单 counts orders; 单元 (units of a building) is its own word. */
	{ "电商平台日均接单1200单左右。", "1200单左右", "1200", "单", true,
	  NULL, "other", 2019 },
	{ "新建安置房12单元。", "12单元", "12", "单元", false, NULL, "other",
	  2019 },
	{ "带动贫困人口3.2万人增收。", "3.2万人", "32000", "人", false, NULL,
	  "population", 2019 },
	{ "改造危房1.8万户。", "1.8万户", "18000", "户", false, "改造危房",
	  "infrastructure", 2019 },
	{ "新建村道126.4公里。", "126.4公里", "126.4", "公里", false, NULL,
	  "infrastructure", 2019 },
	{ "资助困难学生2600人次。", "2600人次", "2600", "人次", false, NULL,
	  "education_health", 2019 },
	{ "东部12个区县与西部15个县建立结对关系。", "12个", "12", "个", false,
	  NULL, "pairing_count", 2019 },
	{ "东部12个区县与西部15个县建立结对关系。", "15个", "15", "个", false,
	  NULL, "pairing_count", 2019 },
	{ "协作资金占全省财政支出的12%。", "12%", "12", "%", false, NULL,
	  "share", 2019 },
	{ "农民收入同比增长9.5%。", "9.5%", "9.5", "%", false, NULL, "growth",
	  2019 },
	{ "召开联席会议3次。", "3次", "3", "次", false, "联席会议", "other",
	  2019 },
	{ "今年新增小学学位1200个。", "1200个", "1200", "个", false, NULL,
	  "education_health", 2019 },
	{ "医疗队新开展诊疗技术15项。", "15项", "15", "项", false, NULL,
	  "education_health", 2019 },
	{ "已完成年度计划的86%。", "86%", "86", "%", false, NULL, "share",
	  2019 },
	/* a figure's own clause outranks the rest of its sentence */
	{ "向受援县投入财政资金2亿元,引进企业30家。", "30家", "30", "家", false,
	  NULL, "enterprises", 2019 },
	/* 其中 continues the clause before it */
	{ "帮助1.2万人实现就业,其中脱贫人口8000人。", "8000人", "8000", "人",
	  false, NULL, "employment", 2019 },
	/* approximations keep their word in the span */
	{ "全年接待游客超过10万人次。", "超过10万人次", "100000", "人次", true,
	  NULL, "other", 2019 },
	{ "累计销售3600多万元。", "3600多万元", "36000000", "元", true, NULL,
	  "consumption", 2019 },
	{ "新增就业岗位2000个以上。", "2000个以上", "2000", "个", true,
	  "就业岗位", "employment", 2019 },
	/* nouns give the unit after 万 */
	{ "带动8.6万建档立卡贫困人口脱贫。", "8.6万", "86000", "人", false,
	  "建档立卡贫困人口", "population", 2019 },
	/* the sentence's own year beats the article's */
	{ "截至2022年底,累计培训1万人。", "1万人", "10000", "人", false, NULL,
	  "training", 2022 },
	{ "百分之八十的村通了公路。", "百分之八十", "80", "%", false, NULL,
	  "infrastructure", 2019 },
	/* a change right before the figure is growth, whatever changed; a
	 * level reached (增长到, 降至) is not */
	{ "全市消费帮扶金额同比增加了3.2亿元。", "3.2亿元", "320000000", "元",
	  false, NULL, "growth", 2019 },
	{ "协作资金比上年增长4500万元。", "4500万元", "45000000", "元", false,
	  NULL, "growth", 2019 },
	{ "全县贫困人口减少1.4万人。", "1.4万人", "14000", "人", false, NULL,
	  "growth", 2019 },
	{ "帮扶资金从2亿元增长到6亿元。", "6亿元", "600000000", "元", false,
	  NULL, "fiscal_aid", 2019 },
	{ "该旗贫困发生率由16.2%降至0.3%。", "16.2%", "16.2", "%", false, NULL,
	  "share", 2019 },
	{ "该旗贫困发生率由16.2%降至0.3%。", "0.3%", "0.3", "%", false, NULL,
	  "share", 2019 },
	{ "自来水覆盖率从60%提高到95%。", "95%", "95", "%", false, NULL,
	  "share", 2019 },
	{ "贫困发生率下降了4个百分点。", "4个百分点", "4", "百分点", false,
	  NULL, "growth", 2019 },
	/* the region's own economy is no aid, even with 投资 in it */
	{ "地区生产总值从40亿元增长到135亿元。", "40亿元", "4000000000", "元",
	  false, NULL, "other", 2019 },
	{ "全社会固定资产投资达到58亿元。", "58亿元", "5800000000", "元", false,
	  NULL, "other", 2019 },
	/* money with no other word is aid; brought-in money is investment */
	{ "五年来对方投入资金9.6亿元。", "9.6亿元", "960000000", "元", false,
	  NULL, "fiscal_aid", 2019 },
	{ "累计投入援疆资金21亿元。", "21亿元", "2100000000", "元", false, NULL,
	  "fiscal_aid", 2019 },
	{ "帮助引进各类资金4.2亿元。", "4.2亿元", "420000000", "元", false,
	  NULL, "investment", 2019 },
	/* buying the helped area's goods is consumption, next to donations */
	{ "动员职工捐赠300万元,购买山区农产品900万元。", "900万元", "9000000",
	  "元", false, NULL, "consumption", 2019 },
	{ "签订消费帮扶协议12个,签约额1.3亿元。", "1.3亿元", "130000000", "元",
	  false, NULL, "consumption", 2019 },
	{ "签订消费帮扶协议12个,签约额1.3亿元。", "12个", "12", "个", false,
	  NULL, "consumption", 2019 },
	{ "双方现场签订4份合作协议。", "4份", "4", "份", false, NULL, "other",
	  2019 },
	/* helped places of a designated helper are pairings */
	{ "该集团在5个定点扶贫县开展劳务培训。", "5个", "5", "个", false, NULL,
	  "pairing_count", 2019 },
	{ "全系统18家单位承担312个村的帮扶任务。", "312个", "312", "个", false,
	  NULL, "pairing_count", 2019 },
	/* people: sent, treated, employed, helped, honoured */
	{ "两年选派专业技术人员260人次。", "260人次", "260", "人次", false,
	  NULL, "personnel", 2019 },
	{ "专家团队已接诊患者5200人次,开展培训12场。", "5200人次", "5200",
	  "人次", false, NULL, "education_health", 2019 },
	{ "车间共有员工85人。", "85人", "85", "人", false, NULL, "employment",
	  2019 },
	{ "项目惠及周边农牧民4000余人。", "4000余人", "4000", "人", true, NULL,
	  "population", 2019 },
	{ "全州共有贫困村620个、贫困群众18.6万人。", "18.6万人", "186000", "人",
	  false, NULL, "population", 2019 },
	{ "两市共有3.1万人。", "3.1万人", "31000", "人", false, NULL,
	  "population", 2019 },
	{ "大会表彰了75名先进个人。", "75名", "75", "人", false, NULL, "other",
	  2019 },
	/* works built, distances */
	{ "三年建成40多处集中供水工程。", "40多处", "40", "处", true, NULL,
	  "infrastructure", 2019 },
	{ "新建的卫生院建筑面积2400平方米。", "2400平方米", "2400", "平方米",
	  false, NULL, "infrastructure", 2019 },
	{ "他们来自900多公里外的山村。", "900多公里", "900", "公里", true, NULL,
	  "other", 2019 },
	{ "两县新建光伏电站两座,总装机4万千瓦,与结对村共享收益。", "两座", "2",
	  "座", false, NULL, "infrastructure", 2019 },
	{ "销售农产品3亿元,是上年的1.8倍。", "1.8倍", "1.8", "倍", false, NULL,
	  "growth", 2019 },
	{ "入驻企业为当地新增就业岗位2600个。", "2600个", "2600", "个", false,
	  NULL, "employment", 2019 },
	{ "镇村结成帮扶对子,投入资金50万元建设冷链设施一座。", "一座", "1",
	  "座", false, NULL, "infrastructure", 2019 },
	{ "该旗获得帮扶资金2.3亿元,比上年多1.1亿元。", "1.1亿元", "110000000",
	  "元", false, NULL, "growth", 2019 },
	{ "农民人均可支配收入1.3万元,消费帮扶带动销售。", "1.3万元", "13000",
	  "元", false, NULL, "other", 2019 },
	{ "合作社借助消费帮扶实现销售收入860万元。", "860万元", "8600000", "元",
	  false, NULL, "consumption", 2019 },
	{ "新村位于海拔2800米的山腰。", "2800米", "2800", "米", false, NULL,
	  "other", 2019 },
	{ "该村距离县城45公里。", "45公里", "45", "公里", false, NULL, "other",
	  2019 },
	{ "全村有三百多户。", "三百多户", "300", "户", true, NULL, "population",
	  2019 },
	{ "两市相隔3000里山河。", "3000里", "3000", "里", false, NULL, "other",
	  2019 },
	{ "其中65%用于村级产业。", "65%", "65", "%", false, NULL, "share",
	  2019 },
};

static void
test_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct want *w = &cases[i];
		struct arena *ar = exi_ar_new();
		size_t n = 0, j;
		struct ext_figure *f = figtest_run(ft, w->text, 2019, ar, &n);
		char num[48];

		for (j = 0; j < n; j++)
			if (!strcmp(f[j].text, w->fig_text))
				break;
		CHECK(j < n, "no figure %s in %s", w->fig_text, w->text);
		if (j == n) {
			exi_ar_destroy(&ar);
			continue;
		}
		CHECK_STR(ext_decimal_str(f[j].value, num), w->value);
		CHECK_STR(f[j].unit, w->unit);
		CHECK(f[j].approx == w->approx, "approx of %s", w->fig_text);
		if (w->metric)
			CHECK_STR(f[j].metric, w->metric);
		CHECK_STR(f[j].category, w->category);
		CHECK_INT(f[j].year, w->year);
		CHECK(!memcmp(w->text + f[j].start, w->fig_text,
		              strlen(w->fig_text)) &&
		          f[j].end - f[j].start == strlen(w->fig_text),
		      "offsets of %s", w->fig_text);
		CHECK_INT(f[j].sentence, 0);
		CHECK_INT(f[j].pairing, -1);
		exi_ar_destroy(&ar);
	}
}

/* fig_find appends, works on a sentence inside a longer text, and gives
 * offsets into the whole text. */
static void
test_offsets(void)
{
	const char *text = "前言。投入资金5亿元,建成学校3所。后记8个。";
	struct arena *ar = exi_ar_new();
	struct vec v = VEC_INIT(struct ext_figure);
	struct sent s = { strlen("前言。"), strlen("前言。投入资金5亿元,"
		                                   "建成学校3所。") };
	struct ext_figure *f;

	CHECK_INT(fig_find(ft, text, strlen(text), &s, 4, 2018, ar, &v), 0);
	CHECK_INT(v.n, 2);
	f = v.p;
	CHECK_INT(f[0].start, strlen("前言。投入资金"));
	CHECK_INT(f[0].end, strlen("前言。投入资金5亿元"));
	CHECK_INT(f[1].sentence, 4);
	CHECK_INT(f[1].year, 2018);
	CHECK_STR(f[1].text, "3所");
	s.b1 = strlen(text) + 1;
	CHECK_INT(fig_find(ft, text, strlen(text), &s, 0, 0, ar, &v),
	          EXT_EINVAL);
	exi_vec_free(&v);
	exi_ar_destroy(&ar);
}

static void
test_tables(void)
{
	struct fig_tables *t = NULL;
	const char *missing = NULL;
	size_t line = 0;
	const char bad_kind[] = "# c\n元\t元\tmoney\n名\t人\tpersons\n";
	const char bad_cat[] = "投资\tinvest\t60\tmoney\n";
	const char bad_prio[] = "投资\tinvestment\thigh\tmoney\n";
	const char bad_class[] = "近\tapprox\n";
	const char no_payload[] = "人口\tpeople_noun\n";
	const char none_default[] = "*\t-\t5\tmoney\n";
	const char bad_cat_before[] = "增加\tcategory_before\tmore\n";
	const char ok_units[] = "元\t元\tmoney\r\n年\t-\ttime\n";

	CHECK_INT(fig_tables_add(&t, "other.tsv", "x", 1, &line), 1);
	CHECK_INT(fig_tables_check(t, &missing), EXT_EDATA);
	CHECK_STR(missing, "units.tsv");
	CHECK_INT(fig_tables_add(&t, "units.tsv", bad_kind,
	                         sizeof(bad_kind) - 1, &line),
	          EXT_EDATA);
	CHECK_INT(line, 3);
	CHECK_INT(fig_tables_add(&t, "categories.tsv", bad_cat,
	                         sizeof(bad_cat) - 1, &line),
	          EXT_EDATA);
	CHECK_INT(line, 1);
	CHECK_INT(fig_tables_add(&t, "categories.tsv", bad_prio,
	                         sizeof(bad_prio) - 1, &line),
	          EXT_EDATA);
	CHECK_INT(fig_tables_add(&t, "figure_words.tsv", bad_class,
	                         sizeof(bad_class) - 1, &line),
	          EXT_EDATA);
	CHECK_INT(fig_tables_add(&t, "figure_words.tsv", no_payload,
	                         sizeof(no_payload) - 1, &line),
	          EXT_EDATA);
	/* "-" hides keywords; a default must give a category */
	CHECK_INT(fig_tables_add(&t, "categories.tsv", none_default,
	                         sizeof(none_default) - 1, &line),
	          EXT_EDATA);
	CHECK_INT(fig_tables_add(&t, "figure_words.tsv", bad_cat_before,
	                         sizeof(bad_cat_before) - 1, &line),
	          EXT_EDATA);
	CHECK_INT(line, 1);
	CHECK_INT(fig_tables_add(&t, "units.tsv", "元\t-\tmoney\n", 10, &line),
	          EXT_EDATA);
	CHECK_INT(fig_tables_add(&t, "units.tsv", ok_units,
	                         sizeof(ok_units) - 1, &line),
	          0);
	CHECK_INT(fig_tables_check(t, &missing), EXT_EDATA);
	CHECK_STR(missing, "categories.tsv");
	CHECK_INT(fig_tables_add(&t, "categories.tsv", "", 0, &line), 0);
	CHECK_INT(fig_tables_add(&t, "figure_words.tsv", "", 0, &line), 0);
	CHECK_INT(fig_tables_check(t, &missing), 0);
	{
		/* minimal tables still work: 5元 is a figure, 2019年 not */
		struct arena *ar = exi_ar_new();
		size_t n = 0;
		struct ext_figure *f =
		    figtest_run(t, "2019年投入5元", 0, ar, &n);
		char got[128];

		figtest_format(f, n, got, sizeof(got));
		CHECK_STR(got, "5 元");
		CHECK_STR(f[0].category, "other");
		exi_ar_destroy(&ar);
	}
	fig_tables_free(&t);
	CHECK(t == NULL);
	fig_tables_free(&t);
}

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Builds count copies of piece into a malloc'd string. */
static char *
repeat(const char *piece, size_t count, size_t *len)
{
	size_t pl = strlen(piece);
	char *s = malloc(pl * count + 1);

	for (size_t i = 0; i < count; i++)
		memcpy(s + i * pl, piece, pl);
	s[pl * count] = '\0';
	*len = pl * count;
	return s;
}

static double
time_run(const char *piece, size_t count, size_t want_figs)
{
	size_t len, n;
	char *s = repeat(piece, count, &len);
	struct arena *ar = exi_ar_new();
	double t0 = seconds(), t;

	figtest_run(ft, s, 2020, ar, &n);
	t = seconds() - t0;
	CHECK(n == want_figs, "%zu x %s: %zu figures", count, piece, n);
	exi_ar_destroy(&ar);
	free(s);
	return t;
}

/* Four times the input should cost about four times as much (quadratic
 * would be sixteen). The times are printed, not asserted: at these sizes a
 * quadratic pass runs into ctest's timeout, while a timed assertion would
 * only fail on a busy machine. */
static void
run_big(const char *piece, size_t count, size_t figs_per_piece)
{
	double t1 = time_run(piece, count, count * figs_per_piece);
	double t4 = time_run(piece, 4 * count, 4 * count * figs_per_piece);

	printf("figure: %s x %zu: %.3f s, x4: %.3f s\n", piece, count, t1, t4);
}

/* Linear in the input: no rescans of digit runs, clauses or sentences. */
static void
test_linear(void)
{
	run_big("9", 100000, 0);
	run_big("一", 100000, 0);
	run_big("投入资金3万元,", 40000, 1);
	run_big("3、", 40000, 0);
	run_big("3至", 40000, 0);
	run_big("“", 100000, 0);
	run_big("两市合作,", 40000, 1);
	run_big("5万", 40000, 0);
	run_big("企业结对", 40000, 0);
	run_big("百余", 40000, 0);
	run_big("三县一市,", 40000, 2);
	run_big("同比增加了3亿元,", 40000, 1);
}

int
main(void)
{
	ft = figtest_tables();
	test_cases();
	test_offsets();
	test_tables();
	test_linear();
	fig_tables_free(&ft);
	return test_done("figure_test");
}
