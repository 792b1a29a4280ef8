/* host/: host-side helpers shared by the otter CLI and the tests. This file
 * only anchors the library; modules live beside it as host/<module>.c. */
#include "otter/error.h"

const char *otter_host_version(void);

const char *otter_host_version(void)
{
    return "otter-host 0.1.0";
}
