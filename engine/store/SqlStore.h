// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/Migrations.h"
#include "store/Store.h"

#include <QSqlQuery>
#include <QVariant>

#include <memory>
#include <unordered_map>

namespace rf {

// The rows of a statement the store has run: a view on one of its cached
// prepared queries, valid until the same statement runs again or the public
// store method that ran it returns.
class Rows
{
public:
    explicit Rows(QSqlQuery &query)
        : m_query(&query)
    { }
    bool next() { return m_query->next(); }
    [[nodiscard]] QVariant value(int column) const { return m_query->value(column); }
    [[nodiscard]] int numRowsAffected() const { return m_query->numRowsAffected(); }

private:
    QSqlQuery *m_query;
};

struct SqlStatement {
    QString sql;
    QVariantList values;
};

// The register on an SQL database through Qt Sql. SQLite (WAL, synchronous
// FULL: a committed action survives a power cut) is the embedded default;
// the same statements serve PostgreSQL, with the few differences kept in
// SqlDialect. Holds a connection name, never a QSqlDatabase: one connection
// per Store, one Store per thread.
class SqlStore final : public Store
{
public:
    struct Options {
        bool createIfMissing
            = false; // make a new register: the SQLite file, or the schema in an empty PostgreSQL database (rightsflow init)
    };

    // `location` is a file path for SQLite, a postgresql:// URL for PostgreSQL.
    SqlStore(SqlDialect dialect, QString location, Options options);
    SqlStore(SqlDialect dialect, QString location)
        : SqlStore(dialect, std::move(location), Options {})
    { }
    ~SqlStore() override;
    SqlStore(const SqlStore &) = delete;
    SqlStore &operator=(const SqlStore &) = delete;

    [[nodiscard]] Status open() override;
    [[nodiscard]] QString describe() const override;
    [[nodiscard]] int schemaVersion() override;
    [[nodiscard]] const QString &connectionName() const { return m_connection; }

    [[nodiscard]] Status begin() override;
    [[nodiscard]] Status commit() override;
    void rollback() override;

    [[nodiscard]] Result<User> addUser(const User &user) override;
    [[nodiscard]] Result<std::optional<User>> findUser(const QString &name) override;
    [[nodiscard]] Result<QList<User>> users() override;

    [[nodiscard]] Status storeDefinition(const QString &hash, const QString &workflowId, const QString &right,
        const QByteArray &canonicalJson, const QDateTime &now) override;
    [[nodiscard]] Result<QByteArray> definitionJson(const QString &hash) override;

    [[nodiscard]] Result<QString> nextReference(int year) override;
    [[nodiscard]] Result<qint64> insertRequest(const Request &request) override;
    [[nodiscard]] Result<Request> loadRequest(const QString &reference, RequestDetail detail) override;
    [[nodiscard]] Status updateRequest(const Request &before, const Request &after) override;
    [[nodiscard]] Result<QList<RequestSummary>> listRequests(const RequestFilter &filter) override;
    // The statements behind a filtered list and its count; public so that
    // benchmarks can show their query plans.
    [[nodiscard]] static SqlStatement listStatement(const RequestFilter &filter);
    [[nodiscard]] static SqlStatement countStatement(const RequestFilter &filter);
    [[nodiscard]] Result<QStringList> findByIdentifiers(
        const QString &right, const QList<Identifier> &normalised, const QDateTime &since) override;
    [[nodiscard]] Status addNote(qint64 requestId, const Note &note) override;
    [[nodiscard]] Result<qint64> addAttachment(qint64 requestId, const Attachment &meta, const QByteArray &content) override;
    [[nodiscard]] Result<QByteArray> attachmentContent(qint64 requestId, qint64 attachmentId) override;

    [[nodiscard]] Result<bool> hasContent(qint64 requestId, const QString &sha256) override;
    [[nodiscard]] Status addContent(qint64 requestId, const QString &sha256, qint64 size, int chunks) override;
    [[nodiscard]] Status addContentChunk(qint64 requestId, const QString &sha256, int seq, const QByteArray &data) override;
    [[nodiscard]] Result<int> contentChunks(qint64 requestId, const QString &sha256) override;
    [[nodiscard]] Result<QByteArray> contentChunk(qint64 requestId, const QString &sha256, int seq) override;
    [[nodiscard]] Result<CaseItem> addItem(const CaseItem &item) override;
    [[nodiscard]] Status updateItemMarking(const CaseItem &item) override;
    [[nodiscard]] Result<QList<CaseItem>> caseItems(qint64 requestId) override;
    [[nodiscard]] Result<std::optional<CaseItem>> caseItem(qint64 requestId, int number) override;
    [[nodiscard]] Result<int> lastItemNumber(qint64 requestId) override;
    [[nodiscard]] Result<qint64> addBundle(const BundleRecord &bundle) override;
    [[nodiscard]] Result<QList<BundleRecord>> bundles(qint64 requestId) override;

    [[nodiscard]] Result<bool> isRehearsal() override;
    [[nodiscard]] Status makeRehearsal() override;
    [[nodiscard]] bool isReadOnly() const override { return m_readOnly; }
    [[nodiscard]] Result<QString> setting(const QString &key) override;
    [[nodiscard]] Result<QMap<QString, QString>> settings() override;
    [[nodiscard]] Status setSetting(const QString &key, const QString &value) override;
    [[nodiscard]] Status storeCalendar(const QString &hash, const QByteArray &content, const QString &source,
        const QString &importedBy, const QDateTime &now) override;
    [[nodiscard]] Result<QByteArray> calendarContent(const QString &hash) override;
    [[nodiscard]] Result<QStringList> openReferences() override;
    [[nodiscard]] Status lockCalendar(bool exclusive) override;
    [[nodiscard]] Status lockRequest(const QString &reference) override;

    [[nodiscard]] Result<AuditEvent> appendAudit(AuditEvent event) override;
    [[nodiscard]] Result<QList<AuditEvent>> auditEvents(const QString &reference) override;
    [[nodiscard]] Result<AuditVerification> verifyAudit() override;

    [[nodiscard]] Result<qint64> enqueue(const OutboxMessage &message) override;
    [[nodiscard]] Result<QList<OutboxMessage>> outbox(const QString &reference) override;
    [[nodiscard]] Result<QList<OutboxMessage>> outboxByStatus(const QString &status, int limit) override;
    [[nodiscard]] Result<OutboxMessage> outboxMessage(qint64 id) override;
    [[nodiscard]] Result<std::optional<OutboxMessage>> claimOutbox(
        const QDateTime &now, const QDateTime &leaseUntil, qint64 afterId) override;
    [[nodiscard]] Status recordDelivery(qint64 id, int attempt, const QString &status, const QDateTime &at,
        const QDateTime &nextAttemptAt, const QString &error) override;
    [[nodiscard]] Status requeueOutbox(qint64 id, const QDateTime &now) override;

    [[nodiscard]] Status scheduleTimers(qint64 requestId, const QString &reference, const QList<ScheduledTimer> &timers) override;
    [[nodiscard]] Result<std::optional<ScheduledTimer>> claimDueTimer(const QDateTime &now, qint64 afterId) override;
    [[nodiscard]] Status finishTimer(qint64 id, const QString &status, const QDateTime &at, const QString &outcome) override;
    [[nodiscard]] Status setTimerOutcome(qint64 id, const QString &status, const QString &outcome) override;
    [[nodiscard]] Result<QList<ScheduledTimer>> timers(const QString &reference) override;

    [[nodiscard]] Result<QStringList> purgeCandidates(const QDateTime &closedBefore, int limit) override;
    [[nodiscard]] Result<PurgeCounts> purgeRequest(qint64 requestId, const QString &reference, const QDateTime &now) override;

private:
    [[nodiscard]] Status openSqlite();
    [[nodiscard]] Status openPostgres();
    // Prepares and runs one statement with positional values.
    [[nodiscard]] Result<Rows> exec(const QString &sql, const QVariantList &values = {});
    [[nodiscard]] Error storageError(const QString &what, const QSqlQuery &query) const;
    // Runs a query and turns every row into a T.
    template<typename T, typename FromRow>
    [[nodiscard]] Result<QList<T>> selectAll(const QString &sql, const QVariantList &values, FromRow fromRow)
    {
        Result<Rows> q = exec(sql, values);
        if (!q)
            return q.error();
        QList<T> result;
        while (q->next())
            result.append(fromRow(*q));
        return result;
    }
    void finishStatements();
    // Outside a transaction, a statement left mid-result would pin this
    // connection to an old snapshot; every public method ends them on return.
    struct StatementsDone {
        SqlStore &store;
        explicit StatementsDone(SqlStore &s)
            : store(s)
        { }
        ~StatementsDone()
        {
            if (!store.m_inTransaction)
                store.finishStatements();
        }
    };
    // A read transaction for a method that must see one snapshot; a no-op
    // inside a transaction the caller already holds.
    class ReadSnapshot
    {
    public:
        explicit ReadSnapshot(SqlStore &store);
        ~ReadSnapshot();
        ReadSnapshot(const ReadSnapshot &) = delete;
        ReadSnapshot &operator=(const ReadSnapshot &) = delete;
        [[nodiscard]] bool ok() const { return m_ok; }

    private:
        SqlStore &m_store;
        bool m_owns = false;
        bool m_ok = true;
    };
    struct AuditHead {
        qint64 seq = 0;
        QString hash;
        QDateTime at; // of the last event; invalid while there is none
        QDateTime serverNow; // the database's own clock, read with it (PostgreSQL's server; SQLite's is ours)
    };
    [[nodiscard]] Result<AuditHead> readAuditHead(bool forUpdate);
    // Brings the schema up to date, or on a read-only register checks it is.
    [[nodiscard]] Status migrateOrCheck();
    // " FOR UPDATE SKIP LOCKED" on PostgreSQL; SQLite's one writer needs none.
    [[nodiscard]] QString skipLocked() const;
    [[nodiscard]] Result<QList<OutboxMessage>> readOutbox(const QString &where, const QVariantList &values);

    SqlDialect m_dialect;
    QString m_location;
    Options m_options;
    QString m_connection;
    bool m_inTransaction = false;
    bool m_readOnly = false; // a SQLite file that this process cannot write
    bool m_rehearsal = false; // read when opened: a register never stops or starts being one later
    std::unordered_map<QString, std::unique_ptr<QSqlQuery>> m_prepared; // cleared before the connection is removed
};

} // namespace rf
