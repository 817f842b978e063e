/* extload.h - builds the extraction tables from a data directory and
 * opens the OpenCC converter (the I/O that extract/ never does).
 *
 * Used by extractd, the tests, the fuzzers and the benchmarks, so they all
 * run the same tables. */
#ifndef EXTRACTD_EXTLOAD_H
#define EXTRACTD_EXTLOAD_H

#include <stddef.h>

struct ext_tables;

struct extload {
	struct ext_tables *tables;
	char data_hash[17]; /* FNV-1a 64 of the data files, hex */
	char data_dir[4096];
	void *opencc; /* opencc_t, or NULL when conversion is off */
	/* How Traditional script is converted (for the start-up log): the
	 * character-wise path and its phrase count, or why it is off. */
	char t2s_note[256];
};

/* Finds the data directory: dir if not NULL/empty, else $EXTRACTD_DATA,
 * else the source tree's data/ (build-time), else the installed
 * location. Loads every *.tsv in it (sorted by name, so the hash is
 * stable), opens OpenCC's t2s configuration (opencc_config NULL: the
 * default "t2s.json"). On error returns -1 and writes a message into err
 * (errlen bytes). */
int extload_open(struct extload *el, const char *dir, const char *opencc_config,
                 char *err, size_t errlen);
void extload_close(struct extload *el);

/* The data directory that extload_open() would pick (static or dir). */
const char *extload_default_dir(void);

#endif
