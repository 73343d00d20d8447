#ifndef CXATTR_SHIM_H
#define CXATTR_SHIM_H
/* glibc's extended-attribute calls (xattr(7)), which the Glibc module does not export. */
#include <sys/xattr.h>
#endif
