/*
 * invariant — PAREVM_ASSERT(cond): a check of an internal invariant (a
 * condition no input can make false, only a bug in parevm).
 *
 * Active in every build without NDEBUG: debug, asan, tsan, chaos and fuzz
 * (the Makefile's variants), where a false condition prints the file,
 * line, function and expression to stderr and aborts. The release build
 * (-DNDEBUG) compiles it to nothing: the condition is not evaluated, so
 * it must have no side effects (it is still type-checked).
 *
 * Bad input is never an invariant: that is an error code (STYLE.md, 3-4).
 */
#ifndef PAREVM_BASE_INVARIANT_H
#define PAREVM_BASE_INVARIANT_H

#ifdef NDEBUG
#define PAREVM_ASSERT(cond) ((void)sizeof(!(cond)))
#else
#define PAREVM_ASSERT(cond)                                                                                  \
    (__builtin_expect(!!(cond), 1) ? (void)0 : parevm_assert_fail(#cond, __FILE__, __LINE__, __func__))
#endif

/* Report a failed PAREVM_ASSERT and abort. */
_Noreturn void parevm_assert_fail(const char *expr, const char *file, int line, const char *func);

#endif
