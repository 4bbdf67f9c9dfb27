/* xsbench - dom0-side timing helper for the lab benchmarks (docs/benchmarks.md).
 *
 * Timestamps come from CLOCK_MONOTONIC in dom0; waits use xenstore watches (no polling)
 * and every wait is bounded.
 *
 *   xsbench boot NAME READY TIMEOUT_S CMD [ARG...]
 *       Run CMD (e.g. xl create cfg) and time, from just before the fork, the appearance
 *       of a domain called NAME (@introduceDomain) and of READY (relative to its home,
 *       e.g. data/xtv/ready) = "1".  Prints
 *       "domid=D intro_ms=X ready_ms=Y cmd_rc=R".  Exit 0 ready, 1 timeout, 2 usage.
 *
 *   xsbench first NAME TIMEOUT_S MESSAGE CMD [ARG...]
 *       The first answer: run CMD (xl create cfg) and, from just before the fork, wait
 *       for a domain called NAME; as soon as it exists, create its control/testing
 *       empty, give it to the guest (owner = the domain, as install/xtv-send does under
 *       xl) and write MESSAGE; then time until control/testing reads "" (the guest's
 *       acknowledgement).  data/xtv/ready = "1" is timed on the way.  Prints
 *       "domid=D intro_ms=X ready_ms=Y first_ms=Z cmd_rc=R t0_ms=T" (-1.0: not seen;
 *       T the monotonic time of the start, as in trace).
 *       Exit 0 answered, 1 timeout or error, 2 usage.
 *
 *   xsbench ping PATH COUNT GAP_MS TIMEOUT_MS VALUE [VALUE...]
 *       COUNT times: write the next VALUE (cycling through them) to PATH and time until
 *       PATH reads "" (the guest's acknowledgement); GAP_MS pause between rounds (0 =
 *       back to back).  One sample per line
 *       ("sample US" or "lost"), then
 *       "n=N lost=L min_us= p50_us= p90_us= p99_us= max_us= mean_us=".
 *       Exit 0 if nothing was lost, 1 otherwise, 2 usage.
 *
 *   xsbench pair COUNT GAP_MS TIMEOUT_MS LABEL_A PATH_A VALUE_A LABEL_B PATH_B VALUE_B
 *       As ping, for two kinds of message interleaved A B B A A B ... (COUNT of each), so
 *       that a slow moment of the host hits both alike.  Lines "LABEL US" or "LABEL lost",
 *       then one summary per label: "LABEL: n=N lost=L min_us= ...".  Exit as ping.
 *
 *   xsbench answers TIMEOUT_S MESSAGE DOMID...
 *       One message to each domain, as install/xtv-send does under xl (control/testing
 *       created empty, owned by the domain, then MESSAGE written), all written before any
 *       is awaited; then wait for every acknowledgement ("").  One line per domain
 *       ("domid=D ack_ms=X", -1.0: none), then "n=N answered=A all_ms=T", from the first
 *       write to the last acknowledgement.  Exit 0 if every domain answered.
 *
 *   xsbench trace TIMEOUT_S PATH...
 *       Watch every PATH (a subtree, or a special watch such as @introduceDomain), then
 *       go on in the background: print "pid=P" (the tracer's pid, to end it) and return
 *       once the watches are registered.  The tracer prints one line per event,
 *       "T_MS PATH", with T_MS the monotonic time in ms, until TIMEOUT_S has passed.  With
 *       `stamp` and the `t0_ms` of `first`, a timeline of one boot in dom0's clock
 *       (tests/bench/timeline.sh).
 *
 *   xsbench stamp
 *       Copy standard input to standard output, each line prefixed with "T_MS " (as
 *       trace), e.g. the debug log of `xl -vvv create`.
 *
 *   xsbench introduce DOMID MFN PORT
 *       XS_INTRODUCE a domain to xenstored (docs/reliability.md: re-attaching a guest's
 *       ring to a freshly started xenstored).
 *
 *   xsbench now      monotonic milliseconds (for shell-side intervals)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int usage(void)
{
	fprintf(stderr, "usage: xsbench boot NAME READY TIMEOUT_S CMD [ARG...]\n"
			"       xsbench first NAME TIMEOUT_S MESSAGE CMD [ARG...]\n"
			"       xsbench ping PATH COUNT GAP_MS TIMEOUT_MS VALUE [VALUE...]\n"
			"       xsbench pair COUNT GAP_MS TIMEOUT_MS LABEL PATH VALUE LABEL PATH VALUE\n"
			"       xsbench answers TIMEOUT_S MESSAGE DOMID...\n"
			"       xsbench trace TIMEOUT_S PATH...\n"
			"       xsbench stamp\n"
			"       xsbench introduce DOMID MFN PORT\n"
			"       xsbench now\n");
	return 2;
}

static long parse_num(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		return -1;
	return v;
}

/* wait_watch: wait until a watch event is readable or DEADLINE (us) passes.
 * Returns the event (free()) or NULL on timeout/error. */
static char **wait_watch(struct xs_handle *xs, long long deadline)
{
	for (;;) {
		char **ev = xs_check_watch(xs);
		struct pollfd pfd = { .fd = xs_fileno(xs), .events = POLLIN };
		long long left;

		if (ev)
			return ev;
		if (errno != EAGAIN)
			return NULL;
		left = deadline - now_us();
		if (left <= 0)
			return NULL;
		if (poll(&pfd, 1, (int)((left + 999) / 1000)) < 0 && errno != EINTR)
			return NULL;
	}
}

static char *read_str(struct xs_handle *xs, const char *path)
{
	unsigned int len;

	return xs_read(xs, XBT_NULL, path, &len);
}

/* Finds the domain called NAME among those in /local/domain.  With many xsbench processes
 * waiting at once (bench-scale: one per VM), reading every domain's name on every
 * @introduceDomain is quadratic in xenstore requests and starves dom0, so the domids seen
 * under another name are remembered and not read again (Xen does not reuse a domid while
 * xsbench runs). */
#define MAX_DOMID 0x7ff0 /* DOMID_FIRST_RESERVED */

struct domain_finder {
	const char *name;
	unsigned char other[MAX_DOMID / 8];
};

static bool finder_is_other(const struct domain_finder *f, long domid)
{
	return f->other[domid / 8] & (1u << (domid % 8));
}

static void finder_mark_other(struct domain_finder *f, long domid)
{
	f->other[domid / 8] |= (unsigned char)(1u << (domid % 8));
}

/* find_domain: the domid called F->name, or -1.  A domain whose name cannot be read yet
 * is looked at again next time. */
static long find_domain(struct xs_handle *xs, struct domain_finder *f)
{
	unsigned int n;
	char **doms = xs_directory(xs, XBT_NULL, "/local/domain", &n);
	long found = -1;

	for (unsigned int i = 0; doms && i < n && found < 0; i++) {
		long domid = parse_num(doms[i], MAX_DOMID - 1);
		char path[128];
		char *v;

		if (domid < 0 || finder_is_other(f, domid))
			continue;
		snprintf(path, sizeof(path), "/local/domain/%ld/name", domid);
		v = read_str(xs, path);
		if (v && strcmp(v, f->name) == 0)
			found = domid;
		else if (v)
			finder_mark_other(f, domid);
		free(v);
	}
	free(doms);
	return found;
}

/* is_intro_event: EV (from wait_watch, may be NULL) is the @introduceDomain watch: only
 * then can a new domain have appeared. */
static bool is_intro_event(char **ev)
{
	return ev && strcmp(ev[XS_WATCH_TOKEN], "intro") == 0;
}

static int cmd_boot(struct xs_handle *xs, int argc, char **argv)
{
	static struct domain_finder finder;
	const char *ready;
	long timeout, domid = -1;
	long long t0, t_intro = -1, t_ready = -1, deadline, step;
	char ready_path[256];
	pid_t pid;
	int status, cmd_rc = -1;
	bool look = true;

	if (argc < 4)
		return usage();
	finder.name = argv[0];
	ready = argv[1];
	timeout = parse_num(argv[2], 3600);
	if (timeout < 0)
		return usage();
	if (!xs_watch(xs, "@introduceDomain", "intro")) {
		perror("xsbench: watch @introduceDomain");
		return 1;
	}
	/* The registration fires the watch once: consume it before starting the clock. */
	free(wait_watch(xs, now_us() + 2000000));
	t0 = now_us();
	deadline = t0 + timeout * 1000000LL;
	pid = fork();
	if (pid < 0) {
		perror("xsbench: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		perror("xsbench: exec");
		_exit(127);
	}
	while (t_ready < 0) {
		char **ev;

		if (domid < 0 && look) {
			domid = find_domain(xs, &finder);
			if (domid >= 0) {
				t_intro = now_us();
				snprintf(ready_path, sizeof(ready_path), "/local/domain/%ld/%s", domid,
					 ready);
				if (!xs_watch(xs, ready_path, "ready")) {
					perror("xsbench: watch ready");
					break;
				}
			}
		}
		if (domid >= 0) {
			char *v = read_str(xs, ready_path);

			if (v && strcmp(v, "1") == 0)
				t_ready = now_us();
			free(v);
			if (t_ready >= 0)
				break;
		}
		/* Wake up at least every 500 ms to notice a command that failed. */
		if (cmd_rc < 0 && waitpid(pid, &status, WNOHANG) == pid) {
			cmd_rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			if (cmd_rc != 0 && domid < 0)
				break;
		}
		step = now_us() + 500000;
		ev = wait_watch(xs, step < deadline ? step : deadline);
		look = is_intro_event(ev);
		if (ev)
			free(ev);
		else if (now_us() >= deadline)
			break;
	}
	if (cmd_rc < 0 && waitpid(pid, &status, WNOHANG) == pid)
		cmd_rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("domid=%ld intro_ms=%.1f ready_ms=%.1f cmd_rc=%d\n", domid,
	       t_intro < 0 ? -1.0 : (double)(t_intro - t0) / 1000.0,
	       t_ready < 0 ? -1.0 : (double)(t_ready - t0) / 1000.0, cmd_rc);
	return t_ready < 0;
}

/* A domain being timed by `xsbench first`: its xenstore paths and what was seen when. */
struct first_run {
	long domid;
	char testing[128], ready[128];
	long long t_intro, t_ready, t_first;
	bool sent;
};

static void exit_status(pid_t pid, int *cmd_rc)
{
	int status;

	if (*cmd_rc < 0 && waitpid(pid, &status, WNOHANG) == pid)
		*cmd_rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* send_first: create control/testing empty (the guest ignores ""), make the guest its
 * owner so that it may write its acknowledgement, then write MESSAGE. */
static bool send_first(struct xs_handle *xs, struct first_run *r, const char *message)
{
	struct xs_permissions owner = { .id = (unsigned int)r->domid, .perms = XS_PERM_NONE };

	if (!xs_write(xs, XBT_NULL, r->testing, "", 0) ||
	    !xs_set_permissions(xs, XBT_NULL, r->testing, &owner, 1) ||
	    !xs_watch(xs, r->testing, "testing") ||
	    !xs_write(xs, XBT_NULL, r->testing, message, (unsigned int)strlen(message))) {
		perror("xsbench: first message");
		return false;
	}
	r->sent = true;
	return true;
}

/* first_found: NAME has appeared: note when, watch its ready node, send the message. */
static bool first_found(struct xs_handle *xs, struct first_run *r, const char *message)
{
	r->t_intro = now_us();
	snprintf(r->testing, sizeof(r->testing), "/local/domain/%ld/control/testing", r->domid);
	snprintf(r->ready, sizeof(r->ready), "/local/domain/%ld/data/xtv/ready", r->domid);
	if (!xs_watch(xs, r->ready, "ready")) {
		perror("xsbench: watch ready");
		return false;
	}
	return send_first(xs, r, message);
}

/* first_poll: note the ready node and the acknowledgement once they show. */
static void first_poll(struct xs_handle *xs, struct first_run *r)
{
	char *v;

	if (r->t_ready < 0) {
		v = read_str(xs, r->ready);
		if (v && strcmp(v, "1") == 0)
			r->t_ready = now_us();
		free(v);
	}
	if (r->t_first < 0) {
		v = read_str(xs, r->testing);
		if (v && *v == '\0')
			r->t_first = now_us();
		free(v);
	}
}

static double ms_since(long long t0, long long t)
{
	return t < 0 ? -1.0 : (double)(t - t0) / 1000.0;
}

static int cmd_first(struct xs_handle *xs, int argc, char **argv)
{
	static struct domain_finder finder;
	struct first_run r = { .domid = -1, .t_intro = -1, .t_ready = -1, .t_first = -1 };
	const char *message;
	long timeout;
	long long t0, deadline, step;
	pid_t pid;
	int cmd_rc = -1;
	bool look = true;

	if (argc < 4 || !*argv[2])
		return usage();
	finder.name = argv[0];
	timeout = parse_num(argv[1], 3600);
	message = argv[2];
	if (timeout < 0)
		return usage();
	if (!xs_watch(xs, "@introduceDomain", "intro")) {
		perror("xsbench: watch @introduceDomain");
		return 1;
	}
	free(wait_watch(xs, now_us() + 2000000));
	t0 = now_us();
	deadline = t0 + timeout * 1000000LL;
	pid = fork();
	if (pid < 0) {
		perror("xsbench: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		perror("xsbench: exec");
		_exit(127);
	}
	while (r.t_first < 0 || r.t_ready < 0) {
		char **ev;

		if (r.domid < 0 && look) {
			r.domid = find_domain(xs, &finder);
			if (r.domid >= 0 && !first_found(xs, &r, message))
				break;
		}
		if (r.sent)
			first_poll(xs, &r);
		if (r.t_first >= 0 && r.t_ready >= 0)
			break;
		/* Wake up at least every 500 ms to notice a command that failed. */
		exit_status(pid, &cmd_rc);
		if (cmd_rc > 0 && r.domid < 0)
			break;
		step = now_us() + 500000;
		ev = wait_watch(xs, step < deadline ? step : deadline);
		look = is_intro_event(ev);
		if (ev)
			free(ev);
		else if (now_us() >= deadline)
			break;
	}
	exit_status(pid, &cmd_rc);
	printf("domid=%ld intro_ms=%.1f ready_ms=%.1f first_ms=%.1f cmd_rc=%d t0_ms=%.3f\n",
	       r.domid, ms_since(t0, r.t_intro), ms_since(t0, r.t_ready), ms_since(t0, r.t_first),
	       cmd_rc, (double)t0 / 1000.0);
	return r.t_first < 0;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* pct: nearest-rank percentile of N sorted samples. */
static long long pct(const long long *s, long n, int p)
{
	long rank = (long)((p * n + 99) / 100);

	if (rank < 1)
		rank = 1;
	return s[rank - 1];
}

/* One round: write VALUE to PATH (watched) and time until PATH reads "" again.
 * Microseconds, or -1 if the acknowledgement did not come within TIMEOUT_MS. */
static long long ping_once(struct xs_handle *xs, const char *path, const char *value,
			   long timeout_ms)
{
	long long t0, deadline;

	/* Drain events left from the previous round (the guest's own ack). */
	for (char **ev; (ev = xs_check_watch(xs)) != NULL;)
		free(ev);
	t0 = now_us();
	deadline = t0 + timeout_ms * 1000LL;
	if (!xs_write(xs, XBT_NULL, path, value, (unsigned int)strlen(value))) {
		perror("xsbench: write");
		return -1;
	}
	for (;;) {
		char *v = read_str(xs, path);
		bool acked = v && *v == '\0';
		char **ev;

		free(v);
		if (acked)
			return now_us() - t0;
		ev = wait_watch(xs, deadline);
		if (!ev)
			return -1;
		free(ev);
	}
}

struct series {
	const char *label; /* "sample" for ping, the caller's label for pair */
	long long *samples, sum;
	long n, lost;
};

static bool series_init(struct series *s, const char *label, long count)
{
	*s = (struct series){ .label = label };
	s->samples = calloc((size_t)count, sizeof(*s->samples));
	return s->samples != NULL;
}

static void series_add(struct series *s, long long us)
{
	if (us >= 0) {
		s->samples[s->n++] = us;
		s->sum += us;
		printf("%s %lld\n", s->label, us);
	} else {
		s->lost++;
		printf("%s lost\n", s->label);
	}
	fflush(stdout);
}

/* The summary line (PREFIX, then "n=N lost=L min_us= ..."); frees the samples.
 * 0 if nothing was lost. */
static int series_end(struct series *s, const char *prefix)
{
	qsort(s->samples, (size_t)s->n, sizeof(*s->samples), cmp_ll);
	if (s->n)
		printf("%sn=%ld lost=%ld min_us=%lld p50_us=%lld p90_us=%lld p99_us=%lld "
		       "max_us=%lld mean_us=%lld\n",
		       prefix, s->n, s->lost, s->samples[0], pct(s->samples, s->n, 50),
		       pct(s->samples, s->n, 90), pct(s->samples, s->n, 99), s->samples[s->n - 1],
		       s->sum / s->n);
	else
		printf("%sn=0 lost=%ld\n", prefix, s->lost);
	free(s->samples);
	return s->lost != 0 || s->n == 0;
}

static void pause_ms(long gap_ms)
{
	struct timespec gap = { .tv_sec = gap_ms / 1000, .tv_nsec = (gap_ms % 1000) * 1000000L };

	if (gap_ms)
		nanosleep(&gap, NULL);
}

static int cmd_ping(struct xs_handle *xs, int argc, char **argv)
{
	const char *path;
	long count, gap_ms, timeout_ms;
	struct series s;

	if (argc < 5)
		return usage();
	path = argv[0];
	count = parse_num(argv[1], 1000000);
	gap_ms = parse_num(argv[2], 60000);
	timeout_ms = parse_num(argv[3], 600000);
	if (count < 1 || gap_ms < 0 || timeout_ms < 1)
		return usage();
	for (int v = 4; v < argc; v++)
		if (!*argv[v])
			return usage();
	if (!series_init(&s, "sample", count) || !xs_watch(xs, path, "ping")) {
		perror("xsbench: ping setup");
		return 1;
	}
	free(wait_watch(xs, now_us() + 2000000));
	for (long i = 0; i < count; i++) {
		series_add(&s, ping_once(xs, path, argv[4 + i % (argc - 4)], timeout_ms));
		pause_ms(gap_ms);
	}
	return series_end(&s, "");
}

/* pair: two kinds of message interleaved, A B B A A B ..., so that both see the same
 * moments of a noisy host and their ratio does not depend on when a block ran. */
static int cmd_pair(struct xs_handle *xs, int argc, char **argv)
{
	long count, gap_ms, timeout_ms;
	struct series s[2];
	char prefix[2][64];
	int rc = 0;

	if (argc != 9)
		return usage();
	count = parse_num(argv[0], 1000000);
	gap_ms = parse_num(argv[1], 60000);
	timeout_ms = parse_num(argv[2], 600000);
	if (count < 1 || gap_ms < 0 || timeout_ms < 1 || !*argv[5] || !*argv[8])
		return usage();
	for (int k = 0; k < 2; k++) {
		if (!series_init(&s[k], argv[3 + 3 * k], count) ||
		    !xs_watch(xs, argv[4 + 3 * k], argv[3 + 3 * k])) {
			perror("xsbench: pair setup");
			return 1;
		}
		free(wait_watch(xs, now_us() + 2000000));
		snprintf(prefix[k], sizeof(prefix[k]), "%s: ", argv[3 + 3 * k]);
	}
	for (long i = 0; i < 2 * count; i++) {
		int k = (int)(((i + 1) / 2) % 2); /* 0 1 1 0 0 1 1 0 ... */

		series_add(&s[k], ping_once(xs, argv[4 + 3 * k], argv[5 + 3 * k], timeout_ms));
		pause_ms(gap_ms);
	}
	for (int k = 0; k < 2; k++)
		rc |= series_end(&s[k], prefix[k]);
	return rc;
}

static int cmd_introduce(struct xs_handle *xs, int argc, char **argv)
{
	long domid, port;
	unsigned long long mfn;
	char *end;

	if (argc != 3)
		return usage();
	domid = parse_num(argv[0], 0x7fef);
	port = parse_num(argv[2], 1 << 20);
	errno = 0;
	mfn = strtoull(argv[1], &end, 0);
	if (domid < 1 || port < 0 || errno || end == argv[1] || *end)
		return usage();
	if (!xs_introduce_domain(xs, (unsigned int)domid, (unsigned long)mfn,
				 (unsigned int)port)) {
		perror("xsbench: introduce");
		return 1;
	}
	printf("introduced domid=%ld mfn=%llu port=%ld\n", domid, mfn, port);
	return 0;
}

/* One domain of `xsbench answers`: its control/testing and when its ack was seen. */
struct answer {
	long domid;
	char testing[128];
	long long t_ack;
};

/* send_one: control/testing created empty, given to the guest, watched, then MESSAGE. */
static bool send_one(struct xs_handle *xs, struct answer *a, const char *message)
{
	struct xs_permissions owner = { .id = (unsigned int)a->domid, .perms = XS_PERM_NONE };

	snprintf(a->testing, sizeof(a->testing), "/local/domain/%ld/control/testing", a->domid);
	a->t_ack = -1;
	if (!xs_write(xs, XBT_NULL, a->testing, "", 0) ||
	    !xs_set_permissions(xs, XBT_NULL, a->testing, &owner, 1) ||
	    !xs_watch(xs, a->testing, "answer") ||
	    !xs_write(xs, XBT_NULL, a->testing, message, (unsigned int)strlen(message))) {
		fprintf(stderr, "xsbench: message to domain %ld: %s\n", a->domid, strerror(errno));
		return false;
	}
	return true;
}

/* answered: note the acknowledgement of A if its node now reads "". */
static bool answered(struct xs_handle *xs, struct answer *a)
{
	char *v;

	if (a->t_ack >= 0)
		return true;
	v = read_str(xs, a->testing);
	if (v && *v == '\0')
		a->t_ack = now_us();
	free(v);
	return a->t_ack >= 0;
}

static int cmd_answers(struct xs_handle *xs, int argc, char **argv)
{
	long timeout = argc >= 3 ? parse_num(argv[0], 3600) : -1;
	const char *message = argc >= 3 ? argv[1] : "";
	int n = argc - 2, done = 0;
	struct answer *as;
	long long t0, deadline, last = -1;

	if (timeout < 0 || !*message)
		return usage();
	as = calloc((size_t)n, sizeof(*as));
	if (!as)
		return 1;
	t0 = now_us();
	deadline = t0 + timeout * 1000000LL;
	for (int i = 0; i < n; i++) {
		as[i].domid = parse_num(argv[2 + i], MAX_DOMID - 1);
		if (as[i].domid < 0 || !send_one(xs, &as[i], message))
			as[i].domid = -1;
	}
	/* An event looks at its own domain; the first pass and a 500 ms tick at all those
	 * not yet answered. */
	for (char **ev = NULL;; ) {
		long long step;

		done = 0;
		for (int i = 0; i < n; i++) {
			bool fired = !ev || strcmp(ev[XS_WATCH_PATH], as[i].testing) == 0;

			done += as[i].domid < 0 || (fired ? answered(xs, &as[i]) : as[i].t_ack >= 0);
		}
		free(ev);
		if (done == n || now_us() >= deadline)
			break;
		step = now_us() + 500000;
		ev = wait_watch(xs, step < deadline ? step : deadline);
	}
	done = 0;
	for (int i = 0; i < n; i++) {
		printf("domid=%ld ack_ms=%.1f\n", as[i].domid, ms_since(t0, as[i].t_ack));
		if (as[i].t_ack >= 0) {
			done++;
			if (as[i].t_ack > last)
				last = as[i].t_ack;
		}
	}
	printf("n=%d answered=%d all_ms=%.1f\n", n, done, done == n ? ms_since(t0, last) : -1.0);
	free(as);
	return done != n;
}

static void print_stamped(const char *line)
{
	printf("%.3f %s\n", (double)now_us() / 1000.0, line);
	fflush(stdout);
}

/* The tracer itself (in the child of `trace`): register the watches, tell the parent
 * through READY_FD, then print events until the deadline. */
static int run_tracer(int argc, char **argv, long timeout, int ready_fd)
{
	struct xs_handle *xs = xs_open(0);
	long long deadline;
	char **ev;

	if (!xs) {
		perror("xsbench: xs_open");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		if (!xs_watch(xs, argv[i], argv[i])) {
			perror("xsbench: watch");
			return 1;
		}
	}
	(void)!write(ready_fd, "", 1);
	close(ready_fd);
	/* The registration fires each watch once: a line per PATH before any real event. */
	deadline = now_us() + timeout * 1000000LL;
	while ((ev = wait_watch(xs, deadline)) != NULL) {
		print_stamped(ev[XS_WATCH_PATH]);
		free(ev);
	}
	xs_close(xs);
	return 0;
}

/* Forks before libxenstore starts its reader thread (a thread does not survive fork). */
static int cmd_trace(int argc, char **argv)
{
	int ready[2];
	long timeout;
	pid_t pid;
	char byte;

	if (argc < 2)
		return usage();
	timeout = parse_num(argv[0], 3600);
	if (timeout < 0)
		return usage();
	if (pipe(ready) != 0) {
		perror("xsbench: pipe");
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("xsbench: fork");
		return 1;
	}
	if (pid == 0) {
		close(ready[0]);
		/* Whoever reads the parent's output through a pipe must not wait for us. */
		dup2(STDOUT_FILENO, STDERR_FILENO);
		_exit(run_tracer(argc, argv, timeout, ready[1]));
	}
	close(ready[1]);
	if (read(ready[0], &byte, 1) != 1) {
		fprintf(stderr, "xsbench: the tracer did not start\n");
		return 1;
	}
	printf("pid=%d\n", (int)pid);
	return 0;
}

static int cmd_stamp(void)
{
	char line[4096];

	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		print_stamped(line);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct xs_handle *xs;
	int rc;

	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "now") == 0) {
		printf("%lld\n", now_us() / 1000);
		return 0;
	}
	if (strcmp(argv[1], "stamp") == 0)
		return cmd_stamp();
	if (strcmp(argv[1], "trace") == 0)
		return cmd_trace(argc - 2, argv + 2);
	xs = xs_open(0);
	if (!xs) {
		perror("xsbench: xs_open");
		return 1;
	}
	if (strcmp(argv[1], "boot") == 0)
		rc = cmd_boot(xs, argc - 2, argv + 2);
	else if (strcmp(argv[1], "first") == 0)
		rc = cmd_first(xs, argc - 2, argv + 2);
	else if (strcmp(argv[1], "ping") == 0)
		rc = cmd_ping(xs, argc - 2, argv + 2);
	else if (strcmp(argv[1], "pair") == 0)
		rc = cmd_pair(xs, argc - 2, argv + 2);
	else if (strcmp(argv[1], "answers") == 0)
		rc = cmd_answers(xs, argc - 2, argv + 2);
	else if (strcmp(argv[1], "introduce") == 0)
		rc = cmd_introduce(xs, argc - 2, argv + 2);
	else
		rc = usage();
	xs_close(xs);
	return rc;
}
