// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace rf {

enum class StateKind { Open, Waiting, Closed };

// What the statutory clock does while a request sits in a state.
enum class ClockBehaviour { Running, Paused, NotStarted, Stopped };

[[nodiscard]] QString toString(StateKind kind);
[[nodiscard]] QString toString(ClockBehaviour clock);

struct StateDef {
    QString name;
    QString label;
    QString description;
    StateKind kind = StateKind::Open;
    ClockBehaviour clock = ClockBehaviour::Running;
};

// An input an officer supplies when firing a transition (a refusal reason, a date...).
struct InputDef {
    QString name;
    QString label;
    QString type; // text, date, choice, boolean, user
    bool required = false;
    QStringList choices;
};

// A named guard or effect from the ActionRegistry, with its parameters as written.
struct StepRef {
    QString name;
    QJsonObject params;
};

struct TransitionDef {
    QString name;
    QString label;
    QString description;
    QStringList from;
    QString to; // empty: an action in place, the request keeps its state
    QStringList roles;
    QList<StepRef> guards;
    QList<InputDef> inputs;
    QList<StepRef> effects;

    [[nodiscard]] const InputDef *input(const QString &inputName) const;
};

// A length of time in a timer: "1 month", "14 days", "3 working days".
struct Period {
    enum class Unit { Days, WorkingDays, Months };
    int amount = 0;
    Unit unit = Unit::Days;

    // Parses "N day(s)", "N working day(s)", "N month(s)"; nullopt otherwise.
    [[nodiscard]] static std::optional<Period> parse(const QString &text);
    [[nodiscard]] QString toString() const;
};

// Something the worker does by itself when time passes (rightsflow worker):
//  - InState: the request has sat in one of `states` for `period` (counted
//    from the day it entered it): fire the transition `fire` as the worker,
//    and/or notify;
//  - BeforeDue: `period` before the due date, while the clock runs: notify;
//  - AfterDue: `period` after the due date, while the request is open: notify.
struct TimerDef {
    enum class Kind { InState, BeforeDue, AfterDue };
    QString name;
    QString description;
    Kind kind = Kind::InState;
    Period period;
    QStringList states; // InState only
    QString fire; // a transition leaving every state in `states`
    QString notifyTo; // requester, assignee or dpo
    QString notifyTemplate;
};

// One right's workflow: a state machine loaded from a JSON file in workflows/
// and validated by WorkflowLoader. Immutable once loaded. `hash` is the SHA-256
// of the canonical JSON, the identity under which requests keep the exact
// definition they were opened under.
class WorkflowDefinition
{
public:
    QString id;
    QString title;
    QString right;
    QString description;
    QString initial;
    QList<StateDef> states;
    QList<TransitionDef> transitions;
    QList<TimerDef> timers;
    QByteArray canonicalJson;
    QString hash;
    QString source; // the file it came from, for messages

    [[nodiscard]] const StateDef *state(const QString &name) const;
    [[nodiscard]] const TransitionDef *transition(const QString &name) const;
    [[nodiscard]] QList<const TransitionDef *> transitionsFrom(const QString &stateName) const;
    [[nodiscard]] QStringList stateNames() const;
};

} // namespace rf
