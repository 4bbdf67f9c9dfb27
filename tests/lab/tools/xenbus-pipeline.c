/* Guest-side check of the kernel's /dev/xen/xenbus with pipelined requests, for the
 * lab's xenbus-pipeline scenario: carried in dom0's /usr/bin like the dom0 tools, it
 * replaces /sbin/xtvd in a copy of the initrd under test (tests/lab/scenarios.sh).
 *
 * Each round writes two XS_READ requests back to back, in one writev(), and only
 * then reads the two replies: each must carry the value that a read of its own
 * path, one at a time, returned. Linux 6.1's xenbus_dev_request_and_reply()
 * queues a request with its payload still in the file's message buffer, which the
 * next request written overwrites (docs/kernel.md, patch 0006): without the patch the first
 * request goes out with the second one's payload.
 *
 * Prints "xenbus-pipeline: start" and, at the end, "xenbus-pipeline: rounds=N intact=I
 * wrong=W" to the console, the first wrong reply's details before it, then
 * waits for ever (init would restart a daemon that exits). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

enum { ROUNDS = 20, PAIRS = 2 };

struct reply {
	struct xsd_sockmsg hdr;
	char body[XENSTORE_PAYLOAD_MAX + 1];
};

/* The two paths of a pair differ in length, so that a request sent with the other's
 * payload is malformed or names another node, whichever comes first. */
static const char *const pair_paths[PAIRS] = { "domid", "name" };

struct read_request {
	struct xsd_sockmsg hdr;
	char path[64];
};

static void make_read(struct read_request *req, uint32_t req_id, const char *path)
{
	size_t len = strlen(path) + 1;

	*req = (struct read_request){ .hdr = { .type = XS_READ, .req_id = req_id,
					       .len = (uint32_t)len } };
	memcpy(req->path, path, len);
}

/* The requests in one writev(), each whole in its own segment, as a client that
 * pipelines sends them (the test VM's daemon does): the kernel hands the device
 * one segment after the other without returning to user space, so the xenbus
 * thread cannot send a request in between. The device acts on a request as soon
 * as it is complete and drops anything after it in the same write, hence one
 * segment per request. */
static int send_reads(int fd, const struct read_request *reqs, int n)
{
	struct iovec iov[PAIRS];
	size_t total = 0;

	for (int i = 0; i < n; i++) {
		iov[i] = (struct iovec){ (void *)&reqs[i], sizeof(reqs[i].hdr) + reqs[i].hdr.len };
		total += iov[i].iov_len;
	}
	return writev(fd, iov, n) == (ssize_t)total ? 0 : -1;
}

/* Exactly size bytes: a read() of the device may end inside a message or take
 * several, so the header and the payload are read by their lengths. */
static int read_exactly(int fd, void *buf, size_t size)
{
	for (size_t got = 0; got < size;) {
		ssize_t n = read(fd, (char *)buf + got, size - got);

		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static int receive(int fd, struct reply *r)
{
	if (read_exactly(fd, &r->hdr, sizeof(r->hdr)) != 0 || r->hdr.len > XENSTORE_PAYLOAD_MAX ||
	    read_exactly(fd, r->body, r->hdr.len) != 0)
		return -1;
	r->body[r->hdr.len] = '\0';
	return 0;
}

/* The reference values: each path read on its own, the reply awaited. */
static int read_alone(int fd, const char *path, char *value, size_t size)
{
	struct read_request req;
	struct reply r;

	make_read(&req, 1, path);
	if (send_reads(fd, &req, 1) != 0 || receive(fd, &r) != 0 || r.hdr.type != XS_READ ||
	    r.hdr.len >= size)
		return -1;
	memcpy(value, r.body, r.hdr.len + 1);
	return 0;
}

static bool reply_is(const struct reply *r, const char *want)
{
	return r->hdr.type == XS_READ && strcmp(r->body, want) == 0;
}

/* One pipelined round; false, with the evidence printed once, if a reply does not
 * carry its own request's value (a "wrong" round). */
static bool round_intact(int fd, uint32_t round, char want[PAIRS][64], bool *reported)
{
	struct read_request reqs[PAIRS];
	struct reply r;
	bool intact = true;

	for (uint32_t i = 0; i < PAIRS; i++)
		make_read(&reqs[i], round * PAIRS + i, pair_paths[i]);
	if (send_reads(fd, reqs, PAIRS) != 0)
		return false;
	for (uint32_t i = 0; i < PAIRS; i++) {
		if (receive(fd, &r) != 0)
			return false;
		uint32_t which = r.hdr.req_id - round * PAIRS;

		if (which < PAIRS && reply_is(&r, want[which]))
			continue;
		intact = false;
		if (!*reported)
			printf("xenbus-pipeline: round %u: reply to read %s (req_id %u): type %u "
			       "\"%s\", expected \"%s\"\n",
			       round, which < PAIRS ? pair_paths[which] : "?", r.hdr.req_id,
			       r.hdr.type, r.body, which < PAIRS ? want[which] : "?");
		*reported = true;
	}
	return intact;
}

int main(void)
{
	char want[PAIRS][64];
	int fd = open("/dev/xen/xenbus", O_RDWR);
	int intact = 0;
	bool reported = false;

	for (int i = 0; fd >= 0 && i < PAIRS; i++)
		if (read_alone(fd, pair_paths[i], want[i], sizeof(want[i])) != 0)
			fd = -1;
	if (fd < 0) {
		printf("xenbus-pipeline: error: /dev/xen/xenbus: %s\n", strerror(errno));
	} else {
		/* Said first: a round whose reply never comes leaves this line alone. */
		printf("xenbus-pipeline: start: %d rounds of %d reads\n", ROUNDS, PAIRS);
		fflush(stdout);
		for (uint32_t round = 1; round <= ROUNDS; round++)
			intact += round_intact(fd, round, want, &reported);
		printf("xenbus-pipeline: rounds=%d intact=%d wrong=%d\n", ROUNDS, intact,
		       ROUNDS - intact);
	}
	fflush(stdout);
	for (;;)
		pause();
}
