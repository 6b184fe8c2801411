// SPDX-License-Identifier: GPL-3.0-or-later
// Bank holiday calendars in the GOV.UK format (`rightsflow calendar import`):
// what BankHolidays accepts must give each region a working calendar whose
// answers agree with each other, and a deadline can be counted on it.
#include "FuzzSupport.h"

#include "calendar/DeadlineCalculator.h"
#include "calendar/DeadlineRules.h"
#include "calendar/WorkingCalendar.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const bool started = rf::fuzz::quietStart();
    Q_UNUSED(started);
    const rf::Result<rf::BankHolidays> holidays
        = rf::BankHolidays::parse(rf::fuzz::bytes(data, size), QStringLiteral("bank-holidays.json"));
    rf::fuzz::requireExplained(holidays, "BankHolidays::parse");
    if (!holidays)
        return 0;
    const rf::DeadlineRuleSet *uk = rf::DeadlineRuleBook::shipped().inForce(QStringLiteral("uk"), QDate(2026, 3, 2));
    rf::fuzz::require(uk != nullptr, "the shipped rules have a UK rule set");
    for (const QString &region : rf::BankHolidays::kRegions) {
        const rf::Result<rf::WorkingCalendar> calendar = holidays->region(region);
        rf::fuzz::requireExplained(calendar, "BankHolidays::region");
        if (!calendar)
            continue;
        if (calendar->firstYear() > calendar->lastYear())
            continue;
        for (const QDate &day : {QDate(calendar->firstYear(), 1, 1), QDate(calendar->lastYear(), 12, 1)}) {
            const QDate working = calendar->onOrAfter(day);
            rf::fuzz::require(!working.isValid() || calendar->isWorkingDay(working), "onOrAfter() is a working day");
            const QDate later = calendar->addWorkingDays(working, 10);
            if (working.isValid() && later.isValid() && calendar->covers(later))
                rf::fuzz::require(calendar->workingDaysBetween(working, later) == 10,
                    "workingDaysBetween() counts what addWorkingDays() added", working.toString(Qt::ISODate));
            for (const rf::BankHoliday &holiday : calendar->holidaysIn(day.year()))
                rf::fuzz::require(!calendar->isWorkingDay(holiday.date), "a bank holiday is not a working day",
                    holiday.date.toString(Qt::ISODate));
            rf::DeadlineInput input;
            input.received = day;
            input.asOf = day;
            const rf::Deadline deadline = rf::DeadlineCalculator::compute(*uk, *calendar, input);
            rf::fuzz::require(!deadline.started || deadline.due >= day, "a deadline is not before the request");
        }
    }
    return 0;
}
