/*
 * Test-only stand-ins for the Xen libraries Debian's C xenstored links against
 * (libxenctrl, libxenevtchn, libxengnttab), for the host build in
 * mk/host-xenstored.mk.  That build runs xenstored with -D (no domain init) on a
 * Unix socket, so none of these should ever be reached; if one is, it behaves
 * like the real library on a machine without Xen (fails with ENOSYS) and says
 * so on stderr, which the host test keeps in its xenstored log.
 * Linking these instead of the real libraries means the host tests need no
 * libxen-dev and can never touch a real hypervisor.
 */
#include <errno.h>
#include <stdio.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#define NO_XEN(ret)                                                            \
	do {                                                                   \
		fprintf(stderr, "xen-stubs: %s called: no Xen on the host\n", \
			__func__);                                             \
		errno = ENOSYS;                                                \
		return ret;                                                    \
	} while (0)

xc_interface *xc_interface_open(xentoollog_logger *logger,
				xentoollog_logger *dombuild_logger,
				unsigned open_flags)
{
	(void)logger; (void)dombuild_logger; (void)open_flags;
	NO_XEN(NULL);
}

int xc_interface_close(xc_interface *xch)
{
	(void)xch;
	NO_XEN(-1);
}

int xc_domain_getinfo(xc_interface *xch, uint32_t first_domid,
		      unsigned int max_doms, xc_dominfo_t *info)
{
	(void)xch; (void)first_domid; (void)max_doms; (void)info;
	NO_XEN(-1);
}

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger,
				 unsigned int flags)
{
	(void)logger; (void)flags;
	NO_XEN(NULL);
}

xenevtchn_handle *xenevtchn_fdopen(struct xentoollog_logger *logger, int fd,
				   unsigned int flags)
{
	(void)logger; (void)fd; (void)flags;
	NO_XEN(NULL);
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
	(void)xce;
	NO_XEN(-1);
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce; (void)port;
	NO_XEN(-1);
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce,
						     uint32_t domid,
						     evtchn_port_t remote_port)
{
	(void)xce; (void)domid; (void)remote_port;
	NO_XEN(-1);
}

xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *xce,
					      unsigned int virq)
{
	(void)xce; (void)virq;
	NO_XEN(-1);
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce; (void)port;
	NO_XEN(-1);
}

xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
	(void)xce;
	NO_XEN(-1);
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce; (void)port;
	NO_XEN(-1);
}

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger,
				 unsigned int open_flags)
{
	(void)logger; (void)open_flags;
	NO_XEN(NULL);
}

int xengnttab_close(xengnttab_handle *xgt)
{
	(void)xgt;
	NO_XEN(-1);
}

int xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
	(void)xgt; (void)nr_grants;
	NO_XEN(-1);
}

void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid,
			      uint32_t ref, int prot)
{
	(void)xgt; (void)domid; (void)ref; (void)prot;
	NO_XEN(NULL);
}

int xengnttab_unmap(xengnttab_handle *xgt, void *start_address,
		    uint32_t count)
{
	(void)xgt; (void)start_address; (void)count;
	NO_XEN(-1);
}
