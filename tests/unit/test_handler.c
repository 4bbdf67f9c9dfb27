/* Tests of the executor: daemon/handler.c with status.c, protocol.c, power.c
 * (the record double, as --power=record:FILE) and log.c, against the in-memory
 * xenstore of fake_xenstore.c. They check what one event writes, in which
 * transaction, and what it runs: a newer value written between the read and the
 * commit, an override with ack none, a refused ack, the kernel's own round trips.
 *
 * Prints TAP on stdout. log.c writes the daemon's log lines to fd 1: while the
 * tests run, fd 1 is a file (the TAP stream keeps a copy of the original
 * stdout), each case reads its lines from there, and a failing case shows them
 * as TAP comments. Built with ASan+UBSan by `make check-unit`. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "fake_xenstore.h"
#include "xenstore.h"

#define SHUTDOWN "control/shutdown"
#define TESTING "control/testing"
#define STATE_DIR "data/xtv/"

static FILE *tap;
static int tests_run, tests_failed;
static char tmpdir[] = "/tmp/test_handler.XXXXXX";
static char actions_file[sizeof(tmpdir) + 16];
static char power_arg[sizeof(actions_file) + 16]; /* record:ACTIONS_FILE, as --power= */
static char log_file[sizeof(tmpdir) + 16];
static int log_fd = -1;
static char log_text[1 << 16];

static void ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tests_run++;
	if (!cond)
		tests_failed++;
	fprintf(tap, "%s %d - ", cond ? "ok" : "not ok", tests_run);
	va_start(ap, fmt);
	vfprintf(tap, fmt, ap);
	va_end(ap);
	fputc('\n', tap);
}

/* ---- the daemon's log, captured per case ---- */

static void log_reset(void)
{
	if (ftruncate(log_fd, 0) != 0 || lseek(log_fd, 0, SEEK_SET) != 0) {
		perror(log_file);
		exit(2);
	}
	log_text[0] = '\0';
}

/* The log lines written since log_reset. */
static const char *log_lines(void)
{
	ssize_t n = pread(log_fd, log_text, sizeof(log_text) - 1, 0);

	log_text[n > 0 ? n : 0] = '\0';
	return log_text;
}

static bool logged(const char *text)
{
	return strstr(log_lines(), text) != NULL;
}

static int case_failed_before;

static void case_begin(const char *name)
{
	fprintf(tap, "# %s\n", name);
	case_failed_before = tests_failed;
	log_reset();
	unlink(actions_file);
}

/* A failing case shows the daemon's log. */
static void case_end(void)
{
	const char *line = log_lines();

	if (tests_failed == case_failed_before)
		return;
	while (*line) {
		size_t len = strcspn(line, "\n");

		fprintf(tap, "#   %.*s\n", (int)len, line);
		line += len + (line[len] == '\n');
	}
}

/* What the record double ran, one action name a line ("" if nothing). */
static const char *actions(void)
{
	static char text[256];
	FILE *f = fopen(actions_file, "r");
	size_t n = 0;

	if (f) {
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
	}
	text[n] = '\0';
	return text;
}

/* The actions run so far on one line, for a test's description. */
static const char *ran(void)
{
	static char line[256];
	const char *a = actions();
	size_t n = 0;

	for (; *a && n + 1 < sizeof(line); a++)
		if (*a != '\n' || a[1])
			line[n++] = *a == '\n' ? ' ' : *a;
	line[n] = '\0';
	return n ? line : "nothing";
}

/* ---- a daemon connected to a fake xenstore ---- */

struct world {
	struct daemon d;
	struct xs_handle *xs;
	size_t mark; /* the first call of the last step */
};

/* What start_serving does (main.c) once connected: load data/xtv, publish. */
static void daemon_start(struct world *w, bool kernel_owns_shutdown)
{
	memset(&w->d, 0, sizeof(w->d));
	w->d.xs = w->xs;
	w->d.ownership_file = "/nonexistent";
	w->d.state.kernel_owns_shutdown = kernel_owns_shutdown;
	if (power_parse(power_arg, "/nonexistent", &w->d.power) != 0 || !w->d.power.record) {
		fprintf(stderr, "test_handler: --power=%s is not the record double\n", power_arg);
		exit(2);
	}
	status_load_state(&w->d);
	status_read_domid(&w->d);
	w->d.saved.valid = false;
	status_publish(&w->d);
	w->mark = fake_ops_count(w->xs);
}

static void world_new(struct world *w, bool kernel_owns_shutdown)
{
	w->xs = fake_new();
	fake_set(w->xs, "domid", "7");
	daemon_start(w, kernel_owns_shutdown);
}

static void world_free(struct world *w)
{
	fake_free(w->xs);
}

/* One watch event (or re-read) handled; the fake's calls from here on are its own. */
static struct event_result step(struct world *w, enum xtv_node node, enum xtv_event_kind kind)
{
	w->mark = fake_ops_count(w->xs);
	return handle_event(&w->d, node, kind);
}

static const struct fake_op *op_at(const struct world *w, size_t i)
{
	return fake_op(w->xs, w->mark + i);
}

static size_t ops_in_step(const struct world *w)
{
	return fake_ops_count(w->xs) - w->mark;
}

/* Round trips to xenstored: a call sent with the one before it shares its trip. */
static size_t round_trips_in_step(const struct world *w)
{
	size_t n = 0;

	for (size_t i = 0; i < ops_in_step(w); i++)
		n += !op_at(w, i)->with_previous;
	return n;
}

static bool is_state_key(const char *path)
{
	return strcmp(path, STATE_DIR "pending") == 0 ||
	       strncmp(path, STATE_DIR "held-", strlen(STATE_DIR "held-")) == 0;
}

static bool is_write(const struct fake_op *op)
{
	return op->kind == FAKE_TXN_PUT || op->kind == FAKE_WRITE;
}

/* Writes to path in the last step that landed: outside a transaction, or in a
 * committed one. */
static int writes_to(const struct world *w, const char *path)
{
	int n = 0;

	for (size_t i = 0; i < ops_in_step(w); i++) {
		const struct fake_op *op = op_at(w, i);

		n += is_write(op) && op->ret == 0 && strcmp(op->path, path) == 0 &&
		     (op->kind == FAKE_WRITE || fake_committed(w->xs, op->txn));
	}
	return n;
}

/* The transaction of the last step that wrote value (NULL: removed) to path and
 * committed; 0 if none. */
static unsigned int committed_write(const struct world *w, const char *path, const char *value)
{
	for (size_t i = 0; i < ops_in_step(w); i++) {
		const struct fake_op *op = op_at(w, i);

		if (op->kind == FAKE_TXN_PUT && op->ret == 0 && strcmp(op->path, path) == 0 &&
		    (value ? !op->removed && strcmp(op->value, value) == 0 : op->removed) &&
		    fake_committed(w->xs, op->txn))
			return op->txn;
	}
	return 0;
}

static int count_kind(const struct world *w, enum fake_op_kind kind, int ret)
{
	int n = 0;

	for (size_t i = 0; i < ops_in_step(w); i++)
		n += op_at(w, i)->kind == kind && op_at(w, i)->ret == ret;
	return n;
}

/* Transactions of the last step that committed with at least one write. */
static int committed_writing_txns(const struct world *w)
{
	int n = 0;

	for (size_t i = 0; i < ops_in_step(w); i++) {
		const struct fake_op *op = op_at(w, i);
		bool wrote = false;

		if (op->kind != FAKE_TXN_COMMIT || op->ret != 0)
			continue;
		for (size_t j = 0; j < i; j++)
			wrote = wrote || (op_at(w, j)->kind == FAKE_TXN_PUT &&
					  op_at(w, j)->txn == op->txn && op_at(w, j)->ret == 0);
		n += wrote;
	}
	return n;
}

/* No state key was written outside a transaction in the last step. */
static bool state_only_in_transactions(const struct world *w)
{
	for (size_t i = 0; i < ops_in_step(w); i++)
		if (op_at(w, i)->kind == FAKE_WRITE && is_state_key(op_at(w, i)->path))
			return false;
	return true;
}

/* Every state key written in the last step was written by transaction txn. */
static bool state_keys_in(const struct world *w, unsigned int txn)
{
	for (size_t i = 0; i < ops_in_step(w); i++) {
		const struct fake_op *op = op_at(w, i);

		if (is_write(op) && is_state_key(op->path) && op->ret == 0 &&
		    fake_committed(w->xs, op->txn) && op->txn != txn)
			return false;
	}
	return true;
}

static bool node_is(const struct world *w, const char *path, const char *value)
{
	const char *v = fake_get(w->xs, path);

	return value ? v && strcmp(v, value) == 0 : v == NULL;
}

static void handle_testing_message(struct world *w, const char *message)
{
	fake_set(w->xs, TESTING, message);
	step(w, XTV_NODE_TESTING, XTV_EVENT_WRITE);
}

/* ---- the cases ---- */

/* The double's own transactions, which the cases below rely on. */
static void test_fake_transactions(void)
{
	struct xs_handle *h = fake_new();
	char *value = NULL;
	size_t len;
	xsio_txn t;
	bool snapshot;

	case_begin("the fake xenstore's transactions");
	fake_set(h, "a", "1");
	xsio_txn_start(h, &t);
	xsio_txn_put(h, t, "a", "2");
	xsio_txn_put(h, t, "b", "3");
	ok(strcmp(fake_get(h, "a"), "1") == 0 && !fake_get(h, "b"),
	   "writes are not seen outside the transaction before its commit");
	ok(xsio_txn_end(h, t, false) == 0 && strcmp(fake_get(h, "a"), "2") == 0 &&
		   strcmp(fake_get(h, "b"), "3") == 0,
	   "a commit lands all its writes");
	xsio_txn_start(h, &t);
	fake_set(h, "a", "other");
	snapshot = xsio_txn_read(h, t, "a", &value, &len) == 0 && strcmp(value, "2") == 0;
	free(value);
	xsio_txn_put(h, t, "b", "4");
	ok(snapshot && xsio_txn_end(h, t, false) == -EAGAIN &&
		   strcmp(fake_get(h, "a"), "other") == 0 && strcmp(fake_get(h, "b"), "3") == 0,
	   "reads see the start; a node changed meanwhile fails the commit (EAGAIN), nothing lands");
	case_end();
	fake_free(h);
}

/* Issue item 3: libxl writes "" to cancel a suspend it requested; the daemon
 * read "suspend" but the commit finds the newer value: nothing is acked, nothing
 * runs. */
static void test_cancel_between_read_and_commit(void)
{
	struct world w;
	struct event_result r;

	case_begin("a newer value between the read and the commit wins");
	world_new(&w, false);
	fake_set(w.xs, SHUTDOWN, "suspend");
	fake_write_after_read(w.xs, SHUTDOWN, "");
	r = step(&w, XTV_NODE_SHUTDOWN, XTV_EVENT_WRITE);
	ok(count_kind(&w, FAKE_TXN_COMMIT, -EAGAIN) == 1,
	   "the commit of the decision on \"suspend\" conflicts (EAGAIN)");
	ok(!committed_write(&w, SHUTDOWN, "") && node_is(&w, SHUTDOWN, ""),
	   "no ack is committed: control/shutdown holds libxl's \"\"");
	ok(strcmp(actions(), "") == 0 && !r.suspended && !logged("event=action"),
	   "no suspend is run (ran: %s)", ran());
	ok(w.d.handled == 0 && !r.settle, "nothing is counted as handled, nothing to settle");
	case_end();
	world_free(&w);

	case_begin("a different request between the read and the commit is the one handled");
	world_new(&w, false);
	fake_set(w.xs, SHUTDOWN, "poweroff");
	fake_write_after_read(w.xs, SHUTDOWN, "reboot");
	step(&w, XTV_NODE_SHUTDOWN, XTV_EVENT_WRITE);
	ok(count_kind(&w, FAKE_TXN_COMMIT, -EAGAIN) == 1 && committed_writing_txns(&w) == 1 &&
		   committed_write(&w, SHUTDOWN, ""),
	   "one conflict, then one committed ack");
	ok(strcmp(actions(), "reboot\n") == 0, "only reboot runs (ran: %s)", ran());
	case_end();
	world_free(&w);
}

/* Issue item 7: the consumed override and the held request are persisted in
 * the one transaction that decided them. */
static void test_override_ack_none(void)
{
	struct world w;
	struct event_result r;
	unsigned int txn;

	case_begin("override ack=none: consumed and held in one committed transaction");
	world_new(&w, false);
	handle_testing_message(&w, "{\"when\":\"onshutdown\",\"ack\":\"none\",\"action\":\"reboot\"}");
	ok(node_is(&w, STATE_DIR "pending",
		   "{\"when\":\"onshutdown\",\"ack\":\"none\",\"action\":\"reboot\"}"),
	   "the override is persisted in data/xtv/pending");
	fake_set(w.xs, SHUTDOWN, "poweroff");
	r = step(&w, XTV_NODE_SHUTDOWN, XTV_EVENT_WRITE);
	txn = committed_write(&w, STATE_DIR "pending", "");
	ok(txn != 0 && committed_write(&w, STATE_DIR "held-shutdown", "poweroff") == txn &&
		   committed_write(&w, STATE_DIR "held-shutdown-as", "unacked") == txn,
	   "pending \"\", held-shutdown \"poweroff\" and held-shutdown-as \"unacked\" in transaction %u",
	   txn);
	ok(committed_writing_txns(&w) == 1 && state_only_in_transactions(&w),
	   "one committed transaction, no state key written outside it");
	ok(writes_to(&w, SHUTDOWN) == 0 && node_is(&w, SHUTDOWN, "poweroff"),
	   "control/shutdown is not written (ack none)");
	ok(op_at(&w, 2)->kind == FAKE_TXN_PUT && op_at(&w, 2)->with_previous &&
		   op_at(&w, 3)->kind == FAKE_TXN_ABORT && count_kind(&w, FAKE_TXN_ABORT, 0) == 1,
	   "the \"\" sent with the read is discarded: that transaction is aborted, the next one "
	   "writes the state alone");
	ok(strcmp(actions(), "reboot\n") == 0 && r.settle,
	   "the override's action runs (ran: %s), the node is settled", ran());
	step(&w, XTV_NODE_SHUTDOWN, XTV_EVENT_REREAD);
	ok(round_trips_in_step(&w) == 3 && count_kind(&w, FAKE_TXN_ABORT, 0) == 1 &&
		   strcmp(actions(), "reboot\n") == 0,
	   "the daemon's re-read of the held request: a read-only transaction, nothing runs");
	step(&w, XTV_NODE_SHUTDOWN, XTV_EVENT_WRITE);
	ok(committed_write(&w, SHUTDOWN, "") && strcmp(actions(), "reboot\npoweroff\n") == 0,
	   "the toolstack's retry of the same request is acked and handled (ran: %s)",
	   ran());
	case_end();
	world_free(&w);
}

/* Issue item 2: control/testing not yet writable by the guest. */
static void test_refused_testing_ack(void)
{
	struct world w;
	struct event_result r;

	case_begin("a refused control/testing ack is owed, the action runs once");
	world_new(&w, false);
	fake_refuse_writes(w.xs, TESTING, EACCES);
	fake_set(w.xs, TESTING, "now:poweroff");
	r = step(&w, XTV_NODE_TESTING, XTV_EVENT_WRITE);
	ok(strcmp(actions(), "poweroff\n") == 0, "the action runs (ran: %s)", ran());
	ok(node_is(&w, STATE_DIR "held-testing-as", "owed:ok") &&
		   node_is(&w, STATE_DIR "held-testing", "now:poweroff") &&
		   state_only_in_transactions(&w),
	   "data/xtv/held-testing-as is \"owed:ok\", held-testing the message, written in the transaction");
	ok(node_is(&w, TESTING, "now:poweroff") && r.settle,
	   "control/testing keeps the message, the node is settled");
	ok(logged("event=ack node=control/testing mode=ok result=error errno=13"),
	   "the refusal is logged with EACCES");

	fake_refuse_writes(w.xs, NULL, 0); /* the tester's chmod, which fires the watch */
	r = step(&w, XTV_NODE_TESTING, XTV_EVENT_WRITE);
	ok(committed_write(&w, TESTING, "") != 0 && node_is(&w, TESTING, ""),
	   "the chmod's event writes the owed \"\"");
	ok(strcmp(actions(), "poweroff\n") == 0, "no further action (ran: %s)", ran());
	ok(node_is(&w, STATE_DIR "held-testing-as", "") && !r.settle &&
		   logged("mode=ok result=ok owed=1"),
	   "nothing is owed any more; logged as the owed ack");
	step(&w, XTV_NODE_TESTING, XTV_EVENT_WRITE);
	ok(round_trips_in_step(&w) == 3 && strcmp(actions(), "poweroff\n") == 0,
	   "the watch event of the daemon's own \"\": read, nothing written, nothing run");
	case_end();
	world_free(&w);

	case_begin("a respawned daemon retries the owed ack it finds in data/xtv");
	world_new(&w, false);
	fake_refuse_writes(w.xs, TESTING, EACCES);
	fake_set(w.xs, TESTING, "now:crash");
	step(&w, XTV_NODE_TESTING, XTV_EVENT_WRITE);
	fake_refuse_writes(w.xs, NULL, 0);
	daemon_start(&w, false); /* a new daemon on the same store */
	ok(w.d.state.held[XTV_NODE_TESTING].hold == XTV_HOLD_OWED &&
		   w.d.state.held[XTV_NODE_TESTING].owed_ack == XTV_ACK_OK,
	   "the owed ack is loaded back from data/xtv");
	step(&w, XTV_NODE_TESTING, XTV_EVENT_REREAD);
	ok(committed_write(&w, TESTING, "") != 0 && strcmp(actions(), "crash\n") == 0,
	   "its re-read writes the owed \"\" and runs nothing again (ran: %s)",
	   ran());
	case_end();
	world_free(&w);
}

/* An ack and the state that follows from it land together or not at all. */
static void test_ack_and_state_together(void)
{
	struct world w;
	unsigned int txn;

	case_begin("an ack and its state keys are one transaction");
	world_new(&w, false);
	handle_testing_message(&w, "{\"when\":\"onshutdown\",\"ack\":\"busy\",\"action\":\"ignore\"}");
	txn = committed_write(&w, TESTING, "");
	ok(txn != 0 &&
		   committed_write(&w, STATE_DIR "pending",
				   "{\"when\":\"onshutdown\",\"ack\":\"busy\",\"action\":\"ignore\"}") ==
			   txn &&
		   state_keys_in(&w, txn) && state_only_in_transactions(&w),
	   "the testing ack \"\" and data/xtv/pending: transaction %u", txn);

	fake_set(w.xs, SHUTDOWN, "halt");
	step(&w, XTV_NODE_SHUTDOWN, XTV_EVENT_WRITE);
	txn = committed_write(&w, SHUTDOWN, "busy");
	ok(txn != 0 && committed_write(&w, STATE_DIR "pending", "") == txn &&
		   committed_write(&w, STATE_DIR "held-shutdown", "busy") == txn &&
		   committed_write(&w, STATE_DIR "held-shutdown-as", "own") == txn &&
		   state_keys_in(&w, txn) && state_only_in_transactions(&w),
	   "the custom ack \"busy\", pending \"\" and the own-string hold: transaction %u", txn);
	ok(strcmp(actions(), "") == 0, "the override's ignore runs nothing");
	step(&w, XTV_NODE_SHUTDOWN, XTV_EVENT_WRITE);
	ok(round_trips_in_step(&w) == 3 && count_kind(&w, FAKE_TXN_ABORT, 0) == 1 &&
		   logged("event=skip node=control/shutdown reason=\"own ack string\""),
	   "the watch event of its own \"busy\": skipped, a read-only transaction");
	case_end();
	world_free(&w);

	case_begin("a conflict discards the ack with its state keys");
	world_new(&w, false);
	fake_set(w.xs, TESTING, "next:halt");
	fake_write_after_read(w.xs, TESTING, "now:reboot");
	step(&w, XTV_NODE_TESTING, XTV_EVENT_WRITE);
	ok(count_kind(&w, FAKE_TXN_COMMIT, -EAGAIN) == 1 && node_is(&w, STATE_DIR "pending", "") &&
		   !w.d.state.has_pending && strcmp(actions(), "reboot\n") == 0,
	   "the override of the lost decision is neither stored nor persisted; the newer message runs");
	case_end();
	world_free(&w);
}

/* The kernel's own handler: transaction start, read, write, end. The daemon
 * sends the write with the read: one round trip fewer. */
static void test_round_trips(void)
{
	static const struct {
		enum fake_op_kind kind;
		bool with_previous;
		const char *path;
		const char *value;
	} want[] = {
		{ FAKE_TXN_START, false, "", "" },
		{ FAKE_TXN_READ, false, TESTING, "now:ignore" },
		{ FAKE_TXN_PUT, true, TESTING, "" },
		{ FAKE_TXN_COMMIT, false, "", "" },
	};
	struct world w;
	bool same = true;
	size_t i;

	case_begin("a plain testing message costs three round trips, the kernel's ack four");
	world_new(&w, false);
	handle_testing_message(&w, "now:ignore");
	for (i = 0; i < 4 && same; i++) {
		const struct fake_op *op = op_at(&w, i);

		same = op && op->kind == want[i].kind && op->ret == 0 &&
		       op->with_previous == want[i].with_previous &&
		       strcmp(op->path, want[i].path) == 0 && strcmp(op->value, want[i].value) == 0 &&
		       op->txn == op_at(&w, 0)->txn;
	}
	ok(same, "start, read \"now:ignore\" and write \"\" together, commit%s",
	   same ? "" : " (differs at the call shown by the log)");
	for (; i < ops_in_step(&w) && same; i++) {
		const struct fake_op *op = op_at(&w, i);

		same = op->kind == FAKE_WRITE && (strcmp(op->path, STATE_DIR "handled") == 0 ||
						  strcmp(op->path, STATE_DIR "last") == 0);
	}
	ok(same && ops_in_step(&w) == 6 && round_trips_in_step(&w) == 5,
	   "then only data/xtv/handled and data/xtv/last, after the commit (%zu calls)",
	   ops_in_step(&w));
	ok(node_is(&w, STATE_DIR "handled", "1") && strcmp(actions(), "") == 0,
	   "counted as handled, nothing run");
	case_end();
	world_free(&w);
}

/* "now:halt" handled in a new world whose transactions' connection breaks at
 * the daemon's next times calls of kind at (fake_break_connection). */
static struct event_result halt_with_break(struct world *w, enum fake_op_kind at, bool lands,
					   unsigned int times)
{
	world_new(w, false);
	fake_set(w->xs, TESTING, "now:halt");
	fake_break_connection(w->xs, at, lands, times);
	return step(w, XTV_NODE_TESTING, XTV_EVENT_WRITE);
}

/* "now:halt" whose transaction's connection breaks once, at a call of kind
 * at before the commit: decided again on a new connection, acted on once. */
static void broken_before_commit(const char *title, enum fake_op_kind at, const char *what)
{
	struct world w;

	case_begin(title);
	halt_with_break(&w, at, false, 1);
	ok(count_kind(&w, at, -EIO) == 1 && count_kind(&w, FAKE_TXN_START, 0) == 2, "%s", what);
	ok(logged("event=error op=transaction path=control/testing errno=5 lost=1"),
	   "the loss is logged as an error");
	ok(committed_write(&w, TESTING, "") && strcmp(actions(), "halt\n") == 0 &&
		   w.d.handled == 1,
	   "acked once, halt runs once (ran: %s)", ran());
	case_end();
	world_free(&w);
}

/* The transactions' own connection breaks (a reply out of order, xenstored
 * gone): the message is neither lost nor acted on twice. */
static void test_connection_lost(void)
{
	struct world w;
	struct event_result r;

	broken_before_commit("the connection breaks at the read: decided again on a new one",
			     FAKE_TXN_READ, "the read fails, a second transaction starts");
	broken_before_commit("the connection breaks at the ack sent with the read: decided again",
			     FAKE_TXN_PUT,
			     "the read answers, the put fails, a second transaction starts");

	case_begin("a commit whose reply is lost, landed: acted on, not decided again");
	halt_with_break(&w, FAKE_TXN_COMMIT, true, 1);
	ok(count_kind(&w, FAKE_TXN_START, 0) == 1 && count_kind(&w, FAKE_TXN_COMMIT, -EIO) == 1 &&
		   node_is(&w, TESTING, ""),
	   "one transaction; its commit landed and its reply was lost");
	ok(logged("event=error op=commit path=control/testing errno=5 lost=1 landed=yes"),
	   "logged as a lost commit that the node shows landed");
	ok(strcmp(actions(), "halt\n") == 0 && w.d.handled == 1 &&
		   logged("event=ack node=control/testing mode=ok result=ok"),
	   "halt runs once, the ack is reported (ran: %s)", ran());
	case_end();
	world_free(&w);

	case_begin("a commit lost before it landed: decided again on a new connection");
	halt_with_break(&w, FAKE_TXN_COMMIT, false, 1);
	ok(logged("event=error op=commit path=control/testing errno=5 lost=1 landed=no") &&
		   count_kind(&w, FAKE_TXN_START, 0) == 2,
	   "logged as a lost commit that did not land; a second transaction starts");
	ok(committed_write(&w, TESTING, "") && strcmp(actions(), "halt\n") == 0 &&
		   w.d.handled == 1,
	   "acked once, halt runs once (ran: %s)", ran());
	case_end();
	world_free(&w);

	case_begin("a connection that keeps breaking: two new ones, then the event fails");
	r = halt_with_break(&w, FAKE_TXN_READ, false, 10);
	ok(count_kind(&w, FAKE_TXN_READ, -EIO) == 3 && count_kind(&w, FAKE_TXN_START, 0) == 3,
	   "three transactions, each read fails (%d reads failed)",
	   count_kind(&w, FAKE_TXN_READ, -EIO));
	ok(logged("event=error op=transaction path=control/testing errno=5\n"),
	   "then the event's error is logged");
	ok(node_is(&w, TESTING, "now:halt") && strcmp(actions(), "") == 0 && w.d.handled == 0,
	   "nothing acked, nothing run, nothing counted (ran: %s)", ran());
	ok(r.failed, "the failure is reported (main.c handles the event again later)");
	case_end();
	world_free(&w);
}

#define HALT_OVERRIDE "{\"when\":\"onshutdown\",\"ack\":\"ok\",\"action\":\"halt\"}"

/* A new world with HALT_OVERRIDE armed and control/shutdown = "suspend"
 * written, whose transactions' connection breaks at the next commit. */
static void override_with_lost_commit(struct world *w, bool lands)
{
	world_new(w, false);
	handle_testing_message(w, HALT_OVERRIDE);
	fake_set(w->xs, SHUTDOWN, "suspend");
	fake_break_connection(w->xs, FAKE_TXN_COMMIT, lands, 1);
}

/* A lost commit that also wrote state keys: those tell whether it landed,
 * since only the daemon writes data/xtv; the node alone may show the same
 * value written by someone else. */
static void test_lost_commit_state_evidence(void)
{
	struct world w;

	case_begin("a lost commit with state: libxl's cancelling \"\" is not taken for the ack");
	override_with_lost_commit(&w, false);
	fake_write_after_read(w.xs, SHUTDOWN, "");
	step(&w, XTV_NODE_SHUTDOWN, XTV_EVENT_WRITE);
	ok(logged("event=error op=commit path=control/shutdown errno=5 lost=1 landed=no"),
	   "the node reads \"\", but data/xtv/pending is unchanged: not landed");
	ok(count_kind(&w, FAKE_TXN_START, 0) == 2 && strcmp(actions(), "") == 0,
	   "decided again on the cancelled request: nothing runs (ran: %s)", ran());
	ok(node_is(&w, STATE_DIR "pending", HALT_OVERRIDE) && w.d.state.has_pending,
	   "the override stays armed, in data/xtv and in the daemon");
	case_end();
	world_free(&w);

	case_begin("a lost commit with state that landed: acted on once, the override used");
	override_with_lost_commit(&w, true);
	step(&w, XTV_NODE_SHUTDOWN, XTV_EVENT_WRITE);
	ok(logged("event=error op=commit path=control/shutdown errno=5 lost=1 landed=yes") &&
		   count_kind(&w, FAKE_TXN_START, 0) == 1,
	   "the ack and data/xtv/pending read as written: landed, not decided again");
	ok(strcmp(actions(), "halt\n") == 0 && !w.d.state.has_pending &&
		   node_is(&w, STATE_DIR "pending", ""),
	   "halt runs once, the override is used (ran: %s)", ran());
	case_end();
	world_free(&w);
}

/* A new world with control/shutdown = "halt" written (no override: the ack ""
 * is all the decision writes, besides the commit mark), whose transactions'
 * connection breaks at the next commit; with CANCEL, another writer's "" lands
 * right after the daemon's read, as libxl's cancelling "" would. */
static void plain_request_with_lost_commit(struct world *w, bool lands, bool cancel)
{
	world_new(w, false);
	fake_set(w->xs, SHUTDOWN, "halt");
	fake_break_connection(w->xs, FAKE_TXN_COMMIT, lands, 1);
	if (cancel)
		fake_write_after_read(w->xs, SHUTDOWN, "");
}

/* data/xtv/commit, "" if absent. */
static const char *mark_of(const struct world *w)
{
	const char *mark = fake_get(w->xs, STATE_DIR "commit");

	return mark ? mark : "";
}

/* A lost commit that wrote only the ack "" to control/shutdown: its commit
 * mark tells whether it landed, where the node cannot (it reads "" either
 * way). */
static void test_lost_commit_mark(void)
{
	struct world w;
	char first[32];

	case_begin("a lost ack-only commit: the mark, not the node, says it did not land");
	plain_request_with_lost_commit(&w, false, true);
	step(&w, XTV_NODE_SHUTDOWN, XTV_EVENT_WRITE);
	ok(logged("event=error op=commit path=control/shutdown errno=5 lost=1 landed=no"),
	   "the node reads \"\", data/xtv/commit does not hold the mark: not landed");
	ok(count_kind(&w, FAKE_TXN_START, 0) == 2 && strcmp(actions(), "") == 0 &&
		   w.d.handled == 0,
	   "decided again on the other writer's \"\": nothing runs (ran: %s)", ran());
	case_end();
	world_free(&w);

	case_begin("a lost ack-only commit that landed: acted on once");
	plain_request_with_lost_commit(&w, true, false);
	step(&w, XTV_NODE_SHUTDOWN, XTV_EVENT_WRITE);
	ok(logged("event=error op=commit path=control/shutdown errno=5 lost=1 landed=yes") &&
		   count_kind(&w, FAKE_TXN_START, 0) == 1,
	   "data/xtv/commit holds the mark: landed, not decided again");
	ok(strcmp(actions(), "halt\n") == 0 && w.d.handled == 1, "halt runs once (ran: %s)",
	   ran());
	case_end();
	world_free(&w);

	case_begin("each plain request's commit writes a mark of its own, after the read");
	world_new(&w, false);
	fake_set(w.xs, SHUTDOWN, "halt");
	step(&w, XTV_NODE_SHUTDOWN, XTV_EVENT_WRITE);
	snprintf(first, sizeof(first), "%s", mark_of(&w));
	ok(op_at(&w, 3) && op_at(&w, 3)->kind == FAKE_TXN_PUT && !op_at(&w, 3)->with_previous &&
		   strcmp(op_at(&w, 3)->path, STATE_DIR "commit") == 0 &&
		   op_at(&w, 4) && op_at(&w, 4)->kind == FAKE_TXN_COMMIT,
	   "start, read and \"\" together, the mark, commit: four round trips, the kernel's "
	   "count");
	fake_set(w.xs, SHUTDOWN, "halt");
	step(&w, XTV_NODE_SHUTDOWN, XTV_EVENT_WRITE);
	ok(first[0] && mark_of(&w)[0] && strcmp(first, mark_of(&w)) != 0,
	   "two requests, two marks (%s, then %s)", first, mark_of(&w));
	case_end();
	world_free(&w);

	case_begin("commits with other evidence write no mark");
	world_new(&w, false);
	handle_testing_message(&w, "now:ignore");
	handle_testing_message(&w, "next:reboot");
	fake_set(w.xs, SHUTDOWN, "halt");
	step(&w, XTV_NODE_SHUTDOWN, XTV_EVENT_WRITE);
	ok(!fake_get(w.xs, STATE_DIR "commit"),
	   "a testing message, an override armed, a request consuming it: no data/xtv/commit");
	case_end();
	world_free(&w);

	/* The limit that remains: a domain that may not write data/xtv. */
	case_begin("the mark refused: the node is the evidence, as before");
	plain_request_with_lost_commit(&w, false, true);
	fake_refuse_writes(w.xs, STATE_DIR "commit", EACCES);
	step(&w, XTV_NODE_SHUTDOWN, XTV_EVENT_WRITE);
	ok(logged("event=error op=commit path=control/shutdown errno=5 lost=1 landed=yes") &&
		   strcmp(actions(), "halt\n") == 0,
	   "without a mark only the node tells, and it reads like the ack (ran: %s)", ran());
	case_end();
	world_free(&w);
}

/* With the kernel answering control/shutdown, overrides are refused loudly. */
static void test_kernel_owns_shutdown(void)
{
	struct world w;

	case_begin("the kernel owns control/shutdown: onshutdown is rejected, acked");
	world_new(&w, true);
	handle_testing_message(&w, "next:reboot");
	ok(committed_write(&w, TESTING, "") && node_is(&w, STATE_DIR "pending", "") &&
		   node_is(&w, STATE_DIR "rejected", "1") &&
		   logged("xen.userspace_shutdown=1"),
	   "acked \"\", no override persisted, counted as rejected with the reason");
	case_end();
	world_free(&w);
}

static bool redirect_log(void)
{
	int tap_fd;

	if (!mkdtemp(tmpdir))
		return false;
	snprintf(actions_file, sizeof(actions_file), "%s/actions", tmpdir);
	snprintf(power_arg, sizeof(power_arg), "record:%s", actions_file);
	snprintf(log_file, sizeof(log_file), "%s/log", tmpdir);
	log_fd = open(log_file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	tap_fd = dup(STDOUT_FILENO);
	if (log_fd < 0 || tap_fd < 0 || !(tap = fdopen(tap_fd, "w")))
		return false;
	setvbuf(tap, NULL, _IOLBF, 0);
	fflush(stdout);
	return dup2(log_fd, STDOUT_FILENO) == STDOUT_FILENO;
}

/* ---- retry.c: when a failed event is handled again, and as what ---- */

static void test_retry_backoff(void)
{
	struct event_retry r = { .pending = false };
	bool doubling = true;
	unsigned int last = 0;

	case_begin("retry: a failed event is due after 100 ms, doubling to 10 s");
	retry_note(&r, XTV_EVENT_REREAD, true, 1000);
	ok(r.pending && r.kind == XTV_EVENT_REREAD && r.delay_ms == 100 && r.due_ms == 1100,
	   "first failure: pending, due at 1100 (got %llu), after %u ms", r.due_ms, r.delay_ms);
	for (int i = 0; i < 12; i++) {
		last = r.delay_ms;
		retry_note(&r, XTV_EVENT_REREAD, true, 2000);
		if (i < 6 && r.delay_ms != last * 2)
			doubling = false;
	}
	ok(doubling && r.delay_ms == RETRY_MAX_MS && r.due_ms == 2000 + RETRY_MAX_MS,
	   "each failure doubles the delay (100 .. 6400), then it stays at 10000 (got %u)",
	   r.delay_ms);
	retry_note(&r, XTV_EVENT_REREAD, false, 3000);
	ok(!r.pending && r.delay_ms == 0, "a decided event ends it");
	retry_note(&r, XTV_EVENT_WRITE, true, 4000);
	ok(r.pending && r.delay_ms == RETRY_FIRST_MS && r.kind == XTV_EVENT_WRITE,
	   "a failure after that starts again at 100 ms");
	case_end();
}

static void test_retry_kind(void)
{
	struct event_retry r = { .pending = false };

	case_begin("retry: a failed write stays a write, and makes its node's re-read one");
	ok(retry_kind(&r, XTV_EVENT_REREAD) == XTV_EVENT_REREAD &&
		   retry_kind(&r, XTV_EVENT_WRITE) == XTV_EVENT_WRITE,
	   "nothing pending: an event is what it is");
	retry_note(&r, XTV_EVENT_REREAD, true, 0);
	ok(retry_kind(&r, XTV_EVENT_REREAD) == XTV_EVENT_REREAD,
	   "a re-read's retry pending: a re-read stays one");
	retry_note(&r, XTV_EVENT_WRITE, true, 0);
	ok(r.kind == XTV_EVENT_WRITE, "a write failing on top of it makes the retry a write");
	retry_note(&r, XTV_EVENT_REREAD, true, 0);
	ok(r.kind == XTV_EVENT_WRITE, "a re-read failing after that leaves it a write");
	ok(retry_kind(&r, XTV_EVENT_REREAD) == XTV_EVENT_WRITE,
	   "while it is pending, a re-read of the node is handled as the write");
	retry_forget_rereads(&r);
	ok(r.pending && r.kind == XTV_EVENT_WRITE,
	   "a start's re-reads (resume, reconnect) keep a write's retry");
	retry_note(&r, XTV_EVENT_REREAD, false, 0);
	retry_note(&r, XTV_EVENT_REREAD, true, 0);
	retry_forget_rereads(&r);
	ok(!r.pending, "and replace a re-read's");
	case_end();
}

static void test_retry_due(void)
{
	struct event_retry retries[2] = { { .pending = false } };
	enum xtv_node node = XTV_NODE_SHUTDOWN;
	int timeout_ms = 0;

	case_begin("retry: which is due, control/testing first, and how long to wait");
	ok(!retry_due(retries, 0, &node, &timeout_ms) && timeout_ms == -1,
	   "none pending: nothing due, wait without a bound");
	retry_note(&retries[XTV_NODE_SHUTDOWN], XTV_EVENT_WRITE, true, 1000);
	retry_note(&retries[XTV_NODE_TESTING], XTV_EVENT_WRITE, true, 1050);
	ok(!retry_due(retries, 1040, &node, &timeout_ms) && timeout_ms == 60,
	   "before either is due: wait until the first (60 ms, got %d)", timeout_ms);
	ok(retry_due(retries, 1120, &node, &timeout_ms) && node == XTV_NODE_SHUTDOWN,
	   "only control/shutdown's is due: it is taken");
	ok(retry_due(retries, 1200, &node, &timeout_ms) && node == XTV_NODE_TESTING,
	   "both due: control/testing's first (an override before the request)");
	retry_note(&retries[XTV_NODE_TESTING], XTV_EVENT_WRITE, false, 1200);
	ok(retry_due(retries, 1200, &node, &timeout_ms) && node == XTV_NODE_SHUTDOWN,
	   "then control/shutdown's");
	case_end();
}

int main(void)
{
	if (!redirect_log()) {
		perror("test_handler: set-up");
		return 2;
	}
	test_fake_transactions();
	test_cancel_between_read_and_commit();
	test_override_ack_none();
	test_connection_lost();
	test_lost_commit_state_evidence();
	test_lost_commit_mark();
	test_refused_testing_ack();
	test_ack_and_state_together();
	test_round_trips();
	test_kernel_owns_shutdown();
	test_retry_backoff();
	test_retry_kind();
	test_retry_due();
	fprintf(tap, "1..%d\n", tests_run);
	fprintf(tap, "%d passed, %d failed\n", tests_run - tests_failed, tests_failed);
	unlink(actions_file);
	unlink(log_file);
	rmdir(tmpdir);
	return tests_failed ? 1 : 0;
}
