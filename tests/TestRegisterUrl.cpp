// SPDX-License-Identifier: GPL-3.0-or-later
// Naming and opening a register: what a PostgreSQL URL may say, that a
// password never shows in what the program prints, and that opening behaves
// the same on both backends (several programs initialising at once, a
// register from a newer Rightsflow, another program's database).

#include "CliRunner.h"
#include "ScratchRegister.h"

#include "store/ConnectionUrl.h"
#include "store/Migrations.h"
#include "store/SqlStore.h"

#include <QSqlQuery>

#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace rf;

namespace {

// What 'init' reports for a register brought up to this Rightsflow's schema.
const QString kSchemaVersionText = QStringLiteral("schema version %1").arg(Migrator::schemaHistory().constLast().version);

} // namespace

class TestRegisterUrl : public QObject
{
    Q_OBJECT

private slots:
    void parsesEveryPart()
    {
        const Result<PostgresLocation> location = PostgresLocation::parse(
            QStringLiteral("postgresql://ig%40council:s%3Acret@db.council.internal:6543/rightsflow?sslmode=require"));
        QVERIFY2(location.ok(), location ? "" : qPrintable(location.error().message));
        QCOMPARE(location->host, QStringLiteral("db.council.internal"));
        QCOMPARE(location->port, 6543);
        QCOMPARE(location->user, QStringLiteral("ig@council"));
        QCOMPARE(location->password, QStringLiteral("s:cret"));
        QCOMPARE(location->database, QStringLiteral("rightsflow"));
        QVERIFY(location->options.contains(QStringLiteral("sslmode=require")));
        QVERIFY(location->options.contains(QStringLiteral("connect_timeout=10")));
        QCOMPARE(location->display(), QStringLiteral("PostgreSQL register rightsflow on db.council.internal:6543"));
    }

    void defaultsForWhatIsLeftOut()
    {
        const Result<PostgresLocation> location = PostgresLocation::parse(QStringLiteral("postgres://db/rightsflow"));
        QVERIFY(location.ok());
        QCOMPARE(location->port, 5432);
        QVERIFY(location->user.isEmpty());
        QVERIFY(location->password.isEmpty());
    }

    void refusedUrls_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("phrase");
        QTest::addRow("no database") << QStringLiteral("postgresql://ig:hunter2@db:5432/") << QStringLiteral("names no database");
        QTest::addRow("nested path") << QStringLiteral("postgresql://ig:hunter2@db/a/b") << QStringLiteral("names no database");
        QTest::addRow("unknown option") << QStringLiteral("postgresql://ig:hunter2@db/rf?password=x")
                                        << QStringLiteral("unknown option 'password'");
        QTest::addRow("bad port") << QStringLiteral("postgresql://ig:hunter2@db:port/rf")
                                  << QStringLiteral("not a valid PostgreSQL URL");
        // Found by tests/fuzz (register-url): port 0 was taken and failed only
        // when connecting, with libpq's message instead of ours.
        QTest::addRow("port zero") << QStringLiteral("postgresql://ig:hunter2@db:0/rf") << QStringLiteral("port 0");
        QTest::addRow("option smuggling another host")
            << QStringLiteral("postgresql://ig:hunter2@db/rf?application_name=x%20host%3Dnowhere.invalid")
            << QStringLiteral("spaces, quotes or separators");
    }

    void refusedUrls()
    {
        QFETCH(QString, url);
        QFETCH(QString, phrase);
        const Result<PostgresLocation> location = PostgresLocation::parse(url);
        QVERIFY(!location.ok());
        QCOMPARE(location.error().code, ErrorCode::Invalid);
        QVERIFY2(location.error().message.contains(phrase), qPrintable(location.error().message));
        QVERIFY2(!location.error().fullText().contains(QStringLiteral("hunter2")), qPrintable(location.error().fullText()));
    }

    void passwordNeverPrinted_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("password");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("phrase");
        // Nobody listens on port 1: the connection is refused.
        QTest::addRow("server unreachable") << QStringLiteral("postgresql://ig:Tr0ub4dor-unreachable@127.0.0.1:1/rightsflow")
                                            << QStringLiteral("Tr0ub4dor-unreachable") << 6
                                            << QStringLiteral("PostgreSQL register rightsflow on 127.0.0.1:1: cannot connect");
        QTest::addRow("malformed URL") << QStringLiteral("postgresql://ig:Tr0ub4dor-malformed@127.0.0.1:1/")
                                       << QStringLiteral("Tr0ub4dor-malformed") << 2 << QStringLiteral("names no database");
        QTest::addRow("scheme in capitals") << QStringLiteral("PostgreSQL://ig:Tr0ub4dor-caps@127.0.0.1:1/rightsflow")
                                            << QStringLiteral("Tr0ub4dor-caps") << 6 << QStringLiteral("cannot connect");
        // A mistyped URL is not a file path: it must not become folders named after the password.
        QTest::addRow("one slash") << QStringLiteral("postgresql:/ig:Tr0ub4dor-slash@127.0.0.1:1/rightsflow")
                                   << QStringLiteral("Tr0ub4dor-slash") << 2 << QStringLiteral("neither a file path");
        QTest::addRow("another database's URL")
            << QStringLiteral("mysql://ig:Tr0ub4dor-mysql@127.0.0.1/rightsflow") << QStringLiteral("Tr0ub4dor-mysql") << 2
            << QStringLiteral("neither a file path");
        if (test::onPostgres()) {
            // The tests' own server, with a wrong password and with a missing database.
            QUrl wrong(test::postgresServerUrl());
            wrong.setPassword(QStringLiteral("Tr0ub4dor-wrong"));
            QTest::addRow("wrong password") << wrong.toString() << QStringLiteral("Tr0ub4dor-wrong") << 6
                                            << QStringLiteral("password authentication failed");
            QUrl missing(test::postgresServerUrl());
            missing.setPath(QStringLiteral("/no_such_register"));
            QTest::addRow("no such database")
                << missing.toString() << missing.password() << 6 << QStringLiteral("\"no_such_register\" does not exist");
        }
    }

    void passwordNeverPrinted()
    {
        QFETCH(QString, url);
        QFETCH(QString, password);
        QFETCH(int, exitCode);
        QFETCH(QString, phrase);
        // With every log category on, as an administrator chasing a problem would run it.
        const test::ProcessRun run
            = test::runCli({QStringLiteral("request"), QStringLiteral("list"), QStringLiteral("--db"), url},
                {{QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=true")}});
        QVERIFY2(run.finished, qPrintable(run.describe()));
        QCOMPARE(run.exitCode, exitCode);
        QVERIFY2(run.err.contains(phrase), qPrintable(run.describe()));
        QVERIFY2(!run.out.contains(password) && !run.err.contains(password), qPrintable(run.describe()));
    }

    void urlFromTheEnvironment()
    {
        // RIGHTSFLOW_DB names the register as --db does, with the same care.
        const test::ProcessRun run = test::runCli({QStringLiteral("user"), QStringLiteral("list")},
            {{QStringLiteral("RIGHTSFLOW_DB"), QStringLiteral("postgresql://ig:Tr0ub4dor-env@127.0.0.1:1/rightsflow")}});
        QCOMPARE(run.exitCode, 6);
        QVERIFY2(run.err.contains(QStringLiteral("127.0.0.1:1")), qPrintable(run.describe()));
        QVERIFY2(!run.err.contains(QStringLiteral("Tr0ub4dor-env")), qPrintable(run.describe()));
    }

    void pathsThatOnlyLookOddAreStillPaths_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addRow("windows path with an at sign") << QStringLiteral("C:\\Users\\j.smith@council\\reg.sqlite");
        QTest::addRow("folder with a colon and an at sign") << QStringLiteral("/srv/10:30@run/reg.sqlite");
        QTest::addRow("sqlite URL for an odd name") << QStringLiteral("sqlite://backup:2026@night.sqlite");
    }

    void pathsThatOnlyLookOddAreStillPaths()
    {
        // Taken for files (which do not exist here), not refused as URLs.
        QFETCH(QString, path);
        const test::ProcessRun run = test::runCli({QStringLiteral("user"), QStringLiteral("list"), QStringLiteral("--db"), path});
        QCOMPARE(run.exitCode, 3);
        QVERIFY2(run.err.contains(QStringLiteral("no register at")), qPrintable(run.describe()));
    }

    void initAndUseARegisterByUrl()
    {
        // On the PostgreSQL run, a fresh database; on the SQLite run, a file:
        // the same commands either way.
        test::ScratchRegister scratch;
        QVERIFY(scratch.create());
        const QStringList db {QStringLiteral("--db"), scratch.location()};
        const test::ProcessRun init = test::runCli(QStringList {QStringLiteral("init")} + db);
        QVERIFY2(init.exitCode == 0, qPrintable(init.describe()));
        QVERIFY2(init.out.contains(kSchemaVersionText), qPrintable(init.describe()));
        const test::ProcessRun again = test::runCli(QStringList {QStringLiteral("init")} + db);
        QVERIFY2(again.exitCode == 0, qPrintable(again.describe()));
        const test::ProcessRun admin = test::runCli(QStringList {QStringLiteral("user"), QStringLiteral("add"),
                                                        QStringLiteral("ines"), QStringLiteral("--role"), QStringLiteral("admin")}
            + db);
        QVERIFY2(admin.exitCode == 0, qPrintable(admin.describe()));
        const test::ProcessRun users = test::runCli(QStringList {QStringLiteral("user"), QStringLiteral("list")} + db);
        QVERIFY2(users.exitCode == 0 && users.out.contains(QStringLiteral("ines")), qPrintable(users.describe()));
        const QString password = QUrl(scratch.location()).password();
        for (const test::ProcessRun &r : {init, again, admin, users})
            QVERIFY2(password.isEmpty() || (!r.out.contains(password) && !r.err.contains(password)), qPrintable(r.describe()));
    }

    void registerInTheUsersOwnSchema()
    {
        // PostgreSQL 15's usual set-up: no one may create in 'public', each
        // user has a schema of their own, first on the search path.
        if (!test::onPostgres())
            QSKIP("PostgreSQL schemas: this runs in TestRegisterUrl.postgres");
        test::ScratchRegister scratch;
        QVERIFY(scratch.create());
        const QUrl url(scratch.location());
        {
            const QString connection = QStringLiteral("schema-setup");
            {
                QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
                db.setHostName(url.host());
                db.setPort(url.port());
                db.setUserName(url.userName());
                db.setPassword(url.password());
                db.setDatabaseName(url.path().mid(1));
                QVERIFY(db.open());
                QSqlQuery q(db);
                QVERIFY(q.exec(QStringLiteral("CREATE SCHEMA \"%1\"").arg(url.userName())));
                db.close();
            }
            QSqlDatabase::removeDatabase(connection);
        }
        const QStringList db {QStringLiteral("--db"), scratch.location()};
        for (int i = 0; i < 2; ++i) {
            const test::ProcessRun init = test::runCli(QStringList {QStringLiteral("init")} + db);
            QVERIFY2(init.exitCode == 0 && init.out.contains(kSchemaVersionText), qPrintable(init.describe()));
        }
        const test::ProcessRun admin = test::runCli(QStringList {QStringLiteral("user"), QStringLiteral("add"),
                                                        QStringLiteral("ines"), QStringLiteral("--role"), QStringLiteral("admin")}
            + db);
        QVERIFY2(admin.exitCode == 0, qPrintable(admin.describe()));
        const test::ProcessRun verify = test::runCli(QStringList {QStringLiteral("audit"), QStringLiteral("verify")} + db);
        QVERIFY2(verify.exitCode == 0, qPrintable(verify.describe()));
    }

    void demoNeverPrintsThePassword()
    {
        test::ScratchRegister scratch;
        QVERIFY(scratch.create());
        QTemporaryDir bundles;
        const test::ProcessRun run = test::runCli(
            {QStringLiteral("demo"), QStringLiteral("--db"), scratch.location(), QStringLiteral("--bundles"), bundles.path()});
        QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
        QVERIFY2(run.out.contains(QStringLiteral("Look closer")), qPrintable(run.describe()));
        const QString password = QUrl(scratch.location()).password();
        QVERIFY2(password.isEmpty() || (!run.out.contains(password) && !run.err.contains(password)), qPrintable(run.describe()));
    }

    void severalProgramsInitialiseAtOnce()
    {
        // The worker and two desktops after an upgrade: all succeed, the
        // schema is created once.
        test::ScratchRegister scratch;
        QVERIFY(scratch.create());
        if (scratch.dialect() == SqlDialect::Sqlite) {
            // SQLite's file must exist for the others to wait on its lock.
            SqlStore first(scratch.dialect(), scratch.location(), SqlStore::Options {true});
            QVERIFY(first.open().ok());
        }
        QList<QProcess *> processes;
        for (int i = 0; i < 4; ++i) {
            auto *process = new QProcess(this);
            process->setProcessEnvironment(test::cliEnvironment());
            processes << process;
        }
        for (QProcess *process : processes)
            process->start(QStringLiteral(RIGHTSFLOW_CLI), {QStringLiteral("init"), QStringLiteral("--db"), scratch.location()});
        for (QProcess *process : processes) {
            QVERIFY(process->waitForFinished(120000));
            QVERIFY2(process->exitCode() == 0, process->readAllStandardError().constData());
            QVERIFY(process->readAllStandardOutput().contains(kSchemaVersionText.toUtf8()));
        }
        SqlStore store(scratch.dialect(), scratch.location());
        QVERIFY(store.open().ok());
        QCOMPARE(store.schemaVersion(), Migrator::schemaHistory().constLast().version);
        QVERIFY(store.verifyAudit()->intact);
    }

    void newerRegisterIsRefused()
    {
        test::ScratchRegister scratch;
        QVERIFY(scratch.create());
        {
            SqlStore store(scratch.dialect(), scratch.location(), SqlStore::Options {true});
            QVERIFY(store.open().ok());
            QSqlQuery q(QSqlDatabase::database(store.connectionName()));
            QVERIFY(q.exec(QStringLiteral("UPDATE meta SET value = '99' WHERE key = 'schema_version'")));
        }
        const test::ProcessRun run
            = test::runCli({QStringLiteral("user"), QStringLiteral("list"), QStringLiteral("--db"), scratch.location()});
        QCOMPARE(run.exitCode, 7);
        QVERIFY2(run.err.contains(QStringLiteral("schema version 99")), qPrintable(run.describe()));
        QVERIFY2(run.err.contains(QStringLiteral("newer Rightsflow")), qPrintable(run.describe()));
    }

    void anotherProgramsDatabaseIsLeftAlone()
    {
        test::ScratchRegister scratch;
        QVERIFY(scratch.create());
        {
            // Another program's table where the register would be.
            const QString connection = QStringLiteral("other-program");
            {
                QSqlDatabase db;
                if (scratch.dialect() == SqlDialect::Sqlite) {
                    db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
                    db.setDatabaseName(scratch.location());
                } else {
                    const QUrl url(scratch.location());
                    db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
                    db.setHostName(url.host());
                    db.setPort(url.port());
                    db.setUserName(url.userName());
                    db.setPassword(url.password());
                    db.setDatabaseName(url.path().mid(1));
                }
                QVERIFY(db.open());
                QSqlQuery q(db);
                QVERIFY(q.exec(QStringLiteral("CREATE TABLE invoices (id INTEGER, amount INTEGER)")));
                db.close();
            }
            QSqlDatabase::removeDatabase(connection);
        }
        const test::ProcessRun run = test::runCli({QStringLiteral("init"), QStringLiteral("--db"), scratch.location()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("another program")), qPrintable(run.describe()));
        QVERIFY2(run.err.contains(QStringLiteral("left unchanged")), qPrintable(run.describe()));
    }
};

QTEST_GUILESS_MAIN(TestRegisterUrl)
#include "TestRegisterUrl.moc"
