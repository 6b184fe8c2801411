// SPDX-License-Identifier: GPL-3.0-or-later
#include "ActionRegistry.h"

#include "core/Clock.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>

namespace rf {

void ActionRegistry::registerGuard(
    const QString &name, const QString &description, Guard guard, ParamCheck check, bool needsInputs)
{
    m_guards.insert(name, GuardEntry {description, std::move(guard), std::move(check), needsInputs});
}

void ActionRegistry::registerEffect(const QString &name, const QString &description, Effect effect, ParamCheck check)
{
    m_effects.insert(name, EffectEntry {description, std::move(effect), std::move(check)});
}

const ActionRegistry::GuardEntry *ActionRegistry::guard(const QString &name) const
{
    const auto it = m_guards.constFind(name);
    return it == m_guards.cend() ? nullptr : &it.value();
}

const ActionRegistry::EffectEntry *ActionRegistry::effect(const QString &name) const
{
    const auto it = m_effects.constFind(name);
    return it == m_effects.cend() ? nullptr : &it.value();
}

QStringList ActionRegistry::guardNames() const
{
    QStringList names = m_guards.keys();
    names.sort();
    return names;
}

QStringList ActionRegistry::effectNames() const
{
    QStringList names = m_effects.keys();
    names.sort();
    return names;
}

namespace {

// Parameter checks shared by several steps.
QStringList requireOnly(const QJsonObject &params, const QStringList &allowed)
{
    QStringList problems;
    for (auto it = params.constBegin(); it != params.constEnd(); ++it) {
        if (!allowed.contains(it.key()))
            problems << QStringLiteral("%1: unknown parameter%2")
                            .arg(it.key(),
                                allowed.isEmpty()
                                    ? QStringLiteral(" (this step takes none)")
                                    : QStringLiteral(" (this step takes: %1)").arg(allowed.join(QStringLiteral(", "))));
    }
    return problems;
}

QStringList noParams(const QJsonObject &params, const TransitionDef &)
{
    return requireOnly(params, {});
}

QString inputText(const QJsonObject &inputs, const QString &name)
{
    const QJsonValue v = inputs.value(name);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return v.toString();
}

// Staff without an e-mail address see their notices in Rightsflow itself.
QString staffChannel(const QString &email)
{
    return email.isEmpty() ? QStringLiteral("internal") : QStringLiteral("email");
}

Status notifyEffect(EffectContext &ctx)
{
    const QString templateName = ctx.params.value(QStringLiteral("template")).toString();
    const QString to = ctx.params.value(QStringLiteral("to")).toString(QStringLiteral("requester"));

    QJsonObject payload {
        {QStringLiteral("reference"), ctx.request.reference},
        {QStringLiteral("right"), ctx.request.right},
        {QStringLiteral("requesterName"), ctx.request.requester.name},
        {QStringLiteral("subjectName"), ctx.request.dataSubject().name},
        {QStringLiteral("received"), isoUtc(ctx.request.received)},
        {QStringLiteral("action"), ctx.transition.name},
        {QStringLiteral("inputs"), ctx.inputs},
    };

    auto queue = [&](const QString &role, const QString &name, const QString &channel, const QString &address) {
        OutboxMessage message;
        message.reference = ctx.request.reference;
        message.templateName = templateName;
        message.recipientRole = role;
        message.recipientName = name;
        message.recipientAddress = address;
        message.channel = channel;
        message.payload = payload;
        message.createdAt = ctx.now;
        ctx.outbox.append(message);
    };

    if (to == QLatin1String("requester")) {
        // The route the requester gave: e-mail, else a letter, else a call
        // an officer makes (intake refuses a request with none of them).
        const Person &requester = ctx.request.requester;
        QStringList postal {requester.address.trimmed(), requester.postcode.trimmed()};
        postal.removeAll(QString());
        if (!requester.email.trimmed().isEmpty())
            queue(to, requester.name, QStringLiteral("email"), requester.email.trimmed());
        else if (!requester.address.trimmed().isEmpty())
            queue(to, requester.name, QStringLiteral("post"), postal.join(QStringLiteral(", ")));
        else
            queue(to, requester.name, QStringLiteral("telephone"), requester.phone.trimmed());
    } else if (to == QLatin1String("assignee")) {
        if (ctx.request.assignee.isEmpty())
            return makeError(ErrorCode::Refused,
                QStringLiteral("the notice '%1' goes to the assignee, but request %2 has none; assign it first")
                    .arg(templateName, ctx.request.reference));
        const std::optional<User> user = ctx.userNamed(ctx.request.assignee);
        queue(to, ctx.request.assignee, staffChannel(user ? user->email : QString()), user ? user->email : QString());
    } else { // dpo
        const QList<User> dpos = ctx.usersWithRole(QStringLiteral("dpo"));
        if (dpos.isEmpty())
            return makeError(ErrorCode::Refused,
                QStringLiteral("the notice '%1' goes to the DPO, but no user has the dpo role; add one "
                               "with 'rightsflow user add NAME --role dpo'")
                    .arg(templateName));
        for (const User &dpo : dpos)
            queue(to, dpo.name, staffChannel(dpo.email), dpo.email);
    }
    return {};
}

QStringList checkNotify(const QJsonObject &params, const TransitionDef &)
{
    QStringList problems = requireOnly(params, {QStringLiteral("template"), QStringLiteral("to")});
    static const QRegularExpression templateName(QStringLiteral("^[a-z0-9][a-z0-9-]*$"));
    const QJsonValue tmpl = params.value(QStringLiteral("template"));
    if (tmpl.isUndefined())
        problems << QStringLiteral("template: missing; name the notice to send, e.g. \"acknowledgement\"");
    else if (!tmpl.isString() || !templateName.match(tmpl.toString()).hasMatch())
        problems << QStringLiteral("template: expected a template name of lower-case letters, digits and '-'");
    const QJsonValue to = params.value(QStringLiteral("to"));
    static const QStringList recipients {QStringLiteral("requester"), QStringLiteral("assignee"), QStringLiteral("dpo")};
    if (!to.isUndefined() && !recipients.contains(to.toString()))
        problems << QStringLiteral("to: expected one of %1").arg(recipients.join(QStringLiteral(", ")));
    return problems;
}

QStringList checkInputEquals(const QJsonObject &params, const TransitionDef &transition)
{
    QStringList problems = requireOnly(params, {QStringLiteral("input"), QStringLiteral("value")});
    const QString inputName = params.value(QStringLiteral("input")).toString();
    if (inputName.isEmpty())
        problems << QStringLiteral("input: missing; name one of this transition's inputs");
    else if (!transition.input(inputName))
        problems << QStringLiteral("input: %1 is not an input of transition %2").arg(inputName, transition.name);
    const QJsonValue value = params.value(QStringLiteral("value"));
    if (!value.isString())
        problems << QStringLiteral("value: expected a string");
    else if (const InputDef *input = transition.input(inputName);
             input && input->type == QLatin1String("choice") && !input->choices.contains(value.toString()))
        problems << QStringLiteral("value: \"%1\" is not one of the choices of input %2, so the transition could never fire")
                        .arg(value.toString(), inputName);
    return problems;
}

QStringList checkAssign(const QJsonObject &params, const TransitionDef &transition)
{
    QStringList problems = requireOnly(params, {QStringLiteral("input")});
    const QString inputName = params.value(QStringLiteral("input")).toString(QStringLiteral("assignee"));
    const InputDef *input = transition.input(inputName);
    if (!input)
        problems << QStringLiteral("input: transition %1 has no input named %2 to take the assignee from")
                        .arg(transition.name, inputName);
    else if (input->type != QLatin1String("user"))
        problems << QStringLiteral("input: %1 must be of type user").arg(inputName);
    else if (!input->required)
        problems << QStringLiteral("input: %1 must be required, or the request could be left assigned to nobody").arg(inputName);
    return problems;
}

QStringList checkExtend(const QJsonObject &params, const TransitionDef &transition)
{
    QStringList problems = requireOnly(params, {QStringLiteral("input")});
    const QString inputName = params.value(QStringLiteral("input")).toString(QStringLiteral("reason"));
    const InputDef *input = transition.input(inputName);
    if (!input || input->type != QLatin1String("text") || !input->required)
        problems << QStringLiteral("input: an extension needs its reasons: give the transition a required text input named %1")
                        .arg(inputName);
    return problems;
}

Status extendEffect(EffectContext &ctx)
{
    const Deadline *deadline = ctx.deadline;
    if (!deadline || !deadline->started)
        return makeError(ErrorCode::Refused,
            QStringLiteral("the clock of %1 has not started, so there is no period to extend").arg(ctx.request.reference));
    if (ctx.request.extended)
        return makeError(ErrorCode::Refused,
            QStringLiteral("%1 was already extended on %2")
                .arg(ctx.request.reference, ctx.request.extensionNoticeOn.toString(Qt::ISODate)));
    // The requester must be told before the first period ends (Art 12(3)).
    if (ctx.today > deadline->firstPeriodEnd)
        return makeError(ErrorCode::Refused,
            QStringLiteral("too late to extend %1: the notice had to be sent by %2")
                .arg(ctx.request.reference, DeadlineCalculator::britishDate(deadline->firstPeriodEnd)));
    ctx.request.extended = true;
    ctx.request.extensionReason
        = ctx.inputs.value(ctx.params.value(QStringLiteral("input")).toString(QStringLiteral("reason"))).toString();
    ctx.request.extensionNoticeOn = ctx.today;
    return {};
}

// Identity or authority evidence is a start event (DOMAIN, time limits, 1):
// the clock runs from the latest of receipt, evidence and fee.
void evidenceArrived(EffectContext &ctx)
{
    const QDate day = ctx.effectiveDay.isValid() ? ctx.effectiveDay : ctx.today;
    if (!ctx.request.identityReceived.isValid() || day > ctx.request.identityReceived)
        ctx.request.identityReceived = day;
}

ActionRegistry makeBuiltins()
{
    ActionRegistry registry;

    registry.registerGuard(
        QStringLiteral("authority-received"),
        QStringLiteral("When someone acts for the data subject, their authority must have been recorded."),
        [](const GuardContext &ctx) -> Status {
            if (ctx.request.actingForSubject && !ctx.request.authorityReceived)
                return makeError(ErrorCode::Refused,
                    QStringLiteral("%1 is made on behalf of %2 and no evidence of authority has been "
                                   "recorded yet")
                        .arg(ctx.request.reference, ctx.request.subject.name));
            return {};
        },
        noParams);

    registry.registerGuard(
        QStringLiteral("assigned"), QStringLiteral("The request must have an assignee."),
        [](const GuardContext &ctx) -> Status {
            if (ctx.request.assignee.isEmpty())
                return makeError(
                    ErrorCode::Refused, QStringLiteral("%1 has no assignee yet; assign it first").arg(ctx.request.reference));
            return {};
        },
        noParams);

    registry.registerGuard(
        QStringLiteral("bundle-fits-email"),
        QStringLiteral("When the response goes by e-mail, the response bundle must be small enough to attach."),
        [](const GuardContext &ctx) -> Status {
            const QString input = ctx.params.value(QStringLiteral("input")).toString(QStringLiteral("delivery"));
            const QString value = ctx.params.value(QStringLiteral("value")).toString(QStringLiteral("email"));
            if (inputText(ctx.inputs, input) != value || !ctx.lastBundle)
                return {};
            const QJsonObject bundle = ctx.lastBundle();
            if (!bundle.value(QStringLiteral("built")).toBool() || bundle.value(QStringLiteral("forEmail")).toBool())
                return {};
            auto mb = [](const QJsonValue &bytes) { return QString::number(bytes.toDouble() / (1024.0 * 1024.0), 'f', 1); };
            return makeError(ErrorCode::Refused,
                QStringLiteral("the response bundle of %1 is %2 MB, more than the %3 MB an e-mail may carry; send it by "
                               "secure download instead (the action that says so)")
                    .arg(ctx.request.reference, mb(bundle.value(QStringLiteral("size"))),
                        mb(bundle.value(QStringLiteral("limit")))));
        },
        [](const QJsonObject &params, const TransitionDef &transition) {
            QStringList problems = requireOnly(params, {QStringLiteral("input"), QStringLiteral("value")});
            const QString inputName = params.value(QStringLiteral("input")).toString(QStringLiteral("delivery"));
            if (!transition.input(inputName))
                problems << QStringLiteral("input: %1 is not an input of transition %2").arg(inputName, transition.name);
            return problems;
        },
        true);

    registry.registerGuard(
        QStringLiteral("bundle-current"),
        QStringLiteral("A request with a case file must have its response bundle built from the case file as it is now."),
        [](const GuardContext &ctx) -> Status {
            if (!ctx.lastBundle)
                return {};
            const QJsonObject bundle = ctx.lastBundle();
            if (bundle.value(QStringLiteral("items")).toDouble() == 0)
                return {}; // nothing was collected in Rightsflow: a response made outside it
            if (!bundle.value(QStringLiteral("built")).toBool())
                return makeError(ErrorCode::Refused,
                    QStringLiteral("%1 has a case file but no response bundle; build it first ('rightsflow bundle build %1 "
                                   "--out FILE.zip')")
                        .arg(ctx.request.reference));
            if (!bundle.value(QStringLiteral("current")).toBool())
                return makeError(ErrorCode::Refused,
                    QStringLiteral("the case file of %1 has changed since its bundle was built, so the bundle would not be what "
                                   "the register says was sent; build it again")
                        .arg(ctx.request.reference));
            return {};
        },
        noParams);

    registry.registerGuard(
        QStringLiteral("input-equals"), QStringLiteral("An input must have a given value."),
        [](const GuardContext &ctx) -> Status {
            const QString name = ctx.params.value(QStringLiteral("input")).toString();
            const QString expected = ctx.params.value(QStringLiteral("value")).toString();
            if (inputText(ctx.inputs, name) != expected)
                return makeError(ErrorCode::Refused, QStringLiteral("input %1 must be '%2' for this action").arg(name, expected));
            return {};
        },
        checkInputEquals, true);

    registry.registerEffect(QStringLiteral("notify"),
        QStringLiteral("Queue a notice from a template to the requester, the assignee or the DPO."), notifyEffect, checkNotify);

    registry.registerEffect(
        QStringLiteral("record-authority"),
        QStringLiteral("Record that evidence of the requester's authority to act for the subject was received."),
        [](EffectContext &ctx) -> Status {
            ctx.request.authorityReceived = true;
            evidenceArrived(ctx);
            return {};
        },
        noParams);

    registry.registerEffect(
        QStringLiteral("record-identity-verified"), QStringLiteral("Record when identity evidence was verified."),
        [](EffectContext &ctx) -> Status {
            ctx.request.identityVerifiedAt = ctx.now;
            evidenceArrived(ctx);
            return {};
        },
        noParams);

    registry.registerEffect(
        QStringLiteral("record-response"), QStringLiteral("Record the date of the final response."),
        [](EffectContext &ctx) -> Status {
            ctx.request.respondedAt = ctx.now;
            return {};
        },
        noParams);

    registry.registerEffect(
        QStringLiteral("record-bundle"),
        QStringLiteral("Record the response bundle 'rightsflow bundle build' has just written: its SHA-256, size, "
                       "entries and the case file it holds, in the audit trail."),
        [](EffectContext &ctx) -> Status {
            // Only the engine knows what it built: an officer firing the
            // action by hand would record a bundle that does not exist.
            if (!ctx.engineFacts || !ctx.engineFacts->contains(QStringLiteral("bundle")))
                return makeError(ErrorCode::Refused,
                    QStringLiteral("it records the bundle that 'rightsflow bundle build %1 --out FILE.zip' writes; run that "
                                   "instead")
                        .arg(ctx.request.reference));
            if (ctx.auditDetails)
                ctx.auditDetails->insert(QStringLiteral("bundle"), ctx.engineFacts->value(QStringLiteral("bundle")));
            return {};
        },
        noParams);

    registry.registerEffect(
        QStringLiteral("assign"), QStringLiteral("Assign the request to the user named by an input."),
        [](EffectContext &ctx) -> Status {
            const QString inputName = ctx.params.value(QStringLiteral("input")).toString(QStringLiteral("assignee"));
            ctx.request.assignee = ctx.inputs.value(inputName).toString();
            return {};
        },
        checkAssign);

    registry.registerEffect(
        QStringLiteral("record-fee-paid"),
        QStringLiteral("Record the day a fee was paid (the clock starts no earlier than that day)."),
        [](EffectContext &ctx) -> Status {
            ctx.request.feePaid = ctx.effectiveDay.isValid() ? ctx.effectiveDay : ctx.today;
            return {};
        },
        noParams);

    registry.registerEffect(QStringLiteral("extend-deadline"),
        QStringLiteral("Extend the period by the rules' extension (two months in the UK), recording the reasons and the day the "
                       "notice went; refused once the first period has ended."),
        extendEffect, checkExtend);

    return registry;
}

} // namespace

const ActionRegistry &ActionRegistry::builtin()
{
    static const ActionRegistry registry = makeBuiltins();
    return registry;
}

} // namespace rf
