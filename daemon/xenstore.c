/* xenstore.c - libxenstore calls, translated to 0 / -errno. */
#include "xenstore.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

/* errno after a failed libxenstore call; never 0, so failure stays failure. */
static int failure(void)
{
	return errno ? -errno : -EIO;
}

int xsio_open(struct xs_handle **h)
{
	errno = 0;
	*h = xs_open(0);
	return *h ? 0 : failure();
}

void xsio_close(struct xs_handle *h)
{
	if (h)
		xs_close(h);
}

/* The token names the node; the event path could be a child of it. */
int xsio_watch_controls(struct xs_handle *h)
{
	static const enum xtv_node nodes[] = { XTV_NODE_SHUTDOWN, XTV_NODE_TESTING };

	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		const char *path = protocol_node_path(nodes[i]);

		errno = 0;
		if (!xs_watch(h, path, path) && errno != EEXIST)
			return failure();
	}
	return 0;
}

int xsio_wait_event(struct xs_handle *h, enum xtv_node *node)
{
	unsigned int num;
	char **event;
	int ret = -EAGAIN;

	errno = 0;
	event = xs_read_watch(h, &num); /* blocks; NULL once the connection is gone */
	if (!event)
		return failure();
	if (strcmp(event[XS_WATCH_TOKEN], protocol_node_path(XTV_NODE_SHUTDOWN)) == 0) {
		*node = XTV_NODE_SHUTDOWN;
		ret = 0;
	} else if (strcmp(event[XS_WATCH_TOKEN], protocol_node_path(XTV_NODE_TESTING)) == 0) {
		*node = XTV_NODE_TESTING;
		ret = 0;
	}
	free(event);
	return ret;
}

int xsio_read(struct xs_handle *h, const char *path, char **value, size_t *len)
{
	unsigned int n;

	errno = 0;
	*value = xs_read(h, XBT_NULL, path, &n);
	if (!*value)
		return failure();
	*len = n;
	return 0;
}

int xsio_write(struct xs_handle *h, const char *path, const char *value, size_t len)
{
	errno = 0;
	return xs_write(h, XBT_NULL, path, value, (unsigned int)len) ? 0 : failure();
}

int xsio_write_str(struct xs_handle *h, const char *path, const char *value)
{
	return xsio_write(h, path, value, strlen(value));
}

int xsio_remove(struct xs_handle *h, const char *path)
{
	errno = 0;
	return xs_rm(h, XBT_NULL, path) ? 0 : failure();
}

/* Longest run of transaction conflicts before giving up on one ack. */
#define CAS_ATTEMPTS 16

static bool write_in(struct xs_handle *h, xs_transaction_t t, const char *path,
		     const char *value)
{
	return value ? xs_write(h, t, path, value, (unsigned int)strlen(value)) :
		       xs_rm(h, t, path);
}

/* One attempt: 0, -ESTALE, -EAGAIN (conflict: retry) or -errno. */
static int replace_once(struct xs_handle *h, const char *path, const char *expected, size_t len,
			const char *value, const struct xsio_put *also, size_t n_also)
{
	xs_transaction_t t;
	unsigned int n;
	char *current;
	bool same;
	int ret = 0;

	errno = 0;
	t = xs_transaction_start(h);
	if (t == XBT_NULL)
		return failure();
	current = xs_read(h, t, path, &n);
	same = current && n == len && memcmp(current, expected, len) == 0;
	free(current);
	errno = 0;
	if (!same)
		ret = -ESTALE;
	else if (!write_in(h, t, path, value))
		ret = failure();
	for (size_t i = 0; i < n_also && ret == 0; i++)
		if (!write_in(h, t, also[i].path, also[i].value))
			ret = failure();
	/* Commit a successful write; abort otherwise. A conflict is -EAGAIN. */
	errno = 0;
	if (!xs_transaction_end(h, t, ret != 0) && ret == 0)
		ret = failure();
	return ret;
}

int xsio_replace_if(struct xs_handle *h, const char *path, const char *expected, size_t len,
		    const char *value, const struct xsio_put *also, size_t n_also)
{
	int ret = -EAGAIN;

	for (int i = 0; i < CAS_ATTEMPTS && ret == -EAGAIN; i++)
		ret = replace_once(h, path, expected, len, value, also, n_also);
	return ret;
}
