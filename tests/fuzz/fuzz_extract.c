/* fuzz_extract.c - libFuzzer over the whole extraction library: any bytes,
 * any charset hint, with and without explain notes, through ext_extract()
 * and the JSON writer, with the real tables. */
#include "extload.h"
#include "extract.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static struct extload s_el;
static int s_ready;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[512];

	(void)argc, (void)argv;
	if (extload_open(&s_el, NULL, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_extract: %s\n", err);
		abort();
	}
	s_ready = 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hints[] = { NULL, "utf-8", "gb18030", "big5" };
	struct ext_options opt = { NULL, 1u << 20, false };
	struct ext_result *res = NULL;
	size_t off = 0;

	if (!s_ready || size == 0)
		return 0;
	/* The first byte picks the hint, so the corpus explores all four,
	 * and whether the stages keep --explain notes. */
	opt.charset = hints[data[0] & 3];
	opt.explain = (data[0] & 4) != 0;
	if (ext_extract(s_el.tables, data + 1, size - 1, &opt, &res, &off) ==
	    0) {
		char *json = ext_result_json(res, "fuzz", true);

		/* notes point into the result: touch every one */
		for (size_t i = 0; i < res->n_notes; i++)
			if (!res->notes[i].text ||
			    res->notes[i].sentence >= res->n_sentences + 1)
				abort();
		free(json);
		ext_result_destroy(&res);
	}
	return 0;
}
