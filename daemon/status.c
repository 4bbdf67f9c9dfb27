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

static void put(struct daemon *d, const char *key, const char *value)
{
	char path[64];
	int ret;

	snprintf(path, sizeof(path), STATUS_DIR "%s", key);
	ret = xsio_write_str(d->xs, path, value);
	if (ret != 0)
		log_event("event=error op=write path=%s errno=%d", path, -ret);
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

void status_save_state(struct daemon *d)
{
	char pending[PROTOCOL_MAX_MESSAGE + 1] = "";

	if (d->state.has_pending &&
	    protocol_format_message(&d->state.pending, pending, sizeof(pending)) < 0)
		pending[0] = '\0';
	put(d, "pending", pending);
	put(d, "seen-shutdown", d->state.seen_shutdown);
	put(d, "seen-shutdown-ack", d->state.seen_shutdown_ack);
	put(d, "seen-testing", d->state.seen_testing);
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
