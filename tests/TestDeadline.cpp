// SPDX-License-Identifier: GPL-3.0-or-later
// The statutory deadline of a request, as DOMAIN.md "Time limits" states the
// law: every expected date below was worked out by hand from the rule and the
// GOV.UK bank holidays, not taken from the calculator's own output.

#include "calendar/DeadlineCalculator.h"
#include "calendar/DeadlineRules.h"
#include "calendar/WorkingCalendar.h"

#include <QHash>
#include <QTest>

using namespace rf;

namespace {

const QString kEw = QStringLiteral("england-and-wales");
const QString kScotland = QStringLiteral("scotland");
const QString kNi = QStringLiteral("northern-ireland");

const QString kUk2018 = QStringLiteral("uk-gdpr-2018");
const QString kUk2026 = QStringLiteral("uk-gdpr-2026");
const QString kEu = QStringLiteral("eu-gdpr");
const QString kCcpa = QStringLiteral("ccpa");
const QString kWorkingDays = QStringLiteral("test-working-days");

QDate d(const char *iso)
{
    return QDate::fromString(QLatin1String(iso), Qt::ISODate);
}

// A regime counted in working days, to show that the unit is data too. It
// allows no extension.
const DeadlineRuleBook &testRuleBook()
{
    static const DeadlineRuleBook book = [] {
        Result<DeadlineRuleBook> parsed = DeadlineRuleBook::parse(R"({"ruleSets": [{
            "id": "test-working-days", "title": "Twenty working days", "regime": "test", "from": "2000-01-01",
            "unit": "working-days", "length": 20, "extension": 0, "clarificationPauses": true,
            "rollToWorkingDay": true, "description": "A test regime."}]})",
            QStringLiteral("test-rules.json"));
        return parsed.ok() ? std::move(parsed).value() : DeadlineRuleBook();
    }();
    return book;
}

// `id`, or the UK rule set in force on `received` when `id` is empty.
const DeadlineRuleSet *rulesFor(const QString &id, const QDate &received)
{
    if (id.isEmpty())
        return DeadlineRuleBook::shipped().inForce(QStringLiteral("uk"), received);
    if (id == kWorkingDays)
        return testRuleBook().byId(id);
    return DeadlineRuleBook::shipped().byId(id);
}

// "2026-03-10/2026-03-15,2026-03-20/": pauses, both ends counted; no end = still paused.
QList<ClockPause> pausesFrom(const QString &text)
{
    QList<ClockPause> pauses;
    const QStringList items = text.split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &item : items) {
        const QStringList ends = item.split(QLatin1Char('/'));
        pauses << ClockPause {QDate::fromString(ends.value(0), Qt::ISODate), QDate::fromString(ends.value(1), Qt::ISODate)};
    }
    return pauses;
}

// The same day `months` later, or the last day of that month: written out
// here rather than through QDate::addMonths, which the calculator uses.
QDate sameDayMonthsLater(const QDate &date, int months)
{
    const int index = date.year() * 12 + (date.month() - 1) + months;
    const int year = index / 12;
    const int month = index % 12 + 1;
    static const int lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int last = month == 2 && leap ? 29 : lengths[month - 1];
    return QDate(year, month, qMin(date.day(), last));
}

// One row of the compute() table. Designated initialisers keep each row
// down to what matters for it; the rest takes the defaults below.
struct Case {
    const char *name = "";
    QString rules {}; // empty: the UK rule set in force on `received`
    QString region = kEw;
    QDate received {};
    QDate identity {};
    QDate fee {};
    QString pauses {};
    bool extended = false;
    QDate asOf {};
    // Expected:
    QString ruleSet {}; // empty: the same as `rules`
    QDate start {}; // invalid: `received`
    QDate firstEnd {}; // invalid: `unrolled` (only when not extended)
    QDate unrolled {};
    QDate due {};
    int paused = 0;
    bool provisional = false;
};

void add(const Case &c)
{
    QTest::addRow("%s", c.name) << c.rules << c.region << c.received << c.identity << c.fee << c.pauses << c.extended << c.asOf
                                << (c.ruleSet.isEmpty() ? c.rules : c.ruleSet) << (c.start.isValid() ? c.start : c.received)
                                << (c.firstEnd.isValid() || c.extended ? c.firstEnd : c.unrolled) << c.unrolled << c.due
                                << c.paused << c.provisional;
}

} // namespace

class TestDeadline : public QObject
{
    Q_OBJECT

private:
    QHash<QString, WorkingCalendar> m_calendars;

private slots:
    void initTestCase()
    {
        for (const QString &region : BankHolidays::kRegions) {
            Result<WorkingCalendar> calendar = BankHolidays::shipped().region(region);
            QVERIFY2(calendar.ok(), qPrintable(region));
            m_calendars.insert(region, *calendar);
        }
        QCOMPARE(testRuleBook().all().size(), 1);
    }

    void shippedRuleSets()
    {
        const DeadlineRuleBook &book = DeadlineRuleBook::shipped();
        QCOMPARE(book.all().size(), 4);
        const DeadlineRuleSet *old = book.byId(kUk2018);
        const DeadlineRuleSet *current = book.byId(kUk2026);
        const DeadlineRuleSet *eu = book.byId(kEu);
        const DeadlineRuleSet *ccpa = book.byId(kCcpa);
        QVERIFY(old && current && eu && ccpa);
        for (const DeadlineRuleSet *r : {old, current, eu}) {
            QCOMPARE(toString(r->unit), QStringLiteral("calendar-months"));
            QCOMPARE(r->length, 1);
            QCOMPARE(r->extension, 2);
            QVERIFY(r->rollToWorkingDay);
        }
        QCOMPARE(old->clarificationPauses, false);
        QCOMPARE(current->clarificationPauses, true);
        QCOMPARE(eu->clarificationPauses, false);
        QCOMPARE(current->from, d("2026-02-05"));
        QCOMPARE(toString(ccpa->unit), QStringLiteral("days"));
        QCOMPARE(ccpa->length, 45);
        QCOMPARE(ccpa->extension, 45);
        QCOMPARE(ccpa->rollToWorkingDay, false);
        QCOMPARE(ccpa->clarificationPauses, false);
        QVERIFY(!book.byId(QStringLiteral("uk-gdpr-2099")));
    }

    void inForce_data()
    {
        QTest::addColumn<QString>("regime");
        QTest::addColumn<QDate>("received");
        QTest::addColumn<QString>("expected"); // empty: none applies
        QTest::addRow("uk before the UK GDPR") << QStringLiteral("uk") << d("2018-05-24") << QString();
        QTest::addRow("uk 25 May 2018") << QStringLiteral("uk") << d("2018-05-25") << kUk2018;
        QTest::addRow("uk 4 Feb 2026, the last day of the old rules") << QStringLiteral("uk") << d("2026-02-04") << kUk2018;
        QTest::addRow("uk 5 Feb 2026, the first day of the new rules") << QStringLiteral("uk") << d("2026-02-05") << kUk2026;
        QTest::addRow("uk 2030") << QStringLiteral("uk") << d("2030-12-31") << kUk2026;
        QTest::addRow("eu") << QStringLiteral("eu") << d("2026-02-05") << kEu;
        QTest::addRow("ccpa before it applied") << QStringLiteral("ccpa") << d("2019-12-31") << QString();
        QTest::addRow("ccpa") << QStringLiteral("ccpa") << d("2020-01-01") << kCcpa;
        QTest::addRow("unknown regime") << QStringLiteral("mars") << d("2026-01-01") << QString();
    }

    void inForce()
    {
        QFETCH(QString, regime);
        QFETCH(QDate, received);
        QFETCH(QString, expected);
        const DeadlineRuleSet *r = DeadlineRuleBook::shipped().inForce(regime, received);
        QCOMPARE(r ? r->id : QString(), expected);
    }

    void compute_data()
    {
        QTest::addColumn<QString>("rules");
        QTest::addColumn<QString>("region");
        QTest::addColumn<QDate>("received");
        QTest::addColumn<QDate>("identity");
        QTest::addColumn<QDate>("fee");
        QTest::addColumn<QString>("pauses");
        QTest::addColumn<bool>("extended");
        QTest::addColumn<QDate>("asOf");
        QTest::addColumn<QString>("ruleSet");
        QTest::addColumn<QDate>("start");
        QTest::addColumn<QDate>("firstEnd");
        QTest::addColumn<QDate>("unrolled");
        QTest::addColumn<QDate>("due");
        QTest::addColumn<int>("paused");
        QTest::addColumn<bool>("provisional");

        // --- The worked examples of DOMAIN.md, under the UK rules in force on the day.
        add({.name = "DOMAIN: Wed 3 Sep 2025 -> Fri 3 Oct 2025",
            .received = d("2025-09-03"),
            .ruleSet = kUk2018,
            .unrolled = d("2025-10-03"),
            .due = d("2025-10-03")});
        // 25 Dec (Wed) and 26 Dec (Thu) 2024 are Christmas and Boxing Day.
        add({.name = "DOMAIN: Mon 25 Nov 2024 -> Fri 27 Dec 2024",
            .received = d("2024-11-25"),
            .ruleSet = kUk2018,
            .unrolled = d("2024-12-25"),
            .due = d("2024-12-27")});
        // Receipt on New Year's Day still counts from that day.
        add({.name = "DOMAIN: Fri 1 Jan 2027 (bank holiday) -> Mon 1 Feb 2027",
            .received = d("2027-01-01"),
            .ruleSet = kUk2026,
            .unrolled = d("2027-02-01"),
            .due = d("2027-02-01")});
        // 31 Feb does not exist -> 28 Feb 2026, a Saturday -> Monday 2 March.
        add({.name = "DOMAIN: Sat 31 Jan 2026 -> Mon 2 Mar 2026",
            .received = d("2026-01-31"),
            .ruleSet = kUk2018,
            .unrolled = d("2026-02-28"),
            .due = d("2026-03-02")});
        add({.name = "DOMAIN: Mon 31 Jan 2028 -> Tue 29 Feb 2028 (leap year)",
            .received = d("2028-01-31"),
            .ruleSet = kUk2026,
            .unrolled = d("2028-02-29"),
            .due = d("2028-02-29")});
        add({.name = "DOMAIN: Wed 31 Mar 2027 -> Fri 30 Apr 2027",
            .received = d("2027-03-31"),
            .ruleSet = kUk2026,
            .unrolled = d("2027-04-30"),
            .due = d("2027-04-30")});

        // --- Month ends and leap years.
        // 28 Mar 2026 is a Saturday.
        add({.name = "Sat 28 Feb 2026 -> Sat 28 Mar -> Mon 30 Mar",
            .received = d("2026-02-28"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-03-28"),
            .due = d("2026-03-30")});
        add({.name = "29 Feb 2028 -> 29 Mar 2028",
            .received = d("2028-02-29"),
            .ruleSet = kUk2026,
            .unrolled = d("2028-03-29"),
            .due = d("2028-03-29")});
        // 30 May 2026 is a Saturday; the spring holiday was 25 May.
        add({.name = "30 Apr 2026 -> Sat 30 May -> Mon 1 Jun",
            .received = d("2026-04-30"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-05-30"),
            .due = d("2026-06-01")});
        add({.name = "31 Mar 2026 -> 30 Apr (clamped)",
            .received = d("2026-03-31"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-04-30"),
            .due = d("2026-04-30")});
        // Clamped to Sun 28 Feb 2027, then rolled.
        add({.name = "Sun 31 Jan 2027 -> Sun 28 Feb -> Mon 1 Mar",
            .received = d("2027-01-31"),
            .ruleSet = kUk2026,
            .unrolled = d("2027-02-28"),
            .due = d("2027-03-01")});
        add({.name = "30 Jan 2028 -> 29 Feb 2028 (clamped, leap)",
            .received = d("2028-01-30"),
            .ruleSet = kUk2026,
            .unrolled = d("2028-02-29"),
            .due = d("2028-02-29")});
        add({.name = "29 Jan 2029 -> 28 Feb 2029 (clamped, not leap)",
            .received = d("2029-01-29"),
            .ruleSet = kUk2026,
            .unrolled = d("2029-02-28"),
            .due = d("2029-02-28")});
        add({.name = "Sun 31 May 2026 -> 30 Jun (clamped)",
            .received = d("2026-05-31"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-06-30"),
            .due = d("2026-06-30")});
        // The start is the summer bank holiday; 31 Sep does not exist.
        add({.name = "Mon 31 Aug 2026 (bank holiday) -> 30 Sep",
            .received = d("2026-08-31"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-09-30"),
            .due = d("2026-09-30")});
        // Across the year end; 31 Jan 2026 is a Saturday.
        add({.name = "31 Dec 2025 -> Sat 31 Jan 2026 -> Mon 2 Feb",
            .received = d("2025-12-31"),
            .ruleSet = kUk2018,
            .unrolled = d("2026-01-31"),
            .due = d("2026-02-02")});
        add({.name = "Sat 31 Oct 2026 -> 30 Nov (clamped)",
            .received = d("2026-10-31"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-11-30"),
            .due = d("2026-11-30")});

        // --- Each kind of England & Wales bank holiday as the due date.
        // 3 Jan 2022 is New Year's Day's substitute (1 Jan was a Saturday).
        add({.name = "New Year substitute: 3 Dec 2021 -> Mon 3 Jan 2022 -> Tue 4 Jan",
            .received = d("2021-12-03"),
            .ruleSet = kUk2018,
            .unrolled = d("2022-01-03"),
            .due = d("2022-01-04")});
        // Good Friday, the weekend, then Easter Monday: four days on.
        add({.name = "Good Friday: 3 Mar 2026 -> Fri 3 Apr -> Tue 7 Apr",
            .received = d("2026-03-03"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-04-03"),
            .due = d("2026-04-07")});
        add({.name = "Easter Monday: 6 Mar 2026 -> Mon 6 Apr -> Tue 7 Apr",
            .received = d("2026-03-06"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-04-06"),
            .due = d("2026-04-07")});
        add({.name = "Early May: Sat 4 Apr 2026 -> Mon 4 May -> Tue 5 May",
            .received = d("2026-04-04"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-05-04"),
            .due = d("2026-05-05")});
        add({.name = "Spring: Sat 25 Apr 2026 -> Mon 25 May -> Tue 26 May",
            .received = d("2026-04-25"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-05-25"),
            .due = d("2026-05-26")});
        add({.name = "Summer: 31 Jul 2026 -> Mon 31 Aug -> Tue 1 Sep",
            .received = d("2026-07-31"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-08-31"),
            .due = d("2026-09-01")});
        // Fri 25 Dec, the weekend, Mon 28 Dec (Boxing Day's substitute).
        add({.name = "Christmas: 25 Nov 2026 -> Fri 25 Dec -> Tue 29 Dec",
            .received = d("2026-11-25"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-12-25"),
            .due = d("2026-12-29")});
        // Sat 25, Sun 26, then both substitutes Mon 27 and Tue 28 Dec.
        add({.name = "Christmas and Boxing Day substitutes: 25 Nov 2027 -> Sat 25 Dec -> Wed 29 Dec",
            .received = d("2027-11-25"),
            .ruleSet = kUk2026,
            .unrolled = d("2027-12-25"),
            .due = d("2027-12-29")});
        add({.name = "Christmas substitute 2021: Sat 27 Nov -> Mon 27 Dec -> Wed 29 Dec",
            .received = d("2021-11-27"),
            .ruleSet = kUk2018,
            .unrolled = d("2021-12-27"),
            .due = d("2021-12-29")});
        // Christmas 2022 was a Sunday: Boxing Day on its Monday, Christmas on Tuesday 27.
        add({.name = "Christmas substitute 2022: Sun 27 Nov -> Tue 27 Dec -> Wed 28 Dec",
            .received = d("2022-11-27"),
            .ruleSet = kUk2018,
            .unrolled = d("2022-12-27"),
            .due = d("2022-12-28")});
        add({.name = "Boxing Day substitute 2020: Sat 28 Nov -> Mon 28 Dec -> Tue 29 Dec",
            .received = d("2020-11-28"),
            .ruleSet = kUk2018,
            .unrolled = d("2020-12-28"),
            .due = d("2020-12-29")});
        add({.name = "Start on Christmas Day 2025 -> Sun 25 Jan 2026 -> Mon 26 Jan",
            .received = d("2025-12-25"),
            .ruleSet = kUk2018,
            .unrolled = d("2026-01-25"),
            .due = d("2026-01-26")});
        // The one-off proclamations.
        add({.name = "VE day 2020: 8 Apr -> Fri 8 May -> Mon 11 May",
            .received = d("2020-04-08"),
            .ruleSet = kUk2018,
            .unrolled = d("2020-05-08"),
            .due = d("2020-05-11")});
        // The early May holiday moved to VE day; Monday 4 May 2020 was a working day.
        add({.name = "Mon 4 May 2020 was a working day: Sat 4 Apr -> Mon 4 May",
            .received = d("2020-04-04"),
            .ruleSet = kUk2018,
            .unrolled = d("2020-05-04"),
            .due = d("2020-05-04")});
        // Start on the early May holiday; Thu 2 (spring, moved) and Fri 3 (Jubilee) Jun.
        add({.name = "Jubilee 2022: Mon 2 May (holiday) -> Thu 2 Jun -> Mon 6 Jun",
            .received = d("2022-05-02"),
            .ruleSet = kUk2018,
            .unrolled = d("2022-06-02"),
            .due = d("2022-06-06")});
        add({.name = "Mon 30 May 2022 was a working day: Sat 30 Apr -> Mon 30 May",
            .received = d("2022-04-30"),
            .ruleSet = kUk2018,
            .unrolled = d("2022-05-30"),
            .due = d("2022-05-30")});
        add({.name = "State Funeral: 19 Aug 2022 -> Mon 19 Sep -> Tue 20 Sep",
            .received = d("2022-08-19"),
            .ruleSet = kUk2018,
            .unrolled = d("2022-09-19"),
            .due = d("2022-09-20")});
        add({.name = "Coronation: Sat 8 Apr 2023 -> Mon 8 May -> Tue 9 May",
            .received = d("2023-04-08"),
            .ruleSet = kUk2018,
            .unrolled = d("2023-05-08"),
            .due = d("2023-05-09")});

        // --- Scotland and Northern Ireland: their own days roll there, not in E&W.
        add({.name = "Scotland 2 January: 2 Dec 2025 -> Fri 2 Jan 2026 -> Mon 5 Jan",
            .region = kScotland,
            .received = d("2025-12-02"),
            .ruleSet = kUk2018,
            .unrolled = d("2026-01-02"),
            .due = d("2026-01-05")});
        add({.name = "E&W 2 January is a working day: 2 Dec 2025 -> Fri 2 Jan 2026",
            .received = d("2025-12-02"),
            .ruleSet = kUk2018,
            .unrolled = d("2026-01-02"),
            .due = d("2026-01-02")});
        // Mon 3 Jan (New Year substitute) and Tue 4 Jan (2 January substitute).
        add({.name = "Scotland New Year substitutes: 3 Dec 2021 -> Mon 3 Jan 2022 -> Wed 5 Jan",
            .region = kScotland,
            .received = d("2021-12-03"),
            .ruleSet = kUk2018,
            .unrolled = d("2022-01-03"),
            .due = d("2022-01-05")});
        add({.name = "Scotland St Andrew's Day: 30 Oct 2026 -> Mon 30 Nov -> Tue 1 Dec",
            .region = kScotland,
            .received = d("2026-10-30"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-11-30"),
            .due = d("2026-12-01")});
        add({.name = "E&W St Andrew's Day is a working day: 30 Oct 2026 -> Mon 30 Nov",
            .received = d("2026-10-30"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-11-30"),
            .due = d("2026-11-30")});
        // St Andrew's Day 2025 was a Sunday: its substitute is Mon 1 Dec.
        add({.name = "Scotland St Andrew's substitute: Sat 1 Nov 2025 -> Mon 1 Dec -> Tue 2 Dec",
            .region = kScotland,
            .received = d("2025-11-01"),
            .ruleSet = kUk2018,
            .unrolled = d("2025-12-01"),
            .due = d("2025-12-02")});
        add({.name = "Scotland first Monday of August: 3 Jul 2026 -> Mon 3 Aug -> Tue 4 Aug",
            .region = kScotland,
            .received = d("2026-07-03"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-08-03"),
            .due = d("2026-08-04")});
        add({.name = "E&W first Monday of August is a working day: 3 Jul 2026 -> Mon 3 Aug",
            .received = d("2026-07-03"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-08-03"),
            .due = d("2026-08-03")});
        add({.name = "Scotland last Monday of August is a working day: 31 Jul 2026 -> Mon 31 Aug",
            .region = kScotland,
            .received = d("2026-07-31"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-08-31"),
            .due = d("2026-08-31")});
        // Good Friday is a holiday in Scotland, Easter Monday is not.
        add({.name = "Scotland Easter Monday is a working day: 3 Mar 2026 -> Fri 3 Apr -> Mon 6 Apr",
            .region = kScotland,
            .received = d("2026-03-03"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-04-03"),
            .due = d("2026-04-06")});
        add({.name = "NI St Patrick's Day: 17 Feb 2026 -> Tue 17 Mar -> Wed 18 Mar",
            .region = kNi,
            .received = d("2026-02-17"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-03-17"),
            .due = d("2026-03-18")});
        add({.name = "E&W St Patrick's Day is a working day: 17 Feb 2026 -> Tue 17 Mar",
            .received = d("2026-02-17"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-03-17"),
            .due = d("2026-03-17")});
        // St Patrick's Day 2024 was a Sunday: its substitute is Mon 18 Mar.
        add({.name = "NI St Patrick's substitute: Sun 18 Feb 2024 -> Mon 18 Mar -> Tue 19 Mar",
            .region = kNi,
            .received = d("2024-02-18"),
            .ruleSet = kUk2018,
            .unrolled = d("2024-03-18"),
            .due = d("2024-03-19")});
        add({.name = "NI 12 July: Sat 12 Jun 2027 -> Mon 12 Jul -> Tue 13 Jul",
            .region = kNi,
            .received = d("2027-06-12"),
            .ruleSet = kUk2026,
            .unrolled = d("2027-07-12"),
            .due = d("2027-07-13")});
        // 12 Jul 2026 is a Sunday; NI's substitute is Mon 13 Jul.
        add({.name = "NI Boyne substitute: 12 Jun 2026 -> Sun 12 Jul -> Tue 14 Jul",
            .region = kNi,
            .received = d("2026-06-12"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-07-12"),
            .due = d("2026-07-14")});
        add({.name = "E&W 12 July: 12 Jun 2026 -> Sun 12 Jul -> Mon 13 Jul",
            .received = d("2026-06-12"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-07-12"),
            .due = d("2026-07-13")});

        // --- The start moves with identity evidence and the fee.
        add({.name = "identity evidence later: start 10 Mar 2026 -> Fri 10 Apr",
            .received = d("2026-03-02"),
            .identity = d("2026-03-10"),
            .ruleSet = kUk2026,
            .start = d("2026-03-10"),
            .unrolled = d("2026-04-10"),
            .due = d("2026-04-10")});
        add({.name = "identity evidence before receipt does not move the start",
            .received = d("2026-03-10"),
            .identity = d("2026-03-02"),
            .ruleSet = kUk2026,
            .start = d("2026-03-10"),
            .unrolled = d("2026-04-10"),
            .due = d("2026-04-10")});
        // Evidence on a Saturday still counts from that Saturday.
        add({.name = "identity evidence on Sat 7 Mar 2026 -> Tue 7 Apr",
            .received = d("2026-03-02"),
            .identity = d("2026-03-07"),
            .ruleSet = kUk2026,
            .start = d("2026-03-07"),
            .unrolled = d("2026-04-07"),
            .due = d("2026-04-07")});
        // The latest of the three: 12 Apr 2026 is a Sunday.
        add({.name = "fee paid last: start 12 Mar 2026 -> Sun 12 Apr -> Mon 13 Apr",
            .received = d("2026-03-02"),
            .identity = d("2026-03-05"),
            .fee = d("2026-03-12"),
            .ruleSet = kUk2026,
            .start = d("2026-03-12"),
            .unrolled = d("2026-04-12"),
            .due = d("2026-04-13")});
        add({.name = "identity after the fee: start 8 Jun 2026 -> 8 Jul",
            .received = d("2026-06-01"),
            .identity = d("2026-06-08"),
            .fee = d("2026-06-03"),
            .ruleSet = kUk2026,
            .start = d("2026-06-08"),
            .unrolled = d("2026-07-08"),
            .due = d("2026-07-08")});

        // --- The rule set in force on the day of receipt (5 Feb 2026).
        add({.name = "received 4 Feb 2026: old rules, the pause does not count",
            .received = d("2026-02-04"),
            .pauses = QStringLiteral("2026-02-10/2026-02-12"),
            .ruleSet = kUk2018,
            .unrolled = d("2026-03-04"),
            .due = d("2026-03-04")});
        // 5 Mar + 3 paused days = Sun 8 Mar.
        add({.name = "received 5 Feb 2026: new rules, the pause counts",
            .received = d("2026-02-05"),
            .pauses = QStringLiteral("2026-02-10/2026-02-12"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-03-08"),
            .due = d("2026-03-09"),
            .paused = 3});
        // The rule set follows receipt, not the start.
        add({.name = "received 2 Feb 2026, identity 9 Feb: old rules",
            .received = d("2026-02-02"),
            .identity = d("2026-02-09"),
            .pauses = QStringLiteral("2026-02-10/2026-02-12"),
            .ruleSet = kUk2018,
            .start = d("2026-02-09"),
            .unrolled = d("2026-03-09"),
            .due = d("2026-03-09")});

        // --- Pauses under uk-gdpr-2026: days added to the unrolled date, then rolled.
        // 2 Apr + 2 = Sat 4 Apr, Sun 5, Easter Monday 6 -> Tue 7 Apr.
        add({.name = "one pause of 2 days, rolled over Easter",
            .received = d("2026-03-02"),
            .pauses = QStringLiteral("2026-03-04/2026-03-05"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-04-04"),
            .due = d("2026-04-07"),
            .paused = 2});
        // 10-15 and 13-20 Mar: 10 to 20 is 11 days, the overlap counted once.
        add({.name = "overlapping pauses count once",
            .received = d("2026-03-02"),
            .pauses = QStringLiteral("2026-03-10/2026-03-15,2026-03-13/2026-03-20"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-04-13"),
            .due = d("2026-04-13"),
            .paused = 11});
        add({.name = "a pause inside another counts once",
            .received = d("2026-03-02"),
            .pauses = QStringLiteral("2026-03-10/2026-03-20,2026-03-12/2026-03-14"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-04-13"),
            .due = d("2026-04-13"),
            .paused = 11});
        // 3-4 and 20-22 Mar: 5 days, in whatever order they were recorded.
        add({.name = "two separate pauses, out of order",
            .received = d("2026-03-02"),
            .pauses = QStringLiteral("2026-03-20/2026-03-22,2026-03-03/2026-03-04"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-04-07"),
            .due = d("2026-04-07"),
            .paused = 5});
        // 3-5 and 5-6 Mar share the 5th: 3 to 6 is 4 days. 2 Apr + 4 = Easter Monday.
        add({.name = "pauses sharing a day",
            .received = d("2026-03-02"),
            .pauses = QStringLiteral("2026-03-03/2026-03-05,2026-03-05/2026-03-06"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-04-06"),
            .due = d("2026-04-07"),
            .paused = 4});
        // The clock starts on 9 Mar: of 3-11 Mar only 9, 10 and 11 count. 9 Apr + 3 = Sun 12 Apr.
        add({.name = "pause days before the start do not count",
            .received = d("2026-03-02"),
            .identity = d("2026-03-09"),
            .pauses = QStringLiteral("2026-03-03/2026-03-11"),
            .ruleSet = kUk2026,
            .start = d("2026-03-09"),
            .unrolled = d("2026-04-12"),
            .due = d("2026-04-13"),
            .paused = 3});
        add({.name = "a pause wholly before the start does not count",
            .received = d("2026-03-02"),
            .identity = d("2026-03-09"),
            .pauses = QStringLiteral("2026-03-03/2026-03-05"),
            .ruleSet = kUk2026,
            .start = d("2026-03-09"),
            .unrolled = d("2026-04-09"),
            .due = d("2026-04-09")});
        // Still paused since 10 Mar; counted to today, 16 Mar: 7 days.
        add({.name = "open pause counted to asOf, provisional",
            .received = d("2026-03-02"),
            .pauses = QStringLiteral("2026-03-10/"),
            .asOf = d("2026-03-16"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-04-09"),
            .due = d("2026-04-09"),
            .paused = 7,
            .provisional = true});
        // 2 days closed, plus 10 Mar itself: 2 Apr + 3 = Sun 5 Apr, Easter Monday -> Tue 7 Apr.
        add({.name = "a closed pause and an open one asked today",
            .received = d("2026-03-02"),
            .pauses = QStringLiteral("2026-03-03/2026-03-04,2026-03-10/"),
            .asOf = d("2026-03-10"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-04-05"),
            .due = d("2026-04-07"),
            .paused = 3,
            .provisional = true});
        // 31 Mar + 1 month = 30 Apr (clamped); + 2 = Sat 2 May; early May Monday 4 -> Tue 5 May.
        add({.name = "pause after a clamped month end",
            .received = d("2026-03-31"),
            .pauses = QStringLiteral("2026-04-01/2026-04-02"),
            .ruleSet = kUk2026,
            .unrolled = d("2026-05-02"),
            .due = d("2026-05-05"),
            .paused = 2});
        add({.name = "uk-gdpr-2018 ignores pauses",
            .rules = kUk2018,
            .received = d("2025-06-02"),
            .pauses = QStringLiteral("2025-06-05/2025-06-10"),
            .unrolled = d("2025-07-02"),
            .due = d("2025-07-02")});
        add({.name = "uk-gdpr-2018 ignores an open pause: not provisional",
            .rules = kUk2018,
            .received = d("2025-06-02"),
            .pauses = QStringLiteral("2025-06-05/"),
            .asOf = d("2025-06-20"),
            .unrolled = d("2025-07-02"),
            .due = d("2025-07-02")});
        add({.name = "eu-gdpr ignores pauses",
            .rules = kEu,
            .received = d("2026-03-02"),
            .pauses = QStringLiteral("2026-03-04/2026-03-05"),
            .unrolled = d("2026-04-02"),
            .due = d("2026-04-02")});
        // The same pause under uk-gdpr-2026 given explicitly moves the date.
        add({.name = "uk-gdpr-2026 counts the pause eu-gdpr ignores",
            .rules = kUk2026,
            .received = d("2026-03-02"),
            .pauses = QStringLiteral("2026-03-04/2026-03-05"),
            .unrolled = d("2026-04-04"),
            .due = d("2026-04-07"),
            .paused = 2});

        // --- Extensions: three months from the start (clamped) + paused days, rolled.
        // 30 Feb 2027 -> Sun 28 Feb -> Mon 1 Mar; the notice is due by 30 Dec 2026.
        add({.name = "extended across the year end: 30 Nov 2026 -> Sun 28 Feb 2027 -> Mon 1 Mar",
            .received = d("2026-11-30"),
            .extended = true,
            .ruleSet = kUk2026,
            .firstEnd = d("2026-12-30"),
            .unrolled = d("2027-02-28"),
            .due = d("2027-03-01")});
        add({.name = "extended: 2 Mar 2026 -> 2 Jun",
            .received = d("2026-03-02"),
            .extended = true,
            .ruleSet = kUk2026,
            .firstEnd = d("2026-04-02"),
            .unrolled = d("2026-06-02"),
            .due = d("2026-06-02")});
        // The notice cut-off is clamped (31 Nov -> 30 Nov); the extended date is not (31 Jan exists).
        add({.name = "extended under the old rules: 31 Oct 2025 -> Sat 31 Jan 2026 -> Mon 2 Feb",
            .received = d("2025-10-31"),
            .extended = true,
            .ruleSet = kUk2018,
            .firstEnd = d("2025-11-30"),
            .unrolled = d("2026-01-31"),
            .due = d("2026-02-02")});
        add({.name = "extended to the Christmas substitutes: 27 Sep 2027 -> Mon 27 Dec -> Wed 29 Dec",
            .received = d("2027-09-27"),
            .extended = true,
            .ruleSet = kUk2026,
            .firstEnd = d("2027-10-27"),
            .unrolled = d("2027-12-27"),
            .due = d("2027-12-29")});
        // The paused days move both the notice cut-off (2 Apr + 3 = Sun 5 Apr, unrolled) and the due date.
        add({.name = "extended with a pause: 2 Mar 2026 + 3 paused days -> Fri 5 Jun",
            .received = d("2026-03-02"),
            .pauses = QStringLiteral("2026-03-10/2026-03-12"),
            .extended = true,
            .ruleSet = kUk2026,
            .firstEnd = d("2026-04-05"),
            .unrolled = d("2026-06-05"),
            .due = d("2026-06-05"),
            .paused = 3});
        add({.name = "extended to a leap day: 30 Nov 2027 -> 29 Feb 2028",
            .received = d("2027-11-30"),
            .extended = true,
            .ruleSet = kUk2026,
            .firstEnd = d("2027-12-30"),
            .unrolled = d("2028-02-29"),
            .due = d("2028-02-29")});
        add({.name = "extended, not leap: 30 Nov 2028 -> 28 Feb 2029",
            .received = d("2028-11-30"),
            .extended = true,
            .ruleSet = kUk2026,
            .firstEnd = d("2028-12-30"),
            .unrolled = d("2029-02-28"),
            .due = d("2029-02-28")});
        // Sat 2 Jan 2027; Scotland's 2 January substitute is Mon 4 Jan.
        add({.name = "Scotland extended: 2 Oct 2026 -> Sat 2 Jan 2027 -> Tue 5 Jan",
            .region = kScotland,
            .received = d("2026-10-02"),
            .extended = true,
            .ruleSet = kUk2026,
            .firstEnd = d("2026-11-02"),
            .unrolled = d("2027-01-02"),
            .due = d("2027-01-05")});
        add({.name = "E&W extended: 2 Oct 2026 -> Sat 2 Jan 2027 -> Mon 4 Jan",
            .received = d("2026-10-02"),
            .extended = true,
            .ruleSet = kUk2026,
            .firstEnd = d("2026-11-02"),
            .unrolled = d("2027-01-02"),
            .due = d("2027-01-04")});

        // --- CCPA: 45 calendar days, +45, never rolled.
        add({.name = "ccpa: 5 Mar 2026 + 45 days = Sun 19 Apr, not rolled",
            .rules = kCcpa,
            .received = d("2026-03-05"),
            .unrolled = d("2026-04-19"),
            .due = d("2026-04-19")});
        add({.name = "ccpa extended: Sun 1 Mar 2026 + 90 days = Sat 30 May, not rolled",
            .rules = kCcpa,
            .received = d("2026-03-01"),
            .extended = true,
            .firstEnd = d("2026-04-15"),
            .unrolled = d("2026-05-30"),
            .due = d("2026-05-30")});
        add({.name = "ccpa ignores pauses",
            .rules = kCcpa,
            .received = d("2026-03-05"),
            .pauses = QStringLiteral("2026-03-10/2026-03-20"),
            .unrolled = d("2026-04-19"),
            .due = d("2026-04-19")});
        add({.name = "ccpa in Scotland is the same date",
            .rules = kCcpa,
            .region = kScotland,
            .received = d("2026-03-05"),
            .unrolled = d("2026-04-19"),
            .due = d("2026-04-19")});

        // --- A regime counted in working days (test rule set).
        // 23-27 Mar (5), 30 Mar-2 Apr (9), Good Friday and Easter Monday skipped, 7-10 (13), 13-17 (18), 20, 21.
        add({.name = "20 working days over Easter: Fri 20 Mar 2026 -> Tue 21 Apr",
            .rules = kWorkingDays,
            .received = d("2026-03-20"),
            .unrolled = d("2026-04-21"),
            .due = d("2026-04-21")});
        // Paused days are calendar days added to the unrolled date: 21 Apr + 2.
        add({.name = "20 working days and a 2-day pause -> Thu 23 Apr",
            .rules = kWorkingDays,
            .received = d("2026-03-20"),
            .pauses = QStringLiteral("2026-03-23/2026-03-24"),
            .unrolled = d("2026-04-23"),
            .due = d("2026-04-23"),
            .paused = 2});
        // Scotland works on Easter Monday: one day earlier.
        add({.name = "20 working days over Easter in Scotland -> Mon 20 Apr",
            .rules = kWorkingDays,
            .region = kScotland,
            .received = d("2026-03-20"),
            .unrolled = d("2026-04-20"),
            .due = d("2026-04-20")});
    }

    void compute()
    {
        QFETCH(QString, rules);
        QFETCH(QString, region);
        QFETCH(QDate, received);
        QFETCH(QDate, identity);
        QFETCH(QDate, fee);
        QFETCH(QString, pauses);
        QFETCH(bool, extended);
        QFETCH(QDate, asOf);
        QFETCH(QString, ruleSet);
        QFETCH(QDate, start);
        QFETCH(QDate, firstEnd);
        QFETCH(QDate, unrolled);
        QFETCH(QDate, due);
        QFETCH(int, paused);
        QFETCH(bool, provisional);
        QVERIFY2(firstEnd.isValid(), "an extended row states its notice cut-off");

        const DeadlineRuleSet *r = rulesFor(rules, received);
        QVERIFY(r);
        QCOMPARE(r->id, ruleSet);
        QVERIFY(m_calendars.contains(region));
        const WorkingCalendar calendar = m_calendars.value(region);
        DeadlineInput input;
        input.received = received;
        input.identityReceived = identity;
        input.feePaid = fee;
        input.pauses = pausesFrom(pauses);
        input.extended = extended;
        input.asOf = asOf;

        const Deadline deadline = DeadlineCalculator::compute(*r, calendar, input);
        QCOMPARE(deadline.ruleSet, ruleSet);
        QVERIFY(deadline.started);
        QCOMPARE(deadline.start, start);
        QCOMPARE(deadline.pausedDays, paused);
        QCOMPARE(deadline.firstPeriodEnd, firstEnd);
        QCOMPARE(deadline.unrolledDue, unrolled);
        QCOMPARE(deadline.due, due);
        QCOMPARE(deadline.extended, extended);
        QCOMPARE(deadline.provisional, provisional);
        QVERIFY2(deadline.warnings.isEmpty(), qPrintable(deadline.warnings.join(QLatin1Char('\n'))));
        QVERIFY(!deadline.explanation.isEmpty());
        QVERIFY(deadline.explanation.contains(QStringLiteral("Due by the end of %1.").arg(DeadlineCalculator::britishDate(due))));

        // The dashboard path gives the same dates, without the words.
        const Deadline quick = DeadlineCalculator::compute(*r, calendar, input, false);
        QVERIFY(quick.explanation.isEmpty());
        QCOMPARE(quick.start, deadline.start);
        QCOMPARE(quick.firstPeriodEnd, deadline.firstPeriodEnd);
        QCOMPARE(quick.unrolledDue, deadline.unrolledDue);
        QCOMPARE(quick.due, deadline.due);
        QCOMPARE(quick.pausedDays, deadline.pausedDays);
        QCOMPARE(quick.provisional, deadline.provisional);
        QCOMPARE(quick.warnings, deadline.warnings);
    }

    void awaitingEvidence()
    {
        DeadlineInput input;
        input.received = d("2026-03-02");
        input.awaitingEvidence = true;
        input.pauses = pausesFrom(QStringLiteral("2026-03-03/"));
        input.asOf = d("2026-03-10");
        const WorkingCalendar calendar = m_calendars.value(kEw);
        const Deadline deadline = DeadlineCalculator::compute(*rulesFor(kUk2026, input.received), calendar, input);
        QCOMPARE(deadline.started, false);
        QVERIFY(!deadline.due.isValid());
        QVERIFY(!deadline.unrolledDue.isValid());
        QCOMPARE(deadline.pausedDays, 0);
        QCOMPARE(deadline.provisional, false);
        QCOMPARE(deadline.ruleSet, kUk2026);
        const QString text = deadline.explanation.join(QLatin1Char('\n'));
        QVERIFY2(text.contains(QStringLiteral("not started")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Monday 2 March 2026")), qPrintable(text));
        QVERIFY(DeadlineCalculator::compute(*rulesFor(kUk2026, input.received), calendar, input, false).explanation.isEmpty());

        const DeadlineStatus status = deadlineStatus(deadline, calendar, d("2026-05-01"), QDate());
        QCOMPARE(toString(status.state), QStringLiteral("not-started"));

        // Once the evidence is in, the clock runs from it.
        input.awaitingEvidence = false;
        input.identityReceived = d("2026-03-12");
        input.pauses.clear();
        const Deadline started = DeadlineCalculator::compute(*rulesFor(kUk2026, input.received), calendar, input);
        QVERIFY(started.started);
        QCOMPARE(started.start, d("2026-03-12"));
        QCOMPARE(started.due, d("2026-04-13")); // Sun 12 Apr 2026 rolled
    }

    void explanation_data()
    {
        QTest::addColumn<QString>("rules");
        QTest::addColumn<QString>("region");
        QTest::addColumn<QDate>("received");
        QTest::addColumn<QDate>("identity");
        QTest::addColumn<QString>("pauses");
        QTest::addColumn<bool>("extended");
        QTest::addColumn<QStringList>("mentions");
        QTest::addColumn<QStringList>("absent");

        const QDate none;
        QTest::addRow("Christmas and Boxing Day rolled over")
            << kUk2018 << kEw << d("2024-11-25") << none << QString() << false
            << QStringList {QStringLiteral("Wednesday 25 December (Christmas Day)"),
                   QStringLiteral("Thursday 26 December (Boxing Day)"), QStringLiteral("england-and-wales"),
                   QStringLiteral("Due by the end of Friday 27 December 2024.")}
            << QStringList {QStringLiteral("does not exist")};
        QTest::addRow("weekend and both substitutes rolled over")
            << kUk2026 << kEw << d("2027-11-25") << none << QString() << false
            << QStringList {QStringLiteral("Saturday 25 December"), QStringLiteral("Sunday 26 December"),
                   QStringLiteral("Monday 27 December (Christmas Day)"), QStringLiteral("Tuesday 28 December (Boxing Day)"),
                   QStringLiteral("Wednesday 29 December 2027")}
            << QStringList {};
        QTest::addRow("clamped to 28 Feb, then a weekend")
            << kUk2018 << kEw << d("2026-01-31") << none << QString() << false
            << QStringList {QStringLiteral("31 February 2026 does not exist"), QStringLiteral("last day of that month"),
                   QStringLiteral("Saturday 28 February"), QStringLiteral("Monday 2 March 2026")}
            << QStringList {QStringLiteral("(Christmas")};
        QTest::addRow("Scotland's 2 January") << kUk2018 << kScotland << d("2025-12-02") << none << QString() << false
                                              << QStringList {QStringLiteral("Friday 2 January (2nd January)"),
                                                     QStringLiteral("scotland"), QStringLiteral("Monday 5 January 2026")}
                                              << QStringList {};
        QTest::addRow("E&W 2 January: nothing rolled")
            << kUk2018 << kEw << d("2025-12-02") << none << QString() << false
            << QStringList {QStringLiteral("Friday 2 January 2026 is a working day in england-and-wales")}
            << QStringList {QStringLiteral("2nd January"), QStringLiteral("Rolled")};
        QTest::addRow("St Patrick's Day in Northern Ireland")
            << kUk2026 << kNi << d("2026-02-17") << none << QString() << false
            << QStringList {QStringLiteral("Tuesday 17 March (St Patrick\u2019s Day)"), QStringLiteral("northern-ireland")}
            << QStringList {};
        QTest::addRow("Scotland: Good Friday rolled, Easter Monday not")
            << kUk2026 << kScotland << d("2026-03-03") << none << QString() << false
            << QStringList {QStringLiteral("Friday 3 April (Good Friday)"), QStringLiteral("Monday 6 April 2026")}
            << QStringList {QStringLiteral("Easter Monday")};
        QTest::addRow("extension clamped") << kUk2026 << kEw << d("2026-11-30") << none << QString() << true
                                           << QStringList {QStringLiteral("3 calendar months"),
                                                  QStringLiteral("2 calendar months extension"),
                                                  QStringLiteral("30 February 2027 does not exist"),
                                                  QStringLiteral("Sunday 28 February"), QStringLiteral("Monday 1 March 2027")}
                                           << QStringList {QStringLiteral("must be notified")};
        QTest::addRow("extension notice cut-off")
            << kUk2026 << kEw << d("2026-03-02") << none << QString() << false
            << QStringList {QStringLiteral("2 calendar months must be notified, with reasons, by Thursday 2 April 2026")}
            << QStringList {};
        QTest::addRow("start on a bank holiday") << kUk2026 << kEw << d("2027-01-01") << none << QString() << false
                                                 << QStringList {QStringLiteral("Start: Friday 1 January 2027"),
                                                        QStringLiteral("not a working day"), QStringLiteral("still counts")}
                                                 << QStringList {};
        QTest::addRow("identity evidence moved the start")
            << kUk2026 << kEw << d("2026-03-02") << d("2026-03-10") << QString() << false
            << QStringList {QStringLiteral("Start: Tuesday 10 March 2026"), QStringLiteral("identity or authority evidence"),
                   QStringLiteral("received Monday 2 March 2026")}
            << QStringList {};
        QTest::addRow("old rules: no statutory pause")
            << kUk2018 << kEw << d("2025-06-02") << none << QStringLiteral("2025-06-05/2025-06-07") << false
            << QStringList {QStringLiteral("3 days"), QStringLiteral("no statutory pause"), QStringLiteral("uk-gdpr-2018")}
            << QStringList {QStringLiteral("paused")};
        QTest::addRow("new rules: paused days added")
            << kUk2026 << kEw << d("2026-03-02") << none << QStringLiteral("2026-03-04/2026-03-05") << false
            << QStringList {QStringLiteral("+2 paused days"), QStringLiteral("Saturday 4 April 2026"),
                   QStringLiteral("Monday 6 April (Easter Monday)"), QStringLiteral("Tuesday 7 April 2026")}
            << QStringList {QStringLiteral("still paused")};
        QTest::addRow("ccpa: days, not rolled")
            << kCcpa << kEw << d("2026-03-05") << none << QString() << false
            << QStringList {QStringLiteral("+45 days"), QStringLiteral("Sunday 19 April 2026")}
            << QStringList {QStringLiteral("Rolled"), QStringLiteral("does not exist")};
    }

    void explanation()
    {
        QFETCH(QString, rules);
        QFETCH(QString, region);
        QFETCH(QDate, received);
        QFETCH(QDate, identity);
        QFETCH(QString, pauses);
        QFETCH(bool, extended);
        QFETCH(QStringList, mentions);
        QFETCH(QStringList, absent);
        DeadlineInput input;
        input.received = received;
        input.identityReceived = identity;
        input.pauses = pausesFrom(pauses);
        input.extended = extended;
        const Deadline deadline = DeadlineCalculator::compute(*rulesFor(rules, received), m_calendars.value(region), input);
        const QString text = deadline.explanation.join(QLatin1Char('\n'));
        for (const QString &part : mentions)
            QVERIFY2(text.contains(part), qPrintable(QStringLiteral("'%1' not in:\n%2").arg(part, text)));
        for (const QString &part : absent)
            QVERIFY2(!text.contains(part), qPrintable(QStringLiteral("'%1' in:\n%2").arg(part, text)));
    }

    void openPauseMentionedInExplanation()
    {
        DeadlineInput input;
        input.received = d("2026-03-02");
        input.pauses = pausesFrom(QStringLiteral("2026-03-10/"));
        input.asOf = d("2026-03-16");
        const Deadline deadline = DeadlineCalculator::compute(*rulesFor(kUk2026, input.received), m_calendars.value(kEw), input);
        const QString text = deadline.explanation.join(QLatin1Char('\n'));
        QVERIFY2(text.contains(QStringLiteral("+7 paused days")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("still paused")), qPrintable(text));
        // Each further paused day moves the provisional date by one.
        input.asOf = d("2026-03-17");
        const Deadline later = DeadlineCalculator::compute(*rulesFor(kUk2026, input.received), m_calendars.value(kEw), input);
        QCOMPARE(later.pausedDays, 8);
        QCOMPARE(later.unrolledDue, d("2026-04-10"));
        // The answer arrives: the pause closes and the date is final.
        input.pauses = pausesFrom(QStringLiteral("2026-03-10/2026-03-17"));
        const Deadline closed = DeadlineCalculator::compute(*rulesFor(kUk2026, input.received), m_calendars.value(kEw), input);
        QCOMPARE(closed.pausedDays, 8);
        QCOMPARE(closed.provisional, false);
        QCOMPARE(closed.due, d("2026-04-10"));
    }

    void warnings()
    {
        const WorkingCalendar calendar = m_calendars.value(kEw);
        DeadlineInput input;
        // Due in January 2031: the shipped calendar stops at 2030.
        input.received = d("2030-12-15");
        const Deadline beyond = DeadlineCalculator::compute(*rulesFor(kUk2026, input.received), calendar, input);
        QCOMPARE(beyond.due, d("2031-01-15"));
        QCOMPARE(beyond.warnings.size(), 1);
        QVERIFY2(beyond.warnings.constFirst().contains(QStringLiteral("2018 to 2030")), qPrintable(beyond.warnings.join(u';')));
        QVERIFY(beyond.warnings.constFirst().contains(QStringLiteral("calendar import")));
        // Due in 2030 (15 Dec is a Sunday): no warning.
        input.received = d("2030-11-15");
        const Deadline inside = DeadlineCalculator::compute(*rulesFor(kUk2026, input.received), calendar, input);
        QCOMPARE(inside.due, d("2030-12-16"));
        QVERIFY(inside.warnings.isEmpty());
        // A start before the calendar's first year.
        input.received = d("2017-12-20");
        QVERIFY(!DeadlineCalculator::compute(*rulesFor(kUk2018, input.received), calendar, input).warnings.isEmpty());
        // Without rolling, the calendar does not matter.
        input.received = d("2030-12-15");
        QVERIFY(DeadlineCalculator::compute(*rulesFor(kCcpa, input.received), calendar, input).warnings.isEmpty());
        // A rule set that allows no extension says so and does not extend.
        input.received = d("2026-03-20");
        input.extended = true;
        const Deadline notExtended = DeadlineCalculator::compute(*rulesFor(kWorkingDays, input.received), calendar, input);
        QCOMPARE(notExtended.extended, false);
        QCOMPARE(notExtended.due, d("2026-04-21"));
        QCOMPARE(notExtended.warnings.size(), 1);
        QVERIFY(notExtended.warnings.constFirst().contains(QStringLiteral("allow no extension")));
    }

    void britishDate()
    {
        QCOMPARE(DeadlineCalculator::britishDate(d("2026-03-02")), QStringLiteral("Monday 2 March 2026"));
        QCOMPARE(DeadlineCalculator::britishDate(d("2028-02-29")), QStringLiteral("Tuesday 29 February 2028"));
    }

    void status_data()
    {
        QTest::addColumn<QString>("region");
        QTest::addColumn<bool>("started");
        QTest::addColumn<bool>("provisional");
        QTest::addColumn<QDate>("due");
        QTest::addColumn<QDate>("today");
        QTest::addColumn<QDate>("closedOn");
        QTest::addColumn<int>("soonWithin");
        QTest::addColumn<QString>("state");
        QTest::addColumn<int>("left"); // checked while open and started

        const QDate open;
        QTest::addRow("overdue by a day") << kEw << true << false << d("2026-03-02") << d("2026-03-03") << open << 5
                                          << QStringLiteral("overdue") << -1;
        // Fri due, Mon today: one working day late.
        QTest::addRow("overdue over a weekend")
            << kEw << true << false << d("2026-03-06") << d("2026-03-09") << open << 5 << QStringLiteral("overdue") << -1;
        // Due Friday, today Saturday: late although no working day has passed.
        QTest::addRow("overdue on the Saturday")
            << kEw << true << false << d("2026-03-06") << d("2026-03-07") << open << 5 << QStringLiteral("overdue") << 0;
        QTest::addRow("overdue by a month") << kEw << true << false << d("2026-03-02") << d("2026-04-02") << open << 5
                                            << QStringLiteral("overdue") << -23;
        QTest::addRow("due today") << kEw << true << false << d("2026-03-02") << d("2026-03-02") << open << 5
                                   << QStringLiteral("due-today") << 0;
        QTest::addRow("due tomorrow") << kEw << true << false << d("2026-03-03") << d("2026-03-02") << open << 5
                                      << QStringLiteral("due-soon") << 1;
        QTest::addRow("due in 5 working days")
            << kEw << true << false << d("2026-03-09") << d("2026-03-02") << open << 5 << QStringLiteral("due-soon") << 5;
        QTest::addRow("due in 6 working days: on track")
            << kEw << true << false << d("2026-03-10") << d("2026-03-02") << open << 5 << QStringLiteral("on-track") << 6;
        QTest::addRow("today Saturday, due Friday")
            << kEw << true << false << d("2026-03-13") << d("2026-03-07") << open << 5 << QStringLiteral("due-soon") << 5;
        // Thu 2 Apr to Fri 10 Apr 2026: Good Friday and Easter Monday leave 4 working days.
        QTest::addRow("8 days away over Easter: 4 working days")
            << kEw << true << false << d("2026-04-10") << d("2026-04-02") << open << 5 << QStringLiteral("due-soon") << 4;
        // To Mon 13 Apr: 7, 8, 9, 10 and 13 April.
        QTest::addRow("11 days away over Easter: 5 working days")
            << kEw << true << false << d("2026-04-13") << d("2026-04-02") << open << 5 << QStringLiteral("due-soon") << 5;
        // Scotland works on Easter Monday: 6 working days.
        QTest::addRow("Scotland, same dates: on track")
            << kScotland << true << false << d("2026-04-13") << d("2026-04-02") << open << 5 << QStringLiteral("on-track") << 6;
        // Wed 23 Dec 2026 to Mon 4 Jan 2027: 24, 29, 30, 31 Dec and 4 Jan.
        QTest::addRow("12 days away over Christmas: 5 working days")
            << kEw << true << false << d("2027-01-04") << d("2026-12-23") << open << 5 << QStringLiteral("due-soon") << 5;
        QTest::addRow("13 days away over Christmas: on track")
            << kEw << true << false << d("2027-01-05") << d("2026-12-23") << open << 5 << QStringLiteral("on-track") << 6;
        QTest::addRow("due soon within 10") << kEw << true << false << d("2026-03-10") << d("2026-03-02") << open << 10
                                            << QStringLiteral("due-soon") << 6;
        QTest::addRow("due soon within 0") << kEw << true << false << d("2026-03-03") << d("2026-03-02") << open << 0
                                           << QStringLiteral("on-track") << 1;
        // 17 Mar to 9 Apr 2026, Good Friday and Easter Monday out: 16.
        QTest::addRow("paused") << kEw << true << true << d("2026-04-09") << d("2026-03-16") << open << 5
                                << QStringLiteral("paused") << 16;
        QTest::addRow("not started") << kEw << false << false << QDate() << d("2026-03-16") << open << 5
                                     << QStringLiteral("not-started") << 0;
        QTest::addRow("closed on the due day") << kEw << true << false << d("2026-03-02") << d("2026-03-10") << d("2026-03-02")
                                               << 5 << QStringLiteral("closed-on-time") << 0;
        QTest::addRow("closed early") << kEw << true << false << d("2026-03-02") << d("2026-03-10") << d("2026-02-20") << 5
                                      << QStringLiteral("closed-on-time") << 0;
        QTest::addRow("closed a day late") << kEw << true << false << d("2026-03-02") << d("2026-03-10") << d("2026-03-03") << 5
                                           << QStringLiteral("closed-late") << 0;
        // Closed on the Saturday after a Friday due date: late.
        QTest::addRow("closed on the Saturday after") << kEw << true << false << d("2026-03-06") << d("2026-03-10")
                                                      << d("2026-03-07") << 5 << QStringLiteral("closed-late") << 0;
        QTest::addRow("closed before it started") << kEw << false << false << QDate() << d("2026-03-10") << d("2026-03-05") << 5
                                                  << QStringLiteral("closed-on-time") << 0;
        QTest::addRow("closed while paused") << kEw << true << true << d("2026-04-09") << d("2026-03-20") << d("2026-03-20") << 5
                                             << QStringLiteral("closed-on-time") << 0;
    }

    void status()
    {
        QFETCH(QString, region);
        QFETCH(bool, started);
        QFETCH(bool, provisional);
        QFETCH(QDate, due);
        QFETCH(QDate, today);
        QFETCH(QDate, closedOn);
        QFETCH(int, soonWithin);
        QFETCH(QString, state);
        QFETCH(int, left);
        Deadline deadline;
        deadline.started = started;
        deadline.provisional = provisional;
        deadline.due = due;
        deadline.unrolledDue = due;
        const DeadlineStatus status = deadlineStatus(deadline, m_calendars.value(region), today, closedOn, soonWithin);
        QCOMPARE(toString(status.state), state);
        if (started && !closedOn.isValid())
            QCOMPARE(status.workingDaysLeft, left);
    }

    void statusOfComputedDeadline()
    {
        // DOMAIN's Mon 25 Nov 2024 example, seen from the dashboard.
        DeadlineInput input;
        input.received = d("2024-11-25");
        const WorkingCalendar calendar = m_calendars.value(kEw);
        const Deadline deadline = DeadlineCalculator::compute(*rulesFor(kUk2018, input.received), calendar, input, false);
        QCOMPARE(deadline.due, d("2024-12-27"));
        // Fri 20 Dec: 23, 24 and 27 Dec are left.
        QCOMPARE(deadlineStatus(deadline, calendar, d("2024-12-20"), QDate()).workingDaysLeft, 3);
        QCOMPARE(toString(deadlineStatus(deadline, calendar, d("2024-12-20"), QDate()).state), toString(DeadlineState::DueSoon));
        QCOMPARE(toString(deadlineStatus(deadline, calendar, d("2024-12-13"), QDate()).state), toString(DeadlineState::OnTrack));
        QCOMPARE(toString(deadlineStatus(deadline, calendar, d("2024-12-27"), QDate()).state), toString(DeadlineState::DueToday));
        QCOMPARE(toString(deadlineStatus(deadline, calendar, d("2024-12-28"), QDate()).state), toString(DeadlineState::Overdue));
        QCOMPARE(toString(deadlineStatus(deadline, calendar, d("2024-12-28"), d("2024-12-27")).state),
            toString(DeadlineState::ClosedOnTime));
    }

    void stateNames()
    {
        QCOMPARE(toString(DeadlineState::NotStarted), QStringLiteral("not-started"));
        QCOMPARE(toString(DeadlineState::Paused), QStringLiteral("paused"));
        QCOMPARE(toString(DeadlineState::OnTrack), QStringLiteral("on-track"));
        QCOMPARE(toString(DeadlineState::DueSoon), QStringLiteral("due-soon"));
        QCOMPARE(toString(DeadlineState::DueToday), QStringLiteral("due-today"));
        QCOMPARE(toString(DeadlineState::Overdue), QStringLiteral("overdue"));
        QCOMPARE(toString(DeadlineState::ClosedOnTime), QStringLiteral("closed-on-time"));
        QCOMPARE(toString(DeadlineState::ClosedLate), QStringLiteral("closed-late"));
    }

    void everyStartDate2018To2030_data()
    {
        QTest::addColumn<QString>("region");
        QTest::addColumn<bool>("extended");
        for (const QString &region : BankHolidays::kRegions) {
            QTest::addRow("%s", qPrintable(region)) << region << false;
            QTest::addRow("%s, extended", qPrintable(region)) << region << true;
        }
    }

    void everyStartDate2018To2030()
    {
        QFETCH(QString, region);
        QFETCH(bool, extended);
        const WorkingCalendar calendar = m_calendars.value(region);
        const DeadlineRuleSet *before = DeadlineRuleBook::shipped().byId(kUk2018);
        QVERIFY(before);
        int checked = 0;
        int rolled = 0;
        int longestRoll = 0;
        for (QDate day = d("2018-01-01"); day <= d("2030-12-31"); day = day.addDays(1)) {
            const DeadlineRuleSet *inForce = DeadlineRuleBook::shipped().inForce(QStringLiteral("uk"), day);
            const DeadlineRuleSet &rules = inForce ? *inForce : *before;
            DeadlineInput input;
            input.received = day;
            input.extended = extended;
            const Deadline deadline = DeadlineCalculator::compute(rules, calendar, input, false);
            const QString where = day.toString(Qt::ISODate);
            QVERIFY2(deadline.started, qPrintable(where));
            QCOMPARE(deadline.start, day);
            QCOMPARE(deadline.unrolledDue, sameDayMonthsLater(day, extended ? 3 : 1));
            QCOMPARE(deadline.firstPeriodEnd, sameDayMonthsLater(day, 1));
            QVERIFY2(calendar.isWorkingDay(deadline.due), qPrintable(where));
            QVERIFY2(deadline.due >= deadline.unrolledDue, qPrintable(where));
            const qint64 roll = deadline.unrolledDue.daysTo(deadline.due);
            QVERIFY2(roll <= 4, qPrintable(QStringLiteral("%1: rolled %2 days").arg(where).arg(roll)));
            // The next working day, not a later one.
            for (QDate skipped = deadline.unrolledDue; skipped < deadline.due; skipped = skipped.addDays(1))
                QVERIFY2(!calendar.isWorkingDay(skipped), qPrintable(where));
            QCOMPARE(deadline.warnings.isEmpty(), calendar.covers(deadline.due));
            rolled += roll > 0 ? 1 : 0;
            longestRoll = qMax(longestRoll, int(roll));
            ++checked;
        }
        QCOMPARE(checked, 4748);
        // About 2 days in 7 fall on a weekend, more with holidays; the longest
        // rolls (Easter, Christmas with substitutes) are four days.
        QVERIFY(rolled > checked * 2 / 7);
        QCOMPARE(longestRoll, 4);
    }

    void sameInputSameAnswer()
    {
        DeadlineInput input;
        input.received = d("2026-11-30");
        input.pauses = pausesFrom(QStringLiteral("2026-12-01/2026-12-03,2026-12-02/"));
        input.asOf = d("2026-12-10");
        input.extended = true;
        const DeadlineRuleSet &rules = *rulesFor(kUk2026, input.received);
        const Deadline a = DeadlineCalculator::compute(rules, m_calendars.value(kEw), input);
        const Deadline b = DeadlineCalculator::compute(rules, m_calendars.value(kEw), input);
        QCOMPARE(a.due, b.due);
        QCOMPARE(a.explanation, b.explanation);
        // 1 to 10 Dec: 10 days. 28 Feb 2027 + 10 = Wed 10 Mar.
        QCOMPARE(a.pausedDays, 10);
        QCOMPARE(a.unrolledDue, d("2027-03-10"));
        QCOMPARE(a.due, d("2027-03-10"));
        QCOMPARE(a.firstPeriodEnd, d("2027-01-09"));
        QVERIFY(a.provisional);
    }
};

QTEST_GUILESS_MAIN(TestDeadline)
#include "TestDeadline.moc"
