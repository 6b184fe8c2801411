// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The register a test runs against. ctest runs each engine suite twice: once
// on SQLite and once on the private PostgreSQL server that the 'postgres'
// test fixture starts (tests/pg/pg-instance), which it names in the file
// RIGHTSFLOW_TEST_PG_STATE. Each ScratchRegister is a fresh SQLite file or a
// fresh PostgreSQL database, dropped when the test is done.

#include "store/Migrations.h"

#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>
#include <QUuid>
#include <QtDebug>

namespace rf::test {

inline bool onPostgres()
{
    return !qEnvironmentVariable("RIGHTSFLOW_TEST_PG_STATE").isEmpty();
}

// The URL of the test server's maintenance database, or empty with a warning.
inline QString postgresServerUrl()
{
    QFile state(qEnvironmentVariable("RIGHTSFLOW_TEST_PG_STATE"));
    if (!state.open(QIODevice::ReadOnly)) {
        qWarning("the PostgreSQL test server is not running: no state file %s (the ctest fixture 'postgres' starts it)",
            qPrintable(state.fileName()));
        return {};
    }
    for (const QByteArray &line : state.readAll().split('\n')) {
        if (line.startsWith("url="))
            return QString::fromUtf8(line.mid(4));
    }
    qWarning("the PostgreSQL test server's state file %s names no URL", qPrintable(state.fileName()));
    return {};
}

// Runs one statement on a register or database directly, as a program that
// goes round the engine would: `location` is a SQLite file or a
// postgresql:// URL. The database's complaint goes to `error`, or is warned.
inline bool execDirect(const QString &location, SqlDialect dialect, const QString &statement, QString *error = nullptr)
{
    const QString connection = QStringLiteral("test-direct-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    bool ok = false;
    QString problem;
    {
        QSqlDatabase db;
        if (dialect == SqlDialect::Sqlite) {
            db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
            db.setDatabaseName(location);
        } else {
            const QUrl url(location);
            db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
            db.setHostName(url.host());
            db.setPort(url.port());
            db.setUserName(url.userName());
            db.setPassword(url.password());
            db.setDatabaseName(url.path().mid(1));
        }
        if (db.open()) {
            QSqlQuery query(db);
            ok = query.exec(statement);
            if (!ok)
                problem = statement + QStringLiteral(": ") + query.lastError().text();
        } else {
            problem = QStringLiteral("cannot reach the database: ") + db.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    if (!ok) {
        if (error)
            *error = problem;
        else
            qWarning().noquote() << problem;
    }
    return ok;
}

// Runs one statement on the test server's maintenance database.
inline bool postgresAdmin(const QString &statement)
{
    const QString url = postgresServerUrl();
    return !url.isEmpty() && execDirect(url, SqlDialect::Postgres, statement);
}

class ScratchRegister
{
public:
    ScratchRegister() = default;
    ScratchRegister(const ScratchRegister &) = delete;
    ScratchRegister &operator=(const ScratchRegister &) = delete;
    ~ScratchRegister() { drop(); }

    // Makes a new, empty register location: a file path or a database URL.
    bool create()
    {
        if (!m_dir.isValid())
            return false;
        if (!onPostgres()) {
            m_location = m_dir.filePath(QStringLiteral("register.sqlite"));
            return true;
        }
        QUrl url(postgresServerUrl());
        if (!url.isValid())
            return false;
        m_database = QStringLiteral("rf_") + QUuid::createUuid().toString(QUuid::Id128);
        if (!postgresAdmin(QStringLiteral("CREATE DATABASE %1").arg(m_database)))
            return false;
        url.setPath(QLatin1Char('/') + m_database);
        m_location = url.toString();
        return true;
    }

    // Drops the database (its connections are closed by force).
    void drop()
    {
        if (!m_database.isEmpty())
            postgresAdmin(QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(m_database));
        m_database.clear();
    }

    [[nodiscard]] const QString &location() const { return m_location; }
    [[nodiscard]] SqlDialect dialect() const { return onPostgres() ? SqlDialect::Postgres : SqlDialect::Sqlite; }
    // A folder for the test's other files (attachments, exports, drops).
    [[nodiscard]] QString filePath(const QString &name) const { return m_dir.filePath(name); }

private:
    QTemporaryDir m_dir;
    QString m_location;
    QString m_database;
};

} // namespace rf::test
