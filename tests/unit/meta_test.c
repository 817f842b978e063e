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
	struct arena *ar = ar_new();
	struct ext_doc d;
	size_t off, i;
	int rc;

	memset(&d, 0, sizeof(d));
	rc = txt_normalise(el.tables->txt, el.tables->t2s, el.tables->t2s_ctx,
	                   page, strlen(page), NULL, ar, &d, &off);
	CHECK_INT(rc, 0, "%.30s", page);
	if (rc != 0) {
		ar_destroy(&ar);
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
	ar_destroy(&ar);
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
	extload_close(&el);
	return test_done("meta_test");
}
