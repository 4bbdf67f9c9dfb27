/* log.c - stable key=value event lines on stdout. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void log_event(const char *fmt, ...)
{
	char line[LOG_QUOTED_SIZE + 1024];
	size_t len;
	va_list ap;

	memcpy(line, "xtvd: ", 6);
	va_start(ap, fmt);
	vsnprintf(line + 6, sizeof(line) - 7, fmt, ap);
	va_end(ap);
	len = strlen(line);
	line[len++] = '\n';
	/* One write(2) per line: unbuffered, so nothing is lost when the VM dies,
	 * and concurrent console output cannot split the line. */
	for (size_t done = 0; done < len;) {
		ssize_t n = write(STDOUT_FILENO, line + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		done += (size_t)n;
	}
}

static size_t escape_byte(unsigned char c, char *out)
{
	switch (c) {
	case '"': return (size_t)sprintf(out, "\\\"");
	case '\\': return (size_t)sprintf(out, "\\\\");
	case '\n': return (size_t)sprintf(out, "\\n");
	default:
		if (c >= 0x20 && c < 0x7f)
			return (size_t)sprintf(out, "%c", c);
		return (size_t)sprintf(out, "\\x%02x", c);
	}
}

const char *log_quote(const char *s, size_t len, char *out, size_t out_size)
{
	size_t o = 0;
	size_t i;

	if (out_size < 8)
		return "\"\"";
	out[o++] = '"';
	for (i = 0; i < len && i < LOG_VALUE_MAX; i++) {
		char tmp[5];
		size_t n = escape_byte((unsigned char)s[i], tmp);

		if (o + n + 5 > out_size)
			break;
		memcpy(out + o, tmp, n);
		o += n;
	}
	if (i < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}
