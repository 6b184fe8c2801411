// SPDX-License-Identifier: GPL-3.0-or-later
#include "SqlStore.h"

#include "core/Clock.h"
#include "core/Logging.h"
#include "core/SafeOutput.h"
#include "request/IntakeValidator.h"
#include "store/ConnectionUrl.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QUrl>
#include <QUuid>

#include <sys/statvfs.h>
#include <unistd.h>

namespace rf {

namespace {

// The first column of a row, as text.
QString firstText(const Rows &q)
{
    return q.value(0).toString();
}

QString sqlTime(const QDateTime &t)
{
    return t.isValid() ? isoUtc(t) : QString();
}

QDateTime fromSqlTime(const QVariant &v)
{
    const QString text = v.toString();
    return text.isEmpty() ? QDateTime() : parseIsoDateTime(text);
}

// The request columns, in the order insert/update bind them.
const QStringList kRequestColumns {
    QStringLiteral("reference"),
    QStringLiteral("right_name"),
    QStringLiteral("channel"),
    QStringLiteral("received_at"),
    QStringLiteral("requester_name"),
    QStringLiteral("requester_email"),
    QStringLiteral("requester_phone"),
    QStringLiteral("requester_address"),
    QStringLiteral("requester_postcode"),
    QStringLiteral("acting_for_subject"),
    QStringLiteral("subject_name"),
    QStringLiteral("subject_email"),
    QStringLiteral("subject_phone"),
    QStringLiteral("subject_address"),
    QStringLiteral("subject_postcode"),
    QStringLiteral("relationship"),
    QStringLiteral("authority_received"),
    QStringLiteral("scope"),
    QStringLiteral("assignee"),
    QStringLiteral("state"),
    QStringLiteral("closed"),
    QStringLiteral("workflow_id"),
    QStringLiteral("workflow_hash"),
    QStringLiteral("version"),
    QStringLiteral("possible_duplicate_of"),
    QStringLiteral("identity_verified_at"),
    QStringLiteral("responded_at"),
    QStringLiteral("closed_at"),
    QStringLiteral("created_at"),
    QStringLiteral("updated_at"),
    QStringLiteral("rule_set"),
    QStringLiteral("identity_received_on"),
    QStringLiteral("fee_paid_on"),
    QStringLiteral("awaiting_evidence"),
    QStringLiteral("clock_pauses"),
    QStringLiteral("extended"),
    QStringLiteral("extension_reason"),
    QStringLiteral("extension_notice_on"),
    QStringLiteral("deadline_started"),
    QStringLiteral("deadline_start"),
    QStringLiteral("due_date"),
    QStringLiteral("first_period_end"),
    QStringLiteral("paused_days"),
    QStringLiteral("deadline_provisional"),
    QStringLiteral("deadline_explanation"),
    QStringLiteral("state_entered_at"),
    QStringLiteral("purged_at"),
};

QString sqlDate(const QDate &date)
{
    return date.isValid() ? date.toString(Qt::ISODate) : QString();
}

QDate fromSqlDate(const QVariant &v)
{
    return QDate::fromString(v.toString(), Qt::ISODate);
}

// Pauses as "2026-03-05..2026-03-09,2026-04-01.." (an open pause has no end).
QString pausesText(const QList<ClockPause> &pauses)
{
    QStringList parts;
    for (const ClockPause &p : pauses)
        parts << sqlDate(p.from) + QStringLiteral("..") + sqlDate(p.to);
    return parts.join(QLatin1Char(','));
}

QList<ClockPause> pausesFromText(const QString &text)
{
    QList<ClockPause> pauses;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const qsizetype dots = part.indexOf(QStringLiteral(".."));
        if (dots > 0)
            pauses.append(
                ClockPause {QDate::fromString(part.left(dots), Qt::ISODate), QDate::fromString(part.mid(dots + 2), Qt::ISODate)});
    }
    return pauses;
}

QVariantList requestValues(const Request &r)
{
    return {
        r.reference,
        r.right,
        r.channel,
        sqlTime(r.received),
        r.requester.name,
        r.requester.email,
        r.requester.phone,
        r.requester.address,
        r.requester.postcode,
        r.actingForSubject ? 1 : 0,
        r.subject.name,
        r.subject.email,
        r.subject.phone,
        r.subject.address,
        r.subject.postcode,
        r.relationship,
        r.authorityReceived ? 1 : 0,
        r.scope,
        r.assignee,
        r.state,
        r.closedAt.isValid() ? 1 : 0,
        r.workflowId,
        r.workflowHash,
        r.version,
        r.possibleDuplicateOf,
        sqlTime(r.identityVerifiedAt),
        sqlTime(r.respondedAt),
        sqlTime(r.closedAt),
        sqlTime(r.createdAt),
        sqlTime(r.updatedAt),
        r.ruleSet,
        sqlDate(r.identityReceived),
        sqlDate(r.feePaid),
        r.awaitingEvidence ? 1 : 0,
        pausesText(r.pauses),
        r.extended ? 1 : 0,
        r.extensionReason,
        sqlDate(r.extensionNoticeOn),
        r.deadline.started ? 1 : 0,
        sqlDate(r.deadline.start),
        sqlDate(r.deadline.due),
        sqlDate(r.deadline.firstPeriodEnd),
        r.deadline.pausedDays,
        r.deadline.provisional ? 1 : 0,
        r.deadline.explanation.join(QLatin1Char('\n')),
        sqlTime(r.stateEnteredAt),
        sqlTime(r.purgedAt),
    };
}

} // namespace

SqlStore::SqlStore(SqlDialect dialect, QString location, Options options)
    : m_dialect(dialect)
    , m_location(std::move(location))
    , m_options(options)
    , m_connection(QStringLiteral("rightsflow-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{ }

SqlStore::ReadSnapshot::ReadSnapshot(SqlStore &store)
    : m_store(store)
{
    if (store.m_inTransaction)
        return;
    const QString statement = store.m_dialect == SqlDialect::Postgres ? QStringLiteral("BEGIN ISOLATION LEVEL REPEATABLE READ")
                                                                      : QStringLiteral("BEGIN");
    QSqlQuery query(QSqlDatabase::database(store.m_connection, false));
    m_ok = query.exec(statement);
    m_owns = m_ok;
    store.m_inTransaction = m_owns;
}

SqlStore::ReadSnapshot::~ReadSnapshot()
{
    if (!m_owns)
        return;
    m_store.finishStatements();
    QSqlQuery query(QSqlDatabase::database(m_store.m_connection, false));
    if (!query.exec(QStringLiteral("COMMIT")))
        qCWarning(lcStore) << "ending a read transaction failed:" << query.lastError().text();
    m_store.m_inTransaction = false;
}

void SqlStore::finishStatements()
{
    // A statement left mid-result holds SQLite's read lock and can make
    // COMMIT fail; every use is over by the time a transaction ends.
    for (auto &[sql, query] : m_prepared)
        query->finish();
}

SqlStore::~SqlStore()
{
    m_prepared.clear();
    if (QSqlDatabase::contains(m_connection)) {
        {
            QSqlDatabase db = QSqlDatabase::database(m_connection, false);
            if (m_inTransaction)
                QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
            db.close();
        }
        QSqlDatabase::removeDatabase(m_connection);
    }
}

QString SqlStore::describe() const
{
    if (m_dialect == SqlDialect::Sqlite)
        return QStringLiteral("SQLite register %1").arg(QDir::toNativeSeparators(m_location));
    const Result<PostgresLocation> location = PostgresLocation::parse(m_location);
    return location ? location->display() : QStringLiteral("PostgreSQL register");
}

Error SqlStore::storageError(const QString &what, const QSqlQuery &query) const
{
    const QSqlError error = query.lastError();
    // PostgreSQL reports the races of a shared register by SQLSTATE: a
    // deadlock or serialisation failure (the other side won, try again) and a
    // unique violation (someone else just created the same thing).
    const QString state = error.nativeErrorCode();
    const bool lostRace = m_dialect == SqlDialect::Postgres
        && (state == QLatin1String("40P01") || state == QLatin1String("40001") || state == QLatin1String("23505")
            || state == QLatin1String("55P03"));
    if (lostRace) {
        // The server's own account (process ids, lock details) helps an
        // administrator, not an officer: it goes to the log.
        qCWarning(lcStore) << describe() << what << error.text();
        return makeError(ErrorCode::Conflict,
            QStringLiteral("%1: another change to the register happened at the same moment (PostgreSQL %2); nothing was "
                           "saved, try again")
                .arg(describe(), state));
    }
    return makeError(ErrorCode::Storage, QStringLiteral("%1: %2 (%3)").arg(describe(), what, error.text().trimmed()));
}

Result<Rows> SqlStore::exec(const QString &sql, const QVariantList &values)
{
    // Statements are prepared once per connection and reused: preparing was
    // a quarter of the cost of an action.
    auto cached = m_prepared.find(sql);
    if (cached == m_prepared.end()) {
        auto prepared = std::make_unique<QSqlQuery>(QSqlDatabase::database(m_connection, false));
        prepared->setForwardOnly(true);
        if (!prepared->prepare(sql))
            return storageError(QStringLiteral("cannot prepare a statement"), *prepared);
        cached = m_prepared.emplace(sql, std::move(prepared)).first;
    }
    QSqlQuery &query = *cached->second;
    query.finish();
    for (qsizetype i = 0; i < values.size(); ++i) {
        const QVariant &value = values.at(i);
        // A null QString would bind as SQL NULL; the register stores "no
        // value" as an empty string, so NOT NULL columns hold.
        if (value.metaType().id() == QMetaType::QString && value.toString().isNull())
            query.bindValue(int(i), QStringLiteral(""));
        else
            query.bindValue(int(i), value);
    }
    if (!query.exec())
        return storageError(QStringLiteral("a statement failed"), query);
    return Rows(query);
}

Status SqlStore::open()
{
    Status connected = m_dialect == SqlDialect::Sqlite ? openSqlite() : openPostgres();
    if (!connected)
        return connected;
    if (Status s = migrateOrCheck(); !s)
        return s;
    const StatementsDone done(*this);
    Result<Rows> rehearsal = exec(QStringLiteral("SELECT value FROM meta WHERE key = 'rehearsal'"));
    if (!rehearsal)
        return rehearsal.error();
    m_rehearsal = rehearsal->next() && rehearsal->value(0).toString() == QLatin1String("true");
    return {};
}

Status SqlStore::migrateOrCheck()
{
    Migrator migrator(m_connection, m_dialect);
    if (m_readOnly) {
        const Result<int> version = migrator.currentVersion();
        if (!version)
            return makeError(version.error().code, QStringLiteral("%1: %2").arg(describe(), version.error().message));
        if (*version < migrator.latestVersion())
            return makeError(ErrorCode::Unsupported,
                QStringLiteral("%1 can only be read, and it was written by an older Rightsflow (schema version %2, this one "
                               "reads %3): upgrade a writable copy of it first")
                    .arg(describe())
                    .arg(*version)
                    .arg(migrator.latestVersion()));
        if (*version > migrator.latestVersion())
            return makeError(ErrorCode::Unsupported,
                QStringLiteral("%1 was written by a newer Rightsflow (schema version %2; this one knows up to %3): "
                               "upgrade Rightsflow rather than opening it with this one")
                    .arg(describe())
                    .arg(*version)
                    .arg(migrator.latestVersion()));
        return {};
    }
    const Result<int> migrated = migrator.migrate();
    if (!migrated)
        return makeError(migrated.error().code, QStringLiteral("%1: %2").arg(describe(), migrated.error().message));
    return {};
}

Status SqlStore::openPostgres()
{
    Result<PostgresLocation> location = PostgresLocation::parse(m_location);
    if (!location)
        return location.error();
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
        return makeError(
            ErrorCode::Unsupported, QStringLiteral("Qt's PostgreSQL driver is not installed (Debian package libqt6sql6-psql)"));
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connection);
    db.setHostName(location->host);
    db.setPort(location->port);
    db.setDatabaseName(location->database);
    db.setUserName(location->user);
    db.setPassword(location->password);
    db.setConnectOptions(location->options.join(QLatin1Char(';')));
    if (!db.open())
        return makeError(ErrorCode::Storage,
            QStringLiteral("%1: cannot connect: %2").arg(describe(), db.lastError().databaseText().trimmed()));
    QSqlQuery session(db);
    // A writer waits for another's lock a while rather than fail at once, and
    // a connection left mid-transaction does not hold locks for ever.
    const QStringList settings {
        QStringLiteral("SET lock_timeout = '15s'"), QStringLiteral("SET idle_in_transaction_session_timeout = '10min'")};
    for (const QString &statement : settings) {
        if (!session.exec(statement))
            return storageError(QStringLiteral("cannot prepare the session (%1)").arg(statement), session);
    }
    // As with a SQLite file: another program's tables are left alone, and
    // only 'init' turns an empty database into a register.
    if (!session.exec(QStringLiteral("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")))
        return storageError(QStringLiteral("cannot list the database's tables"), session);
    QStringList tables;
    while (session.next())
        tables << session.value(0).toString();
    session.finish();
    if (!tables.contains(QStringLiteral("meta"))) {
        if (!tables.isEmpty())
            return makeError(ErrorCode::Invalid,
                QStringLiteral("%1 holds another program's tables, not a Rightsflow register; it was left unchanged")
                    .arg(describe()));
        if (!m_options.createIfMissing)
            return makeError(ErrorCode::NotFound,
                QStringLiteral("%1 is empty, not a register yet; create one with 'rightsflow init --db URL'").arg(describe()));
    }
    return {};
}

Status SqlStore::openSqlite()
{
    const QFileInfo file(m_location);
    if (!file.exists()) {
        if (!m_options.createIfMissing)
            return makeError(ErrorCode::NotFound,
                QStringLiteral("no register at %1; create one with 'rightsflow init --db %1'")
                    .arg(QDir::toNativeSeparators(m_location)));
        if (!QDir().mkpath(file.absolutePath()))
            return makeError(
                ErrorCode::Storage, QStringLiteral("cannot create the folder %1 for the register").arg(file.absolutePath()));
    }

    // Whatever a person types as an output file, it is never the register.
    SafeOutput::protectDatabase(m_location);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    // A register on a read-only disk (a DVD of an archived register, a
    // read-only mount for an auditor) or without write permission is opened
    // for reading: SQLite cannot make the -shm file WAL needs there, so a
    // cleanly closed register (no -wal left) is opened as immutable.
    const QString folder = file.absolutePath();
    m_readOnly = file.exists()
        && (::access(QFile::encodeName(m_location).constData(), W_OK) != 0
            || ::access(QFile::encodeName(folder).constData(), W_OK) != 0);
    if (m_readOnly) {
        // Immutable (no locks, no -shm) only where nothing can write: a
        // read-only mount with no WAL pending. An account that merely may not
        // write reads with locks, beside whoever may.
        struct statvfs mount {
        };
        const bool readOnlyMount
            = ::statvfs(QFile::encodeName(folder).constData(), &mount) == 0 && (mount.f_flag & ST_RDONLY) != 0;
        const QFileInfo wal(QFileInfo(file.canonicalFilePath()).absoluteFilePath() + QStringLiteral("-wal"));
        const bool immutable = readOnlyMount && !(wal.exists() && wal.size() > 0);
        db.setDatabaseName(QStringLiteral("file:%1%2")
                               .arg(QString::fromLatin1(QUrl::toPercentEncoding(file.canonicalFilePath(), "/")),
                                   immutable ? QStringLiteral("?mode=ro&immutable=1") : QStringLiteral("?mode=ro")));
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_OPEN_URI;QSQLITE_BUSY_TIMEOUT=15000"));
    } else {
        db.setDatabaseName(m_location);
        // Wait for another writer (a second desktop, the worker) rather than fail at once.
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=15000"));
    }
    if (!db.open())
        return makeError(ErrorCode::Storage, QStringLiteral("%1: cannot open: %2").arg(describe(), db.lastError().text()));

    // Look before touching: another program's database must be left exactly
    // as it was, and only 'init' turns an empty file into a register.
    QSqlQuery probe(db);
    if (!probe.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table'")))
        // Storage, not Invalid: a register damaged on disk reads the same way.
        return makeError(ErrorCode::Storage,
            QStringLiteral("%1 is not a Rightsflow register: it is not an SQLite database (%2)")
                .arg(QDir::toNativeSeparators(m_location), probe.lastError().text()));
    QStringList tables;
    while (probe.next())
        tables << probe.value(0).toString();
    probe.finish();
    if (!tables.contains(QStringLiteral("meta"))) {
        if (!tables.isEmpty())
            return makeError(ErrorCode::Invalid,
                QStringLiteral("%1 is an SQLite database of another program, not a Rightsflow register; it was left unchanged")
                    .arg(QDir::toNativeSeparators(m_location)));
        if (!m_options.createIfMissing)
            return makeError(ErrorCode::NotFound,
                QStringLiteral("%1 is empty, not a register yet; create one with 'rightsflow init --db %1'")
                    .arg(QDir::toNativeSeparators(m_location)));
    }

    if (m_readOnly)
        return {};
    QSqlQuery pragma(db);
    // WAL lets readers run beside the writer; synchronous=FULL makes every
    // commit durable before it is acknowledged.
    const QStringList pragmas {QStringLiteral("PRAGMA journal_mode=WAL"), QStringLiteral("PRAGMA synchronous=FULL"),
        QStringLiteral("PRAGMA foreign_keys=ON")};
    for (const QString &statement : pragmas) {
        if (!pragma.exec(statement))
            return storageError(QStringLiteral("cannot set %1").arg(statement), pragma);
    }
    return {};
}

int SqlStore::schemaVersion()
{
    const Result<int> version = Migrator(m_connection, m_dialect).currentVersion();
    return version ? *version : -1;
}

Status SqlStore::begin()
{
    finishStatements();
    if (m_readOnly)
        return makeError(ErrorCode::Storage,
            QStringLiteral("%1 can only be read (it is on a read-only disk, or this account may not write to it or to its "
                           "folder): nothing was changed")
                .arg(describe()));
    // IMMEDIATE takes the write lock at once, so two writers queue on the busy
    // timeout instead of deadlocking when a reader upgrades to a writer.
    const QString statement = m_dialect == SqlDialect::Sqlite ? QStringLiteral("BEGIN IMMEDIATE") : QStringLiteral("BEGIN");
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    if (!query.exec(statement))
        return storageError(QStringLiteral("cannot start a transaction"), query);
    m_inTransaction = true;
    return {};
}

Status SqlStore::commit()
{
    finishStatements();
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    if (!query.exec(QStringLiteral("COMMIT")))
        return storageError(QStringLiteral("cannot commit"), query);
    m_inTransaction = false;
    return {};
}

void SqlStore::rollback()
{
    if (!m_inTransaction)
        return;
    finishStatements();
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    if (!query.exec(QStringLiteral("ROLLBACK")))
        qCWarning(lcStore) << "rollback failed:" << query.lastError().text();
    m_inTransaction = false;
}

// --- users -----------------------------------------------------------------

Result<User> SqlStore::addUser(const User &user)
{
    const StatementsDone done(*this);
    // Names are unique ignoring case (the users_name_folded index holds it
    // against a concurrent add); the message names the one already there.
    Result<Rows> same = exec(QStringLiteral("SELECT name, role FROM users WHERE lower(name) = lower(?)"), {user.name});
    if (!same)
        return same.error();
    if (same->next()) {
        const QString taken = same->value(0).toString();
        return makeError(ErrorCode::Conflict,
            taken == user.name
                ? QStringLiteral("a user named '%1' already exists (role %2)").arg(taken, same->value(1).toString())
                : QStringLiteral("a user named '%1' already exists (role %2), and user names are compared "
                                 "ignoring case, so '%3' would look like the same person")
                      .arg(taken, same->value(1).toString(), user.name));
    }
    Result<Rows> q
        = exec(QStringLiteral("INSERT INTO users (name, role, email, active, created_at) VALUES (?, ?, ?, 1, ?) RETURNING id"),
            {user.name, user.role, user.email, isoUtc(QDateTime::currentDateTimeUtc())});
    if (!q)
        return q.error();
    User stored = user;
    if (q->next())
        stored.id = q->value(0).toLongLong();
    return stored;
}

Result<std::optional<User>> SqlStore::findUser(const QString &name)
{
    const StatementsDone done(*this);
    Result<Rows> q = exec(QStringLiteral("SELECT id, name, role, email, active FROM users WHERE name = ?"), {name});
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<User>();
    return std::optional<User>(User {q->value(0).toLongLong(), q->value(1).toString(), q->value(2).toString(),
        q->value(3).toString(), q->value(4).toInt() != 0});
}

Result<QList<User>> SqlStore::users()
{
    const StatementsDone done(*this);
    return selectAll<User>(
        QStringLiteral("SELECT id, name, role, email, active FROM users ORDER BY name"), {}, [](const Rows &q) {
            return User {q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(), q.value(3).toString(),
                q.value(4).toInt() != 0};
        });
}

// --- workflow definitions ----------------------------------------------------

Status SqlStore::storeDefinition(
    const QString &hash, const QString &workflowId, const QString &right, const QByteArray &canonicalJson, const QDateTime &now)
{
    const StatementsDone done(*this);
    Result<Rows> q
        = exec(QStringLiteral("INSERT INTO workflow_definitions (hash, workflow_id, right_name, definition, first_used_at) "
                              "VALUES (?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING"),
            {hash, workflowId, right, QString::fromUtf8(canonicalJson), isoUtc(now)});
    if (!q)
        return q.error();
    return {};
}

Result<QByteArray> SqlStore::definitionJson(const QString &hash)
{
    const StatementsDone done(*this);
    Result<Rows> q = exec(QStringLiteral("SELECT definition FROM workflow_definitions WHERE hash = ?"), {hash});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorCode::NotFound, QStringLiteral("%1: no workflow definition with hash %2").arg(describe(), hash));
    return q->value(0).toString().toUtf8();
}

// --- requests ------------------------------------------------------------------

Result<QString> SqlStore::nextReference(int year)
{
    const StatementsDone done(*this);
    // Numbers are taken inside the filing transaction: a rolled-back filing
    // may leave a gap, never a duplicate.
    Result<Rows> q = exec(QStringLiteral("INSERT INTO reference_counters (year, last_number) VALUES (?, 1) "
                                         "ON CONFLICT (year) DO UPDATE SET last_number = reference_counters.last_number + 1 "
                                         "RETURNING last_number"),
        {year});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorCode::Storage, QStringLiteral("%1: could not allocate a reference number").arg(describe()));
    return QStringLiteral("DSR-%1-%2").arg(year).arg(q->value(0).toLongLong(), 6, 10, QLatin1Char('0'));
}

Result<qint64> SqlStore::insertRequest(const Request &request)
{
    const StatementsDone done(*this);
    QStringList marks;
    for (qsizetype i = 0; i < kRequestColumns.size(); ++i)
        marks << QStringLiteral("?");
    Result<Rows> q = exec(QStringLiteral("INSERT INTO requests (%1) VALUES (%2) RETURNING id")
                              .arg(kRequestColumns.join(QStringLiteral(", ")), marks.join(QStringLiteral(", "))),
        requestValues(request));
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorCode::Storage, QStringLiteral("%1: the new request got no id").arg(describe()));
    const qint64 id = q->value(0).toLongLong();

    for (qsizetype i = 0; i < request.identifiers.size(); ++i) {
        const Identifier &identifier = request.identifiers.at(i);
        Result<Rows> idq = exec(QStringLiteral("INSERT INTO request_identifiers (request_id, position, kind, value, normalized) "
                                               "VALUES (?, ?, ?, ?, ?)"),
            {id, int(i), identifier.kind, identifier.value,
                IntakeValidator::normalizeIdentifier(identifier.kind, identifier.value)});
        if (!idq)
            return idq.error();
    }
    return id;
}

Result<Request> SqlStore::loadRequest(const QString &reference, RequestDetail detail)
{
    const StatementsDone done(*this);
    Result<Rows> q
        = exec(QStringLiteral("SELECT id, %1 FROM requests WHERE reference = ?").arg(kRequestColumns.join(QStringLiteral(", "))),
            {reference});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorCode::NotFound, QStringLiteral("no request %1 in the register").arg(reference));
    int c = 0;
    Request r;
    r.id = q->value(c++).toLongLong();
    r.reference = q->value(c++).toString();
    r.right = q->value(c++).toString();
    r.channel = q->value(c++).toString();
    r.received = fromSqlTime(q->value(c++));
    r.requester = Person {q->value(c).toString(), q->value(c + 1).toString(), q->value(c + 2).toString(),
        q->value(c + 3).toString(), q->value(c + 4).toString()};
    c += 5;
    r.actingForSubject = q->value(c++).toInt() != 0;
    r.subject = Person {q->value(c).toString(), q->value(c + 1).toString(), q->value(c + 2).toString(),
        q->value(c + 3).toString(), q->value(c + 4).toString()};
    c += 5;
    r.relationship = q->value(c++).toString();
    r.authorityReceived = q->value(c++).toInt() != 0;
    r.scope = q->value(c++).toString();
    r.assignee = q->value(c++).toString();
    r.state = q->value(c++).toString();
    c++; // closed: derived from closed_at
    r.workflowId = q->value(c++).toString();
    r.workflowHash = q->value(c++).toString();
    r.version = q->value(c++).toLongLong();
    r.possibleDuplicateOf = q->value(c++).toString();
    r.identityVerifiedAt = fromSqlTime(q->value(c++));
    r.respondedAt = fromSqlTime(q->value(c++));
    r.closedAt = fromSqlTime(q->value(c++));
    r.createdAt = fromSqlTime(q->value(c++));
    r.updatedAt = fromSqlTime(q->value(c++));
    r.ruleSet = q->value(c++).toString();
    r.identityReceived = fromSqlDate(q->value(c++));
    r.feePaid = fromSqlDate(q->value(c++));
    r.awaitingEvidence = q->value(c++).toInt() != 0;
    r.pauses = pausesFromText(q->value(c++).toString());
    r.extended = q->value(c++).toInt() != 0;
    r.extensionReason = q->value(c++).toString();
    r.extensionNoticeOn = fromSqlDate(q->value(c++));
    r.deadline.ruleSet = r.ruleSet;
    r.deadline.extended = r.extended;
    r.deadline.started = q->value(c++).toInt() != 0;
    r.deadline.start = fromSqlDate(q->value(c++));
    r.deadline.due = fromSqlDate(q->value(c++));
    r.deadline.firstPeriodEnd = fromSqlDate(q->value(c++));
    r.deadline.pausedDays = q->value(c++).toInt();
    r.deadline.provisional = q->value(c++).toInt() != 0;
    const QString explanation = q->value(c++).toString();
    r.deadline.explanation = explanation.isEmpty() ? QStringList() : explanation.split(QLatin1Char('\n'));
    r.stateEnteredAt = fromSqlTime(q->value(c++));
    r.purgedAt = fromSqlTime(q->value(c++));

    // Actions never need the identifiers (they matter at intake and to people).
    if (detail == RequestDetail::Record)
        return r;
    Result<Rows> ids
        = exec(QStringLiteral("SELECT kind, value FROM request_identifiers WHERE request_id = ? ORDER BY position"), {r.id});
    if (!ids)
        return ids.error();
    while (ids->next())
        r.identifiers.append(Identifier {ids->value(0).toString(), ids->value(1).toString()});

    Result<Rows> notes
        = exec(QStringLiteral("SELECT created_at, author, body FROM request_notes WHERE request_id = ? ORDER BY id"), {r.id});
    if (!notes)
        return notes.error();
    while (notes->next())
        r.notes.append(Note {fromSqlTime(notes->value(0)), notes->value(1).toString(), notes->value(2).toString()});

    Result<Rows> files = exec(QStringLiteral("SELECT id, name, media_type, sha256, size, added_by, added_at FROM attachments "
                                             "WHERE request_id = ? ORDER BY id"),
        {r.id});
    if (!files)
        return files.error();
    while (files->next())
        r.attachments.append(Attachment {files->value(0).toLongLong(), files->value(1).toString(), files->value(2).toString(),
            files->value(3).toString(), files->value(4).toLongLong(), files->value(5).toString(), fromSqlTime(files->value(6))});
    return r;
}

Status SqlStore::updateRequest(const Request &before, const Request &after)
{
    const StatementsDone done(*this);
    // Only the changed columns are written, so SQLite leaves alone the
    // indexes that do not cover them.
    const QVariantList old = requestValues(before);
    const QVariantList now = requestValues(after);
    QStringList assignments;
    QVariantList values;
    for (qsizetype i = 0; i < kRequestColumns.size(); ++i) {
        if (old.at(i) != now.at(i)) {
            assignments << kRequestColumns.at(i) + QStringLiteral(" = ?");
            values << now.at(i);
        }
    }
    if (assignments.isEmpty())
        return {};
    values << after.id << before.version;
    Result<Rows> q
        = exec(QStringLiteral("UPDATE requests SET %1 WHERE id = ? AND version = ?").arg(assignments.join(QStringLiteral(", "))),
            values);
    if (!q)
        return q.error();
    if (q->numRowsAffected() != 1)
        return makeError(ErrorCode::Conflict,
            QStringLiteral("request %1 was changed by someone else (it is no longer at version %2)")
                .arg(after.reference)
                .arg(before.version));
    return {};
}

namespace {

// The WHERE clause of a request filter, with its values in order.
std::pair<QString, QVariantList> filterClause(const RequestFilter &filter)
{
    QStringList where;
    QVariantList values;
    const std::pair<const char *, const QString *> equals[] = {
        {"state = ?", &filter.state},
        {"right_name = ?", &filter.right},
        {"assignee = ?", &filter.assignee},
        {"channel = ?", &filter.channel},
    };
    for (const auto &[condition, value] : equals) {
        if (!value->isEmpty()) {
            where << QLatin1String(condition);
            values << *value;
        }
    }
    if (filter.openOnly)
        where << QStringLiteral("closed = 0");
    return {where.isEmpty() ? QString() : QStringLiteral("WHERE ") + where.join(QStringLiteral(" AND ")), values};
}

} // namespace

SqlStatement SqlStore::listStatement(const RequestFilter &filter)
{
    auto [where, values] = filterClause(filter);
    values << qMax(0, filter.limit) << qMax(0, filter.offset);
    return {
        QStringLiteral("SELECT reference, right_name, channel, state, received_at, requester_name, assignee, version, closed, "
                       "CASE WHEN deadline_started = 1 THEN due_date ELSE '' END, deadline_provisional "
                       "FROM requests %1 ORDER BY received_at DESC, id DESC LIMIT ? OFFSET ?")
            .arg(where),
        values};
}

SqlStatement SqlStore::countStatement(const RequestFilter &filter)
{
    const auto [where, values] = filterClause(filter);
    return {QStringLiteral("SELECT count(*) FROM requests %1").arg(where), values};
}

Result<QList<RequestSummary>> SqlStore::listRequests(const RequestFilter &filter)
{
    const StatementsDone done(*this);
    const SqlStatement statement = listStatement(filter);
    return selectAll<RequestSummary>(statement.sql, statement.values, [](const Rows &q) {
        return RequestSummary {q.value(0).toString(), q.value(1).toString(), q.value(2).toString(), q.value(3).toString(),
            fromSqlTime(q.value(4)), q.value(5).toString(), q.value(6).toString(), q.value(7).toLongLong(),
            q.value(8).toInt() != 0, fromSqlDate(q.value(9)), q.value(10).toInt() != 0};
    });
}

Result<QStringList> SqlStore::findByIdentifiers(const QString &right, const QList<Identifier> &normalised, const QDateTime &since)
{
    const StatementsDone done(*this);
    // A strong identifier on its own, or name and postcode together, marks a
    // possible duplicate; a name alone is too common.
    static const QStringList strongKinds {
        QStringLiteral("email"), QStringLiteral("phone"), QStringLiteral("ni-number"), QStringLiteral("account")};
    QStringList matches;
    QString name;
    QString postcode;
    for (const Identifier &id : normalised) {
        if (id.kind == QLatin1String("name"))
            name = id.value;
        else if (id.kind == QLatin1String("postcode"))
            postcode = id.value;
        if (!strongKinds.contains(id.kind))
            continue;
        Result<Rows> q
            = exec(QStringLiteral("SELECT DISTINCT r.reference FROM request_identifiers i JOIN requests r ON r.id = i.request_id "
                                  "WHERE i.kind = ? AND i.normalized = ? AND r.right_name = ? AND r.received_at >= ? "
                                  "ORDER BY r.reference"),
                {id.kind, id.value, right, isoUtc(since)});
        if (!q)
            return q.error();
        while (q->next()) {
            if (!matches.contains(q->value(0).toString()))
                matches << q->value(0).toString();
        }
    }
    if (!name.isEmpty() && !postcode.isEmpty()) {
        Result<Rows> q = exec(
            QStringLiteral("SELECT DISTINCT r.reference FROM requests r "
                           "JOIN request_identifiers n ON n.request_id = r.id AND n.kind = 'name' AND n.normalized = ? "
                           "JOIN request_identifiers p ON p.request_id = r.id AND p.kind = 'postcode' AND p.normalized = ? "
                           "WHERE r.right_name = ? AND r.received_at >= ? ORDER BY r.reference"),
            {name, postcode, right, isoUtc(since)});
        if (!q)
            return q.error();
        while (q->next()) {
            if (!matches.contains(q->value(0).toString()))
                matches << q->value(0).toString();
        }
    }
    matches.sort();
    return matches;
}

Status SqlStore::addNote(qint64 requestId, const Note &note)
{
    const StatementsDone done(*this);
    Result<Rows> q = exec(QStringLiteral("INSERT INTO request_notes (request_id, author, created_at, body) VALUES (?, ?, ?, ?)"),
        {requestId, note.author, isoUtc(note.at), note.text});
    if (!q)
        return q.error();
    return {};
}

Result<qint64> SqlStore::addAttachment(qint64 requestId, const Attachment &meta, const QByteArray &content)
{
    const StatementsDone done(*this);
    Result<Rows> q
        = exec(QStringLiteral("INSERT INTO attachments (request_id, name, media_type, sha256, size, content, added_by, added_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
            {requestId, meta.name, meta.mediaType, meta.sha256, meta.size, content, meta.addedBy, isoUtc(meta.addedAt)});
    if (!q)
        return q.error();
    return q->next() ? q->value(0).toLongLong() : qint64(0);
}

Result<QByteArray> SqlStore::attachmentContent(qint64 requestId, qint64 attachmentId)
{
    const StatementsDone done(*this);
    Result<Rows> q
        = exec(QStringLiteral("SELECT content FROM attachments WHERE request_id = ? AND id = ?"), {requestId, attachmentId});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorCode::NotFound, QStringLiteral("no attachment %1 on this request").arg(attachmentId));
    return q->value(0).toByteArray();
}

// --- the case file ------------------------------------------------------------

Result<bool> SqlStore::hasContent(qint64 requestId, const QString &sha256)
{
    const StatementsDone done(*this);
    Result<Rows> q = exec(QStringLiteral("SELECT 1 FROM item_contents WHERE request_id = ? AND sha256 = ?"), {requestId, sha256});
    if (!q)
        return q.error();
    return q->next();
}

Status SqlStore::addContent(qint64 requestId, const QString &sha256, qint64 size, int chunks)
{
    const StatementsDone done(*this);
    Result<Rows> q = exec(QStringLiteral("INSERT INTO item_contents (request_id, sha256, size, chunks) VALUES (?, ?, ?, ?)"),
        {requestId, sha256, size, chunks});
    if (!q)
        return q.error();
    return {};
}

Status SqlStore::addContentChunk(qint64 requestId, const QString &sha256, int seq, const QByteArray &data)
{
    const StatementsDone done(*this);
    Result<Rows> q = exec(QStringLiteral("INSERT INTO item_chunks (request_id, sha256, seq, data) VALUES (?, ?, ?, ?)"),
        {requestId, sha256, seq, data});
    if (!q)
        return q.error();
    return {};
}

Result<int> SqlStore::contentChunks(qint64 requestId, const QString &sha256)
{
    const StatementsDone done(*this);
    Result<Rows> q
        = exec(QStringLiteral("SELECT chunks FROM item_contents WHERE request_id = ? AND sha256 = ?"), {requestId, sha256});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorCode::NotFound, QStringLiteral("%1: no content %2 on this request").arg(describe(), sha256));
    return q->value(0).toInt();
}

Result<QByteArray> SqlStore::contentChunk(qint64 requestId, const QString &sha256, int seq)
{
    const StatementsDone done(*this);
    Result<Rows> q = exec(
        QStringLiteral("SELECT data FROM item_chunks WHERE request_id = ? AND sha256 = ? AND seq = ?"), {requestId, sha256, seq});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorCode::Storage,
            QStringLiteral("%1: chunk %2 of content %3 is missing from the register").arg(describe()).arg(seq).arg(sha256));
    return q->value(0).toByteArray();
}

namespace {

const QString kItemColumns = QStringLiteral(
    "id, request_id, number, kind, name, media_type, source, category, item_date, sha256, size, records, disposition, "
    "exemption, redacted_name, redacted_media_type, redacted_sha256, redacted_size, added_by, added_at, marked_by, marked_at");

CaseItem itemFromRow(const Rows &q)
{
    CaseItem item;
    item.id = q.value(0).toLongLong();
    item.requestId = q.value(1).toLongLong();
    item.number = q.value(2).toInt();
    item.kind = q.value(3).toString();
    item.name = q.value(4).toString();
    item.mediaType = q.value(5).toString();
    item.source = q.value(6).toString();
    item.category = q.value(7).toString();
    item.date = fromSqlDate(q.value(8));
    item.sha256 = q.value(9).toString();
    item.size = q.value(10).toLongLong();
    item.records = q.value(11).toInt();
    item.disposition = q.value(12).toString();
    item.exemption = q.value(13).toString();
    item.redactedName = q.value(14).toString();
    item.redactedMediaType = q.value(15).toString();
    item.redactedSha256 = q.value(16).toString();
    item.redactedSize = q.value(17).toLongLong();
    item.addedBy = q.value(18).toString();
    item.addedAt = fromSqlTime(q.value(19));
    item.markedBy = q.value(20).toString();
    item.markedAt = fromSqlTime(q.value(21));
    return item;
}

} // namespace

Result<CaseItem> SqlStore::addItem(const CaseItem &item)
{
    const StatementsDone done(*this);
    // The caller holds the request's lock: numbers are given out one at a time.
    Result<int> last = lastItemNumber(item.requestId);
    if (!last)
        return last.error();
    CaseItem stored = item;
    stored.number = *last + 1;
    Result<Rows> q = exec(
        QStringLiteral("INSERT INTO case_items (request_id, number, kind, name, media_type, source, category, item_date, "
                       "sha256, size, records, disposition, exemption, redacted_name, redacted_media_type, redacted_sha256, "
                       "redacted_size, added_by, added_at, marked_by, marked_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
        {stored.requestId, stored.number, stored.kind, stored.name, stored.mediaType, stored.source, stored.category,
            sqlDate(stored.date), stored.sha256, stored.size, stored.records, stored.disposition, stored.exemption,
            stored.redactedName, stored.redactedMediaType, stored.redactedSha256, stored.redactedSize, stored.addedBy,
            sqlTime(stored.addedAt), stored.markedBy, sqlTime(stored.markedAt)});
    if (!q)
        return q.error();
    stored.id = q->next() ? q->value(0).toLongLong() : qint64(0);
    return stored;
}

Status SqlStore::updateItemMarking(const CaseItem &item)
{
    const StatementsDone done(*this);
    Result<Rows> q = exec(QStringLiteral("UPDATE case_items SET disposition = ?, exemption = ?, redacted_name = ?, "
                                         "redacted_media_type = ?, redacted_sha256 = ?, redacted_size = ?, marked_by = ?, "
                                         "marked_at = ? WHERE id = ? AND request_id = ?"),
        {item.disposition, item.exemption, item.redactedName, item.redactedMediaType, item.redactedSha256, item.redactedSize,
            item.markedBy, sqlTime(item.markedAt), item.id, item.requestId});
    if (!q)
        return q.error();
    if (q->numRowsAffected() != 1)
        return makeError(
            ErrorCode::NotFound, QStringLiteral("%1: case-file item %2 is not in the register").arg(describe()).arg(item.number));
    return {};
}

Result<QList<CaseItem>> SqlStore::caseItems(qint64 requestId)
{
    const StatementsDone done(*this);
    return selectAll<CaseItem>(QStringLiteral("SELECT %1 FROM case_items WHERE request_id = ? ORDER BY number").arg(kItemColumns),
        {requestId}, itemFromRow);
}

Result<std::optional<CaseItem>> SqlStore::caseItem(qint64 requestId, int number)
{
    const StatementsDone done(*this);
    Result<Rows> q = exec(
        QStringLiteral("SELECT %1 FROM case_items WHERE request_id = ? AND number = ?").arg(kItemColumns), {requestId, number});
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<CaseItem>();
    return std::optional<CaseItem>(itemFromRow(*q));
}

Result<int> SqlStore::lastItemNumber(qint64 requestId)
{
    const StatementsDone done(*this);
    Result<Rows> q = exec(QStringLiteral("SELECT COALESCE(MAX(number), 0) FROM case_items WHERE request_id = ?"), {requestId});
    if (!q)
        return q.error();
    return q->next() ? q->value(0).toInt() : 0;
}

Result<qint64> SqlStore::addBundle(const BundleRecord &bundle)
{
    const StatementsDone done(*this);
    Result<Rows> q
        = exec(QStringLiteral("INSERT INTO bundles (request_id, sha256, size, entries, case_file, file_name, built_by, "
                              "built_at, audit_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
            {bundle.requestId, bundle.sha256, bundle.size, bundle.entries, bundle.caseFile, bundle.fileName, bundle.builtBy,
                sqlTime(bundle.builtAt), bundle.auditSeq});
    if (!q)
        return q.error();
    return q->next() ? q->value(0).toLongLong() : qint64(0);
}

Result<QList<BundleRecord>> SqlStore::bundles(qint64 requestId)
{
    const StatementsDone done(*this);
    return selectAll<BundleRecord>(QStringLiteral("SELECT id, request_id, sha256, size, entries, case_file, file_name, built_by, "
                                                  "built_at, audit_seq FROM bundles WHERE request_id = ? ORDER BY id"),
        {requestId}, [](const Rows &q) {
            BundleRecord b;
            b.id = q.value(0).toLongLong();
            b.requestId = q.value(1).toLongLong();
            b.sha256 = q.value(2).toString();
            b.size = q.value(3).toLongLong();
            b.entries = q.value(4).toInt();
            b.caseFile = q.value(5).toString();
            b.fileName = q.value(6).toString();
            b.builtBy = q.value(7).toString();
            b.builtAt = fromSqlTime(q.value(8));
            b.auditSeq = q.value(9).toLongLong();
            return b;
        });
}

// --- settings and calendars ---------------------------------------------------

Result<bool> SqlStore::isRehearsal()
{
    return m_rehearsal;
}

Status SqlStore::makeRehearsal()
{
    // In a transaction of its own: the first event cannot slip in between
    // the look at the head and the flag.
    Transaction tx(*this);
    if (Status s = tx.begin(); !s)
        return s;
    const StatementsDone done(*this);
    Result<AuditHead> head = readAuditHead(true);
    if (!head)
        return head.error();
    if (head->seq > 0) {
        if (m_rehearsal)
            return {};
        return makeError(ErrorCode::Refused,
            QStringLiteral("%1 already holds %2 audit events: only a new register can be made a rehearsal register, "
                           "and a live one never becomes one")
                .arg(describe())
                .arg(head->seq));
    }
    Result<Rows> q = exec(QStringLiteral("INSERT INTO meta (key, value) VALUES ('rehearsal', 'true') "
                                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    if (!q)
        return q.error();
    if (Status s = tx.commit(); !s)
        return s;
    m_rehearsal = true;
    return {};
}

Result<QString> SqlStore::setting(const QString &key)
{
    const StatementsDone done(*this);
    Result<Rows> q = exec(QStringLiteral("SELECT value FROM meta WHERE key = ?"), {QStringLiteral("setting.") + key});
    if (!q)
        return q.error();
    return q->next() ? q->value(0).toString() : QString();
}

Result<QMap<QString, QString>> SqlStore::settings()
{
    const StatementsDone done(*this);
    Result<Rows> q = exec(QStringLiteral("SELECT key, value FROM meta WHERE key LIKE 'setting.%'"));
    if (!q)
        return q.error();
    QMap<QString, QString> result;
    while (q->next())
        result.insert(q->value(0).toString().mid(8), q->value(1).toString());
    return result;
}

Status SqlStore::setSetting(const QString &key, const QString &value)
{
    const StatementsDone done(*this);
    Result<Rows> q = exec(
        QStringLiteral("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
        {QStringLiteral("setting.") + key, value});
    if (!q)
        return q.error();
    return {};
}

Status SqlStore::storeCalendar(
    const QString &hash, const QByteArray &content, const QString &source, const QString &importedBy, const QDateTime &now)
{
    const StatementsDone done(*this);
    Result<Rows> q
        = exec(QStringLiteral("INSERT INTO calendars (hash, content, source, imported_at, imported_by) VALUES (?, ?, ?, ?, ?) "
                              "ON CONFLICT (hash) DO NOTHING"),
            {hash, QString::fromUtf8(content), source, isoUtc(now), importedBy});
    if (!q)
        return q.error();
    return {};
}

Result<QByteArray> SqlStore::calendarContent(const QString &hash)
{
    const StatementsDone done(*this);
    Result<Rows> q = exec(QStringLiteral("SELECT content FROM calendars WHERE hash = ?"), {hash});
    if (!q)
        return q.error();
    if (!q->next())
        return makeError(ErrorCode::NotFound, QStringLiteral("%1: no imported calendar %2").arg(describe(), hash));
    return q->value(0).toString().toUtf8();
}

Status SqlStore::lockCalendar(bool exclusive)
{
    if (m_dialect != SqlDialect::Postgres || !m_inTransaction)
        return {};
    const StatementsDone done(*this);
    Result<Rows> q = exec(QStringLiteral("SELECT value FROM meta WHERE key = 'calendar-lock'")
        + (exclusive ? QStringLiteral(" FOR UPDATE") : QStringLiteral(" FOR SHARE")));
    if (!q)
        return q.error();
    return {};
}

Status SqlStore::lockRequest(const QString &reference)
{
    if (m_dialect != SqlDialect::Postgres || !m_inTransaction)
        return {};
    const StatementsDone done(*this);
    Result<Rows> q = exec(QStringLiteral("SELECT id FROM requests WHERE reference = ? FOR NO KEY UPDATE"), {reference});
    if (!q)
        return q.error();
    return {};
}

Result<QStringList> SqlStore::openReferences()
{
    const StatementsDone done(*this);
    return selectAll<QString>(QStringLiteral("SELECT reference FROM requests WHERE closed = 0 ORDER BY id"), {}, firstText);
}

// --- audit trail ---------------------------------------------------------------

Result<SqlStore::AuditHead> SqlStore::readAuditHead(bool forUpdate)
{
    // The head is read and moved in the caller's transaction; on PostgreSQL
    // FOR UPDATE makes concurrent appenders queue on it. It also lets
    // verification notice events cut off the end of the chain.
    const QString lock = forUpdate && m_dialect == SqlDialect::Postgres ? QStringLiteral(" FOR UPDATE") : QString();
    // The database's clock comes with it, in the register's own time format,
    // for no extra round trip.
    const QString serverNow = m_dialect == SqlDialect::Postgres
        ? QStringLiteral("to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')")
        : QStringLiteral("strftime('%Y-%m-%dT%H:%M:%fZ', 'now')");
    Result<Rows> head
        = exec(QStringLiteral("SELECT seq, hash, at, %1 FROM audit_head WHERE singleton = 1").arg(serverNow) + lock);
    if (!head)
        return head.error();
    if (!head->next())
        return makeError(
            ErrorCode::Storage, QStringLiteral("%1: the audit head is missing; the register is damaged").arg(describe()));
    return AuditHead {
        head->value(0).toLongLong(), head->value(1).toString(), fromSqlTime(head->value(2)), fromSqlTime(head->value(3))};
}

Result<AuditEvent> SqlStore::appendAudit(AuditEvent event)
{
    const StatementsDone done(*this);
    Result<AuditHead> head = readAuditHead(true);
    if (!head)
        return head.error();
    const qint64 headSeq = head->seq;
    const QString headHash = head->hash;

    // Events are appended in time order. Writers that computed their time
    // before queueing on the head (or machines whose clocks differ by a
    // little) take the last event's time; a clock further behind than that
    // is wrong, and nothing it says is recorded. A rehearsal register's
    // clock is moved at will, back as well as forward: its dates are fiction.
    if (!m_rehearsal && head->at.isValid() && event.at < head->at) {
        const qint64 behind = event.at.msecsTo(head->at);
        if (behind > AuditChain::kClockSkewToleranceMs)
            return makeError(ErrorCode::Refused,
                QStringLiteral("this action would be dated %1, %2 before the register's last event (%3 at %4): events are "
                               "never dated before the events they follow. The clock of this computer is behind; correct "
                               "it and try again. Nothing was recorded.")
                    .arg(isoUtc(event.at), AuditChain::describeInterval(behind))
                    .arg(headSeq)
                    .arg(isoUtc(head->at)));
        event.at = head->at;
    }
    // Nor is an event dated well ahead of the database's own clock: one
    // machine whose clock runs fast would otherwise push the trail's time
    // forward, and every honest writer after it would be refused.
    if (!m_rehearsal && head->serverNow.isValid() && head->serverNow.msecsTo(event.at) > AuditChain::kClockSkewToleranceMs)
        return makeError(ErrorCode::Refused,
            QStringLiteral("this action would be dated %1, %2 ahead of the clock of the register's database (%3): the clock "
                           "of this computer is ahead; correct it and try again. Nothing was recorded.")
                .arg(isoUtc(event.at), AuditChain::describeInterval(head->serverNow.msecsTo(event.at)), isoUtc(head->serverNow)));
    AuditChain::seal(event, headSeq + 1, headHash);
    Result<Rows> insert = exec(
        QStringLiteral("INSERT INTO audit_events (seq, reference, at, actor, action, from_state, to_state, "
                       "payload, payload_hash, prev_hash, hash, request_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        {event.seq, event.reference, isoUtc(event.at), event.actor, event.action, event.fromState, event.toState,
            QString::fromUtf8(AuditChain::canonicalPayload(event.inputs, event.note)), event.payloadHash, event.prevHash,
            event.hash, event.requestVersion});
    if (!insert)
        return insert.error();
    Result<Rows> moved = exec(QStringLiteral("UPDATE audit_head SET seq = ?, hash = ?, at = ? WHERE singleton = 1"),
        {event.seq, event.hash, isoUtc(event.at)});
    if (!moved)
        return moved.error();
    return event;
}

namespace {

AuditEvent auditFromRow(const Rows &q)
{
    AuditEvent e;
    e.seq = q.value(0).toLongLong();
    e.reference = q.value(1).toString();
    e.at = parseIsoDateTime(q.value(2).toString());
    e.actor = q.value(3).toString();
    e.action = q.value(4).toString();
    e.fromState = q.value(5).toString();
    e.toState = q.value(6).toString();
    if (q.value(7).isNull()) {
        e.payloadPurged = true;
    } else {
        const QJsonObject payload = QJsonDocument::fromJson(q.value(7).toString().toUtf8()).object();
        e.inputs = payload.value(QStringLiteral("inputs")).toObject();
        e.note = payload.value(QStringLiteral("note")).toString();
    }
    e.payloadHash = q.value(8).toString();
    e.prevHash = q.value(9).toString();
    e.hash = q.value(10).toString();
    e.requestVersion = q.value(11).toLongLong();
    return e;
}

const QString kAuditColumns = QStringLiteral(
    "seq, reference, at, actor, action, from_state, to_state, payload, payload_hash, prev_hash, hash, request_version");

} // namespace

Result<QList<AuditEvent>> SqlStore::auditEvents(const QString &reference)
{
    const StatementsDone done(*this);
    return selectAll<AuditEvent>(
        QStringLiteral("SELECT %1 FROM audit_events WHERE reference = ? ORDER BY seq").arg(kAuditColumns), {reference},
        auditFromRow);
}

Result<AuditVerification> SqlStore::verifyAudit()
{
    const StatementsDone done(*this);
    // The events and the head must be read from one snapshot, or an action
    // committed between the two reads looks like events cut off the end.
    const ReadSnapshot snapshot(*this);
    if (!snapshot.ok())
        return makeError(
            ErrorCode::Storage, QStringLiteral("%1: cannot start a read transaction to verify the audit trail").arg(describe()));
    Result<Rows> q = exec(QStringLiteral("SELECT %1 FROM audit_events ORDER BY seq").arg(kAuditColumns));
    if (!q)
        return q.error();
    AuditVerification result;
    QString previousHash = AuditChain::genesisHash();
    QDateTime previousAt;
    qint64 expectedSeq = 1;
    auto fail = [&result](qint64 seq, const QString &problem) {
        result.intact = false;
        result.firstBadSeq = seq;
        result.problem = problem;
    };
    while (q->next()) {
        const AuditEvent stored = auditFromRow(*q);
        const QString label = QStringLiteral("audit event %1 (%2, '%3' by %4 at %5)")
                                  .arg(stored.seq)
                                  .arg(stored.reference.isEmpty() ? QStringLiteral("register") : stored.reference, stored.action,
                                      stored.actor, isoUtc(stored.at));
        if (stored.seq != expectedSeq) {
            fail(expectedSeq,
                QStringLiteral("audit event %1 is missing: the trail jumps from %2 to %3")
                    .arg(expectedSeq)
                    .arg(expectedSeq - 1)
                    .arg(stored.seq));
            return result;
        }
        if (!stored.payloadPurged) {
            const QByteArray payload = q->value(7).toString().toUtf8();
            const QString payloadHash
                = QString::fromLatin1(QCryptographicHash::hash(payload, QCryptographicHash::Sha256).toHex());
            if (payloadHash != stored.payloadHash) {
                fail(stored.seq, label + QStringLiteral(": its inputs or note were changed"));
                return result;
            }
        }
        if (stored.prevHash != previousHash) {
            fail(stored.seq,
                label + QStringLiteral(": it does not follow the event before it (an event was removed or replaced)"));
            return result;
        }
        if (AuditChain::hashOf(stored) != stored.hash) {
            fail(stored.seq, label + QStringLiteral(": its content was changed"));
            return result;
        }
        // The chain verifies, but its dates must run forwards too: an event
        // dated well before the one it follows was made with a false clock
        // (a rehearsal register's clock is moved at will, and says so).
        if (!m_rehearsal && previousAt.isValid() && stored.at.msecsTo(previousAt) > AuditChain::kClockSkewToleranceMs) {
            fail(stored.seq,
                label
                    + QStringLiteral(": it is dated %1 before the event it follows (%2): events are appended in time order, "
                                     "so a clock was moved back when it was made")
                          .arg(AuditChain::describeInterval(stored.at.msecsTo(previousAt)), isoUtc(previousAt)));
            return result;
        }
        previousAt = stored.at;
        previousHash = stored.hash;
        ++expectedSeq;
        ++result.eventsChecked;
    }

    Result<AuditHead> head = readAuditHead(false);
    if (!head)
        return head.error();
    result.rehearsal = m_rehearsal;
    const qint64 headSeq = head->seq;
    const QString headHash = head->hash;
    if (headSeq != expectedSeq - 1 || headHash != previousHash) {
        fail(qMax<qint64>(1, expectedSeq),
            QStringLiteral("the trail ends at event %1 but the register recorded %2 events: events were removed from the end")
                .arg(expectedSeq - 1)
                .arg(headSeq));
    }
    return result;
}

// --- outbox ----------------------------------------------------------------------

Result<qint64> SqlStore::enqueue(const OutboxMessage &message)
{
    const StatementsDone done(*this);
    Result<Rows> q
        = exec(QStringLiteral("INSERT INTO outbox (reference, template, recipient_role, recipient_name, recipient_address, "
                              "channel, idempotency_key, payload, status, attempts, next_attempt_at, created_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?) RETURNING id"),
            {message.reference, message.templateName, message.recipientRole, message.recipientName, message.recipientAddress,
                message.channel, message.idempotencyKey,
                QString::fromUtf8(QJsonDocument(message.payload).toJson(QJsonDocument::Compact)), isoUtc(message.createdAt),
                isoUtc(message.createdAt)});
    if (!q)
        return q.error();
    return q->next() ? q->value(0).toLongLong() : qint64(0);
}

namespace {

const QString kOutboxColumns = QStringLiteral(
    "id, reference, template, recipient_role, recipient_name, recipient_address, channel, idempotency_key, payload, status, "
    "attempts, created_at, next_attempt_at, last_error, sent_at");

} // namespace

Result<QList<OutboxMessage>> SqlStore::readOutbox(const QString &where, const QVariantList &values)
{
    return selectAll<OutboxMessage>(
        QStringLiteral("SELECT %1 FROM outbox %2").arg(kOutboxColumns, where), values, [](const Rows &q) {
            OutboxMessage m;
            m.id = q.value(0).toLongLong();
            m.reference = q.value(1).toString();
            m.templateName = q.value(2).toString();
            m.recipientRole = q.value(3).toString();
            m.recipientName = q.value(4).toString();
            m.recipientAddress = q.value(5).toString();
            m.channel = q.value(6).toString();
            m.idempotencyKey = q.value(7).toString();
            m.payload = QJsonDocument::fromJson(q.value(8).toString().toUtf8()).object();
            m.status = q.value(9).toString();
            m.attempts = q.value(10).toInt();
            m.createdAt = fromSqlTime(q.value(11));
            m.nextAttemptAt = fromSqlTime(q.value(12));
            m.lastError = q.value(13).toString();
            m.sentAt = fromSqlTime(q.value(14));
            return m;
        });
}

Result<QList<OutboxMessage>> SqlStore::outbox(const QString &reference)
{
    const StatementsDone done(*this);
    return reference.isEmpty() ? readOutbox(QStringLiteral("ORDER BY id"), {})
                               : readOutbox(QStringLiteral("WHERE reference = ? ORDER BY id"), {reference});
}

Result<QList<OutboxMessage>> SqlStore::outboxByStatus(const QString &status, int limit)
{
    const StatementsDone done(*this);
    return status.isEmpty() ? readOutbox(QStringLiteral("ORDER BY id LIMIT ?"), {qMax(0, limit)})
                            : readOutbox(QStringLiteral("WHERE status = ? ORDER BY id LIMIT ?"), {status, qMax(0, limit)});
}

Result<OutboxMessage> SqlStore::outboxMessage(qint64 id)
{
    const StatementsDone done(*this);
    Result<QList<OutboxMessage>> found = readOutbox(QStringLiteral("WHERE id = ?"), {id});
    if (!found)
        return found.error();
    if (found->isEmpty())
        return makeError(ErrorCode::NotFound, QStringLiteral("no message %1 in the outbox").arg(id));
    return found->first();
}

QString SqlStore::skipLocked() const
{
    return m_dialect == SqlDialect::Postgres ? QStringLiteral(" FOR UPDATE SKIP LOCKED") : QString();
}

Result<std::optional<OutboxMessage>> SqlStore::claimOutbox(const QDateTime &now, const QDateTime &leaseUntil, qint64 afterId)
{
    const StatementsDone done(*this);
    Result<QList<OutboxMessage>> due = readOutbox(
        QStringLiteral("WHERE status = 'queued' AND next_attempt_at <= ? AND id > ? ORDER BY id LIMIT 1") + skipLocked(),
        {isoUtc(now), afterId});
    if (!due)
        return due.error();
    if (due->isEmpty())
        return std::optional<OutboxMessage>();
    OutboxMessage message = due->first();
    Result<Rows> leased = exec(QStringLiteral("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ?"),
        {isoUtc(leaseUntil), message.id});
    if (!leased)
        return leased.error();
    ++message.attempts;
    message.nextAttemptAt = leaseUntil;
    return std::optional<OutboxMessage>(message);
}

Status SqlStore::recordDelivery(
    qint64 id, int attempt, const QString &status, const QDateTime &at, const QDateTime &nextAttemptAt, const QString &error)
{
    const StatementsDone done(*this);
    Result<Rows> q = exec(QStringLiteral("UPDATE outbox SET status = ?, next_attempt_at = ?, last_error = ?, sent_at = ? "
                                         "WHERE id = ? AND status = 'queued' AND attempts = ?"),
        {status, isoUtc(nextAttemptAt.isValid() ? nextAttemptAt : at), error,
            status == QLatin1String("sent") ? isoUtc(at) : QString(), id, attempt});
    if (!q)
        return q.error();
    if (q->numRowsAffected() != 1)
        return makeError(ErrorCode::Conflict,
            QStringLiteral("message %1 changed while it was being delivered (purged, parked or claimed again); its outcome "
                           "was not recorded")
                .arg(id));
    return {};
}

Status SqlStore::requeueOutbox(qint64 id, const QDateTime &now)
{
    const StatementsDone done(*this);
    Result<Rows> q = exec(QStringLiteral("UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = ? "
                                         "WHERE id = ? AND status = 'parked' AND NOT EXISTS (SELECT 1 FROM requests r "
                                         "WHERE r.reference = outbox.reference AND r.purged_at <> '')"),
        {isoUtc(now), id});
    if (!q)
        return q.error();
    if (q->numRowsAffected() != 1) {
        Result<OutboxMessage> message = outboxMessage(id);
        if (!message)
            return message.error();
        return makeError(ErrorCode::Refused,
            QStringLiteral("message %1 is %2, not parked: only a parked message is retried by hand")
                .arg(id)
                .arg(message->status));
    }
    return {};
}

// --- timers ------------------------------------------------------------------------

Status SqlStore::scheduleTimers(qint64 requestId, const QString &reference, const QList<ScheduledTimer> &timers)
{
    const StatementsDone done(*this);
    // Most actions leave a request's timers as they were: compare first, so
    // that they cost one read rather than a delete and inserts.
    Result<Rows> pending
        = exec(QStringLiteral("SELECT timer, due_at FROM timers WHERE request_id = ? AND status = 'pending'"), {requestId});
    if (!pending)
        return pending.error();
    QStringList existing;
    while (pending->next())
        existing << pending->value(0).toString() + QLatin1Char('@') + pending->value(1).toString();
    QStringList wanted;
    for (const ScheduledTimer &timer : timers)
        wanted << timer.timer + QLatin1Char('@') + isoUtc(timer.dueAt);
    existing.sort();
    wanted.sort();
    if (existing == wanted)
        return {};
    Result<Rows> cleared = exec(QStringLiteral("DELETE FROM timers WHERE request_id = ? AND status = 'pending'"), {requestId});
    if (!cleared)
        return cleared.error();
    for (const ScheduledTimer &timer : timers) {
        Result<Rows> q = exec(QStringLiteral("INSERT INTO timers (request_id, reference, timer, due_at, status) "
                                             "VALUES (?, ?, ?, ?, 'pending') ON CONFLICT (request_id, timer, due_at) DO UPDATE "
                                             "SET status = 'pending', finished_at = '', "
                                             "outcome = '' WHERE timers.status = 'cancelled'"),
            {requestId, reference, timer.timer, isoUtc(timer.dueAt)});
        if (!q)
            return q.error();
    }
    return {};
}

namespace {

const QString kTimerColumns = QStringLiteral("id, request_id, reference, timer, due_at, status, finished_at, outcome");

ScheduledTimer timerFromRow(const Rows &q)
{
    return ScheduledTimer {q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toString(), q.value(3).toString(),
        fromSqlTime(q.value(4)), q.value(5).toString(), fromSqlTime(q.value(6)), q.value(7).toString()};
}

} // namespace

Result<std::optional<ScheduledTimer>> SqlStore::claimDueTimer(const QDateTime &now, qint64 afterId)
{
    const StatementsDone done(*this);
    // The next due timer, unlocked: its request is locked first, then the
    // timer, the order every action on the request takes them in (an action
    // updates the request, then replaces its pending timers).
    Result<Rows> next
        = exec(QStringLiteral("SELECT id, request_id FROM timers WHERE status = 'pending' AND due_at <= ? AND id > ? "
                              "ORDER BY id LIMIT 1"),
            {isoUtc(now), afterId});
    if (!next)
        return next.error();
    if (!next->next())
        return std::optional<ScheduledTimer>();
    ScheduledTimer busy;
    busy.id = next->value(0).toLongLong();
    busy.requestId = next->value(1).toLongLong();
    busy.status = QStringLiteral("busy");
    if (m_dialect == SqlDialect::Postgres) {
        // Someone is acting on the request (an officer, another worker): leave it to them.
        Result<Rows> request
            = exec(QStringLiteral("SELECT id FROM requests WHERE id = ? FOR UPDATE SKIP LOCKED"), {busy.requestId});
        if (!request)
            return request.error();
        if (!request->next())
            return std::optional<ScheduledTimer>(busy);
    }
    Result<Rows> q = exec(QStringLiteral("SELECT %1 FROM timers WHERE id = ? AND status = 'pending'%2")
                              .arg(kTimerColumns, m_dialect == SqlDialect::Postgres ? QStringLiteral(" FOR UPDATE") : QString()),
        {busy.id});
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<ScheduledTimer>(busy); // another worker fired it meanwhile
    return std::optional<ScheduledTimer>(timerFromRow(*q));
}

Status SqlStore::finishTimer(qint64 id, const QString &status, const QDateTime &at, const QString &outcome)
{
    const StatementsDone done(*this);
    Result<Rows> q
        = exec(QStringLiteral("UPDATE timers SET status = ?, finished_at = ?, outcome = ? WHERE id = ? AND status = 'pending'"),
            {status, isoUtc(at), outcome, id});
    if (!q)
        return q.error();
    if (q->numRowsAffected() != 1)
        return makeError(ErrorCode::Conflict, QStringLiteral("timer %1 was already handled by another worker").arg(id));
    return {};
}

Status SqlStore::setTimerOutcome(qint64 id, const QString &status, const QString &outcome)
{
    const StatementsDone done(*this);
    Result<Rows> q = exec(QStringLiteral("UPDATE timers SET status = ?, outcome = ? WHERE id = ?"), {status, outcome, id});
    if (!q)
        return q.error();
    return {};
}

Result<QList<ScheduledTimer>> SqlStore::timers(const QString &reference)
{
    const StatementsDone done(*this);
    return selectAll<ScheduledTimer>(
        QStringLiteral("SELECT %1 FROM timers WHERE reference = ? ORDER BY due_at, id").arg(kTimerColumns), {reference},
        timerFromRow);
}

// --- retention ----------------------------------------------------------------------

Result<QStringList> SqlStore::purgeCandidates(const QDateTime &closedBefore, int limit)
{
    const StatementsDone done(*this);
    return selectAll<QString>(
        QStringLiteral("SELECT reference FROM requests WHERE closed = 1 AND closed_at < ? AND purged_at = '' "
                       "ORDER BY closed_at, id LIMIT ?"),
        {isoUtc(closedBefore), qMax(0, limit)}, firstText);
}

Result<PurgeCounts> SqlStore::purgeRequest(qint64 requestId, const QString &reference, const QDateTime &now)
{
    const StatementsDone done(*this);
    PurgeCounts counts;
    auto run = [this](const QString &sql, const QVariantList &values, int *affected) -> Status {
        Result<Rows> q = exec(sql, values);
        if (!q)
            return q.error();
        if (affected)
            *affected = q->numRowsAffected();
        return {};
    };
    // What statistics need stays: right, channel, dates, states, the clock
    // and its outcome. Everything naming or describing a person goes.
    const QStringList personal {QStringLiteral("requester_name"), QStringLiteral("requester_email"),
        QStringLiteral("requester_phone"), QStringLiteral("requester_address"), QStringLiteral("requester_postcode"),
        QStringLiteral("subject_name"), QStringLiteral("subject_email"), QStringLiteral("subject_phone"),
        QStringLiteral("subject_address"), QStringLiteral("subject_postcode"), QStringLiteral("relationship"),
        QStringLiteral("scope"), QStringLiteral("extension_reason"), QStringLiteral("possible_duplicate_of")};
    QStringList assignments;
    for (const QString &column : personal)
        assignments << column + QStringLiteral(" = ''");
    int rows = 0;
    if (Status s
        = run(QStringLiteral(
                  "UPDATE requests SET %1, purged_at = ?, version = version + 1 WHERE id = ? AND purged_at = '' AND closed = 1")
                  .arg(assignments.join(QStringLiteral(", "))),
            {isoUtc(now), requestId}, &rows);
        !s)
        return s.error();
    if (rows != 1)
        return makeError(ErrorCode::Conflict, QStringLiteral("%1 was purged or reopened meanwhile").arg(reference));
    if (Status s = run(QStringLiteral("DELETE FROM request_identifiers WHERE request_id = ?"), {requestId}, &counts.identifiers);
        !s)
        return s.error();
    if (Status s = run(QStringLiteral("DELETE FROM request_notes WHERE request_id = ?"), {requestId}, &counts.notes); !s)
        return s.error();
    if (Status s = run(QStringLiteral("DELETE FROM attachments WHERE request_id = ?"), {requestId}, &counts.attachments); !s)
        return s.error();
    // Case-file items and their content: chunks go with their content row.
    if (Status s = run(QStringLiteral("DELETE FROM case_items WHERE request_id = ?"), {requestId}, &counts.items); !s)
        return s.error();
    if (Status s = run(QStringLiteral("DELETE FROM item_contents WHERE request_id = ?"), {requestId}, nullptr); !s)
        return s.error();
    // A bundle's hash and size stay for the record; the name it was written under goes.
    if (Status s = run(QStringLiteral("UPDATE bundles SET file_name = '' WHERE request_id = ?"), {requestId}, nullptr); !s)
        return s.error();
    // The audit events stay, hashes and all: their payload was hashed on its
    // own, so the chain still verifies without it.
    if (Status s = run(QStringLiteral("UPDATE audit_events SET payload = NULL WHERE reference = ? AND payload IS NOT NULL"),
            {reference}, &counts.auditPayloads);
        !s)
        return s.error();
    // Messages keep their template, channel, status and dates; who they went
    // to and what they said go. One still queued is parked: it must not be sent.
    if (Status s
        = run(QStringLiteral(
                  "UPDATE outbox SET recipient_name = '', recipient_address = '', payload = '{}', "
                  "last_error = CASE WHEN status = 'sent' THEN last_error ELSE 'purged by retention before delivery' END, "
                  "status = CASE WHEN status = 'sent' THEN 'sent' ELSE 'parked' END WHERE reference = ?"),
            {reference}, &counts.messages);
        !s)
        return s.error();
    if (Status s = run(QStringLiteral("DELETE FROM timers WHERE request_id = ? AND status = 'pending'"), {requestId}, nullptr);
        !s)
        return s.error();
    return counts;
}

} // namespace rf
