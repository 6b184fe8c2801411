// SPDX-License-Identifier: GPL-3.0-or-later
// The worker: workflow timers that fire by themselves when time passes,
// delivery of the outbox (at least once, with retries and parking), retention
// purges, and the `rightsflow worker`, `outbox` and `retention` commands.
// Time only moves when a test moves the FixedClock (or gives a child process
// RIGHTSFLOW_NOW); the moments a timer fires at are worked out by hand from
// the domain rules (one month, working days, Europe/London, bank holidays).
// Runs on SQLite and, as TestWorker.postgres, on the private PostgreSQL server,
// where concurrent workers share timers and messages through SKIP LOCKED.

#include "Checks.h"
#include "CliRunner.h"
#include "TestSupport.h"

#include "delivery/FileDropSender.h"
#include "delivery/PlainMessage.h"
#include "delivery/Sender.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTest>
#include <QThread>

#include <array>
#include <latch>
#include <memory>
#include <optional>
#include <vector>

using namespace rf;
using rf::test::errorText;

namespace {

using Inputs = QMap<QString, QString>;

const QString kAlice = QStringLiteral("alice");
const QString kDana = QStringLiteral("dana");

QDateTime utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0)
{
    return QDateTime(QDate(year, month, day), QTime(hour, minute, second), QTimeZone::utc());
}

// Files an access request received at `received`, with the clock set there.
QString fileAccess(test::Fixture &fx, const QDateTime &received, const QString &assignee = kAlice,
    const std::optional<Person> &requester = std::nullopt)
{
    IntakeForm form = test::sampleForm(QStringLiteral("access"), assignee);
    form.received = received;
    if (requester)
        form.requester = *requester;
    fx.clock->set(received);
    Result<FiledRequest> filed = fx.engine->fileRequest(form, Engine::kIntakeActor);
    if (!filed) {
        qWarning() << "filing failed:" << errorText(filed.error());
        return {};
    }
    return filed->request.reference;
}

// Fires `action` as `user` at the clock's current moment.
bool act(
    test::Fixture &fx, const QString &reference, const QString &action, const Inputs &inputs = {}, const QString &user = kAlice)
{
    Result<FireOutcome> outcome = fx.engine->fire(reference, action, user, inputs, {});
    if (!outcome)
        qWarning() << action << "on" << reference << "failed:" << errorText(outcome.error());
    return outcome.ok();
}

bool actAt(test::Fixture &fx, const QDateTime &moment, const QString &reference, const QString &action, const Inputs &inputs = {},
    const QString &user = kAlice)
{
    fx.clock->set(moment);
    return act(fx, reference, action, inputs, user);
}

// One sweep of the timers at `moment`; fired is -1 when the sweep failed.
// A regular file where a drop folder should be: every write into it fails,
// as a full or unmounted share would (permissions do not stop root).
bool makeBlocker(const QString &path)
{
    QFile blocker(path);
    if (!blocker.open(QIODevice::WriteOnly))
        return false;
    blocker.write("not a folder\n");
    return true;
}

TimerSweep sweepAt(test::Fixture &fx, const QDateTime &moment)
{
    fx.clock->set(moment);
    Result<TimerSweep> sweep = fx.engine->runDueTimers();
    if (!sweep) {
        qWarning() << "timer sweep failed:" << errorText(sweep.error());
        TimerSweep failed;
        failed.fired = -1;
        return failed;
    }
    return *sweep;
}

Request load(test::Fixture &fx, const QString &reference)
{
    Result<Request> request = fx.engine->request(reference);
    if (!request) {
        qWarning() << "cannot load" << reference << errorText(request.error());
        return {};
    }
    return *request;
}

QList<OutboxMessage> messagesOf(test::Fixture &fx, const QString &reference, const QString &templateName = {})
{
    QList<OutboxMessage> result;
    Result<QList<OutboxMessage>> all = fx.store->outbox(reference);
    if (!all) {
        qWarning() << "cannot read the outbox:" << errorText(all.error());
        return result;
    }
    for (const OutboxMessage &m : *all) {
        if (templateName.isEmpty() || m.templateName == templateName)
            result.append(m);
    }
    return result;
}

QList<AuditEvent> eventsOf(test::Fixture &fx, const QString &reference, const QString &action = {})
{
    QList<AuditEvent> result;
    Result<QList<AuditEvent>> all = fx.store->auditEvents(reference);
    if (!all) {
        qWarning() << "cannot read the audit trail:" << errorText(all.error());
        return result;
    }
    for (const AuditEvent &e : *all) {
        if (action.isEmpty() || e.action == action)
            result.append(e);
    }
    return result;
}

QList<ScheduledTimer> timersOf(test::Fixture &fx, const QString &reference, const QString &name = {}, const QString &status = {})
{
    QList<ScheduledTimer> result;
    Result<QList<ScheduledTimer>> all = fx.store->timers(reference);
    if (!all) {
        qWarning() << "cannot read the timers:" << errorText(all.error());
        return result;
    }
    for (const ScheduledTimer &t : *all) {
        if ((name.isEmpty() || t.timer == name) && (status.isEmpty() || t.status == status))
            result.append(t);
    }
    return result;
}

OutboxMessage messageById(test::Fixture &fx, qint64 id)
{
    Result<OutboxMessage> message = fx.store->outboxMessage(id);
    if (!message) {
        qWarning() << "no message" << id << errorText(message.error());
        return {};
    }
    return *message;
}

// Every file under `directory`, recursively (finished .eml files and any
// temporary file a non-atomic writer would leave behind).
QStringList filesUnder(const QString &directory)
{
    QStringList files;
    QDirIterator it(directory, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    files.sort();
    return files;
}

// An .eml file: its headers (unfolded lines; names as written) and body.
struct Eml {
    QMap<QByteArray, QByteArray> headers;
    QByteArray body;
    bool parsed = false;
};

Eml readEml(const QString &path)
{
    Eml eml;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return eml;
    const QByteArray all = file.readAll();
    const qsizetype end = all.indexOf("\r\n\r\n");
    if (end < 0)
        return eml;
    for (const QByteArray &line : all.left(end).split('\n')) {
        const QByteArray header = line.trimmed();
        const qsizetype colon = header.indexOf(':');
        if (colon > 0)
            eml.headers.insert(header.left(colon), header.mid(colon + 1).trimmed());
    }
    eml.body = all.mid(end + 4);
    eml.parsed = true;
    return eml;
}

Inputs input(const QString &key, const QString &value)
{
    return {{key, value}};
}

// --- the rightsflow program as a child process -----------------------------

using CliRun = rf::test::ProcessRun;

// Runs one program per command, all released at the same moment. The
// children see the clock `now`, a sandboxed home and none of the developer's
// RIGHTSFLOW_ variables.
QList<CliRun> runTogether(const QList<QStringList> &commands, const QString &now, const QString &home)
{
    return rf::test::runTogether(commands,
        {{QStringLiteral("RIGHTSFLOW_NOW"), now}, {QStringLiteral("XDG_DATA_HOME"), home}, {QStringLiteral("HOME"), home}});
}

CliRun runCli(const QStringList &args, const QString &now, const QString &home)
{
    return runTogether({args}, now, home).constFirst();
}

// The counts of a worker's "sweep at ..." summary line.
struct SweepLine {
    bool found = false;
    int fired = 0;
    int cancelled = 0;
    int deferred = 0;
    int sent = 0;
    int retrying = 0;
    int parked = 0;
};

SweepLine sweepLine(const QString &out)
{
    static const QRegularExpression summary(QStringLiteral(
        "sweep at [^:]+:[0-9]+: (\\d+) timer\\(s\\) fired, (\\d+) cancelled, (\\d+) deferred; (\\d+) message\\(s\\) "
        "sent, (\\d+) to retry, (\\d+) parked;"));
    SweepLine line;
    const QRegularExpressionMatch match = summary.match(out);
    if (!match.hasMatch())
        return line;
    line.found = true;
    line.fired = match.captured(1).toInt();
    line.cancelled = match.captured(2).toInt();
    line.deferred = match.captured(3).toInt();
    line.sent = match.captured(4).toInt();
    line.retrying = match.captured(5).toInt();
    line.parked = match.captured(6).toInt();
    return line;
}

} // namespace

class TestWorker : public QObject
{
    Q_OBJECT

private:
    // The register for the concurrency tests: `running` requests received
    // 2 March 2026 (due Thursday 2 April: reminder 30 March, escalation
    // Good Friday 3 April, 08:00 London) and `waiting` requests asked for
    // identity evidence on 2 March (lapsing at the start of 3 April, London).
    // At 2026-04-03 07:00 UTC each running one has two timers due and each
    // waiting one has one.
    static void prepareDueTimers(test::Fixture &fx, int running, int waiting, QStringList *runningRefs, QStringList *waitingRefs)
    {
        for (int i = 0; i < running + waiting; ++i) {
            const QString ref = fileAccess(fx, utc(2026, 3, 2, 8));
            QVERIFY(!ref.isEmpty());
            QVERIFY(actAt(fx, utc(2026, 3, 2, 9), ref, QStringLiteral("acknowledge")));
            if (i < running) {
                runningRefs->append(ref);
                continue;
            }
            QVERIFY(act(fx, ref, QStringLiteral("request-identity"),
                input(QStringLiteral("evidence-needed"), QStringLiteral("Photo ID and a utility bill"))));
            waitingRefs->append(ref);
        }
    }

    // After every due timer of prepareDueTimers fired: each had its effect
    // exactly once, and the audit trail verifies.
    struct WorkersDid {
        int fired = 0;
        int deferred = 0;
        int sent = 0;
    };

    // After workers raced: a last sweep fires what they left (a worker defers
    // a timer whose request the other holds, which that one may have fired
    // itself), so that every timer fired once, and every message was sent
    // exactly once, one file each.
    static void mopUpAndCheckAllSent(test::Fixture &fx, const QDateTime &moment, const QString &drop, WorkersDid did,
        int dueTimers, const QStringList &runningRefs, const QStringList &waitingRefs, int expectedMessages)
    {
        const TimerSweep mopUp = sweepAt(fx, moment);
        QVERIFY2(mopUp.fired <= did.deferred,
            qPrintable(QStringLiteral("%1 fired afterwards, %2 deferred").arg(mopUp.fired).arg(did.deferred)));
        QCOMPARE(mopUp.failed, 0);
        QCOMPARE(did.fired + mopUp.fired, dueTimers);
        FileDropSender sender(drop, MailIdentity {}, *fx.clock);
        Result<DeliverySweep> lastDelivery = deliverDue(*fx.store, sender, *fx.clock);
        VERIFY_OK(lastDelivery);
        CHECKED(verifyEachTimerFiredOnce(fx, runningRefs, waitingRefs));
        Result<QList<OutboxMessage>> all = fx.store->outbox({});
        VERIFY_OK(all);
        QCOMPARE(int(all->size()), expectedMessages);
        for (const OutboxMessage &m : *all) {
            QCOMPARE(m.status, QStringLiteral("sent"));
            QCOMPARE(m.attempts, 1);
        }
        QCOMPARE(did.sent + lastDelivery->sent, expectedMessages);
        QCOMPARE(int(filesUnder(drop).size()), expectedMessages);
    }

    static void verifyEachTimerFiredOnce(test::Fixture &fx, const QStringList &runningRefs, const QStringList &waitingRefs)
    {
        for (const QString &ref : runningRefs) {
            QCOMPARE(messagesOf(fx, ref, QStringLiteral("due-reminder")).size(), 1);
            QCOMPARE(messagesOf(fx, ref, QStringLiteral("overdue-escalation")).size(), 1);
            QCOMPARE(eventsOf(fx, ref, QStringLiteral("timer:due-reminder")).size(), 1);
            QCOMPARE(eventsOf(fx, ref, QStringLiteral("timer:overdue-escalation")).size(), 1);
            QCOMPARE(timersOf(fx, ref, QStringLiteral("due-reminder"), QStringLiteral("fired")).size(), 1);
            QCOMPARE(timersOf(fx, ref, QStringLiteral("overdue-escalation"), QStringLiteral("fired")).size(), 1);
            QCOMPARE(timersOf(fx, ref, {}, QStringLiteral("pending")).size(), 0);
            QCOMPARE(load(fx, ref).state, QStringLiteral("checking"));
        }
        for (const QString &ref : waitingRefs) {
            QCOMPARE(load(fx, ref).state, QStringLiteral("closed-no-evidence"));
            QCOMPARE(messagesOf(fx, ref, QStringLiteral("closure-no-evidence")).size(), 1);
            QCOMPARE(eventsOf(fx, ref, QStringLiteral("close-no-evidence")).size(), 1);
            QCOMPARE(timersOf(fx, ref, QStringLiteral("identity-lapse"), QStringLiteral("fired")).size(), 1);
            QCOMPARE(timersOf(fx, ref, {}, QStringLiteral("pending")).size(), 0);
        }
        Result<AuditVerification> verified = fx.store->verifyAudit();
        VERIFY_OK(verified);
        QVERIFY2(verified->intact, qPrintable(verified->problem));
    }

private slots:
    // --- in-state timers ------------------------------------------------------------

    void lapsedEvidenceClosesTheRequest_data()
    {
        QTest::addColumn<QDateTime>("asked");
        QTest::addColumn<QString>("ask");
        QTest::addColumn<Inputs>("inputs");
        QTest::addColumn<QString>("asker");
        QTest::addColumn<QDateTime>("fires");
        QTest::addColumn<QString>("closeAction");
        QTest::addColumn<QString>("closedState");
        QTest::addColumn<QString>("notice");

        const Inputs identity = input(QStringLiteral("evidence-needed"), QStringLiteral("Photo ID"));
        const Inputs fee {{QStringLiteral("amount"), QStringLiteral("25")},
            {QStringLiteral("reason"), QStringLiteral("The fifth request this month for the same records")}};
        const QString identityLapse = QStringLiteral("close-no-evidence");
        const QString noEvidence = QStringLiteral("closed-no-evidence");
        const QString noEvidenceNotice = QStringLiteral("closure-no-evidence");
        // Asked on Tue 3 March (GMT): the requester has until the end of
        // Fri 3 April; the timer fires at 00:00 on 4 April London time, which
        // is BST by then: 23:00 UTC on 3 April.
        QTest::addRow("identity, asked in GMT, lapses in BST")
            << utc(2026, 3, 3, 10) << QStringLiteral("request-identity") << identity << kAlice << utc(2026, 4, 3, 23)
            << identityLapse << noEvidence << noEvidenceNotice;
        // 23:30 UTC on 31 March is 00:30 on 1 April in London: the month
        // runs from 1 April to 1 May; fires 00:00 BST on 2 May.
        QTest::addRow("identity, asked just after midnight London time")
            << utc(2026, 3, 31, 23, 30) << QStringLiteral("request-identity") << identity << kAlice << utc(2026, 5, 1, 23)
            << identityLapse << noEvidence << noEvidenceNotice;
        // Mon 26 October, after the clocks went back: 26 November, fires
        // 00:00 GMT on 27 November.
        QTest::addRow("identity, in GMT") << utc(2026, 10, 26, 10) << QStringLiteral("request-identity") << identity << kAlice
                                          << utc(2026, 11, 27, 0) << identityLapse << noEvidence << noEvidenceNotice;
        // Fee asked on 31 March: one month is 30 April (the month's last day),
        // fires 00:00 BST on 1 May.
        QTest::addRow("fee, asked on the 31st")
            << utc(2026, 3, 31, 10) << QStringLiteral("request-fee") << fee << kDana << utc(2026, 4, 30, 23)
            << QStringLiteral("close-fee-unpaid") << QStringLiteral("closed-fee-unpaid") << QStringLiteral("closure-fee-unpaid");
    }

    void lapsedEvidenceClosesTheRequest()
    {
        QFETCH(QDateTime, asked);
        QFETCH(QString, ask);
        QFETCH(Inputs, inputs);
        QFETCH(QString, asker);
        QFETCH(QDateTime, fires);
        QFETCH(QString, closeAction);
        QFETCH(QString, closedState);
        QFETCH(QString, notice);

        test::Fixture fx;
        QVERIFY(fx.setUp(test::shippedWorkflowsDir(), asked.addSecs(-7200)));
        const QString ref = fileAccess(fx, asked.addSecs(-7200));
        QVERIFY(!ref.isEmpty());
        QVERIFY(actAt(fx, asked.addSecs(-3600), ref, QStringLiteral("acknowledge")));
        QVERIFY(actAt(fx, asked, ref, ask, inputs, asker));
        const Request waiting = load(fx, ref);
        const int messagesBefore = int(messagesOf(fx, ref).size());

        // A moment before: nothing fires, the request still waits.
        TimerSweep sweep = sweepAt(fx, fires.addSecs(-1));
        QCOMPARE(sweep.fired, 0);
        QCOMPARE(sweep.cancelled, 0);
        QCOMPARE(load(fx, ref).state, waiting.state);
        QCOMPARE(load(fx, ref).version, waiting.version);
        QVERIFY(messagesOf(fx, ref, notice).isEmpty());

        // At the moment: it fires once, as the worker.
        sweep = sweepAt(fx, fires);
        QCOMPARE(sweep.fired, 1);
        QCOMPARE(sweep.cancelled, 0);
        const Request closed = load(fx, ref);
        QCOMPARE(closed.state, closedState);
        QCOMPARE(closed.closedAt, fires);
        QCOMPARE(closed.version, waiting.version + 1);
        const QList<AuditEvent> closing = eventsOf(fx, ref, closeAction);
        QCOMPARE(closing.size(), 1);
        QCOMPARE(closing.constFirst().actor, Engine::kWorkerActor);
        QCOMPARE(closing.constFirst().fromState, waiting.state);
        QCOMPARE(closing.constFirst().toState, closedState);
        QCOMPARE(closing.constFirst().at, fires);
        const QList<OutboxMessage> notices = messagesOf(fx, ref, notice);
        QCOMPARE(notices.size(), 1);
        QCOMPARE(notices.constFirst().recipientRole, QStringLiteral("requester"));
        QCOMPARE(notices.constFirst().recipientAddress, QStringLiteral("m.ellis@example.org"));
        QCOMPARE(notices.constFirst().status, QStringLiteral("queued"));
        QCOMPARE(messagesOf(fx, ref).size(), messagesBefore + 1);

        // Later sweeps find nothing more to do.
        QCOMPARE(sweepAt(fx, fires).fired, 0);
        sweep = sweepAt(fx, fires.addDays(90));
        QCOMPARE(sweep.fired, 0);
        QCOMPARE(sweep.cancelled, 0);
        QCOMPARE(load(fx, ref).version, closed.version);
        QCOMPARE(messagesOf(fx, ref, notice).size(), 1);
        QCOMPARE(eventsOf(fx, ref, closeAction).size(), 1);
        Result<AuditVerification> verified = fx.store->verifyAudit();
        VERIFY_OK(verified);
        QVERIFY(verified->intact);
    }

    void evidenceInTimeStopsTheLapse()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx, utc(2026, 3, 2, 8));
        QVERIFY(actAt(fx, utc(2026, 3, 2, 9), ref, QStringLiteral("acknowledge")));
        QVERIFY(actAt(fx, utc(2026, 3, 3, 10), ref, QStringLiteral("request-identity"),
            input(QStringLiteral("evidence-needed"), QStringLiteral("Photo ID"))));
        QCOMPARE(timersOf(fx, ref, QStringLiteral("identity-lapse"), QStringLiteral("pending")).size(), 1);

        // The evidence arrives on 20 March, a fortnight before the lapse.
        QVERIFY(actAt(fx, utc(2026, 3, 20, 11), ref, QStringLiteral("identity-verified"),
            input(QStringLiteral("evidence"), QStringLiteral("Passport seen"))));
        QCOMPARE(timersOf(fx, ref, QStringLiteral("identity-lapse"), QStringLiteral("pending")).size(), 0);
        const Request verified = load(fx, ref);
        QCOMPARE(verified.state, QStringLiteral("checking"));
        QCOMPARE(verified.deadline.due, QDate(2026, 4, 20));

        // Past the moment the lapse would have come (00:00 BST on 4 April)
        // and before the reminder for the new due date (Wed 15 April).
        const TimerSweep sweep = sweepAt(fx, utc(2026, 4, 10, 12));
        QCOMPARE(sweep.fired, 0);
        const Request after = load(fx, ref);
        QCOMPARE(after.state, QStringLiteral("checking"));
        QCOMPARE(after.version, verified.version);
        QVERIFY(messagesOf(fx, ref, QStringLiteral("closure-no-evidence")).isEmpty());
        QVERIFY(eventsOf(fx, ref, QStringLiteral("close-no-evidence")).isEmpty());
        QCOMPARE(timersOf(fx, ref, QStringLiteral("identity-lapse"), QStringLiteral("fired")).size(), 0);

        // Asked again later, the month counts afresh from that day.
        QVERIFY(actAt(fx, utc(2026, 4, 10, 13), ref, QStringLiteral("request-identity"),
            input(QStringLiteral("evidence-needed"), QStringLiteral("A signed authority"))));
        QCOMPARE(sweepAt(fx, utc(2026, 5, 10, 22, 59, 59)).fired, 0);
        QCOMPARE(sweepAt(fx, utc(2026, 5, 10, 23)).fired, 1);
        QCOMPARE(load(fx, ref).state, QStringLiteral("closed-no-evidence"));
    }

    // --- due-date timers ---------------------------------------------------------

    void remindersAndEscalations_data()
    {
        QTest::addColumn<QDateTime>("received");
        QTest::addColumn<QString>("assignee");
        QTest::addColumn<QDate>("extendOn"); // invalid: not extended
        QTest::addColumn<QDate>("due");
        QTest::addColumn<QDateTime>("reminder");
        QTest::addColumn<QString>("remindedUser");
        QTest::addColumn<QString>("remindedRole");
        QTest::addColumn<QDateTime>("escalation");

        // Due Thu 2 April. Reminder three working days before: Mon 30 March,
        // 08:00 BST. Escalation the day after: Good Friday 3 April, 08:00 BST.
        QTest::addRow("due Thursday 2 April")
            << utc(2026, 3, 2, 8) << kAlice << QDate() << QDate(2026, 4, 2) << utc(2026, 3, 30, 7) << kAlice
            << QStringLiteral("assignee") << utc(2026, 4, 3, 7);
        // 3 April is Good Friday; 4-5 the weekend, 6 Easter Monday: due Tue
        // 7 April. Three working days before, skipping the four days off:
        // 2 April (1), 1 April (2), Tue 31 March (3).
        QTest::addRow("due date rolled past Easter")
            << utc(2026, 3, 3, 8) << kAlice << QDate() << QDate(2026, 4, 7) << utc(2026, 3, 31, 7) << kAlice
            << QStringLiteral("assignee") << utc(2026, 4, 8, 7);
        // Due Wed 9 December (GMT): 8 (1), 7 (2), Fri 4 December (3).
        QTest::addRow("winter, over a weekend")
            << utc(2026, 11, 9, 10) << kAlice << QDate() << QDate(2026, 12, 9) << utc(2026, 12, 4, 8) << kAlice
            << QStringLiteral("assignee") << utc(2026, 12, 10, 8);
        QTest::addRow("unassigned: the DPO is reminded")
            << utc(2026, 3, 2, 8) << QString() << QDate() << QDate(2026, 4, 2) << utc(2026, 3, 30, 7) << kDana
            << QStringLiteral("dpo") << utc(2026, 4, 3, 7);
        // Extended on 20 March: three months from 2 March, Tue 2 June.
        // Reminder: 1 June (1), Fri 29 May (2), Thu 28 May (3).
        QTest::addRow("extended") << utc(2026, 3, 2, 8) << kAlice << QDate(2026, 3, 20) << QDate(2026, 6, 2)
                                  << utc(2026, 5, 28, 7) << kAlice << QStringLiteral("assignee") << utc(2026, 6, 3, 7);
    }

    void remindersAndEscalations()
    {
        QFETCH(QDateTime, received);
        QFETCH(QString, assignee);
        QFETCH(QDate, extendOn);
        QFETCH(QDate, due);
        QFETCH(QDateTime, reminder);
        QFETCH(QString, remindedUser);
        QFETCH(QString, remindedRole);
        QFETCH(QDateTime, escalation);

        test::Fixture fx;
        QVERIFY(fx.setUp(test::shippedWorkflowsDir(), received));
        const QString ref = fileAccess(fx, received, assignee);
        QVERIFY(!ref.isEmpty());
        QVERIFY(actAt(fx, received.addSecs(3600), ref, QStringLiteral("acknowledge")));
        if (extendOn.isValid())
            QVERIFY(actAt(fx, QDateTime(extendOn, QTime(10, 0), QTimeZone::utc()), ref, QStringLiteral("extend"),
                input(QStringLiteral("reason"), QStringLiteral("Records in six departments"))));
        QCOMPARE(load(fx, ref).deadline.due, due);
        const QString reminderNotice = QStringLiteral("due-reminder");
        const QString escalationNotice = QStringLiteral("overdue-escalation");

        QCOMPARE(sweepAt(fx, reminder.addSecs(-1)).fired, 0);
        QVERIFY(messagesOf(fx, ref, reminderNotice).isEmpty());

        TimerSweep sweep = sweepAt(fx, reminder);
        QCOMPARE(sweep.fired, 1);
        QList<OutboxMessage> reminders = messagesOf(fx, ref, reminderNotice);
        QCOMPARE(reminders.size(), 1);
        QCOMPARE(reminders.constFirst().recipientName, remindedUser);
        QCOMPARE(reminders.constFirst().recipientRole, remindedRole);
        QCOMPARE(reminders.constFirst().channel, QStringLiteral("email"));
        QCOMPARE(reminders.constFirst().recipientAddress, remindedUser + QStringLiteral("@council.example"));
        const QList<AuditEvent> reminded = eventsOf(fx, ref, QStringLiteral("timer:due-reminder"));
        QCOMPARE(reminded.size(), 1);
        QCOMPARE(reminded.constFirst().actor, Engine::kWorkerActor);
        QCOMPARE(reminded.constFirst().inputs.value(QStringLiteral("dueDate")).toString(), due.toString(Qt::ISODate));
        QCOMPARE(sweepAt(fx, reminder).fired, 0);
        QCOMPARE(sweepAt(fx, escalation.addSecs(-1)).fired, 0);
        QVERIFY(messagesOf(fx, ref, escalationNotice).isEmpty());

        sweep = sweepAt(fx, escalation);
        QCOMPARE(sweep.fired, 1);
        const QList<OutboxMessage> escalations = messagesOf(fx, ref, escalationNotice);
        QCOMPARE(escalations.size(), 1);
        QCOMPARE(escalations.constFirst().recipientName, kDana);
        QCOMPARE(escalations.constFirst().recipientRole, QStringLiteral("dpo"));
        QCOMPARE(escalations.constFirst().recipientAddress, QStringLiteral("dana@council.example"));
        QCOMPARE(eventsOf(fx, ref, QStringLiteral("timer:overdue-escalation")).size(), 1);
        QCOMPARE(eventsOf(fx, ref, QStringLiteral("timer:overdue-escalation")).constFirst().actor, Engine::kWorkerActor);

        // Each exactly once, however long the request then stays open and
        // whatever is done to it that leaves the due date where it is (a
        // change reschedules the request's timers).
        QCOMPARE(sweepAt(fx, escalation).fired, 0);
        QVERIFY(actAt(fx, escalation.addDays(1), ref, QStringLiteral("assign"),
            input(QStringLiteral("assignee"), QStringLiteral("bilal"))));
        QCOMPARE(load(fx, ref).deadline.due, due);
        QVERIFY(timersOf(fx, ref, {}, QStringLiteral("pending")).isEmpty());
        QCOMPARE(sweepAt(fx, escalation.addDays(45)).fired, 0);
        QCOMPARE(messagesOf(fx, ref, reminderNotice).size(), 1);
        QCOMPARE(messagesOf(fx, ref, escalationNotice).size(), 1);
        QCOMPARE(load(fx, ref).state, QStringLiteral("checking"));
    }

    void noDueDateTimersWhileTheClockIsPausedOrNotStarted()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString reminderNotice = QStringLiteral("due-reminder");
        const QString escalationNotice = QStringLiteral("overdue-escalation");
        // Both received Mon 2 March (due 2 April): one waits for an answer
        // from 10 March, the other for identity evidence from 3 March.
        const QString paused = fileAccess(fx, utc(2026, 3, 2, 8));
        const QString notStarted = fileAccess(fx, utc(2026, 3, 2, 8));
        QVERIFY(actAt(fx, utc(2026, 3, 2, 9), paused, QStringLiteral("acknowledge")));
        QVERIFY(act(fx, notStarted, QStringLiteral("acknowledge")));
        QVERIFY(actAt(fx, utc(2026, 3, 3, 10), notStarted, QStringLiteral("request-identity"),
            input(QStringLiteral("evidence-needed"), QStringLiteral("Photo ID"))));
        QVERIFY(actAt(fx, utc(2026, 3, 10, 10), paused, QStringLiteral("request-clarification"),
            input(QStringLiteral("question"), QStringLiteral("Which years?"))));
        for (const QString &ref : {paused, notStarted}) {
            QVERIFY(timersOf(fx, ref, reminderNotice, QStringLiteral("pending")).isEmpty());
            QVERIFY(timersOf(fx, ref, escalationNotice, QStringLiteral("pending")).isEmpty());
        }

        // Where the reminder and the escalation would have been.
        QCOMPARE(sweepAt(fx, utc(2026, 3, 30, 7)).fired, 0);
        QCOMPARE(sweepAt(fx, utc(2026, 4, 3, 7)).fired, 0);
        for (const QString &ref : {paused, notStarted}) {
            QVERIFY(messagesOf(fx, ref, reminderNotice).isEmpty());
            QVERIFY(messagesOf(fx, ref, escalationNotice).isEmpty());
        }

        // The answer arrives on 3 April: 10 March to 3 April, both counted,
        // is 25 days; 2 April + 25 days is Mon 27 April. Reminder: 24 (1),
        // 23 (2), Wed 22 April (3), 08:00 BST.
        QVERIFY(actAt(fx, utc(2026, 4, 3, 10), paused, QStringLiteral("clarification-received"),
            input(QStringLiteral("answer"), QStringLiteral("2019 to 2024"))));
        QCOMPARE(load(fx, paused).deadline.due, QDate(2026, 4, 27));
        QCOMPARE(timersOf(fx, paused, reminderNotice, QStringLiteral("pending")).size(), 1);
        QCOMPARE(timersOf(fx, paused, reminderNotice, QStringLiteral("pending")).constFirst().dueAt, utc(2026, 4, 22, 7));
        // The other lapses at the start of 4 April (London) without ever
        // having had a due-date timer.
        QCOMPARE(sweepAt(fx, utc(2026, 4, 10, 9)).fired, 1);
        QCOMPARE(load(fx, notStarted).state, QStringLiteral("closed-no-evidence"));
        QCOMPARE(sweepAt(fx, utc(2026, 4, 22, 6, 59, 59)).fired, 0);
        QCOMPARE(sweepAt(fx, utc(2026, 4, 22, 7)).fired, 1);
        QCOMPARE(messagesOf(fx, paused, reminderNotice).size(), 1);
        QVERIFY(messagesOf(fx, notStarted, reminderNotice).isEmpty());
    }

    void aQuestionThatDoesNotPauseTheClockLeavesTheTimers_data()
    {
        QTest::addColumn<QDateTime>("received");
        QTest::addColumn<QDateTime>("asked");
        QTest::addColumn<QDate>("due");
        QTest::addColumn<QDateTime>("reminder");
        QTest::addColumn<QDateTime>("escalation");

        // Received Wed 4 February 2026, under the old rules (no statutory
        // pause): due Wed 4 March whatever the requester is asked. Reminder
        // 3 (1), 2 (2), Fri 27 February (3), 08:00 GMT; escalation 5 March.
        QTest::addRow("old rules: no statutory pause")
            << utc(2026, 2, 4, 8) << utc(2026, 2, 10, 10) << QDate(2026, 3, 4) << utc(2026, 2, 27, 8) << utc(2026, 3, 5, 8);
        // Due Thu 2 April; a question asked on 3 April, after the due date,
        // does not pause it (the calculator's rule): the request is overdue.
        QTest::addRow("question asked after the due date")
            << utc(2026, 3, 2, 8) << utc(2026, 4, 3, 6) << QDate(2026, 4, 2) << utc(2026, 3, 30, 7) << utc(2026, 4, 3, 7);
    }

    void aQuestionThatDoesNotPauseTheClockLeavesTheTimers()
    {
        QFETCH(QDateTime, received);
        QFETCH(QDateTime, asked);
        QFETCH(QDate, due);
        QFETCH(QDateTime, reminder);
        QFETCH(QDateTime, escalation);

        test::Fixture fx;
        QVERIFY(fx.setUp(test::shippedWorkflowsDir(), received));
        const QString ref = fileAccess(fx, received);
        QVERIFY(actAt(fx, received.addSecs(3600), ref, QStringLiteral("acknowledge")));
        QCOMPARE(load(fx, ref).deadline.due, due);
        if (reminder < asked)
            QCOMPARE(sweepAt(fx, reminder).fired, 1);
        QVERIFY(actAt(fx, asked, ref, QStringLiteral("request-clarification"),
            input(QStringLiteral("question"), QStringLiteral("Which years?"))));
        QCOMPARE(load(fx, ref).state, QStringLiteral("awaiting-clarification"));
        // The statutory clock runs on: the due date does not move.
        Result<Deadline> deadline = fx.engine->deadlineOf(load(fx, ref), false);
        VERIFY_OK(deadline);
        QCOMPARE(deadline->due, due);
        QVERIFY(!deadline->provisional);

        if (reminder >= asked) {
            QCOMPARE(sweepAt(fx, reminder.addSecs(-1)).fired, 0);
            QCOMPARE(sweepAt(fx, reminder).fired, 1);
        }
        QCOMPARE(messagesOf(fx, ref, QStringLiteral("due-reminder")).size(), 1);
        QCOMPARE(sweepAt(fx, escalation.addSecs(-1)).fired, 0);
        QCOMPARE(sweepAt(fx, escalation).fired, 1);
        QCOMPARE(messagesOf(fx, ref, QStringLiteral("overdue-escalation")).size(), 1);
    }

    void aNewBankHolidayMovesTheReminder()
    {
        // Due Thu 2 April; reminder Mon 30 March. A newer calendar proclaims
        // Tue 31 March a bank holiday: the due date stays (2 April is still a
        // working day) but the three working days before it are now 1 April,
        // 30 March and Fri 27 March: the reminder comes at 08:00 GMT on 27 March.
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx, utc(2026, 3, 2, 8));
        QVERIFY(actAt(fx, utc(2026, 3, 2, 9), ref, QStringLiteral("acknowledge")));
        QCOMPARE(timersOf(fx, ref, QStringLiteral("due-reminder"), QStringLiteral("pending")).size(), 1);
        QCOMPARE(
            timersOf(fx, ref, QStringLiteral("due-reminder"), QStringLiteral("pending")).constFirst().dueAt, utc(2026, 3, 30, 7));

        fx.clock->set(utc(2026, 3, 10, 9));
        const QByteArray calendar = test::shippedCalendarWith(QStringLiteral("2026-03-31"), QStringLiteral("Proclaimed holiday"));
        QVERIFY(!calendar.isEmpty());
        VERIFY_OK(fx.engine->importCalendar(calendar, QStringLiteral("bank-holidays.json"), QStringLiteral("root")));
        QCOMPARE(load(fx, ref).deadline.due, QDate(2026, 4, 2));

        QCOMPARE(sweepAt(fx, utc(2026, 3, 27, 7, 59, 59)).fired, 0);
        QCOMPARE(sweepAt(fx, utc(2026, 3, 27, 8)).fired, 1);
        QCOMPARE(messagesOf(fx, ref, QStringLiteral("due-reminder")).size(), 1);
        const TimerSweep later = sweepAt(fx, utc(2026, 3, 30, 7));
        QCOMPARE(later.fired, 0);
        QCOMPARE(messagesOf(fx, ref, QStringLiteral("due-reminder")).size(), 1);
    }

    void closingARequestCancelsItsTimers()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx, utc(2026, 3, 2, 8));
        QVERIFY(actAt(fx, utc(2026, 3, 2, 9), ref, QStringLiteral("acknowledge")));
        QVERIFY(!timersOf(fx, ref, {}, QStringLiteral("pending")).isEmpty());
        QVERIFY(actAt(fx, utc(2026, 3, 20, 9), ref, QStringLiteral("withdraw"),
            input(QStringLiteral("reason"), QStringLiteral("Sorted out with the service directly"))));
        QVERIFY(timersOf(fx, ref, {}, QStringLiteral("pending")).isEmpty());
        QCOMPARE(sweepAt(fx, utc(2026, 3, 30, 7)).fired, 0);
        QCOMPARE(sweepAt(fx, utc(2026, 4, 3, 7)).fired, 0);
        QVERIFY(messagesOf(fx, ref, QStringLiteral("due-reminder")).isEmpty());
        QVERIFY(messagesOf(fx, ref, QStringLiteral("overdue-escalation")).isEmpty());
    }

    // --- several workers at once --------------------------------------------------

    void twoWorkerThreadsFireEachTimerOnce()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        QStringList runningRefs;
        QStringList waitingRefs;
        prepareDueTimers(fx, 20, 10, &runningRefs, &waitingRefs);
        if (QTest::currentTestFailed())
            return;
        const int dueTimers = 2 * 20 + 10;
        const QDateTime moment = utc(2026, 4, 3, 7);
        const QString drop = fx.scratch.filePath(QStringLiteral("drop"));

        // Each worker has its own connection, clock and engine, made on its
        // own thread; the latch lets both sweep at the same moment.
        struct Outcome {
            int fired = 0;
            int cancelled = 0;
            int deferred = 0;
            int sent = 0;
            QString error;
        };
        std::array<Outcome, 2> outcomes;
        std::latch start(2);
        std::vector<std::unique_ptr<QThread>> threads;
        for (size_t i = 0; i < outcomes.size(); ++i) {
            Outcome *outcome = &outcomes.at(i);
            threads.emplace_back(QThread::create([&fx, &start, outcome, moment, drop] {
                std::unique_ptr<SqlStore> store = fx.openAnother();
                if (!store) {
                    outcome->error = QStringLiteral("cannot open a second connection");
                    start.count_down();
                    return;
                }
                FixedClock clock(moment);
                Engine engine(*store, fx.library, clock);
                start.arrive_and_wait();
                Result<TimerSweep> timers = engine.runDueTimers();
                if (!timers) {
                    outcome->error = errorText(timers.error());
                    return;
                }
                outcome->fired = timers->fired;
                outcome->cancelled = timers->cancelled;
                outcome->deferred = timers->deferred;
                FileDropSender sender(drop, MailIdentity {}, clock);
                Result<DeliverySweep> delivered = deliverDue(*store, sender, clock);
                if (!delivered) {
                    outcome->error = errorText(delivered.error());
                    return;
                }
                outcome->sent = delivered->sent;
            }));
        }
        for (const auto &thread : threads)
            thread->start();
        for (const auto &thread : threads)
            thread->wait();

        int fired = 0;
        int deferred = 0;
        int sent = 0;
        for (const Outcome &outcome : outcomes) {
            QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
            QCOMPARE(outcome.cancelled, 0);
            fired += outcome.fired;
            deferred += outcome.deferred;
            sent += outcome.sent;
        }
        qInfo("worker threads fired %d and %d timers (%d deferred), sent %d and %d messages", outcomes.at(0).fired,
            outcomes.at(1).fired, deferred, outcomes.at(0).sent, outcomes.at(1).sent);
        CHECKED(mopUpAndCheckAllSent(fx, moment, drop, {fired, deferred, sent}, dueTimers, runningRefs, waitingRefs,
            // acknowledgements, identity requests, reminders, escalations, closures
            20 * 3 + 10 * 3));
    }

    void anOfficerAndTheWorkerRaceForLapsedRequests()
    {
        // Ten requests whose identity evidence lapsed at the start of 3 April
        // (London): the worker closes them while alice, at the same moment,
        // records for each (last first) that the evidence did arrive. Each
        // request ends one way or the other, never both, and whoever lost is
        // told (alice) or tries again (the worker).
        test::Fixture fx;
        QVERIFY(fx.setUp());
        QStringList running;
        QStringList refs;
        prepareDueTimers(fx, 0, 10, &running, &refs);
        if (QTest::currentTestFailed())
            return;
        const QDateTime moment = utc(2026, 4, 3, 9);

        struct Outcome {
            QString error;
            int fired = 0;
            int deferred = 0;
            QStringList verified; // the requests alice's action went through on
            QStringList refused; // and those it was refused on, with why
        };
        Outcome worker;
        Outcome officer;
        std::latch start(2);
        std::unique_ptr<QThread> workerThread(QThread::create([&fx, &start, &worker, moment] {
            std::unique_ptr<SqlStore> store = fx.openAnother();
            if (!store) {
                worker.error = QStringLiteral("cannot open a second connection");
                start.count_down();
                return;
            }
            FixedClock clock(moment);
            Engine engine(*store, fx.library, clock);
            start.arrive_and_wait();
            Result<TimerSweep> sweep = engine.runDueTimers();
            if (!sweep) {
                worker.error = errorText(sweep.error());
                return;
            }
            worker.fired = sweep->fired;
            worker.deferred = sweep->deferred;
        }));
        std::unique_ptr<QThread> officerThread(QThread::create([&fx, &start, &officer, &refs, moment] {
            std::unique_ptr<SqlStore> store = fx.openAnother();
            if (!store) {
                officer.error = QStringLiteral("cannot open a second connection");
                start.count_down();
                return;
            }
            FixedClock clock(moment);
            Engine engine(*store, fx.library, clock);
            start.arrive_and_wait();
            for (qsizetype i = refs.size() - 1; i >= 0; --i) {
                Result<FireOutcome> done = engine.fire(refs.at(i), QStringLiteral("identity-verified"), kAlice,
                    input(QStringLiteral("evidence"), QStringLiteral("Passport seen")), {});
                if (done) {
                    officer.verified << refs.at(i);
                } else if (done.error().code == ErrorCode::Conflict || done.error().code == ErrorCode::Refused) {
                    officer.refused << refs.at(i);
                } else {
                    officer.error = errorText(done.error());
                    return;
                }
            }
        }));
        workerThread->start();
        officerThread->start();
        workerThread->wait();
        officerThread->wait();
        QVERIFY2(worker.error.isEmpty(), qPrintable(worker.error));
        QVERIFY2(officer.error.isEmpty(), qPrintable(officer.error));
        qInfo("worker closed %d, deferred %d; alice verified %lld, was refused %lld", worker.fired, worker.deferred,
            qint64(officer.verified.size()), qint64(officer.refused.size()));

        // A deferred timer comes up again and finds the request moved on.
        const TimerSweep mopUp = sweepAt(fx, moment.addSecs(60));
        QCOMPARE(mopUp.fired, 0);
        QCOMPARE(worker.fired + officer.verified.size(), refs.size());
        QCOMPARE(officer.verified.size() + officer.refused.size(), refs.size());
        for (const QString &ref : refs) {
            const Request r = load(fx, ref);
            const bool closedByWorker = r.state == QLatin1String("closed-no-evidence");
            QVERIFY2(closedByWorker || r.state == QLatin1String("checking"), qPrintable(ref + QLatin1Char(' ') + r.state));
            QCOMPARE(closedByWorker, officer.refused.contains(ref));
            QCOMPARE(eventsOf(fx, ref, QStringLiteral("close-no-evidence")).size(), closedByWorker ? 1 : 0);
            QCOMPARE(eventsOf(fx, ref, QStringLiteral("identity-verified")).size(), closedByWorker ? 0 : 1);
            QCOMPARE(messagesOf(fx, ref, QStringLiteral("closure-no-evidence")).size(), closedByWorker ? 1 : 0);
            QVERIFY(timersOf(fx, ref, QStringLiteral("identity-lapse"), QStringLiteral("pending")).isEmpty());
        }
        Result<AuditVerification> verified = fx.store->verifyAudit();
        VERIFY_OK(verified);
        QVERIFY2(verified->intact, qPrintable(verified->problem));
    }

    void threeWorkerProcessesFireEachTimerOnce()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        QStringList runningRefs;
        QStringList waitingRefs;
        prepareDueTimers(fx, 10, 10, &runningRefs, &waitingRefs);
        if (QTest::currentTestFailed())
            return;
        const int dueTimers = 2 * 10 + 10;
        const QString drop = fx.scratch.filePath(QStringLiteral("drop"));
        const QString home = fx.scratch.filePath(QStringLiteral("home"));
        const QStringList worker {QStringLiteral("worker"), QStringLiteral("--once"), QStringLiteral("--db"), fx.location(),
            QStringLiteral("--drop-dir"), drop};
        const QList<CliRun> runs = runTogether({worker, worker, worker}, QStringLiteral("2026-04-03T07:00:00Z"), home);

        int fired = 0;
        int deferred = 0;
        int sent = 0;
        for (const CliRun &run : runs) {
            VERIFY_EXIT(run, 0);
            const SweepLine line = sweepLine(run.out);
            QVERIFY2(line.found, qPrintable(run.describe()));
            QCOMPARE(line.cancelled, 0);
            QCOMPARE(line.parked, 0);
            fired += line.fired;
            deferred += line.deferred;
            sent += line.sent;
        }
        CHECKED(mopUpAndCheckAllSent(
            fx, utc(2026, 4, 3, 7), drop, {fired, deferred, sent}, dueTimers, runningRefs, waitingRefs, 10 * 3 + 10 * 3));
    }

    // --- delivery ------------------------------------------------------------------

    void deliveryWritesOneFilePerMessage()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString byEmail = fileAccess(fx, utc(2026, 3, 2, 8));
        const QString byPost = fileAccess(fx, utc(2026, 3, 2, 8), kAlice,
            Person {QStringLiteral("Ruth Jones"), QString(), QString(), QStringLiteral("12 Stanley Road, Bootle"),
                QStringLiteral("L20 3DL")});
        QVERIFY(!byEmail.isEmpty() && !byPost.isEmpty());
        QVERIFY(actAt(fx, utc(2026, 3, 2, 9), byEmail, QStringLiteral("acknowledge")));
        QVERIFY(act(fx, byPost, QStringLiteral("acknowledge")));

        const QString drop = fx.scratch.filePath(QStringLiteral("drop"));
        FileDropSender sender(drop, MailIdentity {}, *fx.clock);
        fx.clock->set(utc(2026, 3, 2, 9, 5));
        Result<DeliverySweep> sweep = deliverDue(*fx.store, sender, *fx.clock);
        VERIFY_OK(sweep);
        QCOMPARE(sweep->sent, 2);
        QCOMPARE(sweep->retrying, 0);
        QCOMPARE(sweep->parked, 0);

        const OutboxMessage email = messagesOf(fx, byEmail).constFirst();
        const OutboxMessage post = messagesOf(fx, byPost).constFirst();
        for (const OutboxMessage &m : {email, post}) {
            QCOMPARE(m.status, QStringLiteral("sent"));
            QCOMPARE(m.attempts, 1);
            QCOMPARE(m.sentAt, utc(2026, 3, 2, 9, 5));
            QVERIFY2(QFileInfo::exists(sender.pathFor(m)), qPrintable(sender.pathFor(m)));
        }
        QCOMPARE(post.channel, QStringLiteral("post"));
        QCOMPARE(QFileInfo(sender.pathFor(email)).dir().dirName(), QStringLiteral("email"));
        QCOMPARE(QFileInfo(sender.pathFor(post)).dir().dirName(), QStringLiteral("post"));
        const QStringList files = filesUnder(drop);
        QCOMPARE(files.size(), 2);

        const Eml mail = readEml(sender.pathFor(email));
        QVERIFY(mail.parsed);
        QVERIFY2(mail.headers.value("To").contains("m.ellis@example.org"), mail.headers.value("To").constData());
        QVERIFY(mail.headers.value("Subject").contains(byEmail.toUtf8()));
        QVERIFY(mail.headers.value("Message-ID").startsWith('<'));
        QVERIFY(mail.headers.value("Message-ID").endsWith('>'));
        QCOMPARE(mail.headers.value("X-Rightsflow-Idempotency-Key"), email.idempotencyKey.toUtf8());
        QCOMPARE(mail.headers.value("X-Rightsflow-Reference"), byEmail.toUtf8());
        QVERIFY(mail.headers.contains("From"));
        QVERIFY(mail.headers.contains("Date"));
        QVERIFY(mail.body.contains(byEmail.toUtf8()));
        const Eml letter = readEml(sender.pathFor(post));
        QVERIFY(letter.parsed);
        QVERIFY(letter.headers.value("X-Rightsflow-Postal-Address").contains("12 Stanley Road"));
        QVERIFY(letter.body.contains(byPost.toUtf8()));
        QVERIFY(letter.headers.value("Message-ID") != mail.headers.value("Message-ID"));

        // Nothing is sent twice.
        QFile first(sender.pathFor(email));
        QVERIFY(first.open(QIODevice::ReadOnly));
        const QByteArray firstBytes = first.readAll();
        first.close();
        fx.clock->set(utc(2026, 3, 3, 9));
        sweep = deliverDue(*fx.store, sender, *fx.clock);
        VERIFY_OK(sweep);
        QCOMPARE(sweep->sent, 0);
        QCOMPARE(filesUnder(drop), files);
        QVERIFY(first.open(QIODevice::ReadOnly));
        QCOMPARE(first.readAll(), firstBytes);
        QCOMPARE(messageById(fx, email.id).attempts, 1);
    }

    void aMessageClaimedByADeadWorkerIsSentAfterItsLease()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx, utc(2026, 3, 2, 8));
        QVERIFY(actAt(fx, utc(2026, 3, 2, 9), ref, QStringLiteral("acknowledge")));
        const OutboxMessage queued = messagesOf(fx, ref).constFirst();
        const QString drop = fx.scratch.filePath(QStringLiteral("drop"));
        FileDropSender sender(drop, MailIdentity {}, *fx.clock);
        const DeliveryPolicy policy;

        // A worker claims the message, writes the file, and dies before it
        // records the delivery.
        const QDateTime claimedAt = utc(2026, 3, 2, 9, 10);
        fx.clock->set(claimedAt);
        std::optional<OutboxMessage> claimed;
        {
            Transaction tx(*fx.store);
            VERIFY_OK(tx.begin());
            Result<std::optional<OutboxMessage>> next
                = fx.store->claimOutbox(claimedAt, claimedAt.addSecs(policy.leaseSeconds), 0);
            VERIFY_OK(next);
            VERIFY_OK(tx.commit());
            claimed = *next;
        }
        QVERIFY(claimed.has_value());
        QCOMPARE(claimed->id, queued.id);
        QCOMPARE(sender.deliver(*claimed).kind, DeliveryResult::Kind::Delivered);
        const Eml firstCopy = readEml(sender.pathFor(queued));
        QVERIFY(firstCopy.parsed);

        // While the lease holds, no other sweep touches it.
        fx.clock->set(claimedAt.addSecs(policy.leaseSeconds - 1));
        Result<DeliverySweep> sweep = deliverDue(*fx.store, sender, *fx.clock, policy);
        VERIFY_OK(sweep);
        QCOMPARE(sweep->sent, 0);
        QCOMPARE(messageById(fx, queued.id).status, QStringLiteral("queued"));
        QCOMPARE(messageById(fx, queued.id).attempts, 1);

        // Once it runs out, the message goes again, and it is the same message.
        fx.clock->set(claimedAt.addSecs(policy.leaseSeconds));
        sweep = deliverDue(*fx.store, sender, *fx.clock, policy);
        VERIFY_OK(sweep);
        QCOMPARE(sweep->sent, 1);
        const OutboxMessage sent = messageById(fx, queued.id);
        QCOMPARE(sent.status, QStringLiteral("sent"));
        QCOMPARE(sent.attempts, 2);
        QCOMPARE(filesUnder(drop), QStringList {QFileInfo(sender.pathFor(queued)).absoluteFilePath()});
        const Eml secondCopy = readEml(sender.pathFor(queued));
        QVERIFY(secondCopy.parsed);
        QCOMPARE(secondCopy.headers.value("Message-ID"), firstCopy.headers.value("Message-ID"));
        QCOMPARE(secondCopy.headers.value("X-Rightsflow-Idempotency-Key"), queued.idempotencyKey.toUtf8());
    }

    void renderedMessageIsWellFormed()
    {
        // Whatever officers typed: a bare line feed, a very long answer, a
        // name ending in a backslash, a line break trying to add a header.
        OutboxMessage m;
        m.reference = QStringLiteral("DSR-2026-000001");
        m.templateName = QStringLiteral("clarification-request");
        m.recipientRole = QStringLiteral("requester");
        m.recipientName = QStringLiteral("Zoë \\ Brontë\\\nBcc: someone@example.org");
        m.recipientAddress = QStringLiteral("zoe@example.org");
        m.channel = QStringLiteral("email");
        m.idempotencyKey = QStringLiteral("DSR-2026-000001/7/1");
        m.payload = QJsonObject {{QStringLiteral("right"), QStringLiteral("access")},
            {QStringLiteral("received"), QStringLiteral("2026-03-02T09:00:00.000Z")},
            {QStringLiteral("inputs"),
                QJsonObject {{QStringLiteral("question"), QStringLiteral("Which years?\nAnd which services?")},
                    {QStringLiteral("scope"), QString(5000, QChar(0x00e9))}}}};
        const QByteArray text = renderPlainMessage(m, MailIdentity {}, utc(2026, 3, 2, 9));
        QVERIFY(text.endsWith("\r\n"));
        QList<QByteArray> lines = text.split('\n');
        lines.removeLast(); // after the final line feed
        for (const QByteArray &line : lines) {
            QVERIFY2(line.endsWith('\r'), line.left(80).constData());
            QVERIFY2(line.size() <= 998, QByteArray::number(line.size()).constData());
            QVERIFY(!line.chopped(1).contains('\r'));
        }
        int toHeaders = 0;
        const qsizetype headerEnd = lines.indexOf(QByteArray("\r"));
        QVERIFY(headerEnd > 0);
        for (const QByteArray &line : lines.first(headerEnd)) {
            QVERIFY2(!line.startsWith("Bcc:"), line.constData());
            if (line.startsWith("To: ")) {
                ++toHeaders;
                QVERIFY2(line.endsWith(" <zoe@example.org>\r"), line.constData());
                QVERIFY2(!line.contains('\\'), line.constData());
            }
        }
        QCOMPARE(toHeaders, 1);
        // The long answer arrives whole, only folded.
        QVERIFY(QString::fromUtf8(text).remove(QStringLiteral("\r\n")).contains(QString(5000, QChar(0x00e9))));
    }

    void temporaryFailuresBackOffThenPark()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx, utc(2026, 3, 2, 8));
        QVERIFY(actAt(fx, utc(2026, 3, 2, 9), ref, QStringLiteral("acknowledge")));
        const qint64 id = messagesOf(fx, ref).constFirst().id;

        // The drop folder is a regular file: every write fails, for now.
        const QString notAFolder = fx.scratch.filePath(QStringLiteral("drop-is-a-file"));
        QVERIFY(makeBlocker(notAFolder));
        FileDropSender failing(notAFolder, MailIdentity {}, *fx.clock);
        DeliveryPolicy policy;
        policy.maxAttempts = 4;
        policy.firstRetrySeconds = 60;
        policy.maxRetrySeconds = 3600;

        QDateTime now = utc(2026, 3, 2, 10);
        for (int attempt = 1; attempt < policy.maxAttempts; ++attempt) {
            fx.clock->set(now);
            Result<DeliverySweep> sweep = deliverDue(*fx.store, failing, *fx.clock, policy);
            VERIFY_OK(sweep);
            QCOMPARE(sweep->retrying, 1);
            QCOMPARE(sweep->sent, 0);
            QCOMPARE(sweep->parked, 0);
            const OutboxMessage m = messageById(fx, id);
            QCOMPARE(m.status, QStringLiteral("queued"));
            QCOMPARE(m.attempts, attempt);
            const qint64 wait = qint64(60) << (attempt - 1); // 1, 2, 4 minutes
            QCOMPARE(m.nextAttemptAt, now.addSecs(wait));
            QVERIFY2(m.lastError.contains(notAFolder), qPrintable(m.lastError));

            // Not before its time.
            fx.clock->set(now.addSecs(wait - 1));
            sweep = deliverDue(*fx.store, failing, *fx.clock, policy);
            VERIFY_OK(sweep);
            QCOMPARE(sweep->retrying + sweep->sent + sweep->parked, 0);
            QCOMPARE(messageById(fx, id).attempts, attempt);
            now = now.addSecs(wait);
        }
        fx.clock->set(now);
        Result<DeliverySweep> sweep = deliverDue(*fx.store, failing, *fx.clock, policy);
        VERIFY_OK(sweep);
        QCOMPARE(sweep->parked, 1);
        OutboxMessage parked = messageById(fx, id);
        QCOMPARE(parked.status, QStringLiteral("parked"));
        QCOMPARE(parked.attempts, policy.maxAttempts);
        QVERIFY2(parked.lastError.contains(notAFolder), qPrintable(parked.lastError));

        // Parked is kept, and left alone by later sweeps.
        fx.clock->set(now.addDays(3));
        sweep = deliverDue(*fx.store, failing, *fx.clock, policy);
        VERIFY_OK(sweep);
        QCOMPARE(sweep->retrying + sweep->sent + sweep->parked, 0);
        QCOMPARE(messageById(fx, id).status, QStringLiteral("parked"));
        QCOMPARE(messageById(fx, id).attempts, policy.maxAttempts);
        QCOMPARE(messagesOf(fx, ref).size(), 1);
        Result<QList<OutboxMessage>> parkedList = fx.store->outboxByStatus(QStringLiteral("parked"), 100);
        VERIFY_OK(parkedList);
        QCOMPARE(parkedList->size(), 1);
        QCOMPARE(parkedList->constFirst().id, id);
    }

    void aMessageWithNoAddressIsParkedAtOnce()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx, utc(2026, 3, 2, 8));
        // The engine always gives a requester's message an address (intake
        // insists on a contact route); a row from an older register or a
        // hand-edited one may still lack it.
        OutboxMessage broken;
        broken.reference = ref;
        broken.templateName = QStringLiteral("acknowledgement");
        broken.recipientRole = QStringLiteral("requester");
        broken.recipientName = QStringLiteral("Margaret Ellis");
        broken.channel = QStringLiteral("email");
        broken.idempotencyKey = ref + QStringLiteral("/999/1");
        broken.createdAt = fx.clock->now();
        qint64 id = 0;
        {
            Transaction tx(*fx.store);
            VERIFY_OK(tx.begin());
            Result<qint64> enqueued = fx.store->enqueue(broken);
            VERIFY_OK(enqueued);
            VERIFY_OK(tx.commit());
            id = *enqueued;
        }
        const QString drop = fx.scratch.filePath(QStringLiteral("drop"));
        FileDropSender sender(drop, MailIdentity {}, *fx.clock);
        Result<DeliverySweep> sweep = deliverDue(*fx.store, sender, *fx.clock);
        VERIFY_OK(sweep);
        QCOMPARE(sweep->parked, 1);
        QCOMPARE(sweep->retrying, 0);
        const OutboxMessage parked = messageById(fx, id);
        QCOMPARE(parked.status, QStringLiteral("parked"));
        QCOMPARE(parked.attempts, 1);
        QVERIFY2(parked.lastError.contains(QStringLiteral("no email address")), qPrintable(parked.lastError));
        QVERIFY(filesUnder(drop).isEmpty());
    }

    void staffWithoutEmailGetInternalNotices()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        VERIFY_OK(fx.engine->addUser(QStringLiteral("olga"), QStringLiteral("officer"), QString(), QStringLiteral("root")));
        const QString ref = fileAccess(fx, utc(2026, 3, 2, 8), QStringLiteral("olga"));
        QCOMPARE(sweepAt(fx, utc(2026, 3, 30, 7)).fired, 1);
        const QList<OutboxMessage> reminders = messagesOf(fx, ref, QStringLiteral("due-reminder"));
        QCOMPARE(reminders.size(), 1);
        QCOMPARE(reminders.constFirst().channel, QStringLiteral("internal"));
        QCOMPARE(reminders.constFirst().recipientName, QStringLiteral("olga"));
        const QString drop = fx.scratch.filePath(QStringLiteral("drop"));
        FileDropSender sender(drop, MailIdentity {}, *fx.clock);
        Result<DeliverySweep> sweep = deliverDue(*fx.store, sender, *fx.clock);
        VERIFY_OK(sweep);
        QCOMPARE(sweep->sent, 1);
        QCOMPARE(messageById(fx, reminders.constFirst().id).status, QStringLiteral("sent"));
        QCOMPARE(QFileInfo(sender.pathFor(reminders.constFirst())).dir().dirName(), QStringLiteral("internal"));
        QVERIFY(QFileInfo::exists(sender.pathFor(reminders.constFirst())));
    }

    void anOfficerRetriesAParkedMessage()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx, utc(2026, 3, 2, 8));
        QVERIFY(actAt(fx, utc(2026, 3, 2, 9), ref, QStringLiteral("acknowledge")));
        const qint64 id = messagesOf(fx, ref).constFirst().id;
        const QString notAFolder = fx.scratch.filePath(QStringLiteral("drop-is-a-file"));
        QVERIFY(makeBlocker(notAFolder));
        FileDropSender failing(notAFolder, MailIdentity {}, *fx.clock);
        DeliveryPolicy once;
        once.maxAttempts = 1;
        VERIFY_OK(deliverDue(*fx.store, failing, *fx.clock, once));
        QCOMPARE(messageById(fx, id).status, QStringLiteral("parked"));

        // Only a known, active member of staff; a queued or sent message is
        // not "retried".
        const int retriesBefore = int(eventsOf(fx, ref, QStringLiteral("outbox-retry")).size());
        QCOMPARE(fx.engine->retryMessage(id, QStringLiteral("nobody")).error().code, ErrorCode::NotFound);
        QCOMPARE(fx.engine->retryMessage(id + 1000, kAlice).error().code, ErrorCode::NotFound);
        QCOMPARE(int(eventsOf(fx, ref, QStringLiteral("outbox-retry")).size()), retriesBefore);

        const QDateTime retriedAt = utc(2026, 3, 3, 9, 30);
        fx.clock->set(retriedAt);
        VERIFY_OK(fx.engine->retryMessage(id, kAlice));
        const OutboxMessage requeued = messageById(fx, id);
        QCOMPARE(requeued.status, QStringLiteral("queued"));
        QCOMPARE(requeued.attempts, 0);
        QCOMPARE(requeued.nextAttemptAt, retriedAt);
        const QList<AuditEvent> retries = eventsOf(fx, ref, QStringLiteral("outbox-retry"));
        QCOMPARE(retries.size(), retriesBefore + 1);
        QCOMPARE(retries.constLast().actor, kAlice);
        QCOMPARE(retries.constLast().at, retriedAt);
        QCOMPARE(retries.constLast().inputs.value(QStringLiteral("message")).toString(), QString::number(id));
        QCOMPARE(fx.engine->retryMessage(id, kAlice).error().code, ErrorCode::Refused); // queued now

        const QString drop = fx.scratch.filePath(QStringLiteral("drop"));
        FileDropSender working(drop, MailIdentity {}, *fx.clock);
        Result<DeliverySweep> sweep = deliverDue(*fx.store, working, *fx.clock);
        VERIFY_OK(sweep);
        QCOMPARE(sweep->sent, 1);
        QCOMPARE(messageById(fx, id).status, QStringLiteral("sent"));
        Status refused = fx.engine->retryMessage(id, kAlice);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::Refused);
        QCOMPARE(messageById(fx, id).status, QStringLiteral("sent"));
        QCOMPARE(eventsOf(fx, ref, QStringLiteral("outbox-retry")).size(), retriesBefore + 1);
        Result<AuditVerification> verified = fx.store->verifyAudit();
        VERIFY_OK(verified);
        QVERIFY(verified->intact);
    }

    // --- retention ----------------------------------------------------------------

    void onlyAnAdminSetsARetentionPeriod()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        Result<int> months = fx.engine->retentionMonths();
        VERIFY_OK(months);
        QCOMPARE(*months, 0);
        QCOMPARE(fx.engine->setRetentionMonths(24, kAlice).error().code, ErrorCode::Forbidden);
        QCOMPARE(fx.engine->setRetentionMonths(24, kDana).error().code, ErrorCode::Forbidden);
        QCOMPARE(fx.engine->setRetentionMonths(11, QStringLiteral("root")).error().code, ErrorCode::Invalid);
        QCOMPARE(fx.engine->setRetentionMonths(0, QStringLiteral("root")).error().code, ErrorCode::Invalid);
        QCOMPARE(*fx.engine->retentionMonths(), 0);
        VERIFY_OK(fx.engine->setRetentionMonths(12, QStringLiteral("root")));
        QCOMPARE(*fx.engine->retentionMonths(), 12);
        VERIFY_OK(fx.engine->setRetentionMonths(72, QStringLiteral("root")));
        QCOMPARE(*fx.engine->retentionMonths(), 72);
    }

    void retentionPurgesOnlyRequestsClosedLongEnoughAgo()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        // OLD closes 5 March 2026, RECENT 5 May 2026; OPEN never closes.
        auto fileWithPersonalData = [&fx](const QDateTime &received) {
            IntakeForm form = test::sampleForm(QStringLiteral("access"));
            form.received = received;
            form.requester.phone = QStringLiteral("0151 496 0000");
            form.requester.address = QStringLiteral("3 Marsh Lane, Bootle");
            form.identifiers = {Identifier {QStringLiteral("account"), QStringLiteral("CT-0042")}};
            fx.clock->set(received);
            Result<FiledRequest> filed = fx.engine->fileRequest(form, Engine::kIntakeActor);
            return filed ? filed->request.reference : QString();
        };
        const QString old = fileWithPersonalData(utc(2026, 3, 2, 8));
        const QString stillOpen = fileWithPersonalData(utc(2026, 3, 2, 8));
        QVERIFY(!old.isEmpty() && !stillOpen.isEmpty());
        VERIFY_OK(fx.engine->addNote(old, kAlice, QStringLiteral("Mrs Ellis rang about her council tax account")));
        VERIFY_OK(fx.engine->attach(old, kAlice, QStringLiteral("letter.txt"), QByteArrayLiteral("Dear council, ...")));
        QVERIFY(actAt(fx, utc(2026, 3, 2, 9), old, QStringLiteral("acknowledge")));
        QVERIFY(act(fx, stillOpen, QStringLiteral("acknowledge")));
        const Inputs withdrawal = input(QStringLiteral("reason"), QStringLiteral("No longer needed"));
        QVERIFY(actAt(fx, utc(2026, 3, 5, 10), old, QStringLiteral("withdraw"), withdrawal));
        const QString recent = fileWithPersonalData(utc(2026, 5, 4, 8));
        QVERIFY(!recent.isEmpty());
        VERIFY_OK(fx.engine->addNote(recent, kAlice, QStringLiteral("Called back")));
        QVERIFY(actAt(fx, utc(2026, 5, 5, 10), recent, QStringLiteral("withdraw"), withdrawal));
        const Request oldBefore = load(fx, old);
        const Request recentBefore = load(fx, recent);
        const Request openBefore = load(fx, stillOpen);
        QCOMPARE(oldBefore.attachments.size(), 1);
        QCOMPARE(oldBefore.notes.size(), 1);

        // No period set: nothing is purged, however old.
        const QDateTime now = utc(2028, 4, 6, 9);
        fx.clock->set(now);
        Result<PurgeSweep> sweep = fx.engine->purgeExpired();
        VERIFY_OK(sweep);
        QCOMPARE(sweep->retentionMonths, 0);
        QCOMPARE(sweep->purged, 0);
        QVERIFY(!load(fx, old).purgedAt.isValid());
        QCOMPARE(load(fx, old).requester, oldBefore.requester);

        // 24 months: OLD closed 25 months ago goes, RECENT (23 months) stays.
        VERIFY_OK(fx.engine->setRetentionMonths(24, QStringLiteral("root")));
        sweep = fx.engine->purgeExpired();
        VERIFY_OK(sweep);
        QCOMPARE(sweep->retentionMonths, 24);
        QCOMPARE(sweep->purged, 1);
        QVERIFY(sweep->lines.join(QLatin1Char('\n')).contains(old));

        const Request purged = load(fx, old);
        QCOMPARE(purged.purgedAt, now);
        QCOMPARE(purged.requester, Person {});
        QCOMPARE(purged.subject, Person {});
        QVERIFY(purged.scope.isEmpty());
        QVERIFY(purged.identifiers.isEmpty());
        QVERIFY(purged.notes.isEmpty());
        QVERIFY(purged.attachments.isEmpty());
        QVERIFY(!fx.store->attachmentContent(purged.id, oldBefore.attachments.constFirst().id).ok());
        // What statistics need stays.
        QCOMPARE(purged.reference, old);
        QCOMPARE(purged.right, QStringLiteral("access"));
        QCOMPARE(purged.channel, oldBefore.channel);
        QCOMPARE(purged.received, oldBefore.received);
        QCOMPARE(purged.state, QStringLiteral("withdrawn"));
        QCOMPARE(purged.closedAt, utc(2026, 3, 5, 10));
        QCOMPARE(purged.deadline.due, oldBefore.deadline.due);
        QCOMPARE(purged.assignee, oldBefore.assignee);

        const QList<AuditEvent> trail = eventsOf(fx, old);
        QVERIFY(trail.size() >= 5); // file, note, attach, acknowledge, withdraw, purge
        for (qsizetype i = 0; i + 1 < trail.size(); ++i) {
            QVERIFY2(trail.at(i).payloadPurged, qPrintable(trail.at(i).action));
            QVERIFY(trail.at(i).inputs.isEmpty());
            QVERIFY(trail.at(i).note.isEmpty());
        }
        const AuditEvent purge = trail.constLast();
        QCOMPARE(purge.action, QStringLiteral("purge"));
        QCOMPARE(purge.actor, Engine::kWorkerActor);
        QCOMPARE(purge.at, now);
        QVERIFY(!purge.payloadPurged);
        QCOMPARE(purge.inputs.value(QStringLiteral("retentionMonths")).toInt(), 24);
        QCOMPARE(purge.inputs.value(QStringLiteral("notes")).toInt(), 1);
        QCOMPARE(purge.inputs.value(QStringLiteral("attachments")).toInt(), 1);
        // The account number and the requester's own details, as intake recorded them.
        QCOMPARE(purge.inputs.value(QStringLiteral("identifiers")).toInt(), oldBefore.identifiers.size());
        QVERIFY(oldBefore.identifiers.contains(Identifier {QStringLiteral("account"), QStringLiteral("CT-0042")}));
        // Messages keep their template and status but not who or what; one
        // never delivered must not go now.
        for (const OutboxMessage &m : messagesOf(fx, old)) {
            QVERIFY(m.recipientName.isEmpty());
            QVERIFY(m.recipientAddress.isEmpty());
            QVERIFY(m.payload.isEmpty());
            QCOMPARE(m.status, QStringLiteral("parked"));
        }
        Result<AuditVerification> verified = fx.store->verifyAudit();
        VERIFY_OK(verified);
        QVERIFY2(verified->intact, qPrintable(verified->problem));
        // A purged request takes no new personal data, which nothing would purge;
        // its parked messages are not sent again.
        const Status note = fx.engine->addNote(old, QStringLiteral("alice"), QStringLiteral("Called her on 07700 900123"));
        QVERIFY(!note.ok());
        QCOMPARE(note.error().code, ErrorCode::Refused);
        QVERIFY2(note.error().message.contains(QStringLiteral("purged")), qPrintable(note.error().message));
        const Result<Attachment> attached = fx.engine->attach(old, QStringLiteral("alice"), QStringLiteral("passport.jpg"), "x");
        QVERIFY(!attached.ok());
        QCOMPARE(attached.error().code, ErrorCode::Refused);
        for (const OutboxMessage &m : messagesOf(fx, old)) {
            const Status retried = fx.engine->retryMessage(m.id, QStringLiteral("alice"));
            QVERIFY(!retried.ok());
            QCOMPARE(retried.error().code, ErrorCode::Refused);
        }

        // RECENT and OPEN are whole.
        const Request recentNow = load(fx, recent);
        QVERIFY(!recentNow.purgedAt.isValid());
        QCOMPARE(recentNow.requester, recentBefore.requester);
        QCOMPARE(recentNow.identifiers, recentBefore.identifiers);
        QCOMPARE(recentNow.notes.size(), 1);
        QCOMPARE(recentNow.scope, recentBefore.scope);
        for (const AuditEvent &e : eventsOf(fx, recent))
            QVERIFY(!e.payloadPurged);
        const Request openNow = load(fx, stillOpen);
        QVERIFY(!openNow.purgedAt.isValid());
        QCOMPARE(openNow.requester, openBefore.requester);
        QCOMPARE(openNow.identifiers, openBefore.identifiers);

        // Purging again does nothing.
        sweep = fx.engine->purgeExpired();
        VERIFY_OK(sweep);
        QCOMPARE(sweep->purged, 0);
        QCOMPARE(eventsOf(fx, old, QStringLiteral("purge")).size(), 1);

        // Two months on RECENT is past the period too; OPEN, received more
        // than two years ago, is never purged while it is open.
        fx.clock->set(utc(2028, 6, 6, 9));
        sweep = fx.engine->purgeExpired();
        VERIFY_OK(sweep);
        QCOMPARE(sweep->purged, 1);
        QVERIFY(load(fx, recent).purgedAt.isValid());
        QVERIFY(load(fx, recent).requester.name.isEmpty());
        QVERIFY(!load(fx, stillOpen).purgedAt.isValid());
        QCOMPARE(load(fx, stillOpen).requester, openBefore.requester);
        verified = fx.store->verifyAudit();
        VERIFY_OK(verified);
        QVERIFY2(verified->intact, qPrintable(verified->problem));
    }

    // --- the commands ----------------------------------------------------------------

    void outboxRetentionAndWorkerCommands()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString home = fx.scratch.filePath(QStringLiteral("home"));
        const QString now = QStringLiteral("2026-03-02T09:30:00Z");
        const QStringList db {QStringLiteral("--db"), fx.location()};

        // A: its acknowledgement parked after a failed attempt; B: queued.
        const QString a = fileAccess(fx, utc(2026, 3, 2, 8));
        const QString b = fileAccess(fx, utc(2026, 3, 2, 8));
        QVERIFY(actAt(fx, utc(2026, 3, 2, 9), a, QStringLiteral("acknowledge")));
        const QString notAFolder = fx.scratch.filePath(QStringLiteral("drop-is-a-file"));
        QVERIFY(makeBlocker(notAFolder));
        FileDropSender failing(notAFolder, MailIdentity {}, *fx.clock);
        DeliveryPolicy once;
        once.maxAttempts = 1;
        VERIFY_OK(deliverDue(*fx.store, failing, *fx.clock, once));
        QVERIFY(act(fx, b, QStringLiteral("acknowledge")));
        const qint64 parkedId = messagesOf(fx, a).constFirst().id;
        const qint64 queuedId = messagesOf(fx, b).constFirst().id;

        CliRun run
            = runCli(QStringList {QStringLiteral("outbox"), QStringLiteral("list"), QStringLiteral("--json")} + db, now, home);
        VERIFY_EXIT(run, 0);
        const QJsonArray listed = QJsonDocument::fromJson(run.out.toUtf8()).array();
        QCOMPARE(listed.size(), 2);
        QCOMPARE(listed.at(0).toObject().value(QStringLiteral("id")).toInteger(), parkedId);
        QCOMPARE(listed.at(0).toObject().value(QStringLiteral("status")).toString(), QStringLiteral("parked"));
        QCOMPARE(listed.at(0).toObject().value(QStringLiteral("reference")).toString(), a);
        QVERIFY(listed.at(0).toObject().value(QStringLiteral("lastError")).toString().contains(notAFolder));
        QCOMPARE(listed.at(1).toObject().value(QStringLiteral("id")).toInteger(), queuedId);
        QCOMPARE(listed.at(1).toObject().value(QStringLiteral("status")).toString(), QStringLiteral("queued"));
        QCOMPARE(listed.at(1).toObject().value(QStringLiteral("template")).toString(), QStringLiteral("acknowledgement"));
        QCOMPARE(listed.at(1).toObject().value(QStringLiteral("reference")).toString(), b);

        run = runCli(QStringList {QStringLiteral("outbox"), QStringLiteral("list"), QStringLiteral("--status"),
                         QStringLiteral("parked"), QStringLiteral("--json")}
                + db,
            now, home);
        VERIFY_EXIT(run, 0);
        QCOMPARE(QJsonDocument::fromJson(run.out.toUtf8()).array().size(), 1);
        VERIFY_EXIT(runCli(QStringList {QStringLiteral("outbox"), QStringLiteral("list"), QStringLiteral("--status"),
                               QStringLiteral("lost")}
                            + db,
                        now, home),
            2);

        run = runCli(QStringList {QStringLiteral("outbox"), QStringLiteral("show"), QString::number(parkedId)} + db, now, home);
        VERIFY_EXIT(run, 0);
        QVERIFY2(run.out.contains(a), qPrintable(run.describe()));
        QVERIFY2(run.out.contains(QStringLiteral("parked")), qPrintable(run.describe()));
        QVERIFY2(run.out.contains(QStringLiteral("last error")), qPrintable(run.describe()));
        QVERIFY2(run.out.contains(QStringLiteral("m.ellis@example.org")), qPrintable(run.describe()));
        VERIFY_EXIT(
            runCli(QStringList {QStringLiteral("outbox"), QStringLiteral("show"), QStringLiteral("999999")} + db, now, home), 3);

        // retry: --as is required; a queued message is not retried; a parked one is.
        VERIFY_EXIT(
            runCli(QStringList {QStringLiteral("outbox"), QStringLiteral("retry"), QString::number(parkedId)} + db, now, home),
            2);
        run = runCli(QStringList {QStringLiteral("outbox"), QStringLiteral("retry"), QString::number(queuedId),
                         QStringLiteral("--as"), kAlice}
                + db,
            now, home);
        VERIFY_EXIT(run, 4);
        QVERIFY2(run.err.contains(QStringLiteral("not parked")), qPrintable(run.describe()));
        run = runCli(QStringList {QStringLiteral("outbox"), QStringLiteral("retry"), QString::number(parkedId),
                         QStringLiteral("--as"), kAlice}
                + db,
            now, home);
        VERIFY_EXIT(run, 0);
        QVERIFY2(run.out.contains(QStringLiteral("queued again")), qPrintable(run.describe()));
        QCOMPARE(messageById(fx, parkedId).status, QStringLiteral("queued"));
        QCOMPARE(messageById(fx, parkedId).attempts, 0);
        QCOMPARE(eventsOf(fx, a, QStringLiteral("outbox-retry")).size(), 1);
        QCOMPARE(eventsOf(fx, a, QStringLiteral("outbox-retry")).constFirst().actor, kAlice);

        // retention
        run = runCli(QStringList {QStringLiteral("retention"), QStringLiteral("show")} + db, now, home);
        VERIFY_EXIT(run, 0);
        QVERIFY2(run.out.contains(QStringLiteral("No retention period")), qPrintable(run.describe()));
        VERIFY_EXIT(runCli(QStringList {QStringLiteral("retention"), QStringLiteral("set"), QStringLiteral("24"),
                               QStringLiteral("--as"), kAlice}
                            + db,
                        now, home),
            4);
        VERIFY_EXIT(runCli(QStringList {QStringLiteral("retention"), QStringLiteral("set"), QStringLiteral("6"),
                               QStringLiteral("--as"), QStringLiteral("root")}
                            + db,
                        now, home),
            2);
        VERIFY_EXIT(
            runCli(QStringList {QStringLiteral("retention"), QStringLiteral("set"), QStringLiteral("24")} + db, now, home), 2);
        QCOMPARE(*fx.engine->retentionMonths(), 0);
        run = runCli(QStringList {QStringLiteral("retention"), QStringLiteral("set"), QStringLiteral("24"),
                         QStringLiteral("--as"), QStringLiteral("root")}
                + db,
            now, home);
        VERIFY_EXIT(run, 0);
        QCOMPARE(*fx.engine->retentionMonths(), 24);
        run = runCli(QStringList {QStringLiteral("retention"), QStringLiteral("show")} + db, now, home);
        VERIFY_EXIT(run, 0);
        QVERIFY2(run.out.contains(QStringLiteral("24 months")), qPrintable(run.describe()));

        // worker --once at the reminders' moment (Mon 30 March, 08:00 BST):
        // two reminders fire; both acknowledgements and both reminders go.
        const QString drop = fx.scratch.filePath(QStringLiteral("drop"));
        const QStringList worker
            = QStringList {QStringLiteral("worker"), QStringLiteral("--once"), QStringLiteral("--drop-dir"), drop} + db;
        run = runCli(worker, QStringLiteral("2026-03-30T07:00:00Z"), home);
        VERIFY_EXIT(run, 0);
        SweepLine line = sweepLine(run.out);
        QVERIFY2(line.found, qPrintable(run.describe()));
        QCOMPARE(line.fired, 2);
        QCOMPARE(line.sent, 4);
        QCOMPARE(line.parked, 0);
        QVERIFY2(run.out.contains(a) && run.out.contains(b), qPrintable(run.describe()));
        Result<QList<OutboxMessage>> sent = fx.store->outboxByStatus(QStringLiteral("sent"), 100);
        VERIFY_OK(sent);
        QCOMPARE(sent->size(), 4);
        QCOMPARE(filesUnder(drop).size(), 4);
        QCOMPARE(messagesOf(fx, a, QStringLiteral("due-reminder")).size(), 1);
        QCOMPARE(messagesOf(fx, b, QStringLiteral("due-reminder")).size(), 1);

        // Again: nothing left to do.
        run = runCli(worker, QStringLiteral("2026-03-30T07:05:00Z"), home);
        VERIFY_EXIT(run, 0);
        line = sweepLine(run.out);
        QVERIFY2(line.found, qPrintable(run.describe()));
        QCOMPARE(line.fired, 0);
        QCOMPARE(line.sent, 0);
        QCOMPARE(filesUnder(drop).size(), 4);
    }
};

QTEST_GUILESS_MAIN(TestWorker)
#include "TestWorker.moc"
