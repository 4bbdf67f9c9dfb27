/*
 * PID 1 of the xen-test-vm guest.
 *
 * It mounts what the daemon needs, then supervises: it starts the control
 * daemon (and, with "debug" on the kernel command line, a BusyBox shell on
 * the console), reaps every child and restarts a supervised program when it
 * exits, backing off when it keeps dying. All protocol behaviour lives in the
 * daemon; this file only keeps it running.
 *
 * Log lines go to the console in the daemon's key=value style:
 *   init: event=spawn name=xtvd pid=42
 *   init: event=exit name=xtvd pid=42 status=signal:9 uptime_ms=1200
 *   init: event=respawn name=xtvd delay_ms=1000
 *   init: event=threads-max was=26 now=64
 *   init: event=power command=poweroff pid=31   (run by the kernel as /sbin/poweroff)
 *   init: event=error op=exec name=xtvd path=/sbin/xtvd errno=2 retry_ms=250 hint="..."
 *
 * A program that cannot be executed at all (missing, not executable, not a binary) is
 * not a crash: the child reports the exec errno through a close-on-exec pipe (an exit
 * status like a shell's 127 would be ambiguous: a running daemon may exit with it), so
 * PID 1 knows before it reaps the child, says so on every attempt, and retries on the
 * same bounded back-off (250 ms doubling to 30 s): quick for a transient failure
 * (ETXTBSY, ENOMEM), then one line per 30 s, loud but not flooding, and a fix made from
 * the debug shell is picked up without a reboot. Giving up is no option: PID 1 cannot
 * exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DAEMON_PATH "/sbin/xtvd"
#define SHELL_PATH "/bin/sh"

/* A program that lived this long is considered healthy: its backoff resets. */
#define HEALTHY_MS 10000
#define BACKOFF_FIRST_MS 250
#define BACKOFF_MAX_MS 30000

struct service {
	const char *name;
	char *const *argv;
	bool on_tty;      /* own session with the console as controlling tty */
	pid_t pid;        /* 0 when not running */
	long started_ms;  /* monotonic time of the last start */
	long restart_ms;  /* monotonic time of the next start, when pid == 0 */
	long backoff_ms;  /* delay before the next restart after a quick death */
};

static void say(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if (len > (int)sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	/* One write per line so that lines from init and the daemon don't interleave. */
	(void)!write(STDOUT_FILENO, line, len);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void mount_one(const char *fstype, const char *target)
{
	mkdir(target, 0755);
	if (mount(fstype, target, fstype, MS_NOSUID | MS_NOEXEC, NULL) != 0 && errno != EBUSY)
		say("init: event=error op=mount target=%s errno=%d (%s)", target, errno,
		    strerror(errno));
}

/*
 * The kernel opens /dev/console as 0/1/2 when the initramfs has the node; if that failed,
 * open it now from devtmpfs. Descriptors we were given are kept (tests run us on a pipe).
 */
static void open_console(void)
{
	int fd;

	if (fcntl(STDOUT_FILENO, F_GETFD) != -1)
		return;
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return;
	for (int i = 0; i <= 2; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

static void mount_filesystems(void)
{
	mount_one("proc", "/proc");
	mount_one("sysfs", "/sys");
	/* devtmpfs is not auto-mounted for an initramfs root; the daemon needs /dev/xen/xenbus. */
	mkdir("/dev", 0755);
	if (mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, NULL) != 0 && errno != EBUSY)
		say("init: event=error op=mount target=/dev errno=%d (%s)", errno, strerror(errno));
}

/*
 * The kernel caps the number of threads so that their stacks fit in an eighth of the RAM
 * it had at boot: 26 at 9 MiB, and this VM runs 25-26 (kernel threads, init, the daemon
 * and its xenstore reader). Any further fork then fails with EAGAIN, and the kernel
 * drops a control/shutdown request it owns (xen.userspace_shutdown=0) without a word when
 * its /sbin/poweroff helper cannot be forked. Threads cost memory only when they exist,
 * so raise the cap to THREADS_MAX_FLOOR where it is lower; never lower it.
 */
#define THREADS_MAX_PATH "/proc/sys/kernel/threads-max"
#define THREADS_MAX_FLOOR 64

static void raise_threads_max(void)
{
	char buf[24];
	long was, now;
	ssize_t len;
	int fd = open(THREADS_MAX_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		say("init: event=error op=threads-max errno=%d (%s)", errno, strerror(errno));
		return;
	}
	len = read(fd, buf, sizeof(buf) - 1);
	if (len <= 0) {
		/* An empty read is no value either: an error line, not "was=0". */
		int err = len < 0 ? errno : EIO;

		say("init: event=error op=threads-max errno=%d (%s)", err, strerror(err));
		close(fd);
		return;
	}
	buf[len] = '\0';
	now = was = strtol(buf, NULL, 10);
	if (was < THREADS_MAX_FLOOR) {
		len = snprintf(buf, sizeof(buf), "%d\n", THREADS_MAX_FLOOR);
		if (pwrite(fd, buf, len, 0) == len)
			now = THREADS_MAX_FLOOR;
		else
			say("init: event=error op=threads-max errno=%d (%s)", errno, strerror(errno));
	}
	close(fd);
	say("init: event=threads-max was=%ld now=%ld", was, now);
}

/* True when WORD appears as a whole word on the kernel command line. */
static bool cmdline_has(const char *word)
{
	char buf[1024];
	ssize_t len;
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return false;
	buf[len] = '\0';
	for (char *tok = strtok(buf, " \t\n"); tok; tok = strtok(NULL, " \t\n"))
		if (strcmp(tok, word) == 0)
			return true;
	return false;
}

/* In the child: exec the program; if that fails, send errno to PID 1 through REPORT_FD. */
static void exec_child(const struct service *svc, const sigset_t *orig_mask, int report_fd)
{
	int err;

	sigprocmask(SIG_SETMASK, orig_mask, NULL);
	if (svc->on_tty) {
		setsid();
		ioctl(STDIN_FILENO, TIOCSCTTY, 1);
	}
	execv(svc->argv[0], svc->argv);
	err = errno;
	(void)!write(report_fd, &err, sizeof(err));
	_exit(127);
}

/*
 * The child's exec errno, or 0 once the exec succeeded: the write end is close-on-exec, so
 * a successful exec ends the read with EOF. Blocks only until the child has exec'd or failed.
 */
static int exec_errno(int report_fd)
{
	int err;
	ssize_t len;

	do
		len = read(report_fd, &err, sizeof(err));
	while (len < 0 && errno == EINTR);
	return len == (ssize_t)sizeof(err) ? err : 0;
}

/* Grow the restart delay after a death that came before HEALTHY_MS; reset it otherwise. */
static void back_off(struct service *svc, long lived_ms)
{
	if (lived_ms >= HEALTHY_MS)
		svc->backoff_ms = 0;
	else if (svc->backoff_ms == 0)
		svc->backoff_ms = BACKOFF_FIRST_MS;
	else if (svc->backoff_ms < BACKOFF_MAX_MS)
		svc->backoff_ms = svc->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
								   : svc->backoff_ms * 2;
	svc->restart_ms = now_ms() + svc->backoff_ms;
}

static const char *exec_hint(int err)
{
	switch (err) {
	case ENOENT:
		return "no such file in the initrd, or its interpreter is missing";
	case EACCES:
		return "not executable: no x bit, not a regular file, or a noexec mount";
	case ENOEXEC:
		return "not a program this kernel can run: wrong format or architecture";
	default:
		return strerror(err);
	}
}

/* The program could not be executed: reap the child (it exits at once), say why, retry. */
static void exec_failed(struct service *svc, pid_t pid, int err)
{
	waitpid(pid, NULL, 0);
	back_off(svc, 0);
	say("init: event=error op=exec name=%s path=%s errno=%d retry_ms=%ld hint=\"%s\"",
	    svc->name, svc->argv[0], err, svc->backoff_ms, exec_hint(err));
}

/* No process could be made (OP failed with ERR): try again after the longest back-off. */
static void cannot_start(struct service *svc, const char *op, int err)
{
	say("init: event=error op=%s name=%s errno=%d (%s)", op, svc->name, err, strerror(err));
	svc->restart_ms = now_ms() + BACKOFF_MAX_MS;
}

static void start(struct service *svc, const sigset_t *orig_mask)
{
	int report[2], err;
	pid_t pid;

	if (pipe2(report, O_CLOEXEC) != 0) {
		cannot_start(svc, "pipe", errno);
		return;
	}
	pid = fork();
	if (pid == 0)
		exec_child(svc, orig_mask, report[1]);
	err = pid < 0 ? errno : 0;
	close(report[1]);
	if (pid > 0)
		err = exec_errno(report[0]);
	close(report[0]);
	if (pid < 0) {
		cannot_start(svc, "fork", err);
	} else if (err != 0) {
		exec_failed(svc, pid, err);
	} else {
		svc->pid = pid;
		svc->started_ms = now_ms();
		say("init: event=spawn name=%s pid=%d", svc->name, (int)pid);
	}
}

static void describe_status(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exit:%d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "signal:%d", WTERMSIG(status));
	else
		snprintf(buf, size, "raw:%d", status);
}

/* Schedule the restart of a program that just exited: quick deaths back off exponentially. */
static void schedule_restart(struct service *svc, int status)
{
	char how[32];
	long lived = now_ms() - svc->started_ms;

	describe_status(status, how, sizeof(how));
	say("init: event=exit name=%s pid=%d status=%s uptime_ms=%ld", svc->name, (int)svc->pid,
	    how, lived);
	svc->pid = 0;
	back_off(svc, lived);
	say("init: event=respawn name=%s delay_ms=%ld", svc->name, svc->backoff_ms);
}

/* Reap every exited child; orphans re-parented to us are simply collected. */
static void reap(struct service *svcs, size_t count)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (size_t i = 0; i < count; i++)
			if (svcs[i].pid == pid)
				schedule_restart(&svcs[i], status);
}

/* Start what is due; return how long to wait for the next due start (-1: none). */
static long start_due(struct service *svcs, size_t count, const sigset_t *orig_mask)
{
	long wait_ms = -1;

	for (size_t i = 0; i < count; i++) {
		struct service *svc = &svcs[i];
		long left;

		if (svc->pid != 0)
			continue;
		left = svc->restart_ms - now_ms();
		if (left <= 0) {
			start(svc, orig_mask);
			continue;
		}
		if (wait_ms < 0 || left < wait_ms)
			wait_ms = left;
	}
	return wait_ms;
}

static void supervise(struct service *svcs, size_t count)
{
	sigset_t chld, orig_mask;

	/* SIGCHLD stays blocked and is taken synchronously, so no reap is ever missed. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &orig_mask);
	for (;;) {
		long wait_ms = start_due(svcs, count, &orig_mask);

		if (wait_ms < 0) {
			sigwaitinfo(&chld, NULL);
		} else {
			struct timespec ts = { wait_ms / 1000, (wait_ms % 1000) * 1000000L };

			sigtimedwait(&chld, NULL, &ts);
		}
		reap(svcs, count);
	}
}

/* Run as /sbin/poweroff or /sbin/reboot (links to /init): the kernel's own
 * control/shutdown handler, in charge when booted with
 * xen.userspace_shutdown=0, carries out a request with orderly_poweroff() or
 * orderly_reboot(), which execute exactly these paths. Nothing else would
 * stop the VM: there is no other user space to do it. The kernel gives a
 * usermode helper no descriptors and says nothing when the helper fails, so
 * the helper says on the console that it ran, and why it could not act. */
static int power_command(const char *name)
{
	int how;

	if (strcmp(name, "poweroff") == 0 || strcmp(name, "halt") == 0)
		how = RB_POWER_OFF;
	else if (strcmp(name, "reboot") == 0)
		how = RB_AUTOBOOT;
	else
		return -1;
	open_console();
	say("init: event=power command=%s pid=%d", name, (int)getpid());
	sync();
	reboot(how);
	say("init: event=error op=reboot command=%s errno=%d (%s)", name, errno, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	static char *const daemon_argv[] = { DAEMON_PATH, NULL };
	static char *const shell_argv[] = { SHELL_PATH, NULL };
	struct service svcs[2] = {
		{ .name = "xtvd", .argv = daemon_argv },
	};
	size_t count = 1;

	if (argc > 0 && strrchr(argv[0], '/') && power_command(strrchr(argv[0], '/') + 1) >= 0)
		return 1;
	if (getpid() != 1) {
		fprintf(stderr, "init: must run as PID 1\n");
		return 1;
	}
	mount_filesystems();
	open_console();
	say("init: event=start");
	raise_threads_max();
	if (cmdline_has("debug")) {
		if (access(SHELL_PATH, X_OK) == 0)
			svcs[count++] = (struct service){ .name = "sh", .argv = shell_argv,
							  .on_tty = true };
		else
			say("init: event=error op=debug-shell reason=\"no %s in this initrd\"",
			    SHELL_PATH);
	}
	supervise(svcs, count);
}
