// The target's one function is inline in include/CMallocTuning.h; SwiftPM needs a source file.
#include "CMallocTuning.h"
