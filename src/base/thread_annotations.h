// Clang's thread-safety analysis (-Wthread-safety): which mutex guards which member, and
// which functions need it held. The clang builds (the fuzzing stage of `make test`) turn
// every finding into an error; with GCC the macros expand to nothing.
// https://clang.llvm.org/docs/ThreadSafetyAnalysis.html
#pragma once

#if defined(__clang__)
#define DIAMOND_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define DIAMOND_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) DIAMOND_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY DIAMOND_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) DIAMOND_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) DIAMOND_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) DIAMOND_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) DIAMOND_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE(...) DIAMOND_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) DIAMOND_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) DIAMOND_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) DIAMOND_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) DIAMOND_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
#define EXCLUDES(...) DIAMOND_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS DIAMOND_THREAD_ANNOTATION(no_thread_safety_analysis)
