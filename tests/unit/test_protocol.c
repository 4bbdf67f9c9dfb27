/* Table-driven tests of daemon/protocol.c: parsing (valid forms, malformed
 * input with the exact reason) and the decision rules (acks, override
 * consumption, the no-re-ack rule). Prints TAP; exits non-zero on failure.
 * Built with ASan+UBSan by `make check-unit`. */
#include <stdarg.h>
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
static void decide(enum xtv_node node, const char *value, const struct xtv_state *state,
		   struct xtv_decision *d)
{
	protocol_decide(node, value ? value : "", value ? strlen(value) : 0, value != NULL, state, d);
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

static void test_shutdown_requests(struct tally *t)
{
	struct xtv_state empty;
	struct xtv_decision d;

	memset(&empty, 0, sizeof(empty));
	for (size_t a = 0; a < N_ACTIONS; a++) {
		const char *name = protocol_action_name(all_actions[a]);

		decide(XTV_NODE_SHUTDOWN, name, &empty, &d);
		if (all_actions[a] == XTV_ACTION_IGNORE)
			ok(t, d.verdict == XTV_REJECTED && !d.ack_needed,
			   "shutdown \"ignore\" is not a request: rejected, not acked");
		else
			ok(t,
			   d.verdict == XTV_HANDLED && d.ack_needed && d.ack == XTV_ACK_OK &&
				   d.action == all_actions[a] && !d.new_state.has_pending,
			   "shutdown %s: ack ok, action %s (%s)", name, name, d.reason);
	}
	decide(XTV_NODE_SHUTDOWN, "", &empty, &d);
	ok(t, d.verdict == XTV_SILENT && !d.ack_needed && d.action == XTV_ACTION_IGNORE,
	   "empty control/shutdown is silent");
	decide(XTV_NODE_SHUTDOWN, NULL, &empty, &d);
	ok(t, d.verdict == XTV_SILENT && !d.ack_needed, "absent control/shutdown is silent");

	static const char *const unknown[] = { "Poweroff", "poweroff ", "shutdown", "now:reboot", "1" };
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		decide(XTV_NODE_SHUTDOWN, unknown[i], &empty, &d);
		ok(t,
		   d.verdict == XTV_REJECTED && !d.ack_needed && d.action == XTV_ACTION_IGNORE &&
			   strncmp(d.reason, "unknown request", 15) == 0,
		   "unknown shutdown value \"%s\" rejected, not acked (%s)", unknown[i], d.reason);
	}
}

/* Every pending override (ack mode x action) applies to one request and is consumed. */
static void test_override_applied_once(struct tally *t)
{
	for (size_t k = 0; k < N_ACKS; k++)
		for (size_t a = 0; a < N_ACTIONS; a++) {
			struct xtv_state s = with_pending(ack_cases[k].ack, ack_cases[k].string,
							  all_actions[a]);
			struct xtv_decision d;

			decide(XTV_NODE_SHUTDOWN, "poweroff", &s, &d);
			ok(t,
			   d.verdict == XTV_HANDLED && d.ack_needed && d.ack == ack_cases[k].ack &&
				   strcmp(d.ack_string, ack_cases[k].string) == 0 &&
				   d.action == all_actions[a] && !d.new_state.has_pending,
			   "override ack=%s action=%s applied and consumed (%s)", ack_cases[k].wire,
			   protocol_action_name(all_actions[a]), d.reason);
		}
}

/* The no-re-ack rule: ack none + ignore leaves the request; re-firing watches
 * (registration, respawn, permission changes) must neither ack nor act. */
static void test_no_re_ack(struct tally *t)
{
	struct xtv_state s = with_pending(XTV_ACK_NONE, "", XTV_ACTION_IGNORE);
	struct xtv_decision d, again;

	decide(XTV_NODE_SHUTDOWN, "reboot", &s, &d);
	ok(t, d.verdict == XTV_HANDLED && d.ack == XTV_ACK_NONE && d.action == XTV_ACTION_IGNORE,
	   "override none/ignore handles reboot without ack or action");
	s = d.new_state;
	protocol_ack_written(XTV_NODE_SHUTDOWN, &d, &s); /* mode none: nothing was written */
	for (int fire = 0; fire < 3; fire++) {
		decide(XTV_NODE_SHUTDOWN, "reboot", &s, &again);
		ok(t, again.verdict == XTV_SKIP && !again.ack_needed && again.action == XTV_ACTION_IGNORE,
		   "watch fire %d on the same request: skipped (no re-ack, no action)", fire + 1);
	}
	/* A different request is new: normal handling, override already consumed. */
	decide(XTV_NODE_SHUTDOWN, "halt", &s, &d);
	ok(t, d.verdict == XTV_HANDLED && d.ack == XTV_ACK_OK && d.action == XTV_ACTION_HALT,
	   "a different request after that is handled normally");
	/* Empty clears the memory: the same value later is a new request. */
	decide(XTV_NODE_SHUTDOWN, "", &s, &d);
	s = d.new_state;
	decide(XTV_NODE_SHUTDOWN, "reboot", &s, &d);
	ok(t, d.verdict == XTV_HANDLED && d.ack == XTV_ACK_OK && d.action == XTV_ACTION_REBOOT,
	   "after the node was seen empty, reboot is a new request, acked ok");

	/* Custom ack string: our own ack is not an unknown request, and neither is
	 * the original request if the ack write failed. */
	s = with_pending(XTV_ACK_STRING, "busy", XTV_ACTION_IGNORE);
	decide(XTV_NODE_SHUTDOWN, "poweroff", &s, &d);
	ok(t, d.verdict == XTV_HANDLED && d.ack == XTV_ACK_STRING && strcmp(d.ack_string, "busy") == 0,
	   "override with custom ack string writes it");
	s = d.new_state;
	decide(XTV_NODE_SHUTDOWN, "poweroff", &s, &again);
	ok(t, again.verdict == XTV_SKIP, "ack write failed: the request seen again is skipped");
	protocol_ack_written(XTV_NODE_SHUTDOWN, &d, &s);
	decide(XTV_NODE_SHUTDOWN, "busy", &s, &again);
	ok(t, again.verdict == XTV_SKIP && !again.ack_needed,
	   "our own custom ack string is skipped, not rejected as unknown");
	decide(XTV_NODE_SHUTDOWN, "poweroff", &s, &again);
	ok(t, again.verdict == XTV_HANDLED && again.ack == XTV_ACK_OK &&
		      again.action == XTV_ACTION_POWEROFF,
	   "after the custom ack was written, poweroff is a new request");

	/* Ack ok: once written, the same request again is a new one (no skip). */
	memset(&s, 0, sizeof(s));
	decide(XTV_NODE_SHUTDOWN, "reboot", &s, &d);
	s = d.new_state;
	decide(XTV_NODE_SHUTDOWN, "reboot", &s, &again);
	ok(t, again.verdict == XTV_SKIP, "before the ack lands, the same request is skipped");
	protocol_ack_written(XTV_NODE_SHUTDOWN, &d, &s);
	decide(XTV_NODE_SHUTDOWN, "reboot", &s, &again);
	ok(t, again.verdict == XTV_HANDLED && again.action == XTV_ACTION_REBOOT,
	   "after the ack was written, the same value is a new request");
}

static void test_testing_node(struct tally *t)
{
	struct xtv_state s = with_pending(XTV_ACK_NONE, "", XTV_ACTION_IGNORE);
	const struct xtv_state before = s;
	struct xtv_decision d;

	decide(XTV_NODE_TESTING, "{\"when\":\"now\"}", &s, &d);
	ok(t, d.verdict == XTV_REJECTED && d.ack_needed && d.ack == XTV_ACK_OK &&
		      d.action == XTV_ACTION_IGNORE,
	   "rejected testing message is acknowledged with \"\" and runs nothing (%s)", d.reason);
	ok(t, d.new_state.has_pending && memcmp(&d.new_state.pending, &before.pending,
						 sizeof(before.pending)) == 0,
	   "rejected testing message keeps the pending override");

	decide(XTV_NODE_TESTING, "now:reboot", &s, &d);
	ok(t, d.verdict == XTV_HANDLED && d.ack == XTV_ACK_OK && d.action == XTV_ACTION_REBOOT &&
		      d.new_state.has_pending,
	   "now:reboot acts at once and keeps the pending override");

	decide(XTV_NODE_TESTING, "{\"when\":\"onshutdown\",\"ack\":\"delete\",\"action\":\"crash\"}", &s, &d);
	ok(t, d.verdict == XTV_HANDLED && d.ack == XTV_ACK_OK && d.action == XTV_ACTION_IGNORE &&
		      d.new_state.has_pending && d.new_state.pending.ack == XTV_ACK_DELETE &&
		      d.new_state.pending.action == XTV_ACTION_CRASH,
	   "onshutdown replaces the pending override, acts on nothing now");

	decide(XTV_NODE_TESTING, "", &s, &d);
	ok(t, d.verdict == XTV_SILENT && !d.ack_needed, "our own \"\" ack on control/testing is silent");

	/* Ack failed (EACCES under xl): the message stays; handled once only. */
	memset(&s, 0, sizeof(s));
	decide(XTV_NODE_TESTING, "now:crash", &s, &d);
	s = d.new_state;
	decide(XTV_NODE_TESTING, "now:crash", &s, &d);
	ok(t, d.verdict == XTV_SKIP && d.action == XTV_ACTION_IGNORE,
	   "unacknowledged testing message seen again is not acted on twice");
	decide(XTV_NODE_TESTING, "now:crash", &(struct xtv_state){ 0 }, &d);
	s = d.new_state;
	protocol_ack_written(XTV_NODE_TESTING, &d, &s);
	decide(XTV_NODE_TESTING, "now:crash", &s, &d);
	ok(t, d.verdict == XTV_HANDLED && d.action == XTV_ACTION_CRASH,
	   "the same message sent again after a successful ack is handled again");
}

/* Pure: same inputs, same decision, input state untouched. */
static void test_pure(struct tally *t)
{
	struct xtv_state s = with_pending(XTV_ACK_STRING, "x", XTV_ACTION_HALT);
	const struct xtv_state copy = s;
	struct xtv_decision d1, d2;

	decide(XTV_NODE_SHUTDOWN, "suspend", &s, &d1);
	decide(XTV_NODE_SHUTDOWN, "suspend", &s, &d2);
	ok(t, memcmp(&d1, &d2, sizeof(d1)) == 0 && memcmp(&s, &copy, sizeof(s)) == 0,
	   "protocol_decide is deterministic and does not modify its input state");
}

int main(void)
{
	struct tally t = { 0, 0 };

	test_valid_json(&t);
	test_valid_legacy(&t);
	test_bad_input(&t);
	test_limits(&t);
	test_format_roundtrip(&t);
	test_shutdown_requests(&t);
	test_override_applied_once(&t);
	test_no_re_ack(&t);
	test_testing_node(&t);
	test_pure(&t);
	printf("1..%d\n", t.number);
	printf("%d passed, %d failed\n", t.number - t.failed, t.failed);
	return t.failed ? 1 : 0;
}
