#include "CConcurrencyHook.h"

#include <stdint.h>

// Declared by the Swift runtime (swift/Runtime/Concurrency.h). It is referenced here, and so
// resolved when the binary is linked, instead of being looked up with dlsym as SwiftNIO does:
// with --static-swift-stdlib (how the container images are built) the symbol is linked in as
// a hidden one, which dlsym cannot see, so SwiftNIO's takeover fails there.
extern const void *swift_task_enqueueGlobal_hook;

bool servicekit_install_enqueue_global_hook(const void *hook) {
    const void *expected = 0;
    return __atomic_compare_exchange_n(
        &swift_task_enqueueGlobal_hook, &expected, hook, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

// The runtime's SerialExecutorRef (swift/ABI/Executor.h): an identity and an implementation
// word; both zero is the generic executor.
typedef struct {
    const void *identity;
    uintptr_t implementation;
} servicekit_serial_executor_ref;

// swift/Runtime/Concurrency.h; the runtime is built with the same clang calling convention.
extern __attribute__((swiftcall)) void swift_job_run(void *job, servicekit_serial_executor_ref executor);

void servicekit_run_job_on_generic_executor(void *job) {
    servicekit_serial_executor_ref generic = {0, 0};
    swift_job_run(job, generic);
}
