// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "audit/AuditEvent.h"
#include "core/Result.h"
#include "request/CaseItem.h"
#include "request/Records.h"
#include "request/Request.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMap>
#include <QString>

#include <optional>

namespace rf {

// What a list of requests is narrowed to. Empty fields do not filter.
struct RequestFilter {
    QString state;
    QString right;
    QString assignee;
    QString channel;
    bool openOnly = false;
    int limit = 50;
    int offset = 0;
};

// The columns a list shows; the full record is loadRequest().
struct RequestSummary {
    QString reference;
    QString right;
    QString channel;
    QString state;
    QDateTime received;
    QString requesterName;
    QString assignee;
    qint64 version = 0;
    bool closed = false;
    QDate due; // invalid while the clock has not started
    bool duePaused = false; // paused at the last change: the due date moves each day until the answer
};

// How much of a request to read: the record alone, without its identifiers,
// notes and attachment list (what actions need), or everything (what a
// person looks at).
enum class RequestDetail { Record, Full };

class Clock;
class Store;

// Whether `store` accepts `clock`: the real time always, a moved clock
// (RIGHTSFLOW_NOW, a test's FixedClock) only on a rehearsal register. Asked
// before every change, by the engine and by outbox delivery alike.
[[nodiscard]] Status admitsClock(Store &store, const Clock &clock);

struct AuditVerification {
    bool intact = true;
    qint64 eventsChecked = 0;
    qint64 firstBadSeq = 0; // 0 when intact
    QString problem; // what did not verify, for a person
    bool rehearsal = false; // a rehearsal register: its events may carry a moved clock's dates
};

// The register's storage. The engine talks only to this interface: SQLite is
// the embedded default, PostgreSQL the shared register, and both must behave
// the same. One Store serves one thread; every write happens between begin()
// and commit(), so a request change, its audit event and its outgoing messages
// land together or not at all.
class Store
{
public:
    virtual ~Store() = default;

    // Connects and brings the schema up to date (or refuses a newer one).
    [[nodiscard]] virtual Status open() = 0;
    [[nodiscard]] virtual QString describe() const = 0; // for messages: never carries credentials
    [[nodiscard]] virtual int schemaVersion() = 0;

    [[nodiscard]] virtual Status begin() = 0;
    [[nodiscard]] virtual Status commit() = 0;
    virtual void rollback() = 0;

    // Users.
    [[nodiscard]] virtual Result<User> addUser(const User &user) = 0;
    [[nodiscard]] virtual Result<std::optional<User>> findUser(const QString &name) = 0;
    [[nodiscard]] virtual Result<QList<User>> users() = 0;

    // Workflow definitions, by content hash.
    [[nodiscard]] virtual Status storeDefinition(const QString &hash, const QString &workflowId, const QString &right,
        const QByteArray &canonicalJson, const QDateTime &now)
        = 0;
    [[nodiscard]] virtual Result<QByteArray> definitionJson(const QString &hash) = 0;

    // Requests.
    [[nodiscard]] virtual Result<QString> nextReference(int year) = 0;
    [[nodiscard]] virtual Result<qint64> insertRequest(const Request &request) = 0;
    [[nodiscard]] virtual Result<Request> loadRequest(const QString &reference, RequestDetail detail) = 0;
    // Writes the fields that differ between `before` and `after` if the stored
    // version is still before.version; otherwise a Conflict error. The caller
    // sets after.version to the new one.
    [[nodiscard]] virtual Status updateRequest(const Request &before, const Request &after) = 0;
    [[nodiscard]] virtual Result<QList<RequestSummary>> listRequests(const RequestFilter &filter) = 0;
    // References of requests of `right` received since `since` sharing an identifier (normalised).
    [[nodiscard]] virtual Result<QStringList> findByIdentifiers(
        const QString &right, const QList<Identifier> &normalised, const QDateTime &since)
        = 0;
    [[nodiscard]] virtual Status addNote(qint64 requestId, const Note &note) = 0;
    // Stores an attachment's bytes with the request; returns its id.
    [[nodiscard]] virtual Result<qint64> addAttachment(qint64 requestId, const Attachment &meta, const QByteArray &content) = 0;
    [[nodiscard]] virtual Result<QByteArray> attachmentContent(qint64 requestId, qint64 attachmentId) = 0;

    // The case file: items an officer collected for the response, their
    // content in chunks addressed by SHA-256 within the request, and the
    // bundles built from them. Writes happen inside the caller's transaction.
    [[nodiscard]] virtual Result<bool> hasContent(qint64 requestId, const QString &sha256) = 0;
    // Records a content's size and chunk count; its chunks follow, numbered from 0.
    [[nodiscard]] virtual Status addContent(qint64 requestId, const QString &sha256, qint64 size, int chunks) = 0;
    [[nodiscard]] virtual Status addContentChunk(qint64 requestId, const QString &sha256, int seq, const QByteArray &data) = 0;
    // The chunk count of a content, and one chunk.
    [[nodiscard]] virtual Result<int> contentChunks(qint64 requestId, const QString &sha256) = 0;
    [[nodiscard]] virtual Result<QByteArray> contentChunk(qint64 requestId, const QString &sha256, int seq) = 0;
    // Gives the item the next number in its request; returns the stored item.
    [[nodiscard]] virtual Result<CaseItem> addItem(const CaseItem &item) = 0;
    // Writes the item's disposition, exemption, redacted copy and marking.
    [[nodiscard]] virtual Status updateItemMarking(const CaseItem &item) = 0;
    [[nodiscard]] virtual Result<QList<CaseItem>> caseItems(qint64 requestId) = 0;
    // One item by its number in its request; empty when there is none.
    [[nodiscard]] virtual Result<std::optional<CaseItem>> caseItem(qint64 requestId, int number) = 0;
    // The highest item number in the request; 0 when it has none.
    [[nodiscard]] virtual Result<int> lastItemNumber(qint64 requestId) = 0;
    [[nodiscard]] virtual Result<qint64> addBundle(const BundleRecord &bundle) = 0;
    [[nodiscard]] virtual Result<QList<BundleRecord>> bundles(qint64 requestId) = 0;

    // Whether the register was created for rehearsal (the demo's, a
    // training register, the tests'): only such a register accepts a moved
    // clock. Chosen when it is created and never changed afterwards.
    [[nodiscard]] virtual Result<bool> isRehearsal() = 0;
    // Makes a new register a rehearsal register; refused once it holds an
    // audit event.
    [[nodiscard]] virtual Status makeRehearsal() = 0;
    // Whether the register can only be read (a read-only file or mount).
    [[nodiscard]] virtual bool isReadOnly() const = 0;

    // Register-wide settings (the council's region, the calendar in use).
    [[nodiscard]] virtual Result<QString> setting(const QString &key) = 0;
    [[nodiscard]] virtual Result<QMap<QString, QString>> settings() = 0;
    [[nodiscard]] virtual Status setSetting(const QString &key, const QString &value) = 0;
    // Imported bank holiday files, by content hash.
    [[nodiscard]] virtual Status storeCalendar(
        const QString &hash, const QByteArray &content, const QString &source, const QString &importedBy, const QDateTime &now)
        = 0;
    [[nodiscard]] virtual Result<QByteArray> calendarContent(const QString &hash) = 0;
    // Inside a transaction: orders deadline computations against calendar
    // changes. Every action that computes a due date holds it shared; a
    // calendar change holds it exclusively, so nothing is computed with a
    // calendar that is being replaced. (SQLite's one writer needs nothing.)
    [[nodiscard]] virtual Status lockCalendar(bool exclusive) = 0;
    // Inside a transaction: locks the request's row until the transaction ends
    // (PostgreSQL; SQLite's one writer needs nothing). Take the calendar lock first.
    [[nodiscard]] virtual Status lockRequest(const QString &reference) = 0;
    // References of every request not yet closed.
    [[nodiscard]] virtual Result<QStringList> openReferences() = 0;

    // Audit trail. appendAudit seals the event (sequence, previous hash, hash).
    [[nodiscard]] virtual Result<AuditEvent> appendAudit(AuditEvent event) = 0;
    [[nodiscard]] virtual Result<QList<AuditEvent>> auditEvents(const QString &reference) = 0;
    [[nodiscard]] virtual Result<AuditVerification> verifyAudit() = 0;

    // Transactional outbox.
    [[nodiscard]] virtual Result<qint64> enqueue(const OutboxMessage &message) = 0;
    [[nodiscard]] virtual Result<QList<OutboxMessage>> outbox(const QString &reference) = 0;
    // Messages by status (empty: all), oldest first, at most `limit`.
    [[nodiscard]] virtual Result<QList<OutboxMessage>> outboxByStatus(const QString &status, int limit) = 0;
    [[nodiscard]] virtual Result<OutboxMessage> outboxMessage(qint64 id) = 0;
    // Inside a transaction: takes the first message due at `now` with an id
    // above `afterId`, one no other worker holds (PostgreSQL: SKIP LOCKED),
    // counts the attempt and leases it until `leaseUntil` (its next attempt
    // time, so a worker that dies mid-delivery leaves it to be retried).
    [[nodiscard]] virtual Result<std::optional<OutboxMessage>> claimOutbox(
        const QDateTime &now, const QDateTime &leaseUntil, qint64 afterId)
        = 0;
    // Records the outcome of the attempt claimMessage leased (`attempt` is its
    // attempts count then): status sent, queued (retry at nextAttemptAt) or
    // parked. A message changed since (purged, or claimed again after its
    // lease ran out) is left as it now is: a Conflict.
    [[nodiscard]] virtual Status recordDelivery(
        qint64 id, int attempt, const QString &status, const QDateTime &at, const QDateTime &nextAttemptAt, const QString &error)
        = 0;
    // A parked message goes back to the queue for an attempt at `now`.
    [[nodiscard]] virtual Status requeueOutbox(qint64 id, const QDateTime &now) = 0;

    // Workflow timers. scheduleTimers replaces the request's pending timers
    // with `timers`; one that already fired for the same moment is not
    // scheduled again.
    [[nodiscard]] virtual Status scheduleTimers(qint64 requestId, const QString &reference, const QList<ScheduledTimer> &timers)
        = 0;
    // Inside a transaction: the first pending timer due at `now` with an id
    // above `afterId`, with its request locked and then the timer (PostgreSQL).
    // A timer whose request someone else is changing, or that another worker
    // just fired, comes back with status "busy": skip it this sweep.
    [[nodiscard]] virtual Result<std::optional<ScheduledTimer>> claimDueTimer(const QDateTime &now, qint64 afterId) = 0;
    // Marks a pending timer done (fired or cancelled); a Conflict if another
    // worker already did. setTimerOutcome then records what firing came to.
    [[nodiscard]] virtual Status finishTimer(qint64 id, const QString &status, const QDateTime &at, const QString &outcome) = 0;
    [[nodiscard]] virtual Status setTimerOutcome(qint64 id, const QString &status, const QString &outcome) = 0;
    [[nodiscard]] virtual Result<QList<ScheduledTimer>> timers(const QString &reference) = 0;

    // Retention. Closed, not yet purged requests closed before `closedBefore`.
    [[nodiscard]] virtual Result<QStringList> purgeCandidates(const QDateTime &closedBefore, int limit) = 0;
    // Deletes the request's personal data (its identifiers, notes,
    // attachments, case-file items and their content, the payloads of its audit events and messages, and the
    // personal columns of its row), keeping what statistics need.
    [[nodiscard]] virtual Result<PurgeCounts> purgeRequest(qint64 requestId, const QString &reference, const QDateTime &now) = 0;
};

// A write transaction that rolls back unless committed.
class Transaction
{
public:
    explicit Transaction(Store &store)
        : m_store(store)
    { }
    ~Transaction()
    {
        if (m_open)
            m_store.rollback();
    }
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    [[nodiscard]] Status begin()
    {
        Status status = m_store.begin();
        m_open = status.ok();
        return status;
    }
    [[nodiscard]] Status commit()
    {
        m_open = false;
        Status status = m_store.commit();
        if (!status)
            m_store.rollback();
        return status;
    }

private:
    Store &m_store;
    bool m_open = false;
};

} // namespace rf
