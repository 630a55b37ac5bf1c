// The barrier every extern "C" entry point of the library runs its C++ body behind: a C
// program must never see an exception (it would terminate it, or unwind through frames that
// cannot be unwound). What can throw in the core is an allocation (a new descriptor table
// slot, a thread's receive buffer, a socket object) or a standard-library call; the caller
// gets what a libc call gets when the kernel is short of the same resource (libdivert(3),
// "ERRORS"):
//   std::bad_alloc                -> -1, ENOMEM
//   std::system_error             -> -1, its errno value (EIO if it carries none)
//   anything else                 -> -1, EIO
#pragma once

#include <cerrno>
#include <new>
#include <system_error>

namespace divert {

template <typename Body>
auto c_entry(Body&& body) noexcept -> decltype(body())
{
    try {
        return body();
    } catch (const std::bad_alloc&) {
        errno = ENOMEM;
    } catch (const std::system_error& e) {
        const int code = e.code().value();
        errno = code > 0 ? code : EIO;
    } catch (...) {
        errno = EIO;
    }
    return static_cast<decltype(body())>(-1);
}

}  // namespace divert
