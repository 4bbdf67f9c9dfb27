/* daemon.h - the daemon's state, passed explicitly (no globals). */
#ifndef XTV_DAEMON_H
#define XTV_DAEMON_H

#include <stdbool.h>

#include "power.h"
#include "protocol.h"
#include "retry.h"

#ifndef XTV_VERSION
#define XTV_VERSION "dev"
#endif

struct xs_handle;

/* The state keys as this daemon last wrote them to data/xtv (status.c), so
 * that only changed keys are written again: pending, then per node the value
 * held and how it is held. */
#define STATUS_STATE_KEYS 5
struct persisted_state {
	bool valid; /* false: data/xtv may differ (new connection, resume): write all */
	char value[STATUS_STATE_KEYS][PROTOCOL_MAX_MESSAGE + PROTOCOL_MAX_ACK_STRING + 16];
};

/* Watch events read while the daemon waited for a barrier, in order. */
#define EVENT_QUEUE_SIZE 32
struct queued_event {
	enum xtv_node node;
	enum xtv_event_kind kind;
	bool start_publishing; /* not an event: the rest of the start (main.c) */
};

struct daemon {
	struct xs_handle *xs;     /* NULL while disconnected */
	struct power power;
	const char *ownership_file; /* the kernel's xen.userspace_shutdown parameter */
	struct xtv_state state;   /* pending override + held values, mirrored in data/xtv */
	struct persisted_state saved; /* what data/xtv holds of state */
	bool state_loaded;        /* data/xtv read once, at the first connection */
	unsigned long handled;    /* messages/requests acted on */
	unsigned long rejected;   /* invalid messages/unknown requests */
	char last[PROTOCOL_MAX_REASON + 32];
	char domid[16];           /* decimal, or "unknown" */
	unsigned int watch_gen;   /* generation of the control watches' tokens */
	bool initial_unseen[2];   /* a watch's firing at registration is still to come */
	unsigned int barrier_n;   /* number of the last barrier */
	struct queued_event queue[EVENT_QUEUE_SIZE];
	size_t queued;
	bool queue_overflow;      /* events were lost from the queue: re-read both nodes */
	struct event_retry retry[2]; /* per node: an event whose transaction failed */
};

/* status.c: data/xtv/ (docs/protocol.md, "Status keys") */
void status_read_domid(struct daemon *d);
void status_set_ready(struct daemon *d, bool ready);
/* Whether data/xtv is absent (false if that cannot be read); then
 * status_assume_empty makes its state keys count as empty until
 * status_publish creates them. */
bool status_home_absent(struct daemon *d);
void status_assume_empty(struct daemon *d);
void status_load_state(struct daemon *d);
/* Stage state's keys that differ from data/xtv as puts (up to
 * STATUS_STATE_KEYS, pointing into *staged) for a caller that writes them in
 * its own transaction; returns how many. After the commit, hand staged to
 * status_state_committed. */
struct state_put {
	const char *path;
	const char *value;
};
/* Written, with a value no earlier commit wrote, by a commit on control/shutdown
 * whose only other write is the ack "": the node cannot tell whether such a
 * commit landed when its reply was lost (libxl cancelling a suspend writes ""
 * too); the mark can (handler.c, needs_mark()). */
#define STATUS_COMMIT_MARK "data/xtv/commit"
size_t status_state_changes(const struct daemon *d, const struct xtv_state *state,
			    struct persisted_state *staged, struct state_put *puts);
void status_state_committed(struct daemon *d, const struct persisted_state *staged);
void status_publish(struct daemon *d);
/* The counter of this verdict and data/xtv/last (after the ack). */
void status_publish_verdict(struct daemon *d, enum xtv_verdict verdict);
void status_write_features(struct daemon *d);
/* Whether the kernel answers control/shutdown itself; logged, published. */
bool status_kernel_owns_shutdown(struct daemon *d);

/* handler.c: one event, one transaction, then the action. */
struct event_result {
	bool settle;    /* the node keeps a value: coalesce events already on their way */
	bool suspended; /* a suspend ran: the watches must be registered anew */
	bool failed;    /* the transaction failed (logged): nothing was decided */
};
struct event_result handle_event(struct daemon *d, enum xtv_node node,
				 enum xtv_event_kind kind);

#endif
