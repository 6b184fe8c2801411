// SPDX-License-Identifier: GPL-3.0-or-later
//
// bench_register: the figures behind Rightsflow's performance claims for the
// register, on SQLite and on PostgreSQL. It times what an officer feels:
// firing an action (a state change, its audit event and its queued message,
// one durable transaction each) against a bare insert with the same
// durability, the same actions from 1, 2 and 8 concurrent writers, and
// listing a page of a register of a million requests through the engine's
// own query. It prints each figure beside its target and asserts nothing
// (STYLE.md, habit 12): timings depend on the machine, so a reader judges them.
//
// The PostgreSQL figures come from a private server the benchmark starts with
// tests/pg/pg-instance and stops when it ends, or from --pg-url.

#include "BenchSupport.h"
#include "PostgresServer.h"
#include "Staff.h"
#include "core/Clock.h"
#include "store/ConnectionUrl.h"
#include "store/SqlStore.h"
#include "workflow/Engine.h"
#include "workflow/WorkflowLoader.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlField>
#include <QSqlQuery>
#include <QStorageInfo>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>
#include <QTimeZone>
#include <QUrl>
#include <QUuid>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iterator>
#include <latch>
#include <numeric>
#include <optional>
#include <thread>
#include <vector>

using namespace rf;
using namespace rf::bench;

namespace {

constexpr int kListRuns = 7;
constexpr int kLoadBatch = 50000;
constexpr int kPostgresRowsPerInsert = 1000; // 19 values a row: well under PostgreSQL's 65535 parameters
constexpr double kEngineCostTarget = 2.0;
constexpr double kListTargetMs = 50.0;
constexpr qint64 kDayMs = 24 * 3600 * 1000;
constexpr int kWriterCounts[] = {1, 2, 8};
constexpr int kFireAttempts = 10; // a writer that keeps losing races gives up and reports it
constexpr int kBlock = 25; // actions, then as many bare inserts, in turn

double msSince(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) / 1e6;
}

double median(QList<double> values)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype mid = values.size() / 2;
    return values.size() % 2 ? values.at(mid) : (values.at(mid - 1) + values.at(mid)) / 2;
}

double percentile(QList<double> values, double fraction)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto rank = qsizetype(std::ceil(fraction * double(values.size())));
    return values.at(qBound<qsizetype>(0, rank - 1, values.size() - 1));
}

QString workflowsDir()
{
    return QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/workflows");
}

QString dialectName(SqlDialect dialect)
{
    return dialect == SqlDialect::Sqlite ? QStringLiteral("SQLite") : QStringLiteral("PostgreSQL");
}

// A named Qt Sql connection held for one bench step and removed after it, so
// no QSqlDatabase outlives the step. Declare it before any QSqlQuery on it.
class Connection
{
public:
    explicit Connection(QString name)
        : m_name(std::move(name))
    { }
    ~Connection()
    {
        if (QSqlDatabase::contains(m_name)) {
            {
                QSqlDatabase db = QSqlDatabase::database(m_name, false);
                db.close();
            }
            QSqlDatabase::removeDatabase(m_name);
        }
    }
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    [[nodiscard]] Status open(const QString &file)
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(file);
        if (!db.open())
            return makeError(ErrorCode::Storage, QStringLiteral("cannot open %1: %2").arg(file, db.lastError().text()));
        return {};
    }

    // Messages name the database, host and port, never the URL: it carries the password.
    [[nodiscard]] Status openPostgres(const QString &url)
    {
        Result<PostgresLocation> location = PostgresLocation::parse(url);
        if (!location)
            return location.error();
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_name);
        db.setHostName(location->host);
        db.setPort(location->port);
        db.setDatabaseName(location->database);
        db.setUserName(location->user);
        db.setPassword(location->password);
        db.setConnectOptions(location->options.join(QLatin1Char(';')));
        if (!db.open())
            return makeError(ErrorCode::Storage,
                QStringLiteral("cannot connect to PostgreSQL database %1 on %2:%3: %4")
                    .arg(location->database, location->host)
                    .arg(location->port)
                    .arg(db.lastError().text().trimmed()));
        return {};
    }

    [[nodiscard]] QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }

    [[nodiscard]] Result<QSqlQuery> exec(const QString &sql, const QVariantList &values = {}) const
    {
        QSqlQuery query(db());
        query.setForwardOnly(true);
        if (!query.prepare(sql))
            return makeError(ErrorCode::Storage, QStringLiteral("cannot prepare '%1': %2").arg(sql, query.lastError().text()));
        for (const QVariant &value : values)
            query.addBindValue(value);
        if (!query.exec())
            return makeError(ErrorCode::Storage, QStringLiteral("'%1' failed: %2").arg(sql, query.lastError().text()));
        return query;
    }

    // A statement run as it is, unprepared: PostgreSQL cannot PREPARE
    // transaction control, CREATE DATABASE, VACUUM, SET or EXPLAIN.
    [[nodiscard]] Result<QSqlQuery> run(const QString &sql) const
    {
        QSqlQuery query(db());
        query.setForwardOnly(true);
        if (!query.exec(sql))
            return makeError(
                ErrorCode::Storage, QStringLiteral("'%1' failed: %2").arg(sql.left(200), query.lastError().text().trimmed()));
        return query;
    }

    [[nodiscard]] Result<QVariant> scalar(const QString &sql, const QVariantList &values = {}) const
    {
        Result<QSqlQuery> query = exec(sql, values);
        if (!query)
            return query.error();
        if (!query->next())
            return makeError(ErrorCode::Storage, QStringLiteral("'%1' returned no row").arg(sql));
        return query->value(0);
    }

private:
    QString m_name;
};

QString uniqueName(const QString &prefix)
{
    return prefix + QUuid::createUuid().toString(QUuid::Id128).left(12);
}

// Runs one statement on the server's maintenance database, on a connection
// of its own.
Status postgresAdmin(const QString &serverUrl, const QString &statement)
{
    Connection admin(uniqueName(QStringLiteral("bench-pg-admin-")));
    if (Status s = admin.openPostgres(serverUrl); !s)
        return s;
    if (Result<QSqlQuery> q = admin.run(statement); !q)
        return q.error();
    return {};
}

// A database of its own on the PostgreSQL server for one part of the run,
// dropped when done; WITH (FORCE) also ends a connection a failure left open.
class ScratchDatabase
{
public:
    ScratchDatabase(QString serverUrl, QString purpose)
        : m_serverUrl(std::move(serverUrl))
        , m_purpose(std::move(purpose))
    { }
    ~ScratchDatabase() { drop(); }
    ScratchDatabase(const ScratchDatabase &) = delete;
    ScratchDatabase &operator=(const ScratchDatabase &) = delete;

    [[nodiscard]] Status create()
    {
        const QString name = uniqueName(QStringLiteral("rf_bench_%1_").arg(m_purpose));
        if (Status s = postgresAdmin(m_serverUrl, QStringLiteral("CREATE DATABASE %1").arg(name)); !s)
            return s;
        m_name = name;
        QUrl url(m_serverUrl);
        url.setPath(QLatin1Char('/') + m_name);
        m_url = url.toString();
        return {};
    }

    void drop()
    {
        if (m_name.isEmpty())
            return;
        if (Status s = postgresAdmin(m_serverUrl, QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(m_name)); !s)
            err() << QStringLiteral("bench_register: could not drop the scratch database %1: %2").arg(m_name, s.error().message)
                  << Qt::endl;
        m_name.clear();
        m_url.clear();
    }

    // Carries the password: never print it.
    [[nodiscard]] const QString &url() const { return m_url; }

private:
    QString m_serverUrl;
    QString m_purpose;
    QString m_name;
    QString m_url;
};

// The value of an SQLite setting on a connection, read back rather than assumed.
Result<QVariant> pragma(const QSqlDatabase &db, const QString &name)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("PRAGMA ") + name) || !query.next())
        return makeError(ErrorCode::Storage, QStringLiteral("cannot read %1: %2").arg(name, query.lastError().text()));
    return query.value(0);
}

// The durability a connection actually runs with.
Result<QString> durabilityOf(const QSqlDatabase &db)
{
    Result<QVariant> journal = pragma(db, QStringLiteral("journal_mode"));
    if (!journal)
        return journal.error();
    const QString mode = journal->toString();
    Result<QVariant> synchronous = pragma(db, QStringLiteral("synchronous"));
    if (!synchronous)
        return synchronous.error();
    static const QStringList levels {
        QStringLiteral("OFF"), QStringLiteral("NORMAL"), QStringLiteral("FULL"), QStringLiteral("EXTRA")};
    const int level = synchronous->toInt();
    return QStringLiteral("journal_mode=%1, synchronous=%2")
        .arg(mode, level >= 0 && level < levels.size() ? levels.at(level) : QString::number(level));
}

// A server setting read back from the server; empty when this user may not
// read it (data_directory needs a privileged role).
QString postgresSetting(const Connection &connection, const QString &name)
{
    QSqlQuery query(connection.db());
    query.setForwardOnly(true);
    if (!query.prepare(QStringLiteral("SELECT current_setting(?)")))
        return {};
    query.addBindValue(name);
    return query.exec() && query.next() ? query.value(0).toString() : QString();
}

// "name=value, ..." for the given settings.
QString postgresSettings(const Connection &connection, const QStringList &names)
{
    QStringList parts;
    for (const QString &name : names) {
        const QString value = postgresSetting(connection, name);
        parts << name + QLatin1Char('=') + (value.isEmpty() ? QStringLiteral("?") : value);
    }
    return parts.join(QStringLiteral(", "));
}

// What a PostgreSQL commit pays for, as SQLite's journal_mode and synchronous are.
QString postgresDurability(const Connection &connection)
{
    return postgresSettings(connection,
        {QStringLiteral("fsync"), QStringLiteral("synchronous_commit"), QStringLiteral("wal_sync_method"),
            QStringLiteral("full_page_writes")});
}

// --- machine context -------------------------------------------------------------

Result<QString> sqliteVersion()
{
    Connection connection(QStringLiteral("bench-version"));
    if (Status s = connection.open(QStringLiteral(":memory:")); !s)
        return s.error();
    Result<QVariant> version = connection.scalar(QStringLiteral("SELECT sqlite_version()"));
    if (!version)
        return version.error();
    return version->toString();
}

QString fileSystemOf(const QString &directory)
{
    const QStorageInfo storage(directory);
    if (!storage.isValid())
        return QStringLiteral("(not visible from this machine)");
    return QStringLiteral("%1 on %2").arg(QString::fromUtf8(storage.fileSystemType()), QString::fromUtf8(storage.device()));
}

// Where the PostgreSQL figures come from; empty serverUrl when they are skipped.
struct PostgresSource {
    QString serverUrl; // the maintenance database (carries the password)
    bool startedHere = false;
};

Status printPostgres(const PostgresSource &source)
{
    Result<PostgresLocation> location = PostgresLocation::parse(source.serverUrl);
    if (!location)
        return location.error();
    Connection connection(QStringLiteral("bench-pg-context"));
    if (Status s = connection.openPostgres(source.serverUrl); !s)
        return s;
    Result<QVariant> version = connection.scalar(QStringLiteral("SELECT current_setting('server_version')"));
    if (!version)
        return version.error();
    figure(QStringLiteral("PostgreSQL server"),
        QStringLiteral("%1 on %2:%3, %4")
            .arg(version->toString(), location->host)
            .arg(location->port)
            .arg(source.startedHere ? QStringLiteral("started for this run by tests/pg/pg-instance")
                                    : QStringLiteral("given with --pg-url")));
    figure(QStringLiteral("PostgreSQL durability (read back from the server)"), postgresDurability(connection));
    figure(QStringLiteral("PostgreSQL memory settings"),
        postgresSettings(
            connection, {QStringLiteral("shared_buffers"), QStringLiteral("work_mem"), QStringLiteral("effective_cache_size")}));
    const QString dataDirectory = postgresSetting(connection, QStringLiteral("data_directory"));
    if (dataDirectory.isEmpty()) {
        figure(QStringLiteral("PostgreSQL data directory"), QStringLiteral("(not readable by this database user)"));
    } else {
        figure(QStringLiteral("PostgreSQL data directory"), QDir::toNativeSeparators(dataDirectory));
        // The data directory is only on this machine's disks when the server is.
        const bool local = location->host == QLatin1String("127.0.0.1") || location->host == QLatin1String("localhost")
            || location->host == QLatin1String("::1");
        figure(QStringLiteral("its file system"),
            local ? fileSystemOf(dataDirectory) : QStringLiteral("(on the server's machine, %1)").arg(location->host));
    }
    return {};
}

Status printMachine(const QString &directory, const PostgresSource &postgres)
{
    heading(QStringLiteral("== machine =="));
    figure(QStringLiteral("CPU"), cpuModel());
    figure(QStringLiteral("cores (logical)"), QString::number(QThread::idealThreadCount()));
    figure(QStringLiteral("load average at the start"), loadAverage());
    Result<QString> sqlite = sqliteVersion();
    if (!sqlite)
        return sqlite.error();
    figure(QStringLiteral("SQLite version (Qt QSQLITE driver)"), *sqlite);
    figure(QStringLiteral("Qt version"), QString::fromLatin1(qVersion()));
    figure(QStringLiteral("compiler"), compilerName());
    const QString buildType = QStringLiteral(RIGHTSFLOW_BUILD_TYPE);
    figure(QStringLiteral("build type"), buildType.isEmpty() ? QStringLiteral("(none set)") : buildType);
    // fsync is what synchronous=FULL pays for; on tmpfs it costs nothing and
    // the durable-commit figures mean little.
    figure(QStringLiteral("register directory"), QDir::toNativeSeparators(directory));
    figure(QStringLiteral("its file system"), fileSystemOf(directory));
    if (postgres.serverUrl.isEmpty()) {
        figure(QStringLiteral("PostgreSQL"), QStringLiteral("skipped (--no-postgres)"));
        return {};
    }
    return printPostgres(postgres);
}

// --- 1. engine actions -------------------------------------------------------------

struct Rate {
    double perSecond = 0;
    double meanMs = 0;
    double medianMs = 0;
    double p95Ms = 0;
};

Rate rateOf(const QList<double> &samplesMs, double totalMs)
{
    Rate rate;
    if (samplesMs.isEmpty() || totalMs <= 0)
        return rate;
    rate.perSecond = double(samplesMs.size()) * 1000.0 / totalMs;
    rate.meanMs = totalMs / double(samplesMs.size());
    rate.medianMs = median(samplesMs);
    rate.p95Ms = percentile(samplesMs, 0.95);
    return rate;
}

// The size a WAL file reaches before SQLite checkpoints it and starts writing
// it again from the top. Until then every commit also grows the file, which
// makes each fsync carry a file-system journal commit: timing a fresh file
// measures its growth, not the steady cost of a commit.
Result<qint64> walSteadySize(const QSqlDatabase &db)
{
    Result<QVariant> pageSizeValue = pragma(db, QStringLiteral("page_size"));
    if (!pageSizeValue)
        return pageSizeValue.error();
    Result<QVariant> pagesValue = pragma(db, QStringLiteral("wal_autocheckpoint"));
    if (!pagesValue)
        return pagesValue.error();
    const qint64 pageSize = pageSizeValue->toLongLong();
    const qint64 pages = pagesValue->toLongLong();
    return 32 + pages * (pageSize + 24); // WAL header, then one 24-byte frame header per page
}

qint64 walSize(const QString &file)
{
    return QFileInfo(file + QStringLiteral("-wal")).size();
}

// A new access request, as an officer would key it in.
Result<QString> fileAccessRequest(Engine &engine, qsizetype i)
{
    IntakeForm form;
    form.right = QStringLiteral("access");
    form.channel = QStringLiteral("email");
    form.requester = Person {QStringLiteral("Requester %1").arg(i), QStringLiteral("requester%1@example.org").arg(i), {}, {},
        QStringLiteral("L20 7AB")};
    form.scope = QStringLiteral("Everything the council holds about me");
    form.assignee = i % 2 ? QStringLiteral("alice") : QStringLiteral("bilal");
    Result<FiledRequest> filed = engine.fileRequest(form, QStringLiteral("root"));
    if (!filed)
        return filed.error();
    return filed->request.reference;
}

// The action timed: "acknowledge" moves received -> checking and notifies
// the requester, a request update, an audit event and an outbox message in
// one commit.
Result<FireOutcome> acknowledgeOnce(Engine &engine, const QString &reference)
{
    const QString action = QStringLiteral("acknowledge");
    Result<FireOutcome> outcome = engine.fire(reference, action, QStringLiteral("alice"), {}, QString());
    if (!outcome)
        return outcome;
    if (outcome->queued.size() != 1 || outcome->request.state != QLatin1String("checking"))
        return makeError(ErrorCode::Invalid,
            QStringLiteral("'%1' on %2 did not move to checking with one queued message").arg(action, reference));
    return outcome;
}

Status acknowledge(Engine &engine, const QString &reference)
{
    if (Result<FireOutcome> outcome = acknowledgeOnce(engine, reference); !outcome)
        return outcome.error();
    return {};
}

// How long the disk takes to make 8 kB durable (write + fdatasync), now.
// Every durable commit waits for one such flush, and on a shared or virtual
// disk it drifts from a tenth of a millisecond to several within minutes, so
// each timed run is printed beside the flush time measured just before it.
Result<double> flushProbe(const QString &directory)
{
    QFile file(QDir(directory).filePath(QStringLiteral("bench-flush-probe")));
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return makeError(ErrorCode::Storage, QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
    const QByteArray page(8192, 'x');
    QList<double> samples;
    for (int i = 0; i < 21; ++i) {
        QElapsedTimer timer;
        timer.start();
        if (!file.seek(0) || file.write(page) != page.size() || !file.flush() || ::fdatasync(file.handle()) != 0)
            return makeError(ErrorCode::Storage, QStringLiteral("cannot flush %1").arg(file.fileName()));
        samples << msSince(timer);
    }
    file.close();
    file.remove();
    return median(samples);
}

struct ActionFigures {
    Rate engine;
    Rate bare;
};

// A new register with the shipped workflows, the IG team and an engine on
// the system clock.
struct BenchEngine {
    std::unique_ptr<SqlStore> store;
    WorkflowLibrary library;
    SystemClock clock;
    std::unique_ptr<Engine> engine;

    static Result<std::unique_ptr<BenchEngine>> open(SqlDialect dialect, const QString &location)
    {
        auto bench = std::make_unique<BenchEngine>();
        bench->store = std::make_unique<SqlStore>(dialect, location, SqlStore::Options {true});
        if (Status s = bench->store->open(); !s)
            return s.error();
        Result<WorkflowLibrary> library = WorkflowLibrary::load(workflowsDir());
        if (!library)
            return library.error();
        bench->library = std::move(library).value();
        bench->engine = std::make_unique<Engine>(*bench->store, bench->library, bench->clock);
        if (Status s = test::addStaff(*bench->engine); !s)
            return s.error();
        return bench;
    }
};

// Runs `actions` engine actions (engineStep(i)) and as many bare inserts in
// alternating blocks of kBlock, so that both see the same disk: fsync latency
// on a shared or virtual disk drifts from one second to the next.
Result<ActionFigures> timeAlternating(
    int actions, const std::function<Status(int)> &engineStep, const std::function<Status()> &bareStep)
{
    QList<double> engineMs;
    QList<double> bareMs;
    engineMs.reserve(actions);
    bareMs.reserve(actions);
    QElapsedTimer each;
    while (engineMs.size() < actions || bareMs.size() < actions) {
        for (int k = 0; k < kBlock && engineMs.size() < actions; ++k) {
            each.start();
            const Status s = engineStep(int(engineMs.size()));
            engineMs << msSince(each);
            if (!s)
                return s.error();
        }
        for (int k = 0; k < kBlock && bareMs.size() < actions; ++k) {
            each.start();
            const Status s = bareStep();
            bareMs << msSince(each);
            if (!s)
                return s.error();
        }
    }
    const auto sum = [](const QList<double> &values) { return std::accumulate(values.cbegin(), values.cend(), 0.0); };
    return ActionFigures {rateOf(engineMs, sum(engineMs)), rateOf(bareMs, sum(bareMs))};
}

// Sections 1 and 2 on SQLite: engine actions against bare inserts, timed
// by timeAlternating.
Result<ActionFigures> benchActions(const QString &engineFile, const QString &bareFile, int actions)
{
    // The engine's register, with the shipped workflows and the IG team.
    Result<std::unique_ptr<BenchEngine>> opened = BenchEngine::open(SqlDialect::Sqlite, engineFile);
    if (!opened)
        return opened.error();
    SqlStore &store = *(*opened)->store;
    Engine &engine = *(*opened)->engine;
    auto fileOne = [&engine](qsizetype i) { return fileAccessRequest(engine, i); };
    // One request more than timed: the first fire parses the workflow
    // definition into the engine's cache and is not counted.
    QStringList references;
    for (int i = 0; i <= actions; ++i) {
        Result<QString> reference = fileOne(i);
        if (!reference)
            return reference.error();
        references << *reference;
    }
    Result<qint64> engineSteady = walSteadySize(QSqlDatabase::database(store.connectionName(), false));
    if (!engineSteady)
        return engineSteady.error();
    qsizetype filed = references.size();
    while (walSize(engineFile) < *engineSteady) {
        if (Result<QString> reference = fileOne(filed++); !reference)
            return reference.error();
    }

    auto fireOne = [&engine](const QString &reference) { return acknowledge(engine, reference); };
    if (Status s = fireOne(references.constFirst()); !s)
        return s.error();

    // The bare baseline: its own file, the same PRAGMAs, one small table.
    Connection bare(QStringLiteral("bench-bare"));
    if (Status s = bare.open(bareFile); !s)
        return s.error();
    const QStringList setup {QStringLiteral("PRAGMA journal_mode=WAL"), QStringLiteral("PRAGMA synchronous=FULL"),
        QStringLiteral("CREATE TABLE events (id INTEGER PRIMARY KEY, at TEXT NOT NULL, body TEXT NOT NULL)")};
    for (const QString &statement : setup) {
        if (Result<QSqlQuery> q = bare.exec(statement); !q)
            return q.error();
    }
    QSqlQuery begin(bare.db());
    QSqlQuery insert(bare.db());
    QSqlQuery commit(bare.db());
    if (!begin.prepare(QStringLiteral("BEGIN IMMEDIATE"))
        || !insert.prepare(QStringLiteral("INSERT INTO events (at, body) VALUES (?, ?)"))
        || !commit.prepare(QStringLiteral("COMMIT")))
        return makeError(ErrorCode::Storage, QStringLiteral("cannot prepare the baseline statements"));
    auto insertOne = [&](const QString &body) -> Status {
        insert.bindValue(0, isoUtc(QDateTime::currentDateTimeUtc()));
        insert.bindValue(1, body);
        if (!begin.exec() || !insert.exec() || !commit.exec())
            return makeError(ErrorCode::Storage,
                QStringLiteral("a baseline transaction failed: %1 %2 %3")
                    .arg(begin.lastError().text(), insert.lastError().text(), commit.lastError().text()));
        return {};
    };
    // Bring the baseline's WAL to its steady size too, with a few big
    // untimed transactions rather than thousands of small ones.
    Result<qint64> bareSteady = walSteadySize(bare.db());
    if (!bareSteady)
        return bareSteady.error();
    const QString pageOfText = QString(4000, QLatin1Char('x'));
    while (walSize(bareFile) < *bareSteady) {
        if (Result<QSqlQuery> q = bare.exec(QStringLiteral("BEGIN IMMEDIATE")); !q)
            return q.error();
        for (int i = 0; i < 200; ++i) {
            insert.bindValue(0, isoUtc(QDateTime::currentDateTimeUtc()));
            insert.bindValue(1, pageOfText);
            if (!insert.exec())
                return makeError(
                    ErrorCode::Storage, QStringLiteral("baseline warm-up failed: %1").arg(insert.lastError().text()));
        }
        if (Result<QSqlQuery> q = bare.exec(QStringLiteral("COMMIT")); !q)
            return q.error();
    }
    const QString body = QStringLiteral("a row about the size of an audit event's payload ").repeated(4);

    Result<ActionFigures> timed = timeAlternating(
        actions, [&](int i) { return fireOne(references.at(1 + i)); }, [&] { return insertOne(body); });
    if (!timed)
        return timed.error();
    const ActionFigures figures = *timed;

    // Check the work was really done before reporting its speed.
    Result<QList<OutboxMessage>> queued = store.outbox(QString());
    if (!queued)
        return queued.error();
    Result<AuditVerification> audit = store.verifyAudit();
    if (!audit)
        return audit.error();
    const qint64 expectedEvents = qint64(test::staff().size()) + filed + qint64(references.size());
    if (queued->size() != references.size() || !audit->intact || audit->eventsChecked != expectedEvents)
        return makeError(ErrorCode::Invalid,
            QStringLiteral("after the run the register holds %1 queued messages (expected %2) and %3 audit events "
                           "(expected %4, chain %5)")
                .arg(queued->size())
                .arg(references.size())
                .arg(audit->eventsChecked)
                .arg(expectedEvents)
                .arg(audit->intact ? QStringLiteral("intact") : audit->problem));
    Result<QString> engineDurability = durabilityOf(QSqlDatabase::database(store.connectionName(), false));
    if (!engineDurability)
        return engineDurability.error();
    Result<QString> bareDurability = durabilityOf(bare.db());
    if (!bareDurability)
        return bareDurability.error();

    heading(QStringLiteral("== 1. engine actions on SQLite (%1 actions, each its own transaction) ==").arg(actions));
    figure(QStringLiteral("register durability (read back from the store)"), *engineDurability);
    figure(QStringLiteral("engine actions/s (SQLite, audit + outbox, one tx each)"), fixed(figures.engine.perSecond));
    figure(QStringLiteral("engine mean ms per action"), fixed(figures.engine.meanMs, 3));
    figure(QStringLiteral("engine median ms per action"), fixed(figures.engine.medianMs, 3));
    figure(QStringLiteral("engine p95 ms per action"), fixed(figures.engine.p95Ms, 3));
    figure(QStringLiteral("checked: queued messages / audit events (chain intact)"),
        QStringLiteral("%1 / %2").arg(queued->size()).arg(audit->eventsChecked));

    heading(QStringLiteral("== 2. bare SQLite baseline (%1 x BEGIN IMMEDIATE; one-row INSERT; COMMIT) ==").arg(actions));
    figure(QStringLiteral("baseline durability (read back)"), *bareDurability);
    figure(QStringLiteral("bare inserts/s (SQLite, one tx each)"), fixed(figures.bare.perSecond));
    figure(QStringLiteral("bare mean ms per insert"), fixed(figures.bare.meanMs, 3));
    figure(QStringLiteral("bare median ms per insert"), fixed(figures.bare.medianMs, 3));
    figure(QStringLiteral("bare p95 ms per insert"), fixed(figures.bare.p95Ms, 3));
    out() << QStringLiteral("(timed in alternating blocks of %1 actions and %1 inserts, both WAL files past their first "
                            "checkpoint)")
                 .arg(kBlock)
          << Qt::endl;
    return figures;
}

// --- 4. concurrent writers ------------------------------------------------------------

// What one writer thread did.
struct WriterOutcome {
    QList<double> samplesMs; // each timed action, waits for the others included
    int retried = 0; // fires that lost a race (Conflict) and were made again
    std::optional<Error> error;
};

// Fires `acknowledge`, firing it again when another writer won a race for
// the same rows (a Conflict: deadlock, serialisation failure, stale version).
Status acknowledgeRetrying(Engine &engine, const QString &reference, int &retried)
{
    for (int attempt = 1;; ++attempt) {
        Result<FireOutcome> outcome = acknowledgeOnce(engine, reference);
        if (outcome)
            return {};
        if (outcome.error().code != ErrorCode::Conflict || attempt >= kFireAttempts)
            return outcome.error();
        ++retried;
    }
}

// One writer, as an officer's desktop or a server worker is one: its own
// Store (its own connection) and Engine in its own thread. It fires its first
// request untimed, which fills the engine's workflow cache, then waits for
// every writer to be ready and for the start.
void runWriter(SqlDialect dialect, const QString &location, const QStringList &references, std::latch &ready, std::latch &start,
    WriterOutcome &outcome)
{
    bool arrived = false;
    auto arrive = [&] {
        if (!arrived) {
            arrived = true;
            ready.count_down();
        }
    };
    auto fail = [&](const Error &error) {
        outcome.error = error;
        arrive();
    };
    SqlStore store(dialect, location);
    if (Status s = store.open(); !s)
        return fail(s.error());
    Result<WorkflowLibrary> library = WorkflowLibrary::load(workflowsDir());
    if (!library)
        return fail(library.error());
    SystemClock clock;
    Engine engine(store, *library, clock);
    if (Status s = acknowledgeRetrying(engine, references.constFirst(), outcome.retried); !s)
        return fail(s.error());
    arrive();
    start.wait();
    QElapsedTimer each;
    for (qsizetype i = 1; i < references.size(); ++i) {
        each.start();
        const Status s = acknowledgeRetrying(engine, references.at(i), outcome.retried);
        outcome.samplesMs << msSince(each);
        if (!s) {
            outcome.error = s.error();
            return;
        }
    }
}

struct WriterRun {
    qsizetype actions = 0;
    double wallMs = 0;
    QList<double> samplesMs;
    int retried = 0;
    double flushMs = 0; // the disk's flush time just before the run

    [[nodiscard]] double perSecond() const { return wallMs > 0 ? double(actions) * 1000.0 / wallMs : 0; }
};

// Starts the writers together, one thread each, and times them from the
// start until the last one is done. `assigned` holds each writer's requests,
// its untimed first one at the front.
Result<WriterRun> runWriters(SqlDialect dialect, const QString &location, const QList<QStringList> &assigned)
{
    const auto writers = std::ptrdiff_t(assigned.size());
    std::latch ready(writers);
    std::latch start(1);
    std::vector<WriterOutcome> outcomes(static_cast<std::size_t>(writers));
    std::vector<std::thread> threads;
    threads.reserve(std::size_t(writers));
    for (std::size_t w = 0; w < std::size_t(writers); ++w)
        threads.emplace_back(runWriter, dialect, std::cref(location), std::cref(assigned.at(qsizetype(w))), std::ref(ready),
            std::ref(start), std::ref(outcomes[w]));
    ready.wait();
    QElapsedTimer wall;
    wall.start();
    start.count_down();
    for (std::thread &thread : threads)
        thread.join();
    WriterRun run;
    run.wallMs = msSince(wall);
    for (const WriterOutcome &outcome : outcomes) {
        if (outcome.error)
            return makeError(outcome.error->code,
                QStringLiteral("%1 with %2 writers: %3").arg(dialectName(dialect)).arg(writers).arg(outcome.error->fullText()));
        run.samplesMs << outcome.samplesMs;
        run.retried += outcome.retried;
    }
    run.actions = run.samplesMs.size();
    return run;
}

// Checks that every action was really done before its speed is reported:
// one queued message for each, and an intact audit chain of the right length.
Result<QString> checkRegister(Store &store, qint64 expectedQueued, qint64 expectedEvents, const QString &what)
{
    Result<QList<OutboxMessage>> queued = store.outbox(QString());
    if (!queued)
        return queued.error();
    Result<AuditVerification> audit = store.verifyAudit();
    if (!audit)
        return audit.error();
    if (queued->size() != expectedQueued || !audit->intact || audit->eventsChecked != expectedEvents)
        return makeError(ErrorCode::Invalid,
            QStringLiteral("after %1 the register holds %2 queued messages (expected %3) and %4 audit events "
                           "(expected %5, chain %6)")
                .arg(what)
                .arg(queued->size())
                .arg(expectedQueued)
                .arg(audit->eventsChecked)
                .arg(expectedEvents)
                .arg(audit->intact ? QStringLiteral("intact") : audit->problem));
    return QStringLiteral("%1 / %2").arg(queued->size()).arg(audit->eventsChecked);
}

struct WriterFigures {
    QList<WriterRun> runs;
    QString durability; // read back from the register
    QString checked; // queued messages / audit events (chain intact)
};

// Section 4's writer runs on one register. The registers take turns (SQLite
// 1 writer, PostgreSQL 1 writer, SQLite 2 writers...) so that the two columns
// of a row are timed minutes apart at most, on much the same disk.
class WriterBench
{
public:
    WriterBench(SqlDialect dialect, QString location, QString probeDirectory)
        : m_dialect(dialect)
        , m_location(std::move(location))
        , m_probeDirectory(std::move(probeDirectory))
    { }

    // Files, through the engine, the requests of every run on a fresh
    // register: each writer of each run gets requests no other one touches.
    [[nodiscard]] Status prepare(int actions)
    {
        m_store = std::make_unique<SqlStore>(m_dialect, m_location, SqlStore::Options {true});
        if (Status s = m_store->open(); !s)
            return s;
        Result<WorkflowLibrary> library = WorkflowLibrary::load(workflowsDir());
        if (!library)
            return library.error();
        m_library = *library;
        m_engine = std::make_unique<Engine>(*m_store, *m_library, m_clock);
        if (Status s = test::addStaff(*m_engine); !s)
            return s;
        for (const int writers : kWriterCounts) {
            const int each = qMax(1, actions / writers);
            QList<QStringList> assigned;
            for (int w = 0; w < writers; ++w) {
                QStringList references;
                for (int i = 0; i <= each; ++i) {
                    Result<QString> reference = fileAccessRequest(*m_engine, m_filed++);
                    if (!reference)
                        return reference.error();
                    references << *reference;
                }
                m_fired += references.size();
                assigned << references;
            }
            m_plans << assigned;
        }
        if (m_dialect == SqlDialect::Sqlite) {
            // As in section 1: time commits to a WAL past its first checkpoint.
            Result<qint64> steady = walSteadySize(QSqlDatabase::database(m_store->connectionName(), false));
            if (!steady)
                return steady.error();
            while (walSize(m_location) < *steady) {
                if (Result<QString> reference = fileAccessRequest(*m_engine, m_filed++); !reference)
                    return reference.error();
            }
        }
        return {};
    }

    // The run of kWriterCounts[index] writers.
    [[nodiscard]] Status run(qsizetype index)
    {
        const QList<QStringList> &assigned = m_plans.at(index);
        err() << QStringLiteral("  %1: %2 writer(s)").arg(dialectName(m_dialect)).arg(assigned.size()) << Qt::endl;
        Result<double> flush = flushProbe(m_probeDirectory);
        if (!flush)
            return flush.error();
        Result<WriterRun> run = runWriters(m_dialect, m_location, assigned);
        if (!run)
            return run.error();
        run->flushMs = *flush;
        m_figures.runs << *run;
        return {};
    }

    // Checks the work was done and reads back the durability it was done with.
    [[nodiscard]] Status finish()
    {
        Result<QString> checked = checkRegister(*m_store, m_fired, qint64(test::staff().size()) + m_filed + m_fired,
            QStringLiteral("the %1 writer runs").arg(dialectName(m_dialect)));
        if (!checked)
            return checked.error();
        m_figures.checked = *checked;
        if (m_dialect == SqlDialect::Sqlite) {
            Result<QString> durability = durabilityOf(QSqlDatabase::database(m_store->connectionName(), false));
            if (!durability)
                return durability.error();
            m_figures.durability = *durability;
        } else {
            Connection connection(QStringLiteral("bench-pg-durability"));
            if (Status s = connection.openPostgres(m_location); !s)
                return s;
            m_figures.durability = postgresDurability(connection);
        }
        return {};
    }

    [[nodiscard]] const WriterFigures &figures() const { return m_figures; }

private:
    SqlDialect m_dialect;
    QString m_location;
    QString m_probeDirectory;
    // The engine refers to the store, the library and the clock: it goes first.
    std::unique_ptr<SqlStore> m_store;
    std::optional<WorkflowLibrary> m_library;
    SystemClock m_clock;
    std::unique_ptr<Engine> m_engine;
    qsizetype m_filed = 0;
    qsizetype m_fired = 0;
    QList<QList<QStringList>> m_plans;
    WriterFigures m_figures;
};

// Sections 1 and 2 on PostgreSQL: engine actions on one connection against
// one-row INSERT transactions with the server's durability, in alternating
// blocks so that both see the same disk, each in a database of its own.
Result<ActionFigures> benchPostgresActions(const QString &registerUrl, const QString &bareUrl, int actions)
{
    // The engine's register, with the shipped workflows and the IG team.
    Result<std::unique_ptr<BenchEngine>> opened = BenchEngine::open(SqlDialect::Postgres, registerUrl);
    if (!opened)
        return opened.error();
    SqlStore &store = *(*opened)->store;
    Engine &engine = *(*opened)->engine;
    // One request more than timed: the first fire fills the engine's cache.
    QStringList references;
    for (int i = 0; i <= actions; ++i) {
        Result<QString> reference = fileAccessRequest(engine, i);
        if (!reference)
            return reference.error();
        references << *reference;
    }
    if (Status s = acknowledge(engine, references.constFirst()); !s)
        return s.error();

    Connection bare(QStringLiteral("bench-pg-bare"));
    if (Status s = bare.openPostgres(bareUrl); !s)
        return s.error();
    if (Result<QSqlQuery> q = bare.run(QStringLiteral("CREATE TABLE events (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY "
                                                      "KEY, at TEXT NOT NULL, body TEXT NOT NULL)"));
        !q)
        return q.error();
    QSqlQuery insert(bare.db());
    if (!insert.prepare(QStringLiteral("INSERT INTO events (at, body) VALUES (?, ?)")))
        return makeError(
            ErrorCode::Storage, QStringLiteral("cannot prepare the baseline insert: %1").arg(insert.lastError().text()));
    const QString body = QStringLiteral("a row about the size of an audit event's payload ").repeated(4);
    // BEGIN and COMMIT go as the store sends them: unprepared statements.
    auto insertOne = [&]() -> Status {
        if (Result<QSqlQuery> q = bare.run(QStringLiteral("BEGIN")); !q)
            return q.error();
        insert.bindValue(0, isoUtc(QDateTime::currentDateTimeUtc()));
        insert.bindValue(1, body);
        if (!insert.exec())
            return makeError(ErrorCode::Storage, QStringLiteral("a baseline insert failed: %1").arg(insert.lastError().text()));
        if (Result<QSqlQuery> q = bare.run(QStringLiteral("COMMIT")); !q)
            return q.error();
        return {};
    };
    if (Status s = insertOne(); !s)
        return s.error();

    Result<ActionFigures> timed = timeAlternating(
        actions, [&](int i) { return acknowledge(engine, references.at(1 + i)); }, [&] { return insertOne(); });
    if (!timed)
        return timed.error();
    Result<QString> checked = checkRegister(store, references.size(),
        qint64(test::staff().size()) + 2 * qint64(references.size()), QStringLiteral("the PostgreSQL actions"));
    if (!checked)
        return checked.error();
    return timed;
}

QString latencies(const QList<double> &samplesMs)
{
    return QStringLiteral("%1 / %2").arg(fixed(median(samplesMs), 3), fixed(percentile(samplesMs, 0.95), 3));
}

QString latencies(const Rate &rate)
{
    return QStringLiteral("%1 / %2").arg(fixed(rate.medianMs, 3), fixed(rate.p95Ms, 3));
}

// One register's column of section 4.
struct WriterColumn {
    QString name;
    QString durability;
    ActionFigures single; // one connection, engine beside bare inserts
    bool singleFromSections12 = false; // SQLite's are sections 1 and 2
    double singleFlushMs = 0; // the disk's flush time just before them
    const WriterFigures *writers = nullptr;
};

void printWriters(int actions, const QList<WriterColumn> &registers)
{
    heading(QStringLiteral("== 4. the registers side by side: one connection, then %1 actions a run shared by 1, 2 and 8 "
                           "writers (threads, each with its own Store + Engine) ==")
                .arg(actions));
    QStringList names;
    for (const WriterColumn &column : registers) {
        names << column.name;
        figure(QStringLiteral("%1 durability (read back)").arg(column.name), column.durability);
    }
    auto row = [&registers](const QString &label, const std::function<QString(const WriterColumn &)> &value) {
        QStringList values;
        for (const WriterColumn &column : registers)
            values << value(column);
        columns(label, values);
    };
    columns(QString(), names);
    row(QStringLiteral("one connection: engine actions/s"), [](const WriterColumn &c) {
        return fixed(c.single.engine.perSecond) + (c.singleFromSections12 ? QStringLiteral(" (sec. 1)") : QString());
    });
    row(QStringLiteral("one connection: bare one-row INSERT transactions/s"), [](const WriterColumn &c) {
        return fixed(c.single.bare.perSecond) + (c.singleFromSections12 ? QStringLiteral(" (sec. 2)") : QString());
    });
    row(QStringLiteral("one connection: engine median / p95 ms per action"),
        [](const WriterColumn &c) { return latencies(c.single.engine); });
    row(QStringLiteral("one connection: bare median / p95 ms per insert"),
        [](const WriterColumn &c) { return latencies(c.single.bare); });
    row(QStringLiteral("one connection: disk flush (8 kB fdatasync) before it, ms"),
        [](const WriterColumn &c) { return fixed(c.singleFlushMs, 3); });
    row(QStringLiteral("engine cost = bare rate / engine rate (target at most %1x)").arg(kEngineCostTarget, 0, 'f', 1),
        [](const WriterColumn &c) {
            const double cost = c.single.engine.perSecond > 0 ? c.single.bare.perSecond / c.single.engine.perSecond : 0;
            return fixed(cost, 2) + QLatin1Char('x') + (cost > kEngineCostTarget ? QStringLiteral(" OVER") : QString());
        });
    for (qsizetype r = 0; r < qsizetype(std::size(kWriterCounts)); ++r) {
        const int count = kWriterCounts[r];
        const QString who = count == 1 ? QStringLiteral("1 writer") : QStringLiteral("%1 writers").arg(count);
        row(who + QStringLiteral(": engine actions/s, all writers together"),
            [r](const WriterColumn &c) { return fixed(c.writers->runs.at(r).perSecond()); });
        row(who + QStringLiteral(": median / p95 ms per action"),
            [r](const WriterColumn &c) { return latencies(c.writers->runs.at(r).samplesMs); });
        row(who + QStringLiteral(": actions timed / conflicts retried"), [r](const WriterColumn &c) {
            return QStringLiteral("%1 / %2").arg(c.writers->runs.at(r).actions).arg(c.writers->runs.at(r).retried);
        });
        row(who + QStringLiteral(": disk flush (8 kB fdatasync) before it, ms"),
            [r](const WriterColumn &c) { return fixed(c.writers->runs.at(r).flushMs, 3); });
    }
    row(QStringLiteral("checked: queued messages / audit events (chain intact)"),
        [](const WriterColumn &c) { return c.writers->checked; });
    out() << QStringLiteral("(one connection: engine actions and bare inserts timed in alternating blocks of %1, as in 1 and 2; "
                            "writers start together once all are connected, and a run's rate is its actions over the time "
                            "from the start to the last writer's end; each writer acknowledges requests no other writer "
                            "touches; a lost race would be fired again and counted)")
                 .arg(kBlock)
          << Qt::endl;
    QStringList locks {QStringLiteral("SQLite's write lock")};
    if (registers.size() > 1)
        locks << QStringLiteral("PostgreSQL's row lock on audit_head");
    out() << QStringLiteral("(every action appends to the one audit chain, so writers queue for it until the holder commits: %1)")
                 .arg(locks.join(QStringLiteral(", ")))
          << Qt::endl;
}

// --- 3. listing a large register -----------------------------------------------------

// Picks among names with given weights.
class Weighted
{
public:
    void add(const QString &name, double weight)
    {
        m_total += weight;
        m_names << name;
        m_cumulative << m_total;
    }
    [[nodiscard]] const QString &pick(QRandomGenerator &rng) const
    {
        const double x = rng.generateDouble() * m_total;
        const auto it = std::upper_bound(m_cumulative.cbegin(), m_cumulative.cend(), x);
        return m_names.at(qMin<qsizetype>(it - m_cumulative.cbegin(), m_names.size() - 1));
    }
    [[nodiscard]] bool isEmpty() const { return m_names.isEmpty(); }

private:
    QStringList m_names;
    QList<double> m_cumulative;
    double m_total = 0;
};

struct RightProfile {
    const WorkflowDefinition *def = nullptr;
    QStringList activeStates; // open and waiting
    Weighted closedStates; // the first (the normal outcome) is the most common
    QString outcome; // that first closed state: completed, or lifted for a restriction
};

struct LoadSummary {
    qint64 rows = 0;
    qint64 closed = 0;
    double seconds = 0;
    double indexSeconds = 0; // PostgreSQL: rebuilding the list indexes, VACUUM and ANALYZE
};

// The rows of a plausible council register, the same on every run (a fixed
// seed) and for both registers, in the order a register fills.
class RegisterGenerator
{
public:
    // The requests columns next() fills, in order.
    static const QStringList &columns()
    {
        static const QStringList names {QStringLiteral("reference"), QStringLiteral("right_name"), QStringLiteral("channel"),
            QStringLiteral("received_at"), QStringLiteral("requester_name"), QStringLiteral("requester_email"),
            QStringLiteral("requester_postcode"), QStringLiteral("scope"), QStringLiteral("assignee"), QStringLiteral("state"),
            QStringLiteral("closed"), QStringLiteral("workflow_id"), QStringLiteral("workflow_hash"), QStringLiteral("version"),
            QStringLiteral("identity_verified_at"), QStringLiteral("responded_at"), QStringLiteral("closed_at"),
            QStringLiteral("created_at"), QStringLiteral("updated_at")};
        return names;
    }

    [[nodiscard]] Status prepare(const WorkflowLibrary &library, const QStringList &assignees, int rows)
    {
        m_rows = rows;
        // Access requests dominate a council's register; the rarer rights trail.
        const std::pair<QString, double> rightWeights[] = {
            {QStringLiteral("access"), 0.55},
            {QStringLiteral("erasure"), 0.15},
            {QStringLiteral("rectification"), 0.10},
            {QStringLiteral("objection"), 0.07},
            {QStringLiteral("restriction"), 0.05},
            {QStringLiteral("portability"), 0.05},
            {QStringLiteral("automated-decision"), 0.03},
        };
        for (const auto &[right, weight] : rightWeights) {
            RightProfile profile;
            profile.def = library.forRight(right);
            if (!profile.def)
                return makeError(ErrorCode::NotFound, QStringLiteral("no shipped workflow for the right '%1'").arg(right));
            bool first = true;
            qsizetype closedCount = 0;
            for (const StateDef &state : profile.def->states)
                closedCount += state.kind == StateKind::Closed ? 1 : 0;
            for (const StateDef &state : profile.def->states) {
                if (state.kind != StateKind::Closed) {
                    profile.activeStates << state.name;
                } else {
                    profile.closedStates.add(state.name, first ? 0.72 : 0.28 / double(qMax<qsizetype>(1, closedCount - 1)));
                    if (first)
                        profile.outcome = state.name;
                    first = false;
                }
            }
            if (profile.activeStates.isEmpty() || profile.closedStates.isEmpty())
                return makeError(ErrorCode::Invalid, QStringLiteral("workflow '%1' lacks open or closed states").arg(right));
            m_profiles.insert(right, profile);
            m_rights.add(right, weight);
        }
        m_channels.add(QStringLiteral("email"), 0.45);
        m_channels.add(QStringLiteral("web"), 0.25);
        m_channels.add(QStringLiteral("post"), 0.12);
        m_channels.add(QStringLiteral("telephone"), 0.08);
        m_channels.add(QStringLiteral("in-person"), 0.05);
        m_channels.add(QStringLiteral("webchat"), 0.05);
        // Some officers carry more of the load than others.
        for (qsizetype i = 0; i < assignees.size(); ++i)
            m_officers.add(assignees.at(i), 1.0 / (1.0 + 0.15 * double(i)));
        m_endMs = QDateTime::currentMSecsSinceEpoch();
        m_spanMs = qint64(5 * 365.25 * double(kDayMs));
        m_startMs = m_endMs - m_spanMs;
        return {};
    }

    // The next request's values, in columns() order.
    [[nodiscard]] QVariantList next()
    {
        const int i = m_index++;
        // Generated in time order, as a register fills; ids rise with received_at.
        const qint64 receivedMs = m_startMs + qint64((double(i) + m_rng.generateDouble()) * double(m_spanMs) / double(m_rows));
        const qint64 createdMs = qMin(m_endMs, receivedMs + qint64(m_rng.bounded(2 * 3600 * 1000)));
        const QString &right = m_rights.pick(m_rng);
        const RightProfile &profile = m_profiles[right];
        // About 90% closed: most of the last six months is still open, little before it.
        const bool recent = m_endMs - receivedMs < m_spanMs / 10;
        const bool closed = m_rng.generateDouble() >= (recent ? 0.70 : 0.035);
        QString state;
        QString assignee = m_officers.pick(m_rng);
        QString identityVerified;
        QString responded;
        QString closedAt;
        qint64 updatedMs = createdMs;
        int version = 0;
        if (closed) {
            state = profile.closedStates.pick(m_rng);
            const qint64 closedMs = qBound(createdMs, receivedMs + (5 + m_rng.bounded(40)) * kDayMs, m_endMs);
            closedAt = stamp(closedMs);
            updatedMs = closedMs;
            if (state == profile.outcome) {
                identityVerified = stamp(qMin(closedMs, receivedMs + (1 + m_rng.bounded(4)) * kDayMs));
                responded = closedAt;
            }
            version = 4 + int(m_rng.bounded(6));
            ++m_closed;
        } else {
            state = profile.activeStates.at(m_rng.bounded(int(profile.activeStates.size())));
            if (state == profile.def->initial && m_rng.bounded(2) == 0)
                assignee.clear(); // not yet picked up
            updatedMs = qMin(m_endMs, createdMs + qint64(m_rng.bounded(10)) * kDayMs);
            version = 1 + int(m_rng.bounded(4));
        }
        const int year = QDateTime::fromMSecsSinceEpoch(createdMs, m_utc).date().year();
        const int number = ++m_lastNumber[year];
        const QString &first = m_firstNames.at(m_rng.bounded(int(m_firstNames.size())));
        const QString &last = m_lastNames.at(m_rng.bounded(int(m_lastNames.size())));

        // Appended one by one: the generator must be drawn in this order.
        QVariantList values;
        values.reserve(columns().size());
        values << QStringLiteral("DSR-%1-%2").arg(year).arg(number, 6, 10, QLatin1Char('0'));
        values << right;
        values << m_channels.pick(m_rng);
        values << stamp(receivedMs);
        values << first + QLatin1Char(' ') + last;
        values << QStringLiteral("%1.%2%3@example.org").arg(first.toLower(), last.toLower()).arg(i % 9973);
        values << m_postcodes.at(m_rng.bounded(int(m_postcodes.size())));
        values << m_scopes.at(m_rng.bounded(int(m_scopes.size())));
        values << (assignee.isNull() ? QStringLiteral("") : assignee);
        values << state;
        values << (closed ? 1 : 0);
        values << profile.def->id;
        values << profile.def->hash;
        values << version;
        values << (identityVerified.isNull() ? QStringLiteral("") : identityVerified);
        values << (responded.isNull() ? QStringLiteral("") : responded);
        values << (closedAt.isNull() ? QStringLiteral("") : closedAt);
        values << stamp(createdMs);
        values << stamp(updatedMs);
        return values;
    }

    [[nodiscard]] qint64 closed() const { return m_closed; }
    // The last reference number of each year, as nextReference() numbers them.
    [[nodiscard]] const QHash<int, int> &lastNumbers() const { return m_lastNumber; }

private:
    [[nodiscard]] QString stamp(qint64 ms) const { return isoUtc(QDateTime::fromMSecsSinceEpoch(ms, m_utc)); }

    const QStringList m_firstNames {QStringLiteral("Margaret"), QStringLiteral("David"), QStringLiteral("Aisha"),
        QStringLiteral("Tomasz"), QStringLiteral("Siobhan"), QStringLiteral("Kwame"), QStringLiteral("Priya"),
        QStringLiteral("Gareth"), QStringLiteral("Li"), QStringLiteral("Fatima"), QStringLiteral("Owen"),
        QStringLiteral("Chloe")};
    const QStringList m_lastNames {QStringLiteral("Ellis"), QStringLiteral("Jones"), QStringLiteral("Khan"),
        QStringLiteral("Nowak"), QStringLiteral("Murphy"), QStringLiteral("Mensah"), QStringLiteral("Patel"),
        QStringLiteral("Evans"), QStringLiteral("Chen"), QStringLiteral("Hussain"), QStringLiteral("Hughes"),
        QStringLiteral("Byrne")};
    const QStringList m_postcodes {QStringLiteral("L20 7AB"), QStringLiteral("L1 8JQ"), QStringLiteral("CH41 5LH"),
        QStringLiteral("M4 1HN"), QStringLiteral("WA10 1BA"), QStringLiteral("PR8 1DB")};
    const QStringList m_scopes {QStringLiteral("Everything the council holds about me"),
        QStringLiteral("My housing file and any correspondence about my tenancy since 2019"),
        QStringLiteral("CCTV footage of the car park on the date given"), QStringLiteral("Records held by children's services"),
        QStringLiteral("Council tax account history")};

    const QTimeZone m_utc = QTimeZone::utc();
    QRandomGenerator m_rng {20260302}; // fixed: every run loads the same register
    QHash<QString, RightProfile> m_profiles;
    Weighted m_rights;
    Weighted m_channels;
    Weighted m_officers;
    qint64 m_endMs = 0;
    qint64 m_spanMs = 0;
    qint64 m_startMs = 0;
    int m_rows = 1;
    int m_index = 0;
    qint64 m_closed = 0;
    QHash<int, int> m_lastNumber;
};

// Fills the SQLite requests table straight through Qt Sql: this is setup,
// not what is measured, so it skips the engine and commits every kLoadBatch rows.
Result<LoadSummary> bulkLoadSqlite(const Connection &connection, RegisterGenerator &generator, int rows)
{
    const QStringList &columns = RegisterGenerator::columns();
    QStringList marks;
    for (qsizetype i = 0; i < columns.size(); ++i)
        marks << QStringLiteral("?");

    // Loading is setup: a bigger cache and no fsync per batch only make it quicker.
    const QStringList tuning {QStringLiteral("PRAGMA synchronous=OFF"), QStringLiteral("PRAGMA cache_size=-131072")};
    for (const QString &statement : tuning) {
        if (Result<QSqlQuery> q = connection.exec(statement); !q)
            return q.error();
    }
    QSqlQuery insert(connection.db());
    if (!insert.prepare(QStringLiteral("INSERT INTO requests (%1) VALUES (%2)")
                            .arg(columns.join(QStringLiteral(", ")), marks.join(QStringLiteral(", ")))))
        return makeError(ErrorCode::Storage, QStringLiteral("cannot prepare the bulk insert: %1").arg(insert.lastError().text()));

    LoadSummary summary;
    QElapsedTimer timer;
    timer.start();
    if (Result<QSqlQuery> q = connection.exec(QStringLiteral("BEGIN")); !q)
        return q.error();
    for (int i = 0; i < rows; ++i) {
        const QVariantList values = generator.next();
        for (qsizetype c = 0; c < values.size(); ++c)
            insert.bindValue(int(c), values.at(c));
        if (!insert.exec())
            return makeError(
                ErrorCode::Storage, QStringLiteral("bulk insert of row %1 failed: %2").arg(i).arg(insert.lastError().text()));

        if ((i + 1) % kLoadBatch == 0) {
            if (Result<QSqlQuery> q = connection.exec(QStringLiteral("COMMIT")); !q)
                return q.error();
            if (Result<QSqlQuery> q = connection.exec(QStringLiteral("BEGIN")); !q)
                return q.error();
            if ((i + 1) % (5 * kLoadBatch) == 0)
                err() << "  loaded " << (i + 1) << " of " << rows << " requests" << Qt::endl;
        }
    }
    const QHash<int, int> &lastNumber = generator.lastNumbers();
    for (auto it = lastNumber.cbegin(); it != lastNumber.cend(); ++it) {
        if (Result<QSqlQuery> q
            = connection.exec(QStringLiteral("INSERT INTO reference_counters (year, last_number) VALUES (?, ?) "
                                             "ON CONFLICT (year) DO UPDATE SET last_number = excluded.last_number"),
                {it.key(), it.value()});
            !q)
            return q.error();
    }
    if (Result<QSqlQuery> q = connection.exec(QStringLiteral("COMMIT")); !q)
        return q.error();
    // A register in use has been checkpointed; reads should not wade through a huge WAL.
    if (Result<QSqlQuery> q = connection.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")); !q)
        return q.error();
    summary.rows = rows;
    summary.closed = generator.closed();
    summary.seconds = msSince(timer) / 1000.0;
    return summary;
}

// The PostgreSQL load: the same rows, kPostgresRowsPerInsert to a statement
// (Qt's driver has no COPY), with the list indexes dropped during the load
// and rebuilt from their own definitions after it, which is how a large
// import is done. VACUUM ANALYZE then leaves the table as autovacuum would
// in a register in use: statistics for the planner and a visibility map for
// index-only scans.
Result<LoadSummary> bulkLoadPostgres(const Connection &connection, RegisterGenerator &generator, int rows)
{
    const QStringList &columns = RegisterGenerator::columns();
    // Setup, not what is measured: no wait for the WAL flush at each commit.
    for (const QString &statement :
        {QStringLiteral("SET synchronous_commit = off"), QStringLiteral("SET maintenance_work_mem = '256MB'")}) {
        if (Result<QSqlQuery> q = connection.run(statement); !q)
            return q.error();
    }

    // Indexes that back a constraint (the primary key, the unique reference) stay.
    QList<std::pair<QString, QString>> indexes;
    {
        Result<QSqlQuery> q
            = connection.exec(QStringLiteral("SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index x "
                                             "JOIN pg_class c ON c.oid = x.indexrelid WHERE x.indrelid = 'requests'::regclass "
                                             "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) "
                                             "ORDER BY c.relname"));
        if (!q)
            return q.error();
        while (q->next())
            indexes.append({q->value(0).toString(), q->value(1).toString()});
    }
    for (const auto &[name, definition] : indexes) {
        if (Result<QSqlQuery> q = connection.run(QStringLiteral("DROP INDEX %1").arg(name)); !q)
            return q.error();
    }

    auto prepareInsert = [&](QSqlQuery &insert, int rowsPerStatement) -> Status {
        QStringList marks;
        for (qsizetype i = 0; i < columns.size(); ++i)
            marks << QStringLiteral("?");
        const QString row = QLatin1Char('(') + marks.join(QStringLiteral(", ")) + QLatin1Char(')');
        QStringList valueRows;
        for (int r = 0; r < rowsPerStatement; ++r)
            valueRows << row;
        if (!insert.prepare(QStringLiteral("INSERT INTO requests (%1) VALUES %2")
                                .arg(columns.join(QStringLiteral(", ")), valueRows.join(QStringLiteral(", ")))))
            return makeError(
                ErrorCode::Storage, QStringLiteral("cannot prepare the bulk insert: %1").arg(insert.lastError().text()));
        return {};
    };
    QSqlQuery full(connection.db());
    if (Status s = prepareInsert(full, kPostgresRowsPerInsert); !s)
        return s.error();
    QSqlQuery rest(connection.db());
    if (const int remainder = rows % kPostgresRowsPerInsert; remainder > 0) {
        if (Status s = prepareInsert(rest, remainder); !s)
            return s.error();
    }

    LoadSummary summary;
    QElapsedTimer timer;
    timer.start();
    if (Result<QSqlQuery> q = connection.run(QStringLiteral("BEGIN")); !q)
        return q.error();
    int loaded = 0;
    while (loaded < rows) {
        const int count = qMin(kPostgresRowsPerInsert, rows - loaded);
        QSqlQuery &insert = count == kPostgresRowsPerInsert ? full : rest;
        int position = 0;
        for (int r = 0; r < count; ++r) {
            const QVariantList values = generator.next();
            for (const QVariant &value : values)
                insert.bindValue(position++, value);
        }
        if (!insert.exec())
            return makeError(ErrorCode::Storage,
                QStringLiteral("bulk insert of rows %1-%2 failed: %3")
                    .arg(loaded)
                    .arg(loaded + count - 1)
                    .arg(insert.lastError().text()));
        const int before = loaded;
        loaded += count;
        if (loaded / kLoadBatch != before / kLoadBatch) {
            if (Result<QSqlQuery> q = connection.run(QStringLiteral("COMMIT")); !q)
                return q.error();
            if (Result<QSqlQuery> q = connection.run(QStringLiteral("BEGIN")); !q)
                return q.error();
            if (loaded / (5 * kLoadBatch) != before / (5 * kLoadBatch))
                err() << "  loaded " << loaded << " of " << rows << " requests" << Qt::endl;
        }
    }
    const QHash<int, int> &lastNumber = generator.lastNumbers();
    for (auto it = lastNumber.cbegin(); it != lastNumber.cend(); ++it) {
        if (Result<QSqlQuery> q
            = connection.exec(QStringLiteral("INSERT INTO reference_counters (year, last_number) VALUES (?, ?) "
                                             "ON CONFLICT (year) DO UPDATE SET last_number = excluded.last_number"),
                {it.key(), it.value()});
            !q)
            return q.error();
    }
    if (Result<QSqlQuery> q = connection.run(QStringLiteral("COMMIT")); !q)
        return q.error();

    QElapsedTimer indexTimer;
    indexTimer.start();
    err() << "  rebuilding " << indexes.size() << " indexes, then VACUUM ANALYZE" << Qt::endl;
    for (const auto &[name, definition] : indexes) {
        if (Result<QSqlQuery> q = connection.run(definition); !q)
            return q.error();
    }
    for (const QString &statement : {QStringLiteral("VACUUM (ANALYZE) requests"), QStringLiteral("ANALYZE")}) {
        if (Result<QSqlQuery> q = connection.run(statement); !q)
            return q.error();
    }
    // Write the load out now rather than in a checkpoint during the timings;
    // a user without the right to CHECKPOINT leaves it to the server.
    if (Result<QSqlQuery> q = connection.run(QStringLiteral("CHECKPOINT")); !q)
        err() << "  (no CHECKPOINT after the load: " << q.error().message << ")" << Qt::endl;
    summary.rows = rows;
    summary.closed = generator.closed();
    summary.seconds = msSince(timer) / 1000.0;
    summary.indexSeconds = msSince(indexTimer) / 1000.0;
    return summary;
}

// The statements SqlStore::listRequests runs, taken from the store itself so
// the plans shown are the engine's own.
struct ListStatement {
    QString sql;
    QString countSql;
    QVariantList values;
    QVariantList filterValues;
};

ListStatement listStatement(const RequestFilter &filter)
{
    const SqlStatement list = SqlStore::listStatement(filter);
    const SqlStatement count = SqlStore::countStatement(filter);
    return ListStatement {list.sql, count.sql, list.values, count.values};
}

struct PlanReading {
    QString prefix; // what each plan line is labelled with
    QStringList lines;
    bool fullScan = false;
    bool sorts = false;
    bool filters = false; // PostgreSQL: reads rows of the index that the WHERE clause then drops
    QString index;
    QString note; // PostgreSQL: whether the plan was a generic one
    QString sortsWhere; // where the database says it sorts
};

Result<PlanReading> sqlitePlan(const Connection &connection, const ListStatement &statement)
{
    Result<QSqlQuery> q = connection.exec(QStringLiteral("EXPLAIN QUERY PLAN ") + statement.sql, statement.values);
    if (!q)
        return q.error();
    PlanReading plan;
    plan.prefix = QStringLiteral("EXPLAIN QUERY PLAN");
    plan.sortsWhere = QStringLiteral(" in a temp b-tree");
    static const QRegularExpression usingIndex(QStringLiteral("USING (?:COVERING )?INDEX (\\S+)"));
    while (q->next()) {
        const QString detail = q->value(3).toString();
        plan.lines << detail;
        if ((detail.startsWith(QLatin1String("SCAN requests")) || detail.startsWith(QLatin1String("SCAN TABLE requests")))
            && !detail.contains(QLatin1String("USING")))
            plan.fullScan = true;
        if (detail.contains(QLatin1String("TEMP B-TREE")))
            plan.sorts = true;
        if (const QRegularExpressionMatch m = usingIndex.match(detail); m.hasMatch() && plan.index.isEmpty())
            plan.index = m.captured(1);
    }
    return plan;
}

// The plan PostgreSQL runs the store's statement with. The store prepares a
// statement once and runs it again and again; PostgreSQL plans a prepared
// statement afresh for its first five runs and may then settle on a generic
// plan, so the plan shown is the one for a sixth run with these values.
// Qt keeps its statement names to itself, hence PREPARE and EXECUTE by hand.
Result<PlanReading> postgresPlan(const Connection &connection, const ListStatement &statement)
{
    QString sql;
    int parameter = 0;
    for (const QChar c : statement.sql)
        sql += c == QLatin1Char('?') ? QStringLiteral("$%1").arg(++parameter) : QString(c);
    QStringList literals;
    for (const QVariant &value : statement.values) {
        QSqlField field(QString(), value.metaType());
        field.setValue(value);
        literals << connection.db().driver()->formatValue(field);
    }
    const QString name = QStringLiteral("bench_list_plan");
    const QString execute = QStringLiteral("EXECUTE %1 (%2)").arg(name, literals.join(QStringLiteral(", ")));
    if (Result<QSqlQuery> q = connection.run(QStringLiteral("PREPARE %1 AS %2").arg(name, sql)); !q)
        return q.error();
    struct Deallocate {
        const Connection &connection;
        const QString &name;
        ~Deallocate() { static_cast<void>(connection.run(QStringLiteral("DEALLOCATE ") + name)); }
    } deallocate {connection, name};
    for (int run = 0; run < 5; ++run) {
        if (Result<QSqlQuery> q = connection.run(execute); !q)
            return q.error();
    }
    Result<QSqlQuery> q = connection.run(QStringLiteral("EXPLAIN ") + execute);
    if (!q)
        return q.error();
    PlanReading plan;
    plan.prefix = QStringLiteral("EXPLAIN");
    static const QRegularExpression usingIndex(
        QStringLiteral("(?:Index Scan|Index Only Scan)(?: Backward)? using (\\S+) on requests|Bitmap Index Scan on (\\S+)"));
    static const QRegularExpression sortNode(QStringLiteral("^\\s*(?:->\\s+)?(?:Incremental )?Sort\\b"));
    while (q->next()) {
        const QString line = q->value(0).toString();
        plan.lines << line;
        if (line.contains(QLatin1String("Seq Scan on requests")))
            plan.fullScan = true;
        if (sortNode.match(line).hasMatch())
            plan.sorts = true;
        if (line.trimmed().startsWith(QLatin1String("Filter:")))
            plan.filters = true;
        if (const QRegularExpressionMatch m = usingIndex.match(line); m.hasMatch() && plan.index.isEmpty())
            plan.index = m.captured(1).isEmpty() ? m.captured(2) : m.captured(1);
    }
    // pg_prepared_statements counts the plans of each kind (PostgreSQL 14 on).
    Result<QSqlQuery> kinds = connection.exec(
        QStringLiteral("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = ?"), {name});
    if (kinds && kinds->next())
        plan.note = kinds->value(0).toLongLong() > 0 ? QStringLiteral("generic plan") : QStringLiteral("custom plan");
    return plan;
}

QString verdict(const PlanReading &plan)
{
    const QString note = plan.note.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(plan.note);
    if (plan.fullScan)
        return QStringLiteral("FULL SCAN of requests (no index)%1%2")
            .arg(plan.sorts ? QStringLiteral(", then sorts every match") : QString(), note);
    if (plan.index.isEmpty())
        return QStringLiteral("no index named in the plan") + note;
    return QStringLiteral("index %1, %2%3%4")
        .arg(plan.index,
            plan.sorts ? QStringLiteral("but SORTS every match%1 before paging").arg(plan.sortsWhere)
                       : QStringLiteral("rows come in ORDER BY order (no sort)"),
            plan.filters ? QStringLiteral(", but FILTERS the rows it reads") : QString(), note);
}

struct ListCase {
    QString label;
    RequestFilter filter;
    bool showPlan = false;
    bool inBrief = true;
};

struct ListFigure {
    QString label;
    double medianMs = 0;
};

// Sections 3 and 5: a register of `requests` requests on either database,
// paged through with each filter the list offers.
Result<QList<ListFigure>> benchList(
    SqlDialect dialect, const QString &location, const QString &title, int requests, bool allPlans)
{
    heading(title);
    // The store's own migrations make the schema; the load goes round the engine.
    SqlStore store(dialect, location, SqlStore::Options {true});
    if (Status s = store.open(); !s)
        return s.error();
    Result<WorkflowLibrary> library = WorkflowLibrary::load(workflowsDir());
    if (!library)
        return library.error();
    QStringList assignees;
    {
        Transaction tx(store);
        if (Status s = tx.begin(); !s)
            return s.error();
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (const WorkflowDefinition &def : library->all()) {
            if (Status s = store.storeDefinition(def.hash, def.id, def.right, def.canonicalJson, now); !s)
                return s.error();
        }
        for (int i = 1; i <= 20; ++i) {
            const QString name = QStringLiteral("officer%1").arg(i, 2, 10, QLatin1Char('0'));
            if (Result<User> u
                = store.addUser(User {0, name, QStringLiteral("officer"), name + QStringLiteral("@council.example"), true});
                !u)
                return u.error();
            assignees << name;
        }
        if (Status s = tx.commit(); !s)
            return s.error();
    }

    const bool sqlite = dialect == SqlDialect::Sqlite;
    Connection connection(sqlite ? QStringLiteral("bench-bulk") : QStringLiteral("bench-pg-bulk"));
    if (Status s = sqlite ? connection.open(location) : connection.openPostgres(location); !s)
        return s.error();
    RegisterGenerator generator;
    if (Status s = generator.prepare(*library, assignees, requests); !s)
        return s.error();
    Result<LoadSummary> loaded
        = sqlite ? bulkLoadSqlite(connection, generator, requests) : bulkLoadPostgres(connection, generator, requests);
    if (!loaded)
        return loaded.error();
    figure(QStringLiteral("setup: requests bulk-loaded (not measured)"), QString::number(loaded->rows));
    figure(QStringLiteral("setup: load time, s"), fixed(loaded->seconds));
    if (!sqlite)
        figure(QStringLiteral("setup: of which index rebuild + VACUUM ANALYZE, s"), fixed(loaded->indexSeconds));
    figure(
        QStringLiteral("setup: share closed, %"), fixed(100.0 * double(loaded->closed) / double(qMax<qint64>(1, loaded->rows))));
    if (sqlite) {
        figure(QStringLiteral("setup: register file, MB"), fixed(double(QFileInfo(location).size()) / (1024.0 * 1024.0)));
    } else {
        Result<QVariant> size = connection.scalar(QStringLiteral("SELECT pg_database_size(current_database())"));
        if (!size)
            return size.error();
        figure(QStringLiteral("setup: database size, MB"), fixed(size->toDouble() / (1024.0 * 1024.0)));
    }

    auto filter = [](const QString &state, const QString &right, const QString &assignee, const QString &channel, bool openOnly,
                      int offset) {
        RequestFilter f;
        f.state = state;
        f.right = right;
        f.assignee = assignee;
        f.channel = channel;
        f.openOnly = openOnly;
        f.limit = 50;
        f.offset = offset;
        return f;
    };
    const QString none;
    const QList<ListCase> cases {
        {QStringLiteral("(a) first page of 50, no filter"), filter(none, none, none, none, false, 0), false, true},
        {QStringLiteral("(b) state=awaiting-identity, first page"),
            filter(QStringLiteral("awaiting-identity"), none, none, none, false, 0), true, true},
        {QStringLiteral("(c) right=access + state=collecting, first page"),
            filter(QStringLiteral("collecting"), QStringLiteral("access"), none, none, false, 0), true, true},
        {QStringLiteral("(d) assignee=officer07 + open only, first page"),
            filter(none, none, QStringLiteral("officer07"), none, true, 0), false, true},
        {QStringLiteral("(e) state=completed, page at offset 5000"),
            filter(QStringLiteral("completed"), none, none, none, false, 5000), false, true},
        // Other filters the list accepts, shown so a slow plan is not hidden.
        {QStringLiteral("(f) right=access, first page"), filter(none, QStringLiteral("access"), none, none, false, 0), false,
            false},
        {QStringLiteral("(g) assignee=officer07 (open and closed), first page"),
            filter(none, none, QStringLiteral("officer07"), none, false, 0), false, false},
        {QStringLiteral("(h) open only, first page"), filter(none, none, none, none, true, 0), false, false},
        {QStringLiteral("(i) channel=webchat, first page"), filter(none, none, none, QStringLiteral("webchat"), false, 0), false,
            false},
        {QStringLiteral("(j) right=erasure + open only, first page"),
            filter(none, QStringLiteral("erasure"), none, none, true, 0), false, false},
    };

    const QString target = QStringLiteral("(target < %1 ms for a filtered page)").arg(kListTargetMs, 0, 'f', 0);
    QList<ListFigure> figures;
    bool furtherHeading = false;
    for (const ListCase &listCase : cases) {
        if (!listCase.inBrief && !furtherHeading) {
            out() << Qt::endl << QStringLiteral("further filters the list accepts (same query, other indexes):") << Qt::endl;
            furtherHeading = true;
        }
        const ListStatement statement = listStatement(listCase.filter);
        QList<double> samples;
        qsizetype returned = 0;
        for (int run = 0; run < kListRuns; ++run) {
            QElapsedTimer timer;
            timer.start();
            Result<QList<RequestSummary>> page = store.listRequests(listCase.filter);
            samples << msSince(timer);
            if (!page)
                return page.error();
            returned = page->size();
        }
        Result<QVariant> matching = connection.scalar(statement.countSql, statement.filterValues);
        if (!matching)
            return matching.error();
        Result<PlanReading> plan = sqlite ? sqlitePlan(connection, statement) : postgresPlan(connection, statement);
        if (!plan)
            return plan.error();

        const double ms = median(samples);
        figures << ListFigure {listCase.label, ms};
        figure(listCase.label + QStringLiteral(", median ms"), fixed(ms, 2),
            target + (ms >= kListTargetMs ? QStringLiteral("  OVER TARGET") : QString()));
        figure(QStringLiteral("    matching requests / rows returned"),
            QStringLiteral("%1 / %2").arg(matching->toLongLong()).arg(returned));
        // A plan that scans, sorts or filters is shown whether asked for or not.
        if (allPlans || listCase.showPlan || plan->fullScan || plan->sorts || plan->filters) {
            out() << QStringLiteral("    SQL: ") << statement.sql << Qt::endl;
            for (const QString &line : plan->lines)
                out() << QStringLiteral("    ") << plan->prefix << QStringLiteral(": ") << line << Qt::endl;
        }
        figure(QStringLiteral("    plan"), verdict(*plan));
    }
    return figures;
}

// Section 6: the list medians of both registers side by side.
void printListsSideBySide(const QList<ListFigure> &sqlite, const QList<ListFigure> &postgres)
{
    heading(QStringLiteral("== 6. list/filter medians side by side, ms (target < %1 ms) ==").arg(kListTargetMs, 0, 'f', 0));
    columns(QString(), {QStringLiteral("SQLite"), QStringLiteral("PostgreSQL")});
    for (qsizetype i = 0; i < sqlite.size() && i < postgres.size(); ++i)
        columns(sqlite.at(i).label, {fixed(sqlite.at(i).medianMs, 2), fixed(postgres.at(i).medianMs, 2)});
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_register"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Times the Rightsflow register on SQLite and on PostgreSQL: engine actions against a bare insert with the same "
        "durability, the same actions from 1, 2 and 8 concurrent writers, and list/filter pages on a large register. "
        "The PostgreSQL figures come from a private server started for the run with tests/pg/pg-instance and stopped "
        "after it, unless --pg-url names one. Prints figures beside their targets; asserts nothing."));
    parser.addHelpOption();
    const QCommandLineOption actionsOption(QStringLiteral("actions"),
        QStringLiteral("Engine actions to time, and bare inserts to compare them with; also the actions of each concurrent "
                       "writers run, shared among its writers (default 500)."),
        QStringLiteral("N"), QStringLiteral("500"));
    const QCommandLineOption requestsOption(QStringLiteral("requests"),
        QStringLiteral("Requests to load into each register for the list/filter figures (default 1000000; smaller for a "
                       "quick run)."),
        QStringLiteral("N"), QStringLiteral("1000000"));
    const QCommandLineOption keepOption(QStringLiteral("keep"),
        QStringLiteral("Write the SQLite register files to DIR and keep them (default: a temporary directory, removed "
                       "after). PostgreSQL databases are always dropped."),
        QStringLiteral("DIR"));
    const QCommandLineOption noPostgresOption(
        QStringLiteral("no-postgres"), QStringLiteral("Skip the PostgreSQL figures: SQLite only, no server started."));
    const QCommandLineOption pgUrlOption(QStringLiteral("pg-url"),
        QStringLiteral("Use this PostgreSQL server instead of starting one: the URL of a database to connect to, as in "
                       "postgresql://USER:PASSWORD@HOST:PORT/postgres. The user must be allowed to create databases; the "
                       "benchmark makes its own and drops them after."),
        QStringLiteral("URL"));
    const QCommandLineOption plansOption(QStringLiteral("plans"),
        QStringLiteral("Print the query plan of every list/filter case (by default only (b), (c) and any plan that scans "
                       "the table or sorts)."));
    parser.addOptions({actionsOption, requestsOption, keepOption, noPostgresOption, pgUrlOption, plansOption});
    parser.process(app);

    QTextStream &errors = err();
    bool actionsOk = false;
    bool requestsOk = false;
    const int actions = parser.value(actionsOption).toInt(&actionsOk);
    const int requests = parser.value(requestsOption).toInt(&requestsOk);
    if (!actionsOk || actions < 1 || !requestsOk || requests < 1) {
        errors << QStringLiteral("bench_register: --actions and --requests take a whole number of at least 1") << Qt::endl;
        return 2;
    }
    const bool withPostgres = !parser.isSet(noPostgresOption);
    if (!withPostgres && parser.isSet(pgUrlOption)) {
        errors << QStringLiteral("bench_register: --no-postgres and --pg-url contradict each other; give one") << Qt::endl;
        return 2;
    }
    if (parser.isSet(pgUrlOption)) {
        if (Result<PostgresLocation> location = PostgresLocation::parse(parser.value(pgUrlOption)); !location) {
            errors << QStringLiteral("bench_register: --pg-url: ") << location.error().message << Qt::endl;
            return 2;
        }
    }
    const bool allPlans = parser.isSet(plansOption);

    QTemporaryDir temporary;
    QString directory;
    if (parser.isSet(keepOption)) {
        directory = QDir(parser.value(keepOption)).absolutePath();
        if (!QDir().mkpath(directory)) {
            errors << QStringLiteral("bench_register: cannot create %1").arg(directory) << Qt::endl;
            return 2;
        }
    } else {
        if (!temporary.isValid()) {
            errors << QStringLiteral("bench_register: cannot make a temporary directory: %1").arg(temporary.errorString())
                   << Qt::endl;
            return 2;
        }
        directory = temporary.path();
    }
    const QDir dir(directory);
    const QString engineFile = dir.filePath(QStringLiteral("bench-engine.sqlite"));
    const QString bareFile = dir.filePath(QStringLiteral("bench-bare.sqlite"));
    const QString listFile = dir.filePath(QStringLiteral("bench-list.sqlite"));
    const QString writersFile = dir.filePath(QStringLiteral("bench-writers.sqlite"));
    for (const QString &file : {engineFile, bareFile, listFile, writersFile}) {
        // Never overwrite a register someone kept: the figures need fresh files.
        if (QFileInfo::exists(file)) {
            errors << QStringLiteral("bench_register: %1 already exists; remove it or give --keep another directory").arg(file)
                   << Qt::endl;
            return 2;
        }
    }

    auto failed = [&errors](const Error &error) {
        out().flush();
        errors << QStringLiteral("bench_register: ") << error.fullText() << Qt::endl;
        return 1;
    };

    // Declared before anything that uses it, so that it is stopped last, on
    // every way out of main.
    PostgresServer server(QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/tests/pg/pg-instance"));
    PostgresSource postgres;
    if (withPostgres) {
        if (parser.isSet(pgUrlOption)) {
            postgres.serverUrl = parser.value(pgUrlOption);
        } else {
            QString report;
            if (Status s = server.start(&report); !s)
                return failed(makeError(s.error().code,
                    s.error().message
                        + QStringLiteral("\n(--no-postgres skips the PostgreSQL figures; --pg-url uses a running server)")));
            errors << report << Qt::endl;
            postgres.serverUrl = server.url();
            postgres.startedHere = true;
        }
    }

    if (Status s = printMachine(directory, postgres); !s)
        return failed(s.error());

    Result<double> sqliteFlush = flushProbe(directory);
    if (!sqliteFlush)
        return failed(sqliteFlush.error());
    Result<ActionFigures> timed = benchActions(engineFile, bareFile, actions);
    if (!timed)
        return failed(timed.error());
    const Rate &engine = timed->engine;
    const Rate &bare = timed->bare;
    const double cost = engine.perSecond > 0 ? bare.perSecond / engine.perSecond : 0;
    heading(QStringLiteral("== engine cost against the bare baseline =="));
    figure(QStringLiteral("engine cost = bare rate / engine rate"), fixed(cost, 2) + QLatin1Char('x'),
        QStringLiteral("(target at most %1x)%2")
            .arg(kEngineCostTarget, 0, 'f', 1)
            .arg(cost > kEngineCostTarget ? QStringLiteral("  OVER TARGET") : QString()));
    figure(QStringLiteral("engine extra ms per action over a bare commit"), fixed(engine.meanMs - bare.meanMs, 3));

    Result<QList<ListFigure>> sqliteList = benchList(SqlDialect::Sqlite, listFile,
        QStringLiteral("== 3. list/filter on %1 requests (SqlStore::listRequests, median of %2 runs) ==")
            .arg(requests)
            .arg(kListRuns),
        requests, allPlans);
    if (!sqliteList)
        return failed(sqliteList.error());

    // Section 4, one column per register.
    err() << QStringLiteral("the registers side by side:") << Qt::endl;
    QList<WriterColumn> registers {{QStringLiteral("SQLite"), QString(), *timed, true, *sqliteFlush, nullptr}};
    WriterBench sqliteWriters(SqlDialect::Sqlite, writersFile, directory);
    if (Status s = sqliteWriters.prepare(actions); !s)
        return failed(s.error());
    std::optional<ScratchDatabase> writersDatabase;
    std::unique_ptr<WriterBench> postgresWriters;
    if (withPostgres) {
        ScratchDatabase actionsDatabase(postgres.serverUrl, QStringLiteral("actions"));
        ScratchDatabase bareDatabase(postgres.serverUrl, QStringLiteral("bare"));
        writersDatabase.emplace(postgres.serverUrl, QStringLiteral("writers"));
        for (ScratchDatabase *database : {&actionsDatabase, &bareDatabase, &*writersDatabase}) {
            if (Status s = database->create(); !s)
                return failed(s.error());
        }
        err() << QStringLiteral("  PostgreSQL: one connection, engine beside bare inserts") << Qt::endl;
        Result<double> flush = flushProbe(directory);
        if (!flush)
            return failed(flush.error());
        Result<ActionFigures> single = benchPostgresActions(actionsDatabase.url(), bareDatabase.url(), actions);
        if (!single)
            return failed(single.error());
        registers.append({QStringLiteral("PostgreSQL"), QString(), *single, false, *flush, nullptr});
        postgresWriters = std::make_unique<WriterBench>(SqlDialect::Postgres, writersDatabase->url(), directory);
        if (Status s = postgresWriters->prepare(actions); !s)
            return failed(s.error());
    }
    for (qsizetype r = 0; r < qsizetype(std::size(kWriterCounts)); ++r) {
        if (Status s = sqliteWriters.run(r); !s)
            return failed(s.error());
        if (postgresWriters) {
            if (Status s = postgresWriters->run(r); !s)
                return failed(s.error());
        }
    }
    QList<WriterBench *> benches {&sqliteWriters};
    if (postgresWriters)
        benches << postgresWriters.get();
    for (qsizetype i = 0; i < benches.size(); ++i) {
        if (Status s = benches.at(i)->finish(); !s)
            return failed(s.error());
        registers[i].durability = benches.at(i)->figures().durability;
        registers[i].writers = &benches.at(i)->figures();
    }
    printWriters(actions, registers);
    // The writers' register is done with: its connection goes before its database.
    postgresWriters.reset();
    writersDatabase.reset();

    if (withPostgres) {
        ScratchDatabase listDatabase(postgres.serverUrl, QStringLiteral("list"));
        if (Status s = listDatabase.create(); !s)
            return failed(s.error());
        Result<QList<ListFigure>> postgresList = benchList(SqlDialect::Postgres, listDatabase.url(),
            QStringLiteral("== 5. list/filter on %1 requests on PostgreSQL (SqlStore::listRequests, median of %2 runs) ==")
                .arg(requests)
                .arg(kListRuns),
            requests, allPlans);
        if (!postgresList)
            return failed(postgresList.error());
        printListsSideBySide(*sqliteList, *postgresList);
    }

    heading(QStringLiteral("== end =="));
    figure(QStringLiteral("load average at the end"), loadAverage());
    if (parser.isSet(keepOption))
        out() << Qt::endl << QStringLiteral("register files kept in ") << QDir::toNativeSeparators(directory) << Qt::endl;
    out().flush();
    server.stop();
    return 0;
}
