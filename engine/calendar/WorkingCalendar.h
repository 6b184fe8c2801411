// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QDate>
#include <QList>
#include <QString>
#include <QStringList>

#include <vector>

namespace rf {

struct BankHoliday {
    QDate date;
    QString title;
    QString notes;
    bool bunting = false;
};

// One region's working days: weekends and that region's bank holidays are
// not working days. Built once from BankHolidays; answers in constant time,
// so that deadline arithmetic is never what makes a dashboard slow.
class WorkingCalendar
{
public:
    WorkingCalendar() = default;
    WorkingCalendar(QString region, const QList<BankHoliday> &holidays);

    [[nodiscard]] const QString &region() const { return m_region; }
    [[nodiscard]] int firstYear() const { return m_firstYear; }
    [[nodiscard]] int lastYear() const { return m_lastYear; }
    // Whether the bank holidays of `date`'s year are known.
    [[nodiscard]] bool covers(const QDate &date) const { return date.year() >= m_firstYear && date.year() <= m_lastYear; }

    [[nodiscard]] bool isWorkingDay(const QDate &date) const;
    // The bank holiday on `date`, or nullptr.
    [[nodiscard]] const BankHoliday *holiday(const QDate &date) const;
    // `date` if it is a working day, else the next one.
    [[nodiscard]] QDate onOrAfter(const QDate &date) const;
    // The working day `days` working days after `date` (days >= 0).
    [[nodiscard]] QDate addWorkingDays(const QDate &date, int days) const;
    // Working days after `from` up to and including `to` (negative when `to`
    // is earlier; 0 when either date is invalid).
    [[nodiscard]] int workingDaysBetween(const QDate &from, const QDate &to) const;
    [[nodiscard]] QList<BankHoliday> holidaysIn(int year) const;

private:
    QString m_region;
    QList<BankHoliday> m_holidays; // sorted by date
    int m_firstYear = 0;
    int m_lastYear = -1;
    // Per day from m_baseDay: 1 when it is a working day, and the running
    // count of working days, for O(1) answers inside the table's range.
    qint64 m_baseDay = 0;
    std::vector<int> m_workingBefore; // working days in [base, base + i)
    std::vector<unsigned char> m_working;
};

// The bank holidays of every region, from a file in the GOV.UK format
// ({"england-and-wales": {"division": ..., "events": [{title, date, notes,
// bunting}]}, "scotland": ..., "northern-ireland": ...}).
class BankHolidays
{
public:
    static inline const QStringList kRegions {
        QStringLiteral("england-and-wales"), QStringLiteral("scotland"), QStringLiteral("northern-ireland")};

    // Limits no real calendar reaches: bank holidays between these years, at
    // most this many a year in any division (8 to 10, and one or two more
    // in a year with a proclaimed one-off, 12 at most so far).
    static constexpr int kFirstPlausibleYear = 2000;
    static constexpr int kLastPlausibleYear = 2100;
    static constexpr int kMaxHolidaysPerYear = 13;

    // Parses and checks a file; every problem is reported with its JSON path.
    // Refuses what cannot be a calendar: an unknown division, a holiday on
    // a weekend, outside the plausible years, or too many in one year.
    [[nodiscard]] static Result<BankHolidays> parse(const QByteArray &json, const QString &source);
    // The file shipped with Rightsflow.
    [[nodiscard]] static const BankHolidays &shipped();

    [[nodiscard]] Result<WorkingCalendar> region(const QString &region) const;
    [[nodiscard]] const QByteArray &json() const { return m_json; }
    [[nodiscard]] const QString &hash() const { return m_hash; }
    [[nodiscard]] const QString &source() const { return m_source; }

private:
    QList<WorkingCalendar> m_regions;
    QByteArray m_json;
    QString m_hash;
    QString m_source;
};

} // namespace rf
