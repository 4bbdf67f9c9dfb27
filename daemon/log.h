/* log.h - one line per event on stdout: `xtvd: event=NAME key=value ...`.
 * The format is stable (docs/protocol.md, "Log format"): tests grep it. */
#ifndef XTV_LOG_H
#define XTV_LOG_H

#include <stddef.h>

/* Longest value bytes shown in a quoted log field; longer ones end in "...". */
#define LOG_VALUE_MAX 256

/* Write `xtvd: ` + the formatted text + newline in one write(2) to stdout,
 * unbuffered: a line must not sit in a buffer when the VM powers off. */
void log_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Quote len bytes of s for a log field: "..." with \" \\ \n \xNN escapes,
 * capped at LOG_VALUE_MAX input bytes. out needs LOG_QUOTED_SIZE bytes. */
#define LOG_QUOTED_SIZE (LOG_VALUE_MAX * 4 + 8)
const char *log_quote(const char *s, size_t len, char *out, size_t out_size);

#endif
