// A heap buffer of each thread's own, freed when the thread exits. Not a thread_local with a
// destructor: glibc registers such a destructor on first use and aborts the whole process when
// that registration cannot allocate, so running out of memory could never become ENOMEM
// (divert(7) ERRORS). A trivially destructible thread_local pointer plus a pthread key whose
// destructor frees it needs no registration.
#pragma once

#include <new>

#include <pthread.h>

namespace divert {

// This thread's T, allocated (value-initialized) on its first call; null when memory ran out.
template <typename T>
T* thread_buffer() noexcept
{
    static pthread_key_t key;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    static bool have_key = false;
    pthread_once(&once, [] {
        have_key = pthread_key_create(&key, [](void* p) { delete static_cast<T*>(p); }) == 0;
    });
    thread_local T* buf = nullptr;
    if (buf == nullptr && have_key) {
        T* fresh = new (std::nothrow) T;
        if (fresh != nullptr && pthread_setspecific(key, fresh) != 0) {
            delete fresh;
            fresh = nullptr;
        }
        buf = fresh;
    }
    return buf;
}

}  // namespace divert
