#ifndef CSNAPPY_SHIM_H
#define CSNAPPY_SHIM_H
/* snappy's C interface: raw (unframed) blocks, which is what Parquet's SNAPPY codec stores. */
#include <snappy-c.h>
#endif
