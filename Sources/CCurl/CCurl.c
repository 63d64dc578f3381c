#include "CCurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <time.h>

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
    const char *(*version)(void);
    // The multi interface, for transfers run pass by pass; optional (absent before libcurl 7.66: easy_perform then).
    void *(*multi_init)(void);
    int (*multi_add_handle)(void *, void *);
    int (*multi_remove_handle)(void *, void *);
    int (*multi_perform)(void *, int *);
    int (*multi_poll)(void *, void *, unsigned int, int, int *);
    void *(*multi_info_read)(void *, int *);
    int (*multi_cleanup)(void *);
    int (*multi_fdset)(void *, fd_set *, fd_set *, fd_set *, int *);
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
    *(void **)&curl.version = dlsym(library, "curl_version");
    *(void **)&curl.multi_init = dlsym(library, "curl_multi_init");
    *(void **)&curl.multi_add_handle = dlsym(library, "curl_multi_add_handle");
    *(void **)&curl.multi_remove_handle = dlsym(library, "curl_multi_remove_handle");
    *(void **)&curl.multi_perform = dlsym(library, "curl_multi_perform");
    *(void **)&curl.multi_poll = dlsym(library, "curl_multi_poll");
    *(void **)&curl.multi_info_read = dlsym(library, "curl_multi_info_read");
    *(void **)&curl.multi_cleanup = dlsym(library, "curl_multi_cleanup");
    *(void **)&curl.multi_fdset = dlsym(library, "curl_multi_fdset");
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
const char *dscurl_version(void) { return curl.version ? curl.version() : NULL; }

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

// CURLMsg's layout (curl/multi.h): CURLMSG msg; CURL *easy_handle; union { void *whatever; CURLcode result; } data.
struct dscurl_message {
    int msg;
    void *easy_handle;
    union {
        void *whatever;
        int result;
    } data;
};

enum {
    CURLMSG_DONE = 1,
    CURLE_FAILED_INIT = 2,
    CURLE_WRITE_ERROR = 23,
    CURLE_OUT_OF_MEMORY = 27,
    CURLE_RECV_ERROR = 56,
};

// The bytes waiting unread on the sockets the transfer reads (0 when there are none or it cannot tell). The sockets
// come from curl_multi_fdset: CURLINFO_ACTIVESOCKET only answers once a transfer is over.
static long unread_bytes(void *multi) {
    fd_set reading, writing, failing;
    FD_ZERO(&reading);
    FD_ZERO(&writing);
    FD_ZERO(&failing);
    int highest = -1;
    if (curl.multi_fdset(multi, &reading, &writing, &failing, &highest) != 0 || highest < 0 || highest >= FD_SETSIZE) {
        return 0;
    }
    long total = 0;
    for (int descriptor = 0; descriptor <= highest; descriptor++) {
        int count = 0;
        if (FD_ISSET(descriptor, &reading) && ioctl(descriptor, FIONREAD, &count) == 0 && count > 0) total += count;
    }
    return total;
}

int dscurl_has_passes(void) {
    return curl.multi_init && curl.multi_add_handle && curl.multi_remove_handle && curl.multi_perform && curl.multi_poll &&
           curl.multi_info_read && curl.multi_cleanup && curl.multi_fdset;
}

void dscurl_multi_cleanup(void *multi) {
    if (multi != NULL && curl.multi_cleanup) curl.multi_cleanup(multi);
}

int dscurl_perform_passes(void *handle, void **kept, dscurl_pass_func end_of_pass, void *context) {
    if (!dscurl_has_passes()) return CURLE_FAILED_INIT;
    if (*kept == NULL) *kept = curl.multi_init();
    void *multi = *kept;
    if (multi == NULL) return CURLE_OUT_OF_MEMORY;
    if (curl.multi_add_handle(multi, handle) != 0) return CURLE_FAILED_INIT;
    int code = -1;
    int running = 1;
    while (code < 0) {
        if (curl.multi_perform(multi, &running) != 0) {
            code = CURLE_FAILED_INIT;
            break;
        }
        long pause = end_of_pass(context, running ? unread_bytes(multi) : 0);
        if (pause < 0) {
            code = CURLE_WRITE_ERROR;
            break;
        }
        if (!running) break;
        if (pause > 0) {
            // The wait lets the next events gather; read them at once after it (no poll to ask whether they came).
            struct timespec wait = {pause / 1000000, (pause % 1000000) * 1000};
            nanosleep(&wait, NULL);
            continue;
        }
        if (curl.multi_poll(multi, NULL, 0, 1000, NULL) != 0) code = CURLE_FAILED_INIT;
    }
    if (code < 0) {
        code = CURLE_RECV_ERROR;
        int left = 0;
        struct dscurl_message *message;
        while ((message = curl.multi_info_read(multi, &left)) != NULL) {
            if (message->msg == CURLMSG_DONE && message->easy_handle == handle) code = message->data.result;
        }
    }
    curl.multi_remove_handle(multi, handle);
    return code;
}
