/* pairing_test.c - pairings from our own sentences: the usual phrasings
 * and their direction, several helpers and recipients, division levels,
 * compounds, organisations, the official list's filter, the article's
 * main region, and what must not pair. */
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
run(const char *text, const char *date, struct arena *ar, struct vec *out)
{
	return regtest_pairings(rt, text, date, ar, out);
}

/* "helper>recipient" joined by " | ", in output order. */
static void
describe(const char *text, const char *date, char *got, size_t cap)
{
	struct arena *ar = exi_ar_new();
	struct vec out = VEC_INIT(struct ext_pairing);
	size_t k = 0;

	got[0] = '\0';
	if (run(text, date, ar, &out) != 0)
		snprintf(got, cap, "ERROR");
	for (size_t i = 0; i < out.n; i++) {
		const struct ext_pairing *p = (struct ext_pairing *)out.p + i;
		int w = snprintf(got + k, cap - k, "%s%s>%s", k ? " | " : "",
		                 p->helper, p->recipient);

		if (w < 0 || (size_t)w >= cap - k)
			break;
		k += (size_t)w;
	}
	exi_vec_free(&out);
	exi_ar_destroy(&ar);
}

static void
test_phrasings(void)
{
	static const struct {
		const char *text, *date, *want;
	} cases[] = {
		/* X帮扶Y, one pairing per recipient. */
		{ "青岛市帮扶陇南市、定西市。", NULL,
		  "青岛市>陇南市 | 青岛市>定西市" },
		/* The helper at its most specific level; a province before
		 * a prefecture adds nothing. */
		{ "北京市大兴区对口帮扶内蒙古乌兰察布市。", NULL,
		  "大兴区>乌兰察布市" },
		{ "深圳市对口帮扶广西河池市。", NULL, "深圳市>河池市" },
		/* A prefecture before its county: both. */
		{ "广州市投入协作资金,支持黔南州三都县、毕节市七星关区建设。",
		  NULL,
		  "广州市>黔南布依族苗族自治州 | 广州市>三都水族自治县 | "
		  "广州市>毕节市 | 广州市>七星关区" },
		/* Y得到X帮扶, X与Y结对, Y与X协作. */
		{ "黔南州得到广州市的大力帮扶。", NULL,
		  "广州市>黔南布依族苗族自治州" },
		{ "杭州市与黔东南州结对。", NULL,
		  "杭州市>黔东南苗族侗族自治州" },
		{ "宁夏回族自治区与福建省开展协作。", NULL,
		  "福建省>宁夏回族自治区" },
		/* X协作Y; the next clause goes on with X (推动). */
		{ "中山协作六盘水市钟山区,推动盘州市建设。", NULL,
		  "中山市>六盘水市 | 中山市>钟山区 | 中山市>盘州市" },
		/* A clause with a cue and no helper takes the one before. */
		{ "山东省青岛市在继续帮扶陇南市的基础上,增加帮扶定西市。", NULL,
		  "青岛市>陇南市 | 青岛市>定西市" },
		/* X配合Y帮扶Z: both help; a ministry's help is designated. */
		{ "汕头市配合国家发改委定点帮扶工作组,"
		  "累计投入资金支持安顺市紫云县。",
		  NULL,
		  "汕头市>安顺市 | 国家发改委>安顺市 | "
		  "汕头市>紫云苗族布依族自治县 "
		  "| 国家发改委>紫云苗族布依族自治县" },
		/* Who helps first: the nearer helper (江苏省 only assigns). */
		{ "江苏省在确定苏州市对口帮扶贵州铜仁市的基础上,新增帮扶。",
		  NULL, "苏州市>铜仁市" },
		/* A helper that helped before still counts (接棒). */
		{ "佛山市接棒杭州市结对黔东南州。", "2022-03-01",
		  "佛山市>黔东南苗族侗族自治州 | 杭州市>黔东南苗族侗族自治州" },
		/* Organisations. */
		{ "广州妇儿中心帮扶毕节、黔南妇幼保健院。", NULL,
		  "广州妇儿中心>毕节妇幼保健院 | 广州妇儿中心>黔南妇幼保健院" },
		{ "广州市广大附中教育集团帮扶的独山三中成绩优异。", NULL,
		  "广州市广大附中教育集团>独山三中" },
		{ "南方科技大学与贵州省政府签署合作协议。", NULL,
		  "南方科技大学>贵州省" },
		{ "清华大学定点帮扶云南省南涧县。", NULL,
		  "清华大学>南涧彝族自治县" },
		/* Names joined by a dot name a pair. */
		{ "东莞·铜仁消费协作活动。", NULL, "东莞市>铜仁市" },
		/* 在X的帮扶下, Y ...: Y is helped. */
		{ "在东莞市的帮扶下,铜仁市农业快速发展。", NULL,
		  "东莞市>铜仁市" },
		{ "在东莞市的帮扶下,当地发展很快,铜仁市也是。", NULL, "" },
		/* 我省 is the article's region. */
		{ "甘肃省的变化。天津市保持与我省结对关系。", NULL,
		  "天津市>甘肃省" },
		/* Gifts are assistance: X向Y捐赠. */
		{ "杭州市萧山区向从江县捐赠校服。", NULL, "萧山区>从江县" },
		/* 建成 ends a name on its left: no 和政县建成扶贫车间 centre
		 * hides the places of 在X的帮助下. */
		{ "在厦门市的帮助下,临夏州和政县建成扶贫车间。", NULL,
		  "厦门市>临夏回族自治州 | 厦门市>和政县" },
		/* What a helper built is a project: its site is helped. */
		{ "天津市西青区援建的天祝县第二中学投入使用。", NULL,
		  "西青区>天祝藏族自治县" },
		/* 在<place>, X援建...: the place is the recipient. */
		{ "铜仁市发展很快。在黔东南州从江县丙妹镇,"
		  "佛山市援建的学校落成。",
		  NULL, "佛山市>黔东南苗族侗族自治州 | 佛山市>从江县" },
		/* Y接受X帮扶; 在X对口帮扶下 (the longer cue hides 帮扶下). */
		{ "安顺市紫云县接受国家发改委定点帮扶。", NULL,
		  "国家发改委>安顺市 | 国家发改委>紫云苗族布依族自治县" },
		{ "在苏州市对口帮扶下,铜仁市发展很快。", NULL,
		  "苏州市>铜仁市" },
		/* A curated name stands as it is (教育部直属高校 is no part of
		 * it); a curated hospital whose name holds 和. */
		{ "教育部直属高校南开大学定点帮扶甘肃省庄浪县。", NULL,
		  "南开大学>庄浪县" },
		{ "北京协和医院帮扶西藏自治区人民医院。", NULL,
		  "北京协和医院>西藏自治区人民医院" },
		/* 分别: one by one, a county going with its prefecture. */
		{ "中山大学、浙江大学分别定点帮扶凤庆县和景东县。", NULL,
		  "中山大学>凤庆县 | 浙江大学>景东彝族自治县" },
		{ "广州市、佛山市分别帮扶黔南州三都县、毕节市。", NULL,
		  "广州市>黔南布依族苗族自治州 | 广州市>三都水族自治县 | "
		  "佛山市>毕节市" },
		/* An agreement between divisions (X与Y签订协议). */
		{ "杭州市滨江区与从江县签订协议。", NULL, "滨江区>从江县" },
		/* The halves of a headline are two clauses. */
		{ "粤黔协作谱新篇 毕节群众奔小康。", NULL, "广东省>贵州省" },
		{ "粤黔协作助力毕节群众奔小康。", NULL,
		  "广东省>贵州省 | 广东省>毕节市" },
		/* Stray spaces of a page part nothing. */
		{ "广州市 帮扶 毕节市,投入资金。", NULL, "广州市>毕节市" },
		{ "广州市 帮扶 毕节市。", NULL, "广州市>毕节市" },
	};
	char got[2048];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		describe(cases[i].text, cases[i].date, got, sizeof(got));
		CHECK_STR(got, cases[i].want, "for %s", cases[i].text);
	}
}

static void
test_compounds(void)
{
	static const struct {
		const char *text, *date, *want;
	} cases[] = {
		{ "粤桂扶贫协作取得新进展。", NULL, "广东省>广西壮族自治区" },
		{ "津甘协作不断深化。", NULL, "天津市>甘肃省" },
		{ "沪滇、闽宁两地协作。", NULL,
		  "上海市>云南省 | 福建省>宁夏回族自治区" },
		/* The site of a project the helper built, at every level. */
		{ "京冀合作共建的涞源县项目投产。", NULL,
		  "北京市>河北省 | 北京市>涞源县" },
		/* Inside names of organisations, events and brands. */
		{ "粤桂粤黔现代农业产业园联合会召开年会。", NULL, "" },
		{ "百企桂黔行活动在贵阳启动。", NULL, "" },
		{ "津企陇上行活动签约。", NULL, "" },
		/* Not official pairs. */
		{ "沪宁两地协作。", NULL, "" },
		/* Several helpers: the official list keeps its pairs. */
		{ "京津两市对口帮扶张家口、承德、保定。", "2018-05-01",
		  "北京市>张家口市 | 天津市>承德市 | 北京市>保定市" },
		{ "京津帮扶助力河北发展。", "2019-05-01",
		  "北京市>河北省 | 天津市>河北省" },
		/* No list confirms any of them: all combinations. */
		{ "广州市、佛山市帮扶凉山州美姑县。", "2022-01-01",
		  "广州市>凉山彝族自治州 | 佛山市>凉山彝族自治州 | "
		  "广州市>美姑县 | 佛山市>美姑县" },
	};
	char got[2048];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		describe(cases[i].text, cases[i].date, got, sizeof(got));
		CHECK_STR(got, cases[i].want, "for %s", cases[i].text);
	}
}

/* Shapes of real reporting (issue 9), on sentences of our own. */
static void
test_reporting(void)
{
	static const struct {
		const char *text, *date, *want;
	} cases[] = {
		/* A list of pairs after 具体为, and the prefecture that the
		 * sentence names as holding the counties (SPEC rule 1); the
		 * counted districts help, not the city they belong to. */
		{ "温州市5个区县与黔西南州5个县市建立结对关系,具体为:鹿城区与"
		  "晴隆县,瑞安市、平阳县与册亨县。",
		  NULL,
		  "鹿城区>晴隆县 | "
		  "瑞安市>册亨县 | 平阳县>册亨县 | "
		  "鹿城区>黔西南布依族苗族自治州 | "
		  "瑞安市>黔西南布依族苗族自治州 | "
		  "平阳县>黔西南布依族苗族自治州" },
		/* Recipients first, the eastern side helps (rule 4); a
		 * prefecture written before its county is no listed one. */
		{ "望谟县、贞丰县与浙江省温州市瓯海区结对。", NULL,
		  "瓯海区>望谟县 | 瓯海区>贞丰县" },
		{ "瓯海区对口帮扶黔西南州望谟县,鹿城区对口帮扶晴隆县。", NULL,
		  "瓯海区>黔西南布依族苗族自治州 | 瓯海区>望谟县 | "
		  "鹿城区>晴隆县" },
		/* The subject of a clause that starts with its cue is the
		 * helper of the clause before; clauses naming nothing keep
		 * it. */
		{ "浙江省地处东部,全力帮扶四川省。", NULL, "浙江省>四川省" },
		{ "广州市坚持真情实意,不断加大投入,对口帮扶毕节市。", NULL,
		  "广州市>毕节市" },
		/* 对口援藏 after a helper: the prefecture the article is
		 * about (a province before it only qualifies it); a
		 * province right before it helps, whatever its side. */
		{ "西藏那曲市的变化。那曲市发展很快。辽宁省对口援藏项目200个。",
		  NULL, "辽宁省>那曲市" },
		{ "西藏昌都市的变化。昌都市发展很快。重庆市对口援藏项目50个。",
		  NULL, "重庆市>昌都市" },
		/* A venue is no side; a meeting named after a pair is. */
		{ "上海云南扶贫协作联席会议在云南省红河州元阳县举行。", NULL,
		  "上海市>云南省" },
		/* Districts counted under a helper: they help, not it. */
		{ "福建省3个市结对帮扶固原市5个县,具体为原州区与晋江市结对。",
		  NULL, "晋江市>原州区 | 晋江市>固原市" },
		/* 其中: the parts of what the clause before counted. */
		{ "山东省与重庆市建立协作关系,已有14个结对区县,其中万州区3个、"
		  "黔江区2个。",
		  NULL, "山东省>重庆市 | 山东省>万州区 | 山东省>黔江区" },
		/* Help within a province: the eastern division named after
		 * the cue of the (carried) helper. */
		{ "珠海市坚持先富帮后富,加大对口帮扶茂名市力度。", NULL,
		  "珠海市>茂名市" },
		/* A pair compound with 两省区. */
		{ "按照闽宁两省区的工作安排,推进合作。", NULL,
		  "福建省>宁夏回族自治区" },
		/* A helper that brought an enterprise to a place. */
		{ "由晋江市引进在西吉县投产的鞋业车间。", NULL,
		  "晋江市>西吉县" },
		/* Funds named after a pair or a helper pay for the place
		 * named before them, else the one after (SPEC rule 8). */
		{ "西吉县第一小学由闽宁扶贫资金安排200万元。", NULL,
		  "福建省>宁夏回族自治区 | 福建省>西吉县" },
		/* Not when the clause names the helper itself (no
		 * 北京市>科尔沁右翼前旗). */
		{ "顺义区向科右前旗投入京蒙协作资金300万元。", NULL,
		  "北京市>内蒙古自治区" },
		{ "同心县光伏项目位于县城中心,全部为福建援建资金。", NULL,
		  "福建省>同心县" },
		{ "今年投入福建援建资金300万元,为隆德县建设村部。", NULL,
		  "福建省>隆德县" },
		/* 两地 in a sentence with no helper: the places of the
		 * latest pairing's recipient it names (SPEC rule 11). */
		{ "龙岩市对口帮扶甘南州。在甘南州下辖的夏河县、卓尼县,"
		  "凝结两地情谊的故事很多。",
		  NULL,
		  "龙岩市>甘南藏族自治州 | 龙岩市>夏河县 | 龙岩市>卓尼县" },
		{ "龙岩市对口帮扶甘南州。在临夏州的东乡县,两地情谊很深。", NULL,
		  "龙岩市>甘南藏族自治州" },
		/* A dateline is no statement. */
		{ "新华社西宁6月1日电,对口援建的玉树州学校开学。", NULL, "" },
		/* A headline's half that names only the place. */
		{ "临夏州30个贫困村 厦门帮扶全覆盖", NULL,
		  "厦门市>临夏回族自治州" },
		/* Funds named after the helper; the place comes later. */
		{ "为此,福建先后投入帮扶资金500万元,从外地引水,"
		  "在西吉县建设水窖。",
		  NULL, "福建省>西吉县" },
		/* Help where the clause before placed it. */
		{ "在新疆阿图什市,江苏从产业入手,助力打造产业园。", NULL,
		  "江苏省>阿图什市" },
		{ "在新疆阿图什市,江苏从产业入手,发展很快。", NULL, "" },
		/* Lists of pairs with the cue after the last. */
		{ "宝山区与宁洱县、静安区与镇沅县结对。", NULL,
		  "宝山区>宁洱哈尼族彝族自治县 | "
		  "静安区>镇沅彝族哈尼族拉祜族自治县" },
		/* Recipient first: Y是X的对口帮扶县, Y近年来与X结对. */
		{ "西盟县是上海市的对口帮扶县。", NULL,
		  "上海市>西盟佤族自治县" },
		{ "宁洱县近年来与上海市宝山区结成帮扶对子。", NULL,
		  "宝山区>宁洱哈尼族彝族自治县" },
		/* One helper, short names of counties listed, the cue after
		 * the list. */
		{ "上海市在云南澜沧和西盟、贵州望谟等3县落实对口帮扶。", NULL,
		  "上海市>澜沧拉祜族自治县 | 上海市>西盟佤族自治县 | "
		  "上海市>望谟县" },
		/* 我市 / 我省: the article's eastern side when the clause
		 * names a recipient and no helper; else its own region. */
		{ "温州市的变化。温州市发展。我市对口帮扶黔西南州。", NULL,
		  "温州市>黔西南布依族苗族自治州" },
		{ "毕节市的变化。毕节市发展。广州市帮扶我市。", NULL,
		  "广州市>毕节市" },
		/* Pairs written with a dash under a programme's name. */
		{ "鲁渝协作结对关系为:济南—武隆,青岛—巫山。", NULL,
		  "山东省>重庆市 | 济南市>武隆区 | 青岛市>巫山县" },
		/* 该市: the eastern city named last. */
		{ "厦门市高度重视东西部协作。该市今年对口帮扶临夏州东乡县。",
		  NULL, "厦门市>临夏回族自治州 | 厦门市>东乡族自治县" },
		/* The left-out subject of a sentence that names no helper:
		 * that of the sentence before, into a clause that gives to
		 * someone or starts with its cue. */
		{ "杭州市高度重视东西部协作。今年以来,"
		  "累计向恩施州投入帮扶资金3亿元。",
		  NULL, "杭州市>恩施土家族苗族自治州" },
		{ "济南市高度重视东西部协作。36家中央单位继续帮扶甘肃43个县。",
		  NULL, "" },
		/* 我们 with a helper named: the side helped; quoted speech
		 * states pairings like any text. */
		{ "临沧市的变化。临沧市发展。“上海市嘉定区与我们结对帮扶后,"
		  "变化很大。”",
		  NULL, "嘉定区>临沧市" },
		/* Helpers listed as A等N个X和B等M个Y. */
		{ "山东省安排济南等8个地市和寿光等3个县级市对口支援西藏。",
		  NULL, "济南市>西藏自治区 | 寿光市>西藏自治区" },
		/* 这里: the place named last in a sentence before. */
		{ "拉萨市达孜区的工业园区。在江苏援藏的有力支持下,"
		  "这里成为有名的"
		  "园区。",
		  NULL, "江苏省>达孜区" },
		/* Y在X的帮扶下. */
		{ "黔东南州在杭州市的帮扶下实现脱贫。", NULL,
		  "杭州市>黔东南苗族侗族自治州" },
		/* Speech in quotation marks is no name. */
		{ "“近年来,杭州市已向恩施州投入帮扶资金。”", NULL,
		  "杭州市>恩施土家族苗族自治州" },
	};
	char got[2048];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		describe(cases[i].text, cases[i].date, got, sizeof(got));
		CHECK_STR(got, cases[i].want, "for %s", cases[i].text);
	}
}

static void
test_main_region(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		/* Helpers and a cue with no recipient: the article's
		 * region; of several helpers, those the official list
		 * confirms (厦门 helped 临夏 in 2016-2020). */
		{ "临夏州发展。临夏州农业。福州、厦门帮建的项目已全部完工。",
		  "厦门市>临夏回族自治州" },
		{ "定西市发展。定西市农业。福州、厦门帮建的项目已全部完工。",
		  "福州市>定西市" },
		{ "甘肃省。天津市、山东省财政援助资金到位。",
		  "天津市>甘肃省 | 山东省>甘肃省" },
		/* Not when another verb stands between. */
		{ "甘肃省。济南市、青岛市组织结对帮扶区县签约。", "" },
		/* Nor for a cue without the flag. */
		{ "贵州省。公安部定点帮扶工作组到位。", "" },
	};
	char got[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		describe(cases[i].text, NULL, got, sizeof(got));
		CHECK_STR(got, cases[i].want, "for %s", cases[i].text);
	}
}

/* Sentences that name regions and cues but state no pairing. */
static void
test_negative(void)
{
	static const char *const cases[] = {
		"援蒙技术人才在内蒙古工作。",
		"某集团在毕节投资20亿元建设工厂。",
		"广州越秀集团在毕节市投资建设生猪项目。",
		"北京市与上海市开展合作。",
		"甘肃省向东部省市选派干部,开展协作。",
		"广东137个经济强镇结对帮扶。",
		"东部协作省市帮助甘肃省销售农产品。",
		"打造“东西部协作”示范村,广州市参与。",
		"广州市民到贵州旅游。",
		"自然资源部、财政部支持两省区开展交易,广西调出指标。",
		"重庆市与四川省合作共建经济圈。",
		"广东省委书记到广西考察。",
		/* A ministry's 支持 is policy; a clause without a cue lends
		 * its helper only with a partner it named. */
		"国家发改委支持贵州省建设。",
		"上海市举办博览会,云南省企业参展合作。",
		/* A place alone lends itself only to a helper's clause. */
		"在从江县,当地群众发展产业。",
		/* An enterprise's agreement is business. */
		"某某科技有限公司与毕节市签订投资协议。",
		/* A programme's compound names no province (SPEC rule 5),
		 * staff sent under it no pairing. */
		"新疆的变化。新疆发展。深圳市对口援疆十年。",
		"上海援藏干部在日喀则工作。",
	};
	char got[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		describe(cases[i], NULL, got, sizeof(got));
		CHECK_STR(got, "", "for %s", cases[i]);
	}
}

/* SPEC rule 14: 对口支援 programmes and help within a province are
 * other, 对口支援 inside an East-West pair stays east_west. */
static void
test_relation(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "天津市河东区对口支援康乐县。", "east_west" },
		{ "温州市对口支援涪陵区。", "other" },
		{ "温州市对口帮扶丽水市。", "other" },
		{ "温州市对口帮扶黔西南州。", "east_west" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena *ar = exi_ar_new();
		struct vec out = VEC_INIT(struct ext_pairing);

		CHECK_INT(run(cases[i].text, NULL, ar, &out), 0);
		CHECK_INT(out.n, 1, "for %s", cases[i].text);
		if (out.n == 1)
			CHECK_STR(((struct ext_pairing *)out.p)->relation,
			          cases[i].want, "for %s", cases[i].text);
		exi_vec_free(&out);
		exi_ar_destroy(&ar);
	}
}

/* The fields of one pairing, and duplicates. */
static void
test_fields(void)
{
	const char *text = "青岛市帮扶陇南市。青岛市继续帮扶陇南市。";
	struct arena *ar = exi_ar_new();
	struct vec out = VEC_INIT(struct ext_pairing);
	const struct ext_pairing *p;

	CHECK_INT(run(text, NULL, ar, &out), 0);
	CHECK_INT(out.n, 1);
	if (out.n == 1) {
		p = out.p;
		CHECK_STR(p->helper, "青岛市");
		CHECK_STR(p->helper_code, "370200");
		CHECK_STR(p->recipient, "陇南市");
		CHECK_STR(p->recipient_code, "621200");
		CHECK_STR(p->relation, "east_west");
		CHECK_INT(p->start, 0);
		CHECK_INT(p->end, strlen("青岛市帮扶陇南市"));
		CHECK_INT(p->sentence, 0);
	}
	exi_vec_free(&out);
	out = (struct vec)VEC_INIT(struct ext_pairing);
	CHECK_INT(
	    run("佛山市配合中央组织部帮扶台江县,贵州省。", NULL, ar, &out), 0);
	CHECK_INT(out.n, 2);
	if (out.n == 2) {
		p = out.p;
		CHECK_STR(p[1].helper, "中央组织部");
		CHECK_STR(p[1].helper_code, "");
		CHECK_STR(p[1].relation, "designated");
		CHECK_STR(p[0].relation, "east_west");
	}
	exi_vec_free(&out);
	exi_ar_destroy(&ar);
}

static void
test_linear(void)
{
	size_t len;
	char *text = regtest_repeat(40000, &len);
	struct arena *ar = exi_ar_new();
	struct vec out = VEC_INIT(struct ext_pairing);
	clock_t t0;
	double secs;

	t0 = clock();
	CHECK_INT(run(text, NULL, ar, &out), 0);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK_INT(out.n, 3);
	/* Reported, not asserted: a quadratic pass over this input would run
	 * into ctest's timeout instead; a timed assertion would only make
	 * the test fail on a slow or busy machine. */
	printf("pairing: 40,000 clauses in %.3f s\n", secs);
	exi_vec_free(&out);
	exi_ar_destroy(&ar);
	free(text);
}

/* One sentence of 20,000 clauses in the shapes the rules that look around
 * a clause read (funds named after a helper, 我市, lists of pairs, 两地):
 * linear too. */
static void
test_linear_shapes(void)
{
	static const char clause[] =
	    "温州市投入帮扶资金,我市与晴隆县、鹿城区与册亨县结对,"
	    "两地在黔西南州望谟县、";
	size_t len;
	char *text = regtest_repeat_of(clause, 20000, "。", &len);
	struct arena *ar = exi_ar_new();
	struct vec out = VEC_INIT(struct ext_pairing);
	clock_t t0;

	t0 = clock();
	CHECK_INT(run(text, NULL, ar, &out), 0);
	CHECK(out.n > 0);
	printf("pairing: 20,000 clauses of shapes in %.3f s\n",
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
		fprintf(stderr, "pairing_test: %s\n", err);
		return 1;
	}
	rt = el.tables->reg;
	test_phrasings();
	test_compounds();
	test_main_region();
	test_reporting();
	test_relation();
	test_negative();
	test_fields();
	test_linear();
	test_linear_shapes();
	extload_close(&el);
	return test_done("pairing_test");
}
