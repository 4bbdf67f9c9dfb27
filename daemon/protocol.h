/* protocol.h - the xen-test-vm control protocol, pure (no I/O).
 *
 * Two xenstore nodes drive the daemon: control/shutdown (the toolstack's
 * requests) and control/testing (a tester's instructions). This module
 * parses testing messages and decides, from (node, value, state), what the
 * daemon must acknowledge and do. The caller performs the I/O.
 * docs/protocol.md is the reference for the wire formats. */
#ifndef XTV_PROTOCOL_H
#define XTV_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>

/* Longest testing message accepted, in bytes. Longer ones are rejected,
 * never truncated. */
#define PROTOCOL_MAX_MESSAGE 1024
/* Longest custom ack string, in bytes (printable ASCII only). */
#define PROTOCOL_MAX_ACK_STRING 128
/* Room for a rejection or decision reason, NUL included. */
#define PROTOCOL_MAX_REASON 512

enum xtv_action {
	XTV_ACTION_IGNORE = 0, /* do nothing */
	XTV_ACTION_POWEROFF,
	XTV_ACTION_REBOOT,
	XTV_ACTION_HALT,
	XTV_ACTION_SUSPEND,
	XTV_ACTION_CRASH,
};

enum xtv_when {
	XTV_WHEN_NOW = 0,   /* act at once */
	XTV_WHEN_ONSHUTDOWN /* override the next shutdown request */
};

enum xtv_ack {
	XTV_ACK_OK = 0, /* write "" */
	XTV_ACK_NONE,   /* leave the node as it is */
	XTV_ACK_DELETE, /* remove the node */
	XTV_ACK_STRING, /* write a custom string */
};

enum xtv_node {
	XTV_NODE_SHUTDOWN = 0, /* control/shutdown */
	XTV_NODE_TESTING,      /* control/testing */
};

/* A parsed, valid testing message. */
struct xtv_message {
	enum xtv_when when;
	enum xtv_ack ack;
	char ack_string[PROTOCOL_MAX_ACK_STRING + 1]; /* XTV_ACK_STRING only */
	enum xtv_action action;
};

/* How a watch event reached the daemon. Every write to a node is a request
 * (or message), even with the value the node held before; only the daemon's
 * own re-reads (at start, respawn, resume, and after coalescing) compare the
 * value with what it left in the node, so that they never act twice. */
enum xtv_event_kind {
	XTV_EVENT_WRITE = 0, /* a watch event: somebody wrote (or chmod-ed) the node */
	XTV_EVENT_REREAD,    /* the daemon looks again on its own account */
};

/* What the daemon knowingly left in a node after deciding on it. */
enum xtv_hold {
	XTV_HOLD_NOTHING = 0, /* node emptied or removed by the ack, or never seen */
	XTV_HOLD_UNACKED,     /* request left unacknowledged on purpose (ack none, unknown) */
	XTV_HOLD_OWN,         /* the custom ack string this daemon wrote */
	XTV_HOLD_OWED,        /* the ack was refused (EACCES): still owed, action done */
};

struct xtv_held {
	enum xtv_hold hold;
	char value[PROTOCOL_MAX_MESSAGE + 1]; /* what the node holds; NUL-free */
	enum xtv_ack owed_ack;                /* XTV_HOLD_OWED: the ack to retry */
	char owed_string[PROTOCOL_MAX_ACK_STRING + 1];
};

/* What the daemon remembers between events; persisted under data/xtv/ so
 * that a respawned daemon neither loses the override nor acts twice. */
struct xtv_state {
	bool has_pending;           /* an onshutdown override is waiting */
	struct xtv_message pending; /* valid when has_pending */
	struct xtv_held held[2];    /* indexed by enum xtv_node */
	/* Fixed at start, not persisted: the kernel answers control/shutdown
	 * (booted with xen.userspace_shutdown=0), so overrides cannot work. */
	bool kernel_owns_shutdown;
};

enum xtv_verdict {
	XTV_SILENT = 0, /* empty or absent node: nothing to say */
	XTV_SKIP,       /* a re-read of what the daemon left there, or its own ack string */
	XTV_HANDLED,    /* valid: acknowledge as told, then run the action */
	XTV_REJECTED,   /* invalid: log reason; ack only if ack_due */
	XTV_ACK_RETRY,  /* an owed ack: write it now, run nothing */
};

/* One event's complete plan: the ack to write in the transaction that read
 * the node, the state that follows, and the action to run after the commit. */
struct xtv_plan {
	enum xtv_verdict verdict;
	bool ack_due;               /* false: leave the node untouched */
	enum xtv_ack ack;           /* what the ack is (XTV_ACK_NONE: deliberately none) */
	char ack_string[PROTOCOL_MAX_ACK_STRING + 1];
	enum xtv_action action;     /* XTV_ACTION_IGNORE = nothing to run */
	/* The node keeps a non-empty value: events already on their way for it
	 * (a toolstack's remove+write transaction fires twice under oxenstored)
	 * must be coalesced into this decision. */
	bool settle;
	struct xtv_state next;      /* the state once the plan is committed */
	char reason[PROTOCOL_MAX_REASON]; /* one line, for the log and data/xtv/last */
};

/* The input of one decision: the node as read inside the ack transaction. */
struct xtv_event {
	enum xtv_node node;
	enum xtv_event_kind kind;
	const char *value; /* len bytes; ignored when !present */
	size_t len;
	bool present;
};

/* Parse a testing message of len bytes (it need not be NUL terminated and
 * may contain NUL bytes, which are rejected). Returns 0 and fills *msg, or
 * -1 and writes a one-line reason (e.g. `duplicate key "ack"`). */
int protocol_parse_testing(const char *value, size_t len, struct xtv_message *msg,
			   char *reason, size_t reason_size);

/* Decide what an event means. Pure: the plan depends on the arguments only. */
void protocol_decide(const struct xtv_event *event, const struct xtv_state *state,
		     struct xtv_plan *plan);

/* The executor could not write the plan's ack (EACCES: the node is not
 * writable by this domain). The action still runs, as with the kernel's own
 * handler; the ack becomes owed and is retried at the node's next event. */
void protocol_ack_refused(const struct xtv_event *event, struct xtv_plan *plan);

/* Canonical JSON of a message, e.g. {"when":"onshutdown","ack":"none","action":"ignore"}.
 * It parses back to the same message. Returns the length, or -1 if out is too small. */
int protocol_format_message(const struct xtv_message *msg, char *out, size_t out_size);

/* Names used on the wire and in logs. */
const char *protocol_action_name(enum xtv_action action);
const char *protocol_when_name(enum xtv_when when);
const char *protocol_ack_name(enum xtv_ack ack); /* "ok", "none", "delete", "string" */
const char *protocol_node_path(enum xtv_node node); /* "control/shutdown", ... */

/* The action a control/shutdown value requests; -1 if it is not one. */
int protocol_shutdown_request(const char *value, size_t len, enum xtv_action *action);

#endif
