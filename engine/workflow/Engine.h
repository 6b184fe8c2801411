// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "bundle/BundleBuilder.h"
#include "calendar/DeadlineCalculator.h"
#include "core/Clock.h"
#include "core/InputLimits.h"
#include "core/Result.h"
#include "core/SafeOutput.h"
#include "store/Store.h"
#include "workflow/ActionRegistry.h"
#include "workflow/WorkflowLoader.h"

#include <QHash>
#include <QMap>

#include <memory>

namespace rf {

struct EngineOptions {
    // A request of the same right sharing an identifier with one received
    // within this many days is flagged as a possible duplicate (not refused).
    int duplicateWindowDays = 30;
    // Which law's deadline rules apply (rule sets of deadline-rules.json).
    QString regime = QStringLiteral("uk");
    // How many working days before the due date a request counts as due soon.
    int dueSoonWorkingDays = 5;
    // The largest response e-mail, attachment included (base64 makes a zip a
    // third bigger): a bundle that fits is kept in the register when it is
    // built and attached to the response e-mail; a bigger one is not sent by
    // e-mail (the notice says it follows by secure download).
    qint64 emailAttachmentLimit = 10 * 1024 * 1024;
};

class ExemptionList;
class ProcessingRegister;

// An item an officer adds to a request's case file.
struct NewItem {
    QString kind; // CaseItem::kDocument or CaseItem::kRecords
    QString name; // the document's file name, or the name of the records file
    QIODevice *content = nullptr; // documents: the bytes, read twice (hash, then store), so seekable
    QByteArray records; // records: the JSON as exported (see RecordSet)
    QString source; // a system of the processing register
    QString category; // one of that system's categories of data
    QDate date; // optional
};

// How an officer marks an item: disclosed; redacted, with the redacted copy
// and the exemption; or withheld, with the exemption.
struct ItemMarking {
    QString disposition; // CaseItem::kDisclosed, kRedacted or kWithheld
    QString exemption;
    QIODevice *redacted = nullptr; // redacted: the copy the requester receives
    QString redactedName;
};

struct FiledRequest {
    Request request;
    QStringList possibleDuplicates;
};

// An action as offered to a user on a request: a transition leaving the
// current state, whether this user may fire it now, and if not, why.
struct ActionOffer {
    QString name;
    QString label;
    QString description;
    QString to;
    QStringList roles;
    QList<InputDef> inputs;
    bool allowed = false;
    QString whyNot;
};

// A file written out of the register (an item, an attachment) and checked.
struct ExportedFile {
    QString path; // where it was written
    QString name; // the item's or attachment's own name
    qint64 size = 0;
    QString sha256;
};

struct FireOutcome {
    Request request;
    AuditEvent event;
    QList<OutboxMessage> queued;
};

// What one pass over the due timers did.
struct TimerSweep {
    int fired = 0; // fired a transition or queued its notice
    int cancelled = 0; // no longer applied (the request moved on) or could not act
    int deferred = 0; // lost a race with an officer or another worker; tried again next sweep
    int failed = 0; // could not be done (see lines); tried again next sweep
    QStringList lines; // one per timer handled, for the worker's log
};

struct PurgeSweep {
    int purged = 0;
    int retentionMonths = 0; // 0: retention not configured, nothing purged
    QStringList lines;
};

// The workflow runner and the engine's front door: the CLI, the desktop app
// and the HTTP server all act on the register through this class and never
// touch SQL. Every change is one transaction holding the request update, its
// audit event and its queued messages.
class Engine
{
public:
    Engine(Store &store, const WorkflowLibrary &library, const Clock &clock,
        const ActionRegistry &registry = ActionRegistry::builtin(), EngineOptions options = {});

    // The actor recorded for requests that arrive without a named user (the
    // web form, a script filing what the post room scanned).
    static inline const QString kIntakeActor = QStringLiteral("intake");
    // The actor recorded for what the worker does by itself (timers,
    // retention); its role is not one a user can be given.
    static inline const QString kWorkerActor = QStringLiteral("worker");
    static inline const QString kSystemRole = QStringLiteral("system");

    [[nodiscard]] const Clock &clock() const { return m_clock; }
    // Whether the register accepts this engine's clock: the real time always,
    // a moved clock (RIGHTSFLOW_NOW, a test's FixedClock) only on a rehearsal
    // register. Every changing call asks first; a face asks when it opens a
    // register, so that a refusal comes before any work.
    [[nodiscard]] Status admitsClock();
    // The names the engine records for itself in a request's history; no
    // user may be given one, in any case.
    [[nodiscard]] static bool isReservedUserName(const QString &name);
    [[nodiscard]] const EngineOptions &options() const { return m_options; }
    [[nodiscard]] Store &store() { return m_store; }
    [[nodiscard]] const WorkflowLibrary &library() const { return m_library; }

    // Adds a user; `actor` must be an active admin, except for the first user
    // of a register, who must be an admin.
    [[nodiscard]] Result<User> addUser(const QString &name, const QString &role, const QString &email, const QString &actor);

    // Validates and files a new request under the workflow for its right;
    // `actor` is a registered user or kIntakeActor.
    [[nodiscard]] Result<FiledRequest> fileRequest(const IntakeForm &form, const QString &actor);

    [[nodiscard]] Result<Request> request(const QString &reference);
    // The exact definition a request was opened under.
    [[nodiscard]] Result<std::shared_ptr<const WorkflowDefinition>> definitionOf(const Request &request);

    // Every transition out of the request's state, marked allowed or not for `user`.
    [[nodiscard]] Result<QList<ActionOffer>> actions(const Request &request, const QString &userName);

    // Fires `action` on behalf of `userName`. `expectedVersion` is the version
    // the caller last saw; -1 means "whatever is current" (scripts that just
    // read it). A stale version is a Conflict that names what changed.
    [[nodiscard]] Result<FireOutcome> fire(const QString &reference, const QString &action, const QString &userName,
        const QMap<QString, QString> &inputs, const QString &note, qint64 expectedVersion = -1);

    [[nodiscard]] Status addNote(const QString &reference, const QString &userName, const QString &text);

    // --- the worker ------------------------------------------------------------
    // The timers `request` should have now (see TimerDef): empty when closed.
    [[nodiscard]] QList<ScheduledTimer> timersFor(
        const Request &request, const WorkflowDefinition &def, const WorkingCalendar &calendar) const;
    // Fires every timer due now, each once and in its own transaction; with
    // several workers on PostgreSQL each timer goes to one of them.
    [[nodiscard]] Result<TimerSweep> runDueTimers(int limit = 1000);
    // Purges closed requests whose retention period has passed (the register
    // setting retention-months; none while it is not set).
    [[nodiscard]] Result<PurgeSweep> purgeExpired(int limit = 1000);
    // The retention period in months; 0 when the council has not set one.
    [[nodiscard]] Result<int> retentionMonths();
    [[nodiscard]] Status setRetentionMonths(int months, const QString &actor);
    // An officer sends a parked message back to the queue; audited.
    [[nodiscard]] Status retryMessage(qint64 id, const QString &actor);

    // --- deadlines ---------------------------------------------------------
    // Today in council time (Europe/London).
    [[nodiscard]] QDate today() const;
    // The council's region and its working-day calendar: the register's
    // imported bank holidays, else the shipped ones.
    [[nodiscard]] Result<std::shared_ptr<const WorkingCalendar>> calendar();
    [[nodiscard]] Result<QString> region();
    // The request's deadline as of today (an open pause counts to today).
    [[nodiscard]] Result<Deadline> deadlineOf(const Request &request, bool explain = true);
    [[nodiscard]] Result<DeadlineStatus> statusOf(const Request &request);
    // Imports a bank holidays file (GOV.UK format) and recomputes the due date
    // of every open request; admin only. Returns how many due dates changed.
    [[nodiscard]] Result<int> importCalendar(const QByteArray &json, const QString &source, const QString &actor);
    // Chooses the council's region and recomputes open due dates; admin only.
    [[nodiscard]] Result<int> setRegion(const QString &region, const QString &actor);

    // Largest attachment kept in the register; bigger evidence belongs in the
    // case file items of the bundle, which stream.
    static constexpr qint64 kMaxAttachmentBytes = 64 * 1024 * 1024;
    // Attaches a document (the request letter, a signed authority) to a
    // request, audited with its SHA-256. Identity documents are seen and
    // recorded as an input of the identity action, not kept: the law wants
    // them deleted once verified.
    [[nodiscard]] Result<Attachment> attach(
        const QString &reference, const QString &userName, const QString &name, const QByteArray &content);

    // --- the case file and the response bundle (EngineItems.cpp) ------------
    // The action a workflow offers to build the response bundle; its effect
    // record-bundle writes the bundle's SHA-256 into the audit trail.
    static inline const QString kBuildBundleAction = QStringLiteral("build-bundle");
    // Largest records file: records are parsed whole; documents stream.
    static constexpr qint64 kMaxRecordsBytes = maxInputBytes(InputKind::Records);
    // Adds an item to an open request's case file, its content stored in
    // chunks under its SHA-256; audited. The source and category must be in
    // the processing register: the letter explains each item by them.
    [[nodiscard]] Result<CaseItem> addItem(
        const QString &reference, const QString &userName, const NewItem &item, const ProcessingRegister &processing);
    [[nodiscard]] Result<QList<CaseItem>> caseItems(const QString &reference);
    // Marks item `number`; a redaction or a withholding needs an exemption
    // from `exemptions` that allows it. Audited.
    [[nodiscard]] Result<CaseItem> markItem(const QString &reference, const QString &userName, int number,
        const ItemMarking &marking, const ExemptionList &exemptions);
    // Writes an item's content (or its redacted copy) to `out`, checked against its SHA-256.
    [[nodiscard]] Status exportItem(const QString &reference, int number, bool redacted, QIODevice *out);
    // The same into the file a person named, checked by SafeOutput::resolve
    // (a folder means REF-item-N.EXT inside it). Nothing is left at `outPath`
    // when the content does not match its SHA-256 or the write fails.
    [[nodiscard]] Result<ExportedFile> exportItem(
        const QString &reference, int number, bool redacted, const QString &outPath, Overwrite overwrite);
    // An attachment into the file a person named (a folder means
    // REF-attachment-ID.EXT), checked against its SHA-256 first.
    [[nodiscard]] Result<ExportedFile> exportAttachment(
        const QString &reference, qint64 attachmentId, const QString &outPath, Overwrite overwrite);
    // Builds the response bundle into `outPath` and records it: the workflow
    // must offer kBuildBundleAction to `userName` now. `outPath` is checked
    // first (SafeOutput::resolve: a folder means REF.zip inside it; an
    // existing file is replaced only with Overwrite::Replace). If the case
    // file changes while the archive is written, or recording fails, the
    // archive is removed, an older file at that name stays, and nothing is
    // recorded; the archive takes its name in the same step as the record.
    [[nodiscard]] Result<BuiltBundle> buildBundle(const QString &reference, const QString &userName, const QString &outPath,
        const ProcessingRegister &processing, const ExemptionList &exemptions, const BundleProgressHook &progress = {},
        Overwrite overwrite = Overwrite::Refuse);
    [[nodiscard]] Result<QList<BundleRecord>> bundles(const QString &reference);

private:
    struct FoundItem {
        Request request;
        CaseItem item;
    };
    // Item `number` of a request, with its redacted copy when `redacted`.
    [[nodiscard]] Result<FoundItem> findItem(const QString &reference, int number, bool redacted);
    // Streams the item's content (or its redacted copy) to `out`, checked against its SHA-256.
    [[nodiscard]] Status copyItem(const FoundItem &found, bool redacted, QIODevice *out);
    // Inside the caller's transaction: stores `device`'s bytes (whose SHA-256
    // was computed before) as the request's content, unless already there.
    [[nodiscard]] Status storeContent(qint64 requestId, QIODevice *device, const QString &sha256, qint64 size);
    [[nodiscard]] Result<User> requireUser(const QString &name);
    // What every action on one request starts with, inside its transaction.
    struct Acting {
        User user;
        Request request;
    };
    [[nodiscard]] Result<Acting> beginAction(Transaction &tx, const QString &reference, const QString &userName);
    // Everything fire() does between loading the request and committing.
    [[nodiscard]] Result<FireOutcome> fireInTransaction(const User &user, const Request &before, const QString &action,
        const QMap<QString, QString> &rawInputs, const QString &note, qint64 expectedVersion);
    // The lookups an effect may make to address staff (see EffectContext).
    [[nodiscard]] std::function<QList<User>(const QString &)> activeUsersWithRole();
    [[nodiscard]] std::function<std::optional<User>(const QString &)> userNamed();
    // Gives each queued message its idempotency key and the facts a notice
    // needs (due dates, actor, assignee), and writes it to the outbox.
    [[nodiscard]] Status enqueueAll(
        QList<OutboxMessage> &messages, const Request &request, qint64 auditSeq, const QString &actor, const QDate &dueBefore);
    [[nodiscard]] Status scheduleTimers(const Request &request, const WorkflowDefinition &def, const WorkingCalendar &calendar);
    // Inside the caller's transaction: what a claimed timer does; the outcome line.
    [[nodiscard]] Result<QString> fireTimer(const ScheduledTimer &timer, bool *cancelled);
    [[nodiscard]] User workerUser() const;
    [[nodiscard]] AuditEvent eventOn(const Request &request, const QString &actor, const QString &action) const;
    [[nodiscard]] Result<QJsonObject> checkInputs(const TransitionDef &transition, const QMap<QString, QString> &raw);
    [[nodiscard]] Status checkAvailable(const Request &request, const WorkflowDefinition &def, const TransitionDef &transition,
        const User &user, const QJsonObject *inputs);
    [[nodiscard]] Error conflictError(const Request &current, qint64 expectedVersion);
    [[nodiscard]] Result<const DeadlineRuleSet *> rulesOf(const Request &request) const;
    void adoptLegacyClock(Request &request, const WorkflowDefinition &def) const;
    [[nodiscard]] Result<Deadline> computeDeadline(const Request &request, const WorkingCalendar &calendar, bool explain) const;
    [[nodiscard]] Result<User> requireAdmin(const QString &actor, const QString &what);
    // In one transaction: switch calendar and/or region, recompute open due dates, audit it.
    [[nodiscard]] Result<int> changeCalendar(const std::optional<BankHolidays> &holidays, const QString &region,
        const QString &actor, const QString &action, const QJsonObject &details);

    Store &m_store;
    const WorkflowLibrary &m_library;
    const Clock &m_clock;
    const ActionRegistry &m_registry;
    EngineOptions m_options;
    QHash<QString, std::shared_ptr<const WorkflowDefinition>> m_definitions;
    std::shared_ptr<const WorkingCalendar> m_calendar; // for m_calendarKey (calendar hash / region)
    QString m_calendarKey;
    const QJsonObject *m_engineFacts = nullptr; // during buildBundle's recording action
    bool m_clockAdmitted = false; // admitsClock() said yes once; a register never stops being a rehearsal
};

} // namespace rf
