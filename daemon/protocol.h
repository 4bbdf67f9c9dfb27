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

/* What the daemon remembers between events; persisted under data/xtv/ so
 * that a respawned daemon neither loses the override nor acts twice. */
struct xtv_state {
	bool has_pending;           /* an onshutdown override is waiting */
	struct xtv_message pending; /* valid when has_pending */
	/* Values the daemon has already handled (or written itself) and which
	 * may still sit in the node: seeing them again is not a new request.
	 * Empty string = nothing remembered. */
	char seen_shutdown[PROTOCOL_MAX_MESSAGE + 1];
	char seen_shutdown_ack[PROTOCOL_MAX_ACK_STRING + 1];
	char seen_testing[PROTOCOL_MAX_MESSAGE + 1];
};

enum xtv_verdict {
	XTV_SILENT = 0, /* empty node: our own ack or a deletion; nothing to say */
	XTV_SKIP,       /* value already handled (or our own ack string) */
	XTV_HANDLED,    /* valid: acknowledge as told, then run the action */
	XTV_REJECTED,   /* invalid: log reason; ack only if ack_needed */
};

struct xtv_decision {
	enum xtv_verdict verdict;
	bool ack_needed;            /* false: leave the node untouched */
	enum xtv_ack ack;           /* when ack_needed */
	char ack_string[PROTOCOL_MAX_ACK_STRING + 1];
	enum xtv_action action;     /* XTV_ACTION_IGNORE = nothing to run */
	bool state_changed;         /* new_state differs from the old one */
	struct xtv_state new_state;
	char reason[PROTOCOL_MAX_REASON]; /* one line, for the log and data/xtv/last */
};

/* Parse a testing message of len bytes (it need not be NUL terminated and
 * may contain NUL bytes, which are rejected). Returns 0 and fills *msg, or
 * -1 and writes a one-line reason (e.g. `duplicate key "ack"`). */
int protocol_parse_testing(const char *value, size_t len, struct xtv_message *msg,
			   char *reason, size_t reason_size);

/* Decide what to do with the value just read from node. present=false means
 * the node does not exist. Pure: the result depends on the arguments only. */
void protocol_decide(enum xtv_node node, const char *value, size_t len, bool present,
		     const struct xtv_state *state, struct xtv_decision *decision);

/* Call after the ack of a HANDLED/REJECTED decision was written successfully:
 * the node no longer holds the handled value (unless ack was none), so the
 * same value seen later is a new request. */
void protocol_ack_written(enum xtv_node node, const struct xtv_decision *decision,
			  struct xtv_state *state);

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
