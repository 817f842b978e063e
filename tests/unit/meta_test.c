/* meta_test.c - metadata: title, source, published, reporters, editors
 * from page layouts written for this test (not the seeds), and that
 * metadata lines leave the text while the title stays. */
#include "extload.h"
#include "extract_int.h"
#include "test.h"

static struct extload el;

struct want {
	const char *title, *source, *published;
	const char *reporters[3], *editors[3];
};

static void
check(const char *page, const struct want *w, const char *text)
{
	struct arena *ar = exi_ar_new();
	struct ext_doc d;
	size_t off, i;
	int rc;

	memset(&d, 0, sizeof(d));
	rc = txt_normalise(el.tables->txt, el.tables->t2s, el.tables->t2s_ctx,
	                   page, strlen(page), NULL, ar, &d, &off);
	CHECK_INT(rc, 0, "%.30s", page);
	if (rc != 0) {
		exi_ar_destroy(&ar);
		return;
	}
	CHECK_STR(d.meta.title, w->title, "title of %.30s", page);
	CHECK_STR(d.meta.source, w->source, "source of %.30s", page);
	CHECK_STR(d.meta.published, w->published, "date of %.30s", page);
	for (i = 0; i < 3 && w->reporters[i]; i++)
		CHECK_STR(i < d.meta.n_reporters ? d.meta.reporters[i] : NULL,
		          w->reporters[i], "reporter %zu", i);
	CHECK_INT(d.meta.n_reporters, i, "reporters of %.30s", page);
	for (i = 0; i < 3 && w->editors[i]; i++)
		CHECK_STR(i < d.meta.n_editors ? d.meta.editors[i] : NULL,
		          w->editors[i], "editor %zu", i);
	CHECK_INT(d.meta.n_editors, i, "editors of %.30s", page);
	if (text)
		CHECK_STR(d.text, text);
	exi_ar_destroy(&ar);
}

static void
test_head_layouts(void)
{
	/* Title, then a source line with the date on it. */
	{
		struct want w = { "山海协作结出硕果",
			          "西江日报",
			          "2021-03-05",
			          { NULL },
			          { NULL } };

		check("山海协作结出硕果\n"
		      "来源：西江日报 2021-03-05 10:00\n"
		      "两地协作不断深化,成效明显。\n",
		      &w, "山海协作结出硕果\n两地协作不断深化,成效明显。");
	}
	/* Breadcrumbs and a site bar above the title, a date-first source
	 * line, an editor in brackets and a reporter at the end. */
	{
		struct want w = { "东部某市帮扶西部某县建设产业园",
			          "山海网",
			          "2022-05-06",
			          { "张三", NULL },
			          { "李四", NULL } };

		check("首页 > 协作动态 > 正文\n"
		      "东部某市帮扶西部某县建设产业园\n"
		      "2022年5月6日 08:30  来源: 山海网\n"
		      "产业园一期已经投产,吸纳当地群众就业。(记者 张三)\n"
		      "【责任编辑:李四】\n",
		      &w,
		      "东部某市帮扶西部某县建设产业园\n"
		      "产业园一期已经投产,吸纳当地群众就业。(记者 张三)");
	}
	/* Labels glued together, a byline under an outlet's name, and a
	 * kicker line under the title. */
	{
		struct want w = { "协作帮扶工作扎实推进",
			          "陇原网",
			          "2021-10-18",
			          { "赵六", NULL },
			          { "王明", NULL } };

		check("协作帮扶工作扎实推进\n"
		      "编辑:王明 信息来源: 陇原网发布时间:2021-10-18\n"
		      "——某省东西部协作工作综述\n"
		      "陇原日报记者 赵六\n"
		      "今年以来,协作双方聚焦重点任务,推动工作落实。\n",
		      &w, NULL);
	}
	/* "来源:" with the name on the next line, chrome, then the title
	 * above a date-and-source line. */
	{
		struct want w = { "两市持续助力脱贫攻坚",
			          "北方日报",
			          "2020-12-19",
			          { "钱七", NULL },
			          { "孙八", NULL } };

		check("来源:\n北方日报\n阅读正文\n\n"
		      "两市持续助力脱贫攻坚\n\n"
		      "2020-12-19 09:53:50 来源: 北方日报\n\n"
		      "原标题:两市持续助力脱贫攻坚 多年来协作成果丰硕\n"
		      "多年来两市对口帮扶,成果丰硕。(记者 钱七)\n"
		      "责任编辑: 孙八\n",
		      &w, NULL);
	}
}

static void
test_no_title(void)
{
	/* Starts with a paragraph: no title; the supplier names the
	 * source; no date in metadata, so none (body dates do not count). */
	{
		struct want w = {
			NULL, "某省协作工作队", NULL, { NULL }, { NULL }
		};

		check("2019年以来,两省携手推进产业协作,共建园区二十个,引进企业"
		      "一百余家,带动群众增收。\n"
		      "推进产业协作\n"
		      "2020年1月1日,园区正式投产。\n"
		      "(某省协作工作队供稿)\n",
		      &w,
		      "2019年以来,两省携手推进产业协作,共建园区二十个,"
		      "引进企业一百"
		      "余家,带动群众增收。\n"
		      "推进产业协作\n"
		      "2020年1月1日,园区正式投产。");
	}
	/* A site footer names the outlet when nothing else does. */
	{
		struct want w = {
			NULL, "乡村振兴网", NULL, { NULL }, { NULL }
		};

		check("全区累计投入帮扶资金十亿元,实施项目三百个,惠及群众众多,"
		      "各项工作有序推进。\n"
		      "乡村振兴网(xczx.example.cn)扫一扫关注我们\n",
		      &w, NULL);
	}
}

static void
test_agency(void)
{
	struct want w = { "西部某州劳务协作见成效",
		          "新华社",
		          NULL,
		          { "王五", "赵六" },
		          { NULL } };

	check("西部某州劳务协作见成效\n"
	      "新华社兰州3月2日电(记者 王五、赵六)今年以来,某州组织劳动力"
	      "赴东部务工。\n",
	      &w, NULL);
}

/* A second byline inside the brackets is not a name. */
static void
test_bracket_roles(void)
{
	struct want w = {
		"某县协作项目投产", NULL, NULL, { "孙八" }, { NULL }
	};

	check("某县协作项目投产\n"
	      "本报讯(记者 孙八 通讯员 周九)某县协作项目近日投产。\n",
	      &w, NULL);
}

static void
test_not_meta(void)
{
	/* A copyright notice that mentions 来源 is not a source line; a
	 * body sentence with 记者 is not a byline. */
	struct want w = {
		"协作项目稳步推进", "东方日报", "2023-07-08", { NULL }, { NULL }
	};

	check("协作项目稳步推进\n"
	      "2023-07-08 来源:东方日报\n"
	      "记者从某县了解到,协作项目稳步推进,已完成投资过半。\n"
	      "本网版权说明:凡注明来源为本网的作品,未经授权不得转载。\n",
	      &w,
	      "协作项目稳步推进\n"
	      "记者从某县了解到,协作项目稳步推进,已完成投资过半。");
}

/* Shapes from real pages, in lines written for this test. */
static void
test_page_shapes(void)
{
	/* Bulleted info lines under the title, a breadcrumb with one
	 * separator above it. */
	{
		struct want w = { "某县茶园带富一方百姓",
			          "北湖日报",
			          "2019-04-03",
			          { NULL },
			          { NULL } };

		check("您现在所在的位置 : 首页 > 要闻\n"
		      "某县茶园带富一方百姓\n"
		      "  • 2019-04-03 09:10\n"
		      "  • 来源: 北湖日报\n"
		      "  • 点击:35\n"
		      "茶园今年新增面积两千亩,带动农户增收。\n",
		      &w,
		      "某县茶园带富一方百姓\n"
		      "茶园今年新增面积两千亩,带动农户增收。");
	}
	/* "来源:X丨作者: 丨责任编辑:" with empty fields. */
	{
		struct want w = { "两地签约共建产业园",
			          "东岭社客户端",
			          "2020-01-02",
			          { NULL },
			          { NULL } };

		check("两地签约共建产业园\n"
		      "来源:东岭社客户端丨作者: 丨责任编辑:\n"
		      "发布时间:2020-01-02 10:54:49\n"
		      "双方签约共建产业园,首期投资五亿元。\n",
		      &w, NULL);
	}
	/* A byline after □ on the headline's line: cut from the title;
	 * the first outlet of "A/B" is the source; names padded for layout
	 * are joined. No date: published null. */
	{
		struct want w = { "山海相连 携手共富 某市协作见闻",
			          "南港日报",
			          NULL,
			          { "林波", "韩雪" },
			          { NULL } };

		check(
		    "山海相连 携手共富 某市协作见闻 □南港日报/南港新闻记者 林 "
		    "波 韩 雪\n"
		    "两地协作已满五年,成果丰硕。\n",
		    &w, NULL);
	}
	/* A newspaper page bar is not the title. */
	{
		struct want w = { "协作车间开工",
			          "西川日报",
			          "2021-06-07",
			          { NULL },
			          { NULL } };

		check("第A08版:要闻 上一版\n"
		      "协作车间开工\n"
		      "2021-06-07 来源:西川日报\n"
		      "车间开工后可吸纳一百人就业。\n",
		      &w, "协作车间开工\n车间开工后可吸纳一百人就业。");
	}
	/* Only the names labelled 记者 are reporters; the outlets before
	 * the names are the source; the byline opens the paragraph. */
	{
		struct want w = { "某州援建学校交付使用",
			          "中国某某导报、某某发展网",
			          NULL,
			          { "郑好" },
			          { NULL } };

		check("某州援建学校交付使用\n"
		      "中国某某导报、某某发展网 周立、吴平、记者郑好报道  "
		      "自2015年以来,某市对口支援某州,援建学校十所,"
		      "惠及学生上万名。\n",
		      &w, NULL);
	}
	/* A dateline without a year gives no date; its outlet is the
	 * source and "(X)" after it the reporter. */
	{
		struct want w = {
			"某县果园迎来丰收", "东川网", NULL, { "钱明" }, { NULL }
		};

		check("某县果园迎来丰收\n"
		      "东川网南宁6月19日电 (钱明)近日,某县果园迎来丰收,"
		      "果农喜笑颜开。\n",
		      &w, NULL);
	}
	/* The outlet of a "brand·paper" byline is the paper; a photo
	 * credit names no reporter. */
	{
		struct want w = {
			NULL, "北原经济日报", NULL, { "马力" }, { NULL }
		};

		check("今年以来,两地携手推进劳务协作,输出劳动力两万人,"
		      "人均增收明显。\n"
		      "新北原·北原经济日报记者 马力\n"
		      "图为协作车间。北原社记者 刘青 摄\n",
		      &w, NULL);
	}
}

/* A headline that ends like an outlet's name (合作社) is the title, not
 * a header; a four-part headline is no menu; a short place name next to
 * the source line is no author. */
static void
test_not_outlet(void)
{
	struct want w = {
		"某村建起扶贫合作社", NULL, "2021-05-06", { NULL }, { NULL }
	};

	check("某村建起扶贫合作社\n"
	      "2021-05-06 10:00\n"
	      "合作社吸纳农户入股,年底分红。\n",
	      &w, "某村建起扶贫合作社\n合作社吸纳农户入股,年底分红。");
	{
		struct want w2 = { "山海情深 携手同行 共谱新篇 同奔小康",
			           "东港日报",
			           "2021-05-07",
			           { NULL },
			           { NULL } };

		check("山海情深 携手同行 共谱新篇 同奔小康\n"
		      "来源:东港日报 2021-05-07\n"
		      "林家港\n"
		      "两地协作成效显著。\n",
		      &w2,
		      "山海情深 携手同行 共谱新篇 同奔小康\n林家港\n"
		      "两地协作成效显著。");
	}
}

/* Bylines on their own line and datelines without a date. */
static void
test_bylines_alone(void)
{
	{
		struct want w = { "某区援建小学开学",
			          "东海日报",
			          NULL,
			          { "柳青" },
			          { NULL } };

		check("某区援建小学开学\n"
		      "□东海日报/东海新闻记者 柳青\n"
		      "援建小学九月开学,可容纳学生八百名。\n",
		      &w,
		      "某区援建小学开学\n援建小学九月开学,可容纳学生八百名。");
	}
	{
		struct want w = { "某县消费帮扶月启动",
			          "西山晚报",
			          NULL,
			          { "顾远" },
			          { NULL } };

		check("某县消费帮扶月启动\n"
		      "西山晚报讯(记者 顾远)近日,某县消费帮扶月启动。\n",
		      &w, NULL);
	}
	/* SPEC rule 18: a dateline without a year and a date only in the
	 * page's address give no date. */
	{
		struct want w = {
			"两地共建产业园开园", "北辰网", NULL, { NULL }, { NULL }
		};

		check("两地共建产业园开园\n"
		      "http://www.example.cn/2023/0621/c1001-123.html\n"
		      "北辰网某地6月19日电 产业园今日开园,首批企业入驻。\n",
		      &w, NULL);
	}
	{
		struct want w = { "两地劳务协作招聘会举行",
			          "东方某某网",
			          NULL,
			          { NULL },
			          { NULL } };

		check("两地劳务协作招聘会举行\n"
		      "东方某某网消息 近日,两地劳务协作招聘会举行。\n",
		      &w, NULL);
	}
}

/* "文/X" names the author, "图/X" the photographer; a copy that begins
 * with a photo caption has no title (SPEC rule 17). */
static void
test_slash_bylines(void)
{
	{
		struct want w = {
			"山里的协作工厂", NULL, NULL, { "秦川" }, { NULL }
		};

		check("山里的协作工厂\n"
		      "文/图 秦川\n"
		      "工厂开在村口,村民在家门口上班。\n",
		      &w, "山里的协作工厂\n工厂开在村口,村民在家门口上班。");
	}
	{
		struct want w = {
			"某县的帮扶车间", NULL, NULL, { "殷平" }, { NULL }
		};

		check("某县的帮扶车间\n"
		      "文|殷平 图|陶然\n"
		      "车间吸纳了附近的村民就业。\n",
		      &w, NULL);
	}
	{
		struct want w = { NULL, NULL, NULL, { NULL }, { NULL } };

		check("工人在协作车间里赶制订单(某某社记者 任远 摄)\n"
		      "今年以来,车间订单增长三成,吸纳当地群众就业。\n",
		      &w, NULL);
	}
}

/* A newspaper's e-edition: the paper and the date on one line, a page
 * bar, the headline over a kicker and a byline of this paper (本报: no
 * source of its own). */
static void
test_epaper(void)
{
	struct want w = { "两地协作共建产业园区",
		          "南湖日报",
		          "2021-03-04",
		          { "李明" },
		          { NULL } };

	check("南湖日报 2021年03月04日 星期四\n"
	      "第A03版:要闻 上一版 下一版\n"
	      "两地协作共建产业园区\n"
	      "——东部某市帮扶西部某县纪实\n"
	      "本报记者 李明 通讯员 赵强\n"
	      "今年以来,两地协作共建产业园区,成效明显。\n",
	      &w,
	      "两地协作共建产业园区\n"
	      "——东部某市帮扶西部某县纪实\n"
	      "今年以来,两地协作共建产业园区,成效明显。");
}

/* Short lines above the first breadcrumb are the site's header: not in
 * the text; an outlet's name among them is the source when nothing else
 * names one. */
static void
test_header_above_crumb(void)
{
	struct want w = { "某区帮扶资金助力茶产业",
		          "东滨日报",
		          "2019-06-20",
		          { NULL },
		          { NULL } };

	check("东滨日报\n"
	      "某区人民政府\n"
	      "您现在的位置: 首页 > 要闻\n"
	      "某区帮扶资金助力茶产业\n"
	      "2019-06-20 14:13\n"
	      "茶园今年采茶三百吨。\n",
	      &w, "某区帮扶资金助力茶产业\n茶园今年采茶三百吨。");
}

/* A header that welcomes the reader names the outlet when nothing else
 * does; a 来源 line beats it. */
static void
test_welcome_header(void)
{
	{
		struct want w = { "某地协作项目落地",
			          "西原经济信息网",
			          "2021-07-05",
			          { NULL },
			          { NULL } };

		check("欢迎访问西原经济信息网!\n"
		      "某地协作项目落地\n"
		      "  • 时间:2021-07-05\n"
		      "协作项目落地后,带动就业五百人。\n",
		      &w, "某地协作项目落地\n协作项目落地后,带动就业五百人。");
	}
	{
		struct want w = { "某地协作项目落地",
			          "西原日报",
			          "2021-07-05",
			          { NULL },
			          { NULL } };

		check("欢迎访问西原经济信息网!\n"
		      "某地协作项目落地\n"
		      "  • 时间:2021-07-05\n"
		      "  • 来源:西原日报\n"
		      "协作项目落地后,带动就业五百人。\n",
		      &w, NULL);
	}
}

/* A byline opening a short paragraph: read, and the paragraph stays. */
static void
test_short_lead_byline(void)
{
	struct want w = {
		"两地签约共建园区", "北湖晚报", NULL, { "孔明" }, { NULL }
	};

	check("两地签约共建园区\n"
	      "北湖晚报 记者孔明报道  两地昨日签约共建园区\n",
	      &w,
	      "两地签约共建园区\n"
	      "北湖晚报 记者孔明报道 两地昨日签约共建园区");
}

/* With no metadata line, the headline is the line above the first
 * dateline, over a photo's caption; the header's outlet is never the
 * title. */
static void
test_title_above_dateline(void)
{
	struct want w = {
		"某市协作工作队获表彰", "北山新闻网", NULL, { "柏松" }, { NULL }
	};

	check("北山新闻网\n"
	      "电脑版\n"
	      "阅读 头条 本地 原创 专题 图解 某省 天下 两岸 海峡纵横电子平台 "
	      "乡村振兴频道 人才频道 都市圈频道 金融频道 文旅频道 教育频道 "
	      "健康频道\n"
	      "某市协作工作队获表彰\n"
	      "协作车间里的工人。通讯员 霍然 摄\n"
	      "北山新闻网2月4日讯(北山日报记者 柏松)记者4日获悉,"
	      "某市协作工作队获表彰。\n",
	      &w, NULL);
}

/* A line that is only an outlet's name is no title, wherever it is. */
static void
test_outlet_line_no_title(void)
{
	struct want w = { NULL, "东港日报", "2018-10-17", { NULL }, { NULL } };

	check("首页 > 要闻 > 正文\n"
	      "东港石油网\n"
	      "2018-10-17 来源:东港日报\n"
	      "10月16日,某集团发布年度帮扶报告,投入资金一亿元。\n",
	      &w, NULL);
}

/* A row of buttons that holds a byline is read, not dropped. */
static void
test_button_byline(void)
{
	struct want w = {
		"两校结对共建", "西岭日报", "2022-03-04", { NULL }, { "钟灵" }
	};

	check("两校结对共建\n"
	      "2022-03-04 来源:西岭日报\n"
	      "两校结对后开展教研交流。\n"
	      "【纠错】 【责任编辑:钟灵】\n",
	      &w, "两校结对共建\n两校结对后开展教研交流。");
}

/* Titles and bylines around datelines, info lines and headers. */
static void
test_page_heads(void)
{
	/* "<agency>某地5月13日电 题:X", then a bare author line. */
	{
		struct want w = { "十年携手——某县重建见闻",
			          "新华社",
			          NULL,
			          { "吕方" },
			          { NULL } };

		check("新华社某地5月13日电 题:十年携手——某县重建见闻\n"
		      "吕方\n"
		      "十年前,某县遭受重创,如今处处新貌。\n",
		      &w,
		      "新华社某地5月13日电 题:十年携手——某县重建见闻\n"
		      "十年前,某县遭受重创,如今处处新貌。");
	}
	/* An info line: the site's name and address, then labels. */
	{
		struct want w = { "某部:多措并举助力贫困地区",
			          "公益某网",
			          "2017-02-17",
			          { NULL },
			          { "郭静" } };

		check("您现在的位置: 首页> 高层声音\n"
		      "某部:多措并举助力贫困地区\n"
		      "公益某网 gy.example.com.cn  时间: 2017-02-17  "
		      "责任编辑: 郭静\n"
		      "记者日前从某部获悉,相关工程进展顺利。\n",
		      &w, NULL);
	}
	/* A web address before the date; a date line ending with the
	 * outlet's name. */
	{
		struct want w = { "某地协作硕果累累",
			          "人民某网",
			          "2018-06-15",
			          { NULL },
			          { NULL } };

		check("CNML格式】 【 】 【打 印】\n"
		      "某地协作硕果累累\n"
		      "http://www.example.com   2018-06-15 11:12:52\n"
		      "某社北京6月15日电/近日,两地举行签约仪式。\n"
		      "(来源:人民某网)\n",
		      &w, NULL);
	}
	{
		struct want w = { "《某省援疆志》出版",
			          "江南经济报",
			          "2024-04-26",
			          { NULL },
			          { NULL } };

		check("《某省援疆志》出版\n"
		      "2024年04月26日 11:56 江南经济报\n"
		      "该书记述了二十多年来的援疆工作。\n",
		      &w, NULL);
	}
	/* An app's info block: outlet, author, date. */
	{
		struct want w = { "十年答卷 | 携手共富",
			          "南江+",
			          "2022-10-15",
			          { "吴明华" },
			          { NULL } };

		check("十年答卷 | 携手共富\n"
		      "南江+\n"
		      "吴明华\n"
		      "2022-10-15 23:26\n"
		      "十年来,南江与西部两市携手共进。\n",
		      &w, NULL);
	}
	/* The page's header names the outlet when nothing else does. */
	{
		struct want w = { "扶贫路上的企业担当",
			          "每日某某新闻",
			          "2020-09-08",
			          { NULL },
			          { NULL } };

		check("每日某某新闻\n"
		      "某网首页 > 商讯 > 正文\n"
		      "扶贫路上的企业担当\n"
		      "2020-09-08 18:27:19\n"
		      "长期以来,某公司积极履行社会责任。\n",
		      &w, NULL);
	}
	/* A forum thread: its section before the title, 源自 the source,
	 * the floor and the chrome not in the text. */
	{
		struct want w = { "某旗贫困人口清零",
			          "北方日报客户端",
			          NULL,
			          { NULL },
			          { NULL } };

		check("某某论坛\n"
		      "找回密码\n"
		      "查看: 147|回复: 0\n"
		      "1# 某某用户\n"
		      "[原创·新闻某旗贫困人口清零\n"
		      " [复制链接]\n"
		      "源自:北方日报客户端\n"
		      "近日,某旗宣布贫困人口清零。\n",
		      &w,
		      "某某论坛\n"
		      "[原创·新闻某旗贫困人口清零\n"
		      "近日,某旗宣布贫困人口清零。");
	}
}

int
main(void)
{
	char err[512];

	if (extload_open(&el, NULL, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "meta_test: %s\n", err);
		return 1;
	}
	test_head_layouts();
	test_no_title();
	test_agency();
	test_bracket_roles();
	test_not_meta();
	test_page_shapes();
	test_page_heads();
	test_button_byline();
	test_not_outlet();
	test_bylines_alone();
	test_slash_bylines();
	test_epaper();
	test_header_above_crumb();
	test_welcome_header();
	test_short_lead_byline();
	test_title_above_dateline();
	test_outlet_line_no_title();
	extload_close(&el);
	return test_done("meta_test");
}
