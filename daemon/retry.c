/* retry.c - see retry.h. */
#include "retry.h"

#include <string.h>

void retry_note(struct event_retry *r, enum xtv_event_kind kind, bool failed,
		unsigned long long now_ms)
{
	if (!failed) {
		memset(r, 0, sizeof(*r));
		return;
	}
	if (!r->pending) {
		r->kind = kind;
		r->delay_ms = RETRY_FIRST_MS;
	} else {
		if (kind == XTV_EVENT_WRITE)
			r->kind = XTV_EVENT_WRITE;
		r->delay_ms = r->delay_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : r->delay_ms * 2;
	}
	r->pending = true;
	r->due_ms = now_ms + r->delay_ms;
}

enum xtv_event_kind retry_kind(const struct event_retry *r, enum xtv_event_kind kind)
{
	return r->pending && r->kind == XTV_EVENT_WRITE ? XTV_EVENT_WRITE : kind;
}

void retry_forget_rereads(struct event_retry *r)
{
	if (r->pending && r->kind == XTV_EVENT_REREAD)
		memset(r, 0, sizeof(*r));
}

bool retry_due(const struct event_retry retries[2], unsigned long long now_ms,
	       enum xtv_node *node, int *timeout_ms)
{
	static const enum xtv_node order[] = { XTV_NODE_TESTING, XTV_NODE_SHUTDOWN };

	*timeout_ms = -1;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const struct event_retry *r = &retries[order[i]];
		int wait;

		if (!r->pending)
			continue;
		if (r->due_ms <= now_ms) {
			*node = order[i];
			return true;
		}
		wait = (int)(r->due_ms - now_ms);
		if (*timeout_ms < 0 || wait < *timeout_ms)
			*timeout_ms = wait;
	}
	return false;
}
