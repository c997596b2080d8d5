#include "CBuildInfo.h"

// Package.swift defines PLATFORMSIM_GIT_COMMIT as a string literal on this target only,
// so a new commit recompiles this file and relinks, nothing else.
#ifndef PLATFORMSIM_GIT_COMMIT
#define PLATFORMSIM_GIT_COMMIT "unknown"
#endif

const char *platformsim_build_commit(void) { return PLATFORMSIM_GIT_COMMIT; }
