// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The largest file Rightsflow accepts of each kind it reads, in one table, and
// the one reader that enforces them: it looks at the size before reading and
// never reads more than the limit and one byte, so that a mistaken or hostile
// file (a 4 GB "calendar") is refused at once instead of filling memory. The
// limits are far above any real file of the kind and are documented in the
// README; the JSON parsers check the same limits on bytes that reach them
// another way (a register's stored copy, a face that uploads them).

#include "core/Result.h"

#include <QByteArray>
#include <QString>

#include <array>

namespace rf {

enum class InputKind {
    WorkflowDefinition,
    Calendar,
    DeadlineRules,
    ProcessingRegister,
    Exemptions,
    Records,
    NoticeTemplate,
    Manifest,
};

struct InputLimit {
    InputKind kind;
    const char *name; // "a workflow definition", for messages
    qint64 maxBytes;
};

inline constexpr qint64 kKiB = 1024;
inline constexpr qint64 kMiB = 1024 * kKiB;

// Shipped files are 1/20 or less of these: a workflow is about 25 KB, the
// calendar 50 KB, the example processing register 11 KB.
inline constexpr std::array<InputLimit, 8> kInputLimits {{
    {InputKind::WorkflowDefinition, "a workflow definition", 1 * kMiB},
    {InputKind::Calendar, "a bank holidays file", 1 * kMiB},
    {InputKind::DeadlineRules, "a deadline rules file", 256 * kKiB},
    {InputKind::ProcessingRegister, "a processing register", 4 * kMiB},
    {InputKind::Exemptions, "an exemption list", 1 * kMiB},
    // Records are parsed whole; documents stream and are not limited here.
    {InputKind::Records, "a records file", 64 * kMiB},
    {InputKind::NoticeTemplate, "a notice template", 256 * kKiB},
    {InputKind::Manifest, "a bundle manifest", 64 * kMiB},
}};

[[nodiscard]] constexpr const InputLimit &inputLimit(InputKind kind)
{
    for (const InputLimit &limit : kInputLimits) {
        if (limit.kind == kind)
            return limit;
    }
    return kInputLimits.front(); // unreachable: every kind is in the table
}

[[nodiscard]] constexpr qint64 maxInputBytes(InputKind kind)
{
    return inputLimit(kind).maxBytes;
}

// "1 MiB", "256 KiB": a limit as a person reads it.
[[nodiscard]] QString describeBytes(qint64 bytes);

// "SOURCE: N bytes is more than the 1 MiB (1048576 bytes) a KIND may hold",
// or nothing when `size` is within the limit.
[[nodiscard]] Status checkInputSize(qint64 size, InputKind kind, const QString &source);

// The whole file at `path`, refused with NotFound when it cannot be read and
// with Invalid when it is larger than its kind may be, without reading more
// than the limit and one byte.
[[nodiscard]] Result<QByteArray> readInputFile(const QString &path, InputKind kind);

} // namespace rf
