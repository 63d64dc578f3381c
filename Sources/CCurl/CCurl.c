#include "CCurl.h"

#include <dlfcn.h>
#include <pthread.h>

// The variadic entry points keep their C prototypes, so every call below is a real variadic call.
typedef int (*setopt_func)(void *, int, ...);
typedef int (*getinfo_func)(void *, int, ...);

static struct {
    int status;
    int (*global_init)(long);
    void *(*easy_init)(void);
    void (*easy_cleanup)(void *);
    void (*easy_reset)(void *);
    int (*easy_perform)(void *);
    const char *(*easy_strerror)(int);
    setopt_func setopt;
    getinfo_func getinfo;
    void *(*slist_append)(void *, const char *);
    void (*slist_free_all)(void *);
} curl = {DSCURL_NO_LIBRARY};

static pthread_once_t once = PTHREAD_ONCE_INIT;

// CURL_GLOBAL_ALL (SSL | WIN32).
#define GLOBAL_ALL 3L

static void load(void) {
    static const char *names[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"};
    void *library = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && library == NULL; i++) {
        library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (library == NULL) {
        curl.status = DSCURL_NO_LIBRARY;
        return;
    }
    *(void **)&curl.global_init = dlsym(library, "curl_global_init");
    *(void **)&curl.easy_init = dlsym(library, "curl_easy_init");
    *(void **)&curl.easy_cleanup = dlsym(library, "curl_easy_cleanup");
    *(void **)&curl.easy_reset = dlsym(library, "curl_easy_reset");
    *(void **)&curl.easy_perform = dlsym(library, "curl_easy_perform");
    *(void **)&curl.easy_strerror = dlsym(library, "curl_easy_strerror");
    *(void **)&curl.setopt = dlsym(library, "curl_easy_setopt");
    *(void **)&curl.getinfo = dlsym(library, "curl_easy_getinfo");
    *(void **)&curl.slist_append = dlsym(library, "curl_slist_append");
    *(void **)&curl.slist_free_all = dlsym(library, "curl_slist_free_all");
    if (!curl.global_init || !curl.easy_init || !curl.easy_cleanup || !curl.easy_reset || !curl.easy_perform ||
        !curl.easy_strerror || !curl.setopt || !curl.getinfo || !curl.slist_append || !curl.slist_free_all) {
        curl.status = DSCURL_MISSING_SYMBOL;
        return;
    }
    curl.status = curl.global_init(GLOBAL_ALL) == 0 ? DSCURL_LOADED : DSCURL_INIT_FAILED;
}

int dscurl_load(void) {
    pthread_once(&once, load);
    return curl.status;
}

// The wrappers below are only reachable after dscurl_load returned DSCURL_LOADED (the Swift side guarantees it).

void *dscurl_easy_init(void) { return curl.easy_init(); }
void dscurl_easy_cleanup(void *handle) { curl.easy_cleanup(handle); }
void dscurl_easy_reset(void *handle) { curl.easy_reset(handle); }
int dscurl_easy_perform(void *handle) { return curl.easy_perform(handle); }
const char *dscurl_easy_strerror(int code) { return curl.easy_strerror(code); }

int dscurl_setopt_long(void *handle, int option, long value) { return curl.setopt(handle, option, value); }
int dscurl_setopt_ptr(void *handle, int option, const void *value) { return curl.setopt(handle, option, value); }
int dscurl_setopt_off(void *handle, int option, int64_t value) { return curl.setopt(handle, option, value); }
int dscurl_setopt_data_func(void *handle, int option, dscurl_data_func value) { return curl.setopt(handle, option, value); }
int dscurl_setopt_xferinfo_func(void *handle, int option, dscurl_xferinfo_func value) {
    return curl.setopt(handle, option, value);
}
int dscurl_setopt_seek_func(void *handle, int option, dscurl_seek_func value) { return curl.setopt(handle, option, value); }

int dscurl_getinfo_long(void *handle, int info, long *value) { return curl.getinfo(handle, info, value); }
int dscurl_getinfo_double(void *handle, int info, double *value) { return curl.getinfo(handle, info, value); }
int dscurl_getinfo_off(void *handle, int info, int64_t *value) { return curl.getinfo(handle, info, value); }

void *dscurl_slist_append(void *list, const char *line) { return curl.slist_append(list, line); }
void dscurl_slist_free_all(void *list) { curl.slist_free_all(list); }
