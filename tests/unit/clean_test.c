/* clean_test.c - line clean-up and normalisation: pinyin annotations,
 * censor marks, page furniture (and content that must stay), NFKC (the
 * fast path against utf8proc), Traditional to Simplified with and without
 * a probed converter, variants. Sentences are the test's own. */
#include "extload.h"
#include "extract_int.h"
#include "test.h"
#include "txt_int.h"

#include <utf8proc.h>

static struct extload el;

static const char *
norm_with(ext_convert_fn fn, void *ctx, const char *s, struct arena *ar,
          int *rc_out)
{
	struct ext_doc d;
	size_t off;
	int rc;

	memset(&d, 0, sizeof(d));
	rc = txt_normalise(el.tables->txt, fn, ctx, s, strlen(s), NULL, ar, &d,
	                   &off);
	if (rc_out)
		*rc_out = rc;
	return rc == 0 ? d.text : NULL;
}

static const char *
norm(const char *s, struct arena *ar)
{
	return norm_with(el.tables->t2s, el.tables->t2s_ctx, s, ar, NULL);
}

static void
test_pinyin(void)
{
	struct arena *ar = exi_ar_new();

	CHECK_STR(norm("兩地協(xié)作實(shí)現(xiàn)雙贏。", ar),
	          "两地协作实现双赢。");
	CHECK_STR(norm("整合幫扶資(zī)源,推進(jìn)鄉(xiāng)村振興。", ar),
	          "整合帮扶资源,推进乡村振兴。");
	/* Not pinyin: words in brackets, syllables without tone marks,
	 * brackets after Latin text, domains. */
	CHECK_STR(norm("建成强村(社区)12个,送医(教)下乡。", ar),
	          "建成强村(社区)12个,送医(教)下乡。");
	CHECK_STR(norm("网址为山海网(shanhai.cn),简称(sh)。", ar),
	          "网址为山海网(shanhai.cn),简称(sh)。");
	CHECK_STR(norm("Python (pài) 不是汉字后的注音。", ar),
	          "Python (pài) 不是汉字后的注音。");
	exi_ar_destroy(&ar);
}

static void
test_censor(void)
{
	struct arena *ar = exi_ar_new();

	CHECK_STR(norm("全区出台*扶贫档案管理办法,做好**工作。", ar),
	          "全区出台扶贫档案管理办法,做好工作。");
	CHECK_STR(norm("面积按3*4米计算,共有a*b种组合。", ar),
	          "面积按3*4米计算,共有a*b种组合。");
	exi_ar_destroy(&ar);
}

static void
test_entities(void)
{
	struct arena *ar = exi_ar_new();
	char *stars = malloc(200016);

	CHECK_STR(norm("&nbsp;&nbsp;两地&ldquo;协作&rdquo;&amp;共建&#12290;"
	               "&#xFF0C;R&D 不变&x;",
	               ar),
	          "两地“协作”&共建。,R&D 不变&x;");
	/* A long run of stars between digits: kept, and linear. */
	memcpy(stars, "9", 1);
	memset(stars + 1, '*', 200000);
	memcpy(stars + 200001, "9。", 5);
	CHECK_INT(strlen(norm(stars, ar)), 200005);
	free(stars);
	exi_ar_destroy(&ar);
}

static void
test_spaces(void)
{
	struct arena *ar = exi_ar_new();

	/* Full-width indentation, tabs and runs of spaces. */
	CHECK_STR(norm("\xE3\x80\x80\xE3\x80\x80两省携手  共建园区\t \n", ar),
	          "两省携手 共建园区");
	CHECK_STR(norm("第一段。\r\n\r\n\r\n第二段。\r第三段。", ar),
	          "第一段。\n第二段。\n第三段。");
	/* Zero-width and bidi controls vanish. */
	CHECK_STR(norm("帮\xE2\x80\x8B扶\xE2\x80\x8E资金\xEF\xBB\xBF。", ar),
	          "帮扶资金。");
	exi_ar_destroy(&ar);
}

static void
test_nfkc(void)
{
	struct arena *ar = exi_ar_new();

	CHECK_STR(norm("投资１２０．５亿元，增长３５％！", ar),
	          "投资120.5亿元,增长35%!");
	/* CJK punctuation NFKC leaves alone stays. */
	CHECK_STR(norm("打造“菜篮子”、《实施意见》和【专栏】。", ar),
	          "打造“菜篮子”、《实施意见》和【专栏】。");
	CHECK_STR(norm("新建（扩建）项目：３个；", ar), "新建(扩建)项目:3个;");
	/* A compatibility ideograph becomes the unified one (U+F900 is
	 * U+8C48 豈, which t2s then makes 岂). */
	CHECK_STR(norm("\xEF\xA4\x80"
	               "字。",
	               ar),
	          "岂字。");
	/* Combining marks: the utf8proc path composes them. */
	CHECK_STR(norm("cafe\xCC\x81 农产品展销。", ar),
	          "caf\xC3\xA9 农产品展销。");
	/* Toned pinyin (é) is copied by the fast path (TF_NOFOLD), but a
	 * line holding it folds no variants, as when it went to utf8proc;
	 * other lines do. */
	CHECK_STR(norm("陜西与广东协(xié)作成效显著。\n陜西省投入资金。", ar),
	          "陜西与广东协作成效显著。\n陕西省投入资金。");
	CHECK_STR(norm("陜西(xié)。", ar), "陜西。");
	CHECK_STR(norm("南宁(xié)邕宁。", ar), "南宁邕宁。");
	exi_ar_destroy(&ar);
}

/* The substitution path must be NFKC exactly: random lines of code points
 * drawn from ranges with every kind of flag. */
static void
test_nfkc_random(void)
{
	static const uint32_t pool[][2] = {
		{ 0x20, 0x7E },     { 0xA0, 0x17F },      { 0x300, 0x36F },
		{ 0x1100, 0x11FF }, { 0x2000, 0x2BFF },   { 0x3000, 0x33FF },
		{ 0x4E00, 0x4E80 }, { 0xAC00, 0xAC40 },   { 0xF900, 0xFAFF },
		{ 0xFE30, 0xFFEF }, { 0x20000, 0x20010 },
	};
	const struct txt_tables *tt = el.tables->txt;
	struct sbuf out = { 0 };
	uint32_t x = 88172645u;
	int bad = 0;

	for (int t = 0; t < 20000; t++) {
		char line[256];
		size_t n = 0;
		int len = 1 + t % 12;
		utf8proc_uint8_t *want;

		for (int k = 0; k < len; k++) {
			size_t p;
			uint32_t c;

			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			p = x % (sizeof(pool) / sizeof(*pool));
			c = pool[p][0] +
			    (x >> 8) % (pool[p][1] - pool[p][0] + 1);
			if ((c >= 0xD800 && c <= 0xDFFF) || c == ' ')
				c = 0x4E00;
			/* Controls and spaces are the line's business, not
			 * NFKC's: leave them out. */
			if (c < 0x10000 &&
			    (tt->cpf[c] & (TF_DROP | TF_SPACE | TF_VARIANT)))
				c = 0x4E01;
			n += exi_u8_enc(c, line + n);
		}
		line[n] = '\0';
		if (txt_nfkc(tt, line, n, &out) != 0) {
			bad++;
			continue;
		}
		want = utf8proc_NFKC((const utf8proc_uint8_t *)line);
		if (!want || strlen((char *)want) != out.n ||
		    memcmp(want, out.p, out.n) != 0) {
			/* Spaces from NFKC mappings are ' ' both ways. */
			if (bad++ < 5)
				fprintf(stderr, "nfkc mismatch: %s\n", line);
		}
		free(want);
	}
	CHECK_INT(bad, 0);
	exi_sb_free(&out);
}

/* A converter that is not the probed one: every Han clause converted. */
static char *
other_conv(void *ctx, const char *in, size_t len)
{
	(void)ctx;
	return el.tables->t2s(el.tables->t2s_ctx, in, len);
}

static void
test_script(void)
{
	struct arena *ar = exi_ar_new();
	const char *trad = "對口幫扶陝西與陜西的產業園區,累計投入資金。";
	const char *simp = "对口帮扶陕西与陕西的产业园区,累计投入资金。";
	int rc;

	CHECK_STR(norm(trad, ar), simp);
	CHECK_STR(norm_with(other_conv, NULL, trad, ar, &rc), simp);
	/* No converter: Traditional stays, variants still fold. */
	CHECK_STR(norm_with(NULL, NULL, "陜西對口幫扶。", ar, &rc),
	          "陕西對口幫扶。");
	/* Simplified text is never handed to the converter. */
	CHECK_STR(norm("东西部协作持续深化,着眼长远。", ar),
	          "东西部协作持续深化,着眼长远。");
	exi_ar_destroy(&ar);
}

/* txt_script() with the character table against the converter on every
 * clause (what OpenCC alone would give): clauses built from the phrase
 * list, parts of phrases, characters the converter changes and others. */
static char *
script_with(bool all, const char *s, size_t n, struct sbuf *out)
{
	struct txt_conv cv;

	memset(&cv, 0, sizeof(cv));
	cv.tt = el.tables->txt;
	cv.t2s = el.tables->t2s;
	cv.ctx = el.tables->t2s_ctx;
	cv.all = all;
	cv.charwise = !all && cv.tt->charwise;
	if (txt_script(&cv, s, n, out) != 0)
		return NULL;
	return out->p;
}

static void
test_script_charwise(void)
{
	static const char *const other[] = {
		"的", "是", "了", "發", "展", "區", "縣", "對", "口", "幫",
		"扶", "，", "。", "、", "A",  "1",  " ",  "乾", "瞭", "覆",
		"藉", "於", "著", "鍾", "解", "然", "手", "一", "反",
	};
	const struct txt_tables *tt = el.tables->txt;
	struct sbuf line = { 0 }, a = { 0 }, b = { 0 };
	struct arena *ar = exi_ar_new();
	uint32_t x = 2463534242u;
	int bad = 0;

	if (ext_tables_t2s_phrases(el.tables) < 0) {
		/* The installed OpenCC is not the one t2s_phrases.tsv was
		 * made from: tests/t2s_phrases_check.sh says so. */
		fprintf(stderr,
		        "clean_test: character-wise t2s off (%s): "
		        "its checks skipped\n",
		        el.t2s_note);
		exi_ar_destroy(&ar);
		return;
	}
	CHECK(ext_tables_t2s_phrases(el.tables) > 100, "phrases %ld",
	      ext_tables_t2s_phrases(el.tables));
	/* Phrases whose characters alone would not change, in clauses with
	 * nothing else to convert. */
	CHECK_STR(norm("事情明瞭。", ar), "事情明了。");
	CHECK_STR(norm("反覆思量,一目瞭然。", ar), "反复思量,一目了然。");
	CHECK_STR(norm("據瞭解,合作持續。", ar), "据了解,合作持续。");
	CHECK_STR(norm("乾燥", ar), "干燥");
	/* Above the BMP: U+2005E becomes U+2003E, beside a BMP change. */
	CHECK_STR(norm("\U0002005E對口。", ar), "\U0002003E对口。");
	CHECK_STR(norm("\U0002005E。", ar), "\U0002003E。");
	for (int t = 0; t < 20000; t++) {
		int len = 1 + t % 24;

		line.n = 0;
		for (int k = 0; k < len; k++) {
			const char *p;
			size_t l;

			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			switch (x % 5) {
			case 0: /* a phrase, whole or cut */
				p = tt->phr[(x >> 4) % tt->n_phr];
				l = strlen(p);
				if ((x >> 20) & 1) {
					size_t i = 0, cut = 1 + (x >> 21) % 3;

					while (cut-- && i < l)
						txt_next(p, l, &i);
					l = i;
				}
				break;
			case 1: { /* a code point the converter changes */
				size_t i = (x >> 4) & tt->t2s_mask;

				while (!tt->t2s_map[i][0])
					i = (i + 1) & tt->t2s_mask;
				char e[4];

				l = exi_u8_enc(tt->t2s_map[i][0], e);
				CHECK(exi_sb_put(&line, e, l) == 0, "oom");
				continue;
			}
			case 2: { /* Han extensions B to H, which the probe
				   * leaves to the converter; 𠁞 it changes */
				uint32_t c =
				    (x >> 4) & 1
				        ? 0x2005E
				        : 0x20000 + (x >> 5) % (TXT_T2S_HI_END -
				                                0x20000);
				char e[4];

				l = exi_u8_enc(c, e);
				CHECK(exi_sb_put(&line, e, l) == 0, "oom");
				continue;
			}
			default:
				p = other[(x >> 4) %
				          (sizeof(other) / sizeof(*other))];
				l = strlen(p);
			}
			CHECK(exi_sb_put(&line, p, l) == 0, "oom");
		}
		CHECK(exi_sb_put(&line, "\n", 1) == 0, "oom");
		a.n = b.n = 0;
		if (!script_with(false, line.p, line.n, &a) ||
		    !script_with(true, line.p, line.n, &b) || a.n != b.n ||
		    memcmp(a.p, b.p, a.n) != 0) {
			if (bad++ < 5)
				fprintf(stderr, "t2s mismatch: %.*s",
				        (int)line.n, line.p);
		}
	}
	CHECK_INT(bad, 0);
	exi_sb_free(&line);
	exi_sb_free(&a);
	exi_sb_free(&b);
	exi_ar_destroy(&ar);
}

static void
test_furniture(void)
{
	struct arena *ar = exi_ar_new();
	const char *page =
	    "首页 > 新闻中心 > 正文\n"
	    "两地共建产业园区带动增收\n"
	    "分享到:\n"
	    "微信 微博\n"
	    "两地共建的产业园区今年吸纳务工人员三千人。\n"
	    "园区负责人介绍,联系电话已在园区公示栏公布。\n"
	    "+1\n"
	    "关键词: 产业园区 协作\n"
	    "\n"
	    "相关新闻\n"
	    "某县举办劳务协作招聘会\n"
	    "山海协作结出硕果\n"
	    "下一步,两地将继续深化劳务协作,扩大消费帮扶规模,帮助更多群众稳定"
	    "增收。\n"
	    "联系电话:0931-12345678\n"
	    "投稿邮箱: news@example.com.cn\n"
	    "http://www.example.com.cn/news/2021/1.html\n"
	    "本网站版权所有,未经授权禁止转载。\n"
	    "某ICP备12345678号-1 某公网安备 12345678901234号\n"
	    "8301029384756102938475610293847561\n";

	CHECK_STR(norm(page, ar),
	          "两地共建产业园区带动增收\n"
	          "微信 微博\n"
	          "两地共建的产业园区今年吸纳务工人员三千人。\n"
	          "园区负责人介绍,联系电话已在园区公示栏公布。\n"
	          "下一步,两地将继续深化劳务协作,扩大消费帮扶规模,帮助更多群众"
	          "稳定增收。");
	exi_ar_destroy(&ar);
}

/* Chrome shapes seen on real pages, in lines written for this test; the
 * article's lines (a headline with spaces, printed twice, a list of names
 * in a sentence, repeated table cells) stay. */
static void
test_furniture_shapes(void)
{
	struct arena *ar = exi_ar_new();
	const char *page = "EN\n"
	                   "<i id=\"ab12\"></i>\n"
	                   "//www.example.com/\n"
	                   "您当前的位置 :某某在线 > 某某新闻 > 正文\n"
	                   "首页 > 专题库 > 某某企业年度盘点 > 正文\n"
	                   "视频 时评 本地 听新闻 城市365·百姓\n"
	                   "阅读 头条 本地 原创 专题 图解 某省 天下 两岸 "
	                   "海峡纵横电子平台 乡村振兴频道\n"
	                   "第B03版:综合新闻 上一版 下一版\n"
	                   "【打 印】 【关 闭】 【 】\n"
	                   "2# 某某用户\n"
	                   "两省携手 共谱新篇\n"
	                   "两省携手 共谱新篇\n"
	                   "两省协作成效显著,张明 李华 王强 赵敏等代表发言。\n"
	                   "3000万元\n"
	                   "3000万元\n"
	                   "欢迎访问某某信息网!\n";

	CHECK_STR(norm(page, ar),
	          "两省携手 共谱新篇\n"
	          "两省携手 共谱新篇\n"
	          "两省协作成效显著,张明 李华 王强 赵敏等代表发言。\n"
	          "3000万元\n"
	          "3000万元");
	exi_ar_destroy(&ar);
}

static void
test_empty(void)
{
	struct arena *ar = exi_ar_new();
	int rc;

	CHECK(norm_with(NULL, NULL, "分享\n+1\n\n 相关新闻\n", ar, &rc) ==
	      NULL);
	CHECK_INT(rc, EXT_EEMPTY);
	exi_ar_destroy(&ar);
}

int
main(void)
{
	char err[512];

	if (extload_open(&el, NULL, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "clean_test: %s\n", err);
		return 1;
	}
	test_pinyin();
	test_censor();
	test_spaces();
	test_entities();
	test_nfkc();
	test_nfkc_random();
	test_script();
	test_script_charwise();
	test_furniture();
	test_furniture_shapes();
	test_empty();
	extload_close(&el);
	return test_done("clean_test");
}
