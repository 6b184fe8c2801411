// SPDX-License-Identifier: GPL-3.0-or-later
#include "WorkingCalendar.h"

#include "core/JsonCheck.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QSet>

#include <algorithm>

namespace rf {

namespace {

// The span the lookup tables cover; outside it only weekends are known and
// answers are computed day by day.
const QDate kTableFirst(2000, 1, 1);
const QDate kTableLast(2060, 12, 31);

bool isWeekend(const QDate &date)
{
    return date.dayOfWeek() >= 6;
}

} // namespace

WorkingCalendar::WorkingCalendar(QString region, const QList<BankHoliday> &holidays)
    : m_region(std::move(region))
    , m_holidays(holidays)
{
    std::sort(m_holidays.begin(), m_holidays.end(), [](const BankHoliday &a, const BankHoliday &b) { return a.date < b.date; });
    if (!m_holidays.isEmpty()) {
        m_firstYear = m_holidays.constFirst().date.year();
        m_lastYear = m_holidays.constLast().date.year();
    }
    m_baseDay = kTableFirst.toJulianDay();
    const qint64 days = kTableLast.toJulianDay() - m_baseDay + 1;
    m_working.assign(size_t(days), 1);
    m_workingBefore.assign(size_t(days) + 1, 0);
    for (qint64 i = 0; i < days; ++i) {
        if (isWeekend(kTableFirst.addDays(i)))
            m_working[size_t(i)] = 0;
    }
    for (const BankHoliday &h : std::as_const(m_holidays)) {
        const qint64 i = h.date.toJulianDay() - m_baseDay;
        if (i >= 0 && i < days)
            m_working[size_t(i)] = 0;
    }
    for (qint64 i = 0; i < days; ++i)
        m_workingBefore[size_t(i) + 1] = m_workingBefore[size_t(i)] + m_working[size_t(i)];
}

bool WorkingCalendar::isWorkingDay(const QDate &date) const
{
    const qint64 i = date.toJulianDay() - m_baseDay;
    if (i >= 0 && i < qint64(m_working.size()))
        return m_working[size_t(i)] != 0;
    return !isWeekend(date) && !holiday(date);
}

const BankHoliday *WorkingCalendar::holiday(const QDate &date) const
{
    const auto it = std::lower_bound(
        m_holidays.cbegin(), m_holidays.cend(), date, [](const BankHoliday &h, const QDate &d) { return h.date < d; });
    return it != m_holidays.cend() && it->date == date ? &*it : nullptr;
}

QDate WorkingCalendar::onOrAfter(const QDate &date) const
{
    if (!date.isValid())
        return {};
    QDate day = date;
    while (!isWorkingDay(day))
        day = day.addDays(1);
    return day;
}

QDate WorkingCalendar::addWorkingDays(const QDate &date, int days) const
{
    if (!date.isValid())
        return {};
    QDate day = date;
    for (int added = 0; added < days;) {
        day = day.addDays(1);
        if (isWorkingDay(day))
            ++added;
    }
    return day;
}

int WorkingCalendar::workingDaysBetween(const QDate &from, const QDate &to) const
{
    // An invalid date never compares later than another: walking towards one would never end.
    if (!from.isValid() || !to.isValid())
        return 0;
    const qint64 a = from.toJulianDay() - m_baseDay;
    const qint64 b = to.toJulianDay() - m_baseDay;
    const qint64 size = qint64(m_working.size());
    if (a >= 0 && b >= 0 && a < size && b < size) {
        // Working days in (from, to] = before[b + 1] - before[a + 1].
        return m_workingBefore[size_t(b) + 1] - m_workingBefore[size_t(a) + 1];
    }
    int count = 0;
    if (from <= to) {
        for (QDate d = from.addDays(1); d <= to; d = d.addDays(1))
            count += isWorkingDay(d) ? 1 : 0;
        return count;
    }
    return -workingDaysBetween(to, from);
}

QList<BankHoliday> WorkingCalendar::holidaysIn(int year) const
{
    QList<BankHoliday> result;
    for (const BankHoliday &h : m_holidays) {
        if (h.date.year() == year)
            result.append(h);
    }
    return result;
}

Result<BankHolidays> BankHolidays::parse(const QByteArray &json, const QString &source)
{
    const QString invalid = QStringLiteral("%1: not a bank holidays file in the GOV.UK format").arg(source);
    Result<QJsonDocument> parsed = parseJsonStrict(json, source, InputKind::Calendar);
    if (!parsed)
        return makeError(ErrorCode::Invalid, invalid, parsed.error().details);
    const QJsonDocument document = *parsed;
    if (!document.isObject())
        return makeError(
            ErrorCode::Invalid, invalid, {QStringLiteral("%1: $: expected an object with the divisions").arg(source)});

    QStringList problems;
    const QJsonObject root = document.object();
    // A division we do not know is a file for somewhere else, or a typing
    // mistake that would leave the council's own division unchanged.
    for (auto it = root.constBegin(); it != root.constEnd(); ++it) {
        if (!kRegions.contains(it.key()))
            problems << QStringLiteral("%1: $.%2: unknown division '%2' (the divisions are %3)")
                            .arg(source, it.key(), kRegions.join(QStringLiteral(", ")));
    }
    BankHolidays result;
    for (const QString &region : kRegions) {
        const QString path = QStringLiteral("$.%1").arg(region);
        const QJsonValue division = root.value(region);
        if (!division.isObject()) {
            problems << QStringLiteral("%1: %2: missing (every file has england-and-wales, scotland and northern-ireland)")
                            .arg(source, path);
            continue;
        }
        const QJsonValue named = division.toObject().value(QStringLiteral("division"));
        if (!named.isUndefined() && named.toString() != region)
            problems << QStringLiteral("%1: %2.division: '%3' under %4: the events would count for the wrong division")
                            .arg(source, path, named.isString() ? named.toString() : jsonTypeName(named), region);
        const QJsonValue events = division.toObject().value(QStringLiteral("events"));
        if (!events.isArray()) {
            problems << QStringLiteral("%1: %2.events: expected an array of events").arg(source, path);
            continue;
        }
        QList<BankHoliday> holidays;
        QSet<QDate> seen;
        const QJsonArray array = events.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QString eventPath = QStringLiteral("%1.events[%2]").arg(path).arg(i);
            const QJsonObject event = array.at(i).toObject();
            if (!array.at(i).isObject()) {
                problems << QStringLiteral("%1: %2: expected an object with title and date").arg(source, eventPath);
                continue;
            }
            const QString title = event.value(QStringLiteral("title")).toString();
            const QString dateText = event.value(QStringLiteral("date")).toString();
            const QDate date = QDate::fromString(dateText, Qt::ISODate);
            if (title.trimmed().isEmpty())
                problems << QStringLiteral("%1: %2.title: missing").arg(source, eventPath);
            if (!date.isValid() || dateText.size() != 10) {
                problems << QStringLiteral("%1: %2.date: '%3' is not a date (YYYY-MM-DD)").arg(source, eventPath, dateText);
                continue;
            }
            if (date.year() < kFirstPlausibleYear || date.year() > kLastPlausibleYear) {
                problems << QStringLiteral("%1: %2.date: %3 in %4 is outside %5 to %6, the years Rightsflow accepts")
                                .arg(source, eventPath, dateText, region)
                                .arg(kFirstPlausibleYear)
                                .arg(kLastPlausibleYear);
                continue;
            }
            // Bank holidays are weekdays: one that falls on a weekend has a
            // substitute weekday, and that is what the file lists.
            if (isWeekend(date)) {
                problems << QStringLiteral("%1: %2.date: %3 in %4 is a %5; bank holidays and their substitute days are "
                                           "weekdays")
                                .arg(source, eventPath, dateText, region, QLocale::c().dayName(date.dayOfWeek()));
                continue;
            }
            if (seen.contains(date)) {
                problems << QStringLiteral("%1: %2.date: %3 is listed twice").arg(source, eventPath, dateText);
                continue;
            }
            seen.insert(date);
            holidays.append(BankHoliday {date, title.trimmed(), event.value(QStringLiteral("notes")).toString(),
                event.value(QStringLiteral("bunting")).toBool()});
        }
        if (holidays.isEmpty()) {
            problems << QStringLiteral("%1: %2.events: no bank holidays").arg(source, path);
            continue;
        }
        WorkingCalendar calendar(region, holidays);
        for (int year = calendar.firstYear(); year <= calendar.lastYear(); ++year) {
            const qsizetype count = calendar.holidaysIn(year).size();
            if (count > kMaxHolidaysPerYear)
                problems << QStringLiteral("%1: %2.events: %3 bank holidays in %4 in %5; no division has more than %6 in a year "
                                           "(England and Wales has 8, Scotland 9, Northern Ireland 10, and a proclamation "
                                           "adds one or two)")
                                .arg(source, path)
                                .arg(count)
                                .arg(region)
                                .arg(year)
                                .arg(kMaxHolidaysPerYear);
        }
        // A year with no holiday between the first and the last is a hole in
        // the file, not a year without bank holidays.
        for (int year = calendar.firstYear(); year <= calendar.lastYear(); ++year) {
            if (calendar.holidaysIn(year).isEmpty())
                problems << QStringLiteral("%1: %2.events: no bank holidays in %3, between %4 and %5: the file is incomplete")
                                .arg(source, path)
                                .arg(year)
                                .arg(calendar.firstYear())
                                .arg(calendar.lastYear());
        }
        result.m_regions.append(calendar);
    }
    if (!problems.isEmpty())
        return makeError(ErrorCode::Invalid, invalid, problems);
    result.m_json = QJsonDocument(root).toJson(QJsonDocument::Compact);
    result.m_hash = QString::fromLatin1(QCryptographicHash::hash(result.m_json, QCryptographicHash::Sha256).toHex());
    result.m_source = source;
    return result;
}

const BankHolidays &BankHolidays::shipped()
{
    static const BankHolidays holidays = [] {
        const QString path = QStringLiteral(":/calendars/uk-bank-holidays.json");
        Result<QByteArray> content = readInputFile(path, InputKind::Calendar);
        Result<BankHolidays> parsed = content ? parse(*content, path) : Result<BankHolidays>(content.error());
        // The shipped file is checked by the test suite; failing here is a build defect.
        Q_ASSERT_X(parsed.ok(), "BankHolidays::shipped", "the shipped bank holidays file does not parse");
        return parsed.ok() ? std::move(parsed).value() : BankHolidays();
    }();
    return holidays;
}

Result<WorkingCalendar> BankHolidays::region(const QString &region) const
{
    for (const WorkingCalendar &calendar : m_regions) {
        if (calendar.region() == region)
            return calendar;
    }
    return makeError(ErrorCode::NotFound,
        QStringLiteral("region: unknown region '%1'; use one of %2").arg(region, kRegions.join(QStringLiteral(", "))));
}

} // namespace rf
