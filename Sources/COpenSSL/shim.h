#ifndef TWEET_INGEST_COPENSSL_SHIM_H
#define TWEET_INGEST_COPENSSL_SHIM_H

// Only libcrypto's digest and MAC APIs are needed (SHA-256, HMAC-SHA256, MD5 for Content-MD5).
// Everything used from Swift is a real function in OpenSSL 3 (EVP_Digest, EVP_MD_CTX_new,
// HMAC, ...), so no copenssl_* wrappers are required; the constants below are plain integer
// macros that Swift imports directly.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#endif
