// The system hiredis (Debian: libhiredis-dev 0.14, the older API). Only MizanStores imports this
// module. `redisCommand` is variadic, so Swift calls `redisCommandArgv`. No pkg-config: SwiftPM
// refuses hiredis's `-D_FILE_OFFSET_BITS=64` flag, and the headers are in /usr/include.
#include <sys/time.h>
#include <hiredis/hiredis.h>
