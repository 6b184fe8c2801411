// SPDX-License-Identifier: GPL-3.0-or-later
// Several `rightsflow` programs working on one register at the same moment,
// as real operating system processes: officers racing to take the same
// action, officers making different changes to one request, clerks filing
// requests side by side, an admin changing the calendar (and so every open
// request's due date) amid all that. The suite checks outcomes only (who
// won, what the losers were told, what the register holds afterwards, that
// the audit trail verifies), never how long anything took. It runs on
// SQLite, where writers queue on the busy timeout, and as
// TestConcurrency.postgres on the private PostgreSQL server of the ctest
// fixture, where they really interleave.

#include "CliRunner.h"
#include "ScratchRegister.h"

#include <QDate>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <utility>
#include <vector>

namespace {

const QString kNow = QStringLiteral("2026-03-02T09:00:00Z");
const QString kReceived = QStringLiteral("2026-03-02T08:00:00Z");

// The program's documented exit codes (rightsflow --help).
constexpr int kDone = 0;
constexpr int kRefused = 4;
constexpr int kConflict = 5;

using CliRun = rf::test::ProcessRun;

// Where a child's default register would live: never the developer's.
QString &sandboxDataHome()
{
    static QString path;
    return path;
}

// Runs one program per command, all released at the same moment, with a
// fixed clock and none of the developer's overrides.
QList<CliRun> runTogether(const QList<QStringList> &commands)
{
    QMap<QString, QString> env {{QStringLiteral("RIGHTSFLOW_NOW"), kNow}};
    if (!sandboxDataHome().isEmpty())
        env.insert(QStringLiteral("XDG_DATA_HOME"), sandboxDataHome());
    return rf::test::runTogether(commands, env);
}

CliRun run(const QStringList &args)
{
    return runTogether({args}).constFirst();
}

QStringList dbArgs(const QString &db)
{
    return {QStringLiteral("--db"), db};
}

QString officerName(int i)
{
    return QStringLiteral("officer-%1").arg(i);
}

} // namespace

namespace {

// init, then root (the admin) adds officer-1 .. officer-N.
void setUpRegister(const QString &db, int officers)
{
    VERIFY_EXIT(run(QStringList {QStringLiteral("init"), QStringLiteral("--rehearsal")} + dbArgs(db)), kDone);
    VERIFY_EXIT(run(QStringList {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("root"), QStringLiteral("--role"),
                        QStringLiteral("admin")}
                    + dbArgs(db)),
        kDone);
    for (int i = 1; i <= officers; ++i) {
        VERIFY_EXIT(run(QStringList {QStringLiteral("user"), QStringLiteral("add"), officerName(i), QStringLiteral("--role"),
                            QStringLiteral("officer"), QStringLiteral("--as"), QStringLiteral("root")}
                        + dbArgs(db)),
            kDone);
    }
}

// Files an access request made by a parent for their child (so that
// 'authority-received' changes something) and returns its reference.
void fileRequest(const QString &db, QString *reference)
{
    const CliRun filed
        = run(QStringList {QStringLiteral("request"), QStringLiteral("new"), QStringLiteral("--right"), QStringLiteral("access"),
                  QStringLiteral("--channel"), QStringLiteral("email"), QStringLiteral("--name"),
                  QStringLiteral("Margaret Ellis"), QStringLiteral("--email"), QStringLiteral("m.ellis@example.org"),
                  QStringLiteral("--subject-name"), QStringLiteral("Oliver Ellis"), QStringLiteral("--relationship"),
                  QStringLiteral("parent"), QStringLiteral("--received"), kReceived}
            + dbArgs(db));
    VERIFY_EXIT(filed, kDone);
    *reference = filed.out.trimmed();
    QVERIFY2(!reference->isEmpty(), qPrintable(filed.describe()));
}

void act(const QString &db, const QString &reference, const QStringList &actionArgs)
{
    VERIFY_EXIT(run(QStringList {QStringLiteral("request"), QStringLiteral("act"), reference} + actionArgs + dbArgs(db)), kDone);
}

using rf::test::parseJson;

void showRequest(const QString &db, const QString &reference, QJsonObject *request)
{
    rf::test::requestFromShow(
        run(QStringList {QStringLiteral("request"), QStringLiteral("show"), reference, QStringLiteral("--json")} + dbArgs(db)),
        request);
}

// The number of audit events, from a trail that verifies.
void verifiedAuditEvents(const QString &db, int *events)
{
    rf::test::eventsFromVerify(
        run(QStringList {QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--json")} + dbArgs(db)), events);
}

// The events of a request's history that recorded `action`.
QList<QJsonObject> eventsOf(const QJsonObject &request, const QString &action)
{
    QList<QJsonObject> events;
    for (const QJsonValue &event : request.value(QStringLiteral("history")).toArray()) {
        if (event.toObject().value(QStringLiteral("action")).toString() == action)
            events << event.toObject();
    }
    return events;
}

// The idempotency keys of a list of queued messages, in order.
QStringList messageKeys(const QJsonArray &messages)
{
    QStringList keys;
    for (const QJsonValue &message : messages)
        keys << message.toObject().value(QStringLiteral("idempotencyKey")).toString();
    return keys;
}

// One change an officer makes to a request, and how it shows afterwards.
struct Change {
    QString actor;
    QStringList args; // after REF
    QString action; // the audit event it leaves ('note' for a note)
    QString note; // the note's text, for a note
};

// A command run by someone who tries again when told of a conflict.
struct Attempt {
    QStringList args;
    QString reference; // the request a conflict must name; empty for a new one
    QString conflictSays; // what a conflict message must also say, if anything
};

// Runs every attempt at once; those that end in a conflict are run again,
// together, as their users would, until all are done. Anything but success
// or a conflict fails the test.
void runRetryingConflicts(const QList<Attempt> &attempts)
{
    int conflicts = 0;
    QList<qsizetype> pending;
    for (qsizetype i = 0; i < attempts.size(); ++i)
        pending << i;
    int rounds = 0;
    // Each round at least one of the competing changes gets through, so
    // there are at most as many rounds as attempts; the bound only stops a
    // test that would otherwise loop.
    while (!pending.isEmpty() && rounds < attempts.size() + 1) {
        ++rounds;
        QList<QStringList> commands;
        for (const qsizetype i : pending)
            commands << attempts.at(i).args;
        const QList<CliRun> runs = runTogether(commands);
        QList<qsizetype> retry;
        for (qsizetype k = 0; k < runs.size(); ++k) {
            const CliRun &r = runs.at(k);
            const Attempt &attempt = attempts.at(pending.at(k));
            QVERIFY2(r.finished && (r.exitCode == kDone || r.exitCode == kConflict),
                qPrintable(QStringLiteral("expected exit 0 or a conflict from ") + r.describe()));
            if (r.exitCode == kDone)
                continue;
            QVERIFY2(r.out.isEmpty() && !r.err.trimmed().isEmpty(), qPrintable(r.describe()));
            QVERIFY2(r.err.contains(attempt.reference),
                qPrintable(QStringLiteral("the conflict does not name %1: ").arg(attempt.reference) + r.describe()));
            QVERIFY2(r.err.contains(attempt.conflictSays), qPrintable(r.describe()));
            retry << pending.at(k);
            ++conflicts;
        }
        pending = retry;
    }
    QVERIFY2(pending.isEmpty(),
        qPrintable(QStringLiteral("%1 commands still in conflict after %2 rounds").arg(pending.size()).arg(rounds)));
    qInfo("%d commands done in %d rounds; %d conflicts retried", int(attempts.size()), rounds, conflicts);
}

// The due date `rightsflow deadline` gives for a request received on `start`.
void dueDate(const QString &start, const QString &region, QString *due)
{
    const CliRun computed
        = run({QStringLiteral("deadline"), QStringLiteral("--start"), start, QStringLiteral("--region"), region});
    VERIFY_EXIT(computed, kDone);
    *due = computed.out.section(QLatin1Char('\n'), 0, 0).trimmed();
    QVERIFY2(QDate::fromString(*due, Qt::ISODate).isValid(), qPrintable(computed.describe()));
}

} // namespace

class TestConcurrency : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dataHome;

private slots:
    void initTestCase()
    {
        QVERIFY2(QFileInfo::exists(QStringLiteral(RIGHTSFLOW_CLI)), RIGHTSFLOW_CLI);
        QVERIFY(m_dataHome.isValid());
        sandboxDataHome() = m_dataHome.path();
    }

    // --- the same action, fired by several officers at once ----------------

    void sameActionAtOnceHappensOnce_data()
    {
        QTest::addColumn<int>("officers");
        QTest::addColumn<QString>("before"); // an action taken first, or empty
        QTest::addColumn<QStringList>("actionArgs"); // the action and its inputs
        QTest::addColumn<bool>("expectVersion"); // each officer gives the version they saw
        QTest::addRow("2 officers acknowledge, version given")
            << 2 << QString() << QStringList {QStringLiteral("acknowledge")} << true;
        QTest::addRow("8 officers acknowledge, version given")
            << 8 << QString() << QStringList {QStringLiteral("acknowledge")} << true;
        // In place: the state does not change, only the version stops a second extension.
        QTest::addRow("8 officers extend, version given") << 8 << QStringLiteral("acknowledge")
                                                          << QStringList {QStringLiteral("extend"), QStringLiteral("--input"),
                                                                 QStringLiteral("reason=Records in three systems")}
                                                          << true;
        // Without a version the losers may also find the action no longer
        // available (refused), depending on when they read the request.
        QTest::addRow("8 officers acknowledge, no version given")
            << 8 << QString() << QStringList {QStringLiteral("acknowledge")} << false;
    }

    void sameActionAtOnceHappensOnce()
    {
        QFETCH(int, officers);
        QFETCH(QString, before);
        QFETCH(QStringList, actionArgs);
        QFETCH(bool, expectVersion);
        const QString action = actionArgs.constFirst();

        rf::test::ScratchRegister scratch;
        QVERIFY(scratch.create());
        const QString db = scratch.location();
        CHECKED(setUpRegister(db, officers));
        QString reference;
        CHECKED(fileRequest(db, &reference));
        if (!before.isEmpty())
            CHECKED(act(db, reference, {before, QStringLiteral("--as"), officerName(1)}));
        QJsonObject seen;
        CHECKED(showRequest(db, reference, &seen));
        const int version = seen.value(QStringLiteral("version")).toInt();
        int eventsBefore = 0;
        CHECKED(verifiedAuditEvents(db, &eventsBefore));

        QList<QStringList> commands;
        for (int i = 1; i <= officers; ++i) {
            QStringList command = QStringList {QStringLiteral("request"), QStringLiteral("act"), reference} + actionArgs
                + QStringList {QStringLiteral("--as"), officerName(i), QStringLiteral("--note"),
                    QStringLiteral("taken by %1").arg(officerName(i)), QStringLiteral("--json")}
                + dbArgs(db);
            if (expectVersion)
                command << QStringLiteral("--expect-version") << QString::number(version);
            commands << command;
        }
        const QList<CliRun> runs = runTogether(commands);

        // Exactly one officer's action went through.
        QList<qsizetype> winners;
        for (qsizetype i = 0; i < runs.size(); ++i) {
            const CliRun &r = runs.at(i);
            const bool expectedOutcome
                = r.finished && (r.exitCode == kDone || r.exitCode == kConflict || (!expectVersion && r.exitCode == kRefused));
            QVERIFY2(expectedOutcome, qPrintable(QStringLiteral("expected exit 0 or a conflict from ") + r.describe()));
            if (r.exitCode == kDone)
                winners << i;
        }
        QVERIFY2(winners.size() == 1,
            qPrintable(QStringLiteral("%1 of %2 officers succeeded; expected exactly one").arg(winners.size()).arg(officers)));
        const CliRun &winner = runs.at(winners.constFirst());
        const QString winnerName = officerName(int(winners.constFirst()) + 1);
        QJsonDocument outcome;
        CHECKED(parseJson(winner, &outcome));
        const QJsonObject event = outcome.object().value(QStringLiteral("event")).toObject();
        QCOMPARE(event.value(QStringLiteral("actor")).toString(), winnerName);
        QCOMPARE(event.value(QStringLiteral("action")).toString(), action);
        QCOMPARE(outcome.object().value(QStringLiteral("version")).toInt(), version + 1);
        const QStringList winnerMessages = messageKeys(outcome.object().value(QStringLiteral("messages")).toArray());
        QVERIFY2(!winnerMessages.isEmpty(), qPrintable(winner.describe()));

        // Every other officer was told which request changed, and how.
        for (qsizetype i = 0; i < runs.size(); ++i) {
            const CliRun &loser = runs.at(i);
            if (i == winners.constFirst())
                continue;
            QVERIFY2(loser.out.isEmpty(), qPrintable(loser.describe()));
            QVERIFY2(loser.err.contains(reference), qPrintable(loser.describe()));
            if (loser.exitCode == kConflict) {
                QVERIFY2(loser.err.contains(QStringLiteral("changed by someone else")), qPrintable(loser.describe()));
                QVERIFY2(
                    loser.err.contains(QStringLiteral("it is now version %1").arg(version + 1)), qPrintable(loser.describe()));
                QVERIFY2(loser.err.contains(QStringLiteral("'%1' by %2").arg(action, winnerName)), qPrintable(loser.describe()));
            } else {
                QVERIFY2(loser.err.contains(action), qPrintable(loser.describe()));
            }
        }

        // The register holds the winner's change once, with its messages only.
        QJsonObject after;
        CHECKED(showRequest(db, reference, &after));
        QCOMPARE(after.value(QStringLiteral("version")).toInt(), version + 1);
        const QList<QJsonObject> recorded = eventsOf(after, action);
        QCOMPARE(recorded.size(), before == action ? 2 : 1);
        QCOMPARE(recorded.constLast().value(QStringLiteral("actor")).toString(), winnerName);
        QCOMPARE(recorded.constLast().value(QStringLiteral("note")).toString(), QStringLiteral("taken by %1").arg(winnerName));
        QCOMPARE(messageKeys(after.value(QStringLiteral("messages")).toArray()),
            messageKeys(seen.value(QStringLiteral("messages")).toArray()) + winnerMessages);
        int eventsAfter = 0;
        CHECKED(verifiedAuditEvents(db, &eventsAfter));
        QCOMPARE(eventsAfter, eventsBefore + 1);
    }

    // --- different changes to one request at once ---------------------------

    void differentChangesAtOnceAreAllKept_data()
    {
        QTest::addColumn<int>("notes");
        QTest::addRow("3 actions and 5 notes") << 5;
        QTest::addRow("3 actions and 13 notes") << 13;
    }

    // No officer gives a version ("whatever is current"). A change may still
    // lose a race to another and be told so (a conflict); the officer then
    // tries again, as a person would. In the end every change is there once.
    // (On SQLite the writers queue, so conflicts are not expected there.)
    void differentChangesAtOnceAreAllKept()
    {
        QFETCH(int, notes);
        const int officers = 3 + notes;
        const QString reason = QStringLiteral("Records in three systems");

        rf::test::ScratchRegister scratch;
        QVERIFY(scratch.create());
        const QString db = scratch.location();
        CHECKED(setUpRegister(db, officers));
        QString reference;
        CHECKED(fileRequest(db, &reference));
        CHECKED(act(db, reference, {QStringLiteral("acknowledge"), QStringLiteral("--as"), officerName(1)}));
        QJsonObject seen;
        CHECKED(showRequest(db, reference, &seen));
        const int version = seen.value(QStringLiteral("version")).toInt();
        int eventsBefore = 0;
        CHECKED(verifiedAuditEvents(db, &eventsBefore));

        // Three actions in place, each changing a different part of the
        // record, and notes: a lost update would show as a missing part.
        QList<Change> changes {
            {officerName(1), {QStringLiteral("extend"), QStringLiteral("--input"), QStringLiteral("reason=") + reason},
                QStringLiteral("extend"), {}},
            {officerName(2), {QStringLiteral("authority-received"), QStringLiteral("--input"), QStringLiteral("evidence=Letter")},
                QStringLiteral("authority-received"), {}},
            {officerName(3), {QStringLiteral("assign"), QStringLiteral("--input"), QStringLiteral("assignee=") + officerName(3)},
                QStringLiteral("assign"), {}},
        };
        for (int i = 4; i <= officers; ++i) {
            const QString text = QStringLiteral("Note %1 from %2").arg(i).arg(officerName(i));
            changes << Change {officerName(i), {}, QStringLiteral("note"), text};
        }

        QList<Attempt> attempts;
        for (const Change &change : changes) {
            const QStringList command = change.action == QLatin1String("note")
                ? QStringList {QStringLiteral("request"), QStringLiteral("note"), reference, change.note}
                : QStringList {QStringLiteral("request"), QStringLiteral("act"), reference} + change.args;
            attempts << Attempt {command + QStringList {QStringLiteral("--as"), change.actor} + dbArgs(db), reference,
                QStringLiteral("changed by someone else")};
        }
        CHECKED(runRetryingConflicts(attempts));

        QJsonObject after;
        CHECKED(showRequest(db, reference, &after));
        QCOMPARE(after.value(QStringLiteral("version")).toInt(), version + 3);
        for (const Change &change : changes) {
            if (change.action == QLatin1String("note"))
                continue;
            const QList<QJsonObject> recorded = eventsOf(after, change.action);
            QCOMPARE(recorded.size(), 1);
            QCOMPARE(recorded.constFirst().value(QStringLiteral("actor")).toString(), change.actor);
        }
        // Each action's part of the record survived the others.
        QCOMPARE(after.value(QStringLiteral("assignee")).toString(), officerName(3));
        QVERIFY(after.value(QStringLiteral("authorityReceived")).toBool());
        QCOMPARE(after.value(QStringLiteral("deadline")).toObject().value(QStringLiteral("extensionReason")).toString(), reason);

        // Every note once, by its author, and one audit event for each.
        const QJsonArray recordedNotes = after.value(QStringLiteral("notes")).toArray();
        QCOMPARE(recordedNotes.size(), notes);
        QCOMPARE(eventsOf(after, QStringLiteral("note")).size(), notes);
        for (const Change &change : changes) {
            if (change.action != QLatin1String("note"))
                continue;
            int found = 0;
            for (const QJsonValue &note : recordedNotes) {
                const QJsonObject n = note.toObject();
                if (n.value(QStringLiteral("text")).toString() == change.note) {
                    ++found;
                    QCOMPARE(n.value(QStringLiteral("author")).toString(), change.actor);
                }
            }
            QVERIFY2(found == 1, qPrintable(QStringLiteral("note '%1' recorded %2 times").arg(change.note).arg(found)));
        }

        // The acknowledgement and one extension notice, nothing more.
        const QJsonArray messages = after.value(QStringLiteral("messages")).toArray();
        QCOMPARE(messages.size(), seen.value(QStringLiteral("messages")).toArray().size() + 1);
        QCOMPARE(messages.last().toObject().value(QStringLiteral("template")).toString(), QStringLiteral("extension"));

        int eventsAfter = 0;
        CHECKED(verifiedAuditEvents(db, &eventsAfter));
        QCOMPARE(eventsAfter, eventsBefore + 3 + notes);
    }

    // --- filing side by side ------------------------------------------------

    void concurrentIntakeGivesUniqueReferences_data()
    {
        QTest::addColumn<int>("clerks");
        QTest::addColumn<int>("filingsEach");
        QTest::addRow("8 clerks file 10 each") << 8 << 10;
    }

    // The clerks file in waves: in each, every clerk's next filing starts at
    // the same moment, together with two readers verifying the audit trail,
    // who must find it intact while it grows. The first wave also races to
    // create the year's reference counter and to store the workflow
    // definitions.
    void concurrentIntakeGivesUniqueReferences()
    {
        QFETCH(int, clerks);
        QFETCH(int, filingsEach);

        rf::test::ScratchRegister scratch;
        QVERIFY(scratch.create());
        const QString db = scratch.location();
        CHECKED(setUpRegister(db, 0));
        int eventsBefore = 0;
        CHECKED(verifiedAuditEvents(db, &eventsBefore));

        static const QRegularExpression referencePattern(QStringLiteral("^DSR-2026-\\d{6}$"));
        QStringList references;
        for (int filing = 1; filing <= filingsEach; ++filing) {
            QList<QStringList> commands;
            for (int clerk = 1; clerk <= clerks; ++clerk) {
                // Different requesters: no filing is flagged as a duplicate of another.
                commands << QStringList {QStringLiteral("request"), QStringLiteral("new"), QStringLiteral("--right"),
                                QStringLiteral("access"), QStringLiteral("--channel"), QStringLiteral("email"),
                                QStringLiteral("--name"), QStringLiteral("Requester %1-%2").arg(clerk).arg(filing),
                                QStringLiteral("--email"), QStringLiteral("requester.%1.%2@example.org").arg(clerk).arg(filing),
                                QStringLiteral("--received"), kReceived}
                        + dbArgs(db);
            }
            const QStringList verify {QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--json")};
            commands << verify + dbArgs(db) << verify + dbArgs(db);
            const QList<CliRun> runs = runTogether(commands);
            for (const CliRun &reader : runs.mid(clerks)) {
                QJsonDocument verified;
                CHECKED(parseJson(reader, &verified));
                QVERIFY2(verified.object().value(QStringLiteral("intact")).toBool(), qPrintable(reader.describe()));
            }
            // Filing has no version to be stale against: every one must succeed.
            for (const CliRun &filed : runs.first(clerks)) {
                VERIFY_EXIT(filed, kDone);
                const QString reference = filed.out.trimmed();
                QVERIFY2(referencePattern.match(reference).hasMatch(), qPrintable(filed.describe()));
                references << reference;
            }
        }

        // Unique references. Gaps in the numbering are allowed (a filing that
        // rolls back after taking its number leaves one); duplicates are not.
        const QSet<QString> unique(references.cbegin(), references.cend());
        QCOMPARE(unique.size(), clerks * filingsEach);

        // Every acknowledged reference is in the register, and nothing else is.
        QJsonDocument listed;
        CHECKED(parseJson(run(QStringList {QStringLiteral("request"), QStringLiteral("list"), QStringLiteral("--json"),
                                  QStringLiteral("--limit"), QStringLiteral("10000")}
                              + dbArgs(db)),
            &listed));
        QSet<QString> inRegister;
        for (const QJsonValue &summary : listed.array())
            inRegister << summary.toObject().value(QStringLiteral("reference")).toString();
        QCOMPARE(listed.array().size(), clerks * filingsEach);
        QCOMPARE(inRegister, unique);

        int eventsAfter = 0;
        CHECKED(verifiedAuditEvents(db, &eventsAfter));
        QCOMPARE(eventsAfter, eventsBefore + clerks * filingsEach);
    }

    // --- a register-wide change amid the day's work ---------------------------

    // The admin moves the council to Scotland's bank holidays (which
    // recomputes the due date of every open request) while officers act on
    // open requests and clerks file new ones. Whatever order they land in,
    // every request must end with the due date of the calendar in force, and
    // whoever is told of a conflict must be told which request it concerns.
    void calendarChangeAmidActionsAndFilings()
    {
        const int officers = 8;
        const int filings = 8;
        // 2 January is a bank holiday in Scotland only: a request received on
        // 2 December 2025 is due on a different day in each region.
        const QString received = QStringLiteral("2025-12-02");
        QString dueEngland;
        QString dueScotland;
        CHECKED(dueDate(received, QStringLiteral("england-and-wales"), &dueEngland));
        CHECKED(dueDate(received, QStringLiteral("scotland"), &dueScotland));
        QVERIFY2(dueEngland != dueScotland, qPrintable(dueEngland));

        rf::test::ScratchRegister scratch;
        QVERIFY(scratch.create());
        const QString db = scratch.location();
        CHECKED(setUpRegister(db, officers));
        auto intake = [&](const QString &who) {
            return QStringList {QStringLiteral("request"), QStringLiteral("new"), QStringLiteral("--right"),
                       QStringLiteral("access"), QStringLiteral("--channel"), QStringLiteral("email"), QStringLiteral("--name"),
                       QStringLiteral("Requester %1").arg(who), QStringLiteral("--email"),
                       QStringLiteral("requester.%1@example.org").arg(who), QStringLiteral("--received"),
                       received + QStringLiteral("T10:00:00Z")}
            + dbArgs(db);
        };
        QStringList open;
        for (int i = 1; i <= officers; ++i) {
            const CliRun filed = run(intake(QStringLiteral("open-%1").arg(i)));
            VERIFY_EXIT(filed, kDone);
            open << filed.out.trimmed();
            CHECKED(act(db, open.constLast(), {QStringLiteral("acknowledge"), QStringLiteral("--as"), officerName(i)}));
        }
        QJsonObject first;
        CHECKED(showRequest(db, open.constFirst(), &first));
        QCOMPARE(first.value(QStringLiteral("deadline")).toObject().value(QStringLiteral("due")).toString(), dueEngland);

        // The race is run a few times, the region moving each time: each run
        // is another chance for the actions, filings and the recomputation to
        // interleave differently.
        const QList<std::pair<QString, QString>> regions {
            {QStringLiteral("scotland"), dueScotland},
            {QStringLiteral("england-and-wales"), dueEngland},
            {QStringLiteral("scotland"), dueScotland},
        };
        for (qsizetype round = 0; round < regions.size(); ++round) {
            const auto &[region, due] = regions.at(round);
            // Each round officer i hands request i to the next officer along.
            auto assignee = [&](int i) { return officerName(int((i + round) % officers) + 1); };
            QList<Attempt> attempts;
            attempts << Attempt {QStringList {QStringLiteral("calendar"), QStringLiteral("region"), region,
                                     QStringLiteral("--as"), QStringLiteral("root")}
                    + dbArgs(db),
                {}, {}};
            for (int i = 1; i <= officers; ++i)
                attempts << Attempt {QStringList {QStringLiteral("request"), QStringLiteral("act"), open.at(i - 1),
                                         QStringLiteral("assign"), QStringLiteral("--input"),
                                         QStringLiteral("assignee=") + assignee(i), QStringLiteral("--as"), officerName(i)}
                        + dbArgs(db),
                    open.at(i - 1), {}};
            for (int i = 1; i <= filings; ++i)
                attempts << Attempt {intake(QStringLiteral("new-%1-%2").arg(round).arg(i)), {}, {}};
            CHECKED(runRetryingConflicts(attempts));

            // Every officer's assignment is there once.
            for (int i = 1; i <= officers; ++i) {
                QJsonObject request;
                CHECKED(showRequest(db, open.at(i - 1), &request));
                QCOMPARE(eventsOf(request, QStringLiteral("assign")).size(), round + 1);
                QCOMPARE(request.value(QStringLiteral("assignee")).toString(), assignee(i));
            }
            // Every request, old or new, is due by the calendar now in force.
            QJsonDocument listed;
            CHECKED(parseJson(run(QStringList {QStringLiteral("request"), QStringLiteral("list"), QStringLiteral("--json"),
                                      QStringLiteral("--limit"), QStringLiteral("10000")}
                                  + dbArgs(db)),
                &listed));
            QCOMPARE(listed.array().size(), officers + filings * int(round + 1));
            QStringList stale;
            for (const QJsonValue &summary : listed.array()) {
                const QJsonObject request = summary.toObject();
                if (request.value(QStringLiteral("due")).toString() != due)
                    stale << request.value(QStringLiteral("reference")).toString() + QStringLiteral(" due ")
                            + request.value(QStringLiteral("due")).toString();
            }
            QVERIFY2(stale.isEmpty(),
                qPrintable(QStringLiteral("round %1: not due by %2's calendar (%3): ").arg(round + 1).arg(region, due)
                    + stale.join(QStringLiteral(", "))));
        }
        int events = 0;
        CHECKED(verifiedAuditEvents(db, &events));
    }
};

QTEST_GUILESS_MAIN(TestConcurrency)
#include "TestConcurrency.moc"
