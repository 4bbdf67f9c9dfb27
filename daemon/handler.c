/* handler.c - one watch event, one transaction: read the node (and write
 * the usual ack, "", with the read: see attempt()), decide (protocol.c), write
 * the ack and the state that follows together, commit, then act. A newer
 * value written meanwhile makes the commit fail and the event is decided
 * again on it, so nothing is done for a value the node no longer holds; an
 * event whose transaction lost its connection is decided again too (see
 * landed_before_loss()). The state is persisted with the ack, so a respawned
 * daemon never acts twice (at-most-once). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "log.h"
#include "xenstore.h"

/* Longest run of transaction conflicts before giving up on one event. */
#define TXN_ATTEMPTS 16
/* How often one event's transaction starts over after its connection broke. */
#define TXN_RECONNECTS 2

/* What one committed transaction did, for the log and the action. */
struct committed {
	struct xtv_plan plan;
	struct persisted_state staged;
	struct state_put puts[STATUS_STATE_KEYS]; /* the state keys written */
	size_t n_puts;
	bool puts_changed; /* each put changes its key: one read back proves the commit */
	char *value; /* the node as read, malloc'ed; NULL if absent */
	size_t len;
	int ack_ret;   /* 0, or the -errno of a refused ack */
	bool state_ok; /* every state key was written */
	bool commit_sent; /* the attempt got as far as sending its commit */
	char mark[24];    /* this attempt's commit mark, if it wrote one */
	bool mark_ok;     /* STATUS_COMMIT_MARK was written in the transaction */
};

/* A commit mark no earlier commit of this domain wrote: CLOCK_MONOTONIC in
 * nanoseconds, which keeps counting across a respawned daemon, a suspend and a
 * restore, made strictly increasing within this daemon. */
static void make_mark(char *out, size_t size)
{
	static unsigned long long last;
	unsigned long long now = 0;
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
		now = (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
	last = now > last ? now : last + 1;
	snprintf(out, size, "%llu", last);
}

static const char *node_word(enum xtv_node node)
{
	return node == XTV_NODE_SHUTDOWN ? "shutdown" : "testing";
}

/* What an ack writes: "" for ok, the custom string, NULL (remove) for delete. */
static const char *ack_value(const struct xtv_plan *plan)
{
	switch (plan->ack) {
	case XTV_ACK_DELETE: return NULL;
	case XTV_ACK_STRING: return plan->ack_string;
	default: return "";
	}
}

/* Write the plan's ack; a refused one becomes owed (the action still runs). */
static void write_ack(struct daemon *d, xsio_txn t, const struct xtv_event *ev,
		      struct committed *c)
{
	c->ack_ret = 0;
	if (!c->plan.ack_due)
		return;
	c->ack_ret = xsio_txn_put(d->xs, t, protocol_node_path(ev->node), ack_value(&c->plan));
	if (c->ack_ret != 0)
		protocol_ack_refused(ev, &c->plan);
}

/* Stage the state keys that change and write them in the transaction; *tried
 * is how many were. c->puts keeps the ones written without an error. */
static bool write_state(struct daemon *d, xsio_txn t, struct committed *c, size_t *tried)
{
	struct state_put puts[STATUS_STATE_KEYS];
	bool ok = true;

	*tried = status_state_changes(d, &c->plan.next, &c->staged, puts);
	c->n_puts = 0;
	c->puts_changed = d->saved.valid; /* else every key is put, changed or not */
	for (size_t i = 0; i < *tried; i++) {
		int ret = xsio_txn_put(d->xs, t, puts[i].path, puts[i].value);

		if (ret == 0) {
			c->puts[c->n_puts++] = puts[i];
		} else {
			log_event("event=error op=write path=%s errno=%d", puts[i].path, -ret);
			ok = false;
		}
	}
	return ok;
}

/* Whether the plan acks with "": then the "" of a speculative read
 * (xsio_txn_read_put) stands as the ack, and on control/shutdown the commit
 * needs a mark (needs_mark()). */
static bool acks_with_empty(const struct xtv_plan *plan)
{
	const char *value = ack_value(plan);

	return plan->ack_due && value && *value == '\0';
}

/* The plan acks otherwise (another string, or a removal): the ack's own put
 * replaces the speculative "" in the transaction. Nothing to ack: the "" must not
 * land, so the transaction is aborted; that is the whole attempt when it has no
 * state to write either, and -ECANCELED (start again without speculating) if it
 * has. Returns 0 to go on and commit, 1 when aborted and done, or -ECANCELED. */
static int settle_speculation(struct daemon *d, xsio_txn t, const struct xtv_event *ev,
			      int spec_ret, struct committed *c)
{
	struct state_put puts[STATUS_STATE_KEYS];

	if (acks_with_empty(&c->plan)) {
		c->ack_ret = spec_ret;
		if (spec_ret != 0)
			protocol_ack_refused(ev, &c->plan);
		return 0;
	}
	if (c->plan.ack_due) {
		write_ack(d, t, ev, c);
		return 0;
	}
	xsio_txn_end(d->xs, t, true);
	if (status_state_changes(d, &c->plan.next, &c->staged, puts) != 0)
		return -ECANCELED;
	c->ack_ret = 0;
	c->state_ok = true;
	return 1;
}

/* A read-only transaction is aborted; its connection breaking on the way loses
 * nothing. A commit sent on a connection that then broke may have landed. */
static int end_attempt(struct daemon *d, xsio_txn t, bool read_only, struct committed *c)
{
	int ret;

	c->commit_sent = !read_only && !xsio_txn_lost(d->xs);
	ret = xsio_txn_end(d->xs, t, read_only);
	return ret != 0 && read_only && xsio_txn_lost(d->xs) ? 0 : ret;
}

/* Whether this commit needs a mark to be judged if its reply is lost: it
 * writes only the ack "" to control/shutdown, the value libxl writes to cancel
 * a suspend. Every other commit leaves its own evidence (a state key, a custom
 * string, a removal), and control/testing has no other writer of "". One more
 * round trip, on the requests only, where the kernel's own ack takes four. */
static bool needs_mark(enum xtv_node node, const struct committed *c, size_t tried)
{
	return node == XTV_NODE_SHUTDOWN && acks_with_empty(&c->plan) &&
	       c->ack_ret == 0 && tried == 0;
}

/* One attempt: 0 (committed, or nothing to write), -EAGAIN (a conflict:
 * try again), -ECANCELED (try again without speculating), or -errno.
 * SPECULATE: read the node and write "" to it in one round trip
 * (xsio_txn_read_put), which makes the usual ack three round trips where the
 * kernel's own control/sysrq ack takes four. */
static int attempt(struct daemon *d, enum xtv_node node, enum xtv_event_kind kind,
		   bool speculate, struct committed *c)
{
	const char *path = protocol_node_path(node);
	struct xtv_event ev = { .node = node, .kind = kind };
	size_t tried = 0;
	int spec_ret = 0;
	xsio_txn t;
	int ret;

	c->commit_sent = false;
	c->n_puts = 0;
	c->mark_ok = false;
	ret = xsio_txn_start(d->xs, &t);
	if (ret != 0)
		return ret;
	if (speculate)
		ret = xsio_txn_read_put(d->xs, t, path, &c->value, &c->len, "", &spec_ret);
	else
		ret = xsio_txn_read(d->xs, t, path, &c->value, &c->len);
	if (ret != 0 && ret != -ENOENT) {
		xsio_txn_end(d->xs, t, true);
		return ret;
	}
	ev.present = ret == 0;
	ev.value = ev.present ? c->value : "";
	ev.len = ev.present ? c->len : 0;
	protocol_decide(&ev, &d->state, &c->plan);
	if (speculate) {
		ret = settle_speculation(d, t, &ev, spec_ret, c);
		if (ret != 0)
			return ret < 0 ? ret : 0;
	} else {
		write_ack(d, t, &ev, c);
	}
	c->state_ok = write_state(d, t, c, &tried);
	if (needs_mark(node, c, tried)) {
		make_mark(c->mark, sizeof(c->mark));
		c->mark_ok = xsio_txn_put(d->xs, t, STATUS_COMMIT_MARK, c->mark) == 0;
	}
	/* A read-only transaction has nothing to commit. */
	return end_attempt(d, t, !c->plan.ack_due && tried == 0, c);
}

/* Whether path reads as want (NULL: absent), on libxenstore's connection. */
static bool node_reads(struct daemon *d, const char *path, const char *want)
{
	char *value = NULL;
	size_t len = 0;
	int ret = xsio_read(d->xs, path, &value, &len);
	bool same = want ? ret == 0 && len == strlen(want) && memcmp(value, want, len) == 0 :
			   ret == -ENOENT;

	if (ret == 0)
		free(value);
	return same;
}

/* Whether every state key the commit put reads as it was put. */
static bool puts_read_back(struct daemon *d, const struct committed *c)
{
	for (size_t i = 0; i < c->n_puts; i++)
		if (!node_reads(d, c->puts[i].path, c->puts[i].value))
			return false;
	return true;
}

/* Whether everything the lost commit wrote reads as it wrote it: its mark if
 * it wrote one, else the state keys if it changed them, else the ack and the
 * state keys. Only the daemon writes
 * data/xtv, so the mark and a state key are sure evidence; the node alone is
 * not, when another writer may have written the same value meanwhile (libxl's
 * "" cancelling a suspend): hence the mark where the node would be all. A
 * commit that wrote nothing tells nothing: it counts as not landed. */
static bool writes_show(struct daemon *d, enum xtv_node node, const struct committed *c)
{
	bool ack_written = c->plan.ack_due && c->ack_ret == 0;

	if (c->mark_ok)
		return node_reads(d, STATUS_COMMIT_MARK, c->mark);
	if (!ack_written && c->n_puts == 0)
		return false;
	/* State keys the commit changed prove it whatever the node holds by
	 * now: a toolstack may have written a new request there since. */
	if (c->puts_changed && c->n_puts > 0)
		return puts_read_back(d, c);
	if (ack_written && !node_reads(d, protocol_node_path(node), ack_value(&c->plan)))
		return false;
	return puts_read_back(d, c);
}

/* The attempt failed with err because its connection broke (a reply out of
 * order, xenstored gone): logged. Before its commit was sent nothing of it
 * landed. A commit sent may have: what it wrote tells (writes_show), and once
 * it shows, the event is done (its action is still to come). Returns whether
 * the commit landed; if not, the event is to be decided again. */
static bool landed_before_loss(struct daemon *d, enum xtv_node node, int err,
			       const struct committed *c)
{
	bool landed = c->commit_sent && writes_show(d, node, c);

	log_event("event=error op=%s path=%s errno=%d lost=1%s",
		  c->commit_sent ? "commit" : "transaction", protocol_node_path(node), -err,
		  !c->commit_sent ? "" : landed ? " landed=yes" : " landed=no");
	return landed;
}

static int run_transaction(struct daemon *d, enum xtv_node node, enum xtv_event_kind kind,
			   struct committed *c)
{
	bool speculate = true;
	int ret = -EAGAIN;
	int lost = 0;

	for (int i = 0; i < TXN_ATTEMPTS && (ret == -EAGAIN || ret == -ECANCELED); i++) {
		if (ret == -ECANCELED)
			speculate = false;
		free(c->value);
		c->value = NULL;
		ret = attempt(d, node, kind, speculate, c);
		if (ret < 0 && xsio_txn_lost(d->xs)) {
			/* Decided again, from the daemon's state as it was, on a new
			 * connection (the next xsio_txn_start opens it): the same
			 * decision, unless the node changed meanwhile. */
			if (landed_before_loss(d, node, ret, c))
				ret = 0;
			else if (++lost <= TXN_RECONNECTS)
				ret = -EAGAIN;
		}
	}
	return ret;
}

static void log_ack(enum xtv_node node, const struct committed *c)
{
	const char *path = protocol_node_path(node);
	const char *mode = protocol_ack_name(c->plan.ack);
	const char *owed = c->plan.verdict == XTV_ACK_RETRY ? " owed=1" : "";

	if (!c->plan.ack_due)
		log_event("event=ack node=%s mode=none result=skipped", path);
	else if (c->ack_ret == 0)
		log_event("event=ack node=%s mode=%s result=ok%s", path, mode, owed);
	else if (c->ack_ret == -EACCES)
		/* Under xl control/ is dom0's: the tester must chmod control/testing,
		 * and control/shutdown is dom0's again once an ack=delete removed it
		 * and the toolstack wrote it anew. */
		log_event("event=ack node=%s mode=%s result=error errno=%d%s hint=\"%s\"", path,
			  mode, -c->ack_ret, owed,
			  node == XTV_NODE_TESTING ?
				  "control/testing is not writable by this domain: xenstore-chmod it; "
				  "acked at its next event" :
				  "control/shutdown is not writable by this domain (dom0 recreated it "
				  "after ack=delete?): acked at its next event, if ever");
	else
		log_event("event=ack node=%s mode=%s result=error errno=%d%s", path, mode,
			  -c->ack_ret, owed);
}

/* Count and log a handled or rejected event; published after the commit,
 * which keeps the ack at three round trips (see attempt()). */
static void record_verdict(struct daemon *d, enum xtv_node node, const struct xtv_plan *plan)
{
	const char *path = protocol_node_path(node);
	char reason[LOG_QUOTED_SIZE];

	if (plan->verdict == XTV_HANDLED) {
		d->handled++;
		snprintf(d->last, sizeof(d->last), "ok %s %s", node_word(node), plan->reason);
		log_event("event=decision node=%s verdict=handled ack=%s action=%s reason=%s", path,
			  protocol_ack_name(plan->ack), protocol_action_name(plan->action),
			  log_quote(plan->reason, strlen(plan->reason), reason, sizeof(reason)));
	} else {
		d->rejected++;
		snprintf(d->last, sizeof(d->last), "rejected %s: %s", node_word(node), plan->reason);
		log_event("event=reject node=%s reason=%s", path,
			  log_quote(plan->reason, strlen(plan->reason), reason, sizeof(reason)));
	}
}

static void report(struct daemon *d, enum xtv_node node, const struct committed *c)
{
	const char *path = protocol_node_path(node);
	char quoted[LOG_QUOTED_SIZE];

	if (c->value && c->len > 0)
		log_event("event=message node=%s len=%zu value=%s", path, c->len,
			  log_quote(c->value, c->len, quoted, sizeof(quoted)));
	switch (c->plan.verdict) {
	case XTV_SILENT:
		break;
	case XTV_SKIP:
		log_event("event=skip node=%s reason=\"%s\"", path, c->plan.reason);
		break;
	case XTV_ACK_RETRY:
		log_ack(node, c);
		break;
	case XTV_HANDLED:
	case XTV_REJECTED:
		record_verdict(d, node, &c->plan);
		if (c->plan.ack_due || c->plan.verdict == XTV_HANDLED)
			log_ack(node, c);
		status_publish_verdict(d, c->plan.verdict);
		break;
	}
}

/* After the suspend hook returns: new domid (after a restore). The caller
 * registers the watches anew and republishes everything. */
static void suspend_and_resume(struct daemon *d)
{
	enum resume_outcome outcome;
	int ret = power_suspend(&d->power, &outcome);

	status_read_domid(d);
	if (ret != 0)
		log_event("event=resume outcome=error errno=%d domid=%s", -ret, d->domid);
	else
		log_event("event=resume outcome=%s domid=%s", power_outcome_name(outcome), d->domid);
	d->saved.valid = false; /* restored elsewhere: data/xtv is not carried over */
}

/* Returns true if a suspend ran. */
static bool run_action(struct daemon *d, enum xtv_action action)
{
	int ret;

	if (action == XTV_ACTION_IGNORE)
		return false;
	log_event("event=action action=%s", protocol_action_name(action));
	if (action == XTV_ACTION_SUSPEND) {
		suspend_and_resume(d);
		return true;
	}
	ret = power_run(&d->power, action);
	if (ret != 0)
		log_event("event=error op=action action=%s errno=%d", protocol_action_name(action),
			  -ret);
	return false;
}

struct event_result handle_event(struct daemon *d, enum xtv_node node,
				 enum xtv_event_kind kind)
{
	struct event_result result = { .settle = false };
	struct committed c = { .value = NULL };
	int ret = run_transaction(d, node, kind, &c);

	if (ret != 0) {
		log_event("event=error op=transaction path=%s errno=%d", protocol_node_path(node),
			  -ret);
		free(c.value);
		result.failed = true;
		return result;
	}
	d->state = c.plan.next;
	if (c.state_ok)
		status_state_committed(d, &c.staged);
	else
		d->saved.valid = false;
	report(d, node, &c);
	free(c.value);
	result.settle = c.plan.settle;
	result.suspended = run_action(d, c.plan.action);
	return result;
}
