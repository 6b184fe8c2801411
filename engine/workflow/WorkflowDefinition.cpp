// SPDX-License-Identifier: GPL-3.0-or-later
#include "WorkflowDefinition.h"

#include <QRegularExpression>

namespace rf {

QString toString(StateKind kind)
{
    switch (kind) {
    case StateKind::Open:
        return QStringLiteral("open");
    case StateKind::Waiting:
        return QStringLiteral("waiting");
    case StateKind::Closed:
        return QStringLiteral("closed");
    }
    return {};
}

QString toString(ClockBehaviour clock)
{
    switch (clock) {
    case ClockBehaviour::Running:
        return QStringLiteral("running");
    case ClockBehaviour::Paused:
        return QStringLiteral("paused");
    case ClockBehaviour::NotStarted:
        return QStringLiteral("not-started");
    case ClockBehaviour::Stopped:
        return QStringLiteral("stopped");
    }
    return {};
}

const InputDef *TransitionDef::input(const QString &inputName) const
{
    for (const InputDef &in : inputs) {
        if (in.name == inputName)
            return &in;
    }
    return nullptr;
}

const StateDef *WorkflowDefinition::state(const QString &name) const
{
    for (const StateDef &s : states) {
        if (s.name == name)
            return &s;
    }
    return nullptr;
}

const TransitionDef *WorkflowDefinition::transition(const QString &name) const
{
    for (const TransitionDef &t : transitions) {
        if (t.name == name)
            return &t;
    }
    return nullptr;
}

QList<const TransitionDef *> WorkflowDefinition::transitionsFrom(const QString &stateName) const
{
    QList<const TransitionDef *> result;
    for (const TransitionDef &t : transitions) {
        if (t.from.contains(stateName))
            result.append(&t);
    }
    return result;
}

QStringList WorkflowDefinition::stateNames() const
{
    QStringList names;
    for (const StateDef &s : states)
        names.append(s.name);
    return names;
}

} // namespace rf

namespace rf {

std::optional<Period> Period::parse(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("^\\s*(\\d{1,3})\\s+(working\\s+)?(day|days|month|months)\\s*$"));
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    Period period;
    period.amount = match.captured(1).toInt();
    const bool months = match.captured(3).startsWith(QLatin1String("month"));
    if (months && !match.captured(2).isEmpty())
        return std::nullopt; // "working months" means nothing
    period.unit = months ? Unit::Months : match.captured(2).isEmpty() ? Unit::Days : Unit::WorkingDays;
    if (period.amount < 1)
        return std::nullopt;
    return period;
}

QString Period::toString() const
{
    const bool one = amount == 1;
    switch (unit) {
    case Unit::Days:
        return QStringLiteral("%1 %2").arg(amount).arg(one ? QStringLiteral("day") : QStringLiteral("days"));
    case Unit::WorkingDays:
        return QStringLiteral("%1 %2").arg(amount).arg(one ? QStringLiteral("working day") : QStringLiteral("working days"));
    case Unit::Months:
        return QStringLiteral("%1 %2").arg(amount).arg(one ? QStringLiteral("month") : QStringLiteral("months"));
    }
    return {};
}

} // namespace rf
