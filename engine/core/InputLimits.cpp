// SPDX-License-Identifier: GPL-3.0-or-later
#include "InputLimits.h"

#include "core/SafeOutput.h"

#include <QFile>
#include <QFileInfo>

namespace rf {

QString describeBytes(qint64 bytes)
{
    if (bytes >= kMiB && bytes % kMiB == 0)
        return QStringLiteral("%1 MiB").arg(bytes / kMiB);
    if (bytes >= kKiB && bytes % kKiB == 0)
        return QStringLiteral("%1 KiB").arg(bytes / kKiB);
    return QStringLiteral("%1 bytes").arg(bytes);
}

Status checkInputSize(qint64 size, InputKind kind, const QString &source)
{
    const InputLimit &limit = inputLimit(kind);
    if (size <= limit.maxBytes)
        return {};
    return makeError(ErrorCode::Invalid,
        QStringLiteral("%1: %2 bytes is more than the %3 (%4 bytes) %5 may hold; this is not such a file, or it must be split")
            .arg(source)
            .arg(size)
            .arg(describeBytes(limit.maxBytes))
            .arg(limit.maxBytes)
            .arg(QLatin1String(limit.name)));
}

Result<QByteArray> readInputFile(const QString &path, InputKind kind)
{
    // A file the program configures itself from, or reads data from, is
    // never a place to write to.
    SafeOutput::protect(path);
    const QString what = QLatin1String(inputLimit(kind).name);
    QFile file(path);
    if (QFileInfo(path).isDir())
        return makeError(ErrorCode::NotFound, QStringLiteral("%1: cannot read %2: it is a directory").arg(path, what));
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::NotFound, QStringLiteral("%1: cannot read %2: %3").arg(path, what, file.errorString()));
    // The size first, so that a huge file is refused without reading it; then
    // at most one byte past the limit, for files whose size is not known in
    // advance (a pipe, a special file) or that grow while being read.
    if (Status s = checkInputSize(file.size(), kind, path); !s)
        return s.error();
    const qint64 limit = maxInputBytes(kind);
    QByteArray content = file.read(limit + 1);
    if (content.size() < limit + 1 && file.error() != QFileDevice::NoError)
        return makeError(ErrorCode::NotFound, QStringLiteral("%1: cannot read %2: %3").arg(path, what, file.errorString()));
    if (content.size() > limit)
        return makeError(ErrorCode::Invalid,
            QStringLiteral("%1: more than the %2 (%3 bytes) %4 may hold; this is not such a file, or it must be split")
                .arg(path, describeBytes(limit))
                .arg(limit)
                .arg(what));
    return content;
}

} // namespace rf
