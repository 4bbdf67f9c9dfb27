/* xs-kick - write a control/shutdown request the way xenopsd (XenServer 8) does, for the
 * lab's xenopsd-style scenarios (tests/lab/set-xenopsd.sh).
 *
 * xenopsd's Domain.shutdown removes the node if it exists and writes the request, in one
 * xenstore transaction, "to give the guest a kick again" (a retry is the same). It then
 * waits for the guest's acknowledgement: the node reads "" or is gone.
 *
 *   xs-kick DOMID VALUE [ACK_TIMEOUT_MS]
 *       Remove + write /local/domain/DOMID/control/shutdown = VALUE in one transaction
 *       (retried on EAGAIN). With ACK_TIMEOUT_MS, then wait (watch, no polling) for the
 *       acknowledgement. Exit 0 written (and acknowledged), 3 not acknowledged in time,
 *       1 error, 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenstore.h>

#define TXN_ATTEMPTS 16

static int usage(void)
{
	fprintf(stderr, "usage: xs-kick DOMID VALUE [ACK_TIMEOUT_MS]\n");
	return 2;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One transaction: the domain must exist; rm (if present) then write. 0, EAGAIN or errno. */
static int kick_once(struct xs_handle *h, const char *dom, const char *path, const char *value)
{
	xs_transaction_t t = xs_transaction_start(h);
	unsigned int len;
	char *exists;
	int err = 0;

	if (t == XBT_NULL)
		return errno ? errno : EIO;
	exists = xs_read(h, t, dom, &len);
	if (!exists)
		err = ENOENT;
	free(exists);
	if (!err && !xs_rm(h, t, path) && errno != ENOENT)
		err = errno;
	if (!err && !xs_write(h, t, path, value, (unsigned int)strlen(value)))
		err = errno;
	if (!xs_transaction_end(h, t, err != 0) && !err)
		err = errno ? errno : EIO;
	return err;
}

static bool acked(struct xs_handle *h, const char *path)
{
	unsigned int len;
	char *v = xs_read(h, XBT_NULL, path, &len);
	bool done = !v || len == 0;

	free(v);
	return done;
}

/* Wait for "" or removal; the watch fires once at registration. */
static bool await_ack(struct xs_handle *h, const char *path, long timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	if (!xs_watch(h, path, "ack"))
		return false;
	for (;;) {
		struct pollfd pfd = { .fd = xs_fileno(h), .events = POLLIN };
		long long left = end - now_ms();
		char **ev;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return acked(h, path);
		while ((ev = xs_check_watch(h)) != NULL) {
			free(ev);
			if (acked(h, path))
				return true;
		}
	}
}

int main(int argc, char **argv)
{
	char dom[64], path[96];
	struct xs_handle *h;
	int err = EAGAIN;
	long timeout_ms = -1;

	if (argc != 3 && argc != 4)
		return usage();
	if (argc == 4) {
		char *end;

		timeout_ms = strtol(argv[3], &end, 10);
		if (*end || timeout_ms < 0)
			return usage();
	}
	snprintf(dom, sizeof(dom), "/local/domain/%s", argv[1]);
	snprintf(path, sizeof(path), "%s/control/shutdown", dom);
	h = xs_open(0);
	if (!h) {
		perror("xs-kick: xs_open");
		return 1;
	}
	for (int i = 0; i < TXN_ATTEMPTS && err == EAGAIN; i++)
		err = kick_once(h, dom, path, argv[2]);
	if (err) {
		fprintf(stderr, "xs-kick: %s: %s\n", path, strerror(err));
		xs_close(h);
		return 1;
	}
	if (timeout_ms >= 0 && !await_ack(h, path, timeout_ms)) {
		fprintf(stderr, "xs-kick: %s not acknowledged within %ld ms\n", path, timeout_ms);
		xs_close(h);
		return 3;
	}
	xs_close(h);
	return 0;
}
