/* fuzz_protocol.c - libFuzzer target over daemon/protocol.c: the testing-message
 * parser and the decision function, with sequences of node events and state.
 *
 * Input: a sequence of records  [type][len lo][len hi][len bytes payload]
 * (a short tail is taken as it is). type & 3 selects:
 *   0  an event on control/shutdown with the payload as value
 *   1  an event on control/testing  with the payload as value
 *      (type & 4: the node is absent; type & 8: the daemon's ack write succeeds and
 *      the watch event it causes is decided too)
 *   2  set a state field, as a reloaded daemon might find it: payload[0] % 4 selects
 *      seen_shutdown, seen_shutdown_ack, seen_testing (rest of payload, up to its
 *      first NUL, truncated to fit) or the pending override (rest parsed as a
 *      testing message; invalid = no override)
 *   3  parse the payload as a testing message (plus the format/parse round trip)
 *
 * Every property below aborts (a crash for libFuzzer) when it does not hold; they are
 * the rules of docs/protocol.md that can be checked without I/O. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

#define REQUIRE(cond)                                                                   \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "fuzz_protocol: property failed at line %d: %s\n", \
				__LINE__, #cond);                                       \
			abort();                                                        \
		}                                                                       \
	} while (0)

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* A reason is one line of printable ASCII that fits its buffer. */
static void check_reason(const char *reason, size_t size)
{
	REQUIRE(terminated(reason, size));
	for (const char *p = reason; *p; p++)
		REQUIRE(*p >= 0x20 && *p <= 0x7e);
}

static bool same_message(const struct xtv_message *a, const struct xtv_message *b)
{
	return a->when == b->when && a->ack == b->ack && a->action == b->action &&
	       (a->ack != XTV_ACK_STRING || strcmp(a->ack_string, b->ack_string) == 0);
}

static void check_message(const struct xtv_message *m)
{
	REQUIRE(m->when == XTV_WHEN_NOW || m->when == XTV_WHEN_ONSHUTDOWN);
	REQUIRE(m->ack >= XTV_ACK_OK && m->ack <= XTV_ACK_STRING);
	REQUIRE(m->action >= XTV_ACTION_IGNORE && m->action <= XTV_ACTION_CRASH);
	REQUIRE(terminated(m->ack_string, sizeof(m->ack_string)));
	if (m->ack == XTV_ACK_STRING) {
		enum xtv_action as_request;
		size_t len = strlen(m->ack_string);

		REQUIRE(len > 0 && len <= PROTOCOL_MAX_ACK_STRING);
		/* The daemon must never write an ack it would read back as a request. */
		REQUIRE(protocol_shutdown_request(m->ack_string, len, &as_request) != 0);
	}
}

/* Parse, and for a valid message: canonical form parses back to the same message. */
static int parse(const char *value, size_t len, struct xtv_message *msg)
{
	char reason[PROTOCOL_MAX_REASON];
	char canon[PROTOCOL_MAX_MESSAGE + 1];
	struct xtv_message again;
	int ret, n;

	memset(reason, 'x', sizeof(reason));
	ret = protocol_parse_testing(value, len, msg, reason, sizeof(reason));
	REQUIRE(ret == 0 || ret == -1);
	if (ret != 0) {
		check_reason(reason, sizeof(reason));
		REQUIRE(reason[0] != '\0');
		return -1;
	}
	check_message(msg);
	n = protocol_format_message(msg, canon, sizeof(canon));
	REQUIRE(n > 0 && (size_t)n < sizeof(canon) && strlen(canon) == (size_t)n);
	REQUIRE(protocol_parse_testing(canon, (size_t)n, &again, reason, sizeof(reason)) == 0);
	REQUIRE(same_message(msg, &again));
	return 0;
}

static bool same_state(const struct xtv_state *a, const struct xtv_state *b)
{
	return a->has_pending == b->has_pending &&
	       (!a->has_pending || same_message(&a->pending, &b->pending)) &&
	       strcmp(a->seen_shutdown, b->seen_shutdown) == 0 &&
	       strcmp(a->seen_shutdown_ack, b->seen_shutdown_ack) == 0 &&
	       strcmp(a->seen_testing, b->seen_testing) == 0;
}

static void check_state(const struct xtv_state *s)
{
	REQUIRE(terminated(s->seen_shutdown, sizeof(s->seen_shutdown)));
	REQUIRE(terminated(s->seen_shutdown_ack, sizeof(s->seen_shutdown_ack)));
	REQUIRE(terminated(s->seen_testing, sizeof(s->seen_testing)));
	if (s->has_pending)
		check_message(&s->pending);
}

/* decide + the properties of one decision. */
static void decide(enum xtv_node node, const char *value, size_t len, bool present,
		   const struct xtv_state *state, struct xtv_decision *d)
{
	struct xtv_state copy = *state;
	struct xtv_message msg;
	enum xtv_action requested;

	protocol_decide(node, value, len, present, state, d);
	REQUIRE(memcmp(&copy, state, sizeof(copy)) == 0); /* input state untouched */
	REQUIRE(d->verdict >= XTV_SILENT && d->verdict <= XTV_REJECTED);
	REQUIRE(d->action >= XTV_ACTION_IGNORE && d->action <= XTV_ACTION_CRASH);
	check_reason(d->reason, sizeof(d->reason));
	check_state(&d->new_state);
	if (!d->state_changed)
		REQUIRE(same_state(state, &d->new_state));
	if (d->ack_needed) {
		REQUIRE(d->ack >= XTV_ACK_OK && d->ack <= XTV_ACK_STRING);
		REQUIRE(terminated(d->ack_string, sizeof(d->ack_string)));
		if (d->ack == XTV_ACK_STRING)
			REQUIRE(d->ack_string[0] != '\0');
	}

	if (!present || len == 0) {
		REQUIRE(d->verdict == XTV_SILENT);
		REQUIRE(!d->ack_needed && d->action == XTV_ACTION_IGNORE);
		return;
	}
	REQUIRE(d->verdict != XTV_SILENT);
	if (d->verdict == XTV_SKIP) {
		REQUIRE(!d->ack_needed && d->action == XTV_ACTION_IGNORE && !d->state_changed);
		return;
	}

	if (node == XTV_NODE_TESTING) {
		/* Every new testing message is acknowledged with "", valid or not. */
		REQUIRE(d->ack_needed && d->ack == XTV_ACK_OK);
		REQUIRE((d->verdict == XTV_HANDLED) == (parse(value, len, &msg) == 0));
		if (d->verdict == XTV_REJECTED) {
			REQUIRE(d->action == XTV_ACTION_IGNORE);
			REQUIRE(same_message(&d->new_state.pending, &state->pending) &&
				d->new_state.has_pending == state->has_pending);
		} else if (msg.when == XTV_WHEN_NOW) {
			REQUIRE(d->action == msg.action);
			REQUIRE(d->new_state.has_pending == state->has_pending);
		} else {
			REQUIRE(d->action == XTV_ACTION_IGNORE);
			REQUIRE(d->new_state.has_pending &&
				same_message(&d->new_state.pending, &msg));
		}
		return;
	}

	/* control/shutdown */
	if (protocol_shutdown_request(value, len, &requested) != 0) {
		/* Anything but the five requests: logged, not acknowledged, not acted on. */
		REQUIRE(d->verdict == XTV_REJECTED);
		REQUIRE(!d->ack_needed && d->action == XTV_ACTION_IGNORE);
		REQUIRE(d->new_state.has_pending == state->has_pending);
		return;
	}
	REQUIRE(requested != XTV_ACTION_IGNORE);
	REQUIRE(d->verdict == XTV_HANDLED && d->ack_needed);
	if (state->has_pending) {
		/* The override is used once, for this request. */
		REQUIRE(d->ack == state->pending.ack && d->action == state->pending.action);
		REQUIRE(!d->new_state.has_pending);
		if (d->ack == XTV_ACK_STRING)
			REQUIRE(strcmp(d->ack_string, state->pending.ack_string) == 0);
	} else {
		REQUIRE(d->ack == XTV_ACK_OK && d->action == requested);
	}
}

/* What the node holds after the daemon wrote the ack of decision d. */
static void node_after_ack(const struct xtv_decision *d, const char *value, size_t len,
			   const char **out, size_t *out_len, bool *present)
{
	*present = true;
	switch (d->ack) {
	case XTV_ACK_OK:
		*out = "";
		*out_len = 0;
		break;
	case XTV_ACK_NONE:
		*out = value;
		*out_len = len;
		break;
	case XTV_ACK_DELETE:
		*out = "";
		*out_len = 0;
		*present = false;
		break;
	case XTV_ACK_STRING:
		*out = d->ack_string;
		*out_len = strlen(d->ack_string);
		break;
	}
}

/* An event on node, as the daemon handles it, and the properties across events. */
static void event(enum xtv_node node, const char *value, size_t len, bool present,
		  bool ack_succeeds, struct xtv_state *state)
{
	struct xtv_decision d, again, echo;
	const char *after;
	size_t after_len;
	bool after_present;

	decide(node, value, len, present, state, &d);

	/* The same value seen again (a spurious watch, a respawned daemon that
	 * persisted new_state) is never a second request. */
	decide(node, value, len, present, &d.new_state, &again);
	REQUIRE(again.verdict != XTV_HANDLED && again.action == XTV_ACTION_IGNORE);
	if (d.verdict != XTV_SILENT && len <= PROTOCOL_MAX_MESSAGE && !memchr(value, '\0', len))
		REQUIRE(again.verdict == XTV_SKIP);

	*state = d.new_state;
	if (!d.ack_needed || !ack_succeeds)
		return;
	/* The daemon writes its ack; the watch then shows the node as the ack left it,
	 * which must never read as a new request (no loop on our own writes). */
	protocol_ack_written(node, &d, state);
	check_state(state);
	node_after_ack(&d, value, len, &after, &after_len, &after_present);
	decide(node, after, after_len, after_present, state, &echo);
	REQUIRE(echo.verdict == XTV_SILENT || echo.verdict == XTV_SKIP);
	REQUIRE(!echo.ack_needed && echo.action == XTV_ACTION_IGNORE);
	*state = echo.new_state;
}

static void set_field(const uint8_t *p, size_t len, struct xtv_state *state)
{
	char *slot;
	size_t size, n;

	if (len == 0)
		return;
	switch (p[0] % 4) {
	case 0: slot = state->seen_shutdown; size = sizeof(state->seen_shutdown); break;
	case 1: slot = state->seen_shutdown_ack; size = sizeof(state->seen_shutdown_ack); break;
	case 2: slot = state->seen_testing; size = sizeof(state->seen_testing); break;
	default: {
		struct xtv_message msg;

		state->has_pending = parse((const char *)p + 1, len - 1, &msg) == 0;
		if (state->has_pending)
			state->pending = msg;
		else
			memset(&state->pending, 0, sizeof(state->pending));
		return;
	}
	}
	n = len - 1 < size - 1 ? len - 1 : size - 1;
	memcpy(slot, p + 1, n);
	slot[n] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xtv_state state;
	size_t pos = 0;

	memset(&state, 0, sizeof(state));
	while (pos < size) {
		uint8_t type = data[pos++];
		size_t len = 0;
		char *value;

		if (pos + 2 <= size) {
			len = (size_t)data[pos] | (size_t)data[pos + 1] << 8;
			pos += 2;
		} else {
			pos = size;
		}
		if (len > size - pos)
			len = size - pos;
		/* A heap copy of exactly len bytes: ASan sees any read past the value. */
		value = malloc(len ? len : 1);
		REQUIRE(value != NULL);
		memcpy(value, data + pos, len);
		pos += len;

		switch (type & 3) {
		case 0:
		case 1:
			event((type & 3) ? XTV_NODE_TESTING : XTV_NODE_SHUTDOWN, value, len,
			      !(type & 4), type & 8, &state);
			break;
		case 2:
			set_field((const uint8_t *)value, len, &state);
			break;
		case 3: {
			struct xtv_message msg;

			(void)parse(value, len, &msg);
			break;
		}
		}
		free(value);
	}
	return 0;
}
