/* Table-driven tests of daemon/protocol.c: parsing (valid forms, malformed
 * input with the exact reason) and the decision rules (acks, override
 * consumption, held values, retries and owed acks). Prints TAP; exits non-zero on failure.
 * Built with ASan+UBSan by `make check-unit`. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

struct tally {
	int number;
	int failed;
};

static void ok(struct tally *t, int cond, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void ok(struct tally *t, int cond, const char *fmt, ...)
{
	va_list ap;

	t->number++;
	if (!cond)
		t->failed++;
	printf("%s %d - ", cond ? "ok" : "not ok", t->number);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static const enum xtv_action all_actions[] = {
	XTV_ACTION_POWEROFF, XTV_ACTION_REBOOT, XTV_ACTION_HALT,
	XTV_ACTION_SUSPEND,  XTV_ACTION_CRASH,  XTV_ACTION_IGNORE,
};
#define N_ACTIONS (sizeof(all_actions) / sizeof(all_actions[0]))

struct ack_case {
	const char *wire; /* as written in the message */
	enum xtv_ack ack;
	const char *string; /* expected ack_string */
};

static const struct ack_case ack_cases[] = {
	{ "ok", XTV_ACK_OK, "" },
	{ "none", XTV_ACK_NONE, "" },
	{ "delete", XTV_ACK_DELETE, "" },
	{ "busy", XTV_ACK_STRING, "busy" },
	{ "Poweroff", XTV_ACK_STRING, "Poweroff" }, /* case differs: not a request */
	{ "a b", XTV_ACK_STRING, "a b" },
	{ "\\\"q\\\\\\/", XTV_ACK_STRING, "\"q\\/" }, /* JSON escapes decoded */
};
#define N_ACKS (sizeof(ack_cases) / sizeof(ack_cases[0]))

static void test_valid_json(struct tally *t)
{
	static const char *const whens[] = { "now", "onshutdown" };

	for (size_t w = 0; w < 2; w++)
		for (size_t a = 0; a < N_ACTIONS; a++)
			for (size_t k = 0; k < N_ACKS; k++) {
				char text[256], reason[PROTOCOL_MAX_REASON] = "";
				struct xtv_message msg;
				const char *action = protocol_action_name(all_actions[a]);
				int ret;

				/* Key order varies too: order must not matter. */
				if ((w + a + k) % 2)
					snprintf(text, sizeof(text),
						 "{\"when\":\"%s\",\"ack\":\"%s\",\"action\":\"%s\"}",
						 whens[w], ack_cases[k].wire, action);
				else
					snprintf(text, sizeof(text),
						 " { \"action\" : \"%s\" , \"ack\":\"%s\", \"when\":\"%s\" } ",
						 action, ack_cases[k].wire, whens[w]);
				ret = protocol_parse_testing(text, strlen(text), &msg, reason,
							     sizeof(reason));
				ok(t,
				   ret == 0 && msg.when == (enum xtv_when)w &&
					   msg.action == all_actions[a] && msg.ack == ack_cases[k].ack &&
					   strcmp(msg.ack_string, ack_cases[k].string) == 0,
				   "valid %s (%s)", text, reason);
			}
}

static void test_valid_legacy(struct tally *t)
{
	for (size_t a = 0; a < N_ACTIONS; a++)
		for (int next = 0; next < 2; next++) {
			char text[32], reason[PROTOCOL_MAX_REASON] = "";
			struct xtv_message msg;
			int ret;

			snprintf(text, sizeof(text), "%s:%s", next ? "next" : "now",
				 protocol_action_name(all_actions[a]));
			ret = protocol_parse_testing(text, strlen(text), &msg, reason, sizeof(reason));
			ok(t,
			   ret == 0 && msg.action == all_actions[a] && msg.ack == XTV_ACK_OK &&
				   msg.when == (next ? XTV_WHEN_ONSHUTDOWN : XTV_WHEN_NOW),
			   "legacy %s (%s)", text, reason);
		}
}

struct bad_case {
	const char *text;
	size_t len; /* 0: strlen(text) */
	const char *reason; /* expected prefix */
};

#define J(when, ack, action) "{\"when\":" when ",\"ack\":" ack ",\"action\":" action "}"

static const struct bad_case bad_cases[] = {
	/* byte level */
	{ "now:re\0boot", 11, "NUL byte at offset 6" },
	{ "{\"when\":\"now\",\"ack\":\"ok\",\"action\":\"re\xffoot\"}", 0, "invalid UTF-8 at offset 37" },
	{ "now:\xc0\xafreboot", 0, "invalid UTF-8 at offset 4" },            /* overlong */
	{ "now:\xed\xa0\x80", 0, "invalid UTF-8 at offset 4" },              /* surrogate */
	{ "now:\xf4\x90\x80\x80", 0, "invalid UTF-8 at offset 4" },          /* > U+10FFFF */
	{ "now:\xe2\x82", 0, "invalid UTF-8 at offset 4" },                  /* truncated */
	{ "now:reboot\n", 0, "control character 0x0a at offset 10" },
	{ "{\"when\":\t\"now\"}", 0, "control character 0x09 at offset 8" },
	{ "now:\x7f", 0, "control character 0x7f at offset 4" },
	/* legacy */
	{ "Now:reboot", 0, "unknown legacy form" },
	{ "now reboot", 0, "unknown legacy form" },
	{ "later:reboot", 0, "unknown legacy form" },
	{ "now:Reboot", 0, "unknown action \"Reboot\"" },
	{ "now: reboot", 0, "unknown action \" reboot\"" },
	{ "now:reboot ", 0, "unknown action \"reboot \"" },
	{ "next:", 0, "unknown action \"\"" },
	{ "now:rebooot", 0, "unknown action \"rebooot\"" },
	{ "true", 0, "unknown legacy form" },
	/* JSON syntax and shape */
	{ "{\"when\":\"now\"", 0, "invalid JSON: unexpected end of input" },
	{ "{\"when\":\"now\",}", 0, "invalid JSON" },
	{ "{'when':'now'}", 0, "invalid JSON" },
	{ J("\"now\"", "\"ok\"", "\"reboot\"") "x", 0, "invalid JSON" },
	{ J("\"now\"", "\"ok\"", "\"reboot\"") J("\"now\"", "\"ok\"", "\"halt\""), 0, "invalid JSON" },
	{ "[\"now\",\"ok\",\"reboot\"]", 0, "not a JSON object" },
	{ "\"now:reboot\"", 0, "not a JSON object" },
	{ "42", 0, "not a JSON object" },
	{ "{}", 0, "missing key \"when\"" },
	/* keys */
	{ "{\"when\":\"now\",\"ack\":\"ok\",\"ack\":\"none\",\"action\":\"reboot\"}", 0, "duplicate key \"ack\"" },
	{ "{\"when\":\"now\",\"ack\":\"ok\",\"action\":\"reboot\",\"action\":\"reboot\"}", 0, "duplicate key \"action\"" },
	{ "{\"when\":\"now\",\"ack\":\"ok\",\"\\u0061ck\":\"none\",\"action\":\"halt\"}", 0, "duplicate key \"ack\"" },
	{ "{\"when\":\"now\",\"ack\":\"ok\",\"action\":\"halt\",\"x\":{\"a\":1},\"x\":[1]}", 0, "duplicate key \"x\"" },
	{ "{\"when\":\"now\",\"ack\":\"ok\",\"ack\\u0000x\":\"none\",\"action\":\"halt\"}", 0, "NUL in key" },
	{ "{\"when\":\"now\",\"ack\":\"ok\",\"action\":\"halt\",\"extra\":\"1\"}", 0, "unknown key \"extra\"" },
	{ "{\"When\":\"now\",\"ack\":\"ok\",\"action\":\"halt\"}", 0, "unknown key \"When\"" },
	{ "{\"when\":\"now\",\"action\":\"halt\"}", 0, "missing key \"ack\"" },
	{ "{\"when\":\"now\",\"ack\":\"ok\"}", 0, "missing key \"action\"" },
	/* nested duplicates are not top-level duplicates: reported as unknown key */
	{ "{\"when\":\"now\",\"ack\":\"ok\",\"action\":\"halt\",\"n\":{\"a\":1,\"a\":2}}", 0, "unknown key \"n\"" },
	/* types */
	{ J("1", "\"ok\"", "\"halt\""), 0, "key \"when\" is not a string" },
	{ J("\"now\"", "null", "\"halt\""), 0, "key \"ack\" is not a string" },
	{ J("\"now\"", "\"ok\"", "[\"halt\"]"), 0, "key \"action\" is not a string" },
	{ J("\"now\"", "\"ok\"", "true"), 0, "key \"action\" is not a string" },
	/* values */
	{ J("\"\"", "\"ok\"", "\"halt\""), 0, "empty value for \"when\"" },
	{ J("\"now\"", "\"\"", "\"halt\""), 0, "empty value for \"ack\"" },
	{ J("\"now\"", "\"ok\"", "\"\""), 0, "empty value for \"action\"" },
	{ J("\"now\"", "\"ok\"", "\"ha\\u0000lt\""), 0, "NUL in value of \"action\"" },
	{ J("\"now\"", "\"o\\nk\"", "\"halt\""), 0, "control character in value of \"ack\"" },
	{ J("\"now\"", "\"ok\"", "\"halt\\u007f\""), 0, "control character in value of \"action\"" },
	{ J("\"Now\"", "\"ok\"", "\"halt\""), 0, "unknown when \"Now\"" },
	{ J("\"next\"", "\"ok\"", "\"halt\""), 0, "unknown when \"next\"" },
	{ J("\"now\"", "\"ok\"", "\"HALT\""), 0, "unknown action \"HALT\"" },
	{ J("\"now\"", "\"ok\"", "\"halt \""), 0, "unknown action \"halt \"" },
	{ J("\"now\"", "\"ok\"", "\"shutdown\""), 0, "unknown action \"shutdown\"" },
	/* custom ack strings */
	{ J("\"now\"", "\"caf\xc3\xa9\"", "\"halt\""), 0, "ack string must be printable ASCII" },
	{ J("\"now\"", "\"caf\\u00e9\"", "\"halt\""), 0, "ack string must be printable ASCII" },
	{ J("\"now\"", "\" busy\"", "\"halt\""), 0, "ack string must not start or end with a space" },
	{ J("\"now\"", "\"busy \"", "\"halt\""), 0, "ack string must not start or end with a space" },
	{ J("\"now\"", "\"reboot\"", "\"halt\""), 0, "ack string \"reboot\" would read as a shutdown request" },
	{ J("\"onshutdown\"", "\"suspend\"", "\"ignore\""), 0, "ack string \"suspend\" would read as a shutdown request" },
};
#define N_BAD (sizeof(bad_cases) / sizeof(bad_cases[0]))

static void test_bad_input(struct tally *t)
{
	for (size_t i = 0; i < N_BAD; i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len = c->len ? c->len : strlen(c->text);
		char reason[PROTOCOL_MAX_REASON] = "";
		struct xtv_message msg;
		int ret = protocol_parse_testing(c->text, len, &msg, reason, sizeof(reason));

		ok(t, ret == -1 && strncmp(reason, c->reason, strlen(c->reason)) == 0,
		   "bad input %zu rejected: want \"%s\", got \"%s\"", i, c->reason, reason);
	}
}

/* The parser's memory is kept between messages (protocol.c, parse_json): nothing of one
 * message may reach the next. Every bad case right after a valid message gives its own
 * reason, and a valid message right after each bad one (a truncated one leaves json-c's
 * tokener waiting for more) is accepted. */
static void test_messages_independent(struct tally *t)
{
	static const char valid[] = J("\"now\"", "\"ok\"", "\"halt\"");
	size_t failures = 0;

	for (size_t i = 0; i < N_BAD; i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len = c->len ? c->len : strlen(c->text);
		char reason[PROTOCOL_MAX_REASON] = "";
		struct xtv_message msg;

		if (protocol_parse_testing(valid, strlen(valid), &msg, reason, sizeof(reason)) != 0 ||
		    msg.action != XTV_ACTION_HALT)
			failures++;
		if (protocol_parse_testing(c->text, len, &msg, reason, sizeof(reason)) != -1 ||
		    strncmp(reason, c->reason, strlen(c->reason)) != 0)
			failures++;
	}
	ok(t, failures == 0, "%zu bad cases each between two valid messages: %zu wrong results",
	   N_BAD, failures);
}

/* Limits: exactly at the limit passes, one more byte is rejected (never truncated). */
static void test_limits(struct tally *t)
{
	char reason[PROTOCOL_MAX_REASON];
	struct xtv_message msg;
	char *text = malloc(PROTOCOL_MAX_MESSAGE + 64);
	char ack[PROTOCOL_MAX_ACK_STRING + 2];
	int ret, n;

	if (!text) {
		ok(t, 0, "malloc");
		return;
	}
	memset(ack, 'a', sizeof(ack));
	ack[PROTOCOL_MAX_ACK_STRING] = '\0';
	snprintf(text, PROTOCOL_MAX_MESSAGE + 64, J("\"now\"", "\"%s\"", "\"halt\""), ack);
	ret = protocol_parse_testing(text, strlen(text), &msg, reason, sizeof(reason));
	ok(t, ret == 0 && msg.ack == XTV_ACK_STRING && strlen(msg.ack_string) == PROTOCOL_MAX_ACK_STRING,
	   "ack string of exactly %d bytes accepted", PROTOCOL_MAX_ACK_STRING);

	ack[PROTOCOL_MAX_ACK_STRING] = 'a';
	ack[PROTOCOL_MAX_ACK_STRING + 1] = '\0';
	snprintf(text, PROTOCOL_MAX_MESSAGE + 64, J("\"now\"", "\"%s\"", "\"halt\""), ack);
	ret = protocol_parse_testing(text, strlen(text), &msg, reason, sizeof(reason));
	ok(t, ret == -1 && strcmp(reason, "ack string too long (129 bytes, max 128)") == 0,
	   "ack string of %d bytes rejected (%s)", PROTOCOL_MAX_ACK_STRING + 1, reason);

	/* A valid message padded with spaces to exactly the limit, then one more. */
	n = snprintf(text, PROTOCOL_MAX_MESSAGE + 64, J("\"now\"", "\"ok\"", "\"halt\""));
	memmove(text + PROTOCOL_MAX_MESSAGE - n, text, (size_t)n);
	memset(text, ' ', (size_t)(PROTOCOL_MAX_MESSAGE - n));
	ret = protocol_parse_testing(text, PROTOCOL_MAX_MESSAGE, &msg, reason, sizeof(reason));
	ok(t, ret == 0 && msg.action == XTV_ACTION_HALT, "message of exactly %d bytes accepted (%s)",
	   PROTOCOL_MAX_MESSAGE, ret ? reason : "");
	memmove(text + 1, text, PROTOCOL_MAX_MESSAGE);
	text[0] = ' ';
	ret = protocol_parse_testing(text, PROTOCOL_MAX_MESSAGE + 1, &msg, reason, sizeof(reason));
	ok(t, ret == -1 && strcmp(reason, "message too long (1025 bytes, max 1024)") == 0,
	   "message of %d bytes rejected (%s)", PROTOCOL_MAX_MESSAGE + 1, reason);
	free(text);
}

/* Canonical JSON parses back to the same message (data/xtv/pending relies on it). */
static void test_format_roundtrip(struct tally *t)
{
	for (size_t a = 0; a < N_ACTIONS; a++)
		for (size_t k = 0; k < N_ACKS; k++) {
			struct xtv_message in = { .when = XTV_WHEN_ONSHUTDOWN,
						  .ack = ack_cases[k].ack,
						  .action = all_actions[a] };
			struct xtv_message out;
			char text[PROTOCOL_MAX_MESSAGE], reason[PROTOCOL_MAX_REASON] = "";
			int n;

			snprintf(in.ack_string, sizeof(in.ack_string), "%s", ack_cases[k].string);
			n = protocol_format_message(&in, text, sizeof(text));
			ok(t,
			   n > 0 && protocol_parse_testing(text, (size_t)n, &out, reason, sizeof(reason)) == 0 &&
				   out.when == in.when && out.ack == in.ack && out.action == in.action &&
				   strcmp(out.ack_string, in.ack_string) == 0,
			   "format round trip %s (%s)", text, reason);
		}
}

/* Decide on a C string value (present unless NULL). */
static void decide_as(enum xtv_node node, enum xtv_event_kind kind, const char *value,
		      const struct xtv_state *state, struct xtv_plan *plan)
{
	struct xtv_event ev = { .node = node, .kind = kind, .value = value ? value : "",
				.len = value ? strlen(value) : 0, .present = value != NULL };

	protocol_decide(&ev, state, plan);
}

/* A watch event: somebody wrote the node. */
static void decide(enum xtv_node node, const char *value, const struct xtv_state *state,
		   struct xtv_plan *plan)
{
	decide_as(node, XTV_EVENT_WRITE, value, state, plan);
}

/* The daemon's own look at the node (start, respawn, resume, coalescing). */
static void reread(enum xtv_node node, const char *value, const struct xtv_state *state,
		   struct xtv_plan *plan)
{
	decide_as(node, XTV_EVENT_REREAD, value, state, plan);
}

/* The executor's ack write was refused (EACCES). */
static void refuse(enum xtv_node node, const char *value, struct xtv_plan *plan)
{
	struct xtv_event ev = { .node = node, .kind = XTV_EVENT_WRITE, .value = value,
				.len = strlen(value), .present = true };

	protocol_ack_refused(&ev, plan);
}

static struct xtv_state with_pending(enum xtv_ack ack, const char *ack_string,
				     enum xtv_action action)
{
	struct xtv_state s;

	memset(&s, 0, sizeof(s));
	s.has_pending = true;
	s.pending.when = XTV_WHEN_ONSHUTDOWN;
	s.pending.ack = ack;
	s.pending.action = action;
	snprintf(s.pending.ack_string, sizeof(s.pending.ack_string), "%s", ack_string);
	return s;
}

static bool held_as(const struct xtv_state *s, enum xtv_node node, enum xtv_hold how,
		    const char *value)
{
	return s->held[node].hold == how && strcmp(s->held[node].value, value) == 0;
}

static void test_shutdown_requests(struct tally *t)
{
	struct xtv_state empty;
	struct xtv_plan p;

	memset(&empty, 0, sizeof(empty));
	for (size_t a = 0; a < N_ACTIONS; a++) {
		const char *name = protocol_action_name(all_actions[a]);

		decide(XTV_NODE_SHUTDOWN, name, &empty, &p);
		if (all_actions[a] == XTV_ACTION_IGNORE)
			ok(t, p.verdict == XTV_REJECTED && !p.ack_due,
			   "shutdown \"ignore\" is not a request: rejected, not acked");
		else
			ok(t,
			   p.verdict == XTV_HANDLED && p.ack_due && p.ack == XTV_ACK_OK &&
				   p.action == all_actions[a] && !p.next.has_pending &&
				   !p.settle && p.next.held[XTV_NODE_SHUTDOWN].hold == XTV_HOLD_NOTHING,
			   "shutdown %s: ack ok, action %s, nothing held (%s)", name, name, p.reason);
	}
	decide(XTV_NODE_SHUTDOWN, "", &empty, &p);
	ok(t, p.verdict == XTV_SILENT && !p.ack_due && p.action == XTV_ACTION_IGNORE,
	   "empty control/shutdown is silent");
	decide(XTV_NODE_SHUTDOWN, NULL, &empty, &p);
	ok(t, p.verdict == XTV_SILENT && !p.ack_due, "absent control/shutdown is silent");

	static const char *const unknown[] = { "Poweroff", "poweroff ", "shutdown", "now:reboot",
					       "1", "s3" };
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		decide(XTV_NODE_SHUTDOWN, unknown[i], &empty, &p);
		ok(t,
		   p.verdict == XTV_REJECTED && !p.ack_due && p.action == XTV_ACTION_IGNORE &&
			   strncmp(p.reason, "unknown request", 15) == 0 && p.settle &&
			   held_as(&p.next, XTV_NODE_SHUTDOWN, XTV_HOLD_UNACKED, unknown[i]),
		   "unknown shutdown value \"%s\" rejected, not acked, held (%s)", unknown[i],
		   p.reason);
	}
}

/* Every pending override (ack mode x action) applies to one request and is consumed. */
static void test_override_applied_once(struct tally *t)
{
	for (size_t k = 0; k < N_ACKS; k++)
		for (size_t a = 0; a < N_ACTIONS; a++) {
			struct xtv_state s = with_pending(ack_cases[k].ack, ack_cases[k].string,
							  all_actions[a]);
			bool none = ack_cases[k].ack == XTV_ACK_NONE;
			struct xtv_plan p;

			decide(XTV_NODE_SHUTDOWN, "poweroff", &s, &p);
			ok(t,
			   p.verdict == XTV_HANDLED && p.ack_due == !none &&
				   p.ack == ack_cases[k].ack &&
				   strcmp(p.ack_string, ack_cases[k].string) == 0 &&
				   p.action == all_actions[a] && !p.next.has_pending && p.settle == none,
			   "override ack=%s action=%s applied and consumed (%s)", ack_cases[k].wire,
			   protocol_action_name(all_actions[a]), p.reason);
		}
}

/* Issue 8, item 1: a request left unacknowledged (ack none) is retried by the
 * toolstack with the same value: that write is a new request, handled
 * normally. Only the daemon's own re-read skips it. */
static void test_retry_of_held_request(struct tally *t)
{
	struct xtv_state s = with_pending(XTV_ACK_NONE, "", XTV_ACTION_IGNORE);
	struct xtv_plan p, again;

	decide(XTV_NODE_SHUTDOWN, "poweroff", &s, &p);
	ok(t, p.verdict == XTV_HANDLED && !p.ack_due && p.action == XTV_ACTION_IGNORE && p.settle &&
		      held_as(&p.next, XTV_NODE_SHUTDOWN, XTV_HOLD_UNACKED, "poweroff"),
	   "override none/ignore: poweroff held unacknowledged, settle");
	s = p.next;
	for (int i = 0; i < 3; i++) {
		reread(XTV_NODE_SHUTDOWN, "poweroff", &s, &again);
		ok(t, again.verdict == XTV_SKIP && !again.ack_due &&
			      again.action == XTV_ACTION_IGNORE &&
			      memcmp(&again.next, &s, sizeof(s)) == 0,
		   "re-read %d of the held request (start, respawn, resume): skipped", i + 1);
	}
	decide(XTV_NODE_SHUTDOWN, "poweroff", &s, &again);
	ok(t, again.verdict == XTV_HANDLED && again.ack_due && again.ack == XTV_ACK_OK &&
		      again.action == XTV_ACTION_POWEROFF &&
		      again.next.held[XTV_NODE_SHUTDOWN].hold == XTV_HOLD_NOTHING,
	   "the toolstack's retry (same value written again): acked \"\", powers off");

	/* An unknown value written again is rejected again (logged), never acked. */
	memset(&s, 0, sizeof(s));
	decide(XTV_NODE_SHUTDOWN, "s3", &s, &p);
	s = p.next;
	decide(XTV_NODE_SHUTDOWN, "s3", &s, &again);
	ok(t, again.verdict == XTV_REJECTED && !again.ack_due,
	   "an unknown request written again is rejected again, not acked");
	reread(XTV_NODE_SHUTDOWN, "s3", &s, &again);
	ok(t, again.verdict == XTV_SKIP, "... and skipped by the daemon's own re-read");

	/* A different value is new, whatever was held. */
	decide(XTV_NODE_SHUTDOWN, "halt", &s, &p);
	ok(t, p.verdict == XTV_HANDLED && p.ack == XTV_ACK_OK && p.action == XTV_ACTION_HALT,
	   "a different request after an unacked one is handled normally");
	reread(XTV_NODE_SHUTDOWN, "halt", &s, &p);
	ok(t, p.verdict == XTV_HANDLED && p.action == XTV_ACTION_HALT,
	   "a re-read finding a request written while the daemon was away handles it");
	/* Empty clears the hold. */
	decide(XTV_NODE_SHUTDOWN, "", &s, &p);
	ok(t, p.verdict == XTV_SILENT && p.next.held[XTV_NODE_SHUTDOWN].hold == XTV_HOLD_NOTHING,
	   "the node seen empty clears the hold");
}

/* The custom ack string the daemon wrote fires its own watch: skipped, never
 * "unknown request"; the request written over it is new. */
static void test_own_ack_string(struct tally *t)
{
	struct xtv_state s = with_pending(XTV_ACK_STRING, "busy", XTV_ACTION_IGNORE);
	struct xtv_plan p, again;

	decide(XTV_NODE_SHUTDOWN, "poweroff", &s, &p);
	ok(t, p.verdict == XTV_HANDLED && p.ack_due && p.ack == XTV_ACK_STRING &&
		      strcmp(p.ack_string, "busy") == 0 && !p.settle &&
		      held_as(&p.next, XTV_NODE_SHUTDOWN, XTV_HOLD_OWN, "busy"),
	   "override with a custom ack string writes it and holds it as its own");
	s = p.next;
	decide(XTV_NODE_SHUTDOWN, "busy", &s, &again);
	ok(t, again.verdict == XTV_SKIP && !again.ack_due, "its own ack string's event: skipped");
	reread(XTV_NODE_SHUTDOWN, "busy", &s, &again);
	ok(t, again.verdict == XTV_SKIP, "its own ack string at a re-read: skipped");
	decide(XTV_NODE_SHUTDOWN, "poweroff", &s, &again);
	ok(t, again.verdict == XTV_HANDLED && again.ack == XTV_ACK_OK &&
		      again.action == XTV_ACTION_POWEROFF,
	   "the request written over the custom ack is a new request");
}

/* Issue 8, item 2: an ack refused (control/testing not yet chmod-ed) is
 * owed; the next event (the chmod) writes it without acting again. */
static void test_refused_ack_is_owed(struct tally *t)
{
	struct xtv_state s;
	struct xtv_plan p, again;

	memset(&s, 0, sizeof(s));
	decide(XTV_NODE_TESTING, "now:crash", &s, &p);
	refuse(XTV_NODE_TESTING, "now:crash", &p);
	ok(t, p.verdict == XTV_HANDLED && p.action == XTV_ACTION_CRASH && p.settle &&
		      held_as(&p.next, XTV_NODE_TESTING, XTV_HOLD_OWED, "now:crash") &&
		      p.next.held[XTV_NODE_TESTING].owed_ack == XTV_ACK_OK,
	   "refused testing ack: the action still runs, the ack is owed");
	s = p.next;
	decide(XTV_NODE_TESTING, "now:crash", &s, &again);
	ok(t, again.verdict == XTV_ACK_RETRY && again.ack_due && again.ack == XTV_ACK_OK &&
		      again.action == XTV_ACTION_IGNORE &&
		      again.next.held[XTV_NODE_TESTING].hold == XTV_HOLD_NOTHING,
	   "the chmod's event: the owed ack is written, nothing runs again");
	reread(XTV_NODE_TESTING, "now:crash", &s, &again);
	ok(t, again.verdict == XTV_ACK_RETRY && again.action == XTV_ACTION_IGNORE,
	   "a respawned daemon's re-read retries the owed ack, runs nothing");
	decide(XTV_NODE_TESTING, "now:halt", &s, &again);
	ok(t, again.verdict == XTV_HANDLED && again.action == XTV_ACTION_HALT,
	   "a different message over an owed ack is a new message");

	/* After ack=delete, libxl writes the node anew, owned by dom0 (item 8). */
	memset(&s, 0, sizeof(s));
	s = with_pending(XTV_ACK_STRING, "later", XTV_ACTION_IGNORE);
	decide(XTV_NODE_SHUTDOWN, "reboot", &s, &p);
	refuse(XTV_NODE_SHUTDOWN, "reboot", &p);
	ok(t, held_as(&p.next, XTV_NODE_SHUTDOWN, XTV_HOLD_OWED, "reboot") &&
		      p.next.held[XTV_NODE_SHUTDOWN].owed_ack == XTV_ACK_STRING &&
		      strcmp(p.next.held[XTV_NODE_SHUTDOWN].owed_string, "later") == 0,
	   "a refused custom ack string is owed as that string");
	s = p.next;
	reread(XTV_NODE_SHUTDOWN, "reboot", &s, &again);
	ok(t, again.verdict == XTV_ACK_RETRY && again.ack == XTV_ACK_STRING &&
		      strcmp(again.ack_string, "later") == 0 &&
		      again.action == XTV_ACTION_IGNORE &&
		      held_as(&again.next, XTV_NODE_SHUTDOWN, XTV_HOLD_OWN, "later"),
	   "a re-read retries the owed string and holds it as its own");
	/* Nobody chmods control/shutdown: a write there is the toolstack's. */
	decide(XTV_NODE_SHUTDOWN, "reboot", &s, &again);
	ok(t, again.verdict == XTV_HANDLED && again.action == XTV_ACTION_REBOOT &&
		      again.ack_due && again.ack == XTV_ACK_OK,
	   "the same request written again over an owed ack is carried out");
}

static void test_testing_node(struct tally *t)
{
	struct xtv_state s = with_pending(XTV_ACK_NONE, "", XTV_ACTION_IGNORE);
	const struct xtv_state before = s;
	struct xtv_plan p;

	decide(XTV_NODE_TESTING, "{\"when\":\"now\"}", &s, &p);
	ok(t, p.verdict == XTV_REJECTED && p.ack_due && p.ack == XTV_ACK_OK &&
		      p.action == XTV_ACTION_IGNORE,
	   "rejected testing message is acknowledged with \"\" and runs nothing (%s)", p.reason);
	ok(t, p.next.has_pending && memcmp(&p.next.pending, &before.pending,
					   sizeof(before.pending)) == 0,
	   "rejected testing message keeps the pending override");

	decide(XTV_NODE_TESTING, "now:reboot", &s, &p);
	ok(t, p.verdict == XTV_HANDLED && p.ack == XTV_ACK_OK && p.action == XTV_ACTION_REBOOT &&
		      p.next.has_pending,
	   "now:reboot acts at once and keeps the pending override");

	decide(XTV_NODE_TESTING, "{\"when\":\"onshutdown\",\"ack\":\"delete\",\"action\":\"crash\"}", &s, &p);
	ok(t, p.verdict == XTV_HANDLED && p.ack == XTV_ACK_OK && p.action == XTV_ACTION_IGNORE &&
		      p.next.has_pending && p.next.pending.ack == XTV_ACK_DELETE &&
		      p.next.pending.action == XTV_ACTION_CRASH,
	   "onshutdown replaces the pending override, acts on nothing now");

	decide(XTV_NODE_TESTING, "", &s, &p);
	ok(t, p.verdict == XTV_SILENT && !p.ack_due, "our own \"\" ack on control/testing is silent");

	/* The same message written twice is two messages. */
	memset(&s, 0, sizeof(s));
	decide(XTV_NODE_TESTING, "now:crash", &s, &p);
	s = p.next;
	decide(XTV_NODE_TESTING, "now:crash", &s, &p);
	ok(t, p.verdict == XTV_HANDLED && p.action == XTV_ACTION_CRASH,
	   "the same message written again after its ack is handled again");

	/* Issue 8, item 4: the kernel answers control/shutdown itself. */
	memset(&s, 0, sizeof(s));
	s.kernel_owns_shutdown = true;
	decide(XTV_NODE_TESTING, "next:reboot", &s, &p);
	ok(t, p.verdict == XTV_REJECTED && p.ack_due && !p.next.has_pending &&
		      strstr(p.reason, "xen.userspace_shutdown=1") != NULL,
	   "with the kernel answering control/shutdown, onshutdown is rejected (%s)", p.reason);
	decide(XTV_NODE_TESTING, "now:reboot", &s, &p);
	ok(t, p.verdict == XTV_HANDLED && p.action == XTV_ACTION_REBOOT,
	   "... and now:reboot still works");
}

/* Pure: same inputs, same plan, input state untouched. */
static void test_pure(struct tally *t)
{
	struct xtv_state s = with_pending(XTV_ACK_STRING, "x", XTV_ACTION_HALT);
	const struct xtv_state copy = s;
	struct xtv_plan p1, p2;

	decide(XTV_NODE_SHUTDOWN, "suspend", &s, &p1);
	decide(XTV_NODE_SHUTDOWN, "suspend", &s, &p2);
	ok(t, memcmp(&p1, &p2, sizeof(p1)) == 0 && memcmp(&s, &copy, sizeof(s)) == 0,
	   "protocol_decide is deterministic and does not modify its input state");
}

int main(void)
{
	struct tally t = { 0, 0 };

	test_valid_json(&t);
	test_valid_legacy(&t);
	test_bad_input(&t);
	test_messages_independent(&t);
	test_limits(&t);
	test_format_roundtrip(&t);
	test_shutdown_requests(&t);
	test_override_applied_once(&t);
	test_retry_of_held_request(&t);
	test_own_ack_string(&t);
	test_refused_ack_is_owed(&t);
	test_testing_node(&t);
	test_pure(&t);
	printf("1..%d\n", t.number);
	printf("%d passed, %d failed\n", t.number - t.failed, t.failed);
	return t.failed ? 1 : 0;
}
