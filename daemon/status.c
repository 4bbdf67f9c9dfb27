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

static const char *const state_keys[STATUS_STATE_KEYS] = {
	STATUS_DIR "pending", STATUS_DIR "seen-shutdown", STATUS_DIR "seen-shutdown-ack",
	STATUS_DIR "seen-testing",
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

/* A respawned daemon continues with the override and the handled values its
 * predecessor persisted, so it neither loses nor repeats anything. */
void status_load_state(struct daemon *d)
{
	struct xtv_state *s = &d->state;
	char pending[PROTOCOL_MAX_MESSAGE + 1];
	char reason[PROTOCOL_MAX_REASON];

	get(d, STATUS_DIR "seen-shutdown", s->seen_shutdown, sizeof(s->seen_shutdown));
	get(d, STATUS_DIR "seen-shutdown-ack", s->seen_shutdown_ack, sizeof(s->seen_shutdown_ack));
	get(d, STATUS_DIR "seen-testing", s->seen_testing, sizeof(s->seen_testing));
	if (get(d, STATUS_DIR "pending", pending, sizeof(pending)) && pending[0]) {
		if (protocol_parse_testing(pending, strlen(pending), &s->pending, reason,
					   sizeof(reason)) == 0 &&
		    s->pending.when == XTV_WHEN_ONSHUTDOWN)
			s->has_pending = true;
		else
			log_event("event=error op=load path=" STATUS_DIR "pending errno=%d", EINVAL);
	}
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
	snprintf(out->value[1], sizeof(out->value[1]), "%s", state->seen_shutdown);
	snprintf(out->value[2], sizeof(out->value[2]), "%s", state->seen_shutdown_ack);
	snprintf(out->value[3], sizeof(out->value[3]), "%s", state->seen_testing);
}

size_t status_state_changes(const struct daemon *d, const struct xtv_state *state,
			    struct persisted_state *staged, struct xsio_put *puts)
{
	size_t n = 0;

	stage(state, staged);
	for (size_t i = 0; i < STATUS_STATE_KEYS; i++)
		if (!d->saved.valid || strcmp(d->saved.value[i], staged->value[i]) != 0)
			puts[n++] = (struct xsio_put){ .path = state_keys[i], .value = staged->value[i] };
	return n;
}

void status_state_committed(struct daemon *d, const struct persisted_state *staged)
{
	d->saved = *staged;
}

void status_save_state(struct daemon *d)
{
	struct persisted_state staged;
	struct xsio_put puts[STATUS_STATE_KEYS];
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
	snprintf(number, sizeof(number), "%lu", d->handled);
	put(d, "handled", number);
	snprintf(number, sizeof(number), "%lu", d->rejected);
	put(d, "rejected", number);
	put(d, "last", d->last);
	status_save_state(d);
}

void status_publish_verdict(struct daemon *d, enum xtv_verdict verdict)
{
	char number[24];
	bool handled = verdict == XTV_HANDLED;

	snprintf(number, sizeof(number), "%lu", handled ? d->handled : d->rejected);
	put(d, handled ? "handled" : "rejected", number);
	put(d, "last", d->last);
}

/* Tell the toolstack which requests we answer. Under some toolstacks these
 * may be read-only: log and continue. */
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
