// SPDX-License-Identifier: GPL-3.0-or-later
// Deadline rules (resources/deadline-rules.json): every rule set DeadlineRuleBook
// accepts is found by its id and by its regime and date, and counts a
// deadline on the shipped calendar.
#include "FuzzSupport.h"

#include "calendar/DeadlineCalculator.h"
#include "calendar/DeadlineRules.h"
#include "calendar/WorkingCalendar.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const bool started = rf::fuzz::quietStart();
    Q_UNUSED(started);
    static const rf::Result<rf::WorkingCalendar> calendar
        = rf::BankHolidays::shipped().region(QStringLiteral("england-and-wales"));
    rf::fuzz::require(bool(calendar), "the shipped calendar has England and Wales");
    const rf::Result<rf::DeadlineRuleBook> book
        = rf::DeadlineRuleBook::parse(rf::fuzz::bytes(data, size), QStringLiteral("deadline-rules.json"));
    rf::fuzz::requireExplained(book, "DeadlineRuleBook::parse");
    if (!book)
        return 0;
    for (const rf::DeadlineRuleSet &rules : book->all()) {
        rf::fuzz::require(book->byId(rules.id) != nullptr, "a rule set is found by its id", rules.id);
        rf::fuzz::require(book->inForce(rules.regime, rules.from) != nullptr, "a rule set is in force from its date", rules.id);
        rf::DeadlineInput input;
        input.received = qMax(rules.from, QDate(2026, 3, 2));
        input.asOf = input.received;
        input.extended = rules.extension > 0;
        input.pauses.append(rf::ClockPause {input.received.addDays(3), input.received.addDays(9)});
        const rf::Deadline deadline = rf::DeadlineCalculator::compute(rules, *calendar, input);
        rf::fuzz::require(!deadline.started || deadline.due >= input.received, "a deadline is not before the request", rules.id);
    }
    return 0;
}
