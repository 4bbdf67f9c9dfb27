/* xtvd - answers control/shutdown and control/testing (docs/protocol.md).
 * main: arguments, connection, start-up, event loop, reconnect. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "log.h"
#include "xenstore.h"

#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 5000

static int usage(void)
{
	fprintf(stderr, "usage: xtvd [--power=real|record:FILE] [--suspend-file=PATH]\n");
	return 2;
}

static int parse_args(int argc, char **argv, struct power *power)
{
	const char *power_arg = "real";
	const char *suspend_file = NULL;

	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--power=", 8) == 0)
			power_arg = argv[i] + 8;
		else if (strncmp(argv[i], "--suspend-file=", 15) == 0 && argv[i][15])
			suspend_file = argv[i] + 15;
		else
			return -EINVAL;
	}
	return power_parse(power_arg, suspend_file, power);
}

/* Register watches and publish everything; the watches' initial firing then
 * makes the loop look at both nodes. 0 or -errno. */
static int start_serving(struct daemon *d)
{
	int ret;

	status_set_ready(d, false);
	if (!d->state_loaded)
		status_load_state(d);
	status_write_features(d);
	ret = xsio_watch_controls(d->xs);
	if (ret != 0) {
		log_event("event=error op=watch errno=%d", -ret);
		return ret;
	}
	status_read_domid(d);
	d->saved.valid = false; /* a new connection: data/xtv may hold anything */
	status_publish(d);
	status_set_ready(d, true);
	log_event("event=ready domid=%s", d->domid);
	return 0;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		continue;
}

/* Connect and start serving, retrying with exponential backoff forever. */
static void connect_with_backoff(struct daemon *d)
{
	unsigned int delay = BACKOFF_FIRST_MS;

	for (;;) {
		int ret = d->xs ? 0 : xsio_open(&d->xs);

		if (ret == 0) {
			log_event("event=connect result=ok");
			if (start_serving(d) == 0)
				return;
			xsio_close(d->xs);
			d->xs = NULL;
		} else {
			log_event("event=connect result=error errno=%d", -ret);
		}
		sleep_ms(delay);
		delay = delay * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : delay * 2;
	}
}

static void serve(struct daemon *d)
{
	for (;;) {
		enum xtv_node node;
		int ret = xsio_wait_event(d->xs, &node);

		if (ret == -EAGAIN)
			continue;
		if (ret != 0) {
			log_event("event=disconnect errno=%d", -ret);
			xsio_close(d->xs);
			d->xs = NULL;
			connect_with_backoff(d);
			continue;
		}
		if (handle_node(d, node)) {
			/* After a suspend the watches may not fire again: look now. */
			handle_node(d, XTV_NODE_SHUTDOWN);
			handle_node(d, XTV_NODE_TESTING);
		}
	}
}

int main(int argc, char **argv)
{
	struct daemon d;

	memset(&d, 0, sizeof(d));
	if (parse_args(argc, argv, &d.power) != 0)
		return usage();
	/* A write to a vanished xenstored socket must be an error, not death. */
	signal(SIGPIPE, SIG_IGN);

	/* The domid is the first thing logged; it needs a connection. */
	if (xsio_open(&d.xs) == 0)
		status_read_domid(&d);
	else
		snprintf(d.domid, sizeof(d.domid), "unknown");
	log_event("event=start domid=%s version=%s power=%s", d.domid, XTV_VERSION,
		  d.power.record ? "record" : "real");
	connect_with_backoff(&d);
	serve(&d);
	return 1;
}
