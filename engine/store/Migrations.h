// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace rf {

enum class SqlDialect { Sqlite, Postgres };

// One step of the register's schema history. Statements may use the
// placeholders %ID% (an auto-numbered primary key column type) and %BLOB%,
// which each dialect fills in.
struct Migration {
    int version = 0;
    QString description;
    QStringList statements;
};

// Brings a register's schema up to the newest version in one transaction:
// every step after the stored version runs, or none does. A register written
// by a newer Rightsflow (a version above the newest known) is refused.
class Migrator
{
public:
    Migrator(QString connectionName, SqlDialect dialect, QList<Migration> steps = schemaHistory());

    [[nodiscard]] Result<int> migrate();
    [[nodiscard]] Result<int> currentVersion() const;
    [[nodiscard]] int latestVersion() const;

    // Rightsflow's schema, oldest step first.
    [[nodiscard]] static QList<Migration> schemaHistory();
    [[nodiscard]] static QString applyDialect(QString statement, SqlDialect dialect);

private:
    QString m_connection;
    SqlDialect m_dialect;
    QList<Migration> m_steps;
};

} // namespace rf
