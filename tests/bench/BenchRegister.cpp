// SPDX-License-Identifier: GPL-3.0-or-later
//
// bench_register: the figures behind Rightsflow's performance claims for the
// SQLite register. It times what an officer feels: firing an action (a state
// change, its audit event and its queued message, one durable transaction
// each) against a bare SQLite insert with the same durability, and listing a
// page of a register of a million requests through the engine's own query.
// It prints each figure beside its target and asserts nothing (STYLE.md,
// habit 12): timings depend on the machine, so a reader judges them.

#include "BenchSupport.h"
#include "Staff.h"
#include "core/Clock.h"
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
#include <QSqlError>
#include <QSqlQuery>
#include <QStorageInfo>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>
#include <QTimeZone>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <numeric>

using namespace rf;
using namespace rf::bench;

namespace {

constexpr int kListRuns = 7;
constexpr int kLoadBatch = 50000;
constexpr double kEngineCostTarget = 2.0;
constexpr double kListTargetMs = 50.0;
constexpr qint64 kDayMs = 24 * 3600 * 1000;

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

// The durability a connection actually runs with, read back rather than assumed.
Result<QString> durabilityOf(const QSqlDatabase &db)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("PRAGMA journal_mode")) || !query.next())
        return makeError(ErrorCode::Storage, QStringLiteral("cannot read journal_mode: %1").arg(query.lastError().text()));
    const QString mode = query.value(0).toString();
    if (!query.exec(QStringLiteral("PRAGMA synchronous")) || !query.next())
        return makeError(ErrorCode::Storage, QStringLiteral("cannot read synchronous: %1").arg(query.lastError().text()));
    static const QStringList levels {
        QStringLiteral("OFF"), QStringLiteral("NORMAL"), QStringLiteral("FULL"), QStringLiteral("EXTRA")};
    const int level = query.value(0).toInt();
    return QStringLiteral("journal_mode=%1, synchronous=%2")
        .arg(mode, level >= 0 && level < levels.size() ? levels.at(level) : QString::number(level));
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

Status printMachine(const QString &directory)
{
    heading(QStringLiteral("== machine =="));
    figure(QStringLiteral("CPU"), cpuModel());
    figure(QStringLiteral("cores (logical)"), QString::number(QThread::idealThreadCount()));
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
    const QStorageInfo storage(directory);
    figure(QStringLiteral("register directory"), QDir::toNativeSeparators(directory));
    figure(QStringLiteral("its file system"),
        QStringLiteral("%1 on %2").arg(QString::fromUtf8(storage.fileSystemType()), QString::fromUtf8(storage.device())));
    return {};
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
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("PRAGMA page_size")) || !query.next())
        return makeError(ErrorCode::Storage, QStringLiteral("cannot read page_size: %1").arg(query.lastError().text()));
    const qint64 pageSize = query.value(0).toLongLong();
    if (!query.exec(QStringLiteral("PRAGMA wal_autocheckpoint")) || !query.next())
        return makeError(ErrorCode::Storage, QStringLiteral("cannot read wal_autocheckpoint: %1").arg(query.lastError().text()));
    const qint64 pages = query.value(0).toLongLong();
    return 32 + pages * (pageSize + 24); // WAL header, then one 24-byte frame header per page
}

qint64 walSize(const QString &file)
{
    return QFileInfo(file + QStringLiteral("-wal")).size();
}

struct ActionFigures {
    Rate engine;
    Rate bare;
};

// Times engine actions and bare inserts in alternating blocks, so that both
// see the same disk: fsync latency on a shared or virtual disk drifts from
// one second to the next.
Result<ActionFigures> benchActions(const QString &engineFile, const QString &bareFile, int actions)
{
    constexpr int kBlock = 25;

    // The engine's register, with the shipped workflows and a few users.
    SqlStore store(SqlDialect::Sqlite, engineFile, SqlStore::Options {true});
    if (Status s = store.open(); !s)
        return s.error();
    Result<WorkflowLibrary> library = WorkflowLibrary::load(workflowsDir());
    if (!library)
        return library.error();
    SystemClock clock;
    Engine engine(store, *library, clock);
    if (Status s = test::addStaff(engine); !s)
        return s.error();
    auto fileOne = [&](qsizetype i) -> Result<QString> {
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
    };
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

    // "acknowledge" moves received -> checking and notifies the requester:
    // a request update, an audit event and an outbox message in one commit.
    const QString action = QStringLiteral("acknowledge");
    auto fireOne = [&](const QString &reference) -> Status {
        Result<FireOutcome> outcome = engine.fire(reference, action, QStringLiteral("alice"), {}, QString());
        if (!outcome)
            return outcome.error();
        if (outcome->queued.size() != 1 || outcome->request.state != QLatin1String("checking"))
            return makeError(ErrorCode::Invalid,
                QStringLiteral("'%1' on %2 did not move to checking with one queued message").arg(action, reference));
        return {};
    };
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

    QList<double> engineMs;
    QList<double> bareMs;
    engineMs.reserve(actions);
    bareMs.reserve(actions);
    QElapsedTimer each;
    while (engineMs.size() < actions || bareMs.size() < actions) {
        for (int k = 0; k < kBlock && engineMs.size() < actions; ++k) {
            each.start();
            const Status s = fireOne(references.at(1 + engineMs.size()));
            engineMs << msSince(each);
            if (!s)
                return s.error();
        }
        for (int k = 0; k < kBlock && bareMs.size() < actions; ++k) {
            each.start();
            const Status s = insertOne(body);
            bareMs << msSince(each);
            if (!s)
                return s.error();
        }
    }
    const auto sum = [](const QList<double> &values) { return std::accumulate(values.cbegin(), values.cend(), 0.0); };
    const ActionFigures figures {rateOf(engineMs, sum(engineMs)), rateOf(bareMs, sum(bareMs))};

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
};

// Fills the requests table straight through Qt Sql: this is setup, not what
// is measured, so it skips the engine and commits every kLoadBatch rows.
Result<LoadSummary> bulkLoad(const Connection &connection, const WorkflowLibrary &library, const QStringList &assignees, int rows)
{
    QRandomGenerator rng(20260302); // fixed: every run loads the same register

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
    QHash<QString, RightProfile> profiles;
    Weighted rights;
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
        profiles.insert(right, profile);
        rights.add(right, weight);
    }
    Weighted channels;
    channels.add(QStringLiteral("email"), 0.45);
    channels.add(QStringLiteral("web"), 0.25);
    channels.add(QStringLiteral("post"), 0.12);
    channels.add(QStringLiteral("telephone"), 0.08);
    channels.add(QStringLiteral("in-person"), 0.05);
    channels.add(QStringLiteral("webchat"), 0.05);
    // Some officers carry more of the load than others.
    Weighted officers;
    for (qsizetype i = 0; i < assignees.size(); ++i)
        officers.add(assignees.at(i), 1.0 / (1.0 + 0.15 * double(i)));

    const QStringList firstNames {QStringLiteral("Margaret"), QStringLiteral("David"), QStringLiteral("Aisha"),
        QStringLiteral("Tomasz"), QStringLiteral("Siobhan"), QStringLiteral("Kwame"), QStringLiteral("Priya"),
        QStringLiteral("Gareth"), QStringLiteral("Li"), QStringLiteral("Fatima"), QStringLiteral("Owen"),
        QStringLiteral("Chloe")};
    const QStringList lastNames {QStringLiteral("Ellis"), QStringLiteral("Jones"), QStringLiteral("Khan"),
        QStringLiteral("Nowak"), QStringLiteral("Murphy"), QStringLiteral("Mensah"), QStringLiteral("Patel"),
        QStringLiteral("Evans"), QStringLiteral("Chen"), QStringLiteral("Hussain"), QStringLiteral("Hughes"),
        QStringLiteral("Byrne")};
    const QStringList postcodes {QStringLiteral("L20 7AB"), QStringLiteral("L1 8JQ"), QStringLiteral("CH41 5LH"),
        QStringLiteral("M4 1HN"), QStringLiteral("WA10 1BA"), QStringLiteral("PR8 1DB")};
    const QStringList scopes {QStringLiteral("Everything the council holds about me"),
        QStringLiteral("My housing file and any correspondence about my tenancy since 2019"),
        QStringLiteral("CCTV footage of the car park on the date given"), QStringLiteral("Records held by children's services"),
        QStringLiteral("Council tax account history")};

    const QStringList columns {QStringLiteral("reference"), QStringLiteral("right_name"), QStringLiteral("channel"),
        QStringLiteral("received_at"), QStringLiteral("requester_name"), QStringLiteral("requester_email"),
        QStringLiteral("requester_postcode"), QStringLiteral("scope"), QStringLiteral("assignee"), QStringLiteral("state"),
        QStringLiteral("closed"), QStringLiteral("workflow_id"), QStringLiteral("workflow_hash"), QStringLiteral("version"),
        QStringLiteral("identity_verified_at"), QStringLiteral("responded_at"), QStringLiteral("closed_at"),
        QStringLiteral("created_at"), QStringLiteral("updated_at")};
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

    const QTimeZone utc = QTimeZone::utc();
    auto stamp = [&utc](qint64 ms) { return isoUtc(QDateTime::fromMSecsSinceEpoch(ms, utc)); };
    const qint64 endMs = QDateTime::currentMSecsSinceEpoch();
    const auto spanMs = qint64(5 * 365.25 * double(kDayMs));
    const qint64 startMs = endMs - spanMs;
    QHash<int, int> lastNumber; // per year, as nextReference() numbers them

    LoadSummary summary;
    QElapsedTimer timer;
    timer.start();
    if (Result<QSqlQuery> q = connection.exec(QStringLiteral("BEGIN")); !q)
        return q.error();
    for (int i = 0; i < rows; ++i) {
        // Generated in time order, as a register fills; ids rise with received_at.
        const qint64 receivedMs = startMs + qint64((double(i) + rng.generateDouble()) * double(spanMs) / double(rows));
        const qint64 createdMs = qMin(endMs, receivedMs + qint64(rng.bounded(2 * 3600 * 1000)));
        const QString &right = rights.pick(rng);
        const RightProfile &profile = profiles[right];
        // About 90% closed: most of the last six months is still open, little before it.
        const bool recent = endMs - receivedMs < spanMs / 10;
        const bool closed = rng.generateDouble() >= (recent ? 0.70 : 0.035);
        QString state;
        QString assignee = officers.pick(rng);
        QString identityVerified;
        QString responded;
        QString closedAt;
        qint64 updatedMs = createdMs;
        int version = 0;
        if (closed) {
            state = profile.closedStates.pick(rng);
            const qint64 closedMs = qBound(createdMs, receivedMs + (5 + rng.bounded(40)) * kDayMs, endMs);
            closedAt = stamp(closedMs);
            updatedMs = closedMs;
            if (state == profile.outcome) {
                identityVerified = stamp(qMin(closedMs, receivedMs + (1 + rng.bounded(4)) * kDayMs));
                responded = closedAt;
            }
            version = 4 + int(rng.bounded(6));
            ++summary.closed;
        } else {
            state = profile.activeStates.at(rng.bounded(int(profile.activeStates.size())));
            if (state == profile.def->initial && rng.bounded(2) == 0)
                assignee.clear(); // not yet picked up
            updatedMs = qMin(endMs, createdMs + qint64(rng.bounded(10)) * kDayMs);
            version = 1 + int(rng.bounded(4));
        }
        const int year = QDateTime::fromMSecsSinceEpoch(createdMs, utc).date().year();
        const int number = ++lastNumber[year];
        const QString &first = firstNames.at(rng.bounded(int(firstNames.size())));
        const QString &last = lastNames.at(rng.bounded(int(lastNames.size())));

        int c = 0;
        insert.bindValue(c++, QStringLiteral("DSR-%1-%2").arg(year).arg(number, 6, 10, QLatin1Char('0')));
        insert.bindValue(c++, right);
        insert.bindValue(c++, channels.pick(rng));
        insert.bindValue(c++, stamp(receivedMs));
        insert.bindValue(c++, first + QLatin1Char(' ') + last);
        insert.bindValue(c++, QStringLiteral("%1.%2%3@example.org").arg(first.toLower(), last.toLower()).arg(i % 9973));
        insert.bindValue(c++, postcodes.at(rng.bounded(int(postcodes.size()))));
        insert.bindValue(c++, scopes.at(rng.bounded(int(scopes.size()))));
        insert.bindValue(c++, assignee.isNull() ? QStringLiteral("") : assignee);
        insert.bindValue(c++, state);
        insert.bindValue(c++, closed ? 1 : 0);
        insert.bindValue(c++, profile.def->id);
        insert.bindValue(c++, profile.def->hash);
        insert.bindValue(c++, version);
        insert.bindValue(c++, identityVerified.isNull() ? QStringLiteral("") : identityVerified);
        insert.bindValue(c++, responded.isNull() ? QStringLiteral("") : responded);
        insert.bindValue(c++, closedAt.isNull() ? QStringLiteral("") : closedAt);
        insert.bindValue(c++, stamp(createdMs));
        insert.bindValue(c++, stamp(updatedMs));
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
    summary.seconds = msSince(timer) / 1000.0;
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
    QStringList lines;
    bool fullScan = false;
    bool sorts = false;
    QString index;
};

Result<PlanReading> queryPlan(const Connection &connection, const ListStatement &statement)
{
    Result<QSqlQuery> q = connection.exec(QStringLiteral("EXPLAIN QUERY PLAN ") + statement.sql, statement.values);
    if (!q)
        return q.error();
    PlanReading plan;
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

QString verdict(const PlanReading &plan)
{
    if (plan.fullScan)
        return QStringLiteral("FULL SCAN of requests (no index)%1")
            .arg(plan.sorts ? QStringLiteral(", then sorts every match") : QString());
    if (plan.index.isEmpty())
        return QStringLiteral("no index named in the plan");
    return QStringLiteral("index %1, %2")
        .arg(plan.index,
            plan.sorts ? QStringLiteral("but SORTS every match in a temp b-tree before paging")
                       : QStringLiteral("rows come in ORDER BY order (no sort)"));
}

struct ListCase {
    QString label;
    RequestFilter filter;
    bool showPlan = false;
    bool inBrief = true;
};

Status benchList(const QString &file, int requests)
{
    heading(QStringLiteral("== 3. list/filter on %1 requests (SqlStore::listRequests, median of %2 runs) ==")
                .arg(requests)
                .arg(kListRuns));
    // The store's own migrations make the schema; the load goes round the engine.
    SqlStore store(SqlDialect::Sqlite, file, SqlStore::Options {true});
    if (Status s = store.open(); !s)
        return s;
    Result<WorkflowLibrary> library = WorkflowLibrary::load(workflowsDir());
    if (!library)
        return library.error();
    QStringList assignees;
    {
        Transaction tx(store);
        if (Status s = tx.begin(); !s)
            return s;
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (const WorkflowDefinition &def : library->all()) {
            if (Status s = store.storeDefinition(def.hash, def.id, def.right, def.canonicalJson, now); !s)
                return s;
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
            return s;
    }

    Connection connection(QStringLiteral("bench-bulk"));
    if (Status s = connection.open(file); !s)
        return s;
    Result<LoadSummary> loaded = bulkLoad(connection, *library, assignees, requests);
    if (!loaded)
        return loaded.error();
    figure(QStringLiteral("setup: requests bulk-loaded (not measured)"), QString::number(loaded->rows));
    figure(QStringLiteral("setup: load time, s"), fixed(loaded->seconds));
    figure(
        QStringLiteral("setup: share closed, %"), fixed(100.0 * double(loaded->closed) / double(qMax<qint64>(1, loaded->rows))));
    figure(QStringLiteral("setup: register file, MB"), fixed(double(QFileInfo(file).size()) / (1024.0 * 1024.0)));

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
        Result<PlanReading> plan = queryPlan(connection, statement);
        if (!plan)
            return plan.error();

        const double ms = median(samples);
        figure(listCase.label + QStringLiteral(", median ms"), fixed(ms, 2),
            target + (ms >= kListTargetMs ? QStringLiteral("  OVER TARGET") : QString()));
        figure(QStringLiteral("    matching requests / rows returned"),
            QStringLiteral("%1 / %2").arg(matching->toLongLong()).arg(returned));
        // A plan that scans or sorts is shown whether asked for or not.
        if (listCase.showPlan || plan->fullScan || plan->sorts) {
            out() << QStringLiteral("    SQL: ") << statement.sql << Qt::endl;
            for (const QString &line : plan->lines)
                out() << QStringLiteral("    EXPLAIN QUERY PLAN: ") << line << Qt::endl;
        }
        figure(QStringLiteral("    plan"), verdict(*plan));
    }
    return {};
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_register"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Times the Rightsflow SQLite register: engine actions against a bare SQLite baseline with the same durability, "
        "and list/filter pages on a large register. Prints figures beside their targets; asserts nothing."));
    parser.addHelpOption();
    const QCommandLineOption actionsOption(QStringLiteral("actions"),
        QStringLiteral("Engine actions to time, and bare inserts to compare them with (default 500)."), QStringLiteral("N"),
        QStringLiteral("500"));
    const QCommandLineOption requestsOption(QStringLiteral("requests"),
        QStringLiteral("Requests to load for the list/filter figures (default 1000000; smaller for a quick run)."),
        QStringLiteral("N"), QStringLiteral("1000000"));
    const QCommandLineOption keepOption(QStringLiteral("keep"),
        QStringLiteral("Write the register files to DIR and keep them (default: a temporary directory, removed after)."),
        QStringLiteral("DIR"));
    parser.addOptions({actionsOption, requestsOption, keepOption});
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
    for (const QString &file : {engineFile, bareFile, listFile}) {
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

    if (Status s = printMachine(directory); !s)
        return failed(s.error());

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

    if (Status s = benchList(listFile, requests); !s)
        return failed(s.error());

    if (parser.isSet(keepOption))
        out() << Qt::endl << QStringLiteral("register files kept in ") << QDir::toNativeSeparators(directory) << Qt::endl;
    return 0;
}
