// SPDX-License-Identifier: GPL-3.0-or-later
// The runner: one transaction per action, stale versions refused, roles and
// guards enforced, and a request keeping the definition it was opened under.

#include "TestSupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

using namespace rf;

Q_DECLARE_METATYPE(rf::Person)

namespace {

// A small access workflow written for these tests, so they do not depend on
// the wording of the shipped files.
QJsonObject miniWorkflow()
{
    auto state = [](const char *name, const char *kind, const char *clock) {
        return QJsonObject {{QStringLiteral("name"), QLatin1String(name)},
            {QStringLiteral("label"), QStringLiteral("State %1").arg(QLatin1String(name))},
            {QStringLiteral("kind"), QLatin1String(kind)}, {QStringLiteral("clock"), QLatin1String(clock)}};
    };
    auto transition = [](const char *name, QStringList from, const char *to, QStringList roles, QJsonArray effects = {},
                          QJsonArray inputs = {}) {
        return QJsonObject {{QStringLiteral("name"), QLatin1String(name)},
            {QStringLiteral("label"), QStringLiteral("Do %1").arg(QLatin1String(name))},
            {QStringLiteral("from"), QJsonArray::fromStringList(from)}, {QStringLiteral("to"), QLatin1String(to)},
            {QStringLiteral("roles"), QJsonArray::fromStringList(roles)}, {QStringLiteral("effects"), effects},
            {QStringLiteral("inputs"), inputs}};
    };
    const QJsonObject notifyRequester {
        {QStringLiteral("effect"), QStringLiteral("notify")}, {QStringLiteral("template"), QStringLiteral("acknowledgement")}};
    const QJsonObject notifyDpo {{QStringLiteral("effect"), QStringLiteral("notify")},
        {QStringLiteral("template"), QStringLiteral("escalation")}, {QStringLiteral("to"), QStringLiteral("dpo")}};
    const QJsonArray reasonInput {
        QJsonObject {{QStringLiteral("name"), QStringLiteral("reason")}, {QStringLiteral("label"), QStringLiteral("Reason")},
            {QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("required"), true}}};
    const QString officer = QStringLiteral("officer");
    const QString dpo = QStringLiteral("dpo");
    return QJsonObject {
        {QStringLiteral("id"), QStringLiteral("mini-access")},
        {QStringLiteral("title"), QStringLiteral("Mini access")},
        {QStringLiteral("right"), QStringLiteral("access")},
        {QStringLiteral("initial"), QStringLiteral("received")},
        {QStringLiteral("states"),
            QJsonArray {state("received", "open", "running"), state("working", "open", "running"),
                state("done", "closed", "stopped"), state("refused", "closed", "stopped")}},
        {QStringLiteral("transitions"),
            QJsonArray {
                transition("acknowledge", {QStringLiteral("received")}, "working", {officer, dpo}, QJsonArray {notifyRequester}),
                transition("escalate", {QStringLiteral("working")}, "working", {officer}, QJsonArray {notifyDpo}),
                transition("finish", {QStringLiteral("working")}, "done", {officer, dpo},
                    QJsonArray {QStringLiteral("record-response"), notifyRequester}),
                transition("refuse", {QStringLiteral("working")}, "refused", {dpo}, QJsonArray {notifyRequester}, reasonInput)}},
    };
}

bool writeJson(const QString &path, const QJsonObject &object)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(QJsonDocument(object).toJson()) > 0;
}

struct Counts {
    qint64 version = 0;
    qint64 events = 0;
    qint64 messages = 0;
    QString state;
};

Counts countsFor(test::Fixture &fx, const QString &reference)
{
    Counts c;
    Result<Request> r = fx.store->loadRequest(reference, RequestDetail::Record);
    if (r) {
        c.version = r->version;
        c.state = r->state;
    }
    c.events = fx.store->verifyAudit()->eventsChecked;
    c.messages = fx.store->outbox({})->size();
    return c;
}

} // namespace

class TestEngine : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_workflows;

    bool setUpMini(test::Fixture &fx) { return fx.setUp(m_workflows.path()); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_workflows.isValid());
        QVERIFY(writeJson(m_workflows.filePath(QStringLiteral("access.json")), miniWorkflow()));
    }

    void referencesAreSequentialPerYear()
    {
        test::Fixture fx;
        QVERIFY(setUpMini(fx));
        QStringList refs;
        for (int i = 0; i < 3; ++i) {
            Result<FiledRequest> filed
                = fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("intake"));
            QVERIFY(filed.ok());
            refs << filed->request.reference;
        }
        QCOMPARE(refs,
            (QStringList {
                QStringLiteral("DSR-2026-000001"), QStringLiteral("DSR-2026-000002"), QStringLiteral("DSR-2026-000003")}));
        fx.clock->set(QDateTime(QDate(2027, 1, 4), QTime(9, 0), QTimeZone::utc()));
        Result<FiledRequest> next = fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("intake"));
        QVERIFY(next.ok());
        QCOMPARE(next->request.reference, QStringLiteral("DSR-2027-000001"));
    }

    void fileRecordsEverything()
    {
        test::Fixture fx;
        QVERIFY(setUpMini(fx));
        IntakeForm form = test::sampleForm(QStringLiteral("access"));
        form.actingForSubject = true;
        form.subject
            = Person {QStringLiteral("Daniel Hughes"), {}, {}, QStringLiteral("14 Marsh Lane"), QStringLiteral("L21 4PQ")};
        form.relationship = QStringLiteral("parent");
        form.identifiers = {Identifier {QStringLiteral("account"), QStringLiteral("CT-0042")}};
        Result<FiledRequest> filed = fx.engine->fileRequest(form, QStringLiteral("intake"));
        QVERIFY(filed.ok());
        Result<Request> r = fx.engine->request(filed->request.reference.toLower());
        QVERIFY(r.ok());
        QCOMPARE(r->state, QStringLiteral("received"));
        QCOMPARE(r->version, 1);
        QCOMPARE(r->channel, QStringLiteral("email"));
        QCOMPARE(r->received, form.received);
        QCOMPARE(r->requester, form.requester);
        QCOMPARE(r->subject, form.subject);
        QCOMPARE(r->relationship, QStringLiteral("parent"));
        QVERIFY(r->actingForSubject);
        QVERIFY(!r->authorityReceived);
        QCOMPARE(r->assignee, QStringLiteral("alice"));
        QCOMPARE(r->workflowId, QStringLiteral("mini-access"));
        QCOMPARE(r->workflowHash, fx.library.forRight(QStringLiteral("access"))->hash);
        // The account reference plus the subject's own details, not the requester's.
        QVERIFY(r->identifiers.contains(Identifier {QStringLiteral("account"), QStringLiteral("CT-0042")}));
        QVERIFY(r->identifiers.contains(Identifier {QStringLiteral("name"), QStringLiteral("Daniel Hughes")}));
        QVERIFY(r->identifiers.contains(Identifier {QStringLiteral("postcode"), QStringLiteral("L21 4PQ")}));
        QVERIFY(!r->identifiers.contains(Identifier {QStringLiteral("email"), QStringLiteral("m.ellis@example.org")}));
        Result<QList<AuditEvent>> events = fx.store->auditEvents(r->reference);
        QCOMPARE(events->size(), 1);
        QCOMPARE(events->first().action, QStringLiteral("file"));
        QCOMPARE(events->first().toState, QStringLiteral("received"));
    }

    void fireWritesRequestAuditAndOutboxTogether()
    {
        test::Fixture fx;
        QVERIFY(setUpMini(fx));
        const QString ref
            = fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("intake"))->request.reference;
        const Counts before = countsFor(fx, ref);
        Result<FireOutcome> outcome
            = fx.engine->fire(ref, QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, QStringLiteral("Sent today"), 1);
        QVERIFY2(outcome.ok(), qPrintable(outcome.ok() ? QString() : outcome.error().fullText()));
        const Counts after = countsFor(fx, ref);
        QCOMPARE(after.version, before.version + 1);
        QCOMPARE(after.state, QStringLiteral("working"));
        QCOMPARE(after.events, before.events + 1);
        QCOMPARE(after.messages, before.messages + 1);
        const OutboxMessage message = fx.store->outbox(ref)->constFirst();
        QCOMPARE(message.templateName, QStringLiteral("acknowledgement"));
        QCOMPARE(message.recipientAddress, QStringLiteral("m.ellis@example.org"));
        QCOMPARE(message.channel, QStringLiteral("email"));
        QCOMPARE(message.status, QStringLiteral("queued"));
        QVERIFY(message.idempotencyKey.startsWith(ref + QLatin1Char('/')));
        const AuditEvent event = fx.store->auditEvents(ref)->constLast();
        QCOMPARE(event.actor, QStringLiteral("alice"));
        QCOMPARE(event.fromState, QStringLiteral("received"));
        QCOMPARE(event.toState, QStringLiteral("working"));
        QCOMPARE(event.note, QStringLiteral("Sent today"));
    }

    void staleVersionIsAConflictAndChangesNothing()
    {
        test::Fixture fx;
        QVERIFY(setUpMini(fx));
        const QString ref
            = fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("intake"))->request.reference;
        QVERIFY(fx.engine->fire(ref, QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}, 1).ok());
        const Counts before = countsFor(fx, ref);
        // bilal still has version 1 on screen.
        Result<FireOutcome> stale = fx.engine->fire(ref, QStringLiteral("finish"), QStringLiteral("bilal"), {}, {}, 1);
        QVERIFY(!stale.ok());
        QCOMPARE(stale.error().code, ErrorCode::Conflict);
        QVERIFY(stale.error().message.contains(ref));
        QVERIFY(stale.error().message.contains(QStringLiteral("'acknowledge' by alice")));
        const Counts after = countsFor(fx, ref);
        QCOMPARE(after.version, before.version);
        QCOMPARE(after.state, before.state);
        QCOMPARE(after.events, before.events);
        QCOMPARE(after.messages, before.messages);
        // Replaying the same action with the version it was applied at is refused too: never applied twice.
        Result<FireOutcome> replay = fx.engine->fire(ref, QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}, 1);
        QVERIFY(!replay.ok());
        QCOMPARE(replay.error().code, ErrorCode::Conflict);
        QCOMPARE(countsFor(fx, ref).events, before.events);
    }

    void noticesGoByTheRouteTheRequesterGave_data()
    {
        QTest::addColumn<Person>("requester");
        QTest::addColumn<QString>("channel");
        QTest::addColumn<QString>("address");
        QTest::addRow("e-mail first") << Person {QStringLiteral("A"), QStringLiteral("a@example.org"),
            QStringLiteral("0151 934 4000"), QStringLiteral("1 Lord Street, Southport"), QStringLiteral("PR8 1DA")}
                                      << QStringLiteral("email") << QStringLiteral("a@example.org");
        QTest::addRow("letter") << Person {QStringLiteral("B"), {}, QStringLiteral("0151 934 4000"),
            QStringLiteral("1 Lord Street, Southport"), QStringLiteral("PR8 1DA")}
                                << QStringLiteral("post") << QStringLiteral("1 Lord Street, Southport, PR8 1DA");
        QTest::addRow("telephone only") << Person {QStringLiteral("C"), {}, QStringLiteral("0151 934 4000"), {}, {}}
                                        << QStringLiteral("telephone") << QStringLiteral("0151 934 4000");
    }

    void noticesGoByTheRouteTheRequesterGave()
    {
        QFETCH(Person, requester);
        QFETCH(QString, channel);
        QFETCH(QString, address);
        test::Fixture fx;
        QVERIFY(setUpMini(fx));
        IntakeForm form = test::sampleForm(QStringLiteral("access"));
        form.requester = requester;
        Result<FiledRequest> filed = fx.engine->fileRequest(form, QStringLiteral("intake"));
        QVERIFY2(filed.ok(), qPrintable(filed.ok() ? QString() : filed.error().fullText()));
        Result<FireOutcome> fired
            = fx.engine->fire(filed->request.reference, QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {});
        QVERIFY(fired.ok());
        QCOMPARE(fired->queued.size(), 1);
        QCOMPARE(fired->queued.first().channel, channel);
        QCOMPARE(fired->queued.first().recipientAddress, address);
    }

    void conflictNamesTheChangesNotTheNotes()
    {
        test::Fixture fx;
        QVERIFY(setUpMini(fx));
        const QString ref
            = fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("intake"))->request.reference;
        QVERIFY(fx.engine->fire(ref, QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}, 1).ok());
        QVERIFY(fx.engine->fire(ref, QStringLiteral("escalate"), QStringLiteral("bilal"), {}, {}, 2).ok());
        QVERIFY(fx.engine->addNote(ref, QStringLiteral("alice"), QStringLiteral("Phoned the requester")).ok());
        QVERIFY(fx.engine->addNote(ref, QStringLiteral("alice"), QStringLiteral("Phoned again")).ok());
        Result<FireOutcome> stale = fx.engine->fire(ref, QStringLiteral("finish"), QStringLiteral("alice"), {}, {}, 2);
        QCOMPARE(stale.error().code, ErrorCode::Conflict);
        QVERIFY2(stale.error().message.contains(QStringLiteral("'escalate' by bilal")), qPrintable(stale.error().message));
        QVERIFY(!stale.error().message.contains(QStringLiteral("'note'")));
        QVERIFY(!stale.error().message.contains(QStringLiteral("'acknowledge'")));
        // A version the request never had is a mistake, not a conflict.
        Result<FireOutcome> future = fx.engine->fire(ref, QStringLiteral("finish"), QStringLiteral("alice"), {}, {}, 99);
        QCOMPARE(future.error().code, ErrorCode::Invalid);
        QVERIFY(future.error().message.contains(QStringLiteral("never been at version 99")));
    }

    void everyQueuedMessageHasItsOwnKey()
    {
        // escalate notifies every DPO: two DPOs, two messages, two keys.
        test::Fixture fx;
        QVERIFY(setUpMini(fx));
        QVERIFY(fx.engine->addUser(QStringLiteral("deputy"), QStringLiteral("dpo"), {}, QStringLiteral("root")).ok());
        const QString ref
            = fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("intake"))->request.reference;
        QVERIFY(fx.engine->fire(ref, QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}).ok());
        Result<FireOutcome> escalated = fx.engine->fire(ref, QStringLiteral("escalate"), QStringLiteral("alice"), {}, {});
        QVERIFY(escalated.ok());
        QCOMPARE(escalated->queued.size(), 2);
        QStringList keys;
        const QList<OutboxMessage> messages = *fx.store->outbox(ref);
        for (const OutboxMessage &m : messages)
            keys << m.idempotencyKey;
        QCOMPARE(keys.size(), 3);
        QCOMPARE(QSet<QString>(keys.cbegin(), keys.cend()).size(), 3);
        QCOMPARE(escalated->queued.at(1).idempotencyKey, QStringLiteral("%1/%2/2").arg(ref).arg(escalated->event.seq));
    }

    void twoConnectionsToOneRegister()
    {
        // Two officers' programs on one register: the second to act on what
        // it loaded earlier gets the conflict.
        test::Fixture fx;
        QVERIFY(setUpMini(fx));
        const QString ref
            = fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("intake"))->request.reference;
        std::unique_ptr<SqlStore> otherStore = fx.openAnother();
        QVERIFY(otherStore);
        Engine other(*otherStore, fx.library, *fx.clock);
        const qint64 seenByOther = other.request(ref)->version;
        QVERIFY(fx.engine->fire(ref, QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}, 1).ok());
        // A fresh read on the other connection sees the change: no stale snapshot is held.
        QCOMPARE(other.request(ref)->version, seenByOther + 1);
        Result<FireOutcome> late = other.fire(ref, QStringLiteral("acknowledge"), QStringLiteral("bilal"), {}, {}, seenByOther);
        QVERIFY(!late.ok());
        QCOMPARE(late.error().code, ErrorCode::Conflict);
        QVERIFY(otherStore->verifyAudit()->intact);
    }

    void roleIsEnforced()
    {
        test::Fixture fx;
        QVERIFY(setUpMini(fx));
        const QString ref
            = fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("intake"))->request.reference;
        QVERIFY(fx.engine->fire(ref, QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}).ok());
        const Counts before = countsFor(fx, ref);
        const QMap<QString, QString> reason {{QStringLiteral("reason"), QStringLiteral("Repeated request")}};
        Result<FireOutcome> officer = fx.engine->fire(ref, QStringLiteral("refuse"), QStringLiteral("alice"), reason, {});
        QVERIFY(!officer.ok());
        QCOMPARE(officer.error().code, ErrorCode::Forbidden);
        QVERIFY(officer.error().message.contains(QStringLiteral("dpo")));
        Result<FireOutcome> admin = fx.engine->fire(ref, QStringLiteral("refuse"), QStringLiteral("root"), reason, {});
        QCOMPARE(admin.error().code, ErrorCode::Forbidden);
        QCOMPARE(countsFor(fx, ref).events, before.events);
        QVERIFY(fx.engine->fire(ref, QStringLiteral("refuse"), QStringLiteral("dana"), reason, {}).ok());
        Result<Request> r = fx.engine->request(ref);
        QCOMPARE(r->state, QStringLiteral("refused"));
        QVERIFY(r->closedAt.isValid());
    }

    void actionsListSaysWhyNot()
    {
        test::Fixture fx;
        QVERIFY(setUpMini(fx));
        const QString ref
            = fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("intake"))->request.reference;
        QVERIFY(fx.engine->fire(ref, QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}).ok());
        Result<QList<ActionOffer>> offers = fx.engine->actions(*fx.engine->request(ref), QStringLiteral("alice"));
        QVERIFY(offers.ok());
        QStringList names;
        for (const ActionOffer &offer : *offers) {
            names << offer.name;
            if (offer.name == QLatin1String("refuse")) {
                QVERIFY(!offer.allowed);
                QVERIFY(offer.whyNot.contains(QStringLiteral("dpo")));
            } else {
                QVERIFY2(offer.allowed, qPrintable(offer.whyNot));
            }
        }
        QCOMPARE(names, (QStringList {QStringLiteral("escalate"), QStringLiteral("finish"), QStringLiteral("refuse")}));
    }

    void actionFromWrongStateIsRefused()
    {
        test::Fixture fx;
        QVERIFY(setUpMini(fx));
        const QString ref
            = fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("intake"))->request.reference;
        Result<FireOutcome> early = fx.engine->fire(ref, QStringLiteral("finish"), QStringLiteral("alice"), {}, {});
        QVERIFY(!early.ok());
        QCOMPARE(early.error().code, ErrorCode::Refused);
        Result<FireOutcome> unknown = fx.engine->fire(ref, QStringLiteral("teleport"), QStringLiteral("alice"), {}, {});
        QCOMPARE(unknown.error().code, ErrorCode::NotFound);
        QVERIFY(unknown.error().message.contains(QStringLiteral("acknowledge")));
        Result<FireOutcome> nobody = fx.engine->fire(ref, QStringLiteral("acknowledge"), QStringLiteral("mallory"), {}, {});
        QCOMPARE(nobody.error().code, ErrorCode::NotFound);
        Result<FireOutcome> missing
            = fx.engine->fire(QStringLiteral("DSR-2026-999999"), QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {});
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
        QCOMPARE(fx.store->loadRequest(ref, RequestDetail::Record)->version, 1);
    }

    void failingEffectWritesNothing()
    {
        // escalate notifies the DPO; in a register without one the effect fails
        // and the action leaves no trace.
        test::Fixture fx;
        QVERIFY(fx.scratch.create());
        fx.clock = std::make_unique<FixedClock>(QDateTime(QDate(2026, 3, 2), QTime(9, 0), QTimeZone::utc()));
        fx.store = std::make_unique<SqlStore>(fx.dialect(), fx.location(), SqlStore::Options {true});
        QVERIFY(fx.store->open().ok());
        QVERIFY(fx.store->makeRehearsal().ok());
        fx.library = *WorkflowLibrary::load(m_workflows.path());
        fx.engine = std::make_unique<Engine>(*fx.store, fx.library, *fx.clock);
        QVERIFY(fx.engine->addUser(QStringLiteral("root"), QStringLiteral("admin"), {}, QStringLiteral("setup")).ok());
        QVERIFY(fx.engine->addUser(QStringLiteral("alice"), QStringLiteral("officer"), {}, QStringLiteral("root")).ok());
        const QString ref
            = fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("intake"))->request.reference;
        QVERIFY(fx.engine->fire(ref, QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}).ok());
        const Counts before = countsFor(fx, ref);
        Result<FireOutcome> escalate = fx.engine->fire(ref, QStringLiteral("escalate"), QStringLiteral("alice"), {}, {});
        QVERIFY(!escalate.ok());
        QVERIFY(escalate.error().message.contains(QStringLiteral("dpo")));
        const Counts after = countsFor(fx, ref);
        QCOMPARE(after.version, before.version);
        QCOMPARE(after.events, before.events);
        QCOMPARE(after.messages, before.messages);
    }

    void failureAfterTheUpdateRollsEverythingBack()
    {
        // Make the outbox refuse inserts (as a full disk or a constraint would),
        // after the request row and the audit event were already written in the
        // transaction: none of the three may survive.
        test::Fixture fx;
        QVERIFY(setUpMini(fx));
        const QString ref
            = fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("intake"))->request.reference;
        {
            QSqlDatabase db = QSqlDatabase::database(fx.store->connectionName());
            QSqlQuery q(db);
            if (fx.dialect() == SqlDialect::Sqlite) {
                QVERIFY(q.exec(QStringLiteral(
                    "CREATE TRIGGER outbox_down BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox unavailable'); END")));
            } else {
                QVERIFY(q.exec(QStringLiteral("CREATE FUNCTION outbox_down() RETURNS trigger LANGUAGE plpgsql AS "
                                              "$$ BEGIN RAISE EXCEPTION 'outbox unavailable'; END $$")));
                QVERIFY(q.exec(QStringLiteral(
                    "CREATE TRIGGER outbox_down BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_down()")));
            }
        }
        const Counts before = countsFor(fx, ref);
        Result<FireOutcome> outcome = fx.engine->fire(ref, QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {});
        QVERIFY(!outcome.ok());
        QCOMPARE(outcome.error().code, ErrorCode::Storage);
        QVERIFY(outcome.error().message.contains(QStringLiteral("outbox unavailable")));
        const Counts after = countsFor(fx, ref);
        QCOMPARE(after.version, before.version);
        QCOMPARE(after.state, QStringLiteral("received"));
        QCOMPARE(after.events, before.events);
        QCOMPARE(after.messages, before.messages);
        QVERIFY(fx.store->verifyAudit()->intact);
        // Once the outbox is back the same action goes through.
        {
            QSqlQuery q(QSqlDatabase::database(fx.store->connectionName()));
            QVERIFY(q.exec(fx.dialect() == SqlDialect::Sqlite ? QStringLiteral("DROP TRIGGER outbox_down")
                                                              : QStringLiteral("DROP TRIGGER outbox_down ON outbox")));
        }
        QVERIFY(fx.engine->fire(ref, QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}).ok());
    }

    void requestKeepsItsDefinition()
    {
        QTemporaryDir workflows;
        QVERIFY(workflows.isValid());
        const QString file = workflows.filePath(QStringLiteral("access.json"));
        QVERIFY(writeJson(file, miniWorkflow()));
        test::Fixture fx;
        QVERIFY(fx.setUp(workflows.path()));
        const QString oldRef
            = fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("intake"))->request.reference;

        // A new version adds an action straight from received to done.
        QJsonObject changed = miniWorkflow();
        QJsonArray transitions = changed.value(QStringLiteral("transitions")).toArray();
        transitions.append(QJsonObject {{QStringLiteral("name"), QStringLiteral("fast-track")},
            {QStringLiteral("label"), QStringLiteral("Fast track")},
            {QStringLiteral("from"), QJsonArray {QStringLiteral("received")}}, {QStringLiteral("to"), QStringLiteral("done")},
            {QStringLiteral("roles"), QJsonArray {QStringLiteral("officer")}}});
        changed.insert(QStringLiteral("transitions"), transitions);
        QVERIFY(writeJson(file, changed));
        Result<WorkflowLibrary> reloaded = WorkflowLibrary::load(workflows.path());
        QVERIFY(reloaded.ok());
        Engine newEngine(*fx.store, *reloaded, *fx.clock);
        const QString newRef
            = newEngine.fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("intake"))->request.reference;

        const Request oldRequest = *newEngine.request(oldRef);
        const Request newRequest = *newEngine.request(newRef);
        QVERIFY(oldRequest.workflowHash != newRequest.workflowHash);
        QCOMPARE(newRequest.workflowHash, reloaded->forRight(QStringLiteral("access"))->hash);
        Result<FireOutcome> oldFast = newEngine.fire(oldRef, QStringLiteral("fast-track"), QStringLiteral("alice"), {}, {});
        QVERIFY(!oldFast.ok());
        QCOMPARE(oldFast.error().code, ErrorCode::NotFound);
        QVERIFY(newEngine.fire(newRef, QStringLiteral("fast-track"), QStringLiteral("alice"), {}, {}).ok());
        // The old request still runs, under its own version.
        QVERIFY(newEngine.fire(oldRef, QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}).ok());
        // Deleting the file does not strand requests opened under it.
        QVERIFY(QFile::remove(file));
        QVERIFY(newEngine.fire(oldRef, QStringLiteral("finish"), QStringLiteral("alice"), {}, {}).ok());
    }

    void noteIsAudited()
    {
        test::Fixture fx;
        QVERIFY(setUpMini(fx));
        const QString ref
            = fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("intake"))->request.reference;
        QVERIFY(
            fx.engine->addNote(ref, QStringLiteral("bilal"), QStringLiteral("Called the requester to confirm the scope")).ok());
        QVERIFY(!fx.engine->addNote(ref, QStringLiteral("bilal"), QStringLiteral("   ")).ok());
        const Request r = *fx.engine->request(ref);
        QCOMPARE(r.notes.size(), 1);
        QCOMPARE(r.notes.first().author, QStringLiteral("bilal"));
        const AuditEvent last = fx.store->auditEvents(ref)->constLast();
        QCOMPARE(last.action, QStringLiteral("note"));
        QCOMPARE(last.note, QStringLiteral("Called the requester to confirm the scope"));
    }

    void attachmentsAreKeptWithTheirHash()
    {
        test::Fixture fx;
        QVERIFY(setUpMini(fx));
        const QString ref
            = fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("intake"))->request.reference;
        const QByteArray content("%PDF-1.4 pretend identity evidence\n");
        Result<Attachment> attached
            = fx.engine->attach(ref, QStringLiteral("alice"), QStringLiteral("passport scan.pdf"), content);
        QVERIFY2(attached.ok(), qPrintable(attached.ok() ? QString() : attached.error().fullText()));
        QCOMPARE(attached->sha256, QString::fromLatin1(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex()));
        QCOMPARE(attached->mediaType, QStringLiteral("application/pdf"));
        const Request r = *fx.engine->request(ref);
        QCOMPARE(r.attachments.size(), 1);
        QCOMPARE(r.attachments.first().name, QStringLiteral("passport scan.pdf"));
        QCOMPARE(*fx.store->attachmentContent(r.id, attached->id), content);
        const AuditEvent last = fx.store->auditEvents(ref)->constLast();
        QCOMPARE(last.action, QStringLiteral("attach"));
        QCOMPARE(last.inputs.value(QStringLiteral("sha256")).toString(), attached->sha256);

        const qint64 events = fx.store->verifyAudit()->eventsChecked;
        QCOMPARE(fx.engine->attach(ref, QStringLiteral("alice"), QStringLiteral("../../etc/passwd"), content).error().code,
            ErrorCode::Invalid);
        QCOMPARE(fx.engine
                     ->attach(ref, QStringLiteral("alice"), QStringLiteral("huge.bin"),
                         QByteArray(Engine::kMaxAttachmentBytes + 1, 'x'))
                     .error()
                     .code,
            ErrorCode::Invalid);
        QCOMPARE(fx.engine->attach(ref, QStringLiteral("mallory"), QStringLiteral("a.txt"), content).error().code,
            ErrorCode::NotFound);
        QCOMPARE(fx.engine->request(ref)->attachments.size(), 1);
        QCOMPARE(fx.store->verifyAudit()->eventsChecked, events);
    }

    void onlyAnAdminAddsUsers()
    {
        test::Fixture fx;
        QVERIFY(setUpMini(fx));
        const qint64 events = fx.store->verifyAudit()->eventsChecked;
        // An officer cannot make themselves a DPO by adding one.
        Result<User> byOfficer = fx.engine->addUser(QStringLiteral("eve"), QStringLiteral("dpo"), {}, QStringLiteral("alice"));
        QCOMPARE(byOfficer.error().code, ErrorCode::Forbidden);
        Result<User> byNobody = fx.engine->addUser(QStringLiteral("eve"), QStringLiteral("dpo"), {}, QStringLiteral("cli"));
        QCOMPARE(byNobody.error().code, ErrorCode::NotFound);
        QCOMPARE(fx.store->users()->size(), 4);
        QCOMPARE(fx.store->verifyAudit()->eventsChecked, events);
        QVERIFY(fx.engine->addUser(QStringLiteral("eve"), QStringLiteral("dpo"), {}, QStringLiteral("root")).ok());
        // Requests are filed by a registered user, or by the intake itself.
        QCOMPARE(fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("mallory")).error().code,
            ErrorCode::NotFound);
        QVERIFY(fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("bilal")).ok());
    }

    void firstUserMustBeAnAdmin()
    {
        QTemporaryDir dir;
        SqlStore store(SqlDialect::Sqlite, dir.filePath(QStringLiteral("r.sqlite")), SqlStore::Options {true});
        QVERIFY(store.open().ok());
        QVERIFY(store.makeRehearsal().ok());
        FixedClock clock(QDateTime(QDate(2026, 3, 2), QTime(9, 0), QTimeZone::utc()));
        Engine engine(store, *WorkflowLibrary::load(m_workflows.path()), clock);
        Result<User> officer = engine.addUser(QStringLiteral("alice"), QStringLiteral("officer"), {}, QStringLiteral("cli"));
        QCOMPARE(officer.error().code, ErrorCode::Invalid);
        QVERIFY(officer.error().message.contains(QStringLiteral("first user")));
        QVERIFY(engine.addUser(QStringLiteral("ines"), QStringLiteral("admin"), {}, QStringLiteral("cli")).ok());
    }

    void usersAreValidated()
    {
        test::Fixture fx;
        QVERIFY(setUpMini(fx));
        QCOMPARE(fx.engine->addUser(QStringLiteral("eve"), QStringLiteral("mayor"), {}, QStringLiteral("root")).error().code,
            ErrorCode::Invalid);
        QCOMPARE(
            fx.engine->addUser(QStringLiteral("bad name"), QStringLiteral("officer"), {}, QStringLiteral("root")).error().code,
            ErrorCode::Invalid);
        QCOMPARE(fx.engine->addUser(QStringLiteral("alice"), QStringLiteral("officer"), {}, QStringLiteral("root")).error().code,
            ErrorCode::Conflict);
        QCOMPARE(fx.store->users()->size(), 4);
    }

    void listFiltersAndPages()
    {
        test::Fixture fx;
        QVERIFY(setUpMini(fx));
        for (int i = 0; i < 5; ++i) {
            IntakeForm form
                = test::sampleForm(QStringLiteral("access"), i % 2 ? QStringLiteral("bilal") : QStringLiteral("alice"));
            form.received = form.received.addSecs(-3600 * (i + 1));
            form.requester.email = QStringLiteral("person%1@example.org").arg(i);
            QVERIFY(fx.engine->fileRequest(form, QStringLiteral("intake")).ok());
        }
        QVERIFY(fx.engine->fire(QStringLiteral("DSR-2026-000001"), QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {})
                    .ok());
        QVERIFY(
            fx.engine->fire(QStringLiteral("DSR-2026-000001"), QStringLiteral("finish"), QStringLiteral("alice"), {}, {}).ok());
        RequestFilter filter;
        QCOMPARE(fx.store->listRequests(filter)->size(), 5);
        // Newest received first.
        QCOMPARE(fx.store->listRequests(filter)->first().reference, QStringLiteral("DSR-2026-000001"));
        filter.openOnly = true;
        QCOMPARE(fx.store->listRequests(filter)->size(), 4);
        filter.assignee = QStringLiteral("bilal");
        QCOMPARE(fx.store->listRequests(filter)->size(), 2);
        RequestFilter byState;
        byState.state = QStringLiteral("done");
        QCOMPARE(fx.store->listRequests(byState)->size(), 1);
        RequestFilter page;
        page.limit = 2;
        page.offset = 4;
        const QList<RequestSummary> last = *fx.store->listRequests(page);
        QCOMPARE(last.size(), 1);
        QCOMPARE(last.first().reference, QStringLiteral("DSR-2026-000005"));
    }

    // Text a person gives enters the register only through one rule: every
    // way in (a filed request, a note, an action's note and inputs, a user,
    // an attachment's name) refuses an escape sequence, names the field, and
    // writes nothing.
    void controlCharactersAreRefusedEverywhere()
    {
        test::Fixture fx;
        QVERIFY(setUpMini(fx));
        const QString retitle = QStringLiteral("Ann\x1b]0;owned\x07");
        const qint64 setUpEvents = fx.store->verifyAudit()->eventsChecked;
        IntakeForm form = test::sampleForm(QStringLiteral("access"));
        form.requester.name = retitle;
        Result<FiledRequest> refusedFiling = fx.engine->fileRequest(form, QStringLiteral("intake"));
        QVERIFY(!refusedFiling.ok());
        QVERIFY2(refusedFiling.error().details.join(u'\n').contains(
                     QStringLiteral("requester.name: holds the escape character U+001B")),
            qPrintable(refusedFiling.error().fullText()));
        QCOMPARE(fx.store->verifyAudit()->eventsChecked, setUpEvents);

        const QString ref
            = fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("intake"))->request.reference;
        QVERIFY(fx.engine->fire(ref, QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}, 1).ok());
        const Counts before = countsFor(fx, ref);

        const Status note = fx.engine->addNote(ref, QStringLiteral("alice"), QStringLiteral("Phoned\r\n2026-03-02 root: closed"));
        QVERIFY(!note.ok());
        QVERIFY2(
            note.error().message.contains(QStringLiteral("note: holds a carriage return")), qPrintable(note.error().message));
        // Line feeds and tabs are what a note is made of.
        QVERIFY(fx.engine->addNote(ref, QStringLiteral("alice"), QStringLiteral("Phoned.\n\tShe will write.")).ok());
        const Counts afterNote = countsFor(fx, ref);
        QCOMPARE(afterNote.events, before.events + 1);

        Result<FireOutcome> fireNote = fx.engine->fire(
            ref, QStringLiteral("escalate"), QStringLiteral("alice"), {}, QStringLiteral("see \u202Etxt.exe"), afterNote.version);
        QVERIFY(!fireNote.ok());
        QVERIFY2(fireNote.error().message.contains(QStringLiteral("note: holds the text direction control U+202E")),
            qPrintable(fireNote.error().message));
        Result<FireOutcome> fireInput = fx.engine->fire(ref, QStringLiteral("refuse"), QStringLiteral("dana"),
            {{QStringLiteral("reason"), QStringLiteral("manifestly\x1b[2J unfounded")}}, {}, afterNote.version);
        QVERIFY(!fireInput.ok());
        QVERIFY2(fireInput.error().details.join(u'\n').contains(QStringLiteral("input 'reason' (Reason): holds the escape")),
            qPrintable(fireInput.error().fullText()));
        Result<FireOutcome> longInput = fx.engine->fire(ref, QStringLiteral("refuse"), QStringLiteral("dana"),
            {{QStringLiteral("reason"), QString(130000, QLatin1Char('x'))}}, {}, afterNote.version);
        QVERIFY(!longInput.ok());
        QVERIFY2(longInput.error().details.join(u'\n').contains(QStringLiteral("130000 characters is more than the 20000")),
            qPrintable(longInput.error().fullText()));
        Result<Attachment> attached = fx.engine->attach(ref, QStringLiteral("alice"), QStringLiteral("scan\n.pdf"), "%PDF-1.4");
        QVERIFY(!attached.ok());
        QVERIFY2(attached.error().message.contains(QStringLiteral("attachment name: holds a line feed")),
            qPrintable(attached.error().message));
        Result<User> user = fx.engine->addUser(
            QStringLiteral("erin"), QStringLiteral("officer"), QStringLiteral("erin@[192.0.2.1]"), QStringLiteral("root"));
        QVERIFY(!user.ok());
        QVERIFY2(user.error().details.join(u'\n').contains(QStringLiteral("email: "))
                && user.error().fullText().contains(QStringLiteral("address literal")),
            qPrintable(user.error().fullText()));

        const Counts after = countsFor(fx, ref);
        QCOMPARE(after.version, afterNote.version);
        QCOMPARE(after.events, afterNote.events);
        QCOMPARE(after.messages, afterNote.messages);
        QCOMPARE(after.state, afterNote.state);
    }
};

QTEST_GUILESS_MAIN(TestEngine)
#include "TestEngine.moc"
