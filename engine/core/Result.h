// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

#include <utility>
#include <variant>

namespace rf {

// What kind of failure an Error is, so callers (CLI exit codes, the desktop app,
// the HTTP API) can react without parsing messages.
enum class ErrorCode {
    Invalid, // bad input: a field, a file, an argument
    NotFound, // no such request, user, workflow, file
    Forbidden, // the user's role may not do this
    Refused, // a guard or rule refused the action
    Conflict, // someone else changed the record first (stale version)
    Storage, // the register could not be read or written
    Unsupported, // e.g. a register from a newer Rightsflow
    Exists, // a file is already there, and replacing it was not asked for
};

// A failure as a value: a code and a message that says what was wrong, where,
// and what to do. `details` carries one line per problem when there are several
// (e.g. every invalid intake field, every error in a workflow file).
struct Error {
    ErrorCode code = ErrorCode::Invalid;
    QString message;
    QStringList details;

    [[nodiscard]] QString fullText() const
    {
        if (details.isEmpty())
            return message;
        return message + QLatin1Char('\n') + details.join(QLatin1Char('\n'));
    }
};

inline Error makeError(ErrorCode code, const QString &message, const QStringList &details = {})
{
    return Error {code, message, details};
}

// An expected-style result: either a value or an Error. Errors are values in
// Rightsflow; no exception crosses a module boundary.
template<typename T>
class [[nodiscard]] Result
{
public:
    Result(const T &value)
        : m_data(value)
    { }
    Result(T &&value)
        : m_data(std::move(value))
    { }
    Result(const Error &error)
        : m_data(error)
    { }
    Result(Error &&error)
        : m_data(std::move(error))
    { }

    [[nodiscard]] bool ok() const { return std::holds_alternative<T>(m_data); }
    explicit operator bool() const { return ok(); }

    [[nodiscard]] const T &value() const & { return std::get<T>(m_data); }
    [[nodiscard]] T &value() & { return std::get<T>(m_data); }
    [[nodiscard]] T &&value() && { return std::get<T>(std::move(m_data)); }
    [[nodiscard]] const T &operator*() const & { return value(); }
    [[nodiscard]] T &operator*() & { return value(); }
    [[nodiscard]] const T *operator->() const { return &value(); }
    [[nodiscard]] T *operator->() { return &value(); }

    [[nodiscard]] const Error &error() const { return std::get<Error>(m_data); }

private:
    std::variant<T, Error> m_data;
};

template<>
class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(const Error &error)
        : m_error(error)
        , m_failed(true)
    { }
    Result(Error &&error)
        : m_error(std::move(error))
        , m_failed(true)
    { }

    [[nodiscard]] bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    [[nodiscard]] const Error &error() const { return m_error; }

private:
    Error m_error;
    bool m_failed = false;
};

using Status = Result<void>;

} // namespace rf
