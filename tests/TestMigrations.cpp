// SPDX-License-Identifier: GPL-3.0-or-later
// Schema migrations: cumulative steps in one transaction; older registers
// upgrade, newer ones are refused, a failed step changes nothing.

#include "TestSupport.h"

#include "store/Migrations.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

using namespace rf;

namespace {

// A raw connection to a SQLite file for setting up and inspecting registers.
class RawDb
{
public:
    explicit RawDb(const QString &path)
        : m_name(QUuid::createUuid().toString())
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        db.open();
    }
    ~RawDb()
    {
        QSqlDatabase::database(m_name, false).close();
        QSqlDatabase::removeDatabase(m_name);
    }
    [[nodiscard]] const QString &name() const { return m_name; }
    [[nodiscard]] QStringList tables() const { return QSqlDatabase::database(m_name).tables(); }
    bool exec(const QString &statement)
    {
        QSqlQuery q(QSqlDatabase::database(m_name));
        return q.exec(statement);
    }
    QString value(const QString &statement)
    {
        QSqlQuery q(QSqlDatabase::database(m_name));
        return q.exec(statement) && q.next() ? q.value(0).toString() : QString();
    }

private:
    QString m_name;
};

const Migration kStep1 {1, QStringLiteral("base"),
    {QStringLiteral("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
        QStringLiteral("CREATE TABLE things (id %ID%, name TEXT NOT NULL)")}};
const Migration kStep2 {2, QStringLiteral("colours"),
    {QStringLiteral("ALTER TABLE things ADD COLUMN colour TEXT NOT NULL DEFAULT 'red'"),
        QStringLiteral("CREATE TABLE blobs (id %ID%, content %BLOB%)")}};
const Migration kBrokenStep3 {
    3, QStringLiteral("broken"), {QStringLiteral("CREATE TABLE half_done (id %ID%)"), QStringLiteral("THIS IS NOT SQL")}};

} // namespace

class TestMigrations : public QObject
{
    Q_OBJECT

private slots:
    void freshRegisterIsAtTheLatestVersion()
    {
        QTemporaryDir dir;
        SqlStore store(SqlDialect::Sqlite, dir.filePath(QStringLiteral("r.sqlite")), SqlStore::Options {true});
        QVERIFY(store.open().ok());
        QCOMPARE(store.schemaVersion(), Migrator::schemaHistory().constLast().version);
        // Opening again is a no-op, not a second migration.
        SqlStore again(SqlDialect::Sqlite, dir.filePath(QStringLiteral("r.sqlite")));
        QVERIFY(again.open().ok());
        QCOMPARE(again.schemaVersion(), store.schemaVersion());
    }

    void registerIsDurable()
    {
        QTemporaryDir dir;
        SqlStore store(SqlDialect::Sqlite, dir.filePath(QStringLiteral("r.sqlite")), SqlStore::Options {true});
        QVERIFY(store.open().ok());
        QSqlQuery q(QSqlDatabase::database(store.connectionName()));
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
        QVERIFY(q.exec(QStringLiteral("PRAGMA synchronous")) && q.next());
        QCOMPARE(q.value(0).toInt(), 2); // FULL
        QVERIFY(q.exec(QStringLiteral("PRAGMA foreign_keys")) && q.next());
        QCOMPARE(q.value(0).toInt(), 1);
    }

    void missingRegisterIsNotCreatedByAccident()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("typo.sqlite"));
        SqlStore store(SqlDialect::Sqlite, path);
        Status s = store.open();
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::NotFound);
        QVERIFY(s.error().message.contains(QStringLiteral("rightsflow init")));
        QVERIFY(!QFile::exists(path));
    }

    void olderRegisterUpgrades()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("r.sqlite"));
        RawDb db(path);
        QCOMPARE(*Migrator(db.name(), SqlDialect::Sqlite, {kStep1}).migrate(), 1);
        QVERIFY(db.exec(QStringLiteral("INSERT INTO things (name) VALUES ('kept')")));
        Migrator upgrade(db.name(), SqlDialect::Sqlite, {kStep1, kStep2});
        QCOMPARE(*upgrade.currentVersion(), 1);
        Result<int> result = upgrade.migrate();
        QVERIFY(result.ok());
        QCOMPARE(*result, 2);
        QCOMPARE(db.value(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'")), QStringLiteral("2"));
        QCOMPARE(db.value(QStringLiteral("SELECT name || ':' || colour FROM things")), QStringLiteral("kept:red"));
        QVERIFY(db.tables().contains(QStringLiteral("blobs")));
    }

    void failedStepChangesNothing()
    {
        QTemporaryDir dir;
        RawDb db(dir.filePath(QStringLiteral("r.sqlite")));
        QCOMPARE(*Migrator(db.name(), SqlDialect::Sqlite, {kStep1}).migrate(), 1);
        // Steps 2 and 3 run in one transaction: step 3 fails, so step 2 must not stick either.
        Result<int> result = Migrator(db.name(), SqlDialect::Sqlite, {kStep1, kStep2, kBrokenStep3}).migrate();
        QVERIFY(!result.ok());
        QVERIFY(result.error().message.contains(QStringLiteral("version 3")));
        QVERIFY(result.error().message.contains(QStringLiteral("nothing was changed")));
        QCOMPARE(db.value(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'")), QStringLiteral("1"));
        QVERIFY(!db.tables().contains(QStringLiteral("half_done")));
        QVERIFY(!db.tables().contains(QStringLiteral("blobs")));
        QVERIFY(!db.exec(QStringLiteral("SELECT colour FROM things")));
    }

    void newerRegisterIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("r.sqlite"));
        {
            SqlStore store(SqlDialect::Sqlite, path, SqlStore::Options {true});
            QVERIFY(store.open().ok());
        }
        {
            RawDb db(path);
            QVERIFY(db.exec(QStringLiteral("UPDATE meta SET value = '99' WHERE key = 'schema_version'")));
        }
        SqlStore store(SqlDialect::Sqlite, path);
        Status s = store.open();
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::Unsupported);
        QVERIFY(s.error().message.contains(QStringLiteral("99")));
        QVERIFY(s.error().message.contains(QStringLiteral("newer Rightsflow")));
        RawDb db(path);
        QCOMPARE(db.value(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'")), QStringLiteral("99"));
    }

    void notARegisterIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("junk.sqlite"));
        QFile junk(path);
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write(QByteArray(4096, 'x'));
        junk.close();
        SqlStore store(SqlDialect::Sqlite, path);
        Status s = store.open();
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::Storage);
        QVERIFY(s.error().message.contains(path));
        QVERIFY(s.error().message.contains(QStringLiteral("not an SQLite database")));
    }

    void anotherProgramsDatabaseIsLeftAlone()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("other-app.sqlite"));
        {
            RawDb db(path);
            QVERIFY(db.exec(QStringLiteral("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")));
        }
        for (const bool create : {false, true}) {
            SqlStore store(SqlDialect::Sqlite, path, SqlStore::Options {create});
            Status s = store.open();
            QVERIFY(!s.ok());
            QCOMPARE(s.error().code, ErrorCode::Invalid);
            QVERIFY(s.error().message.contains(QStringLiteral("another program")));
        }
        RawDb db(path);
        QCOMPARE(db.tables(), QStringList {QStringLiteral("customers")});
        QCOMPARE(db.value(QStringLiteral("PRAGMA journal_mode")), QStringLiteral("delete"));
    }

    void emptyFileBecomesARegisterOnlyOnInit()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("empty.sqlite"));
        QFile empty(path);
        QVERIFY(empty.open(QIODevice::WriteOnly));
        empty.close();
        SqlStore reader(SqlDialect::Sqlite, path);
        Status s = reader.open();
        QCOMPARE(s.error().code, ErrorCode::NotFound);
        QVERIFY(s.error().message.contains(QStringLiteral("rightsflow init")));
        SqlStore init(SqlDialect::Sqlite, path, SqlStore::Options {true});
        QVERIFY(init.open().ok());
        QCOMPARE(init.schemaVersion(), Migrator::schemaHistory().constLast().version);
    }

    void dialectPlaceholders()
    {
        QCOMPARE(Migrator::applyDialect(QStringLiteral("CREATE TABLE t (id %ID%, b %BLOB%)"), SqlDialect::Sqlite),
            QStringLiteral("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)"));
        const QString pg = Migrator::applyDialect(QStringLiteral("CREATE TABLE t (id %ID%, b %BLOB%)"), SqlDialect::Postgres);
        QVERIFY(pg.contains(QStringLiteral("GENERATED BY DEFAULT AS IDENTITY")));
        QVERIFY(pg.contains(QStringLiteral("BYTEA")));
    }
};

QTEST_GUILESS_MAIN(TestMigrations)
#include "TestMigrations.moc"
