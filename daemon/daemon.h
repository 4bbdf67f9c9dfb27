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

struct daemon {
	struct xs_handle *xs;     /* NULL while disconnected */
	struct power power;
	struct xtv_state state;   /* pending override + handled values, mirrored in data/xtv */
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
void status_publish(struct daemon *d);
void status_write_features(struct daemon *d);

/* handler.c: one watch event. Returns true if both nodes must be re-read
 * (after a suspend, events may have been missed). */
bool handle_node(struct daemon *d, enum xtv_node node);

#endif
