/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the dispatch.sock decoder that PID 1 of every jail
 * runs on whatever a client sends: any datagram either decodes into
 * strings that lie inside it and re-encode to the same bytes, or is
 * refused; nothing else may happen.
 */
#include <assert.h>

#include "state/dispatch-proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dispatch_run run = {};
	struct dispatch_small small;
	void *copy, *again = NULL;
	size_t len;

	if (size > DISPATCH_MSG_MAX)
		return 0;
	/* An exact-size heap copy, so ASan sees any read past the datagram. */
	copy = malloc(size == 0 ? 1 : size);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	(void) dispatch_peek_type(copy, size);
	(void) dispatch_decode_small(copy, size, &small);
	if (dispatch_decode_run(copy, size, &run) == 0) {
		assert(dispatch_encode_run_tty(run.argv, run.envp, run.cwd, &run.tty, &again,
		                               &len) == 0);
		assert(len == size && memcmp(again, copy, size) == 0);
		free(again);
		dispatch_run_done(&run);
	}
	free(copy);
	return 0;
}
