/* power.h - carry out an action: for real (reboot(2), sysrq, the kernel's
 * suspend hook) or, for tests, record it in a file (--power=record:FILE). */
#ifndef XTV_POWER_H
#define XTV_POWER_H

#include "protocol.h"

#define POWER_DEFAULT_SUSPEND_FILE "/sys/hypervisor/suspend"

struct power {
	bool record;              /* test double: append the action name to record_file */
	const char *record_file;
	const char *suspend_file; /* the kernel hook, see docs/contracts.md */
};

enum resume_outcome {
	RESUME_RESUMED,   /* running again in a new domain (restore, migrate) */
	RESUME_CANCELLED, /* same domain (e.g. xl save -c), or the test double */
};

/* Fill *p from the value of --power= ("real" or "record:FILE"). 0 or -EINVAL. */
int power_parse(const char *value, const char *suspend_file, struct power *p);

/* poweroff, reboot, halt, crash: for real, returns only on failure (-errno);
 * recorded, returns 0. ignore returns 0; suspend is power_suspend's job. */
int power_run(const struct power *p, enum xtv_action action);

/* Suspend and return once running again, with the outcome. 0 or -errno
 * (the suspend did not happen). */
int power_suspend(const struct power *p, enum resume_outcome *outcome);

const char *power_outcome_name(enum resume_outcome outcome);

#endif
