/* xenstore.h - thin wrapper over libxenstore: errno-style returns, no policy.
 * (Same name as libxenstore's <xenstore.h>: include this one with quotes and
 * never put daemon/ on the -I path, only -iquote.)
 * Paths are relative to the domain's home. */
#ifndef XTV_XENSTORE_H
#define XTV_XENSTORE_H

#include <stddef.h>

#include "protocol.h"

struct xs_handle;

/* Connect (XENSTORED_PATH or libxenstore's defaults). 0 or -errno. */
int xsio_open(struct xs_handle **h);
void xsio_close(struct xs_handle *h);

/* Watch control/shutdown and control/testing. Each watch fires once at
 * registration. 0 or -errno. */
int xsio_watch_controls(struct xs_handle *h);

/* Block until a watch fires and say which node. -EAGAIN for an event this
 * daemon did not ask for (ignore it), another -errno when the connection is
 * lost. */
int xsio_wait_event(struct xs_handle *h, enum xtv_node *node);

/* Read path into a malloc'ed, NUL-terminated buffer (*len excludes the NUL;
 * the value itself may contain NULs). -ENOENT if absent, or -errno. */
int xsio_read(struct xs_handle *h, const char *path, char **value, size_t *len);

int xsio_write(struct xs_handle *h, const char *path, const char *value, size_t len);
int xsio_write_str(struct xs_handle *h, const char *path, const char *value);
int xsio_remove(struct xs_handle *h, const char *path);

/* A node written in the same transaction as an ack. */
struct xsio_put {
	const char *path;
	const char *value;
};

/* Compare-and-swap for acks: in a transaction, if path still holds exactly
 * expected (len bytes), write value (or remove path if value is NULL) and the
 * n_also nodes of also, all or nothing.
 * 0, -ESTALE if the node holds something else (a newer request that must not
 * be overwritten), or -errno. Retries transaction conflicts. */
int xsio_replace_if(struct xs_handle *h, const char *path, const char *expected, size_t len,
		    const char *value, const struct xsio_put *also, size_t n_also);

#endif
