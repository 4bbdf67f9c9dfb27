/* fake_xenstore.c - the in-memory xenstore of fake_xenstore.h. */
#include "fake_xenstore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstore.h"

#define FAKE_NODES 64       /* nodes in the store (removed ones keep their slot) */
#define FAKE_TXN_TOUCHED 32 /* nodes one transaction reads or writes */
#define FAKE_OPS 1024       /* recorded calls */

struct fake_node {
	bool used; /* the slot names a path, present or removed */
	bool present;
	char path[FAKE_PATH_MAX];
	char value[FAKE_VALUE_MAX + 1];
	size_t len;
	unsigned long changed; /* the store's generation at its last change */
};

struct fake_txn {
	unsigned int id;       /* 0: no transaction open */
	unsigned long started; /* the store's generation at the start */
	struct fake_node snapshot[FAKE_NODES];
	struct fake_node writes[FAKE_NODES]; /* what the commit will write */
	char touched[FAKE_TXN_TOUCHED][FAKE_PATH_MAX];
	size_t n_touched;
};

struct xs_handle {
	struct fake_node nodes[FAKE_NODES];
	unsigned long generation;
	unsigned int last_txn;
	struct fake_txn txn;
	bool interloper_armed; /* fake_write_after_read */
	char interloper_path[FAKE_PATH_MAX];
	char interloper_value[FAKE_VALUE_MAX + 1];
	bool interloper_removes;
	char refused_path[FAKE_PATH_MAX];
	int refused_err;
	unsigned int breaks_left; /* fake_break_connection */
	enum fake_op_kind break_at;
	bool break_lands;
	bool lost; /* the transactions' connection is broken until the next start */
	struct fake_op ops[FAKE_OPS];
	size_t n_ops;
};

/* The test's own set-up went wrong (a table too small): no result can be trusted. */
static void fake_fatal(const char *what, const char *path)
{
	fprintf(stderr, "fake_xenstore: %s (%s)\n", what, path ? path : "");
	abort();
}

static void copy_path(char *out, const char *path)
{
	if (strlen(path) >= FAKE_PATH_MAX)
		fake_fatal("path too long", path);
	strcpy(out, path);
}

static struct fake_node *find(struct fake_node *nodes, const char *path)
{
	for (size_t i = 0; i < FAKE_NODES; i++)
		if (nodes[i].used && strcmp(nodes[i].path, path) == 0)
			return &nodes[i];
	return NULL;
}

/* Set (value non-NULL) or remove a node in a table, stamping it with gen. */
static void put_node(struct fake_node *nodes, const char *path, const char *value, size_t len,
		     unsigned long gen)
{
	struct fake_node *n = find(nodes, path);

	for (size_t i = 0; !n && i < FAKE_NODES; i++)
		if (!nodes[i].used)
			n = &nodes[i];
	if (!n)
		fake_fatal("store full", path);
	if (len > FAKE_VALUE_MAX)
		fake_fatal("value too long", path);
	n->used = true;
	copy_path(n->path, path);
	n->present = value != NULL;
	n->len = value ? len : 0;
	if (value)
		memcpy(n->value, value, len);
	n->value[n->len] = '\0';
	n->changed = gen;
}

static void record(struct xs_handle *h, enum fake_op_kind kind, unsigned int txn,
		   const char *path, const char *value, size_t len, int ret)
{
	struct fake_op *op;

	if (h->n_ops == FAKE_OPS)
		fake_fatal("call record full", path);
	op = &h->ops[h->n_ops++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->txn = txn;
	copy_path(op->path, path ? path : "");
	/* A removal, or a read of an absent node. */
	op->removed = value == NULL && (kind == FAKE_TXN_PUT || kind == FAKE_TXN_READ ||
					kind == FAKE_READ);
	op->len = value ? (len < FAKE_VALUE_MAX ? len : FAKE_VALUE_MAX) : 0;
	if (value)
		memcpy(op->value, value, op->len);
	op->ret = ret;
}

struct xs_handle *fake_new(void)
{
	struct xs_handle *h = calloc(1, sizeof(*h));

	if (!h)
		fake_fatal("out of memory", NULL);
	return h;
}

void fake_free(struct xs_handle *h)
{
	free(h);
}

/* A change by another writer: bumps the generation, so a transaction that
 * touched the node fails at its commit. */
static void other_writer(struct xs_handle *h, const char *path, const char *value)
{
	put_node(h->nodes, path, value, value ? strlen(value) : 0, ++h->generation);
}

void fake_set(struct xs_handle *h, const char *path, const char *value)
{
	other_writer(h, path, value);
}

void fake_remove(struct xs_handle *h, const char *path)
{
	other_writer(h, path, NULL);
}

const char *fake_get(const struct xs_handle *h, const char *path)
{
	const struct fake_node *n = find((struct fake_node *)h->nodes, path);

	return n && n->present ? n->value : NULL;
}

void fake_write_after_read(struct xs_handle *h, const char *path, const char *value)
{
	if (value && strlen(value) > FAKE_VALUE_MAX)
		fake_fatal("value too long", path);
	h->interloper_armed = true;
	copy_path(h->interloper_path, path);
	strcpy(h->interloper_value, value ? value : "");
	h->interloper_removes = value == NULL;
}

void fake_refuse_writes(struct xs_handle *h, const char *path, int err)
{
	copy_path(h->refused_path, path ? path : "");
	h->refused_err = path ? err : 0;
}

size_t fake_ops_count(const struct xs_handle *h)
{
	return h->n_ops;
}

const struct fake_op *fake_op(const struct xs_handle *h, size_t i)
{
	return i < h->n_ops ? &h->ops[i] : NULL;
}

bool fake_committed(const struct xs_handle *h, unsigned int txn)
{
	for (size_t i = 0; i < h->n_ops; i++)
		if (h->ops[i].kind == FAKE_TXN_COMMIT && h->ops[i].txn == txn)
			return h->ops[i].ret == 0;
	return false;
}

static bool refused(const struct xs_handle *h, const char *path)
{
	return h->refused_err != 0 && strcmp(h->refused_path, path) == 0;
}

/* A copy of a node for the caller: malloc'ed, NUL-terminated, as libxenstore. */
static int give_value(const struct fake_node *n, char **value, size_t *len)
{
	if (!n || !n->present)
		return -ENOENT;
	*value = malloc(n->len + 1);
	if (!*value)
		return -ENOMEM;
	memcpy(*value, n->value, n->len + 1);
	*len = n->len;
	return 0;
}

/* ---- the xsio_* calls the daemon makes ---- */

int xsio_read(struct xs_handle *h, const char *path, char **value, size_t *len)
{
	const struct fake_node *n = find(h->nodes, path);
	int ret = give_value(n, value, len);

	record(h, FAKE_READ, 0, path, ret == 0 ? *value : NULL, ret == 0 ? *len : 0, ret);
	return ret;
}

int xsio_write(struct xs_handle *h, const char *path, const char *value, size_t len)
{
	int ret = refused(h, path) ? -h->refused_err : 0;

	record(h, FAKE_WRITE, 0, path, value, len, ret);
	if (ret == 0)
		put_node(h->nodes, path, value, len, ++h->generation);
	return ret;
}

int xsio_write_str(struct xs_handle *h, const char *path, const char *value)
{
	return xsio_write(h, path, value, strlen(value));
}

/* The armed break, at a call of kind: the connection and the transaction are
 * gone, and the call fails with -EIO as a reply out of order makes it. */
static bool breaks_now(struct xs_handle *h, enum fake_op_kind kind)
{
	if (h->breaks_left == 0 || h->break_at != kind)
		return false;
	h->breaks_left--;
	h->lost = true;
	h->txn.id = 0;
	return true;
}

/* A call on a broken connection, or the one that breaks it: records it with its
 * error. Returns 0 when the call can go on. */
static int connection_fails(struct xs_handle *h, enum fake_op_kind kind, xsio_txn t,
			    const char *path)
{
	int ret = h->lost ? -ENOTCONN : breaks_now(h, kind) ? -EIO : 0;

	if (ret != 0)
		record(h, kind, t, path, NULL, 0, ret);
	return ret;
}

void fake_break_connection(struct xs_handle *h, enum fake_op_kind at, bool lands,
			   unsigned int times)
{
	h->breaks_left = times;
	h->break_at = at;
	h->break_lands = lands;
}

bool xsio_txn_lost(struct xs_handle *h)
{
	return h->lost;
}

int xsio_txn_start(struct xs_handle *h, xsio_txn *t)
{
	struct fake_txn *txn = &h->txn;

	h->lost = false; /* a new connection */
	if (connection_fails(h, FAKE_TXN_START, 0, NULL) != 0)
		return -EIO;
	if (txn->id != 0) {
		/* One at a time: a second one means the first was never ended. */
		record(h, FAKE_TXN_START, 0, NULL, NULL, 0, -EBUSY);
		return -EBUSY;
	}
	txn->id = ++h->last_txn;
	txn->started = h->generation;
	memcpy(txn->snapshot, h->nodes, sizeof(txn->snapshot));
	memset(txn->writes, 0, sizeof(txn->writes));
	txn->n_touched = 0;
	*t = txn->id;
	record(h, FAKE_TXN_START, txn->id, NULL, NULL, 0, 0);
	return 0;
}

static void touch(struct fake_txn *txn, const char *path)
{
	for (size_t i = 0; i < txn->n_touched; i++)
		if (strcmp(txn->touched[i], path) == 0)
			return;
	if (txn->n_touched == FAKE_TXN_TOUCHED)
		fake_fatal("transaction touches too many nodes", path);
	copy_path(txn->touched[txn->n_touched++], path);
}

static bool open_txn(const struct xs_handle *h, xsio_txn t)
{
	return t != 0 && t == h->txn.id;
}

int xsio_txn_read(struct xs_handle *h, xsio_txn t, const char *path, char **value,
		  size_t *len)
{
	struct fake_txn *txn = &h->txn;
	const struct fake_node *n;
	int ret = connection_fails(h, FAKE_TXN_READ, t, path);

	if (ret != 0)
		return ret;
	if (!open_txn(h, t)) {
		record(h, FAKE_TXN_READ, t, path, NULL, 0, -EINVAL);
		return -EINVAL;
	}
	/* Its own writes first, then the store as it was at the start. */
	n = find(txn->writes, path);
	if (!n)
		n = find(txn->snapshot, path);
	touch(txn, path);
	ret = give_value(n, value, len);
	record(h, FAKE_TXN_READ, t, path, ret == 0 ? *value : NULL, ret == 0 ? *len : 0, ret);
	if (h->interloper_armed && strcmp(h->interloper_path, path) == 0) {
		h->interloper_armed = false;
		other_writer(h, path, h->interloper_removes ? NULL : h->interloper_value);
	}
	return ret;
}

int xsio_txn_put(struct xs_handle *h, xsio_txn t, const char *path, const char *value)
{
	struct fake_txn *txn = &h->txn;
	size_t len = value ? strlen(value) : 0;
	int ret = connection_fails(h, FAKE_TXN_PUT, t, path);

	if (ret != 0)
		return ret;
	ret = !open_txn(h, t) ? -EINVAL : refused(h, path) ? -h->refused_err : 0;
	record(h, FAKE_TXN_PUT, t, path, value, len, ret);
	if (ret != 0)
		return ret;
	put_node(txn->writes, path, value, len, 0);
	touch(txn, path);
	return 0;
}

/* As the real one, a read and a put in one round trip: here, one after the other. */
int xsio_txn_read_put(struct xs_handle *h, xsio_txn t, const char *path, char **value,
		      size_t *len, const char *put_value, int *put_ret)
{
	int ret = xsio_txn_read(h, t, path, value, len);

	*put_ret = xsio_txn_put(h, t, path, put_value);
	h->ops[h->n_ops - 1].with_previous = true;
	/* As xenstore.c does: a connection lost after the read's reply takes the
	 * read's value with it. */
	if (ret == 0 && h->lost) {
		free(*value);
		*value = NULL;
		return *put_ret;
	}
	return ret;
}

/* A node the transaction read or wrote was changed since it started. */
static bool conflict(const struct xs_handle *h)
{
	const struct fake_txn *txn = &h->txn;

	for (size_t i = 0; i < txn->n_touched; i++) {
		const struct fake_node *n = find((struct fake_node *)h->nodes, txn->touched[i]);

		if (n && n->changed > txn->started)
			return true;
	}
	return false;
}

int xsio_txn_end(struct xs_handle *h, xsio_txn t, bool abort)
{
	struct fake_txn *txn = &h->txn;
	enum fake_op_kind kind = abort ? FAKE_TXN_ABORT : FAKE_TXN_COMMIT;
	int ret = 0;

	if (h->lost)
		return connection_fails(h, kind, t, NULL);
	if (h->breaks_left > 0 && h->break_at == kind && h->break_lands) {
		/* The commit is done, then its reply is lost with the connection. */
		h->breaks_left--;
		xsio_txn_end(h, t, abort);
		h->lost = true;
		record(h, kind, t, NULL, NULL, 0, -EIO);
		return -EIO;
	}
	if (connection_fails(h, kind, t, NULL) != 0)
		return -EIO;
	if (!open_txn(h, t)) {
		record(h, abort ? FAKE_TXN_ABORT : FAKE_TXN_COMMIT, t, NULL, NULL, 0, -EINVAL);
		return -EINVAL;
	}
	if (!abort && conflict(h)) {
		ret = -EAGAIN;
	} else if (!abort) {
		/* All writes land at once, under one generation. */
		h->generation++;
		for (size_t i = 0; i < FAKE_NODES; i++)
			if (txn->writes[i].used)
				put_node(h->nodes, txn->writes[i].path,
					 txn->writes[i].present ? txn->writes[i].value : NULL,
					 txn->writes[i].len, h->generation);
	}
	record(h, abort ? FAKE_TXN_ABORT : FAKE_TXN_COMMIT, t, NULL, NULL, 0, ret);
	txn->id = 0;
	return ret;
}
