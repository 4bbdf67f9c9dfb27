/* handler.c - one watch event: read the node, decide (protocol.c), acknowledge
 * and persist the state in one transaction, publish the counters, act. The
 * state is persisted no later than the ack and before the action, so a
 * respawned daemon never acts twice (at-most-once). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "xenstore.h"

static const char *node_word(enum xtv_node node)
{
	return node == XTV_NODE_SHUTDOWN ? "shutdown" : "testing";
}

static void log_ack(enum xtv_node node, enum xtv_ack mode, int ret)
{
	const char *path = protocol_node_path(node);

	if (mode == XTV_ACK_NONE)
		log_event("event=ack node=%s mode=none result=skipped", path);
	else if (ret == 0)
		log_event("event=ack node=%s mode=%s result=ok", path, protocol_ack_name(mode));
	else if (ret == -ESTALE)
		/* A newer value arrived: it is a request of its own, never overwritten. */
		log_event("event=ack node=%s mode=%s result=stale", path, protocol_ack_name(mode));
	else if (ret == -EACCES && node == XTV_NODE_TESTING)
		/* Under xl control/ is read-only to the guest unless dom0 chmods it. */
		log_event("event=ack node=%s mode=%s result=error errno=%d hint=\"%s\"", path,
			  protocol_ack_name(mode), -ret,
			  "control/testing is not writable by this domain: xenstore-chmod it");
	else
		log_event("event=ack node=%s mode=%s result=error errno=%d", path,
			  protocol_ack_name(mode), -ret);
}

/* What an ack writes: "" for ok, the custom string, NULL (remove) for delete. */
static const char *ack_value(const struct xtv_decision *dec)
{
	switch (dec->ack) {
	case XTV_ACK_OK: return "";
	case XTV_ACK_DELETE: return NULL;
	default: return dec->ack_string;
	}
}

/* Write the ack of the value just handled, only while the node still holds it,
 * and the state that follows from the ack in the same transaction: a respawned
 * daemon finds both or neither, so it never acts on a request twice. */
static int write_ack(struct daemon *d, enum xtv_node node, const struct xtv_decision *dec,
		     const char *handled, size_t len)
{
	struct xtv_state acked = d->state;
	struct persisted_state staged;
	struct xsio_put puts[STATUS_STATE_KEYS];
	size_t n;
	int ret;

	protocol_ack_written(node, dec, &acked);
	n = status_state_changes(d, &acked, &staged, puts);
	ret = xsio_replace_if(d->xs, protocol_node_path(node), handled, len, ack_value(dec), puts,
			      n);
	if (ret == 0) {
		d->state = acked;
		status_state_committed(d, &staged);
	}
	return ret;
}

/* Ack if the decision asks for it, with the state in the ack's transaction.
 * Without an ack written (none asked for, or it failed) the state is persisted
 * on its own, still before any action. */
static void acknowledge_and_persist(struct daemon *d, enum xtv_node node,
				   const struct xtv_decision *dec, const char *handled, size_t len)
{
	int ret = 0;

	if (dec->ack_needed) {
		if (dec->ack != XTV_ACK_NONE)
			ret = write_ack(d, node, dec, handled, len);
		log_ack(node, dec->ack, ret);
		if (dec->ack != XTV_ACK_NONE && ret == 0)
			return;
	}
	status_save_state(d);
}

/* Count and log a handled or rejected event; it is published after the ack,
 * which keeps the ack's latency at a few xenstore round trips. */
static void record_verdict(struct daemon *d, enum xtv_node node, const struct xtv_decision *dec)
{
	const char *path = protocol_node_path(node);
	char reason[LOG_QUOTED_SIZE];

	d->state = dec->new_state;
	if (dec->verdict == XTV_HANDLED) {
		d->handled++;
		snprintf(d->last, sizeof(d->last), "ok %s %s", node_word(node), dec->reason);
		log_event("event=decision node=%s verdict=handled ack=%s action=%s reason=%s", path,
			  protocol_ack_name(dec->ack), protocol_action_name(dec->action),
			  log_quote(dec->reason, strlen(dec->reason), reason, sizeof(reason)));
	} else {
		d->rejected++;
		snprintf(d->last, sizeof(d->last), "rejected %s: %s", node_word(node), dec->reason);
		log_event("event=reject node=%s reason=%s", path,
			  log_quote(dec->reason, strlen(dec->reason), reason, sizeof(reason)));
	}
}

/* After the suspend hook returns: new domid (after a restore), fresh status. */
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
	status_publish(d);
}

/* Returns true if the nodes must be re-read (after a suspend). */
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

bool handle_node(struct daemon *d, enum xtv_node node)
{
	const char *path = protocol_node_path(node);
	struct xtv_decision dec;
	char *value = NULL;
	size_t len = 0;
	char quoted[LOG_QUOTED_SIZE];
	int ret = xsio_read(d->xs, path, &value, &len);

	if (ret != 0 && ret != -ENOENT) {
		log_event("event=error op=read path=%s errno=%d", path, -ret);
		return false;
	}
	if (value && len > 0)
		log_event("event=message node=%s len=%zu value=%s", path, len,
			  log_quote(value, len, quoted, sizeof(quoted)));
	protocol_decide(node, value ? value : "", len, ret == 0, &d->state, &dec);

	switch (dec.verdict) {
	case XTV_SILENT:
		if (dec.state_changed) {
			d->state = dec.new_state;
			status_save_state(d);
		}
		break;
	case XTV_SKIP:
		log_event("event=skip node=%s reason=\"%s\"", path, dec.reason);
		break;
	case XTV_HANDLED:
	case XTV_REJECTED:
		record_verdict(d, node, &dec);
		acknowledge_and_persist(d, node, &dec, value, len);
		status_publish_verdict(d, dec.verdict);
		free(value);
		return run_action(d, dec.action);
	}
	free(value);
	return false;
}
