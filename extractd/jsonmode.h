/* jsonmode.h - `extractd --json FILE...`: extraction without a database
 * or ZeroMQ, one JSON line per article on stdout. */
#ifndef EXTRACTD_JSONMODE_H
#define EXTRACTD_JSONMODE_H

#include <stdbool.h>
#include <stddef.h>

struct extload;

/* files: paths, "-" for standard input. A file that cannot be read or
 * decoded gives a line {"file":..., "error":..., "offset":...} and the
 * function returns 1 at the end; 0 when every article was extracted. */
int jsonmode_run(const struct extload *el, char **files, size_t n,
                 size_t max_bytes, const char *charset, bool with_text);

#endif
