#ifndef C_CONCURRENCY_HOOK_H
#define C_CONCURRENCY_HOOK_H

#include <stdbool.h>

/// Stores `hook` in the Swift runtime's global-enqueue hook unless one is already there.
/// Returns true if it was stored.
bool servicekit_install_enqueue_global_hook(const void *hook);

/// Runs a job enqueued on the global executor the way Swift's own global executor does: with
/// the generic executor as the current one.
void servicekit_run_job_on_generic_executor(void *job);

#endif
