/* jsonmode.h - `extractd --json FILE...`: extraction without a database
 * or ZeroMQ, one JSON line per article on stdout; `extractd --explain
 * FILE...`: the same extraction, sentence by sentence, for people. */
#ifndef EXTRACTD_JSONMODE_H
#define EXTRACTD_JSONMODE_H

#include <stdbool.h>
#include <stddef.h>

struct extload;

/* files: paths, "-" for standard input. A file that cannot be read or
 * decoded gives a line {"file":..., "error":..., "offset":...} and the
 * function returns 1 at the end; 0 when every article was extracted.
 * explain: instead of JSON, print each sentence with what the stages found
 * in it and which rule made or refused each pairing and flow. */
int jsonmode_run(const struct extload *el, char **files, size_t n,
                 size_t max_bytes, const char *charset, bool with_text,
                 bool explain);

#endif
