// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "calendar/DeadlineRules.h"
#include "calendar/WorkingCalendar.h"

#include <QDate>
#include <QList>
#include <QStringList>

namespace rf {

// A stretch of days the clock stood still (clarification of what is asked).
// Both ends count as paused. An invalid `to` means still paused.
struct ClockPause {
    QDate from;
    QDate to;
};

// What the deadline depends on, as dates in the council's time zone.
struct DeadlineInput {
    QDate received;
    QDate identityReceived; // identity or authority evidence; invalid when not needed
    QDate feePaid; // invalid when no fee is due
    bool awaitingEvidence = false; // the clock has not started yet
    QList<ClockPause> pauses;
    bool extended = false;
    QDate asOf; // today: where an open pause ends for now
};

struct Deadline {
    QString ruleSet;
    bool started = false;
    QDate start;
    QDate firstPeriodEnd; // start + the period (+ paused days), unrolled: an extension notice must go before it ends
    QDate unrolledDue;
    QDate due; // the end of this day, Europe/London
    int pausedDays = 0;
    bool extended = false;
    bool provisional = false; // paused now: the due date moves on each paused day
    QStringList explanation; // how the date was reached, a step a line
    QStringList warnings; // e.g. bank holidays not known for a year
};

// The statutory deadline of a request. Pure: dates in, dates out, no
// database, no clock; the same input always gives the same answer.
class DeadlineCalculator
{
public:
    // With `explain` false the explanation is skipped (dashboards recompute
    // many deadlines and need only the dates).
    [[nodiscard]] static Deadline compute(
        const DeadlineRuleSet &rules, const WorkingCalendar &calendar, const DeadlineInput &input, bool explain = true);

    // "Monday 2 March 2026".
    [[nodiscard]] static QString britishDate(const QDate &date);
};

enum class DeadlineState { NotStarted, Paused, OnTrack, DueSoon, DueToday, Overdue, ClosedOnTime, ClosedLate };

[[nodiscard]] QString toString(DeadlineState state);

struct DeadlineStatus {
    DeadlineState state = DeadlineState::OnTrack;
    int workingDaysLeft = 0; // working days after today up to the due date; negative when overdue
};

// Where a request stands against its deadline on `today`, for the DPO's
// dashboard. `closedOn` is invalid while the request is open; `soonWithin`
// is the number of working days that counts as "due soon".
[[nodiscard]] DeadlineStatus deadlineStatus(
    const Deadline &deadline, const WorkingCalendar &calendar, const QDate &today, const QDate &closedOn, int soonWithin = 5);

} // namespace rf
