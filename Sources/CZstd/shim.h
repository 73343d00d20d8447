#ifndef CZSTD_SHIM_H
#define CZSTD_SHIM_H
/* ZSTD_estimateCCtxSize and ZSTD_initStaticCCtx (exported by Debian's libzstd 1.5). */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#endif
