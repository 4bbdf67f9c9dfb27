/* seedgen.c - turn the unit tests' inputs into fuzz seeds (at build time).
 *
 * tests/unit/test_protocol.c is compiled with
 *   -Dprotocol_parse_testing=seed_parse_testing -Dprotocol_decide=seed_decide
 *   -Dprotocol_ack_refused=seed_ack_refused
 * and linked with this file: every call the unit tests make is written to
 * $XTV_SEED_DIR as one input in fuzz_protocol.c's record format (the state as
 * type-2 records, then the event), then passed on to the real function, so the
 * tests still run (their output is not needed here). A decision is recorded with
 * its ack written (outcome 1); a refusal that follows it is recorded again as the
 * same decision with the ack refused (outcome 2). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

int seed_parse_testing(const char *value, size_t len, struct xtv_message *msg, char *reason,
		       size_t reason_size);
void seed_decide(const struct xtv_event *event, const struct xtv_state *state,
		 struct xtv_plan *plan);
void seed_ack_refused(const struct xtv_event *event, struct xtv_plan *plan);

#define SEED_MAX (4 * (PROTOCOL_MAX_MESSAGE + PROTOCOL_MAX_ACK_STRING + 8) + 4096)

/* fuzz_protocol.c's record types and bits. */
enum { REC_SHUTDOWN = 0, REC_TESTING = 1, REC_STATE = 2, REC_PARSE = 3 };
#define EV_ABSENT 0x04
#define EV_OUTCOME_SHIFT 3
#define EV_ACKED 1
#define EV_REFUSED 2
#define EV_REREAD 0x20
#define SEL_KERNEL_OWNS 0x05 /* selector 1, bit 2 set */
#define SEL_PENDING 0x03

struct seed {
	uint8_t bytes[SEED_MAX];
	size_t len;
	size_t event_at; /* offset of the last event record's type byte */
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

/* Type 2 record: selector byte, then up to two NUL-separated texts. */
static void record_state(struct seed *s, uint8_t selector, const char *text, const char *extra)
{
	uint8_t buf[PROTOCOL_MAX_MESSAGE + PROTOCOL_MAX_ACK_STRING + 4];
	size_t len = strlen(text);
	size_t n = 0;

	if (1 + len + 1 + (extra ? strlen(extra) : 0) > sizeof(buf))
		return;
	buf[n++] = selector;
	memcpy(buf + n, text, len);
	n += len;
	if (extra) {
		buf[n++] = '\0';
		memcpy(buf + n, extra, strlen(extra));
		n += strlen(extra);
	}
	record(s, REC_STATE, buf, n);
}

static void record_held(struct seed *s, enum xtv_node node, const struct xtv_held *h)
{
	static const uint8_t hold_bits[] = { [XTV_HOLD_UNACKED] = 0, [XTV_HOLD_OWN] = 1,
					     [XTV_HOLD_OWED] = 2 };
	static const uint8_t owed_bits[] = { [XTV_ACK_OK] = 0, [XTV_ACK_DELETE] = 1,
					     [XTV_ACK_STRING] = 2, [XTV_ACK_NONE] = 3 };
	bool owed_string = h->hold == XTV_HOLD_OWED && h->owed_ack == XTV_ACK_STRING;

	if (h->hold == XTV_HOLD_NOTHING)
		return;
	record_state(s,
		     (uint8_t)((node == XTV_NODE_TESTING ? 2 : 0) | hold_bits[h->hold] << 2 |
			       (h->hold == XTV_HOLD_OWED ? owed_bits[h->owed_ack] << 4 : 0)),
		     h->value, owed_string ? h->owed_string : NULL);
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
	record(&s, REC_PARSE, value, len);
	save(&s);
	return protocol_parse_testing(value, len, msg, reason, reason_size);
}

/* The last decision's seed, for seed_ack_refused. */
static struct seed last_decision;

void seed_decide(const struct xtv_event *event, const struct xtv_state *state,
		 struct xtv_plan *plan)
{
	struct seed *s = &last_decision;
	char pending[PROTOCOL_MAX_MESSAGE + 1];
	int n;

	s->len = 0;
	if (state->has_pending) {
		n = protocol_format_message(&state->pending, pending, sizeof(pending));
		if (n > 0)
			record_state(s, SEL_PENDING, pending, NULL);
	}
	if (state->kernel_owns_shutdown)
		record_state(s, SEL_KERNEL_OWNS, "", NULL);
	record_held(s, XTV_NODE_SHUTDOWN, &state->held[XTV_NODE_SHUTDOWN]);
	record_held(s, XTV_NODE_TESTING, &state->held[XTV_NODE_TESTING]);
	s->event_at = s->len;
	record(s,
	       (uint8_t)((event->node == XTV_NODE_TESTING ? REC_TESTING : REC_SHUTDOWN) |
			 (event->present ? 0 : EV_ABSENT) | EV_ACKED << EV_OUTCOME_SHIFT |
			 (event->kind == XTV_EVENT_REREAD ? EV_REREAD : 0)),
	       event->value, event->present ? event->len : 0);
	save(s);
	protocol_decide(event, state, plan);
}

void seed_ack_refused(const struct xtv_event *event, struct xtv_plan *plan)
{
	struct seed *s = &last_decision;

	if (s->len > s->event_at) {
		s->bytes[s->event_at] = (uint8_t)((s->bytes[s->event_at] &
						   ~(3 << EV_OUTCOME_SHIFT)) |
						  EV_REFUSED << EV_OUTCOME_SHIFT);
		save(s);
	}
	protocol_ack_refused(event, plan);
}
