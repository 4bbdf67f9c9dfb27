/* retry.h - when an event whose transaction failed is handled again, and as
 * what (docs/protocol.md, after "the three connections"). Pure: the caller
 * passes the time (CLOCK_MONOTONIC, in ms) and logs. */
#ifndef XTV_RETRY_H
#define XTV_RETRY_H

#include <stdbool.h>

#include "protocol.h"

/* The first back-off, doubling to the last while the event keeps failing:
 * conflicts pass within milliseconds, and an error that lasts is logged at
 * most every RETRY_MAX_MS. */
#define RETRY_FIRST_MS 100
#define RETRY_MAX_MS 10000

/* One node's event whose transaction failed (conflicts beyond the handler's
 * attempts, an error xenstored gave). */
struct event_retry {
	bool pending;
	enum xtv_event_kind kind;  /* WRITE if any failed event was a write */
	unsigned int delay_ms;     /* the back-off: doubles at each failure */
	unsigned long long due_ms; /* when it is handled again */
};

/* The outcome of an event on the node (handled as kind, by retry_kind):
 * failed schedules it (again), anything decided ends the retry. */
void retry_note(struct event_retry *r, enum xtv_event_kind kind, bool failed,
		unsigned long long now_ms);
/* What an event on the node is handled as: a write while a write's retry is
 * pending (that write is still unanswered, and a re-read would skip the value
 * written again as the one the daemon left there), else kind. */
enum xtv_event_kind retry_kind(const struct event_retry *r, enum xtv_event_kind kind);
/* The daemon re-reads both nodes (a start, resume or reconnect): a pending
 * re-read is replaced by that; a write's retry stays. */
void retry_forget_rereads(struct event_retry *r);
/* The node whose retry is due at now_ms, control/testing first (an override
 * must meet the request written after it): true and *node. Otherwise
 * *timeout_ms is how long until the next is due, or -1 if none is pending. */
bool retry_due(const struct event_retry retries[2], unsigned long long now_ms,
	       enum xtv_node *node, int *timeout_ms);

#endif
