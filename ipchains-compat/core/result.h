// Errors are values: every fallible call in the core returns Result<T>.
// code is an errno value when the failure comes from (or emulates) the kernel,
// 0 for a command-line error; message is the exact one-line text the old tool printed
// (without the "ipchains: " prefix and without a trailing newline).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace ipchains {

struct Error {
    int code = 0;           // errno, or 0 for a usage (parse) error
    std::string message;    // exact legacy text
    int exit_status = 2;    // 1 kernel/system failure, 2 bad command line, 3 bad /proc format
    int line = 0;           // restore-file line, 0 when not from a file

    static Error usage(std::string msg) { return Error{0, std::move(msg), 2, 0}; }
    static Error kernel(int err, std::string msg) { return Error{err, std::move(msg), 1, 0}; }
};

template <typename T>
class Result {
public:
    Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
    Result(Error error) : v_(std::move(error)) {}      // NOLINT
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

template <>
class Result<void> {
public:
    Result() = default;
    Result(Error error) : err_(std::move(error)), ok_(false) {}  // NOLINT
    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const { return err_; }

private:
    Error err_;
    bool ok_ = true;
};

}  // namespace ipchains
