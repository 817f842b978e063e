/* fuzz_flatjson.c - libFuzzer over flatjson_parse(), the parser of stdin
 * lines and NAME.meta.json sidecars (both written by others): any bytes;
 * every value it keeps is read back, and a string written with
 * flatjson_put_str() parses again to the same bytes. */
#include "err.h"
#include "flatjson.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
round_trip(const char *v, size_t vlen)
{
	char *buf = NULL;
	size_t len = 0, glen = 0;
	flatjson_t *j = NULL;
	const char *got;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	fputs("{\"k\":", f);
	flatjson_put_str(f, v);
	fputs("}", f);
	fclose(f);
	if (flatjson_parse(buf, len, &j, NULL) != 0)
		abort(); /* we cannot read what we wrote */
	got = flatjson_get(j, "k", &glen);
	/* put_str writes up to the first NUL */
	if (!got || glen != strnlen(v, vlen) || memcmp(got, v, glen) != 0)
		abort();
	flatjson_destroy(&j);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "body", "body_b64", "uri",
		                            "feed", "charset",  "received_us",
		                            "" };
	flatjson_t *j = NULL;
	size_t at = 0;

	if (flatjson_parse((const char *)data, size, &j, &at) != 0) {
		if (at > size)
			abort(); /* the error offset is inside the input */
		return 0;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t len = 0;
		const char *v = flatjson_get(j, keys[i], &len);

		if (v) {
			if (v[len] != '\0')
				abort();
			round_trip(v, len);
		}
	}
	flatjson_destroy(&j);
	return 0;
}
