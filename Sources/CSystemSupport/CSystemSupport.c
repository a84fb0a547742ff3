#define _GNU_SOURCE
#include "CSystemSupport.h"
#include <pthread.h>
#include <errno.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef __linux__
#include <sys/prctl.h>
#endif

void ticklab_set_timer_slack(unsigned long nanos) {
#ifdef __linux__
    prctl(PR_SET_TIMERSLACK, nanos, 0, 0, 0);
#else
    (void)nanos;
#endif
}

void ticklab_set_thread_name(const char *name) {
    char shortName[16];
    strncpy(shortName, name, 15);
    shortName[15] = 0;
#ifdef __linux__
    pthread_setname_np(pthread_self(), shortName);
#else
    pthread_setname_np(shortName);
#endif
}

int ticklab_set_parent_death_signal(int signal) {
#ifdef __linux__
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0, 0, 0);
#else
    (void)signal;
    errno = ENOSYS;
    return -1;
#endif
}

int ticklab_release_free_memory(void) {
#ifdef __GLIBC__
    return malloc_trim(0);
#else
    return 0;
#endif
}

// MARK: - Cost diagnostics: context switches, thread ids, the allocation counter

#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

int ticklab_context_switches(int ofThread, struct ticklab_context_switch_count *out) {
    struct rusage usage;
#ifdef RUSAGE_THREAD
    int who = ofThread ? RUSAGE_THREAD : RUSAGE_SELF;
#else
    if (ofThread) {
        errno = ENOSYS;
        return -1;
    }
    int who = RUSAGE_SELF;
#endif
    if (getrusage(who, &usage) != 0) return -1;
    out->voluntary = (uint64_t)usage.ru_nvcsw;
    out->involuntary = (uint64_t)usage.ru_nivcsw;
    return 0;
}

// Initial-exec: this file is linked into the executable, and a TLS access of that model is a
// plain segment-relative load, which neither allocates nor calls back into malloc.
static __thread int32_t cachedThreadID __attribute__((tls_model("initial-exec")));

int32_t ticklab_thread_id(void) {
    int32_t tid = cachedThreadID;
    if (tid == 0) {
#ifdef __linux__
        tid = (int32_t)syscall(SYS_gettid);
#else
        tid = -1;
#endif
        cachedThreadID = tid;
    }
    return tid;
}

// The sanitizers that replace malloc themselves: with one of them, this file defines no
// allocator functions (two definitions would not link, or would hide allocations from the
// sanitizer) and the counter says it is unavailable.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define TICKLAB_SANITIZED_ALLOCATOR 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define TICKLAB_SANITIZED_ALLOCATOR 1
#endif

#if defined(__GLIBC__) && !defined(TICKLAB_SANITIZED_ALLOCATOR)
#define TICKLAB_COUNTS_ALLOCATIONS 1
#endif

// A sanitizer runtime linked into a binary whose C code was compiled without it: its symbols
// are there though the macros above were not set. Weak, so that the reference alone links.
extern void __tsan_init(void) __attribute__((weak));
extern void __asan_init(void) __attribute__((weak));

static uint64_t processAllocations;
static __thread uint64_t threadAllocations __attribute__((tls_model("initial-exec")));

#ifdef TICKLAB_COUNTS_ALLOCATIONS
void *ticklab_counting_malloc(size_t size);
#endif

int ticklab_allocation_counter_available(void) {
#ifdef TICKLAB_COUNTS_ALLOCATIONS
    // The definitions below are weak: a binary that links another allocator interposer (the
    // package-benchmark suites link one) keeps that one, and then nothing here counts.
    // Through volatile pointers: the compiler knows malloc as a builtin and would fold the
    // comparison of two distinct functions' addresses to false.
    void *volatile inEffect = (void *)&malloc;
    void *volatile counting = (void *)&ticklab_counting_malloc;
    int oursIsMalloc = inEffect == counting;
    return (oursIsMalloc && &__tsan_init == NULL && &__asan_init == NULL) ? 1 : 0;
#else
    return 0;
#endif
}

uint64_t ticklab_allocations_of_process(void) { return __atomic_load_n(&processAllocations, __ATOMIC_RELAXED); }

uint64_t ticklab_allocations_of_thread(void) { return threadAllocations; }

#ifdef TICKLAB_COUNTS_ALLOCATIONS
// glibc's own entry points: forwarding to them needs no dlsym (which itself allocates, and so
// would recurse while the forwarding pointers are being looked up).
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static inline void countAllocation(void) {
    // Relaxed: a tally read only after the run, ordered by the joins that end it.
    __atomic_fetch_add(&processAllocations, 1, __ATOMIC_RELAXED);
    threadAllocations += 1;
}

// Definitions in the executable interpose the C library's for every library of the process
// (the Swift runtime, Foundation, Dispatch, NIO): each call that hands out new memory counts
// one. `free` is glibc's own. Weak, so that a binary with another interposer (package-benchmark's
// malloc-interposer, whose definitions are strong) links and keeps that one alone.
void *ticklab_counting_malloc(size_t size) {
    countAllocation();
    return __libc_malloc(size);
}

void *malloc(size_t size) __attribute__((weak, alias("ticklab_counting_malloc")));

__attribute__((weak)) void *calloc(size_t count, size_t size) {
    countAllocation();
    return __libc_calloc(count, size);
}

__attribute__((weak)) void *realloc(void *pointer, size_t size) {
    // realloc(p, 0) frees; any other call may hand out a new block.
    if (pointer == NULL || size != 0) countAllocation();
    return __libc_realloc(pointer, size);
}

__attribute__((weak)) void *memalign(size_t alignment, size_t size) {
    countAllocation();
    return __libc_memalign(alignment, size);
}

__attribute__((weak)) void *aligned_alloc(size_t alignment, size_t size) {
    countAllocation();
    return __libc_memalign(alignment, size);
}

__attribute__((weak)) int posix_memalign(void **result, size_t alignment, size_t size) {
    if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment % sizeof(void *) != 0) return EINVAL;
    countAllocation();
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *result = pointer;
    return 0;
}

__attribute__((weak)) void *valloc(size_t size) {
    countAllocation();
    return __libc_memalign((size_t)sysconf(_SC_PAGESIZE), size);
}

__attribute__((weak)) void *pvalloc(size_t size) {
    countAllocation();
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return __libc_memalign(page, (size + page - 1) & ~(page - 1));
}
#endif
