/*
 * Eight threads at once on every entry point: codecommit_sign_url, codecommit_signed_url,
 * one shared resolver reading the fixture files (reloaded as they sign), one shared
 * resolver with a credentials callback, error paths and the helpers. Run by
 * tests/c_programs.rs with the fixture HOME.
 *
 * Usage: threads    (exit status 0 when every thread saw the right answer every time)
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>

#include "common.h"

#define THREADS 8
#define ROUNDS 20
#define VECTOR_TIME 1514116400
static const char VECTOR_URL[] =
    "https://access:20171224T115320Zb6df2d758a8023b2f000a546417007b65494f3ce8ad0300fd45fcfa17"
    "3f1959a@git-codecommit.us-west-2.amazonaws.com/v1/repos/test_repo";

static const codecommit_resolver *files;
static const codecommit_resolver *app;

/* The callback's state: how often it ran, guarded by a mutex (it runs on many threads). */
static pthread_mutex_t calls_lock = PTHREAD_MUTEX_INITIALIZER;
static long callback_calls = 0;

static int supply(void *userdata, const char *profile, codecommit_credentials *creds) {
    (void)userdata;
    pthread_mutex_lock(&calls_lock);
    callback_calls++;
    pthread_mutex_unlock(&calls_lock);
    if (strcmp(profile, "default") != 0) {
        return 1;
    }
    return codecommit_credentials_set(creds, "access", "secret", NULL);
}

/* What each thread counts; CHECK's counters are not shared between threads. */
struct tally {
    int good;
    int bad;
};

static void expect_url(struct tally *t, int code, char *url, char *error) {
    if (code == 0 && url != NULL && error == NULL && strcmp(url, VECTOR_URL) == 0) {
        t->good++;
    } else {
        t->bad++;
        fprintf(stderr, "thread: got %s: %s\n", codecommit_error_name(code),
                url != NULL ? url : (error != NULL ? error : "(nothing)"));
    }
    codecommit_string_free(url);
    codecommit_string_free(error);
}

static void expect_code(struct tally *t, int code, int want, char *url, char *error) {
    if (code == want && url == NULL && error != NULL) {
        t->good++;
    } else {
        t->bad++;
        fprintf(stderr, "thread: got %s, want %s\n", codecommit_error_name(code),
                codecommit_error_name(want));
    }
    codecommit_string_free(url);
    codecommit_string_free(error);
}

static void *work(void *arg) {
    struct tally *t = arg;
    int round;
    for (round = 0; round < ROUNDS; round++) {
        char *url = NULL, *error = NULL;
        int code;

        code = codecommit_sign_url("access", "secret", NULL, "us-west-2", "test_repo", NULL,
                                   VECTOR_TIME, &url, &error);
        expect_url(t, code, url, error);

        url = error = NULL;
        code = codecommit_resolver_signed_url(files, "codecommit://vector@test_repo",
                                              VECTOR_TIME, &url, &error);
        expect_url(t, code, url, error);

        url = error = NULL;
        code = codecommit_resolver_signed_url(app, "codecommit::us-west-2://test_repo",
                                              VECTOR_TIME, &url, &error);
        expect_url(t, code, url, error);

        url = error = NULL;
        code = codecommit_signed_url("codecommit://vector@test_repo", &url, &error);
        if (code == 0 && url != NULL && strncmp(url, "https://access:", 15) == 0) {
            t->good++;
        } else {
            t->bad++;
        }
        codecommit_string_free(url);
        codecommit_string_free(error);

        url = error = NULL;
        code = codecommit_sign_url("access", NULL, NULL, "us-west-2", "test_repo", NULL,
                                   VECTOR_TIME, &url, &error);
        expect_code(t, code, CODECOMMIT_AUTH_RESULT_NULL_PARAMETER, url, error);

        url = error = NULL;
        code = codecommit_resolver_signed_url(files, "codecommit://no-keys@test_repo",
                                              VECTOR_TIME, &url, &error);
        expect_code(t, code, CODECOMMIT_AUTH_RESULT_CREDENTIALS_NOT_FOUND, url, error);

        if (round % 5 == 0) {
            if (codecommit_resolver_reload(files) == 0) {
                t->good++;
            } else {
                t->bad++;
            }
        }
        if (strcmp(codecommit_error_name(CODECOMMIT_AUTH_RESULT_NETWORK), "network") == 0) {
            t->good++;
        } else {
            t->bad++;
        }
    }
    return NULL;
}

int main(void) {
    pthread_t threads[THREADS];
    struct tally tallies[THREADS];
    int i;

    CHECK_CODE(codecommit_resolver_new(&files), CODECOMMIT_AUTH_RESULT_OK);
    CHECK_CODE(codecommit_resolver_new_with_credentials_callback(supply, NULL, &app),
               CODECOMMIT_AUTH_RESULT_OK);
    memset(tallies, 0, sizeof tallies);
    for (i = 0; i < THREADS; i++) {
        CHECK(pthread_create(&threads[i], NULL, work, &tallies[i]) == 0);
    }
    for (i = 0; i < THREADS; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        CHECK(tallies[i].bad == 0);
        CHECK(tallies[i].good == ROUNDS * 7 + ROUNDS / 5);
    }
    /* One callback call per resolution on the callback resolver. */
    CHECK(callback_calls == (long)THREADS * ROUNDS);
    codecommit_resolver_free(files);
    codecommit_resolver_free(app);
    return finish("threads");
}
