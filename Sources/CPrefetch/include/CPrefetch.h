// Cache prefetch hints for Swift code (Swift has no prefetch builtin).
//
// `static inline`: the Swift compiler imports these through Clang and inlines them, so
// each call becomes one `prefetcht0` (or `prefetchw`) instruction, with no call. A
// prefetch never faults and changes no value: an address that is not mapped, or not
// needed after all, costs memory bandwidth only.
#ifndef PLATFORMSIM_CPREFETCH_H
#define PLATFORMSIM_CPREFETCH_H

/// Asks for the cache line holding `address` to be loaded into every cache level, for
/// reading soon.
static inline __attribute__((always_inline)) void platformsim_prefetch_read(const void *address) {
  __builtin_prefetch(address, 0, 3);
}

/// Asks for the cache line holding `address` to be loaded for writing soon.
static inline __attribute__((always_inline)) void platformsim_prefetch_write(const void *address) {
  __builtin_prefetch(address, 1, 3);
}

#endif
