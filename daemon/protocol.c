/* protocol.c - parse testing messages and decide what to do. Pure: no I/O,
 * and no state but the parser's memory, kept between messages (parse_json);
 * json-c is used only as a parser. See docs/protocol.md. */
#include "protocol.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Longest key or word quoted inside a reason. */
#define REASON_QUOTE_MAX 32

static const char *const action_names[] = {
	[XTV_ACTION_IGNORE] = "ignore",
	[XTV_ACTION_POWEROFF] = "poweroff",
	[XTV_ACTION_REBOOT] = "reboot",
	[XTV_ACTION_HALT] = "halt",
	[XTV_ACTION_SUSPEND] = "suspend",
	[XTV_ACTION_CRASH] = "crash",
};
#define ACTION_COUNT (sizeof(action_names) / sizeof(action_names[0]))

const char *protocol_action_name(enum xtv_action action)
{
	return (size_t)action < ACTION_COUNT ? action_names[action] : "?";
}

const char *protocol_when_name(enum xtv_when when)
{
	return when == XTV_WHEN_NOW ? "now" : "onshutdown";
}

const char *protocol_ack_name(enum xtv_ack ack)
{
	switch (ack) {
	case XTV_ACK_OK: return "ok";
	case XTV_ACK_NONE: return "none";
	case XTV_ACK_DELETE: return "delete";
	case XTV_ACK_STRING: return "string";
	}
	return "?";
}

const char *protocol_node_path(enum xtv_node node)
{
	return node == XTV_NODE_SHUTDOWN ? "control/shutdown" : "control/testing";
}

static bool bytes_equal(const char *a, size_t alen, const char *word)
{
	return alen == strlen(word) && memcmp(a, word, alen) == 0;
}

static int lookup_action(const char *s, size_t len, enum xtv_action *action)
{
	for (size_t i = 0; i < ACTION_COUNT; i++) {
		if (bytes_equal(s, len, action_names[i])) {
			*action = (enum xtv_action)i;
			return 0;
		}
	}
	return -1;
}

int protocol_shutdown_request(const char *value, size_t len, enum xtv_action *action)
{
	enum xtv_action a;

	if (lookup_action(value, len, &a) != 0 || a == XTV_ACTION_IGNORE)
		return -1;
	*action = a;
	return 0;
}

/* Reasons and log text quote input: keep printable ASCII, escape the rest,
 * cap the length so one line stays one short line. */
static void quote_bytes(const char *s, size_t len, char *out, size_t out_size)
{
	size_t o = 0;
	size_t i;

	for (i = 0; i < len && i < REASON_QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		char tmp[5];

		if (c == '"' || c == '\\')
			snprintf(tmp, sizeof(tmp), "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			snprintf(tmp, sizeof(tmp), "%c", c);
		else
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
		if (o + strlen(tmp) + 4 >= out_size)
			break;
		memcpy(out + o, tmp, strlen(tmp));
		o += strlen(tmp);
	}
	if (i < len && o + 4 <= out_size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

static int reject(char *reason, size_t reason_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int reject(char *reason, size_t reason_size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, reason_size, fmt, ap);
	va_end(ap);
	return -1;
}

static int reject_quoted(char *reason, size_t reason_size, const char *what,
			 const char *s, size_t len)
{
	char quoted[REASON_QUOTE_MAX * 4 + 4];

	quote_bytes(s, len, quoted, sizeof(quoted));
	return reject(reason, reason_size, "%s \"%s\"", what, quoted);
}

/* Length of the UTF-8 sequence at s (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0 if it is malformed. */
static size_t utf8_sequence_length(const unsigned char *s, size_t avail)
{
	size_t need;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (avail < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return need;
}

/* Byte-level checks common to both message forms. */
static int check_raw_bytes(const char *value, size_t len, char *reason, size_t reason_size)
{
	const unsigned char *s = (const unsigned char *)value;

	if (len > PROTOCOL_MAX_MESSAGE)
		return reject(reason, reason_size, "message too long (%zu bytes, max %d)", len,
			      PROTOCOL_MAX_MESSAGE);
	for (size_t i = 0; i < len;) {
		size_t n;

		if (s[i] == 0)
			return reject(reason, reason_size, "NUL byte at offset %zu", i);
		if (s[i] < 0x20 || s[i] == 0x7f)
			return reject(reason, reason_size, "control character 0x%02x at offset %zu",
				      s[i], i);
		n = utf8_sequence_length(s + i, len - i);
		if (n == 0)
			return reject(reason, reason_size, "invalid UTF-8 at offset %zu", i);
		i += n;
	}
	return 0;
}

/* now:ACTION / next:ACTION, byte exact. */
static int parse_legacy(const char *value, size_t len, struct xtv_message *msg, char *reason,
			size_t reason_size)
{
	static const struct {
		const char *prefix;
		enum xtv_when when;
	} forms[] = { { "now:", XTV_WHEN_NOW }, { "next:", XTV_WHEN_ONSHUTDOWN } };

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t plen = strlen(forms[i].prefix);

		if (len < plen || memcmp(value, forms[i].prefix, plen) != 0)
			continue;
		if (lookup_action(value + plen, len - plen, &msg->action) != 0)
			return reject_quoted(reason, reason_size, "unknown action", value + plen,
					     len - plen);
		msg->when = forms[i].when;
		msg->ack = XTV_ACK_OK;
		msg->ack_string[0] = '\0';
		return 0;
	}
	return reject(reason, reason_size, "unknown legacy form");
}

static bool looks_like_json(const char *value, size_t len)
{
	size_t i = 0;

	while (i < len && value[i] == ' ')
		i++;
	return i < len && value[i] != '\0' && strchr("{[\"-0123456789", value[i]) != NULL;
}

/* Decode one JSON string token (quotes included) with json-c itself, so that
 * escapes are interpreted exactly as in the full parse (tok: the message's,
 * reset). */
static json_object *decode_string_token(json_tokener *tok, const char *token, size_t len)
{
	json_object *obj;

	json_tokener_reset(tok);
	obj = json_tokener_parse_ex(tok, token, (int)len);
	if (obj && !json_object_is_type(obj, json_type_string)) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

/* End (index after the closing quote) of the string starting at value[start]. */
static size_t string_token_end(const char *value, size_t len, size_t start)
{
	size_t i = start + 1;

	while (i < len && value[i] != '"')
		i += value[i] == '\\' ? 2 : 1;
	return i < len ? i + 1 : len;
}

/* Up to this many keys are compared; a message with more is rejected anyway
 * for unknown keys. */
#define MAX_KEYS_COMPARED 16

struct key_list {
	json_object *keys[MAX_KEYS_COMPARED];
	size_t count;
};

/* Decode one key token and compare it with the keys seen before it. */
static int add_key(json_tokener *tok, struct key_list *seen, const char *token,
		   size_t token_len, char *reason, size_t reason_size)
{
	json_object *key = decode_string_token(tok, token, token_len);
	const char *k;
	size_t klen;

	if (!key)
		return reject(reason, reason_size, "invalid JSON: bad key");
	k = json_object_get_string(key);
	klen = (size_t)json_object_get_string_len(key);
	if (memchr(k, '\0', klen)) {
		json_object_put(key);
		return reject(reason, reason_size, "NUL in key");
	}
	for (size_t j = 0; j < seen->count; j++) {
		if (strcmp(json_object_get_string(seen->keys[j]), k) == 0) {
			reject_quoted(reason, reason_size, "duplicate key", k, klen);
			json_object_put(key);
			return -1;
		}
	}
	if (seen->count < MAX_KEYS_COMPARED)
		seen->keys[seen->count++] = key;
	else
		json_object_put(key);
	return 0;
}

/* json-c keeps the last of duplicate keys silently and truncates keys at an
 * embedded NUL. The text is already known to be a valid JSON object, so its
 * keys are exactly the depth-1 strings followed by ':' (only spaces can sit
 * between: other whitespace was rejected as control characters). */
static int check_keys(json_tokener *tok, const char *value, size_t len, char *reason,
		      size_t reason_size)
{
	struct key_list seen = { .count = 0 };
	int depth = 0;
	int ret = 0;

	for (size_t i = 0; i < len && ret == 0;) {
		if (value[i] == '"') {
			size_t end = string_token_end(value, len, i);
			size_t after = end;

			while (after < len && value[after] == ' ')
				after++;
			if (depth == 1 && after < len && value[after] == ':')
				ret = add_key(tok, &seen, value + i, end - i, reason,
					      reason_size);
			i = end;
			continue;
		}
		if (value[i] == '{' || value[i] == '[')
			depth++;
		else if (value[i] == '}' || value[i] == ']')
			depth--;
		i++;
	}
	for (size_t j = 0; j < seen.count; j++)
		json_object_put(seen.keys[j]);
	return ret;
}

static int check_no_unknown_keys(json_object *obj, char *reason, size_t reason_size)
{
	json_object_object_foreach(obj, key, val) {
		(void)val;
		if (strcmp(key, "when") != 0 && strcmp(key, "ack") != 0 &&
		    strcmp(key, "action") != 0)
			return reject_quoted(reason, reason_size, "unknown key", key, strlen(key));
	}
	return 0;
}

/* The string value of a required key, checked for emptiness, NUL and control
 * characters. */
static int member_string(json_object *obj, const char *key, const char **s, size_t *len,
			 char *reason, size_t reason_size)
{
	json_object *member;

	if (!json_object_object_get_ex(obj, key, &member))
		return reject(reason, reason_size, "missing key \"%s\"", key);
	if (!json_object_is_type(member, json_type_string))
		return reject(reason, reason_size, "key \"%s\" is not a string", key);
	*s = json_object_get_string(member);
	*len = (size_t)json_object_get_string_len(member);
	if (*len == 0)
		return reject(reason, reason_size, "empty value for \"%s\"", key);
	if (memchr(*s, '\0', *len))
		return reject(reason, reason_size, "NUL in value of \"%s\"", key);
	for (size_t i = 0; i < *len; i++) {
		unsigned char c = (unsigned char)(*s)[i];

		if (c < 0x20 || c == 0x7f)
			return reject(reason, reason_size, "control character in value of \"%s\"",
				      key);
	}
	return 0;
}

static int parse_ack(const char *s, size_t len, struct xtv_message *msg, char *reason,
		     size_t reason_size)
{
	enum xtv_action as_request;

	msg->ack_string[0] = '\0';
	if (bytes_equal(s, len, "ok")) {
		msg->ack = XTV_ACK_OK;
		return 0;
	}
	if (bytes_equal(s, len, "none")) {
		msg->ack = XTV_ACK_NONE;
		return 0;
	}
	if (bytes_equal(s, len, "delete")) {
		msg->ack = XTV_ACK_DELETE;
		return 0;
	}
	if (len > PROTOCOL_MAX_ACK_STRING)
		return reject(reason, reason_size, "ack string too long (%zu bytes, max %d)", len,
			      PROTOCOL_MAX_ACK_STRING);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return reject(reason, reason_size, "ack string must be printable ASCII");
	if (s[0] == ' ' || s[len - 1] == ' ')
		return reject(reason, reason_size, "ack string must not start or end with a space");
	/* The daemon would read its own ack back as a new request. */
	if (protocol_shutdown_request(s, len, &as_request) == 0)
		return reject(reason, reason_size,
			      "ack string \"%s\" would read as a shutdown request",
			      protocol_action_name(as_request));
	msg->ack = XTV_ACK_STRING;
	memcpy(msg->ack_string, s, len);
	msg->ack_string[len] = '\0';
	return 0;
}

static int parse_members(json_object *obj, struct xtv_message *msg, char *reason,
			 size_t reason_size)
{
	const char *when, *ack, *action;
	size_t when_len, ack_len, action_len;

	if (check_no_unknown_keys(obj, reason, reason_size) ||
	    member_string(obj, "when", &when, &when_len, reason, reason_size) ||
	    member_string(obj, "ack", &ack, &ack_len, reason, reason_size) ||
	    member_string(obj, "action", &action, &action_len, reason, reason_size))
		return -1;
	if (bytes_equal(when, when_len, "now"))
		msg->when = XTV_WHEN_NOW;
	else if (bytes_equal(when, when_len, "onshutdown"))
		msg->when = XTV_WHEN_ONSHUTDOWN;
	else
		return reject_quoted(reason, reason_size, "unknown when", when, when_len);
	if (lookup_action(action, action_len, &msg->action) != 0)
		return reject_quoted(reason, reason_size, "unknown action", action, action_len);
	return parse_ack(ack, ack_len, msg, reason, reason_size);
}

/* The parser's memory outlives a message. musl's malloc gives a page back to
 * the kernel as soon as its last slot is freed, so a parse that freed all it
 * allocated made the next one fault in fresh pages: in a PV guest each is a
 * page fault, page-table hypercalls and a TLB flush. Measured in the lab
 * (docs/bench-data/latency-breakdown): with a tokener per message the
 * decision took 2.8 ms at p50 as PV, with the tokener and a message kept
 * 0.4 ms. The tokener is never freed, the last message only when the next
 * one replaces it: the daemon runs until the VM stops. */
static json_tokener *message_tokener;
static json_object *last_message;

static json_tokener *reset_tokener(void)
{
	if (!message_tokener)
		message_tokener = json_tokener_new();
	if (message_tokener)
		json_tokener_reset(message_tokener);
	return message_tokener;
}

static void keep_as_last(json_object *obj)
{
	if (!obj)
		return;
	json_object_put(last_message);
	last_message = obj;
}

static int parse_json(const char *value, size_t len, struct xtv_message *msg, char *reason,
		      size_t reason_size)
{
	char text[PROTOCOL_MAX_MESSAGE + 1];
	json_tokener *tok = reset_tokener();
	json_object *obj;
	enum json_tokener_error err;
	int ret;

	if (!tok)
		return reject(reason, reason_size, "out of memory");
	/* json-c's tokener is incremental: the terminating NUL tells it the input
	 * is complete (else a bare number or truncated text just "continues"). */
	memcpy(text, value, len);
	text[len] = '\0';
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, text, (int)len + 1);
	err = json_tokener_get_error(tok);
	if (!obj || err != json_tokener_success)
		ret = reject(reason, reason_size, "invalid JSON: %s",
			     err == json_tokener_continue || err == json_tokener_error_parse_eof ?
				     "unexpected end of input" :
				     json_tokener_error_desc(err));
	else if (!json_object_is_type(obj, json_type_object))
		ret = reject(reason, reason_size, "not a JSON object");
	else if (check_keys(tok, value, len, reason, reason_size) != 0)
		ret = -1;
	else
		ret = parse_members(obj, msg, reason, reason_size);
	keep_as_last(obj);
	return ret;
}

int protocol_parse_testing(const char *value, size_t len, struct xtv_message *msg,
			   char *reason, size_t reason_size)
{
	struct xtv_message parsed;

	memset(&parsed, 0, sizeof(parsed));
	if (check_raw_bytes(value, len, reason, reason_size) != 0)
		return -1;
	if (len == 0)
		return reject(reason, reason_size, "empty message");
	if (looks_like_json(value, len)) {
		if (parse_json(value, len, &parsed, reason, reason_size) != 0)
			return -1;
	} else if (parse_legacy(value, len, &parsed, reason, reason_size) != 0) {
		return -1;
	}
	*msg = parsed;
	return 0;
}

/* JSON string body of a printable-ASCII ack string: only " and \ need escaping. */
static int json_escape_ascii(const char *s, char *out, size_t out_size)
{
	size_t o = 0;

	for (; *s; s++) {
		size_t need = (*s == '"' || *s == '\\') ? 2 : 1;

		if (o + need >= out_size)
			return -1;
		if (need == 2)
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o] = '\0';
	return 0;
}

static const char *ack_word(const struct xtv_message *msg, char *buf, size_t buf_size)
{
	if (msg->ack != XTV_ACK_STRING)
		return protocol_ack_name(msg->ack);
	return json_escape_ascii(msg->ack_string, buf, buf_size) == 0 ? buf : "?";
}

int protocol_format_message(const struct xtv_message *msg, char *out, size_t out_size)
{
	char ack[PROTOCOL_MAX_ACK_STRING * 2 + 1];
	int n;

	n = snprintf(out, out_size, "{\"when\":\"%s\",\"ack\":\"%s\",\"action\":\"%s\"}",
		     protocol_when_name(msg->when), ack_word(msg, ack, sizeof(ack)),
		     protocol_action_name(msg->action));
	return n < 0 || (size_t)n >= out_size ? -1 : n;
}

/* `ack=none` or `ack="custom"` for reasons and data/xtv/last. */
static void describe_ack(enum xtv_ack ack, const char *ack_string, char *out, size_t out_size)
{
	char escaped[PROTOCOL_MAX_ACK_STRING * 2 + 1];

	if (ack != XTV_ACK_STRING) {
		snprintf(out, out_size, "ack=%s", protocol_ack_name(ack));
		return;
	}
	if (json_escape_ascii(ack_string, escaped, sizeof(escaped)) != 0)
		escaped[0] = '\0';
	snprintf(out, out_size, "ack=\"%s\"", escaped);
}

/* What the node will hold after an event: a value is remembered only if it
 * fits and holds no NUL (state is C strings); one that cannot be remembered
 * is never held, so a re-read treats it as new (and rejects it again). */
static void hold(struct xtv_held *held, enum xtv_hold how, const char *value, size_t len)
{
	memset(held, 0, sizeof(*held));
	if (len >= sizeof(held->value) || memchr(value, '\0', len))
		return;
	held->hold = how;
	memcpy(held->value, value, len);
}

static bool holds(const struct xtv_held *held, const char *value, size_t len)
{
	return held->hold != XTV_HOLD_NOTHING && bytes_equal(value, len, held->value);
}

/* Where the node stands once the plan's ack is written. */
static void hold_after_ack(const struct xtv_event *ev, struct xtv_plan *plan)
{
	struct xtv_held *held = &plan->next.held[ev->node];

	if (!plan->ack_due) {
		/* Left as it is on purpose: a later write of the same value is a retry. */
		hold(held, XTV_HOLD_UNACKED, ev->value, ev->len);
		plan->settle = held->hold != XTV_HOLD_NOTHING;
	} else if (plan->ack == XTV_ACK_STRING) {
		hold(held, XTV_HOLD_OWN, plan->ack_string, strlen(plan->ack_string));
	} else {
		memset(held, 0, sizeof(*held));
	}
}

static void decide_shutdown(const struct xtv_event *ev, const struct xtv_state *state,
			    struct xtv_plan *plan)
{
	struct xtv_state *next = &plan->next;
	enum xtv_action requested;
	char ack[PROTOCOL_MAX_ACK_STRING * 2 + 16];

	if (protocol_shutdown_request(ev->value, ev->len, &requested) != 0) {
		plan->verdict = XTV_REJECTED;
		plan->ack = XTV_ACK_NONE;
		reject_quoted(plan->reason, sizeof(plan->reason), "unknown request", ev->value,
			      ev->len);
		hold_after_ack(ev, plan);
		return;
	}
	plan->verdict = XTV_HANDLED;
	plan->ack_due = true;
	plan->ack = XTV_ACK_OK;
	plan->action = requested;
	if (state->has_pending) {
		plan->ack_due = state->pending.ack != XTV_ACK_NONE;
		plan->ack = state->pending.ack;
		plan->action = state->pending.action;
		memcpy(plan->ack_string, state->pending.ack_string, sizeof(plan->ack_string));
		next->has_pending = false;
		memset(&next->pending, 0, sizeof(next->pending));
	}
	hold_after_ack(ev, plan);
	describe_ack(state->has_pending ? state->pending.ack : XTV_ACK_OK, plan->ack_string, ack,
		     sizeof(ack));
	snprintf(plan->reason, sizeof(plan->reason), "request=%s override=%s %s action=%s",
		 protocol_action_name(requested), state->has_pending ? "yes" : "no", ack,
		 protocol_action_name(plan->action));
}

static void decide_testing(const struct xtv_event *ev, const struct xtv_state *state,
			   struct xtv_plan *plan)
{
	struct xtv_state *next = &plan->next;
	struct xtv_message msg;
	char ack[PROTOCOL_MAX_ACK_STRING * 2 + 16];

	/* Every testing message is acknowledged, valid or not. */
	plan->ack_due = true;
	plan->ack = XTV_ACK_OK;
	hold_after_ack(ev, plan);
	if (protocol_parse_testing(ev->value, ev->len, &msg, plan->reason,
				   sizeof(plan->reason)) != 0) {
		plan->verdict = XTV_REJECTED;
		return;
	}
	if (msg.when == XTV_WHEN_ONSHUTDOWN && state->kernel_owns_shutdown) {
		plan->verdict = XTV_REJECTED;
		snprintf(plan->reason, sizeof(plan->reason),
			 "onshutdown needs xen.userspace_shutdown=1: the kernel answers control/shutdown");
		return;
	}
	plan->verdict = XTV_HANDLED;
	if (msg.when == XTV_WHEN_NOW) {
		plan->action = msg.action;
	} else {
		next->has_pending = true;
		next->pending = msg;
	}
	describe_ack(msg.ack, msg.ack_string, ack, sizeof(ack));
	snprintf(plan->reason, sizeof(plan->reason), "when=%s %s action=%s",
		 protocol_when_name(msg.when), ack, protocol_action_name(msg.action));
}

/* The node still holds what the daemon left there. Returns false if the
 * event is a new request after all (a write of a request left unacked). */
static bool decide_held(const struct xtv_event *ev, const struct xtv_held *held,
			struct xtv_plan *plan)
{
	switch (held->hold) {
	case XTV_HOLD_OWED:
		/* On control/testing the event that follows a refused ack is the
		 * tester's chmod: it fires the watch like a write. Nobody chmods
		 * control/shutdown: a write there is the toolstack's, a request,
		 * carried out as the kernel's handler carries out every write. */
		if (ev->node == XTV_NODE_SHUTDOWN && ev->kind == XTV_EVENT_WRITE)
			return false;
		plan->verdict = XTV_ACK_RETRY;
		plan->ack_due = true;
		plan->ack = held->owed_ack;
		memcpy(plan->ack_string, held->owed_string, sizeof(plan->ack_string));
		hold_after_ack(ev, plan);
		snprintf(plan->reason, sizeof(plan->reason), "owed ack retried, no action");
		return true;
	case XTV_HOLD_OWN:
		plan->verdict = XTV_SKIP;
		snprintf(plan->reason, sizeof(plan->reason), "own ack string");
		return true;
	case XTV_HOLD_UNACKED:
		if (ev->kind == XTV_EVENT_WRITE)
			return false; /* a retry: the toolstack wrote the request again */
		plan->verdict = XTV_SKIP;
		snprintf(plan->reason, sizeof(plan->reason), "already handled");
		return true;
	case XTV_HOLD_NOTHING:
		break;
	}
	return false;
}

void protocol_decide(const struct xtv_event *event, const struct xtv_state *state,
		     struct xtv_plan *plan)
{
	const struct xtv_held *held = &state->held[event->node];

	memset(plan, 0, sizeof(*plan));
	plan->next = *state;
	plan->action = XTV_ACTION_IGNORE;
	if (!event->present || event->len == 0) {
		/* Our own ack, a deletion, or a toolstack clearing the node. */
		plan->verdict = XTV_SILENT;
		memset(&plan->next.held[event->node], 0, sizeof(plan->next.held[event->node]));
		return;
	}
	if (holds(held, event->value, event->len) && decide_held(event, held, plan))
		return;
	if (event->node == XTV_NODE_SHUTDOWN)
		decide_shutdown(event, state, plan);
	else
		decide_testing(event, state, plan);
}

void protocol_ack_refused(const struct xtv_event *event, struct xtv_plan *plan)
{
	struct xtv_held *held = &plan->next.held[event->node];

	hold(held, XTV_HOLD_OWED, event->value, event->len);
	if (held->hold == XTV_HOLD_NOTHING)
		return;
	held->owed_ack = plan->ack;
	memcpy(held->owed_string, plan->ack_string, sizeof(held->owed_string));
	plan->settle = true;
}
