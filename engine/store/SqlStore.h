// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/Migrations.h"
#include "store/Store.h"

#include <QSqlQuery>
#include <QVariant>

namespace rf {

// The register on an SQL database through Qt Sql. SQLite (WAL, synchronous
// FULL: a committed action survives a power cut) is the embedded default;
// the same statements serve PostgreSQL, with the few differences kept in
// SqlDialect. Holds a connection name, never a QSqlDatabase: one connection
// per Store, one Store per thread.
class SqlStore final : public Store
{
public:
    struct Options {
        bool createIfMissing = false; // SQLite: create the file (rightsflow init)
    };

    // `location` is a file path for SQLite.
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
    [[nodiscard]] Result<Request> loadRequest(const QString &reference) override;
    [[nodiscard]] Status updateRequest(const Request &request, qint64 expectedVersion) override;
    [[nodiscard]] Result<QList<RequestSummary>> listRequests(const RequestFilter &filter) override;
    [[nodiscard]] Result<QStringList> findByIdentifiers(
        const QString &right, const QList<Identifier> &normalised, const QDateTime &since) override;
    [[nodiscard]] Status addNote(qint64 requestId, const Note &note) override;
    [[nodiscard]] Result<qint64> addAttachment(qint64 requestId, const Attachment &meta, const QByteArray &content) override;
    [[nodiscard]] Result<QByteArray> attachmentContent(qint64 requestId, qint64 attachmentId) override;

    [[nodiscard]] Result<AuditEvent> appendAudit(AuditEvent event) override;
    [[nodiscard]] Result<QList<AuditEvent>> auditEvents(const QString &reference) override;
    [[nodiscard]] Result<AuditVerification> verifyAudit() override;

    [[nodiscard]] Result<qint64> enqueue(const OutboxMessage &message) override;
    [[nodiscard]] Result<QList<OutboxMessage>> outbox(const QString &reference) override;

private:
    // Prepares and runs one statement with positional values.
    [[nodiscard]] Result<QSqlQuery> exec(const QString &sql, const QVariantList &values = {});
    [[nodiscard]] Error storageError(const QString &what, const QSqlQuery &query) const;

    SqlDialect m_dialect;
    QString m_location;
    Options m_options;
    QString m_connection;
    bool m_inTransaction = false;
};

} // namespace rf
