/* xtvd - answers control/shutdown and control/testing (docs/protocol.md).
 * main: arguments, connection, start-up, event loop, reconnect. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/linkhash.h>

#include "daemon.h"
#include "log.h"
#include "xenstore.h"

#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 5000

#define DEFAULT_OWNERSHIP_FILE "/sys/module/xen/parameters/userspace_shutdown"

static int usage(void)
{
	fprintf(stderr, "usage: xtvd [--power=real|record:FILE] [--suspend-file=PATH] "
			"[--ownership-file=PATH]\n");
	return 2;
}

static int parse_args(int argc, char **argv, struct daemon *d)
{
	static const char ownership[] = "--ownership-file=";
	const char *power_arg = "real";
	const char *suspend_file = NULL;

	d->ownership_file = DEFAULT_OWNERSHIP_FILE;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--power=", 8) == 0)
			power_arg = argv[i] + 8;
		else if (strncmp(argv[i], "--suspend-file=", 15) == 0 && argv[i][15])
			suspend_file = argv[i] + 15;
		else if (strncmp(argv[i], ownership, sizeof(ownership) - 1) == 0 &&
			 argv[i][sizeof(ownership) - 1])
			d->ownership_file = argv[i] + sizeof(ownership) - 1;
		else
			return -EINVAL;
	}
	return power_parse(power_arg, suspend_file, &d->power);
}

static void enqueue_item(struct daemon *d, struct queued_event item)
{
	if (d->queued == EVENT_QUEUE_SIZE) {
		d->queue_overflow = true;
		return;
	}
	d->queue[d->queued++] = item;
}

static void enqueue(struct daemon *d, enum xtv_node node, enum xtv_event_kind kind)
{
	enqueue_item(d, (struct queued_event){ .node = node, .kind = kind });
}

/* Register the control watches under a new generation of tokens: events of
 * an older one (the kernel re-registers our watches itself after a resume)
 * are dropped, and each new watch's firing at registration is recognised
 * as such. */
static int register_watches(struct daemon *d)
{
	bool with_shutdown = !d->state.kernel_owns_shutdown;
	int ret;

	if (d->watch_gen > 0)
		xsio_unwatch_controls(d->xs, d->watch_gen);
	d->watch_gen++;
	d->initial_unseen[XTV_NODE_TESTING] = true;
	d->initial_unseen[XTV_NODE_SHUTDOWN] = with_shutdown;
	d->queued = 0;
	d->queue_overflow = false;
	ret = xsio_watch_controls(d->xs, d->watch_gen, with_shutdown);
	if (ret != 0)
		log_event("event=error op=watch errno=%d", -ret);
	return ret;
}

/* Register the watches, then queue what serve() does next, in this order:
 * the daemon's own re-read of control/testing (an override written before a
 * request must meet it), the rest of the start (start_publishing), the
 * re-read of control/shutdown. Where data/xtv is absent (a new domain at
 * boot or after a restore, or a new xenstored) there is no ready to take
 * back and no state to reload, so a message written while the VM booted is
 * answered after 7 xenstore round trips of the daemon instead of 28 (the
 * answer's own 3 included): the first answer is what a tester waits for.
 * Used at start, after a reconnect and after every suspend. 0 or -errno. */
static int start_serving(struct daemon *d)
{
	int ret;

	if (status_home_absent(d)) {
		status_assume_empty(d);
		d->state_loaded = true;
	} else {
		status_set_ready(d, false);
		if (!d->state_loaded)
			status_load_state(d);
		d->saved.valid = false; /* a new connection or domain: write all */
	}
	ret = register_watches(d);
	if (ret != 0)
		return ret;
	/* The re-reads below replace a re-read's retry; a write's stays. */
	retry_forget_rereads(&d->retry[XTV_NODE_TESTING]);
	retry_forget_rereads(&d->retry[XTV_NODE_SHUTDOWN]);
	enqueue(d, XTV_NODE_TESTING, XTV_EVENT_REREAD);
	enqueue_item(d, (struct queued_event){ .start_publishing = true });
	if (!d->state.kernel_owns_shutdown)
		enqueue(d, XTV_NODE_SHUTDOWN, XTV_EVENT_REREAD);
	return 0;
}

/* The rest of the start, queued by start_serving: the feature nodes, every
 * status key, then ready. */
static void start_publishing(struct daemon *d)
{
	if (!d->state.kernel_owns_shutdown)
		status_write_features(d);
	status_read_domid(d);
	d->saved.valid = false; /* the state keys may not exist yet: write all */
	status_publish(d);
	status_set_ready(d, true);
	log_event("event=ready domid=%s", d->domid);
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

static unsigned long long now_ms(void)
{
	struct timespec ts = { 0 };

	/* Cannot fail for CLOCK_MONOTONIC on Linux; ts stays defined anyway. */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

/* One event, and its outcome for the retries: a failed transaction decided
 * nothing, and its event is handled again after a back-off (retry.h), so that
 * a burst of conflicts or a passing error does not lose a request. */
static struct event_result handle(struct daemon *d, enum xtv_node node,
				  enum xtv_event_kind kind)
{
	struct event_retry *r = &d->retry[node];
	struct event_result result;

	kind = retry_kind(r, kind);
	result = handle_event(d, node, kind);
	retry_note(r, kind, result.failed, now_ms());
	if (result.failed)
		log_event("event=retry node=%s kind=%s in_ms=%u", protocol_node_path(node),
			  r->kind == XTV_EVENT_WRITE ? "write" : "reread", r->delay_ms);
	return result;
}

/* A control watch event of the current generation that is a write (not the
 * watch's firing at registration); false for anything to drop. */
static bool is_write(struct daemon *d, const struct xsio_event *ev)
{
	if (ev->type == XSIO_EV_OVERFLOW) {
		/* Events were dropped unread: both nodes are read again. */
		d->queue_overflow = true;
		return false;
	}
	if (ev->type != XSIO_EV_NODE || ev->number != d->watch_gen)
		return false;
	if (d->initial_unseen[ev->node]) {
		/* The registration's own firing: start_serving re-reads anyway. */
		d->initial_unseen[ev->node] = false;
		return false;
	}
	return true;
}

/* The next event to handle: queued ones first. 0 or -errno (disconnected). */
static int next_event(struct daemon *d, struct queued_event *out)
{
	for (;;) {
		struct xsio_event ev;
		int timeout_ms;
		int ret;

		if (d->queue_overflow && d->queued == 0) {
			/* More writes arrived than the queue, or the watch
			 * connection, could hold. */
			d->queue_overflow = false;
			if (d->initial_unseen[XTV_NODE_TESTING] ||
			    d->initial_unseen[XTV_NODE_SHUTDOWN]) {
				/* A watch's firing at registration may be among
				 * the events dropped; the next write would be
				 * taken for it. A new generation has its own. */
				ret = register_watches(d);
				if (ret != 0)
					return ret;
			}
			log_event("event=overflow reread=%s", d->state.kernel_owns_shutdown
								  ? "control/testing"
								  : "control/testing,control/shutdown");
			enqueue(d, XTV_NODE_TESTING, XTV_EVENT_REREAD);
			if (!d->state.kernel_owns_shutdown)
				enqueue(d, XTV_NODE_SHUTDOWN, XTV_EVENT_REREAD);
		}
		if (d->queued > 0) {
			*out = d->queue[0];
			memmove(d->queue, d->queue + 1, --d->queued * sizeof(d->queue[0]));
			return 0;
		}
		/* Queued events first: start_serving's re-reads and the rest
		 * of the start come before anything, and a queued write on a
		 * node answers its retry. */
		if (retry_due(d->retry, now_ms(), &out->node, &timeout_ms)) {
			out->kind = d->retry[out->node].kind;
			out->start_publishing = false;
			return 0;
		}
		ret = xsio_wait_event(d->xs, &ev, timeout_ms);
		if (ret == -ETIMEDOUT)
			continue;
		if (ret != 0)
			return ret;
		if (is_write(d, &ev)) {
			*out = (struct queued_event){ .node = ev.node, .kind = XTV_EVENT_WRITE };
			return 0;
		}
	}
}

/* Wait until every event xenstored sent before now has been read; writes to
 * node are counted in *coalesced instead of queued (they reached the node
 * before the decision just made settled). 0 or -errno. */
static int barrier(struct daemon *d, enum xtv_node node, unsigned int *coalesced)
{
	unsigned int n = ++d->barrier_n;
	int ret = xsio_barrier_start(d->xs, n);

	*coalesced = 0;
	while (ret == 0) {
		struct xsio_event ev;

		ret = xsio_wait_event(d->xs, &ev, -1);
		if (ret != 0 || (ev.type == XSIO_EV_BARRIER && ev.number == n))
			break;
		if (ev.type == XSIO_EV_OVERFLOW) {
			/* The barrier's own firing may be among the events
			 * dropped: stop waiting; next_event reads both nodes
			 * again. */
			d->queue_overflow = true;
			break;
		}
		if (!is_write(d, &ev))
			continue;
		if (ev.node == node)
			(*coalesced)++;
		else
			enqueue(d, ev.node, XTV_EVENT_WRITE);
	}
	xsio_barrier_end(d->xs, n);
	return ret;
}

/* A decision left a value in the node: a toolstack's remove+write in one
 * transaction fires the watch twice under oxenstored, and both events read
 * the same value. Coalesce what is already on its way, then look once more
 * on the daemon's own account (a changed value is still new). */
static int settle(struct daemon *d, enum xtv_node node)
{
	for (;;) {
		struct event_result result;
		unsigned int coalesced;
		int ret = barrier(d, node, &coalesced);

		if (ret != 0 || coalesced == 0)
			return ret;
		log_event("event=coalesce node=%s events=%u", protocol_node_path(node), coalesced);
		result = handle(d, node, XTV_EVENT_REREAD);
		if (result.suspended)
			return start_serving(d);
		if (!result.settle)
			return 0;
	}
}

static void reconnect(struct daemon *d, int err)
{
	log_event("event=disconnect errno=%d", -err);
	xsio_close(d->xs);
	d->xs = NULL;
	connect_with_backoff(d);
}

static void serve(struct daemon *d)
{
	for (;;) {
		struct queued_event ev;
		struct event_result result;
		int ret = next_event(d, &ev);

		if (ret != 0) {
			reconnect(d, ret);
			continue;
		}
		if (ev.start_publishing) {
			start_publishing(d);
			continue;
		}
		result = handle(d, ev.node, ev.kind);
		if (result.suspended)
			/* A new domain (restore) or the same one: watches, feature
			 * nodes, ready and status are set up again. */
			ret = start_serving(d);
		else if (result.settle)
			ret = settle(d, ev.node);
		if (ret != 0)
			reconnect(d, ret);
	}
}

int main(int argc, char **argv)
{
	struct daemon d;

	memset(&d, 0, sizeof(d));
	if (parse_args(argc, argv, &d) != 0)
		return usage();
	/* A write to a vanished xenstored socket must be an error, not death. */
	signal(SIGPIPE, SIG_IGN);
	/* json-c's default string hash seeds itself from /dev/urandom, which
	 * blocks until the kernel's crng is ready (seconds after boot without
	 * RDRAND); a few three-key messages need no hash-flooding defence. */
	json_global_set_string_hash(JSON_C_STR_HASH_PERLLIKE);

	/* The domid is the first thing logged; it needs a connection. */
	if (xsio_open(&d.xs) == 0)
		status_read_domid(&d);
	else
		snprintf(d.domid, sizeof(d.domid), "unknown");
	log_event("event=start domid=%s version=%s power=%s", d.domid, XTV_VERSION,
		  d.power.record ? "record" : "real");
	d.state.kernel_owns_shutdown = status_kernel_owns_shutdown(&d);
	connect_with_backoff(&d);
	serve(&d);
	return 1;
}
