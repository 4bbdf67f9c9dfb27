/* fuzz_protocol.c - libFuzzer target over daemon/protocol.c: the testing-message
 * parser and the decision function (protocol_decide, protocol_ack_refused), with
 * sequences of events and the state a daemon can hold between them.
 *
 * Input: a sequence of records  [type][len lo][len hi][len bytes payload]
 * (a short tail is taken as it is). type & 3 selects:
 *   0  an event on control/shutdown with the payload as the node's value
 *   1  an event on control/testing  with the payload as the node's value
 *        type & 4      the node is absent
 *        type & 0x20   the daemon's own re-read (XTV_EVENT_REREAD), else a write
 *        (type >> 3) & 3: what becomes of the plan
 *          0  committed; the next record is the node's next event
 *          1  committed and the ack written: the watch event of that write is
 *             decided too (with no ack: the daemon's re-read of what it left)
 *          2  committed with the ack refused (EACCES): protocol_ack_refused, then
 *             the node's next event must retry the owed ack (on control/testing
 *             the tester's chmod; on control/shutdown the daemon's re-read)
 *          3  the commit lost to a newer write: the plan is dropped
 *   2  set the state as a reloaded daemon can find it; payload[0] selects:
 *        & 3 == 3     the pending override: the rest parsed as a testing message
 *                     (a valid onshutdown message, else no override)
 *        & 3 == 1     kernel_owns_shutdown = payload[0] & 4
 *        & 3 == 0, 2  the held record of control/shutdown, control/testing:
 *                     (payload[0] >> 2) & 3 = unacked, own, owed, nothing;
 *                     (payload[0] >> 4) & 3 = owed ack ok, delete, string, string;
 *                     the rest = value, then after a NUL the owed ack string.
 *                     A record the daemon cannot have written (empty or too long
 *                     value, own value or owed string that is no valid ack
 *                     string) leaves the node holding nothing.
 *   3  parse the payload as a testing message (plus the format/parse round trip)
 *
 * Every property below aborts (a crash for libFuzzer) when it does not hold; they are
 * the rules of docs/protocol.md that can be checked without I/O (docs/fuzzing.md). */
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

/* What becomes of a plan (type bits 3-4). */
enum outcome {
	PLAN_COMMITTED = 0,
	PLAN_ACKED,   /* committed, ack written, its watch event follows */
	PLAN_REFUSED, /* committed, ack refused: owed */
	PLAN_LOST,    /* transaction conflict: decided again on a newer value */
};

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

/* A value a node can be remembered by: the state holds C strings. */
static bool rememberable(const char *value, size_t len)
{
	return len <= PROTOCOL_MAX_MESSAGE && !memchr(value, '\0', len);
}

/* A string a testing message can carry as its custom ack: what canonical JSON
 * carrying it parses back to. Never one of the five shutdown requests. */
static bool valid_ack_string(const char *s, size_t len)
{
	struct xtv_message m = { .when = XTV_WHEN_NOW, .ack = XTV_ACK_STRING };
	struct xtv_message back;
	char text[PROTOCOL_MAX_MESSAGE + 1];
	char reason[PROTOCOL_MAX_REASON];
	int n;

	if (len == 0 || len > PROTOCOL_MAX_ACK_STRING || memchr(s, '\0', len))
		return false;
	memcpy(m.ack_string, s, len);
	m.ack_string[len] = '\0';
	n = protocol_format_message(&m, text, sizeof(text));
	return n > 0 && protocol_parse_testing(text, (size_t)n, &back, reason, sizeof(reason)) == 0 &&
	       back.ack == XTV_ACK_STRING && strcmp(back.ack_string, m.ack_string) == 0;
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

static bool same_pending(const struct xtv_state *a, const struct xtv_state *b)
{
	return a->has_pending == b->has_pending &&
	       (!a->has_pending || same_message(&a->pending, &b->pending));
}

static bool same_held(const struct xtv_held *a, const struct xtv_held *b)
{
	return a->hold == b->hold && strcmp(a->value, b->value) == 0 &&
	       (a->hold != XTV_HOLD_OWED ||
		(a->owed_ack == b->owed_ack &&
		 (a->owed_ack != XTV_ACK_STRING || strcmp(a->owed_string, b->owed_string) == 0)));
}

static bool same_state(const struct xtv_state *a, const struct xtv_state *b)
{
	return same_pending(a, b) && same_held(&a->held[0], &b->held[0]) &&
	       same_held(&a->held[1], &b->held[1]) &&
	       a->kernel_owns_shutdown == b->kernel_owns_shutdown;
}

static bool same_plan(const struct xtv_plan *a, const struct xtv_plan *b)
{
	return a->verdict == b->verdict && a->ack_due == b->ack_due && a->ack == b->ack &&
	       strcmp(a->ack_string, b->ack_string) == 0 && a->action == b->action &&
	       a->settle == b->settle && same_state(&a->next, &b->next) &&
	       strcmp(a->reason, b->reason) == 0;
}

/* A held record as the daemon can have written it (and persist it: status.c). */
static void check_held(const struct xtv_held *h)
{
	REQUIRE(h->hold >= XTV_HOLD_NOTHING && h->hold <= XTV_HOLD_OWED);
	REQUIRE(terminated(h->value, sizeof(h->value)));
	if (h->hold == XTV_HOLD_NOTHING) {
		REQUIRE(h->value[0] == '\0');
		return;
	}
	REQUIRE(h->value[0] != '\0');
	if (h->hold == XTV_HOLD_OWN)
		REQUIRE(valid_ack_string(h->value, strlen(h->value)));
	if (h->hold == XTV_HOLD_OWED) {
		/* An ack of none is never due, so never owed. */
		REQUIRE(h->owed_ack == XTV_ACK_OK || h->owed_ack == XTV_ACK_DELETE ||
			h->owed_ack == XTV_ACK_STRING);
		REQUIRE(terminated(h->owed_string, sizeof(h->owed_string)));
		if (h->owed_ack == XTV_ACK_STRING)
			REQUIRE(valid_ack_string(h->owed_string, strlen(h->owed_string)));
	}
}

static void check_state(const struct xtv_state *s)
{
	if (s->has_pending) {
		check_message(&s->pending);
		REQUIRE(s->pending.when == XTV_WHEN_ONSHUTDOWN);
	}
	check_held(&s->held[XTV_NODE_SHUTDOWN]);
	check_held(&s->held[XTV_NODE_TESTING]);
}

/* The held record h names exactly these bytes. */
static bool holds_bytes(const struct xtv_held *h, const char *value, size_t len)
{
	return h->hold != XTV_HOLD_NOTHING && strlen(h->value) == len &&
	       memcmp(h->value, value, len) == 0;
}

/* What the node holds once the plan is carried out: nothing (emptied or removed),
 * the daemon's own ack string, or the value it was read with (no ack). */
enum left { LEFT_NOTHING, LEFT_OWN, LEFT_VALUE };

static enum left left_in_node(const struct xtv_event *ev, const struct xtv_plan *p)
{
	if (!ev->present || ev->len == 0)
		return LEFT_NOTHING;
	if (!p->ack_due)
		return LEFT_VALUE;
	return p->ack == XTV_ACK_STRING ? LEFT_OWN : LEFT_NOTHING;
}

/* The node's held record after a decision on it as new (or an owed ack's retry). */
static void check_held_after(const struct xtv_event *ev, const struct xtv_plan *p)
{
	const struct xtv_held *h = &p->next.held[ev->node];

	switch (left_in_node(ev, p)) {
	case LEFT_NOTHING:
		REQUIRE(h->hold == XTV_HOLD_NOTHING);
		break;
	case LEFT_OWN:
		REQUIRE(h->hold == XTV_HOLD_OWN && strcmp(h->value, p->ack_string) == 0);
		break;
	case LEFT_VALUE:
		/* Left unacknowledged on purpose: held, so that the daemon's own
		 * re-read skips it, if it can be remembered at all. */
		if (rememberable(ev->value, ev->len))
			REQUIRE(h->hold == XTV_HOLD_UNACKED &&
				holds_bytes(h, ev->value, ev->len));
		else
			REQUIRE(h->hold == XTV_HOLD_NOTHING);
		break;
	}
}

static void check_testing(const struct xtv_event *ev, const struct xtv_state *state,
			  const struct xtv_plan *p)
{
	struct xtv_message msg;
	bool valid = parse(ev->value, ev->len, &msg) == 0;

	/* Every new testing message is acknowledged with "", valid or not. */
	REQUIRE(p->ack_due && p->ack == XTV_ACK_OK);
	REQUIRE((p->verdict == XTV_HANDLED) ==
		(valid && !(msg.when == XTV_WHEN_ONSHUTDOWN && state->kernel_owns_shutdown)));
	if (p->verdict == XTV_REJECTED) {
		REQUIRE(p->action == XTV_ACTION_IGNORE);
		REQUIRE(same_pending(&p->next, state)); /* a rejected message changes nothing */
	} else if (msg.when == XTV_WHEN_NOW) {
		REQUIRE(p->action == msg.action);
		REQUIRE(same_pending(&p->next, state));
	} else {
		REQUIRE(p->action == XTV_ACTION_IGNORE);
		REQUIRE(p->next.has_pending && same_message(&p->next.pending, &msg));
	}
}

static void check_shutdown(const struct xtv_event *ev, const struct xtv_state *state,
			   const struct xtv_plan *p)
{
	enum xtv_action requested;

	if (protocol_shutdown_request(ev->value, ev->len, &requested) != 0) {
		/* Anything but the five requests: logged, not acknowledged, not acted on. */
		REQUIRE(p->verdict == XTV_REJECTED);
		REQUIRE(!p->ack_due && p->action == XTV_ACTION_IGNORE);
		REQUIRE(same_pending(&p->next, state));
		return;
	}
	REQUIRE(requested != XTV_ACTION_IGNORE);
	REQUIRE(p->verdict == XTV_HANDLED);
	/* A valid request consumes the override, whatever it says. */
	REQUIRE(!p->next.has_pending);
	if (state->has_pending) {
		REQUIRE(p->ack == state->pending.ack && p->action == state->pending.action);
		REQUIRE(p->ack_due == (state->pending.ack != XTV_ACK_NONE));
		if (p->ack == XTV_ACK_STRING)
			REQUIRE(strcmp(p->ack_string, state->pending.ack_string) == 0);
	} else {
		REQUIRE(p->ack_due && p->ack == XTV_ACK_OK && p->action == requested);
	}
}

/* The properties of one plan, whatever its verdict. */
static void check_plan_shape(const struct xtv_event *ev, const struct xtv_state *state,
			     const struct xtv_plan *p)
{
	const struct xtv_held *other = &state->held[!ev->node];

	REQUIRE(p->verdict >= XTV_SILENT && p->verdict <= XTV_ACK_RETRY);
	REQUIRE(p->ack >= XTV_ACK_OK && p->ack <= XTV_ACK_STRING);
	REQUIRE(p->action >= XTV_ACTION_IGNORE && p->action <= XTV_ACTION_CRASH);
	REQUIRE(terminated(p->ack_string, sizeof(p->ack_string)));
	check_reason(p->reason, sizeof(p->reason));
	check_state(&p->next);
	REQUIRE(p->next.kernel_owns_shutdown == state->kernel_owns_shutdown);
	REQUIRE(same_held(&p->next.held[!ev->node], other)); /* one node per event */
	if (p->ack_due) {
		REQUIRE(p->ack != XTV_ACK_NONE);
		if (p->ack == XTV_ACK_STRING) {
			enum xtv_action as_request;

			REQUIRE(valid_ack_string(p->ack_string, strlen(p->ack_string)));
			REQUIRE(protocol_shutdown_request(p->ack_string, strlen(p->ack_string),
							  &as_request) != 0);
		}
	}
	/* Coalescing follows exactly a decision that leaves in the node a value that
	 * is not the daemon's own and that a re-read can recognise. A SKIP decides
	 * nothing: coalescing after it would swallow a retry written after the look. */
	REQUIRE(p->settle == (left_in_node(ev, p) == LEFT_VALUE && p->verdict != XTV_SKIP &&
			      rememberable(ev->value, ev->len)));
}

/* protocol_decide, with the properties of one decision. */
static void decide_checked(const struct xtv_event *ev, const struct xtv_state *state,
			   struct xtv_plan *p)
{
	const struct xtv_held *held = &state->held[ev->node];
	const struct xtv_state copy = *state;
	struct xtv_event other = *ev;
	struct xtv_plan again, other_kind;
	bool unacked, own, owed, owed_shutdown, owed_retry;

	/* Garbage in the outputs: the decision must not depend on them. */
	memset(p, 0xa5, sizeof(*p));
	memset(&again, 0x5a, sizeof(again));
	protocol_decide(ev, state, p);
	protocol_decide(ev, state, &again);
	REQUIRE(memcmp(&copy, state, sizeof(copy)) == 0); /* input state untouched */
	REQUIRE(same_plan(p, &again));                   /* deterministic */
	check_plan_shape(ev, state, p);

	if (!ev->present || ev->len == 0) {
		/* Our own "" ack, a deletion, or a toolstack clearing the node. */
		REQUIRE(p->verdict == XTV_SILENT);
		REQUIRE(!p->ack_due && p->action == XTV_ACTION_IGNORE);
		REQUIRE(p->next.held[ev->node].hold == XTV_HOLD_NOTHING);
		REQUIRE(same_pending(&p->next, state));
		return;
	}
	REQUIRE(p->verdict != XTV_SILENT);
	REQUIRE(p->reason[0] != '\0');

	unacked = holds_bytes(held, ev->value, ev->len) && held->hold == XTV_HOLD_UNACKED;
	own = holds_bytes(held, ev->value, ev->len) && held->hold == XTV_HOLD_OWN;
	owed = holds_bytes(held, ev->value, ev->len) && held->hold == XTV_HOLD_OWED;

	/* The event's kind matters only for a value left unacknowledged (a write of
	 * it is a retry, the daemon's own re-read skips it) and for an ack owed on
	 * control/shutdown (a write there is a request, a re-read retries the ack;
	 * on control/testing the event after a refused ack is the tester's chmod). */
	owed_shutdown = owed && ev->node == XTV_NODE_SHUTDOWN;
	other.kind = ev->kind == XTV_EVENT_WRITE ? XTV_EVENT_REREAD : XTV_EVENT_WRITE;
	protocol_decide(&other, state, &other_kind);
	REQUIRE(same_plan(p, &other_kind) == !(unacked || owed_shutdown));
	owed_retry = owed && !(owed_shutdown && ev->kind == XTV_EVENT_WRITE);

	/* SKIP: the daemon's own ack string, or a re-read of what it left unacked. */
	REQUIRE((p->verdict == XTV_SKIP) == (own || (unacked && ev->kind == XTV_EVENT_REREAD)));
	if (p->verdict == XTV_SKIP) {
		REQUIRE(!p->ack_due && p->action == XTV_ACTION_IGNORE);
		REQUIRE(same_state(&p->next, state));
		return;
	}
	/* An owed ack is written, and nothing runs again. */
	REQUIRE((p->verdict == XTV_ACK_RETRY) == owed_retry);
	if (owed_retry) {
		REQUIRE(p->ack_due && p->ack == held->owed_ack && p->action == XTV_ACTION_IGNORE);
		if (p->ack == XTV_ACK_STRING)
			REQUIRE(strcmp(p->ack_string, held->owed_string) == 0);
		REQUIRE(same_pending(&p->next, state));
		check_held_after(ev, p);
		return;
	}
	REQUIRE(p->verdict == XTV_HANDLED || p->verdict == XTV_REJECTED);
	if (ev->node == XTV_NODE_TESTING)
		check_testing(ev, state, p);
	else
		check_shutdown(ev, state, p);
	check_held_after(ev, p);
}

/* protocol_ack_refused on a plan whose ack was due, and its properties. */
static void refuse_checked(const struct xtv_event *ev, struct xtv_plan *p)
{
	const struct xtv_plan before = *p;
	const struct xtv_held *h = &p->next.held[ev->node];

	protocol_ack_refused(ev, p);
	/* Only where the node stands changes: the action still runs. */
	REQUIRE(p->verdict == before.verdict && p->action == before.action &&
		p->ack_due == before.ack_due && p->ack == before.ack &&
		strcmp(p->ack_string, before.ack_string) == 0 &&
		strcmp(p->reason, before.reason) == 0);
	REQUIRE(same_pending(&p->next, &before.next));
	REQUIRE(same_held(&p->next.held[!ev->node], &before.next.held[!ev->node]));
	REQUIRE(p->next.kernel_owns_shutdown == before.next.kernel_owns_shutdown);
	check_state(&p->next);
	if (!rememberable(ev->value, ev->len)) {
		/* Nothing to recognise the node by: the ack is lost, never misapplied. */
		REQUIRE(h->hold == XTV_HOLD_NOTHING && p->settle == before.settle);
		return;
	}
	REQUIRE(h->hold == XTV_HOLD_OWED && holds_bytes(h, ev->value, ev->len));
	REQUIRE(h->owed_ack == before.ack);
	if (h->owed_ack == XTV_ACK_STRING)
		REQUIRE(strcmp(h->owed_string, before.ack_string) == 0);
	REQUIRE(p->settle); /* the node keeps the value: coalesce */
}

/* The node's next event after a refused ack (on control/testing the chmod, a
 * write event; on control/shutdown a re-read, as a write there is a new
 * request): the owed ack, the same one, and nothing run again. */
static void check_owed_retry(const struct xtv_event *ev, const struct xtv_plan *refused,
			     const struct xtv_state *state)
{
	struct xtv_event next = *ev;
	struct xtv_plan retry;

	if (!rememberable(ev->value, ev->len))
		return;
	if (ev->node == XTV_NODE_SHUTDOWN)
		next.kind = XTV_EVENT_REREAD;
	decide_checked(&next, state, &retry);
	REQUIRE(retry.verdict == XTV_ACK_RETRY && retry.ack_due &&
		retry.action == XTV_ACTION_IGNORE && retry.ack == refused->ack &&
		strcmp(retry.ack_string, refused->ack_string) == 0);
}

/* After the commit: the watch event of the daemon's own ack must never read as
 * a new request (no loop on its own writes); with no ack, the daemon's own
 * re-read of what it left (start, respawn, resume, coalescing) never acts
 * again. Returns the state that follows. */
static void after_commit(const struct xtv_event *ev, const struct xtv_plan *p,
			 struct xtv_state *state)
{
	struct xtv_event echo = { .node = ev->node, .kind = XTV_EVENT_WRITE, .value = "",
				  .len = 0, .present = true };
	struct xtv_plan next;

	switch (left_in_node(ev, p)) {
	case LEFT_NOTHING:
		if (p->verdict == XTV_SILENT)
			return;
		echo.present = p->ack != XTV_ACK_DELETE;
		break;
	case LEFT_OWN:
		echo.value = p->ack_string;
		echo.len = strlen(p->ack_string);
		break;
	case LEFT_VALUE:
		echo = *ev;
		echo.kind = XTV_EVENT_REREAD;
		break;
	}
	decide_checked(&echo, state, &next);
	REQUIRE(!next.ack_due && next.action == XTV_ACTION_IGNORE);
	if (rememberable(echo.value, echo.len))
		REQUIRE(next.verdict == XTV_SILENT || next.verdict == XTV_SKIP);
	*state = next.next;
}

/* One event record: decide, then what the executor does with the plan. */
static void event(const struct xtv_event *ev, enum outcome outcome, struct xtv_state *state)
{
	struct xtv_plan p;

	decide_checked(ev, state, &p);
	if (outcome == PLAN_LOST)
		return;
	if (outcome == PLAN_REFUSED && p.ack_due) {
		refuse_checked(ev, &p);
		*state = p.next;
		check_owed_retry(ev, &p, state);
		return;
	}
	*state = p.next;
	if (outcome == PLAN_ACKED)
		after_commit(ev, &p, state);
}

/* The pending override as status.c reloads it: a valid onshutdown message. */
static void set_pending(const char *text, size_t len, struct xtv_state *state)
{
	struct xtv_message msg;

	state->has_pending = parse(text, len, &msg) == 0 && msg.when == XTV_WHEN_ONSHUTDOWN;
	if (state->has_pending)
		state->pending = msg;
	else
		memset(&state->pending, 0, sizeof(state->pending));
}

static size_t until_nul(const char *s, size_t len)
{
	const char *nul = memchr(s, '\0', len);

	return nul ? (size_t)(nul - s) : len;
}

/* A held record as data/xtv/held-NODE{,-as} can give it back (see the header). */
static void set_held(enum xtv_node node, uint8_t selector, const char *rest, size_t len,
		     struct xtv_state *state)
{
	static const enum xtv_hold holds[] = { XTV_HOLD_UNACKED, XTV_HOLD_OWN, XTV_HOLD_OWED,
					       XTV_HOLD_NOTHING };
	static const enum xtv_ack owed_acks[] = { XTV_ACK_OK, XTV_ACK_DELETE, XTV_ACK_STRING,
						  XTV_ACK_STRING };
	struct xtv_held *h = &state->held[node];
	enum xtv_hold hold = holds[(selector >> 2) & 3];
	size_t vlen = until_nul(rest, len);
	const char *owed = vlen < len ? rest + vlen + 1 : rest + len;
	size_t olen = until_nul(owed, (size_t)(rest + len - owed));

	memset(h, 0, sizeof(*h));
	if (hold == XTV_HOLD_NOTHING || vlen == 0 || vlen > PROTOCOL_MAX_MESSAGE)
		return;
	if (hold == XTV_HOLD_OWN && !valid_ack_string(rest, vlen))
		return;
	if (hold == XTV_HOLD_OWED) {
		h->owed_ack = owed_acks[(selector >> 4) & 3];
		if (h->owed_ack == XTV_ACK_STRING) {
			if (!valid_ack_string(owed, olen)) {
				memset(h, 0, sizeof(*h));
				return;
			}
			memcpy(h->owed_string, owed, olen);
		}
	}
	h->hold = hold;
	memcpy(h->value, rest, vlen);
}

static void set_state(const char *p, size_t len, struct xtv_state *state)
{
	uint8_t selector;

	if (len == 0)
		return;
	selector = (uint8_t)p[0];
	switch (selector & 3) {
	case 0: set_held(XTV_NODE_SHUTDOWN, selector, p + 1, len - 1, state); break;
	case 1: state->kernel_owns_shutdown = selector & 4; break;
	case 2: set_held(XTV_NODE_TESTING, selector, p + 1, len - 1, state); break;
	case 3: set_pending(p + 1, len - 1, state); break;
	}
	check_state(state);
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
		case 1: {
			struct xtv_event ev = {
				.node = (type & 3) ? XTV_NODE_TESTING : XTV_NODE_SHUTDOWN,
				.kind = (type & 0x20) ? XTV_EVENT_REREAD : XTV_EVENT_WRITE,
				/* Absent: the payload is there but must be ignored. */
				.value = value,
				.len = len,
				.present = !(type & 4),
			};

			event(&ev, (enum outcome)((type >> 3) & 3), &state);
			break;
		}
		case 2:
			set_state(value, len, &state);
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
