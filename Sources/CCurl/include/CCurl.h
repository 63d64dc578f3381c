// Typed wrappers over the libcurl functions the Linux transport uses, found with dlopen/dlsym on first use so
// that the binary never links libcurl. curl_easy_setopt and curl_easy_getinfo are variadic in C: calling them
// through a non-variadic function type is undefined behaviour, so each argument type gets a C wrapper that makes
// a real variadic call. Option and info numbers are libcurl's stable ABI and are passed through unchanged.
#ifndef DASHSCOPE_CCURL_H
#define DASHSCOPE_CCURL_H

#include <stddef.h>
#include <stdint.h>

/// What dscurl_load found.
enum {
    DSCURL_LOADED = 0,          ///< every function was found and curl_global_init succeeded
    DSCURL_NO_LIBRARY = 1,      ///< no libcurl shared library could be opened
    DSCURL_MISSING_SYMBOL = 2,  ///< the library lacks a function this tool needs
    DSCURL_INIT_FAILED = 3,     ///< curl_global_init failed
};

/// A body callback (CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION, CURLOPT_READFUNCTION).
typedef size_t (*dscurl_data_func)(char *buffer, size_t size, size_t count, void *context);
/// A progress callback (CURLOPT_XFERINFOFUNCTION): non-zero stops the transfer.
typedef int (*dscurl_xferinfo_func)(void *context, int64_t download_total, int64_t downloaded,
                                    int64_t upload_total, int64_t uploaded);
/// A rewind callback (CURLOPT_SEEKFUNCTION): 0 on success, 1 to fail the transfer.
typedef int (*dscurl_seek_func)(void *context, int64_t offset, int origin);

/// The end of one pass of `dscurl_perform_passes`, told how many bytes wait unread on the socket: returns how many
/// microseconds to wait before looking for more (0: at once), or -1 to stop the transfer (CURLE_WRITE_ERROR).
typedef long (*dscurl_pass_func)(void *context, long unread);

/// Opens libcurl (libcurl.so.4, then libcurl-gnutls.so.4, then libcurl.so) once per process; returns a DSCURL_ value.
int dscurl_load(void);

/// curl_easy_init.
void *dscurl_easy_init(void);
/// curl_easy_cleanup.
void dscurl_easy_cleanup(void *handle);
/// curl_easy_reset.
void dscurl_easy_reset(void *handle);
/// curl_easy_perform; returns the CURLcode.
int dscurl_easy_perform(void *handle);
/// Whether the library has the multi interface dscurl_perform_passes needs (libcurl 7.66 or later).
int dscurl_has_passes(void);
/// curl_easy_perform run pass by pass through a multi handle: after each curl_multi_perform, `end_of_pass` says how long
/// to wait before the next poll (a stream's reader lets a few events gather instead of waking for each). The multi
/// handle is `*kept`, made on first use and kept by the caller with the easy handle, so its connections (libcurl keeps
/// them per multi handle) serve the handle's next stream. Returns the CURLcode (CURLE_FAILED_INIT without the multi
/// interface: check dscurl_has_passes first).
int dscurl_perform_passes(void *handle, void **kept, dscurl_pass_func end_of_pass, void *context);
/// curl_multi_cleanup of a multi handle dscurl_perform_passes made (NULL is ignored).
void dscurl_multi_cleanup(void *multi);
/// curl_easy_strerror.
const char *dscurl_easy_strerror(int code);
/// curl_version ("libcurl/8.5.0 OpenSSL/3.0.13 ..."), or NULL when the library lacks it.
const char *dscurl_version(void);

/// curl_easy_setopt with a long argument.
int dscurl_setopt_long(void *handle, int option, long value);
/// curl_easy_setopt with a pointer argument (strings, lists, callback contexts).
int dscurl_setopt_ptr(void *handle, int option, const void *value);
/// curl_easy_setopt with a curl_off_t argument.
int dscurl_setopt_off(void *handle, int option, int64_t value);
/// curl_easy_setopt with a body callback.
int dscurl_setopt_data_func(void *handle, int option, dscurl_data_func value);
/// curl_easy_setopt with a progress callback.
int dscurl_setopt_xferinfo_func(void *handle, int option, dscurl_xferinfo_func value);
/// curl_easy_setopt with a rewind callback.
int dscurl_setopt_seek_func(void *handle, int option, dscurl_seek_func value);

/// curl_easy_getinfo into a long.
int dscurl_getinfo_long(void *handle, int info, long *value);
/// curl_easy_getinfo into a double.
int dscurl_getinfo_double(void *handle, int info, double *value);
/// curl_easy_getinfo into a curl_off_t.
int dscurl_getinfo_off(void *handle, int info, int64_t *value);

/// curl_slist_append.
void *dscurl_slist_append(void *list, const char *line);
/// curl_slist_free_all.
void dscurl_slist_free_all(void *list);

#endif
