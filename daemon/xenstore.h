/* xenstore.h - the daemon's xenstore I/O: errno-style returns, no policy.
 * Plain reads and writes go through libxenstore; the watches and the
 * transactions through connections of their own (xenstore.c says why).
 * h stands for the whole session from xsio_open to xsio_close: the calls on
 * the own connections do not use it, the unit tests' double keeps its state
 * there. (Same name as libxenstore's <xenstore.h>: include this one with
 * quotes and never put daemon/ on the -I path, only -iquote.)
 * Paths are relative to the domain's home. */
#ifndef XTV_XENSTORE_H
#define XTV_XENSTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "protocol.h"

struct xs_handle;

/* Connect (XENSTORED_PATH or libxenstore's defaults). 0 or -errno. */
int xsio_open(struct xs_handle **h);
void xsio_close(struct xs_handle *h);

/* Watch control/testing and, if with_shutdown, control/shutdown, with tokens
 * of generation gen; xsio_unwatch_controls drops a generation again. Each
 * watch fires once at registration. The watches live on a connection of their
 * own, read by the caller's thread (see xenstore.c). 0 or -errno. */
int xsio_watch_controls(struct xs_handle *h, unsigned int gen, bool with_shutdown);
void xsio_unwatch_controls(struct xs_handle *h, unsigned int gen);

/* A barrier: a watch with a token of its own, whose firing at registration
 * follows every event xenstored queued for this connection before it. */
int xsio_barrier_start(struct xs_handle *h, unsigned int n);
void xsio_barrier_end(struct xs_handle *h, unsigned int n);

/* XSIO_EV_OVERFLOW: events came faster than they could be kept while a watch
 * request waited for its reply, and some were dropped: read both nodes again. */
struct xsio_event {
	enum { XSIO_EV_NODE, XSIO_EV_BARRIER, XSIO_EV_OVERFLOW, XSIO_EV_OTHER } type;
	enum xtv_node node;  /* XSIO_EV_NODE */
	unsigned int number; /* the token's generation or barrier number */
};

/* Block until a watch fires, or for at most timeout_ms if that is not
 * negative (then -ETIMEDOUT). 0, or -errno when the connection is lost (its
 * watches are gone with it: reconnect). */
int xsio_wait_event(struct xs_handle *h, struct xsio_event *event, int timeout_ms);

/* Read path into a malloc'ed, NUL-terminated buffer (*len excludes the NUL;
 * the value itself may contain NULs). -ENOENT if absent, or -errno. */
int xsio_read(struct xs_handle *h, const char *path, char **value, size_t *len);

int xsio_write(struct xs_handle *h, const char *path, const char *value, size_t len);
int xsio_write_str(struct xs_handle *h, const char *path, const char *value);

/* A transaction: reads see one snapshot, writes land together at commit. The
 * transactions go over a connection of their own, opened with xsio_open (see
 * xenstore.c), so that a read and a write can share a round trip.
 * xsio_txn_end returns 0, -EAGAIN if another writer got in between (start
 * again from the read), or -errno. */
typedef unsigned int xsio_txn;
int xsio_txn_start(struct xs_handle *h, xsio_txn *t);
int xsio_txn_read(struct xs_handle *h, xsio_txn t, const char *path, char **value,
		  size_t *len);
/* Read path as xsio_txn_read does and, in the same round trip, put put_value
 * there (a write, or a removal if NULL) as xsio_txn_put does, whatever the read
 * finds: the put's 0 or -errno in *put_ret. For an ack that is due only if the
 * read shows a request: end the transaction with abort when it is not. Returns
 * the read's 0 or -errno; *put_ret is set when the read's reply came. If the
 * connection breaks after the read's reply, the read's value is dropped
 * (*value NULL) and the put's -errno returned. */
int xsio_txn_read_put(struct xs_handle *h, xsio_txn t, const char *path, char **value,
		      size_t *len, const char *put_value, int *put_ret);
/* Write value, or remove path if value is NULL. */
int xsio_txn_put(struct xs_handle *h, xsio_txn t, const char *path, const char *value);
int xsio_txn_end(struct xs_handle *h, xsio_txn t, bool abort);
/* After an xsio_txn_* call failed: whether the transactions' connection broke
 * with it (a reply out of order, xenstored gone). The connection is closed and
 * the transaction gone with it; the next xsio_txn_start opens a new one. A
 * commit that failed so may or may not have landed. */
bool xsio_txn_lost(struct xs_handle *h);

#endif
