/* seedgen.c - turn the unit tests' inputs into fuzz seeds (at build time).
 *
 * tests/unit/test_protocol.c is compiled with
 *   -Dprotocol_parse_testing=seed_parse_testing -Dprotocol_decide=seed_decide
 * and linked with this file: every call the unit tests make is written to
 * $XTV_SEED_DIR as one input in fuzz_protocol.c's record format, then passed on to
 * the real function, so the tests still run (their output is not needed here). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

int seed_parse_testing(const char *value, size_t len, struct xtv_message *msg, char *reason,
		       size_t reason_size);
void seed_decide(enum xtv_node node, const char *value, size_t len, bool present,
		 const struct xtv_state *state, struct xtv_decision *decision);

#define SEED_MAX (4 * (PROTOCOL_MAX_MESSAGE + 8) + 4096)

struct seed {
	uint8_t bytes[SEED_MAX];
	size_t len;
};

static void record(struct seed *s, uint8_t type, const void *payload, size_t len)
{
	if (len > 0xffff || s->len + 3 + len > sizeof(s->bytes))
		return;
	s->bytes[s->len++] = type;
	s->bytes[s->len++] = (uint8_t)(len & 0xff);
	s->bytes[s->len++] = (uint8_t)(len >> 8);
	memcpy(s->bytes + s->len, payload, len);
	s->len += len;
}

/* Type 2 record: selector byte, then the field's text. */
static void record_field(struct seed *s, uint8_t which, const char *text, size_t len)
{
	uint8_t buf[PROTOCOL_MAX_MESSAGE + 2];

	if (len + 1 > sizeof(buf))
		return;
	buf[0] = which;
	memcpy(buf + 1, text, len);
	record(s, 2, buf, len + 1);
}

/* Write the seed to $XTV_SEED_DIR/seed-<FNV-1a of its bytes> (duplicates collapse). */
static void save(const struct seed *s)
{
	const char *dir = getenv("XTV_SEED_DIR");
	uint64_t h = 0xcbf29ce484222325ull;
	char path[4096];
	FILE *f;

	if (!dir || s->len == 0)
		return;
	for (size_t i = 0; i < s->len; i++)
		h = (h ^ s->bytes[i]) * 0x100000001b3ull;
	snprintf(path, sizeof(path), "%s/seed-%016llx", dir, (unsigned long long)h);
	f = fopen(path, "wb");
	if (!f || fwrite(s->bytes, 1, s->len, f) != s->len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

int seed_parse_testing(const char *value, size_t len, struct xtv_message *msg, char *reason,
		       size_t reason_size)
{
	static struct seed s;

	s.len = 0;
	record(&s, 3, value, len);
	save(&s);
	return protocol_parse_testing(value, len, msg, reason, reason_size);
}

void seed_decide(enum xtv_node node, const char *value, size_t len, bool present,
		 const struct xtv_state *state, struct xtv_decision *decision)
{
	static struct seed s;
	char pending[PROTOCOL_MAX_MESSAGE + 1];
	int n;

	s.len = 0;
	if (state->seen_shutdown[0])
		record_field(&s, 0, state->seen_shutdown, strlen(state->seen_shutdown));
	if (state->seen_shutdown_ack[0])
		record_field(&s, 1, state->seen_shutdown_ack, strlen(state->seen_shutdown_ack));
	if (state->seen_testing[0])
		record_field(&s, 2, state->seen_testing, strlen(state->seen_testing));
	if (state->has_pending) {
		n = protocol_format_message(&state->pending, pending, sizeof(pending));
		if (n > 0)
			record_field(&s, 3, pending, (size_t)n);
	}
	/* Event with a successful ack write (type bit 8), node absent = bit 4. */
	record(&s, (uint8_t)((node == XTV_NODE_TESTING ? 1 : 0) | (present ? 0 : 4) | 8), value,
	       len);
	save(&s);
	protocol_decide(node, value, len, present, state, decision);
}
