/* fuzz_wire.c - libFuzzer over wire_unpack(), the parser of every frame a
 * peer sends (untrusted without CURVE): any bytes, under a size limit;
 * what unpacks must pack again and unpack to the same message. */
#include "err.h"
#include "wire.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
same(const struct wire_msg *a, const struct wire_msg *b)
{
	if (a->type != b->type || a->credit != b->credit ||
	    a->epoch != b->epoch || a->in_hand != b->in_hand)
		abort();
	if (a->type == WIRE_ACK &&
	    (a->status != b->status || strcmp(a->id, b->id) != 0 ||
	     strcmp(a->reason, b->reason) != 0))
		abort();
	if (a->type == WIRE_WORK &&
	    (strcmp(a->art.id, b->art.id) != 0 ||
	     a->art.body_len != b->art.body_len ||
	     (a->art.body_len &&
	      memcmp(a->art.body, b->art.body, a->art.body_len) != 0) ||
	     a->art.received_us != b->art.received_us ||
	     a->art.attempt != b->art.attempt))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_msg m, again;
	void *buf = NULL;
	size_t len = 0;

	if (wire_unpack(data, size, 1 << 20, &m) != 0)
		return 0;
	(void)wire_type_str(m.type);
	(void)wire_status_str(m.status);
	if (wire_pack(&m, &buf, &len) == 0) {
		if (wire_unpack(buf, len, 1 << 20, &again) != 0)
			abort(); /* what we accept we can send */
		same(&m, &again);
		wire_msg_clear(&again);
		free(buf);
	}
	wire_msg_clear(&m);
	return 0;
}
