// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QDate>
#include <QList>
#include <QString>

namespace rf {

enum class PeriodUnit { CalendarMonths, Days, WorkingDays };

// How a regime counts the time to answer a request, from a given date: the
// law as data, so that a change of law is a new rule set, not a code path.
struct DeadlineRuleSet {
    QString id;
    QString title;
    QString regime; // uk, eu, ccpa: rule sets of one regime succeed each other by date
    QDate from; // applies to requests received on or after this day
    PeriodUnit unit = PeriodUnit::CalendarMonths;
    int length = 1;
    int extension = 0; // further units an extension adds; 0 when none is allowed
    bool clarificationPauses = false;
    bool rollToWorkingDay = true;
    QString description;
};

[[nodiscard]] QString toString(PeriodUnit unit);

class DeadlineRuleBook
{
public:
    [[nodiscard]] static Result<DeadlineRuleBook> parse(const QByteArray &json, const QString &source);
    // resources/deadline-rules.json, compiled in.
    [[nodiscard]] static const DeadlineRuleBook &shipped();

    [[nodiscard]] const DeadlineRuleSet *byId(const QString &id) const;
    // The rule set of `regime` in force on `received`: the latest whose
    // `from` is on or before it. Nullptr when none applies.
    [[nodiscard]] const DeadlineRuleSet *inForce(const QString &regime, const QDate &received) const;
    [[nodiscard]] const QList<DeadlineRuleSet> &all() const { return m_ruleSets; }

private:
    QList<DeadlineRuleSet> m_ruleSets;
};

} // namespace rf
