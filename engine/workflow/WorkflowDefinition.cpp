// SPDX-License-Identifier: GPL-3.0-or-later
#include "WorkflowDefinition.h"

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
