#ifndef CMALLOC_SHIM_H
#define CMALLOC_SHIM_H
/* glibc's mallopt(3), which the Glibc module does not export. */
#include <malloc.h>
#endif
