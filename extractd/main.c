/* main.c - TEMPORARY: only --json until the worker lands. */
#include "extload.h"
#include "extract/extract.h"
#include "jsonmode.h"

#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
	struct extload el;
	char err[512];
	int rc;

	if (argc < 3 || strcmp(argv[1], "--json") != 0) {
		fprintf(stderr, "usage: extractd --json FILE...\n");
		return 2;
	}
	if (extload_open(&el, NULL, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "extractd: %s\n", err);
		return 1;
	}
	rc = jsonmode_run(&el, argv + 2, (size_t)argc - 2, 4u << 20, NULL,
			  false);
	extload_close(&el);
	return rc;
}
