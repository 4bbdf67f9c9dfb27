/* daemon.h - the daemon's state, passed explicitly (no globals). */
#ifndef XTV_DAEMON_H
#define XTV_DAEMON_H

#include <stdbool.h>

#include "power.h"
#include "protocol.h"

#ifndef XTV_VERSION
#define XTV_VERSION "dev"
#endif

struct xs_handle;
struct xsio_put;

/* The state keys as this daemon last wrote them to data/xtv (status.c), so
 * that only changed keys are written again: pending, seen-shutdown,
 * seen-shutdown-ack, seen-testing. */
#define STATUS_STATE_KEYS 4
struct persisted_state {
	bool valid; /* false: data/xtv may differ (new connection, resume): write all */
	char value[STATUS_STATE_KEYS][PROTOCOL_MAX_MESSAGE + 1];
};

struct daemon {
	struct xs_handle *xs;     /* NULL while disconnected */
	struct power power;
	struct xtv_state state;   /* pending override + handled values, mirrored in data/xtv */
	struct persisted_state saved; /* what data/xtv holds of state */
	bool state_loaded;        /* data/xtv read once, at the first connection */
	unsigned long handled;    /* messages/requests acted on */
	unsigned long rejected;   /* invalid messages/unknown requests */
	char last[PROTOCOL_MAX_REASON + 32];
	char domid[16];           /* decimal, or "unknown" */
};

/* status.c: data/xtv/ (docs/protocol.md, "Status keys") */
void status_read_domid(struct daemon *d);
void status_set_ready(struct daemon *d, bool ready);
void status_load_state(struct daemon *d);
void status_save_state(struct daemon *d);
/* Stage state's keys that differ from data/xtv as puts (up to
 * STATUS_STATE_KEYS, pointing into *staged) for a caller that writes them in
 * its own transaction; returns how many. After the commit, hand staged to
 * status_state_committed. */
size_t status_state_changes(const struct daemon *d, const struct xtv_state *state,
			    struct persisted_state *staged, struct xsio_put *puts);
void status_state_committed(struct daemon *d, const struct persisted_state *staged);
void status_publish(struct daemon *d);
/* The counter of this verdict and data/xtv/last (after the ack). */
void status_publish_verdict(struct daemon *d, enum xtv_verdict verdict);
void status_write_features(struct daemon *d);

/* handler.c: one watch event. Returns true if both nodes must be re-read
 * (after a suspend, events may have been missed). */
bool handle_node(struct daemon *d, enum xtv_node node);

#endif
