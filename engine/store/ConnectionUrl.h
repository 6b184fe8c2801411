// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QString>
#include <QStringList>

namespace rf {

// Where a PostgreSQL register is, from a URL such as
//   postgresql://officer:secret@db.council.internal:5432/rightsflow?sslmode=require
// The password is kept for connecting and never shown: display() is what
// messages and logs use.
struct PostgresLocation {
    QString host = QStringLiteral("localhost");
    int port = 5432;
    QString database;
    QString user;
    QString password;
    // libpq connection parameters from the URL's query (sslmode=require, ...),
    // in the "key=value;key=value" form Qt's PostgreSQL driver takes.
    QStringList options;

    // postgresql:// or postgres://, in any case.
    [[nodiscard]] static bool isPostgresUrl(const QString &location);
    // Something written as a URL ("scheme:" then more, or "user:secret@host"),
    // which must never be taken for a file path: it may carry a password.
    [[nodiscard]] static bool looksLikeUrl(const QString &location);
    // The location as messages may show it: a PostgreSQL URL without its
    // password, anything URL-like reduced to its scheme, a path as it is.
    [[nodiscard]] static QString redacted(const QString &location);
    [[nodiscard]] static Result<PostgresLocation> parse(const QString &url);
    // "PostgreSQL register rightsflow on db.council.internal:5432": no user, no password.
    [[nodiscard]] QString display() const;
};

} // namespace rf
