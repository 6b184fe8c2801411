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

    [[nodiscard]] static bool isPostgresUrl(const QString &location);
    [[nodiscard]] static Result<PostgresLocation> parse(const QString &url);
    // "PostgreSQL register rightsflow on db.council.internal:5432": no user, no password.
    [[nodiscard]] QString display() const;
};

} // namespace rf
