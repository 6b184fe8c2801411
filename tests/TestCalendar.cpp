// SPDX-License-Identifier: GPL-3.0-or-later
// The UK bank holidays file and the working-day arithmetic built on it: the
// shipped data checked date by date against the proclamations, the lookup
// tables checked against a plain day-by-day count, and every way an imported
// file can be malformed refused with the JSON path of the fault.

#include "calendar/DeadlineCalculator.h"
#include "calendar/WorkingCalendar.h"
#include "core/InputLimits.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSet>
#include <QTest>

#include <functional>

using namespace rf;

namespace {

const QString kEw = QStringLiteral("england-and-wales");
const QString kScotland = QStringLiteral("scotland");
const QString kNi = QStringLiteral("northern-ireland");

QDate d(const char *iso)
{
    return QDate::fromString(QLatin1String(iso), Qt::ISODate);
}

QString sourceFile()
{
    return QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/resources/calendars/uk-bank-holidays.json");
}

QByteArray sourceBytes()
{
    QFile file(sourceFile());
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QJsonObject sourceRoot()
{
    return QJsonDocument::fromJson(sourceBytes()).object();
}

// The shipped file with one division's events changed by `edit`.
QByteArray withEvents(const QString &region, const std::function<void(QJsonArray &)> &edit)
{
    QJsonObject root = sourceRoot();
    QJsonObject division = root.value(region).toObject();
    QJsonArray events = division.value(QStringLiteral("events")).toArray();
    edit(events);
    division.insert(QStringLiteral("events"), events);
    root.insert(region, division);
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

QByteArray withRoot(const std::function<void(QJsonObject &)> &edit)
{
    QJsonObject root = sourceRoot();
    edit(root);
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

void setEventField(QJsonArray &events, qsizetype index, const QString &key, const QJsonValue &value)
{
    QJsonObject event = events.at(index).toObject();
    event.insert(key, value);
    events.replace(index, event);
}

// An oracle that shares nothing with WorkingCalendar: the holiday dates read
// straight from the JSON file, weekends from QDate, and counts made one day
// at a time.
class DayByDay
{
public:
    DayByDay(const QSet<QDate> &holidays)
        : m_holidays(holidays)
    { }

    [[nodiscard]] bool isWorkingDay(const QDate &date) const { return date.dayOfWeek() < 6 && !m_holidays.contains(date); }

    [[nodiscard]] int between(const QDate &from, const QDate &to) const
    {
        if (to < from)
            return -between(to, from);
        int count = 0;
        for (QDate day = from.addDays(1); day <= to; day = day.addDays(1))
            count += isWorkingDay(day) ? 1 : 0;
        return count;
    }

private:
    QSet<QDate> m_holidays;
};

QSet<QDate> holidayDatesFromFile(const QString &region)
{
    QSet<QDate> dates;
    const QJsonArray events = sourceRoot().value(region).toObject().value(QStringLiteral("events")).toArray();
    for (const QJsonValue &event : events)
        dates.insert(QDate::fromString(event.toObject().value(QStringLiteral("date")).toString(), Qt::ISODate));
    return dates;
}

QDate randomDate(QRandomGenerator &generator, const QDate &first, const QDate &last)
{
    return first.addDays(generator.bounded(qint64(0), first.daysTo(last) + 1));
}

} // namespace

class TestCalendar : public QObject
{
    Q_OBJECT

private:
    QHash<QString, WorkingCalendar> m_calendars;

    [[nodiscard]] WorkingCalendar calendar(const QString &region) const { return m_calendars.value(region); }

private slots:
    void initTestCase()
    {
        QVERIFY2(!sourceBytes().isEmpty(), qPrintable(sourceFile()));
        for (const QString &region : BankHolidays::kRegions) {
            Result<WorkingCalendar> calendar = BankHolidays::shipped().region(region);
            QVERIFY2(calendar.ok(), qPrintable(region));
            m_calendars.insert(region, *calendar);
        }
    }

    void shippedIsTheSourceFile()
    {
        // What is compiled in is what is committed, and parses on its own.
        Result<BankHolidays> parsed = BankHolidays::parse(sourceBytes(), sourceFile());
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().fullText()));
        QCOMPARE(parsed->hash(), BankHolidays::shipped().hash());
        QCOMPARE(parsed->hash().size(), 64);
        QCOMPARE(parsed->source(), sourceFile());
        QVERIFY(!BankHolidays::shipped().json().isEmpty());
        QCOMPARE(BankHolidays::kRegions, QStringList({kEw, kScotland, kNi}));
    }

    void shippedCovers2018To2030_data()
    {
        QTest::addColumn<QString>("region");
        for (const QString &region : BankHolidays::kRegions)
            QTest::addRow("%s", qPrintable(region)) << region;
    }

    void shippedCovers2018To2030()
    {
        QFETCH(QString, region);
        const WorkingCalendar c = calendar(region);
        QCOMPARE(c.region(), region);
        QCOMPARE(c.firstYear(), 2018);
        QCOMPARE(c.lastYear(), 2030);
        for (int year = 2018; year <= 2030; ++year)
            QVERIFY2(c.holidaysIn(year).size() >= 8, qPrintable(QString::number(year)));
        QVERIFY(c.holidaysIn(2017).isEmpty());
        QVERIFY(c.holidaysIn(2031).isEmpty());
    }

    void unknownRegion()
    {
        Result<WorkingCalendar> wales = BankHolidays::shipped().region(QStringLiteral("wales"));
        QVERIFY(!wales.ok());
        QCOMPARE(wales.error().code, ErrorCode::NotFound);
        QVERIFY(wales.error().message.contains(QStringLiteral("'wales'")));
        QVERIFY(wales.error().message.contains(kEw));
    }

    void holidaysPerYear_data()
    {
        QTest::addColumn<QString>("region");
        QTest::addColumn<int>("year");
        QTest::addColumn<int>("count");
        // England & Wales: 8 a year; 2022 adds the Jubilee and the State
        // Funeral (the spring holiday moved, not added); 2023 the coronation.
        // 2020's VE day replaced the early May Monday, so 2020 stays at 8.
        QTest::addRow("E&W 2019") << kEw << 2019 << 8;
        QTest::addRow("E&W 2020 (VE day moved, not added)") << kEw << 2020 << 8;
        QTest::addRow("E&W 2022") << kEw << 2022 << 10;
        QTest::addRow("E&W 2023") << kEw << 2023 << 9;
        QTest::addRow("E&W 2030 (computed)") << kEw << 2030 << 8;
        // Scotland: no Easter Monday, but 2 January and St Andrew's Day: 9.
        QTest::addRow("Scotland 2021") << kScotland << 2021 << 9;
        QTest::addRow("Scotland 2022") << kScotland << 2022 << 11;
        QTest::addRow("Scotland 2023") << kScotland << 2023 << 10;
        QTest::addRow("Scotland 2029 (computed)") << kScotland << 2029 << 9;
        // Northern Ireland: the E&W 8 plus St Patrick's Day and 12 July.
        QTest::addRow("NI 2018") << kNi << 2018 << 10;
        QTest::addRow("NI 2022") << kNi << 2022 << 12;
        QTest::addRow("NI 2023") << kNi << 2023 << 11;
        QTest::addRow("NI 2028 (computed)") << kNi << 2028 << 10;
    }

    void holidaysPerYear()
    {
        QFETCH(QString, region);
        QFETCH(int, year);
        QFETCH(int, count);
        QCOMPARE(calendar(region).holidaysIn(year).size(), count);
    }

    void holidays_data()
    {
        QTest::addColumn<QString>("region");
        QTest::addColumn<QDate>("date");
        QTest::addColumn<bool>("working");
        QTest::addColumn<QString>("title"); // a part of the title; empty when the day is no bank holiday
        QTest::addColumn<bool>("substitute");

        const QString none;
        // England & Wales: every kind of holiday.
        QTest::addRow("E&W New Year's Day 2026")
            << kEw << d("2026-01-01") << false << QStringLiteral("New Year\u2019s Day") << false;
        QTest::addRow("E&W Good Friday 2026") << kEw << d("2026-04-03") << false << QStringLiteral("Good Friday") << false;
        QTest::addRow("E&W Easter Monday 2026") << kEw << d("2026-04-06") << false << QStringLiteral("Easter Monday") << false;
        QTest::addRow("E&W early May 2026") << kEw << d("2026-05-04") << false << QStringLiteral("Early May") << false;
        QTest::addRow("E&W spring 2026") << kEw << d("2026-05-25") << false << QStringLiteral("Spring bank holiday") << false;
        QTest::addRow("E&W summer 2026 (last Monday of August)")
            << kEw << d("2026-08-31") << false << QStringLiteral("Summer bank holiday") << false;
        QTest::addRow("E&W Christmas Day 2026") << kEw << d("2026-12-25") << false << QStringLiteral("Christmas Day") << false;
        QTest::addRow("E&W Boxing Day 2026 (Sat) -> Mon 28")
            << kEw << d("2026-12-28") << false << QStringLiteral("Boxing Day") << true;
        QTest::addRow("E&W 26 Dec 2026 is a Saturday, not listed") << kEw << d("2026-12-26") << false << none << false;
        // Substitute days.
        QTest::addRow("E&W 2020-12-28 Boxing Day substitute")
            << kEw << d("2020-12-28") << false << QStringLiteral("Boxing Day") << true;
        QTest::addRow("E&W 2021-12-27 Christmas substitute")
            << kEw << d("2021-12-27") << false << QStringLiteral("Christmas Day") << true;
        QTest::addRow("E&W 2021-12-28 Boxing Day substitute")
            << kEw << d("2021-12-28") << false << QStringLiteral("Boxing Day") << true;
        QTest::addRow("E&W 2022-01-03 New Year substitute")
            << kEw << d("2022-01-03") << false << QStringLiteral("New Year") << true;
        QTest::addRow("E&W 2022-12-26 Boxing Day on its Monday")
            << kEw << d("2022-12-26") << false << QStringLiteral("Boxing Day") << false;
        QTest::addRow("E&W 2022-12-27 Christmas substitute")
            << kEw << d("2022-12-27") << false << QStringLiteral("Christmas Day") << true;
        QTest::addRow("E&W 2027-12-27 Christmas substitute")
            << kEw << d("2027-12-27") << false << QStringLiteral("Christmas Day") << true;
        QTest::addRow("E&W 2027-12-28 Boxing Day substitute")
            << kEw << d("2027-12-28") << false << QStringLiteral("Boxing Day") << true;
        // One-off proclamations.
        QTest::addRow("E&W 2020-05-08 VE day") << kEw << d("2020-05-08") << false << QStringLiteral("VE day") << false;
        QTest::addRow("E&W 2020-05-04 is a working day (VE day replaced it)") << kEw << d("2020-05-04") << true << none << false;
        QTest::addRow("E&W 2022-06-02 spring holiday moved")
            << kEw << d("2022-06-02") << false << QStringLiteral("Spring bank holiday") << false;
        QTest::addRow("E&W 2022-06-03 Platinum Jubilee")
            << kEw << d("2022-06-03") << false << QStringLiteral("Platinum Jubilee") << false;
        QTest::addRow("E&W 2022-05-30 is a working day (spring moved)") << kEw << d("2022-05-30") << true << none << false;
        QTest::addRow("E&W 2022-09-19 State Funeral")
            << kEw << d("2022-09-19") << false << QStringLiteral("State Funeral") << false;
        QTest::addRow("E&W 2023-05-08 coronation") << kEw << d("2023-05-08") << false << QStringLiteral("coronation") << false;
        // Scotland's own days, and the E&W days it does not have.
        QTest::addRow("Scotland 2 January 2026")
            << kScotland << d("2026-01-02") << false << QStringLiteral("2nd January") << false;
        QTest::addRow("E&W 2 January 2026 is a working day") << kEw << d("2026-01-02") << true << none << false;
        QTest::addRow("Scotland 2 January 2021 substitute (Sat) -> Mon 4")
            << kScotland << d("2021-01-04") << false << QStringLiteral("2nd January") << true;
        QTest::addRow("Scotland 2022-01-04 2 January substitute")
            << kScotland << d("2022-01-04") << false << QStringLiteral("2nd January") << true;
        QTest::addRow("Scotland summer = first Monday of August 2026")
            << kScotland << d("2026-08-03") << false << QStringLiteral("Summer bank holiday") << false;
        QTest::addRow("Scotland last Monday of August 2026 is a working day")
            << kScotland << d("2026-08-31") << true << none << false;
        QTest::addRow("E&W first Monday of August 2026 is a working day") << kEw << d("2026-08-03") << true << none << false;
        QTest::addRow("Scotland St Andrew's Day 2026")
            << kScotland << d("2026-11-30") << false << QStringLiteral("St Andrew\u2019s Day") << false;
        QTest::addRow("E&W 30 November 2026 is a working day") << kEw << d("2026-11-30") << true << none << false;
        QTest::addRow("Scotland St Andrew's substitute 2019-12-02")
            << kScotland << d("2019-12-02") << false << QStringLiteral("St Andrew") << true;
        QTest::addRow("Scotland St Andrew's substitute 2024-12-02")
            << kScotland << d("2024-12-02") << false << QStringLiteral("St Andrew") << true;
        QTest::addRow("Scotland St Andrew's substitute 2025-12-01")
            << kScotland << d("2025-12-01") << false << QStringLiteral("St Andrew") << true;
        QTest::addRow("Scotland Easter Monday 2026 is a working day") << kScotland << d("2026-04-06") << true << none << false;
        QTest::addRow("Scotland Good Friday 2026")
            << kScotland << d("2026-04-03") << false << QStringLiteral("Good Friday") << false;
        QTest::addRow("Scotland 2022-06-03 Platinum Jubilee")
            << kScotland << d("2022-06-03") << false << QStringLiteral("Platinum Jubilee") << false;
        // Northern Ireland's own days.
        QTest::addRow("NI St Patrick's Day 2026")
            << kNi << d("2026-03-17") << false << QStringLiteral("St Patrick\u2019s Day") << false;
        QTest::addRow("E&W 17 March 2026 is a working day") << kEw << d("2026-03-17") << true << none << false;
        QTest::addRow("NI St Patrick's substitute 2024-03-18")
            << kNi << d("2024-03-18") << false << QStringLiteral("St Patrick") << true;
        QTest::addRow("NI St Patrick's substitute 2029-03-19")
            << kNi << d("2029-03-19") << false << QStringLiteral("St Patrick") << true;
        QTest::addRow("NI Battle of the Boyne 2027-07-12")
            << kNi << d("2027-07-12") << false << QStringLiteral("Battle of the Boyne") << false;
        QTest::addRow("NI Boyne substitute 2026-07-13")
            << kNi << d("2026-07-13") << false << QStringLiteral("Battle of the Boyne") << true;
        QTest::addRow("NI Boyne substitute 2025-07-14")
            << kNi << d("2025-07-14") << false << QStringLiteral("Battle of the Boyne") << true;
        QTest::addRow("E&W 13 July 2026 is a working day") << kEw << d("2026-07-13") << true << none << false;
        QTest::addRow("NI Easter Monday 2026") << kNi << d("2026-04-06") << false << QStringLiteral("Easter Monday") << false;
        // Weekends and plain days.
        QTest::addRow("E&W Saturday") << kEw << d("2026-03-07") << false << none << false;
        QTest::addRow("Scotland Sunday") << kScotland << d("2026-03-08") << false << none << false;
        QTest::addRow("NI Monday") << kNi << d("2026-03-09") << true << none << false;
    }

    void holidays()
    {
        QFETCH(QString, region);
        QFETCH(QDate, date);
        QFETCH(bool, working);
        QFETCH(QString, title);
        QFETCH(bool, substitute);
        const WorkingCalendar c = calendar(region);
        QCOMPARE(c.isWorkingDay(date), working);
        const BankHoliday *holiday = c.holiday(date);
        QCOMPARE(holiday != nullptr, !title.isEmpty());
        if (!holiday)
            return;
        QCOMPARE(holiday->date, date);
        QVERIFY2(holiday->title.contains(title), qPrintable(holiday->title));
        QCOMPARE(holiday->notes == QLatin1String("Substitute day"), substitute);
        QVERIFY(c.holidaysIn(date.year()).size() >= 8);
    }

    void holidayFieldsKept()
    {
        const BankHoliday *boxing = calendar(kEw).holiday(d("2020-12-28"));
        QVERIFY(boxing);
        QCOMPARE(boxing->title, QStringLiteral("Boxing Day"));
        QCOMPARE(boxing->notes, QStringLiteral("Substitute day"));
        QCOMPARE(boxing->bunting, true);
        const BankHoliday *goodFriday = calendar(kEw).holiday(d("2020-04-10"));
        QVERIFY(goodFriday);
        QCOMPARE(goodFriday->bunting, false);
        QVERIFY(goodFriday->notes.isEmpty());
    }

    void holidaysIn()
    {
        const QList<BankHoliday> year = calendar(kEw).holidaysIn(2022);
        QList<QDate> dates;
        for (const BankHoliday &h : year)
            dates << h.date;
        const QList<QDate> expected {d("2022-01-03"), d("2022-04-15"), d("2022-04-18"), d("2022-05-02"), d("2022-06-02"),
            d("2022-06-03"), d("2022-08-29"), d("2022-09-19"), d("2022-12-26"), d("2022-12-27")};
        QCOMPARE(dates, expected);
        QCOMPARE(year.constFirst().title, QStringLiteral("New Year\u2019s Day"));

        const QList<BankHoliday> scotland = calendar(kScotland).holidaysIn(2025);
        QCOMPARE(scotland.size(), 9);
        QCOMPARE(scotland.at(1).date, d("2025-01-02"));
        QCOMPARE(scotland.at(6).date, d("2025-12-01"));
        QVERIFY(calendar(kNi).holidaysIn(1999).isEmpty());
    }

    void weekendsAreNotWorkingDays_data()
    {
        QTest::addColumn<QString>("region");
        for (const QString &region : BankHolidays::kRegions)
            QTest::addRow("%s", qPrintable(region)) << region;
    }

    void weekendsAreNotWorkingDays()
    {
        QFETCH(QString, region);
        const WorkingCalendar c = calendar(region);
        const QSet<QDate> holidays = holidayDatesFromFile(region);
        // Inside the table, and outside it on both sides (1995 and 2065).
        int weekends = 0;
        for (QDate day = d("1995-01-01"); day <= d("2065-12-31"); day = day.addDays(1)) {
            if (day.dayOfWeek() >= 6) {
                QVERIFY2(!c.isWorkingDay(day), qPrintable(day.toString(Qt::ISODate)));
                QCOMPARE(c.onOrAfter(day).dayOfWeek() >= 6, false);
                ++weekends;
            } else {
                QCOMPARE(c.isWorkingDay(day), !holidays.contains(day));
            }
        }
        QVERIFY(weekends > 7000);
    }

    void covers_data()
    {
        QTest::addColumn<QDate>("date");
        QTest::addColumn<bool>("covered");
        QTest::addRow("2017-12-31") << d("2017-12-31") << false;
        QTest::addRow("2018-01-01") << d("2018-01-01") << true;
        QTest::addRow("2026-02-05") << d("2026-02-05") << true;
        QTest::addRow("2030-12-31") << d("2030-12-31") << true;
        QTest::addRow("2031-01-01") << d("2031-01-01") << false;
        QTest::addRow("1999-06-01") << d("1999-06-01") << false;
        QTest::addRow("2061-06-01") << d("2061-06-01") << false;
    }

    void covers()
    {
        QFETCH(QDate, date);
        QFETCH(bool, covered);
        for (const QString &region : BankHolidays::kRegions)
            QCOMPARE(calendar(region).covers(date), covered);
        // A calendar without holidays knows no year.
        QCOMPARE(WorkingCalendar().covers(date), false);
    }

    void invalidDatesAnswerAtOnce()
    {
        // An invalid date (a "today" that failed to parse) must not send the
        // day-by-day walks into an endless loop.
        const WorkingCalendar ew = calendar(QStringLiteral("england-and-wales"));
        QCOMPARE(ew.workingDaysBetween(QDate(2026, 3, 2), QDate()), 0);
        QCOMPARE(ew.workingDaysBetween(QDate(), QDate(2026, 3, 2)), 0);
        QVERIFY(!ew.onOrAfter(QDate()).isValid());
        QVERIFY(!ew.addWorkingDays(QDate(), 5).isValid());
        Deadline deadline;
        deadline.started = true;
        deadline.due = QDate(2026, 4, 2);
        QCOMPARE(deadlineStatus(deadline, ew, QDate(), QDate()).workingDaysLeft, 0);
    }

    void onOrAfter_data()
    {
        QTest::addColumn<QString>("region");
        QTest::addColumn<QDate>("date");
        QTest::addColumn<QDate>("expected");
        QTest::addRow("working day is itself") << kEw << d("2026-03-02") << d("2026-03-02");
        QTest::addRow("Saturday -> Monday") << kEw << d("2026-03-07") << d("2026-03-09");
        QTest::addRow("Good Friday -> Tuesday after Easter Monday") << kEw << d("2026-04-03") << d("2026-04-07");
        QTest::addRow("Scotland Good Friday -> Easter Monday") << kScotland << d("2026-04-03") << d("2026-04-06");
        // Sat 25, Sun 26, Mon 27 and Tue 28 Dec 2027 (both substitutes).
        QTest::addRow("Christmas 2027 -> Wed 29 Dec") << kEw << d("2027-12-25") << d("2027-12-29");
        // Sat 1, Sun 2, Mon 3 (New Year substitute), Tue 4 (2 January substitute).
        QTest::addRow("Scotland New Year 2022 -> Wed 5 Jan") << kScotland << d("2022-01-01") << d("2022-01-05");
        QTest::addRow("E&W New Year 2022 -> Tue 4 Jan") << kEw << d("2022-01-01") << d("2022-01-04");
        QTest::addRow("Jubilee 2022 -> Mon 6 Jun") << kNi << d("2022-06-02") << d("2022-06-06");
        QTest::addRow("NI 12 July 2026 (Sun) -> Tue 14") << kNi << d("2026-07-12") << d("2026-07-14");
        QTest::addRow("outside the table: Sat 1999-01-02") << kEw << d("1999-01-02") << d("1999-01-04");
        QTest::addRow("outside the table: Sat 2061-01-01") << kEw << d("2061-01-01") << d("2061-01-03");
    }

    void onOrAfter()
    {
        QFETCH(QString, region);
        QFETCH(QDate, date);
        QFETCH(QDate, expected);
        QCOMPARE(calendar(region).onOrAfter(date), expected);
    }

    void addWorkingDays_data()
    {
        QTest::addColumn<QString>("region");
        QTest::addColumn<QDate>("date");
        QTest::addColumn<int>("days");
        QTest::addColumn<QDate>("expected");
        QTest::addRow("zero") << kEw << d("2026-03-02") << 0 << d("2026-03-02");
        QTest::addRow("Friday + 1 -> Monday") << kEw << d("2026-03-06") << 1 << d("2026-03-09");
        QTest::addRow("Saturday + 1 -> Monday") << kEw << d("2026-03-07") << 1 << d("2026-03-09");
        QTest::addRow("a week") << kEw << d("2026-03-02") << 5 << d("2026-03-09");
        // 29, 30, 31 Dec, then 1 Jan 2027 is New Year's Day.
        QTest::addRow("over the year end") << kEw << d("2026-12-24") << 4 << d("2027-01-04");
        // Scotland also has Mon 4 Jan 2027 (2 January substitute).
        QTest::addRow("Scotland over the year end") << kScotland << d("2026-12-24") << 4 << d("2027-01-05");
        QTest::addRow("Scotland 31 Dec 2026 + 1") << kScotland << d("2026-12-31") << 1 << d("2027-01-05");
        // 23-27 Mar, 30, 31 Mar, 1, 2 Apr (9), Easter, 7-10 Apr (13), 13-17 (18), 20, 21.
        QTest::addRow("20 working days over Easter") << kEw << d("2026-03-20") << 20 << d("2026-04-21");
        QTest::addRow("a year of working days, 2025") << kEw << d("2024-12-31") << 253 << d("2025-12-31");
        QTest::addRow("outside the table") << kEw << d("2061-12-30") << 2 << d("2062-01-03");
    }

    void addWorkingDays()
    {
        QFETCH(QString, region);
        QFETCH(QDate, date);
        QFETCH(int, days);
        QFETCH(QDate, expected);
        const WorkingCalendar c = calendar(region);
        QCOMPARE(c.addWorkingDays(date, days), expected);
        QCOMPARE(c.workingDaysBetween(date, expected), days);
    }

    void workingDaysBetween_data()
    {
        QTest::addColumn<QString>("region");
        QTest::addColumn<QDate>("from");
        QTest::addColumn<QDate>("to");
        QTest::addColumn<int>("expected");
        QTest::addRow("same day") << kEw << d("2026-03-02") << d("2026-03-02") << 0;
        QTest::addRow("same weekend day") << kEw << d("2026-03-07") << d("2026-03-07") << 0;
        QTest::addRow("Friday to Monday") << kEw << d("2026-03-06") << d("2026-03-09") << 1;
        QTest::addRow("Monday to Friday") << kEw << d("2026-03-09") << d("2026-03-06") << -1;
        QTest::addRow("Saturday to Sunday") << kEw << d("2026-03-07") << d("2026-03-08") << 0;
        // 29, 30, 31 Dec and 4 Jan: 25, 28 Dec and 1 Jan are holidays.
        QTest::addRow("across the year end") << kEw << d("2026-12-24") << d("2027-01-04") << 4;
        QTest::addRow("across the year end, backwards") << kEw << d("2027-01-04") << d("2026-12-24") << -4;
        QTest::addRow("Scotland across the year end") << kScotland << d("2026-12-24") << d("2027-01-04") << 3;
        QTest::addRow("Scotland backwards") << kScotland << d("2027-01-04") << d("2026-12-24") << -3;
        // 2025 has 261 weekdays and 8 E&W bank holidays on weekdays.
        QTest::addRow("the whole of 2025, E&W") << kEw << d("2024-12-31") << d("2025-12-31") << 253;
        QTest::addRow("the whole of 2025, Scotland") << kScotland << d("2024-12-31") << d("2025-12-31") << 252;
        QTest::addRow("the whole of 2025, NI") << kNi << d("2024-12-31") << d("2025-12-31") << 251;
        QTest::addRow("Easter week 2026, E&W") << kEw << d("2026-04-02") << d("2026-04-10") << 4;
        QTest::addRow("Easter week 2026, Scotland") << kScotland << d("2026-04-02") << d("2026-04-10") << 5;
        // Outside the table only weekends are known.
        QTest::addRow("1999 week") << kEw << d("1999-12-24") << d("1999-12-31") << 5;
        QTest::addRow("2061 to 2062") << kEw << d("2061-12-30") << d("2062-01-03") << 2;
        QTest::addRow("1999 to 2000, across the table edge") << kEw << d("1999-12-30") << d("2000-01-04") << 3;
        QTest::addRow("2060 to 2061, across the table edge") << kEw << d("2060-12-30") << d("2061-01-04") << 3;
    }

    void workingDaysBetween()
    {
        QFETCH(QString, region);
        QFETCH(QDate, from);
        QFETCH(QDate, to);
        QFETCH(int, expected);
        const WorkingCalendar c = calendar(region);
        QCOMPARE(c.workingDaysBetween(from, to), expected);
        QCOMPARE(c.workingDaysBetween(to, from), -expected);
        QCOMPARE(DayByDay(holidayDatesFromFile(region)).between(from, to), expected);
    }

    void workingDaysBetweenMatchesDayByDayCount_data()
    {
        QTest::addColumn<QString>("region");
        for (const QString &region : BankHolidays::kRegions)
            QTest::addRow("%s", qPrintable(region)) << region;
    }

    void workingDaysBetweenMatchesDayByDayCount()
    {
        QFETCH(QString, region);
        const WorkingCalendar c = calendar(region);
        const DayByDay oracle(holidayDatesFromFile(region));
        QRandomGenerator generator(20260205);
        // Pairs inside the holidays' span and around it.
        for (int i = 0; i < 1500; ++i) {
            const QDate from = randomDate(generator, d("2017-01-01"), d("2032-12-31"));
            const QDate to = randomDate(generator, d("2017-01-01"), d("2032-12-31"));
            QCOMPARE(c.workingDaysBetween(from, to), oracle.between(from, to));
        }
        // Short spans, where an off-by-one at either end shows most.
        for (int i = 0; i < 3000; ++i) {
            const QDate from = randomDate(generator, d("2017-06-01"), d("2031-06-30"));
            const QDate to = from.addDays(generator.bounded(-12, 13));
            QCOMPARE(c.workingDaysBetween(from, to), oracle.between(from, to));
        }
        // Pairs with an end (or both) outside the lookup table (2000-2060).
        const QList<QPair<QDate, QDate>> spans {{d("1998-06-01"), d("1999-12-31")}, {d("2061-01-01"), d("2062-12-31")},
            {d("2017-01-01"), d("2032-12-31")}, {d("1999-06-01"), d("2000-06-30")}, {d("2060-06-01"), d("2061-06-30")}};
        for (int i = 0; i < 200; ++i) {
            const auto &a = spans.at(generator.bounded(int(spans.size())));
            const auto &b = spans.at(generator.bounded(int(spans.size())));
            const QDate from = randomDate(generator, a.first, a.second);
            const QDate to = randomDate(generator, b.first, b.second);
            QCOMPARE(c.workingDaysBetween(from, to), oracle.between(from, to));
        }
        // addWorkingDays and onOrAfter agree with the count.
        for (int i = 0; i < 2000; ++i) {
            const QDate from = randomDate(generator, d("2017-06-01"), d("2030-06-30"));
            const int days = generator.bounded(1, 70);
            const QDate reached = c.addWorkingDays(from, days);
            QVERIFY(oracle.isWorkingDay(reached));
            QCOMPARE(oracle.between(from, reached), days);
            QCOMPARE(oracle.between(from, reached.addDays(-1)), days - 1);
            const QDate next = c.onOrAfter(from);
            QVERIFY(oracle.isWorkingDay(next));
            QVERIFY(next >= from);
            QCOMPARE(oracle.between(from.addDays(-1), next.addDays(-1)), 0);
        }
    }

    void holidaysOutsideTheTable()
    {
        // A calendar whose holidays lie outside the lookup table still knows them.
        const WorkingCalendar c(QStringLiteral("test"),
            {BankHoliday {d("1999-12-31"), QStringLiteral("Millennium eve"), QString(), false},
                BankHoliday {d("2061-01-03"), QStringLiteral("Far future"), QString(), false},
                BankHoliday {d("2000-01-03"), QStringLiteral("Millennium"), QString(), false}});
        QCOMPARE(c.firstYear(), 1999);
        QCOMPARE(c.lastYear(), 2061);
        QVERIFY(!c.isWorkingDay(d("1999-12-31")));
        QVERIFY(!c.isWorkingDay(d("2061-01-03")));
        QVERIFY(!c.isWorkingDay(d("2000-01-03")));
        QVERIFY(c.isWorkingDay(d("1999-12-30")));
        QCOMPARE(c.holiday(d("2061-01-03"))->title, QStringLiteral("Far future"));
        QCOMPARE(c.onOrAfter(d("1999-12-31")), d("2000-01-04"));
        QCOMPARE(c.onOrAfter(d("2061-01-01")), d("2061-01-04"));
        // 30 Dec 1999 -> 4 Jan 2000: only the 4th works.
        QCOMPARE(c.workingDaysBetween(d("1999-12-30"), d("2000-01-04")), 1);
        QCOMPARE(c.workingDaysBetween(d("2000-01-04"), d("1999-12-30")), -1);
        QCOMPARE(c.workingDaysBetween(d("2060-12-31"), d("2061-01-04")), 1);
        QCOMPARE(c.addWorkingDays(d("2061-01-02"), 1), d("2061-01-04"));
        const QSet<QDate> holidays {d("1999-12-31"), d("2061-01-03"), d("2000-01-03")};
        const DayByDay oracle(holidays);
        QRandomGenerator generator(1999);
        for (int i = 0; i < 300; ++i) {
            const QDate from = randomDate(generator, d("1999-11-01"), d("2000-02-28"));
            const QDate to = randomDate(generator, d("2060-11-01"), d("2061-02-28"));
            QCOMPARE(c.workingDaysBetween(from, to), oracle.between(from, to));
            QCOMPARE(c.workingDaysBetween(to, from), oracle.between(to, from));
        }
    }

    void parseMinimalFile()
    {
        QJsonObject root;
        for (const QString &region : BankHolidays::kRegions) {
            const QJsonObject event {{QStringLiteral("title"), QStringLiteral("  Test day  ")},
                {QStringLiteral("date"), QStringLiteral("2040-03-05")}, {QStringLiteral("notes"), QString()},
                {QStringLiteral("bunting"), false}};
            root.insert(
                region, QJsonObject {{QStringLiteral("division"), region}, {QStringLiteral("events"), QJsonArray {event}}});
        }
        Result<BankHolidays> parsed
            = BankHolidays::parse(QJsonDocument(root).toJson(QJsonDocument::Indented), QStringLiteral("minimal.json"));
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().fullText()));
        QCOMPARE(parsed->source(), QStringLiteral("minimal.json"));
        QCOMPARE(parsed->hash().size(), 64);
        QVERIFY(parsed->hash() != BankHolidays::shipped().hash());
        Result<WorkingCalendar> scotland = parsed->region(kScotland);
        QVERIFY(scotland.ok());
        QCOMPARE(scotland->firstYear(), 2040);
        QCOMPARE(scotland->lastYear(), 2040);
        QVERIFY(scotland->covers(d("2040-12-31")));
        QVERIFY(!scotland->covers(d("2039-12-31")));
        QVERIFY(!scotland->isWorkingDay(d("2040-03-05")));
        QCOMPARE(scotland->holiday(d("2040-03-05"))->title, QStringLiteral("Test day"));
        // The shipped days are not in it.
        QVERIFY(scotland->isWorkingDay(d("2026-01-02")));
        // The same content gives the same hash, however it is laid out.
        Result<BankHolidays> again
            = BankHolidays::parse(QJsonDocument(root).toJson(QJsonDocument::Compact), QStringLiteral("other.json"));
        QVERIFY(again.ok());
        QCOMPARE(again->hash(), parsed->hash());
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QStringList>("expected"); // parts of the error details

        QTest::addRow("not JSON") << QByteArray("{\"england-and-wales\": {\"events\": [")
                                  << QStringList {QStringLiteral("test.json:1:"), QStringLiteral("not valid JSON")};
        QTest::addRow("top level array") << QByteArray("[{\"england-and-wales\": {}}]")
                                         << QStringList {QStringLiteral("test.json: $: expected an object")};
        QTest::addRow("missing division") << withRoot([](QJsonObject &root) { root.remove(kScotland); })
                                          << QStringList {QStringLiteral("test.json: $.scotland: missing")};
        QTest::addRow("division not an object") << withRoot([](QJsonObject &root) { root.insert(kNi, QJsonArray()); })
                                                << QStringList {QStringLiteral("$.northern-ireland: missing")};
        QTest::addRow("events not an array") << withRoot([](QJsonObject &root) {
            root.insert(kNi, QJsonObject {{QStringLiteral("division"), kNi}, {QStringLiteral("events"), QStringLiteral("none")}});
        }) << QStringList {QStringLiteral("test.json: $.northern-ireland.events: expected an array")};
        QTest::addRow("events missing") << withRoot([](QJsonObject &root) {
            root.insert(kEw, QJsonObject {{QStringLiteral("division"), kEw}});
        }) << QStringList {QStringLiteral("$.england-and-wales.events: expected an array")};
        QTest::addRow("event not an object")
            << withEvents(kEw, [](QJsonArray &events) { events.replace(0, QStringLiteral("2018-01-01")); })
            << QStringList {QStringLiteral("$.england-and-wales.events[0]: expected an object")};
        QTest::addRow("impossible date 2026-02-30") << withEvents(kEw, [](QJsonArray &events) {
            setEventField(events, 3, QStringLiteral("date"), QStringLiteral("2026-02-30"));
        }) << QStringList {QStringLiteral("test.json: $.england-and-wales.events[3].date: '2026-02-30' is not a date")};
        QTest::addRow("two-digit year 26-01-01") << withEvents(kScotland, [](QJsonArray &events) {
            setEventField(events, 0, QStringLiteral("date"), QStringLiteral("26-01-01"));
        }) << QStringList {QStringLiteral("$.scotland.events[0].date: '26-01-01' is not a date")};
        QTest::addRow("date with a time") << withEvents(kNi, [](QJsonArray &events) {
            setEventField(events, 2, QStringLiteral("date"), QStringLiteral("2018-03-30T00:00:00"));
        }) << QStringList {QStringLiteral("$.northern-ireland.events[2].date: '2018-03-30T00:00:00'")};
        QTest::addRow("date missing") << withEvents(kNi, [](QJsonArray &events) {
            QJsonObject event = events.at(4).toObject();
            event.remove(QStringLiteral("date"));
            events.replace(4, event);
        }) << QStringList {QStringLiteral("$.northern-ireland.events[4].date: '' is not a date")};
        QTest::addRow("missing title") << withEvents(kScotland, [](QJsonArray &events) {
            QJsonObject event = events.at(5).toObject();
            event.remove(QStringLiteral("title"));
            events.replace(5, event);
        }) << QStringList {QStringLiteral("test.json: $.scotland.events[5].title: missing")};
        QTest::addRow("blank title") << withEvents(kEw, [](QJsonArray &events) {
            setEventField(events, 7, QStringLiteral("title"), QStringLiteral("   "));
        }) << QStringList {QStringLiteral("$.england-and-wales.events[7].title: missing")};
        QTest::addRow("a date listed twice") << withEvents(kNi, [](QJsonArray &events) {
            setEventField(events, 1, QStringLiteral("date"), QStringLiteral("2018-01-01"));
        }) << QStringList {QStringLiteral("$.northern-ireland.events[1].date: 2018-01-01 is listed twice")};
        QTest::addRow("a year missing in the middle") << withEvents(kScotland, [](QJsonArray &events) {
            for (qsizetype i = events.size() - 1; i >= 0; --i) {
                if (events.at(i).toObject().value(QStringLiteral("date")).toString().startsWith(QLatin1String("2024-")))
                    events.removeAt(i);
            }
        }) << QStringList {QStringLiteral("test.json: $.scotland.events: no bank holidays in 2024")};
        QTest::addRow("empty events") << withEvents(kEw, [](QJsonArray &events) { events = QJsonArray(); })
                                      << QStringList {QStringLiteral("test.json: $.england-and-wales.events: no bank holidays")};
        // Every problem is reported, not just the first.
        QTest::addRow("several problems") << withRoot([](QJsonObject &root) {
            root.remove(kEw);
            QJsonObject division = root.value(kNi).toObject();
            QJsonArray events = division.value(QStringLiteral("events")).toArray();
            setEventField(events, 2, QStringLiteral("date"), QStringLiteral("2018-13-01"));
            division.insert(QStringLiteral("events"), events);
            root.insert(kNi, division);
        })
                                          << QStringList {QStringLiteral("$.england-and-wales: missing"),
                                                 QStringLiteral("$.northern-ireland.events[2].date: '2018-13-01'")};
    }

    void malformed()
    {
        QFETCH(QByteArray, json);
        QFETCH(QStringList, expected);
        Result<BankHolidays> parsed = BankHolidays::parse(json, QStringLiteral("test.json"));
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().code, ErrorCode::Invalid);
        QVERIFY(parsed.error().message.contains(QStringLiteral("test.json")));
        QVERIFY(!parsed.error().details.isEmpty());
        const QString details = parsed.error().details.join(QLatin1Char('\n'));
        for (const QString &part : expected)
            QVERIFY2(details.contains(part), qPrintable(QStringLiteral("'%1' not in:\n%2").arg(part, details)));
        for (const QString &detail : parsed.error().details)
            QVERIFY2(detail.startsWith(QStringLiteral("test.json:")), qPrintable(detail));
    }

    // Calendars that parse but cannot be right: they would move due dates
    // by days or years. Each problem names the division, the date and why.
    void implausible_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QStringList>("expected"); // parts of the error details

        QTest::addRow("a holiday on a Saturday")
            << withEvents(kEw,
                   [](QJsonArray &events) { setEventField(events, 1, QStringLiteral("date"), QStringLiteral("2018-03-31")); })
            << QStringList {QStringLiteral("test.json: $.england-and-wales.events[1].date: 2018-03-31 in england-and-wales is a "
                                           "Saturday; bank holidays and their substitute days are weekdays")};
        QTest::addRow("a holiday on a Sunday") << withEvents(kScotland, [](QJsonArray &events) {
            setEventField(events, 1, QStringLiteral("date"), QStringLiteral("2018-01-07"));
        }) << QStringList {QStringLiteral("$.scotland.events[1].date: 2018-01-07 in scotland is a Sunday")};
        QTest::addRow("14 in one year") << withEvents(kEw,
            [](QJsonArray &events) {
                // 8 in 2026, and six more weekdays.
                for (const char *date : {"2026-02-02", "2026-02-03", "2026-02-04", "2026-02-05", "2026-02-06", "2026-02-09"})
                    events.append(QJsonObject {
                        {QStringLiteral("title"), QStringLiteral("Extra")}, {QStringLiteral("date"), QString::fromLatin1(date)}});
            })
                                        << QStringList {QStringLiteral("test.json: $.england-and-wales.events: 14 bank holidays "
                                                                       "in england-and-wales in 2026; "
                                                                       "no division has more than 13 in a year")};
        QTest::addRow("every day of 2018 to 2030")
            << withEvents(kNi,
                   [](QJsonArray &events) {
                       events = QJsonArray();
                       for (QDate day = d("2018-01-01"); day <= d("2030-12-31"); day = day.addDays(1))
                           events.append(QJsonObject {{QStringLiteral("title"), QStringLiteral("Holiday")},
                               {QStringLiteral("date"), day.toString(Qt::ISODate)}});
                   })
            << QStringList {QStringLiteral("$.northern-ireland.events[5].date: 2018-01-06 in northern-ireland is a Saturday"),
                   QStringLiteral("$.northern-ireland.events: 261 bank holidays in northern-ireland in 2018"),
                   QStringLiteral("bank holidays in northern-ireland in 2030")};
        QTest::addRow("before 2000")
            << withEvents(kNi,
                   [](QJsonArray &events) { setEventField(events, 0, QStringLiteral("date"), QStringLiteral("1999-12-31")); })
            << QStringList {QStringLiteral("$.northern-ireland.events[0].date: 1999-12-31 in northern-ireland is outside 2000 to "
                                           "2100")};
        QTest::addRow("after 2100") << withEvents(kScotland, [](QJsonArray &events) {
            events.append(QJsonObject {
                {QStringLiteral("title"), QStringLiteral("Far")}, {QStringLiteral("date"), QStringLiteral("2101-01-03")}});
        }) << QStringList {QStringLiteral("2101-01-03 in scotland is outside 2000 to 2100")};
        QTest::addRow("an unknown division")
            << withRoot([](QJsonObject &root) { root.insert(QStringLiteral("wales"), root.value(kEw)); })
            << QStringList {QStringLiteral("test.json: $.wales: unknown division 'wales' (the divisions are england-and-wales, "
                                           "scotland, northern-ireland)")};
        QTest::addRow("a division under another's name") << withRoot([](QJsonObject &root) {
            QJsonObject division = root.value(kScotland).toObject();
            division.insert(QStringLiteral("division"), kEw);
            root.insert(kScotland, division);
        }) << QStringList {QStringLiteral("$.scotland.division: 'england-and-wales' under scotland")};
        // Two divisions' events in one object: Qt would keep the second.
        QTest::addRow("a key given twice") << sourceBytes().replace(
            "\"division\": \"scotland\",", "\"division\": \"scotland\", \"division\": \"scotland\",")
                                           << QStringList {QStringLiteral("$.scotland.division: key \"division\" appears twice")};
    }

    void implausible()
    {
        QFETCH(QByteArray, json);
        QFETCH(QStringList, expected);
        Result<BankHolidays> parsed = BankHolidays::parse(json, QStringLiteral("test.json"));
        QVERIFY2(!parsed.ok(), "an implausible calendar was accepted");
        QCOMPARE(parsed.error().code, ErrorCode::Invalid);
        const QString details = parsed.error().details.join(QLatin1Char('\n'));
        for (const QString &part : expected)
            QVERIFY2(details.contains(part), qPrintable(QStringLiteral("'%1' not in:\n%2").arg(part, details.left(4000))));
    }

    void plausibleLimitsAreAccepted()
    {
        // 13 in a year, on weekdays, from 2000 to 2100: the most a file may hold.
        const QByteArray json = withEvents(kEw, [](QJsonArray &events) {
            for (const char *date : {"2026-02-02", "2026-02-03", "2026-02-04", "2026-02-05", "2026-02-06"})
                events.append(QJsonObject {
                    {QStringLiteral("title"), QStringLiteral("Extra")}, {QStringLiteral("date"), QString::fromLatin1(date)}});
        });
        Result<BankHolidays> parsed = BankHolidays::parse(json, QStringLiteral("test.json"));
        QVERIFY2(parsed.ok(), parsed ? "" : qPrintable(parsed.error().fullText()));
        QCOMPARE(parsed->region(kEw)->holidaysIn(2026).size(), BankHolidays::kMaxHolidaysPerYear);

        QJsonObject root;
        for (const QString &region : BankHolidays::kRegions) {
            const QJsonArray events {QJsonObject {{QStringLiteral("title"), QStringLiteral("First")},
                                         {QStringLiteral("date"), QStringLiteral("2000-01-03")}},
                QJsonObject {
                    {QStringLiteral("title"), QStringLiteral("Last")}, {QStringLiteral("date"), QStringLiteral("2100-12-31")}}};
            QJsonArray all = events;
            for (int year = 2001; year <= 2100; ++year) {
                QDate weekday(year, 6, 1);
                while (weekday.dayOfWeek() > 5)
                    weekday = weekday.addDays(1);
                all.append(QJsonObject {{QStringLiteral("title"), QStringLiteral("Yearly")},
                    {QStringLiteral("date"), weekday.toString(Qt::ISODate)}});
            }
            root.insert(region, QJsonObject {{QStringLiteral("division"), region}, {QStringLiteral("events"), all}});
        }
        Result<BankHolidays> wide = BankHolidays::parse(QJsonDocument(root).toJson(), QStringLiteral("wide.json"));
        QVERIFY2(wide.ok(), wide ? "" : qPrintable(wide.error().fullText()));
        QCOMPARE(wide->region(kNi)->firstYear(), 2000);
        QCOMPARE(wide->region(kNi)->lastYear(), 2100);
    }

    void oversizedFileIsRefused()
    {
        // Whitespace padding past the limit: refused for its size, naming the limit.
        QByteArray json = sourceBytes();
        json.append(QByteArray(maxInputBytes(InputKind::Calendar) - json.size() + 1, ' '));
        Result<BankHolidays> parsed = BankHolidays::parse(json, QStringLiteral("test.json"));
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().fullText().contains(
                     QStringLiteral("test.json: %1 bytes is more than the 1 MiB").arg(maxInputBytes(InputKind::Calendar) + 1)),
            qPrintable(parsed.error().fullText()));
        json.chop(1);
        QVERIFY(BankHolidays::parse(json, QStringLiteral("test.json")).ok());
    }
};

QTEST_GUILESS_MAIN(TestCalendar)
#include "TestCalendar.moc"
