#include "core/thread_name.h"

#include <pthread.h>

#include <cstring>

namespace zg {

void name_this_thread(const char* name) {
  char cut[16];
  std::strncpy(cut, name, sizeof cut - 1);
  cut[sizeof cut - 1] = '\0';
  // A name is a help, not a need: a failure changes nothing else.
  (void)pthread_setname_np(pthread_self(), cut);
}

}  // namespace zg
