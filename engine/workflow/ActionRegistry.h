// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"
#include "request/Records.h"
#include "request/Request.h"
#include "workflow/WorkflowDefinition.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>

#include <functional>

namespace rf {

// What a guard sees when it decides whether a transition may fire.
struct GuardContext {
    const Request &request;
    const TransitionDef &transition;
    const QJsonObject &inputs;
    const User &user;
    const QDateTime &now;
    const QJsonObject &params;
    // The request's last response bundle, looked up only when a guard asks:
    // {"size": bytes, "forEmail": kept for the response e-mail, "limit":
    // bytes}; empty when none was built.
    std::function<QJsonObject()> lastBundle;
};

// What an effect sees and may change. Effects run inside the action's
// transaction: they change `request` and append to `outbox`; the runner then
// writes both together with the audit event, or nothing at all.
struct EffectContext {
    Request &request;
    const TransitionDef &transition;
    const QJsonObject &inputs;
    const User &user;
    const QDateTime &now;
    const QJsonObject &params;
    QList<OutboxMessage> &outbox;
    // Users the effect may address (assignee, DPO); looked up by the runner.
    std::function<QList<User>(const QString &role)> usersWithRole;
    std::function<std::optional<User>(const QString &name)> userNamed;
    // The request's deadline before this action, and today in council time.
    const Deadline *deadline = nullptr;
    QDate today;
    // The day the action's event happened: today, or the input effective-date.
    QDate effectiveDay;
    // What the engine itself supplies to an action it fires on an officer's
    // behalf (the bundle it built): null for actions fired by hand.
    const QJsonObject *engineFacts = nullptr;
    // Details an effect adds to the action's audit event (next to its inputs).
    QJsonObject *auditDetails = nullptr;
};

// The named guards and effects that workflow files may use. New capabilities
// (deadlines, bundles, mail) register theirs here: adding one is an additive
// change, never an edit of the runner or of the loader.
class ActionRegistry
{
public:
    // Checks a step's parameters as written in a workflow file; returns one
    // message per problem, each starting with the parameter's name.
    using ParamCheck = std::function<QStringList(const QJsonObject &params, const TransitionDef &transition)>;
    // A guard returns an error (code Refused) saying why the transition may not fire.
    using Guard = std::function<Status(const GuardContext &)>;
    using Effect = std::function<Status(EffectContext &)>;

    struct GuardEntry {
        QString description;
        Guard guard;
        ParamCheck check;
        // Guards that look at the inputs can only be judged when the action is
        // fired; lists of available actions skip them.
        bool needsInputs = false;
    };
    struct EffectEntry {
        QString description;
        Effect effect;
        ParamCheck check;
    };

    void registerGuard(
        const QString &name, const QString &description, Guard guard, ParamCheck check = {}, bool needsInputs = false);
    void registerEffect(const QString &name, const QString &description, Effect effect, ParamCheck check = {});

    [[nodiscard]] const GuardEntry *guard(const QString &name) const;
    [[nodiscard]] const EffectEntry *effect(const QString &name) const;
    [[nodiscard]] QStringList guardNames() const;
    [[nodiscard]] QStringList effectNames() const;

    // The registry with every guard and effect Rightsflow ships.
    [[nodiscard]] static const ActionRegistry &builtin();

private:
    QHash<QString, GuardEntry> m_guards;
    QHash<QString, EffectEntry> m_effects;
};

} // namespace rf
