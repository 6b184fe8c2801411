// SPDX-License-Identifier: GPL-3.0-or-later
// The statutory clock as requests move through the shipped workflows: the
// states start, pause and stop it; extensions and calendar imports change
// the due date, and every change is in the register and the audit trail.

#include "TestSupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

using namespace rf;

namespace {

QDateTime at(int year, int month, int day, int hour = 10)
{
    return QDateTime(QDate(year, month, day), QTime(hour, 0), QTimeZone::utc());
}

QMap<QString, QString> input(const QString &key, const QString &value)
{
    return {{key, value}};
}

} // namespace

class TestClockWiring : public QObject
{
    Q_OBJECT

private:
    // Files an access request received at `received` and acknowledges it.
    static QString fileAccess(test::Fixture &fx, const QDateTime &received)
    {
        IntakeForm form = test::sampleForm(QStringLiteral("access"));
        form.received = received;
        fx.clock->set(received);
        Result<FiledRequest> filed = fx.engine->fileRequest(form, QStringLiteral("intake"));
        if (!filed)
            return {};
        if (!fx.engine->fire(filed->request.reference, QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}))
            return {};
        return filed->request.reference;
    }

    static Request load(test::Fixture &fx, const QString &reference) { return *fx.engine->request(reference); }

    // alice asks the requester for identity evidence or for clarification, today.
    static bool askFor(test::Fixture &fx, const QString &reference, const QString &action)
    {
        const QMap<QString, QString> inputs = action == QLatin1String("request-identity")
            ? input(QStringLiteral("evidence-needed"), QStringLiteral("Photo ID"))
            : input(QStringLiteral("question"), QStringLiteral("Which years?"));
        return fx.engine->fire(reference, action, QStringLiteral("alice"), inputs, {}).ok();
    }

private slots:
    void filingPinsTheRulesAndTheDueDate()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx, at(2026, 3, 2));
        QVERIFY(!ref.isEmpty());
        const Request r = load(fx, ref);
        QCOMPARE(r.ruleSet, QStringLiteral("uk-gdpr-2026"));
        QVERIFY(r.deadline.started);
        QCOMPARE(r.deadline.start, QDate(2026, 3, 2));
        QCOMPARE(r.deadline.due, QDate(2026, 4, 2));
        QVERIFY(!r.deadline.explanation.isEmpty());

        // The day before the 2026 rules: the old rules, kept for good.
        const QString old = fileAccess(fx, at(2026, 2, 4, 23));
        QCOMPARE(load(fx, old).ruleSet, QStringLiteral("uk-gdpr-2018"));
    }

    void receiptLateInTheEveningIsThatDayInLondon()
    {
        // 23:30 UTC on 30 June is 00:30 on 1 July in London (BST): the request
        // was received on 1 July.
        test::Fixture fx;
        QVERIFY(fx.setUp(test::shippedWorkflowsDir(), QDateTime(QDate(2026, 7, 2), QTime(9, 0), QTimeZone::utc())));
        IntakeForm form = test::sampleForm(QStringLiteral("access"));
        form.received = QDateTime(QDate(2026, 6, 30), QTime(23, 30), QTimeZone::utc());
        Result<FiledRequest> filed = fx.engine->fileRequest(form, QStringLiteral("intake"));
        QVERIFY(filed.ok());
        QCOMPARE(filed->request.deadline.start, QDate(2026, 7, 1));
        QCOMPARE(filed->request.deadline.due, QDate(2026, 8, 3)); // 1 Aug 2026 is a Saturday
    }

    void identityEvidenceStartsTheClock()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx, at(2026, 3, 2));
        fx.clock->set(at(2026, 3, 3));
        QVERIFY(askFor(fx, ref, QStringLiteral("request-identity")));
        Request r = load(fx, ref);
        QVERIFY(r.awaitingEvidence);
        QVERIFY(!r.deadline.started);
        QCOMPARE(toString(fx.engine->statusOf(r)->state), toString(DeadlineState::NotStarted));

        fx.clock->set(at(2026, 3, 10));
        QVERIFY(fx.engine
                    ->fire(ref, QStringLiteral("identity-verified"), QStringLiteral("alice"),
                        input(QStringLiteral("evidence"), QStringLiteral("Passport seen")), {})
                    .ok());
        r = load(fx, ref);
        QVERIFY(!r.awaitingEvidence);
        QCOMPARE(r.identityReceived, QDate(2026, 3, 10));
        QCOMPARE(r.deadline.start, QDate(2026, 3, 10));
        QCOMPARE(r.deadline.due, QDate(2026, 4, 10));
    }

    void evidenceCountsFromTheDayItArrived()
    {
        // Officers record evidence when they get to it; the clock starts on
        // the day it arrived, which they can give.
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx, at(2026, 3, 2));
        fx.clock->set(at(2026, 3, 3));
        QVERIFY(askFor(fx, ref, QStringLiteral("request-identity")));
        fx.clock->set(at(2026, 3, 12));
        QMap<QString, QString> evidence {{QStringLiteral("evidence"), QStringLiteral("Passport seen")}};
        const qint64 version = load(fx, ref).version;
        for (const QString &bad : {QStringLiteral("2026-03-13"), QStringLiteral("2026-03-01")}) {
            evidence.insert(QStringLiteral("effective-date"), bad);
            Result<FireOutcome> refused
                = fx.engine->fire(ref, QStringLiteral("identity-verified"), QStringLiteral("alice"), evidence, {});
            QCOMPARE(refused.error().code, ErrorCode::Invalid);
            QVERIFY(refused.error().fullText().contains(bad));
            QCOMPARE(load(fx, ref).version, version);
        }
        evidence.insert(QStringLiteral("effective-date"), QStringLiteral("2026-03-10"));
        QVERIFY(fx.engine->fire(ref, QStringLiteral("identity-verified"), QStringLiteral("alice"), evidence, {}).ok());
        const Request r = load(fx, ref);
        QCOMPARE(r.identityReceived, QDate(2026, 3, 10));
        QCOMPARE(r.deadline.due, QDate(2026, 4, 10));

        // An answer cannot arrive before the question was asked.
        fx.clock->set(at(2026, 3, 16));
        QVERIFY(fx.engine
                    ->fire(ref, QStringLiteral("request-clarification"), QStringLiteral("alice"),
                        QMap<QString, QString> {{QStringLiteral("question"), QStringLiteral("Which years?")},
                            {QStringLiteral("effective-date"), QStringLiteral("2026-03-13")}},
                        {})
                    .ok());
        QCOMPARE(load(fx, ref).pauses.constLast().from, QDate(2026, 3, 13));
        Result<FireOutcome> early = fx.engine->fire(ref, QStringLiteral("clarification-received"), QStringLiteral("alice"),
            QMap<QString, QString> {{QStringLiteral("answer"), QStringLiteral("2025")},
                {QStringLiteral("effective-date"), QStringLiteral("2026-03-12")}},
            {});
        QCOMPARE(early.error().code, ErrorCode::Invalid);
        QVERIFY(early.error().fullText().contains(QStringLiteral("before the clarification was asked")));
        QVERIFY(fx.engine
                    ->fire(ref, QStringLiteral("clarification-received"), QStringLiteral("alice"),
                        QMap<QString, QString> {{QStringLiteral("answer"), QStringLiteral("2025")},
                            {QStringLiteral("effective-date"), QStringLiteral("2026-03-14")}},
                        {})
                    .ok());
        // 13 and 14 March paused: 10 April + 2 days.
        QCOMPARE(load(fx, ref).deadline.due, QDate(2026, 4, 13));
    }

    void aFeeStartsTheClockWhenPaid()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx, at(2026, 3, 2));
        fx.clock->set(at(2026, 3, 3));
        const QMap<QString, QString> fee {{QStringLiteral("amount"), QStringLiteral("25.00")},
            {QStringLiteral("reason"), QStringLiteral("Fourth identical request this month")}};
        QCOMPARE(fx.engine->fire(ref, QStringLiteral("request-fee"), QStringLiteral("alice"), fee, {}).error().code,
            ErrorCode::Forbidden);
        Result<FireOutcome> asked = fx.engine->fire(ref, QStringLiteral("request-fee"), QStringLiteral("dana"), fee, {});
        QVERIFY(asked.ok());
        QCOMPARE(asked->queued.first().templateName, QStringLiteral("fee-request"));
        QVERIFY(!load(fx, ref).deadline.started);

        fx.clock->set(at(2026, 3, 9));
        QVERIFY(fx.engine
                    ->fire(ref, QStringLiteral("fee-paid"), QStringLiteral("alice"),
                        QMap<QString, QString> {{QStringLiteral("payment"), QStringLiteral("PAY-0042")},
                            {QStringLiteral("effective-date"), QStringLiteral("2026-03-08")}},
                        {})
                    .ok());
        const Request r = load(fx, ref);
        QCOMPARE(r.feePaid, QDate(2026, 3, 8));
        QVERIFY(!r.identityReceived.isValid());
        QCOMPARE(r.deadline.start, QDate(2026, 3, 8));
        QCOMPARE(r.deadline.due, QDate(2026, 4, 8));
        QVERIFY(r.deadline.explanation.first().contains(QStringLiteral("fee was paid")));
    }

    void closingWithoutEvidenceNeverStartsTheClock()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx, at(2026, 3, 2));
        fx.clock->set(at(2026, 3, 3));
        QVERIFY(askFor(fx, ref, QStringLiteral("request-identity")));
        fx.clock->set(at(2026, 4, 20));
        QVERIFY(fx.engine->fire(ref, QStringLiteral("close-no-evidence"), QStringLiteral("alice"), {}, {}).ok());
        const Request r = load(fx, ref);
        QVERIFY(!r.identityReceived.isValid());
        QVERIFY(!r.deadline.started);
        QCOMPARE(toString(fx.engine->statusOf(r)->state), toString(DeadlineState::ClosedOnTime));
    }

    void authorityArrivingLaterMovesTheStart()
    {
        // A third party's request: the authority arrives on 11 March, recorded
        // while the request is being checked; the month runs from then.
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx, at(2026, 3, 2));
        fx.clock->set(at(2026, 3, 12));
        QVERIFY(fx.engine
                    ->fire(ref, QStringLiteral("authority-received"), QStringLiteral("alice"),
                        QMap<QString, QString> {{QStringLiteral("evidence"), QStringLiteral("Signed consent")},
                            {QStringLiteral("effective-date"), QStringLiteral("2026-03-11")}},
                        {})
                    .ok());
        QCOMPARE(load(fx, ref).deadline.due, QDate(2026, 4, 13)); // 11 April is a Saturday
    }

    void aQuestionAfterTheDeadlineDoesNotRescueIt()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx, at(2026, 3, 2)); // due Thursday 2 April
        fx.clock->set(at(2026, 4, 6));
        QVERIFY(askFor(fx, ref, QStringLiteral("request-clarification")));
        const Request r = load(fx, ref);
        QCOMPARE(r.deadline.due, QDate(2026, 4, 2));
        QCOMPARE(toString(fx.engine->statusOf(r)->state), toString(DeadlineState::Overdue));
        fx.clock->set(at(2026, 4, 8));
        QVERIFY(fx.engine
                    ->fire(ref, QStringLiteral("clarification-received"), QStringLiteral("alice"),
                        input(QStringLiteral("answer"), QStringLiteral("2025")), {})
                    .ok());
        QCOMPARE(load(fx, ref).deadline.due, QDate(2026, 4, 2));
        // And a later question cannot be dated inside the one already answered.
        Result<FireOutcome> backdated = fx.engine->fire(ref, QStringLiteral("request-clarification"), QStringLiteral("alice"),
            QMap<QString, QString> {{QStringLiteral("question"), QStringLiteral("More?")},
                {QStringLiteral("effective-date"), QStringLiteral("2026-04-07")}},
            {});
        QCOMPARE(backdated.error().code, ErrorCode::Invalid);
        QVERIFY(backdated.error().fullText().contains(QStringLiteral("answered on 2026-04-08")));
    }

    void aShorterCalendarIsRefusedAndNoChangeIsNotAudited()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx, at(2026, 3, 2));
        const qint64 version = load(fx, ref).version;
        const qint64 events = fx.store->verifyAudit()->eventsChecked;
        // A file that stops at the end of 2026 would drop 2027-2030.
        QFile shipped(QStringLiteral(":/calendars/uk-bank-holidays.json"));
        QVERIFY(shipped.open(QIODevice::ReadOnly));
        QJsonObject root = QJsonDocument::fromJson(shipped.readAll()).object();
        for (const QString &region : BankHolidays::kRegions) {
            QJsonObject division = root.value(region).toObject();
            QJsonArray kept;
            for (const QJsonValue &event : division.value(QStringLiteral("events")).toArray()) {
                if (event.toObject().value(QStringLiteral("date")).toString() < QLatin1String("2027"))
                    kept.append(event);
            }
            division.insert(QStringLiteral("events"), kept);
            root.insert(region, division);
        }
        Result<int> shorter
            = fx.engine->importCalendar(QJsonDocument(root).toJson(), QStringLiteral("short.json"), QStringLiteral("root"));
        QCOMPARE(shorter.error().code, ErrorCode::Invalid);
        QVERIFY(shorter.error().message.contains(QStringLiteral("would drop holidays")));
        QCOMPARE(fx.store->verifyAudit()->eventsChecked, events);

        // Northern Ireland has no holiday on 2 April 2026 either: nothing moves, nothing is recorded against the request.
        Result<int> changed = fx.engine->setRegion(QStringLiteral("northern-ireland"), QStringLiteral("root"));
        QVERIFY(changed.ok());
        QCOMPARE(*changed, 0);
        QCOMPARE(load(fx, ref).version, version);
        QCOMPARE(fx.store->verifyAudit()->eventsChecked, events + 1); // the region change itself
    }

    void aRequestFromBeforeClocksGetsOne()
    {
        // A request filed when the register (schema 1) kept no clock: the
        // next action pins its rules and records where its clock stands.
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx, at(2026, 3, 2));
        {
            QSqlQuery q(QSqlDatabase::database(fx.store->connectionName()));
            QVERIFY(q.exec(
                QStringLiteral("UPDATE requests SET rule_set = '', due_date = '', deadline_started = 0, deadline_start = ''")));
        }
        QCOMPARE(fx.engine->deadlineOf(load(fx, ref))->due, QDate(2026, 4, 2));
        fx.clock->set(at(2026, 3, 4));
        QVERIFY(fx.engine->fire(ref, QStringLiteral("start-work"), QStringLiteral("alice"), {}, {}).ok());
        const Request r = load(fx, ref);
        QCOMPARE(r.ruleSet, QStringLiteral("uk-gdpr-2026"));
        QCOMPARE(r.deadline.due, QDate(2026, 4, 2));
    }

    void clarificationPausesAndExtensionExtends()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx, at(2026, 3, 2));
        fx.clock->set(at(2026, 3, 3));
        QVERIFY(askFor(fx, ref, QStringLiteral("request-clarification")));
        // While paused, the due date moves with each day.
        fx.clock->set(at(2026, 3, 6));
        Request r = load(fx, ref);
        QCOMPARE(toString(fx.engine->statusOf(r)->state), toString(DeadlineState::Paused));
        QCOMPARE(fx.engine->deadlineOf(r)->pausedDays, 4); // 3, 4, 5, 6 March
        fx.clock->set(at(2026, 3, 9));
        QVERIFY(fx.engine
                    ->fire(ref, QStringLiteral("clarification-received"), QStringLiteral("alice"),
                        input(QStringLiteral("answer"), QStringLiteral("2024 and 2025")), {})
                    .ok());
        r = load(fx, ref);
        QCOMPARE(r.pauses.size(), 1);
        QCOMPARE(r.pauses.first().from, QDate(2026, 3, 3));
        QCOMPARE(r.pauses.first().to, QDate(2026, 3, 9));
        QCOMPARE(r.deadline.pausedDays, 7);
        QCOMPARE(r.deadline.due, QDate(2026, 4, 9)); // 2 April + 7 days

        fx.clock->set(at(2026, 3, 10));
        Result<FireOutcome> extended = fx.engine->fire(ref, QStringLiteral("extend"), QStringLiteral("alice"),
            input(QStringLiteral("reason"), QStringLiteral("Eleven systems to search")), {});
        QVERIFY2(extended.ok(), qPrintable(extended.ok() ? QString() : extended.error().fullText()));
        QCOMPARE(extended->request.state, QStringLiteral("checking"));
        QCOMPARE(extended->queued.size(), 1);
        QCOMPARE(extended->queued.first().templateName, QStringLiteral("extension"));
        r = load(fx, ref);
        QVERIFY(r.extended);
        QCOMPARE(r.extensionReason, QStringLiteral("Eleven systems to search"));
        QCOMPARE(r.extensionNoticeOn, QDate(2026, 3, 10));
        QCOMPARE(r.deadline.due, QDate(2026, 6, 9)); // 2 June + 7 days

        // Only once.
        Result<FireOutcome> again = fx.engine->fire(
            ref, QStringLiteral("extend"), QStringLiteral("alice"), input(QStringLiteral("reason"), QStringLiteral("More")), {});
        QCOMPARE(again.error().code, ErrorCode::Refused);
        QVERIFY(again.error().message.contains(QStringLiteral("already extended")));
    }

    void extensionIsRefusedOnceTheFirstMonthHasEnded()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx, at(2026, 3, 2));
        const qint64 version = load(fx, ref).version;
        // The first month ends on Thursday 2 April 2026; on the 3rd it is too late.
        fx.clock->set(at(2026, 4, 3));
        Result<FireOutcome> late = fx.engine->fire(ref, QStringLiteral("extend"), QStringLiteral("alice"),
            input(QStringLiteral("reason"), QStringLiteral("Complex")), {});
        QCOMPARE(late.error().code, ErrorCode::Refused);
        QVERIFY2(late.error().message.contains(QStringLiteral("Thursday 2 April 2026")), qPrintable(late.error().message));
        const Request r = load(fx, ref);
        QVERIFY(!r.extended);
        QCOMPARE(r.version, version);
        QCOMPARE(fx.store->outbox(ref)->size(), 1); // the acknowledgement only
        // On the last day of the first month it is still in time.
        fx.clock->set(at(2026, 4, 2, 16));
        QVERIFY(fx.engine
                    ->fire(ref, QStringLiteral("extend"), QStringLiteral("alice"),
                        input(QStringLiteral("reason"), QStringLiteral("Complex")), {})
                    .ok());
    }

    void statusFollowsTheCalendar()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx, at(2026, 3, 2)); // due Thursday 2 April 2026
        const Request r = load(fx, ref);
        fx.clock->set(at(2026, 3, 10));
        QCOMPARE(toString(fx.engine->statusOf(r)->state), toString(DeadlineState::OnTrack));
        fx.clock->set(at(2026, 3, 27));
        const DeadlineStatus soon = *fx.engine->statusOf(r);
        QCOMPARE(toString(soon.state), toString(DeadlineState::DueSoon));
        QCOMPARE(soon.workingDaysLeft, 4); // 30, 31 March, 1, 2 April
        fx.clock->set(at(2026, 4, 2));
        QCOMPARE(toString(fx.engine->statusOf(r)->state), toString(DeadlineState::DueToday));
        fx.clock->set(at(2026, 4, 3));
        QCOMPARE(toString(fx.engine->statusOf(r)->state), toString(DeadlineState::Overdue));
    }

    void importingACalendarRecomputesOpenDueDates()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString open = fileAccess(fx, at(2026, 3, 2)); // due Thursday 2 April 2026
        QCOMPARE(load(fx, open).deadline.due, QDate(2026, 4, 2));
        const qint64 version = load(fx, open).version;

        // A new proclamation: 2 April 2026 becomes a bank holiday.
        const QByteArray newer
            = rf::test::shippedCalendarWith(QStringLiteral("2026-04-02"), QStringLiteral("Proclaimed bank holiday"));
        QVERIFY(!newer.isEmpty());

        // Not by an officer.
        QCOMPARE(fx.engine->importCalendar(newer, QStringLiteral("newer.json"), QStringLiteral("alice")).error().code,
            ErrorCode::Forbidden);
        // A malformed file changes nothing.
        Result<int> bad = fx.engine->importCalendar(
            QByteArrayLiteral("{\"scotland\": []}"), QStringLiteral("bad.json"), QStringLiteral("root"));
        QCOMPARE(bad.error().code, ErrorCode::Invalid);
        QVERIFY(bad.error().fullText().contains(QStringLiteral("bad.json")));
        QCOMPARE(load(fx, open).deadline.due, QDate(2026, 4, 2));

        Result<int> changed = fx.engine->importCalendar(newer, QStringLiteral("newer.json"), QStringLiteral("root"));
        QVERIFY2(changed.ok(), qPrintable(changed.ok() ? QString() : changed.error().fullText()));
        QCOMPARE(*changed, 1);
        const Request after = load(fx, open);
        // Thursday 2 April is now a holiday, Friday 3 is Good Friday, then the weekend and Easter Monday.
        QCOMPARE(after.deadline.due, QDate(2026, 4, 7));
        QVERIFY(after.deadline.explanation.join(QLatin1Char(' ')).contains(QStringLiteral("Proclaimed bank holiday")));
        QCOMPARE(after.version, version + 1);
        const AuditEvent recomputed = fx.store->auditEvents(open)->constLast();
        QCOMPARE(recomputed.action, QStringLiteral("deadline-recomputed"));
        QCOMPARE(recomputed.inputs.value(QStringLiteral("to")).toString(), QStringLiteral("2026-04-07"));
        QVERIFY(fx.store->verifyAudit()->intact);

        // Another engine on the same register uses the imported calendar too.
        Engine other(*fx.store, fx.library, *fx.clock);
        QCOMPARE(other.deadlineOf(after)->due, QDate(2026, 4, 7));
    }

    void choosingTheRegionRecomputes()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        // Received 30 October 2026: due Monday 30 November, St Andrew's Day in Scotland.
        const QString ref = fileAccess(fx, at(2026, 10, 30));
        QCOMPARE(load(fx, ref).deadline.due, QDate(2026, 11, 30));
        QCOMPARE(fx.engine->setRegion(QStringLiteral("wales"), QStringLiteral("root")).error().code, ErrorCode::Invalid);
        Result<int> changed = fx.engine->setRegion(QStringLiteral("scotland"), QStringLiteral("root"));
        QVERIFY(changed.ok());
        QCOMPARE(*changed, 1);
        QCOMPARE(load(fx, ref).deadline.due, QDate(2026, 12, 1));
        QCOMPARE(*fx.engine->region(), QStringLiteral("scotland"));
    }
};

QTEST_GUILESS_MAIN(TestClockWiring)
#include "TestClockWiring.moc"
