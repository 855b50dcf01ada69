/* test_tls_proc.c — OpenSSL inside Snow processes: several processes each
 * run a whole TLS handshake (client and server in memory, records moved by
 * hand) and exchange a message, ceding to the scheduler between steps so
 * their handshakes interleave.
 *
 * Two things are checked at once.  This file includes both <openssl/ssl.h>
 * (which pulls in <pthread.h> and <sched.h>) and proc.h, so a runtime name
 * that clashes with POSIX (the old sched_yield) fails the build here
 * (issue 15; tests/scripts/layers.sh checks that such a file exists).  And
 * the TLS code the network library will run on process stacks (small
 * coroutine stacks, switched in the middle of a handshake) works there. */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "proc.h"
#include "proc_testlib.h"

static SSL_CTX *server_ctx, *client_ctx;

/* A self-signed P-256 certificate for "snow.test", made in memory. */
static bool make_contexts(void) {
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = X509_new();
    bool ok = key && cert;
    if (ok) {
        X509_set_version(cert, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
        X509_gmtime_adj(X509_getm_notBefore(cert), 0);
        X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
        X509_set_pubkey(cert, key);
        X509_NAME *name = X509_get_subject_name(cert);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"snow.test", -1, -1, 0);
        X509_set_issuer_name(cert, name);
        ok = X509_sign(cert, key, EVP_sha256()) > 0;
    }
    server_ctx = SSL_CTX_new(TLS_server_method());
    client_ctx = SSL_CTX_new(TLS_client_method());
    ok = ok && server_ctx && client_ctx && SSL_CTX_use_certificate(server_ctx, cert) == 1 &&
         SSL_CTX_use_PrivateKey(server_ctx, key) == 1;
    if (client_ctx) SSL_CTX_set_verify(client_ctx, SSL_VERIFY_NONE, NULL);
    X509_free(cert);
    EVP_PKEY_free(key);
    return ok;
}

/* Move what one side wrote to the other side's input. */
static void pump(BIO *from, BIO *to) {
    char buf[4096];
    int n;
    while ((n = BIO_read(from, buf, sizeof buf)) > 0) BIO_write(to, buf, n);
}

/* One side's handshake step: true when done, false while it wants more. */
static bool step(SSL *s, bool *failed) {
    int r = SSL_do_handshake(s);
    if (r == 1) return true;
    int e = SSL_get_error(s, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) *failed = true;
    return false;
}

/* A process: handshake with itself, ceding after every step, then send
 * "hello from N" through the tunnel and report what the server read. */
DEFPROC(tls_worker, 1) {
    int64_t id = args[0].i;
    SSL *client = SSL_new(client_ctx), *server = SSL_new(server_ctx);
    BIO *c_in = BIO_new(BIO_s_mem()), *c_out = BIO_new(BIO_s_mem());
    BIO *s_in = BIO_new(BIO_s_mem()), *s_out = BIO_new(BIO_s_mem());
    SSL_set_bio(client, c_in, c_out);
    SSL_set_bio(server, s_in, s_out);
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    bool failed = false, c_done = false, s_done = false;
    int steps = 0;
    while (!(c_done && s_done) && !failed && steps++ < 50) {
        if (!c_done) c_done = step(client, &failed);
        pump(c_out, s_in);
        if (!s_done) s_done = step(server, &failed);
        pump(s_out, c_in);
        sched_cede(); /* another process's handshake runs in between */
    }
    char text[64], got[64] = "";
    int len = snprintf(text, sizeof text, "hello from %lld", (long long)id);
    if (c_done && s_done && SSL_write(client, text, len) == len) {
        pump(c_out, s_in);
        int n = SSL_read(server, got, sizeof got - 1);
        got[n > 0 ? n : 0] = 0;
    }
    say("worker %lld: %s, %s, read \"%s\"", (long long)id, c_done && s_done ? "handshake done" : "no handshake",
        SSL_get_version(client), got);
    SSL_free(client);
    SSL_free(server);
    return v_unit();
}

DEFPROC(main_tls, 0) {
    for (int64_t i = 1; i <= 3; i++) {
        Value id = v_int(i);
        proc_spawn(FN(tls_worker), 1, &id, NULL);
    }
    return v_unit();
}

TEST(tls_handshakes_in_processes) {
    CHECK(make_contexts());
    CHECK_EQ_INT(t_run(FN(main_tls)), 0);
    CHECK_EQ_STR(t_out, "worker 1: handshake done, TLSv1.3, read \"hello from 1\"\n"
                        "worker 2: handshake done, TLSv1.3, read \"hello from 2\"\n"
                        "worker 3: handshake done, TLSv1.3, read \"hello from 3\"\n");
    SSL_CTX_free(server_ctx);
    SSL_CTX_free(client_ctx);
}

int main(void) {
    RUN(tls_handshakes_in_processes);
    return harness_report();
}
