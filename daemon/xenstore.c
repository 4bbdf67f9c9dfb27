/* xenstore.c - libxenstore calls, translated to 0 / -errno. */
#include "xenstore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

/* Tokens name what fired: "xtv/GEN/shutdown", "xtv/GEN/testing" for the
 * control watches of one registration, "xtv/barrier/N" for a barrier. */
#define TOKEN_SIZE 48
#define BARRIER_PATH "data/xtv/barrier"

static const char *const node_words[] = { [XTV_NODE_SHUTDOWN] = "shutdown",
					  [XTV_NODE_TESTING] = "testing" };

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

static void node_token(char *token, unsigned int gen, enum xtv_node node)
{
	snprintf(token, TOKEN_SIZE, "xtv/%u/%s", gen, node_words[node]);
}

static int watch(struct xs_handle *h, const char *path, const char *token)
{
	errno = 0;
	return xs_watch(h, path, token) || errno == EEXIST ? 0 : failure();
}

/* control/testing first: at a re-read an override must meet the request
 * that followed it. */
int xsio_watch_controls(struct xs_handle *h, unsigned int gen, bool with_shutdown)
{
	char token[TOKEN_SIZE];
	int ret;

	node_token(token, gen, XTV_NODE_TESTING);
	ret = watch(h, protocol_node_path(XTV_NODE_TESTING), token);
	if (ret != 0 || !with_shutdown)
		return ret;
	node_token(token, gen, XTV_NODE_SHUTDOWN);
	return watch(h, protocol_node_path(XTV_NODE_SHUTDOWN), token);
}

void xsio_unwatch_controls(struct xs_handle *h, unsigned int gen)
{
	char token[TOKEN_SIZE];

	for (int node = XTV_NODE_SHUTDOWN; node <= XTV_NODE_TESTING; node++) {
		node_token(token, gen, (enum xtv_node)node);
		xs_unwatch(h, protocol_node_path((enum xtv_node)node), token);
	}
}

int xsio_barrier_start(struct xs_handle *h, unsigned int n)
{
	char token[TOKEN_SIZE];

	snprintf(token, sizeof(token), "xtv/barrier/%u", n);
	return watch(h, BARRIER_PATH, token);
}

void xsio_barrier_end(struct xs_handle *h, unsigned int n)
{
	char token[TOKEN_SIZE];

	snprintf(token, sizeof(token), "xtv/barrier/%u", n);
	xs_unwatch(h, BARRIER_PATH, token);
}

static void parse_token(const char *token, struct xsio_event *event)
{
	char word[16];
	unsigned int number;

	event->type = XSIO_EV_OTHER;
	if (sscanf(token, "xtv/barrier/%u", &number) == 1) {
		event->type = XSIO_EV_BARRIER;
		event->number = number;
		return;
	}
	if (sscanf(token, "xtv/%u/%15s", &number, word) != 2)
		return;
	for (int node = XTV_NODE_SHUTDOWN; node <= XTV_NODE_TESTING; node++) {
		if (strcmp(word, node_words[node]) == 0) {
			event->type = XSIO_EV_NODE;
			event->node = (enum xtv_node)node;
			event->number = number;
		}
	}
}

int xsio_wait_event(struct xs_handle *h, struct xsio_event *event)
{
	unsigned int num;
	char **fired;

	errno = 0;
	fired = xs_read_watch(h, &num); /* blocks; NULL once the connection is gone */
	if (!fired)
		return failure();
	parse_token(fired[XS_WATCH_TOKEN], event);
	free(fired);
	return 0;
}

int xsio_read(struct xs_handle *h, const char *path, char **value, size_t *len)
{
	return xsio_txn_read(h, XBT_NULL, path, value, len);
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

int xsio_txn_start(struct xs_handle *h, xsio_txn *t)
{
	errno = 0;
	*t = xs_transaction_start(h);
	return *t != XBT_NULL ? 0 : failure();
}

int xsio_txn_read(struct xs_handle *h, xsio_txn t, const char *path, char **value,
		  size_t *len)
{
	unsigned int n;

	errno = 0;
	*value = xs_read(h, t, path, &n);
	if (!*value)
		return failure();
	*len = n;
	return 0;
}

int xsio_txn_put(struct xs_handle *h, xsio_txn t, const char *path, const char *value)
{
	bool done;

	errno = 0;
	done = value ? xs_write(h, t, path, value, (unsigned int)strlen(value)) :
		       xs_rm(h, t, path);
	return done ? 0 : failure();
}

int xsio_txn_end(struct xs_handle *h, xsio_txn t, bool abort)
{
	errno = 0;
	return xs_transaction_end(h, t, abort) ? 0 : failure();
}
