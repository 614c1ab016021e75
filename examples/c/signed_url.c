/*
 * Prints the signed HTTPS URL for a codecommit:// remote, using the same AWS files and
 * variables as the AWS CLI: a C program that needs only include/codecommit_auth.h and
 * the library.
 *
 *   signed_url [--explain] REMOTE [UNIX_SECONDS]
 *
 * UNIX_SECONDS fixes the signing time (tests, reproducible output); without it the URL
 * is signed now. --explain prints on stderr how the remote was resolved (no secrets).
 * On failure the error's name and message go to stderr and the exit status is 1.
 *
 * Build (from the repository root, after `cargo build --release`), statically:
 *
 *   cc -std=c99 -Iinclude examples/c/signed_url.c target/release/libcodecommit_auth.a \
 *      -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc -o signed_url
 *
 * or against the shared library:
 *
 *   cc -std=c99 -Iinclude examples/c/signed_url.c -Ltarget/release -lcodecommit_auth \
 *      -Wl,-rpath,"$PWD/target/release" -o signed_url
 *   ln -sf libcodecommit_auth.so target/release/libcodecommit_auth.so.0.1   # its SONAME
 *
 * or, once installed (see README.md, "The C ABI"):
 *
 *   cc examples/c/signed_url.c $(pkg-config --cflags --libs codecommit_auth) -o signed_url
 *
 * Try it with the demo files (fake keys):
 *
 *   AWS_CONFIG_FILE=examples/demo/config AWS_SHARED_CREDENTIALS_FILE=examples/demo/credentials \
 *       ./signed_url --explain codecommit://demo@MyDemoRepo
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecommit_auth.h"

int main(int argc, char **argv) {
    const codecommit_resolver *resolver = NULL;
    char *url = NULL, *error = NULL, *explanation = NULL;
    int64_t when = CODECOMMIT_SIGNING_TIME_NOW;
    int explain = 0, code;

    if (argc > 1 && strcmp(argv[1], "--explain") == 0) {
        explain = 1;
        argv++;
        argc--;
    }
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: signed_url [--explain] REMOTE [UNIX_SECONDS]\n");
        return 2;
    }
    if (argc == 3) {
        when = strtoll(argv[2], NULL, 10);
    }

    /* One resolver reads the AWS files once and can sign any number of remotes. */
    code = codecommit_resolver_new(&resolver);
    if (code == CODECOMMIT_AUTH_RESULT_OK && explain) {
        code = codecommit_resolver_explain(resolver, argv[1], &explanation, &error);
        if (code == CODECOMMIT_AUTH_RESULT_OK) {
            fputs(explanation, stderr);
        }
    }
    if (code == CODECOMMIT_AUTH_RESULT_OK) {
        code = codecommit_resolver_signed_url(resolver, argv[1], when, &url, &error);
    }
    if (code == CODECOMMIT_AUTH_RESULT_OK) {
        printf("%s\n", url);
    } else {
        fprintf(stderr, "signed_url: %s: %s\n", codecommit_error_name(code),
                error != NULL ? error : "(no message)");
    }

    /* The URL holds a password: codecommit_string_free wipes it. NULL is fine. */
    codecommit_string_free(url);
    codecommit_string_free(error);
    codecommit_string_free(explanation);
    codecommit_resolver_free(resolver);
    return code == CODECOMMIT_AUTH_RESULT_OK ? 0 : 1;
}
