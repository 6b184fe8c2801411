// SPDX-License-Identifier: GPL-3.0-or-later
#include "DeadlineCalculator.h"

#include <algorithm>

namespace rf {

namespace {

QString unitName(PeriodUnit unit, int count)
{
    switch (unit) {
    case PeriodUnit::CalendarMonths:
        return count == 1 ? QStringLiteral("1 calendar month") : QStringLiteral("%1 calendar months").arg(count);
    case PeriodUnit::Days:
        return count == 1 ? QStringLiteral("1 day") : QStringLiteral("%1 days").arg(count);
    case PeriodUnit::WorkingDays:
        return count == 1 ? QStringLiteral("1 working day") : QStringLiteral("%1 working days").arg(count);
    }
    return {};
}

QDate addPeriod(const DeadlineRuleSet &rules, const WorkingCalendar &calendar, const QDate &start, int count)
{
    switch (rules.unit) {
    case PeriodUnit::CalendarMonths:
        // QDate::addMonths clamps to the month's last day: 31 Jan + 1 month is 28 (or 29) Feb.
        return start.addMonths(count);
    case PeriodUnit::Days:
        return start.addDays(count);
    case PeriodUnit::WorkingDays:
        return calendar.addWorkingDays(start, count);
    }
    return start;
}

} // namespace

QString DeadlineCalculator::britishDate(const QDate &date)
{
    return date.toString(QStringLiteral("dddd d MMMM yyyy"));
}

Deadline DeadlineCalculator::compute(
    const DeadlineRuleSet &rules, const WorkingCalendar &calendar, const DeadlineInput &input, bool explain)
{
    Deadline d;
    d.ruleSet = rules.id;
    d.extended = input.extended && rules.extension > 0;

    // 1. Start: the latest of receipt, identity or authority evidence, fee.
    d.start = input.received;
    QString startReason = QStringLiteral("the day the request was received");
    if (input.identityReceived.isValid() && input.identityReceived > d.start) {
        d.start = input.identityReceived;
        startReason
            = QStringLiteral("the day identity or authority evidence arrived (received %1)").arg(britishDate(input.received));
    }
    if (input.feePaid.isValid() && input.feePaid > d.start) {
        d.start = input.feePaid;
        startReason = QStringLiteral("the day the fee was paid");
    }
    if (input.awaitingEvidence) {
        d.started = false;
        if (explain)
            d.explanation << QStringLiteral(
                "The clock has not started: the council is waiting for identity or authority evidence "
                "(request received %1, rules %2).")
                                 .arg(britishDate(input.received), rules.id);
        return d;
    }
    d.started = true;
    if (explain) {
        d.explanation << QStringLiteral("Start: %1, %2 (rules %3).").arg(britishDate(d.start), startReason, rules.id);
        if (d.start.dayOfWeek() >= 6 || calendar.holiday(d.start))
            d.explanation << QStringLiteral("The start is not a working day; it still counts from that day.");
    }

    // 2. The period, clamped to the month's end where the date does not exist.
    const QDate first = addPeriod(rules, calendar, d.start, rules.length);
    const int total = rules.length + (d.extended ? rules.extension : 0);
    const QDate full = d.extended ? addPeriod(rules, calendar, d.start, total) : first;
    if (explain) {
        if (d.extended)
            d.explanation << QStringLiteral("+%1 (%2 and the %3 extension): %4.")
                                 .arg(unitName(rules.unit, total), unitName(rules.unit, rules.length),
                                     unitName(rules.unit, rules.extension), britishDate(full));
        else
            d.explanation << QStringLiteral("+%1: %2.").arg(unitName(rules.unit, rules.length), britishDate(full));
        if (rules.unit == PeriodUnit::CalendarMonths && full.day() != d.start.day())
            d.explanation << QStringLiteral("%1 %2 does not exist, so the period ends on the last day of that month.")
                                 .arg(d.start.day())
                                 .arg(full.toString(QStringLiteral("MMMM yyyy")));
    }
    if (input.extended && rules.extension == 0)
        d.warnings << QStringLiteral("rules %1 allow no extension").arg(rules.id);

    // 3. Pauses: every day from the council's question to the answer, both
    // counted, added to the unrolled date. Overlapping pauses count once;
    // days before the start count for nothing. Rightsflow's rule (the law is
    // silent): a question asked after the deadline has passed does not pause
    // it, so a late request cannot become "on time" by asking a question.
    if (!input.pauses.isEmpty()) {
        QList<ClockPause> pauses;
        for (ClockPause p : input.pauses) {
            if (!p.to.isValid())
                p.to = input.asOf.isValid() && input.asOf >= p.from ? input.asOf : p.from;
            if (p.from < d.start)
                p.from = d.start;
            if (p.to >= p.from)
                pauses.append(p);
        }
        std::sort(pauses.begin(), pauses.end(), [](const ClockPause &a, const ClockPause &b) { return a.from < b.from; });
        QDate coveredTo;
        int days = 0;
        int lateQuestions = 0;
        for (const ClockPause &p : std::as_const(pauses)) {
            const QDate dueSoFar = rules.rollToWorkingDay ? calendar.onOrAfter(full.addDays(days)) : full.addDays(days);
            if (p.from > dueSoFar) {
                ++lateQuestions;
                continue;
            }
            const QDate from = coveredTo.isValid() && p.from <= coveredTo ? coveredTo.addDays(1) : p.from;
            if (p.to >= from)
                days += int(from.daysTo(p.to)) + 1;
            if (!coveredTo.isValid() || p.to > coveredTo)
                coveredTo = p.to;
        }
        if (rules.clarificationPauses) {
            d.pausedDays = days;
            // Still paused, and the pause counts: the date moves each day.
            const ClockPause &last = input.pauses.constLast();
            d.provisional = !last.to.isValid() && coveredTo.isValid() && input.asOf.isValid() && coveredTo >= input.asOf;
            if (explain && lateQuestions > 0)
                d.explanation << QStringLiteral("%1 asked after the due date had passed %2 not pause the clock.")
                                     .arg(lateQuestions == 1 ? QStringLiteral("A clarification")
                                                             : QStringLiteral("%1 clarifications").arg(lateQuestions),
                                         lateQuestions == 1 ? QStringLiteral("does") : QStringLiteral("do"));
        } else if (explain && days > 0) {
            d.explanation << QStringLiteral("%1 waiting for clarification %2 not count: rules %3 have no statutory pause.")
                                 .arg(days == 1 ? QStringLiteral("1 day") : QStringLiteral("%1 days").arg(days),
                                     days == 1 ? QStringLiteral("does") : QStringLiteral("do"), rules.id);
        }
    }
    d.unrolledDue = full.addDays(d.pausedDays);
    d.firstPeriodEnd = first.addDays(d.pausedDays);
    if (explain && d.pausedDays > 0)
        d.explanation << QStringLiteral("+%1 paused %2 waiting for clarification%3: %4.")
                             .arg(d.pausedDays)
                             .arg(d.pausedDays == 1 ? QStringLiteral("day") : QStringLiteral("days"),
                                 d.provisional ? QStringLiteral(" (still paused, counted to today)") : QString(),
                                 britishDate(d.unrolledDue));

    // 4. Roll past weekends and the region's bank holidays.
    d.due = rules.rollToWorkingDay ? calendar.onOrAfter(d.unrolledDue) : d.unrolledDue;
    if (explain) {
        if (d.due != d.unrolledDue) {
            QStringList skipped;
            for (QDate day = d.unrolledDue; day < d.due; day = day.addDays(1)) {
                const BankHoliday *h = calendar.holiday(day);
                skipped << (h ? QStringLiteral("%1 (%2)").arg(day.toString(QStringLiteral("dddd d MMMM")), h->title)
                              : day.toString(QStringLiteral("dddd d MMMM")));
            }
            d.explanation << QStringLiteral("Rolled over %1 to %2: %3 in %4.")
                                 .arg(skipped.join(QStringLiteral(", ")), britishDate(d.due),
                                     skipped.size() == 1 ? QStringLiteral("not a working day")
                                                         : QStringLiteral("not working days"),
                                     calendar.region());
        } else if (rules.rollToWorkingDay) {
            d.explanation << QStringLiteral("%1 is a working day in %2.").arg(britishDate(d.due), calendar.region());
        }
        d.explanation << QStringLiteral("Due by the end of %1.").arg(britishDate(d.due));
        if (!d.extended && rules.extension > 0)
            d.explanation << QStringLiteral("An extension of %1 must be notified, with reasons, by %2.")
                                 .arg(unitName(rules.unit, rules.extension), britishDate(d.firstPeriodEnd));
    }
    if (rules.rollToWorkingDay && (!calendar.covers(d.start) || !calendar.covers(d.due)))
        d.warnings << QStringLiteral(
            "the %1 calendar holds bank holidays for %2 to %3 only; import a newer one with 'rightsflow calendar import'")
                          .arg(calendar.region())
                          .arg(calendar.firstYear())
                          .arg(calendar.lastYear());
    return d;
}

QString toString(DeadlineState state)
{
    switch (state) {
    case DeadlineState::NotStarted:
        return QStringLiteral("not-started");
    case DeadlineState::Paused:
        return QStringLiteral("paused");
    case DeadlineState::OnTrack:
        return QStringLiteral("on-track");
    case DeadlineState::DueSoon:
        return QStringLiteral("due-soon");
    case DeadlineState::DueToday:
        return QStringLiteral("due-today");
    case DeadlineState::Overdue:
        return QStringLiteral("overdue");
    case DeadlineState::ClosedOnTime:
        return QStringLiteral("closed-on-time");
    case DeadlineState::ClosedLate:
        return QStringLiteral("closed-late");
    }
    return {};
}

DeadlineStatus deadlineStatus(
    const Deadline &deadline, const WorkingCalendar &calendar, const QDate &today, const QDate &closedOn, int soonWithin)
{
    DeadlineStatus status;
    if (closedOn.isValid()) {
        status.state = !deadline.started || closedOn <= deadline.due ? DeadlineState::ClosedOnTime : DeadlineState::ClosedLate;
        return status;
    }
    if (!deadline.started) {
        status.state = DeadlineState::NotStarted;
        return status;
    }
    status.workingDaysLeft = calendar.workingDaysBetween(today, deadline.due);
    if (today > deadline.due)
        status.state = DeadlineState::Overdue;
    else if (deadline.provisional)
        status.state = DeadlineState::Paused;
    else if (today == deadline.due)
        status.state = DeadlineState::DueToday;
    else if (status.workingDaysLeft <= soonWithin)
        status.state = DeadlineState::DueSoon;
    else
        status.state = DeadlineState::OnTrack;
    return status;
}

} // namespace rf
