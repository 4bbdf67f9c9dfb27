/* power.c - the actions, real or recorded. */
#include "power.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

int power_parse(const char *value, const char *suspend_file, struct power *p)
{
	static const char record_prefix[] = "record:";

	memset(p, 0, sizeof(*p));
	p->suspend_file = suspend_file ? suspend_file : POWER_DEFAULT_SUSPEND_FILE;
	if (strcmp(value, "real") == 0)
		return 0;
	if (strncmp(value, record_prefix, sizeof(record_prefix) - 1) == 0 &&
	    value[sizeof(record_prefix) - 1] != '\0') {
		p->record = true;
		p->record_file = value + sizeof(record_prefix) - 1;
		return 0;
	}
	return -EINVAL;
}

/* Write all of buf to path (opened with flags); 0 or -errno. */
static int write_file(const char *path, int flags, const char *buf, size_t len)
{
	int fd = open(path, flags | O_CLOEXEC, 0644);
	int ret = 0;

	if (fd < 0)
		return -errno;
	for (size_t done = 0; done < len;) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		done += (size_t)n;
	}
	if (close(fd) != 0 && ret == 0)
		ret = -errno;
	return ret;
}

static int record(const struct power *p, enum xtv_action action)
{
	char line[32];
	size_t len = strlen(protocol_action_name(action));

	memcpy(line, protocol_action_name(action), len);
	line[len++] = '\n';
	return write_file(p->record_file, O_WRONLY | O_APPEND | O_CREAT, line, len);
}

static int reboot_with(int how)
{
	sync();
	reboot(how);
	return -errno; /* only reached on failure */
}

int power_run(const struct power *p, enum xtv_action action)
{
	if (action == XTV_ACTION_IGNORE)
		return 0;
	if (action == XTV_ACTION_SUSPEND)
		return -EINVAL;
	if (p->record)
		return record(p, action);
	switch (action) {
	case XTV_ACTION_POWEROFF: return reboot_with(RB_POWER_OFF);
	case XTV_ACTION_REBOOT: return reboot_with(RB_AUTOBOOT);
	case XTV_ACTION_HALT: return reboot_with(RB_HALT_SYSTEM);
	case XTV_ACTION_CRASH: return write_file("/proc/sysrq-trigger", O_WRONLY, "c", 1);
	default: return -EINVAL;
	}
}

/* The hook's read side says how the last suspend ended. */
static int read_outcome(const char *path, enum resume_outcome *outcome)
{
	char buf[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (strncmp(buf, "resumed", 7) == 0)
		*outcome = RESUME_RESUMED;
	else if (strncmp(buf, "cancelled", 9) == 0)
		*outcome = RESUME_CANCELLED;
	else
		return -EPROTO;
	return 0;
}

int power_suspend(const struct power *p, enum resume_outcome *outcome)
{
	int ret;

	if (p->record) {
		*outcome = RESUME_CANCELLED;
		return record(p, XTV_ACTION_SUSPEND);
	}
	sync();
	/* Blocks until the domain runs again. */
	ret = write_file(p->suspend_file, O_WRONLY, "1", 1);
	if (ret != 0)
		return ret;
	return read_outcome(p->suspend_file, outcome);
}

const char *power_outcome_name(enum resume_outcome outcome)
{
	return outcome == RESUME_RESUMED ? "resumed" : "cancelled";
}
