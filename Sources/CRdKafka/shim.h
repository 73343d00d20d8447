#ifndef CRDKAFKA_SHIM_H
#define CRDKAFKA_SHIM_H

/* librdkafka's rd_kafka_producev is variadic (and its arguments are macros): it cannot be called
 * from Swift. One typed, non-variadic wrapper; nothing else lives here. rdkafka_mock.h is the
 * library's built-in mock cluster, which the tests run against. */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/* Produces one copied message to `topic` (partitioned by `key`, or at random without one).
 * With `block` set the call waits while the local queue is full instead of failing. */
static inline rd_kafka_resp_err_t crdkafka_produce(rd_kafka_t *rk, const char *topic, const void *key, size_t key_len,
                                                   const void *value, size_t value_len, int block, void *opaque) {
    return rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, key_len),
                             RD_KAFKA_V_VALUE((void *)value, value_len),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY | (block ? RD_KAFKA_MSG_F_BLOCK : 0)),
                             RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
}

#endif
