/* Test-only stand-in for the configure output tools/config.h (mk/host-xenstored.mk):
 * the only configure result the xenstored sources use on Linux. */
#define INCLUDE_ENDIAN_H <endian.h>
