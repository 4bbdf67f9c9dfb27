/* fake_xenstore.h - an in-memory xenstore behind daemon/xenstore.h's xsio_*
 * I/O calls, for testing the executor (daemon/handler.c, status.c) without
 * xenstored. Transactions work like xenstored's: reads see the store as it was
 * at the start plus the transaction's own writes, writes land together at the
 * commit, and the commit fails with EAGAIN when a node the transaction read or
 * wrote was changed by another writer meanwhile (nothing of it lands then).
 *
 * Scriptable: another writer can change a node right after the daemon's
 * transaction read it (a conflict at the commit), and writes to one path can
 * be refused with an errno (a node this domain may not write). Every call the
 * daemon makes is recorded, with its transaction and result; xsio_txn_read_put
 * as a read and a put, the put marked as sent with the read.
 *
 * The watch calls (xsio_watch_controls, xsio_wait_event, barriers) and
 * xsio_open are not provided: the executor does not use them. */
#ifndef XTV_FAKE_XENSTORE_H
#define XTV_FAKE_XENSTORE_H

#include <stdbool.h>
#include <stddef.h>

struct xs_handle;

/* Longest path and value kept (xenstored's own limits are 3072 and 4096). */
#define FAKE_PATH_MAX 128
#define FAKE_VALUE_MAX 2048

enum fake_op_kind {
	FAKE_TXN_START,
	FAKE_TXN_READ,
	FAKE_TXN_PUT,    /* a write, or a removal (removed) */
	FAKE_TXN_COMMIT, /* xsio_txn_end(abort = false); ret -EAGAIN on a conflict */
	FAKE_TXN_ABORT,  /* xsio_txn_end(abort = true) */
	FAKE_READ,       /* outside a transaction */
	FAKE_WRITE,      /* outside a transaction */
};

/* One call the daemon made. */
struct fake_op {
	enum fake_op_kind kind;
	unsigned int txn; /* the transaction's id; 0 outside one */
	char path[FAKE_PATH_MAX];
	char value[FAKE_VALUE_MAX + 1]; /* written or read (NUL-terminated copy) */
	size_t len;
	bool removed; /* FAKE_TXN_PUT of NULL; FAKE_TXN_READ of an absent node */
	bool with_previous; /* sent with the call before it, in one round trip */
	int ret;      /* what the call returned: 0 or -errno */
};

struct xs_handle *fake_new(void);
void fake_free(struct xs_handle *h);

/* The store as the toolstack or a tester changes it (not recorded as calls). */
void fake_set(struct xs_handle *h, const char *path, const char *value);
void fake_remove(struct xs_handle *h, const char *path);
/* The node's value (NUL-terminated), or NULL if absent. */
const char *fake_get(const struct xs_handle *h, const char *path);

/* Once: right after the daemon's next transaction read of path, another writer
 * sets path to value (NULL: removes it), outside the transaction. */
void fake_write_after_read(struct xs_handle *h, const char *path, const char *value);

/* The transactions' connection breaks at the daemon's next times calls of kind
 * at (FAKE_TXN_START .. FAKE_TXN_ABORT): each fails with -EIO and the open
 * transaction is gone; the calls after it fail with -ENOTCONN until the next
 * xsio_txn_start, which opens a new connection. lands: for a commit, it is done
 * before the connection breaks (its reply is lost). Each failed call is
 * recorded with its error. */
void fake_break_connection(struct xs_handle *h, enum fake_op_kind at, bool lands,
			   unsigned int times);

/* Writes (and removals) of path fail with -err until fake_refuse_writes(h, NULL, 0). */
void fake_refuse_writes(struct xs_handle *h, const char *path, int err);

/* The recorded calls: fake_ops_count(h) of them, fake_op(h, i) the i-th. */
size_t fake_ops_count(const struct xs_handle *h);
const struct fake_op *fake_op(const struct xs_handle *h, size_t i);
/* Whether transaction txn ended in a successful commit. */
bool fake_committed(const struct xs_handle *h, unsigned int txn);

#endif
