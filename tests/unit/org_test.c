/* org_test.c - pairings with an organisation on one side, from our own
 * sentences: development zones and 兵团 (SPEC rules 12, 13), a news
 * agency's dateline, words that refer back (该集团, a bare 医院), the
 * organisation a passage is about, task lists (承担...的定点扶贫任务),
 * counted designated counties, short forms and the rule names. */
#include "extload.h"
#include "extract.h"
#include "extract_int.h"
#include "reg_int.h"
#include "regtest.h"
#include "test.h"

#include <stdio.h>
#include <time.h>

static const struct reg_tables *rt;

/* Runs the region and pairing stages; the pairings go to out (strings in
 * ar). */
static int
run(const char *text, struct arena *ar, struct vec *out)
{
	return regtest_pairings(rt, text, NULL, ar, out);
}

/* "helper>recipient" joined by " | ", in output order; with rels, each
 * with its relation ("helper>recipient/relation"). */
static void
describe(const char *text, bool rels, char *got, size_t cap)
{
	struct arena *ar = exi_ar_new();
	struct vec out = VEC_INIT(struct ext_pairing);
	size_t k = 0;

	got[0] = '\0';
	if (run(text, ar, &out) != 0)
		snprintf(got, cap, "ERROR");
	for (size_t i = 0; i < out.n; i++) {
		const struct ext_pairing *p = (struct ext_pairing *)out.p + i;
		int w = snprintf(got + k, cap - k, "%s%s>%s%s%s",
		                 k ? " | " : "", p->helper, p->recipient,
		                 rels ? "/" : "", rels ? p->relation : "");

		if (w < 0 || (size_t)w >= cap - k)
			break;
		k += (size_t)w;
	}
	exi_vec_free(&out);
	exi_ar_destroy(&ar);
}

struct tcase {
	const char *text, *want;
};

static void
check_cases(const struct tcase *cases, size_t n, bool rels)
{
	char got[2048];

	for (size_t i = 0; i < n; i++) {
		describe(cases[i].text, rels, got, sizeof(got));
		CHECK_STR(got, cases[i].want);
	}
}

/* SPEC rules 12, 13: zones are sides with no code, named as written with
 * a province before the city dropped; their side is that of the division
 * their name holds or they are listed with. */
static void
test_zones(void)
{
	static const struct tcase cases[] = {
		{ "2020年海珠区、高新区累计帮扶黔南州荔波县500万元。",
		  "海珠区>黔南布依族苗族自治州/east_west | "
		  "高新区>黔南布依族苗族自治州/east_west | "
		  "海珠区>荔波县/east_west | "
		  "高新区>荔波县/east_west" },
		{ "浙江省宁波市经济技术开发区对口帮扶延边州和龙市。",
		  "宁波市经济技术开发区>延边朝鲜族自治州/east_west | "
		  "宁波市经济技术开发区>和龙市/east_west" },
		/* 新疆 inside the name is no recipient of its own. */
		{ "江苏省对口支援新疆生产建设兵团第四师。",
		  "江苏省>新疆生产建设兵团/east_west" },
		/* Listed with a division, a zone is a recipient of its own;
		 * the list does not lend the zone's suffix to the division. */
		{ "深圳市对口支援喀什地区、喀什经济开发区。",
		  "深圳市>喀什地区/other | "
		  "深圳市>喀什经济开发区/east_west" },
		/* Alone, the site of a project: its division (rules 10, 12). */
		{ "广州市帮扶毕节市经济开发区建设产业园。",
		  "广州市>毕节市/east_west" },
		{ "苏州工业园区对口帮扶铜仁市碧江区。",
		  "苏州工业园区>铜仁市/east_west | "
		  "苏州工业园区>碧江区/east_west" },
		{ "广州市在毕节市工业园区援建扶贫车间。",
		  "广州市>毕节市/east_west" },
		/* 兵团 is helped in its own right, with its division's city. */
		{ "东莞市对口支援新疆生产建设兵团第三师图木舒克市。",
		  "东莞市>新疆生产建设兵团/east_west | "
		  "东莞市>图木舒克市/other" },
		/* A bare 开发区 is no name. */
		{ "开发区对口帮扶延边州和龙市。", "" },
	};

	check_cases(cases, sizeof(cases) / sizeof(cases[0]), true);
}

static void
test_refer_back(void)
{
	static const struct tcase cases[] = {
		/* 该集团: the group named before. */
		{ "中国电信积极参与脱贫攻坚。该集团援建了凉山州布拖县的通信基站"
		  "。",
		  "中国电信>凉山彝族自治州 | 中国电信>布拖县" },
		/* A bare 医院 opening a clause: the hospital named before. */
		{ "北京积水潭医院院长介绍,多年来,医院对口帮扶赤峰市林西县。",
		  "北京积水潭医院>赤峰市 | 北京积水潭医院>林西县" },
		/* 该校 names a university too. */
		{ "广西大学关注民生。该校派出30名教师到那坡县支教。",
		  "广西大学>那坡县" },
		/* A short form after its full name is named by it. */
		{ "中国农业银行定点帮扶湖北省大悟县。农行还援建了四川省兴文县的"
		  "学"
		  "校。",
		  "中国农业银行>大悟县 | 中国农业银行>兴文县" },
		/* Also when the full name comes later. */
		{ "中石化定点帮扶湖南省凤凰县。中国石化还帮扶了安徽省岳西县。",
		  "中国石化>凤凰县 | 中国石化>岳西县" },
		/* Alone, the short form stays as written. */
		{ "中石化定点帮扶湖南省凤凰县。", "中石化>凤凰县" },
		/* 援建 before 宁夏 is no 建宁. */
		{ "国家能源集团关注民生。该集团累计投入资金2亿元援建宁夏回族自"
		  "治区"
		  "同心县的扶贫车间。",
		  "国家能源集团>同心县" },
		/* A province before a unit's name goes (SPEC rule 13); a
		 * unit found by its suffix starts a longer name. */
		{ "浙江大学医学院附属第一医院对口帮扶贵州省台江县人民医院。",
		  "浙江大学医学院附属第一医院>台江县人民医院" },
		/* A province-level city before a name stays (北京, 上海), as
		 * does a province before a place outside it. */
		{ "上海瑞金医院对口支援喀什地区第一人民医院。",
		  "上海瑞金医院>喀什地区第一人民医院" },
		{ "南方医科大学南方医院组团式帮扶西藏林芝市人民医院。",
		  "南方医科大学南方医院>林芝市人民医院" },
		/* A unit's team stationed in a place (SPEC rule 7). */
		{ "国家电网驻黄平县扶贫工作队走访贫困户。", "国家电网>黄平县" },
		{ "国家电网驻黄平县的员工走访贫困户。", "" },
		/* A unit that sends its people to places helps them. */
		{ "北京积水潭医院选派3名医生到赤峰市林西县、克什克腾旗。",
		  "北京积水潭医院>赤峰市 | 北京积水潭医院>林西县 | "
		  "北京积水潭医院>克什克腾旗" },
		{ "北京积水潭医院介绍,多年来,医院派驻林西县的专家开展义诊。",
		  "北京积水潭医院>林西县" },
		/* A unit serving the poor households of a place helps it. */
		{ "福建某某食品有限公司落户当地。该公司对会宁县贫困户开展20场养"
		  "殖"
		  "培训。",
		  "福建某某食品有限公司>会宁县" },
		/* Nor for a unit that only guides. */
		{ "在国家乡村振兴局的指导下,企业对会宁县农户开展培训。", "" },
		/* Not when a division is the sentence's helper. */
		{ "杭州市干部对会宁县贫困户开展培训。", "" },
		/* Staff of a division: nothing. */
		{ "深圳挂职干部在毕节市工作。", "" },
		/* A news agency's dateline names no helper. */
		{ "新华社昆明3月2日电 上海市援建的红河州医院投入使用。",
		  "上海市>红河哈尼族彝族自治州" },
	};

	check_cases(cases, sizeof(cases) / sizeof(cases[0]), false);
}

static void
test_subject(void)
{
	static const struct tcase cases[] = {
		/* The organisation the passage is about helps where a clause
		 * with no helper says so. */
		{ "国家开发银行定点帮扶甘肃省会宁县。2019年,"
		  "援建甘肃省环县的学校,"
		  "已见成效。",
		  "国家开发银行>会宁县 | 国家开发银行>环县" },
		/* Only a unit the article has shown helping: one named in
		 * passing is no subject. */
		{ "华为在贵安新区建设数据中心。2020年,援建黔南州的学校。", "" },
		/* A division named as a helper since ends it (and is the
		 * subject carried into the next sentence). */
		{ "国家开发银行定点帮扶会宁县。杭州市积极参与东西部协作。2019年"
		  ","
		  "援建环县的学校。",
		  "国家开发银行>会宁县 | 杭州市>环县" },
		/* The unit of the clause before, with no cue of its own. */
		{ "中国华电:定点帮扶贵州省黄平县十年", "中国华电>黄平县" },
		{ "中国移动四川公司关注民生。公司累计投入资金5000万元,"
		  "援建昭觉县的"
		  "学校。",
		  "中国移动四川公司>昭觉县" },
		/* Places named as a unit's designated counties. */
		{ "罗甸县是国投集团定点帮扶县。", "国投集团>罗甸县" },
		{ "合水县、罗甸县作为国投集团的定点扶贫县,发展迅速。",
		  "国投集团>罗甸县 | 国投集团>合水县" },
		/* A cue after the places is a noun (协作县区), not a verb; the
		 * subject sending people there (向Y派出) helps Y. */
		{ "中国移动帮扶康乐县。向临夏州等协作县区派出人员。",
		  "中国移动>康乐县 | 中国移动>临夏回族自治州" },
		/* A unit that guides is not the actor; a division helper in
		 * the sentence is the subject. */
		{ "按照国家乡村振兴局的部署,两省开展协作。2019年,"
		  "定点帮扶百色市田东"
		  "县。",
		  "" },
		{ "按照国家乡村振兴局部署,"
		  "广东省与广西壮族自治区开展扶贫协作。2019年,"
		  "援建百色市的项目全部完工。",
		  "广东省>广西壮族自治区 | 广东省>百色市" },
		/* Too many sentences later, no longer the subject. */
		{ "国家开发银行定点帮扶会宁县。甲。乙。丙。丁。戊。己。援建环县"
		  "的"
		  "学校。",
		  "国家开发银行>会宁县" },
		/* A clause of places only goes on with the list before. */
		{ "国家乡村振兴局定点帮扶广西罗城县、环江县,贵州雷山县。",
		  "国家乡村振兴局>罗城仫佬族自治县 | "
		  "国家乡村振兴局>环江毛南族自治"
		  "县 | 国家乡村振兴局>雷山县" },
		/* With other words it is a statement of its own. */
		{ "国家乡村振兴局定点帮扶广西罗城县,贵州雷山县经济发展迅速。",
		  "国家乡村振兴局>罗城仫佬族自治县" },
		/* ,以及 goes on with the clause before. */
		{ "中国华电援建了贵州省黄平县的道路,以及云南省盐津县的学校。",
		  "中国华电>黄平县 | 中国华电>盐津县" },
		/* A place inside a quoted name (SPEC rule 10). */
		{ "中国大唐援建“武定县彝绣合作社”。", "中国大唐>武定县" },
		/* Commercial investment gives nothing (SPEC rule 9). */
		{ "华润集团在遵义市投资20亿元建设啤酒厂。", "" },
	};

	check_cases(cases, sizeof(cases) / sizeof(cases[0]), false);
}

static void
test_task_lists(void)
{
	static const struct tcase cases[] = {
		{ "中国建筑继续承担甘肃康乐县、卓尼县,西藏左贡县的定点扶贫任务,"
		  "以及新疆疏附县的对口支援任务。",
		  "中国建筑>左贡县/designated | 中国建筑>卓尼县/designated | "
		  "中国建筑>康乐县/designated | 中国建筑>疏附县/other" },
		/* A list of places and other words is not a task list; the
		 * clause's own helper and recipients still pair. */
		{ "中国建筑承担甘肃康乐县道路建设和卓尼县的定点扶贫任务。",
		  "中国建筑>康乐县/designated | 中国建筑>卓尼县/designated" },
		/* 2 counted, 2 named. */
		{ "日前,云南省宣布文山州广南县、丘北县正式摘帽,至此,"
		  "中国农业发展银"
		  "行2个定点扶贫县全部脱贫。",
		  "中国农业发展银行>广南县/designated | "
		  "中国农业发展银行>丘北县/designated" },
		/* 3 counted, 2 named: nothing. */
		{ "日前,云南省宣布文山州广南县、丘北县正式摘帽,至此,"
		  "中国农业发展银"
		  "行3个定点扶贫县全部脱贫。",
		  "" },
		{ "中国农业发展银行两个定点扶贫县丘北县、广南县全部脱贫。",
		  "中国农业发展银行>丘北县/designated | "
		  "中国农业发展银行>广南县/designated" },
	};

	check_cases(cases, sizeof(cases) / sizeof(cases[0]), true);
}

/* 援X projects and funds of a helper go to the area the article is about
 * when it lies in province X (not to the province, SPEC rule 5). */
static void
test_aid_compound(void)
{
	static const struct tcase cases[] = {
		{ "西藏阿里地区:"
		  "援藏成效显著。阿里地区近年来发展迅速。河北省对口援藏"
		  "项目200个、援藏资金3亿元;中国华电(原华电集团)"
		  "对口援藏项目30个"
		  "。",
		  "河北省>阿里地区/other | 中国华电>阿里地区/other" },
		/* Staff give nothing. */
		{ "西藏阿里地区:"
		  "援藏成效显著。阿里地区近年来发展迅速。河北省援藏干部"
		  "200名。",
		  "" },
		/* 援X范围: the places of X and the zones listed after it. */
		{ "浙江援疆范围扩展为阿克苏地区8个县(市)"
		  "、新疆生产建设兵团第一师和"
		  "阿拉尔经济技术开发区。",
		  "浙江省>阿克苏地区/other | 浙江省>新疆生产建设兵团/other | "
		  "浙江省>阿拉尔经济技术开发区/other" },
		/* 援藏 for an area outside Tibet: nothing. */
		{ "青海玉树州:"
		  "成效显著。玉树州近年来发展迅速。北京市援藏资金3亿元。",
		  "" },
	};

	check_cases(cases, sizeof(cases) / sizeof(cases[0]), true);
}

/* The rule names of the organisation rules. */
static void
test_rules(void)
{
	static const struct {
		const char *text, *rule;
	} cases[] = {
		{ "国家开发银行援建会宁县的学校。甲。定点帮扶环县。",
		  "org_subject" },
		{ "中国建筑承担卓尼县的定点扶贫任务。", "org_task_list" },
		{ "丘北县摘帽,中国农业发展银行1个定点扶贫县脱贫。",
		  "org_counted" },
		{ "国家电网驻黄平县扶贫工作队走访贫困户。", "org_work_team" },
		{ "北京积水潭医院选派医生到林西县。", "org_sends" },
		{ "浙江援疆范围扩展为阿克苏地区。", "aid_compound" },
		{ "罗甸县是国投集团定点帮扶县。", "org_named_as" },
		{ "国投集团对罗甸县农户开展培训。", "org_beneficiaries" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena *ar = exi_ar_new();
		struct vec out = VEC_INIT(struct ext_pairing);

		/* The rule's pairing is the last one. */
		CHECK_INT(run(cases[i].text, ar, &out), 0);
		CHECK(out.n >= 1);
		if (out.n >= 1)
			CHECK_STR(((struct ext_pairing *)out.p)[out.n - 1].rule,
			          cases[i].rule);
		exi_vec_free(&out);
		exi_ar_destroy(&ar);
	}
}

/* Many organisations, refer-back words and task lists stay linear. */
static void
test_linear(void)
{
	static const char clause[] =
	    "中国建筑承担卓尼县的定点扶贫任务,该集团援建,医院帮扶,";
	size_t len;
	char *text = regtest_repeat_of(clause, 20000, "", &len);
	struct arena *ar = exi_ar_new();
	struct vec out = VEC_INIT(struct ext_pairing);
	clock_t t0;

	t0 = clock();
	CHECK_INT(run(text, ar, &out), 0);
	/* The task list's county, and the article's prefecture for 援建
	 * with no place named. */
	CHECK_INT(out.n, 2);
	printf("org: 20,000 clauses in %.3f s\n",
	       (double)(clock() - t0) / CLOCKS_PER_SEC);
	exi_vec_free(&out);
	exi_ar_destroy(&ar);
	free(text);
}

int
main(void)
{
	struct extload el;
	char err[512];

	if (extload_open(&el, NULL, "", err, sizeof(err)) != 0) {
		fprintf(stderr, "org_test: %s\n", err);
		return 1;
	}
	rt = el.tables->reg;
	test_zones();
	test_refer_back();
	test_subject();
	test_task_lists();
	test_aid_compound();
	test_rules();
	test_linear();
	extload_close(&el);
	return test_done("org_test");
}
