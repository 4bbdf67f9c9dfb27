/* status.c - publish and reload the daemon's status under data/xtv/. A failed
 * write is logged and the daemon carries on. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "xenstore.h"

#define STATUS_DIR "data/xtv/"

/* In stage() order: pending, then value and manner of each node's hold. */
static const char *const state_keys[STATUS_STATE_KEYS] = {
	STATUS_DIR "pending",
	STATUS_DIR "held-shutdown", STATUS_DIR "held-shutdown-as",
	STATUS_DIR "held-testing", STATUS_DIR "held-testing-as",
};

static bool put_path(struct daemon *d, const char *path, const char *value)
{
	int ret = xsio_write_str(d->xs, path, value);

	if (ret != 0)
		log_event("event=error op=write path=%s errno=%d", path, -ret);
	return ret == 0;
}

static void put(struct daemon *d, const char *key, const char *value)
{
	char path[64];

	snprintf(path, sizeof(path), STATUS_DIR "%s", key);
	put_path(d, path, value);
}

/* Read a NUL-free value into out; false if absent, unreadable or too long. */
static bool get(struct daemon *d, const char *path, char *out, size_t out_size)
{
	char *value;
	size_t len;
	bool ok;

	if (xsio_read(d->xs, path, &value, &len) != 0)
		return false;
	ok = len < out_size && !memchr(value, '\0', len);
	if (ok)
		memcpy(out, value, len + 1);
	free(value);
	return ok;
}

static bool is_decimal(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

void status_read_domid(struct daemon *d)
{
	char domid[sizeof(d->domid)];

	if (get(d, "domid", domid, sizeof(domid)) && is_decimal(domid))
		memcpy(d->domid, domid, sizeof(domid));
	else
		snprintf(d->domid, sizeof(d->domid), "unknown");
}

void status_set_ready(struct daemon *d, bool ready)
{
	put(d, "ready", ready ? "1" : "0");
}

bool status_home_absent(struct daemon *d)
{
	char *value;
	size_t len;
	int ret = xsio_read(d->xs, "data/xtv", &value, &len);

	if (ret == 0)
		free(value);
	return ret == -ENOENT;
}

/* With data/xtv absent, a first message's transaction writes only the state
 * keys it changes; status_publish creates the others right after it. */
void status_assume_empty(struct daemon *d)
{
	memset(&d->saved, 0, sizeof(d->saved));
	d->saved.valid = true;
}

/* How a node's value is held, as data/xtv/held-NODE-as says it:
 * "unacked", "own", "owed:ok", "owed:delete", "owed:string:STRING", or "". */
static void format_hold(const struct xtv_held *held, char *out, size_t out_size)
{
	switch (held->hold) {
	case XTV_HOLD_NOTHING: snprintf(out, out_size, "%s", ""); break;
	case XTV_HOLD_UNACKED: snprintf(out, out_size, "unacked"); break;
	case XTV_HOLD_OWN: snprintf(out, out_size, "own"); break;
	case XTV_HOLD_OWED:
		if (held->owed_ack == XTV_ACK_STRING)
			snprintf(out, out_size, "owed:string:%s", held->owed_string);
		else
			snprintf(out, out_size, "owed:%s", protocol_ack_name(held->owed_ack));
		break;
	}
}

static bool parse_hold(const char *as, struct xtv_held *held)
{
	static const char owed_string[] = "owed:string:";
	const char *string = as + sizeof(owed_string) - 1;
	size_t len;

	memset(held, 0, sizeof(*held));
	if (strcmp(as, "unacked") == 0) {
		held->hold = XTV_HOLD_UNACKED;
	} else if (strcmp(as, "own") == 0) {
		held->hold = XTV_HOLD_OWN;
	} else if (strcmp(as, "owed:ok") == 0 || strcmp(as, "owed:delete") == 0) {
		held->hold = XTV_HOLD_OWED;
		held->owed_ack = as[5] == 'o' ? XTV_ACK_OK : XTV_ACK_DELETE;
	} else if (strncmp(as, owed_string, sizeof(owed_string) - 1) == 0 &&
		   (len = strlen(string)) > 0 && len < sizeof(held->owed_string)) {
		held->hold = XTV_HOLD_OWED;
		held->owed_ack = XTV_ACK_STRING;
		memcpy(held->owed_string, string, len + 1);
	} else {
		return false;
	}
	return true;
}

static void load_held(struct daemon *d, enum xtv_node node)
{
	struct xtv_held *held = &d->state.held[node];
	char as[PROTOCOL_MAX_ACK_STRING + 32] = "";
	char value[sizeof(held->value)] = "";

	memset(held, 0, sizeof(*held));
	get(d, state_keys[2 * node + 2], as, sizeof(as));
	if (!as[0])
		return;
	if (!get(d, state_keys[2 * node + 1], value, sizeof(value)) || !value[0] ||
	    !parse_hold(as, held)) {
		memset(held, 0, sizeof(*held));
		log_event("event=error op=load path=%s errno=%d", state_keys[2 * node + 2], EINVAL);
		return;
	}
	memcpy(held->value, value, sizeof(value));
}

/* A respawned daemon continues with the override and the held values its
 * predecessor persisted, so it neither loses nor repeats anything. */
void status_load_state(struct daemon *d)
{
	struct xtv_state *s = &d->state;
	char pending[PROTOCOL_MAX_MESSAGE + 1];
	char reason[PROTOCOL_MAX_REASON];

	if (get(d, STATUS_DIR "pending", pending, sizeof(pending)) && pending[0]) {
		if (protocol_parse_testing(pending, strlen(pending), &s->pending, reason,
					   sizeof(reason)) == 0 &&
		    s->pending.when == XTV_WHEN_ONSHUTDOWN)
			s->has_pending = true;
		else
			log_event("event=error op=load path=" STATUS_DIR "pending errno=%d", EINVAL);
	}
	load_held(d, XTV_NODE_SHUTDOWN);
	load_held(d, XTV_NODE_TESTING);
	d->state_loaded = true;
}

/* The keys' values for state, in state_keys order. */
static void stage(const struct xtv_state *state, struct persisted_state *out)
{
	out->valid = true;
	out->value[0][0] = '\0';
	if (state->has_pending &&
	    protocol_format_message(&state->pending, out->value[0], sizeof(out->value[0])) < 0)
		out->value[0][0] = '\0';
	for (int node = XTV_NODE_SHUTDOWN; node <= XTV_NODE_TESTING; node++) {
		const struct xtv_held *held = &state->held[node];

		snprintf(out->value[2 * node + 1], sizeof(out->value[0]), "%s", held->value);
		format_hold(held, out->value[2 * node + 2], sizeof(out->value[0]));
	}
}

size_t status_state_changes(const struct daemon *d, const struct xtv_state *state,
			    struct persisted_state *staged, struct state_put *puts)
{
	size_t n = 0;

	stage(state, staged);
	for (size_t i = 0; i < STATUS_STATE_KEYS; i++)
		if (!d->saved.valid || strcmp(d->saved.value[i], staged->value[i]) != 0)
			puts[n++] = (struct state_put){ .path = state_keys[i],
						       .value = staged->value[i] };
	return n;
}

void status_state_committed(struct daemon *d, const struct persisted_state *staged)
{
	d->saved = *staged;
}

static void save_state(struct daemon *d)
{
	struct persisted_state staged;
	struct state_put puts[STATUS_STATE_KEYS];
	size_t n = status_state_changes(d, &d->state, &staged, puts);
	bool ok = true;

	for (size_t i = 0; i < n; i++)
		ok = put_path(d, puts[i].path, puts[i].value) && ok;
	if (ok)
		status_state_committed(d, &staged);
	else
		d->saved.valid = false;
}

void status_publish(struct daemon *d)
{
	char number[24];

	put(d, "domid", d->domid);
	put(d, "version", XTV_VERSION);
	put(d, "shutdown-owner", d->state.kernel_owns_shutdown ? "kernel" : "daemon");
	snprintf(number, sizeof(number), "%lu", d->handled);
	put(d, "handled", number);
	snprintf(number, sizeof(number), "%lu", d->rejected);
	put(d, "rejected", number);
	put(d, "last", d->last);
	save_state(d);
}

void status_publish_verdict(struct daemon *d, enum xtv_verdict verdict)
{
	char number[24];
	bool handled = verdict == XTV_HANDLED;

	snprintf(number, sizeof(number), "%lu", handled ? d->handled : d->rejected);
	put(d, handled ? "handled" : "rejected", number);
	put(d, "last", d->last);
}

/* Tell the toolstack which requests we answer (libxl recreates these nodes
 * empty on restore, so this runs after every resume too). Under some
 * toolstacks they may be read-only: log and continue. */
void status_write_features(struct daemon *d)
{
	static const char *const features[] = { "control/feature-poweroff",
						"control/feature-reboot",
						"control/feature-suspend" };

	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		int ret = xsio_write_str(d->xs, features[i], "1");

		if (ret == 0)
			log_event("event=feature node=%s result=ok", features[i]);
		else
			log_event("event=feature node=%s result=error errno=%d", features[i], -ret);
	}
}

/* The kernel's xen.userspace_shutdown parameter: "Y" leaves control/shutdown
 * to this daemon. Anything else (N, no such file: a kernel without the patch)
 * means the kernel acknowledges and carries out requests itself, and a
 * daemon answering too would race it. */
bool status_kernel_owns_shutdown(struct daemon *d)
{
	char value[8] = "";
	FILE *f = fopen(d->ownership_file, "re");

	if (f) {
		if (!fgets(value, sizeof(value), f))
			value[0] = '\0';
		fclose(f);
	}
	if (value[0] == 'Y' || value[0] == '1')
		return false;
	log_event("event=error op=ownership owner=kernel file=%s value=\"%.1s\" hint=\"%s\"",
		  d->ownership_file, value,
		  "the kernel answers control/shutdown: boot with xen.userspace_shutdown=1; "
		  "serving control/testing only, onshutdown overrides are rejected");
	return true;
}
