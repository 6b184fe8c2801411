// SPDX-License-Identifier: GPL-3.0-or-later
// Crash safety: a process killed (SIGKILL) in the middle of a burst of actions
// leaves a register where every acknowledged action is present exactly once,
// the audit chain verifies, and the outbox holds exactly the messages of the
// committed actions.
//
// crash_burst (tests/CrashBurst.cpp) fires real engine actions on the
// register as fast as it takes them and prints a line for each action it
// starts and one for each action that has returned success. The test kills it
// after a number of acknowledgements, with no pause in the burst, so the kill
// lands wherever the program happens to be: most often inside a transaction.
// It then reads the register afresh and accounts for every row: each
// acknowledged action is there once, and the only committed action allowed
// to lack an acknowledgement is the one in flight when the kill landed. It
// checks outcomes only, never timings. It runs on SQLite and, as
// TestCrash.postgres, on the private PostgreSQL server of the ctest fixture.

#include "TestSupport.h"

#include <QHash>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QThread>
#include <QUrl>
#include <QUuid>

#include <signal.h>

#include <algorithm>
#include <optional>

using namespace rf;

namespace {

const QString kCrashBurst = QStringLiteral(RIGHTSFLOW_CRASH_BURST);
constexpr int kWaitMs = 60000; // a safety net for a stuck program, not a timing

// How many notices each action of the burst queues (its two paths through
// the shipped access workflow, see CrashBurst.cpp), and so how many outbox
// messages a committed event of that action has: no more, no fewer.
const QHash<QString, int> &queuedBy()
{
    static const QHash<QString, int> counts {
        {QStringLiteral("file"), 0},
        {QStringLiteral("note"), 0},
        {QStringLiteral("acknowledge"), 1},
        {QStringLiteral("extend"), 1},
        {QStringLiteral("request-clarification"), 1},
        {QStringLiteral("clarification-received"), 0},
        {QStringLiteral("withdraw"), 1},
        {QStringLiteral("start-work"), 0},
        {QStringLiteral("collected"), 0},
        {QStringLiteral("review-complete"), 0},
        {QStringLiteral("send-response"), 1},
    };
    return counts;
}

// "ack <n> <kind> <reference> <version> <seq|-> <keys|->": an action that committed.
struct Ack {
    qint64 n = 0;
    QString kind;
    QString reference;
    qint64 version = 0;
    qint64 seq = 0; // 0 when not printed (filings and notes)
    QStringList keys;
};

// "start <n> <kind> <reference|->": an action about to begin.
struct Start {
    qint64 n = 0;
    QString kind;
    QString reference; // empty for a filing
};

struct BurstOutput {
    QList<Ack> acks;
    std::optional<Start> lastStart;
    QStringList malformed;
};

// Reads the complete lines only: a line cut short by the kill is not an acknowledgement.
BurstOutput parseOutput(const QByteArray &out)
{
    BurstOutput parsed;
    const qsizetype end = out.lastIndexOf('\n');
    if (end < 0)
        return parsed;
    const QList<QByteArray> lines = out.left(end).split('\n');
    for (const QByteArray &raw : lines) {
        const QString line = QString::fromUtf8(raw);
        const QStringList f = line.split(QLatin1Char(' '));
        bool okN = false;
        if (f.size() == 7 && f.at(0) == QLatin1String("ack")) {
            Ack ack;
            bool okVersion = false;
            bool okSeq = true;
            ack.n = f.at(1).toLongLong(&okN);
            ack.kind = f.at(2);
            ack.reference = f.at(3);
            ack.version = f.at(4).toLongLong(&okVersion);
            if (f.at(5) != QLatin1String("-"))
                ack.seq = f.at(5).toLongLong(&okSeq);
            if (f.at(6) != QLatin1String("-"))
                ack.keys = f.at(6).split(QLatin1Char(','));
            if (okN && okVersion && okSeq) {
                parsed.acks.append(ack);
                continue;
            }
        } else if (f.size() == 4 && f.at(0) == QLatin1String("start")) {
            Start start {f.at(1).toLongLong(&okN), f.at(2), f.at(3) == QLatin1String("-") ? QString() : f.at(3)};
            if (okN) {
                parsed.lastStart = start;
                continue;
            }
        }
        parsed.malformed << line;
    }
    return parsed;
}

// How many lines of `out` begin with `word` ("ack" or "start").
qsizetype countLines(const QByteArray &out, const QByteArray &word)
{
    const QByteArray prefix = word + ' ';
    return out.count('\n' + prefix) + (out.startsWith(prefix) ? 1 : 0);
}

// On PostgreSQL the killed program's server session can outlive it for a
// moment, finishing the COMMIT it had already sent or rolling back what it
// had not; the register is read once that session has ended. -1: no answer.
int otherSessions(const QString &location)
{
    const QUrl url(location);
    const QString connection = QStringLiteral("crash-sessions-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    int sessions = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
        db.setHostName(url.host());
        db.setPort(url.port());
        db.setUserName(url.userName());
        db.setPassword(url.password());
        db.setDatabaseName(url.path().mid(1));
        if (db.open()) {
            QSqlQuery query(db);
            if (query.exec(QStringLiteral("SELECT count(*) FROM pg_stat_activity "
                                          "WHERE datname = current_database() AND backend_type = 'client backend' "
                                          "AND pid <> pg_backend_pid()"))
                && query.next())
                sessions = query.value(0).toInt();
            else
                qWarning() << query.lastError().text();
        } else {
            qWarning() << "cannot reach the PostgreSQL test server:" << db.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return sessions;
}

QString describe(const AuditEvent &e)
{
    return QStringLiteral("seq %1 %2 '%3' version %4").arg(e.seq).arg(e.reference, e.action).arg(e.requestVersion);
}

// What the register holds, read through the store afresh.
struct Holdings {
    QHash<QString, Request> requests;
    QHash<QString, QList<AuditEvent>> eventsOf; // by reference, in seq order
    QHash<qint64, AuditEvent> events; // every event, by seq
    qint64 maxSeq = 0;
    QList<OutboxMessage> outbox;
    qint64 eventsChecked = 0;
};

// Reads everything and checks the chain; QVERIFY inside, so the caller checks
// QTest::currentTestFailed() afterwards.
void readHoldings(Store &store, Holdings &h)
{
    Result<AuditVerification> verification = store.verifyAudit();
    QVERIFY2(verification.ok(), qPrintable(verification.ok() ? QString() : verification.error().fullText()));
    QVERIFY2(verification->intact,
        qPrintable(QStringLiteral("the audit chain does not verify at seq %1: %2")
                       .arg(verification->firstBadSeq)
                       .arg(verification->problem)));
    h.eventsChecked = verification->eventsChecked;

    RequestFilter everything;
    everything.limit = 1000000;
    Result<QList<RequestSummary>> summaries = store.listRequests(everything);
    QVERIFY2(summaries.ok(), qPrintable(summaries.ok() ? QString() : summaries.error().fullText()));
    QStringList references {QString()}; // the register-wide events (users added by the set-up)
    for (const RequestSummary &summary : *summaries) {
        Result<Request> request = store.loadRequest(summary.reference, RequestDetail::Full);
        QVERIFY2(request.ok(), qPrintable(request.ok() ? QString() : request.error().fullText()));
        h.requests.insert(summary.reference, *request);
        references << summary.reference;
    }
    for (const QString &reference : references) {
        Result<QList<AuditEvent>> events = store.auditEvents(reference);
        QVERIFY2(events.ok(), qPrintable(events.ok() ? QString() : events.error().fullText()));
        h.eventsOf.insert(reference, *events);
        for (const AuditEvent &e : *events) {
            QVERIFY2(!h.events.contains(e.seq), qPrintable(QStringLiteral("two events with seq %1").arg(e.seq)));
            h.events.insert(e.seq, e);
            h.maxSeq = std::max(h.maxSeq, e.seq);
        }
    }
    // Every event belongs to a request the register lists, or to the register.
    QCOMPARE(qint64(h.events.size()), h.eventsChecked);

    Result<QList<OutboxMessage>> outbox = store.outbox(QString());
    QVERIFY2(outbox.ok(), qPrintable(outbox.ok() ? QString() : outbox.error().fullText()));
    h.outbox = *outbox;
}

// The requirement, checked against what the program acknowledged. `killed`:
// the program was killed, so one committed action may lack its acknowledgement.
// Returns a line for the log saying where the kill landed.
QString checkRegister(const Holdings &h, const BurstOutput &burst, bool killed)
{
    QString landed;
    [&] {
        QVERIFY2(burst.malformed.isEmpty(), qPrintable(QStringLiteral("unreadable lines: ") + burst.malformed.join(u'|')));
        for (qsizetype i = 0; i < burst.acks.size(); ++i)
            QCOMPARE(burst.acks.at(i).n, qint64(i + 1));

        // Every acknowledged action is present exactly once.
        QSet<qint64> accountedFor; // the seq of each acknowledged action's event
        // Each acknowledged action has an event of its own, later than the one before.
        qint64 previousSeq = 0;
        auto account = [&accountedFor, &previousSeq](const AuditEvent &e, const Ack &ack) {
            const bool fresh = !accountedFor.contains(e.seq);
            accountedFor.insert(e.seq);
            if (!fresh)
                qWarning().noquote() << "ack" << ack.n << "matches" << describe(e) << "which another ack already claimed";
            const bool inOrder = e.seq > previousSeq;
            if (!inOrder)
                qWarning().noquote() << "ack" << ack.n << "matches" << describe(e) << "which is not after seq" << previousSeq;
            previousSeq = e.seq;
            return fresh && inOrder;
        };
        for (const Ack &ack : burst.acks) {
            const QString what = QStringLiteral("ack %1 (%2 on %3)").arg(ack.n).arg(ack.kind, ack.reference);
            QVERIFY2(
                h.requests.contains(ack.reference), qPrintable(what + QStringLiteral(": the request is not in the register")));
            const QList<AuditEvent> &events = h.eventsOf.value(ack.reference);
            if (ack.kind == QLatin1String("file")) {
                QList<AuditEvent> filings;
                std::copy_if(events.cbegin(), events.cend(), std::back_inserter(filings),
                    [](const AuditEvent &e) { return e.action == QLatin1String("file"); });
                QVERIFY2(
                    filings.size() == 1, qPrintable(what + QStringLiteral(": %1 filing events, not one").arg(filings.size())));
                QCOMPARE(filings.constFirst().requestVersion, 1);
                QCOMPARE(ack.version, 1);
                QVERIFY(account(filings.constFirst(), ack));
            } else if (ack.kind == QLatin1String("note")) {
                const QString text = QStringLiteral("burst note %1").arg(ack.n);
                QList<AuditEvent> notes;
                std::copy_if(events.cbegin(), events.cend(), std::back_inserter(notes),
                    [&text](const AuditEvent &e) { return e.action == QLatin1String("note") && e.note == text; });
                QVERIFY2(notes.size() == 1, qPrintable(what + QStringLiteral(": %1 note events, not one").arg(notes.size())));
                QCOMPARE(notes.constFirst().requestVersion, ack.version);
                const QList<Note> &kept = h.requests.value(ack.reference).notes;
                QCOMPARE(qsizetype(std::count_if(kept.cbegin(), kept.cend(), [&text](const Note &n) { return n.text == text; })),
                    qsizetype(1));
                QVERIFY(account(notes.constFirst(), ack));
            } else {
                QVERIFY2(h.events.contains(ack.seq), qPrintable(what + QStringLiteral(": no audit event %1").arg(ack.seq)));
                const AuditEvent &e = h.events.value(ack.seq);
                QVERIFY2(e.reference == ack.reference && e.action == ack.kind && e.requestVersion == ack.version,
                    qPrintable(what + QStringLiteral(": the event is ") + describe(e)));
                QCOMPARE(ack.keys.size(), queuedBy().value(ack.kind, -1));
                QVERIFY(account(e, ack));
            }
        }

        // Each request's history is whole: one version-changing event per
        // version from 1 up to the request's own, and the request where its
        // last event left it.
        for (auto it = h.requests.cbegin(); it != h.requests.cend(); ++it) {
            const Request &request = it.value();
            qint64 expectedVersion = 1;
            qint64 highest = 0;
            QString lastState;
            qsizetype noteEvents = 0;
            for (const AuditEvent &e : h.eventsOf.value(it.key())) {
                highest = std::max(highest, e.requestVersion);
                if (e.action == QLatin1String("note")) {
                    ++noteEvents;
                    continue;
                }
                QVERIFY2(e.requestVersion == expectedVersion,
                    qPrintable(QStringLiteral("%1 where version %2 was due").arg(describe(e)).arg(expectedVersion)));
                ++expectedVersion;
                lastState = e.toState;
            }
            QVERIFY2(request.version == highest,
                qPrintable(QStringLiteral("%1 is at version %2, its audit events reach %3")
                               .arg(request.reference)
                               .arg(request.version)
                               .arg(highest)));
            QCOMPARE(request.state, lastState);
            QCOMPARE(request.notes.size(), noteEvents);
        }

        // Nothing committed beyond what was acknowledged, except the action
        // in flight when the kill landed, which is the last event of all.
        QList<AuditEvent> unacknowledged;
        for (const AuditEvent &e : h.events) {
            if (!e.reference.isEmpty() && !accountedFor.contains(e.seq))
                unacknowledged.append(e);
        }
        if (unacknowledged.size() > (killed ? 1 : 0))
            QFAIL(qPrintable(QStringLiteral("%1 committed actions were never acknowledged; the first is %2")
                                 .arg(unacknowledged.size())
                                 .arg(describe(unacknowledged.constFirst()))));
        if (unacknowledged.isEmpty()) {
            landed = burst.lastStart && burst.lastStart->n > burst.acks.size()
                ? QStringLiteral("in action %1 (%2), which did not commit").arg(burst.lastStart->n).arg(burst.lastStart->kind)
                : QStringLiteral("between actions");
        } else {
            const AuditEvent &e = unacknowledged.constFirst();
            QCOMPARE(e.seq, h.maxSeq);
            QVERIFY2(burst.lastStart && burst.lastStart->n == burst.acks.size() + 1,
                qPrintable(describe(e) + QStringLiteral(" committed, but no action was in flight")));
            QCOMPARE(e.action, burst.lastStart->kind);
            if (!burst.lastStart->reference.isEmpty())
                QCOMPARE(e.reference, burst.lastStart->reference);
            landed = QStringLiteral("after action %1 (%2) committed, before its ack").arg(burst.lastStart->n).arg(e.action);
        }

        // The outbox holds exactly the messages of the committed actions.
        QHash<QString, int> keyCount;
        QHash<qint64, QList<int>> positionsOf; // by audit seq
        for (const OutboxMessage &m : h.outbox) {
            ++keyCount[m.idempotencyKey];
            const QStringList parts = m.idempotencyKey.split(QLatin1Char('/'));
            QVERIFY2(parts.size() == 3, qPrintable(QStringLiteral("idempotency key '%1'").arg(m.idempotencyKey)));
            bool okSeq = false;
            bool okPosition = false;
            const qint64 seq = parts.at(1).toLongLong(&okSeq);
            const int position = parts.at(2).toInt(&okPosition);
            QVERIFY(okSeq && okPosition);
            QCOMPARE(parts.at(0), m.reference);
            QVERIFY2(h.events.contains(seq),
                qPrintable(QStringLiteral("message %1 belongs to audit event %2, which never committed")
                               .arg(m.idempotencyKey)
                               .arg(seq)));
            QCOMPARE(h.events.value(seq).reference, m.reference);
            positionsOf[seq].append(position);
        }
        for (auto it = keyCount.cbegin(); it != keyCount.cend(); ++it)
            QVERIFY2(it.value() == 1, qPrintable(QStringLiteral("%1 messages with key %2").arg(it.value()).arg(it.key())));
        for (const Ack &ack : burst.acks) {
            for (const QString &key : ack.keys)
                QVERIFY2(keyCount.value(key) == 1, qPrintable(QStringLiteral("acknowledged message %1 is missing").arg(key)));
        }
        for (const AuditEvent &e : h.events) {
            if (e.reference.isEmpty()) {
                QVERIFY(!positionsOf.contains(e.seq));
                continue;
            }
            const int expected = queuedBy().value(e.action, -1);
            QVERIFY2(expected >= 0, qPrintable(QStringLiteral("an action the burst never takes: ") + describe(e)));
            QList<int> positions = positionsOf.value(e.seq);
            std::sort(positions.begin(), positions.end());
            QList<int> whole;
            for (int i = 1; i <= expected; ++i)
                whole << i;
            QVERIFY2(positions == whole,
                qPrintable(
                    QStringLiteral("%1 has %2 messages, should have %3").arg(describe(e)).arg(positions.size()).arg(expected)));
        }
    }();
    return landed;
}

// The register still takes actions after the crash.
void actAgain(test::Fixture &fx, qint64 eventsBefore)
{
    Result<FiledRequest> filed = fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("intake"));
    QVERIFY2(filed.ok(), qPrintable(filed.ok() ? QString() : filed.error().fullText()));
    Result<FireOutcome> fired
        = fx.engine->fire(filed->request.reference, QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}, 1);
    QVERIFY2(fired.ok(), qPrintable(fired.ok() ? QString() : fired.error().fullText()));
    QCOMPARE(fired->queued.size(), 1);
    Result<QList<OutboxMessage>> outbox = fx.store->outbox(filed->request.reference);
    QVERIFY(outbox.ok());
    QCOMPARE(outbox->size(), 1);
    QCOMPARE(outbox->constFirst().idempotencyKey, fired->queued.constFirst().idempotencyKey);
    Result<AuditVerification> verification = fx.store->verifyAudit();
    QVERIFY(verification.ok());
    QVERIFY(verification->intact);
    QCOMPARE(verification->eventsChecked, eventsBefore + 2);
}

} // namespace

class TestCrash : public QObject
{
    Q_OBJECT

private:
    // Starts the burst on the fixture's register, which nobody else holds open.
    static bool startBurst(test::Fixture &fx, QProcess &burst, const QStringList &extra = {})
    {
        fx.engine.reset();
        fx.store.reset();
        burst.setProgram(kCrashBurst);
        burst.setArguments(QStringList {QStringLiteral("--db"), fx.location()} + extra);
        burst.start();
        return burst.waitForStarted(kWaitMs);
    }

    // Waits for the killed program's session to end, then reopens the register.
    static void reopen(test::Fixture &fx)
    {
        if (test::onPostgres())
            QTRY_COMPARE_WITH_TIMEOUT(otherSessions(fx.location()), 0, kWaitMs);
        fx.store = fx.openAnother();
        QVERIFY(fx.store);
        fx.engine = std::make_unique<Engine>(*fx.store, fx.library, *fx.clock);
    }

private slots:
    void initTestCase() { QVERIFY2(QFile::exists(kCrashBurst), qPrintable(kCrashBurst + QStringLiteral(" is not built"))); }

    // The checks themselves, on a burst that ends by itself: then every
    // committed action was acknowledged.
    void completedBurstIsFullyAcknowledged()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        QProcess burst;
        QVERIFY(startBurst(fx, burst, {QStringLiteral("--count"), QStringLiteral("40")}));
        QVERIFY(burst.waitForFinished(kWaitMs));
        QCOMPARE(burst.exitStatus(), QProcess::NormalExit);
        QVERIFY2(burst.exitCode() == 0, burst.readAllStandardError().constData());
        const BurstOutput output = parseOutput(burst.readAllStandardOutput());
        QCOMPARE(output.acks.size(), 40);
        reopen(fx);
        if (QTest::currentTestFailed())
            return;
        Holdings h;
        readHoldings(*fx.store, h);
        if (QTest::currentTestFailed())
            return;
        checkRegister(h, output, false);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(h.requests.size(), 6); // 40 actions: five requests of 7, and 5 actions of a sixth
        actAgain(fx, h.eventsChecked);
    }

    // The kill follows the line the test waits for: an acknowledgement (the
    // program is usually between actions then) or the start of an action (the
    // program is inside it, near its beginning). The last row waits a random moment more,
    // up to about the time an action takes, so that over many runs the kill
    // lands anywhere in an action, its commit included; nothing the test
    // asserts depends on where it lands.
    void killedMidBurstKeepsEveryAcknowledgedAction_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<int>("number");
        QTest::addColumn<int>("delayMicroseconds");
        QTest::addRow("after ack 25") << QByteArray("ack") << 25 << 0;
        QTest::addRow("after ack 80") << QByteArray("ack") << 80 << 0;
        QTest::addRow("after ack 200") << QByteArray("ack") << 200 << 0;
        QTest::addRow("after start 26") << QByteArray("start") << 26 << 0;
        QTest::addRow("after start 81") << QByteArray("start") << 81 << 0;
        QTest::addRow("after start 201") << QByteArray("start") << 201 << 0;
        const int anywhere = int(QRandomGenerator::global()->bounded(1, 400));
        const int delay = int(QRandomGenerator::global()->bounded(5000));
        QTest::addRow("%d us after start %d (chosen at random)", delay, anywhere) << QByteArray("start") << anywhere << delay;
    }

    void killedMidBurstKeepsEveryAcknowledgedAction()
    {
        QFETCH(QByteArray, line);
        QFETCH(int, number);
        QFETCH(int, delayMicroseconds);
        test::Fixture fx;
        QVERIFY(fx.setUp());
        QProcess burst;
        QVERIFY(startBurst(fx, burst));
        QByteArray out;
        while (countLines(out, line) < number) {
            if (!burst.waitForReadyRead(kWaitMs) && burst.state() == QProcess::Running)
                QFAIL("crash_burst printed nothing for a minute");
            out += burst.readAllStandardOutput();
            if (burst.state() != QProcess::Running && countLines(out, line) < number)
                QFAIL(qPrintable(QStringLiteral("crash_burst ended after %1 acks: %2")
                                     .arg(countLines(out, "ack"))
                                     .arg(QString::fromUtf8(burst.readAllStandardError()))));
        }
        if (delayMicroseconds > 0)
            QThread::usleep(ulong(delayMicroseconds));
        // QProcess::kill() is SIGKILL on Unix too; the signal is named here
        // because it is the point: no handler, no cleanup, no flush.
        QCOMPARE(::kill(pid_t(burst.processId()), SIGKILL), 0);
        QVERIFY(burst.waitForFinished(kWaitMs));
        QCOMPARE(burst.exitStatus(), QProcess::CrashExit);
        out += burst.readAllStandardOutput();
        const BurstOutput output = parseOutput(out);

        reopen(fx);
        if (QTest::currentTestFailed())
            return;
        Holdings h;
        readHoldings(*fx.store, h);
        if (QTest::currentTestFailed())
            return;
        const QString landed = checkRegister(h, output, true);
        if (QTest::currentTestFailed())
            return;
        qInfo().noquote() << QStringLiteral("%1 acks, %2 requests, %3 events, %4 messages; killed %5")
                                 .arg(output.acks.size())
                                 .arg(h.requests.size())
                                 .arg(h.eventsChecked)
                                 .arg(h.outbox.size())
                                 .arg(landed);
        actAgain(fx, h.eventsChecked);
    }
};

QTEST_GUILESS_MAIN(TestCrash)
#include "TestCrash.moc"
