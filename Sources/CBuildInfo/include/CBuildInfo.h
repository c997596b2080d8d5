#ifndef PLATFORMSIM_CBUILDINFO_H
#define PLATFORMSIM_CBUILDINFO_H

/// The git commit this binary was built from, as Package.swift found it at build time:
/// PLATFORMSIM_GIT_COMMIT from the environment, else the package's git checkout (with
/// "-dirty" when it had uncommitted changes), else "unknown". Never NULL.
const char *platformsim_build_commit(void);

#endif
