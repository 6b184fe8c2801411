// SPDX-License-Identifier: GPL-3.0-or-later
#include "Engine.h"

#include "core/EmailAddress.h"
#include "core/Logging.h"
#include "core/Text.h"
#include "request/IntakeValidator.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QMimeDatabase>
#include <QScopeGuard>

namespace rf {

Engine::Engine(
    Store &store, const WorkflowLibrary &library, const Clock &clock, const ActionRegistry &registry, EngineOptions options)
    : m_store(store)
    , m_library(library)
    , m_clock(clock)
    , m_registry(registry)
    , m_options(options)
{ }

Result<User> Engine::requireUser(const QString &name)
{
    const Result<std::optional<User>> user = m_store.findUser(name);
    if (!user)
        return user.error();
    if (!user->has_value())
        return makeError(ErrorCode::NotFound,
            QStringLiteral("no user '%1' in the register; add one with 'rightsflow user add %1 --role officer'").arg(name));
    if (!(*user)->active)
        return makeError(ErrorCode::Forbidden, QStringLiteral("user '%1' is no longer active").arg(name));
    return **user;
}

Result<Engine::Acting> Engine::beginAction(Transaction &tx, const QString &reference, const QString &userName)
{
    if (Status s = admitsClock(); !s)
        return s.error();
    if (Status s = tx.begin(); !s)
        return s.error();
    // The order every writer takes its locks in: the calendar, then the request.
    if (Status s = m_store.lockCalendar(false); !s)
        return s.error();
    Result<User> user = requireUser(userName);
    if (!user)
        return user.error();
    // Held to the end: no purge or other change slips in between this read
    // and this action's writes (a note or a document would survive a purge).
    if (Status s = m_store.lockRequest(reference.trimmed().toUpper()); !s)
        return s.error();
    // The record alone: actions never need the notes or attachment list.
    Result<Request> loaded = m_store.loadRequest(reference.trimmed().toUpper(), RequestDetail::Record);
    if (!loaded)
        return loaded.error();
    // Its personal data is gone under the retention period: a note or a
    // document added now would never be purged.
    if (loaded->purgedAt.isValid())
        return makeError(ErrorCode::Refused,
            QStringLiteral("%1 was purged on %2 under the retention period; it takes no more notes, documents or actions")
                .arg(loaded->reference, loaded->purgedAt.toTimeZone(councilTimeZone()).date().toString(Qt::ISODate)));
    return Acting {std::move(user).value(), std::move(loaded).value()};
}

AuditEvent Engine::eventOn(const Request &request, const QString &actor, const QString &action) const
{
    AuditEvent event;
    event.reference = request.reference;
    event.at = m_clock.now();
    event.actor = actor;
    event.action = action;
    event.fromState = request.state;
    event.toState = request.state;
    event.requestVersion = request.version;
    return event;
}

namespace {

// The actors the engine itself records; see Engine::isReservedUserName.
const QStringList &reservedUserNames()
{
    static const QStringList names {
        Engine::kIntakeActor, Engine::kWorkerActor, QStringLiteral("setup"), Engine::kSystemRole, QStringLiteral("rightsflow")};
    return names;
}

} // namespace

bool Engine::isReservedUserName(const QString &name)
{
    return reservedUserNames().contains(name.trimmed(), Qt::CaseInsensitive);
}

Status Engine::admitsClock()
{
    if (m_clockAdmitted)
        return {};
    if (Status s = rf::admitsClock(m_store, m_clock); !s)
        return s;
    m_clockAdmitted = true;
    return {};
}

Result<User> Engine::addUser(const QString &name, const QString &role, const QString &email, const QString &actor)
{
    static const QRegularExpression userName(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    QStringList problems;
    if (!userName.match(name).hasMatch())
        problems << QStringLiteral("name: '%1' is not a user name (letters, digits, '.', '_' and '-', up to 64)")
                        .arg(printable(name.left(100)));
    if (!knownRoles().contains(role))
        problems << QStringLiteral("role: unknown role '%1'; use one of %2")
                        .arg(printable(role.left(100)), knownRoles().join(QStringLiteral(", ")));
    if (!checkText(problems, QStringLiteral("email"), email, TextRule::kEmail) && !email.isEmpty()) {
        if (Result<EmailAddress> parsed = EmailAddress::parse(email); !parsed)
            problems << QStringLiteral("email: ") + parsed.error().message;
    }
    if (isReservedUserName(name))
        problems << QStringLiteral("name: '%1' is a name Rightsflow records for itself in a request's history (%2); "
                                   "a person given it would look like the system")
                        .arg(name, reservedUserNames().join(QStringLiteral(", ")));
    if (!problems.isEmpty())
        return makeError(ErrorCode::Invalid, QStringLiteral("the user was not added"), problems);
    if (Status s = admitsClock(); !s)
        return s.error();

    Transaction tx(m_store);
    if (Status s = tx.begin(); !s)
        return s.error();
    // Who may grant a role: an admin, except for the register's very first
    // user, who must be that admin.
    Result<QList<User>> existing = m_store.users();
    if (!existing)
        return existing.error();
    if (existing->isEmpty()) {
        if (role != QLatin1String("admin"))
            return makeError(ErrorCode::Invalid,
                QStringLiteral("role: the first user of a register must be an admin, who then adds the others "
                               "(rightsflow user add %1 --role admin)")
                    .arg(name));
    } else {
        if (actor.isEmpty())
            return makeError(
                ErrorCode::Forbidden, QStringLiteral("only an admin may add users: say which admin you are with --as ADMIN"));
        Result<User> granter = requireUser(actor);
        if (!granter)
            return makeError(granter.error().code, QStringLiteral("only an admin may add users: ") + granter.error().message);
        if (granter->role != QLatin1String("admin"))
            return makeError(ErrorCode::Forbidden,
                QStringLiteral("%1 (role %2) may not add users; an admin must (--as ADMIN)").arg(granter->name, granter->role));
    }
    Result<User> user = m_store.addUser(User {0, name, role, email, true});
    if (!user)
        return user.error();
    AuditEvent event;
    event.at = m_clock.now();
    event.actor = actor.isEmpty() ? QStringLiteral("setup") : actor;
    event.action = QStringLiteral("user-add");
    event.inputs = QJsonObject {{QStringLiteral("name"), name}, {QStringLiteral("role"), role}};
    if (Result<AuditEvent> appended = m_store.appendAudit(event); !appended)
        return appended.error();
    if (Status s = tx.commit(); !s)
        return s.error();
    return user;
}

Result<FiledRequest> Engine::fileRequest(const IntakeForm &input, const QString &actor)
{
    if (Status s = admitsClock(); !s)
        return s.error();
    const QDateTime now = m_clock.now();
    Result<IntakeForm> validated = IntakeValidator(now).validate(input);
    if (!validated)
        return validated.error();
    const IntakeForm &form = *validated;

    const WorkflowDefinition *def = m_library.forRight(form.right);
    if (!def)
        return makeError(ErrorCode::NotFound,
            QStringLiteral("right: no workflow definition for '%1' in %2").arg(form.right, m_library.directory()));
    if (actor != kIntakeActor) {
        Result<User> filer = requireUser(actor);
        if (!filer)
            return filer.error();
    }
    if (!form.assignee.isEmpty()) {
        Result<User> assignee = requireUser(form.assignee);
        if (!assignee)
            return makeError(assignee.error().code, QStringLiteral("assignee: ") + assignee.error().message);
    }

    Transaction tx(m_store);
    if (Status s = tx.begin(); !s)
        return s.error();
    // First, before any row lock: the calendar may not change under the due date.
    if (Status s = m_store.lockCalendar(false); !s)
        return s.error();
    if (Status s = m_store.storeDefinition(def->hash, def->id, def->right, def->canonicalJson, now); !s)
        return s.error();

    QList<Identifier> normalised;
    for (const Identifier &id : form.identifiers)
        normalised.append(Identifier {id.kind, IntakeValidator::normalizeIdentifier(id.kind, id.value)});
    Result<QStringList> duplicates
        = m_store.findByIdentifiers(form.right, normalised, form.received.addDays(-m_options.duplicateWindowDays));
    if (!duplicates)
        return duplicates.error();

    Result<QString> reference = m_store.nextReference(now.date().year());
    if (!reference)
        return reference.error();

    Request r;
    r.reference = *reference;
    r.right = form.right;
    r.channel = form.channel;
    r.received = form.received.toUTC();
    r.requester = form.requester;
    r.actingForSubject = form.actingForSubject;
    r.subject = form.subject;
    r.relationship = form.relationship;
    r.authorityReceived = form.authorityReceived;
    r.identifiers = form.identifiers;
    r.scope = form.scope;
    r.assignee = form.assignee;
    r.state = def->initial;
    r.workflowId = def->id;
    r.workflowHash = def->hash;
    r.version = 1;
    r.possibleDuplicateOf = duplicates->join(QLatin1Char(','));
    r.createdAt = now;
    // The clock: rules pinned to the day of receipt; the first state may
    // already wait for evidence or clarification.
    Result<const DeadlineRuleSet *> rules = rulesOf(r);
    if (!rules)
        return rules.error();
    r.ruleSet = (*rules)->id;
    if (const StateDef *initial = def->state(def->initial)) {
        r.awaitingEvidence = initial->clock == ClockBehaviour::NotStarted;
        if (initial->clock == ClockBehaviour::Paused)
            r.pauses.append(ClockPause {r.received.toTimeZone(councilTimeZone()).date(), QDate()});
    }
    Result<std::shared_ptr<const WorkingCalendar>> workingDays = calendar();
    if (!workingDays)
        return workingDays.error();
    Result<Deadline> deadline = computeDeadline(r, **workingDays, true);
    if (!deadline)
        return deadline.error();
    r.deadline = *deadline;
    r.updatedAt = now;
    r.stateEnteredAt = now;
    Result<qint64> id = m_store.insertRequest(r);
    if (!id)
        return id.error();
    r.id = *id;
    if (Status s = scheduleTimers(r, *def, **workingDays); !s)
        return s.error();

    AuditEvent event;
    event.reference = r.reference;
    event.at = now;
    event.actor = actor;
    event.action = QStringLiteral("file");
    event.toState = r.state;
    event.requestVersion = r.version;
    event.inputs = QJsonObject {{QStringLiteral("right"), r.right}, {QStringLiteral("channel"), r.channel},
        {QStringLiteral("received"), isoUtc(r.received)}, {QStringLiteral("workflow"), r.workflowId},
        {QStringLiteral("workflowHash"), r.workflowHash}};
    if (!duplicates->isEmpty())
        event.inputs.insert(QStringLiteral("possibleDuplicateOf"), QJsonArray::fromStringList(*duplicates));
    if (Result<AuditEvent> appended = m_store.appendAudit(event); !appended)
        return appended.error();
    if (Status s = tx.commit(); !s)
        return s.error();
    qCInfo(lcEngine) << "filed" << r.reference << r.right;
    return FiledRequest {r, *duplicates};
}

Result<Request> Engine::request(const QString &reference)
{
    if (reference.trimmed().isEmpty())
        return makeError(ErrorCode::Invalid, QStringLiteral("no request reference given; give one such as DSR-2026-000123"));
    return m_store.loadRequest(reference.trimmed().toUpper(), RequestDetail::Full);
}

Result<std::shared_ptr<const WorkflowDefinition>> Engine::definitionOf(const Request &request)
{
    if (const auto cached = m_definitions.constFind(request.workflowHash); cached != m_definitions.cend())
        return *cached;
    Result<QByteArray> json = m_store.definitionJson(request.workflowHash);
    if (!json)
        return json.error();
    Result<WorkflowDefinition> def
        = WorkflowLoader(m_registry)
              .parse(*json, QStringLiteral("workflow %1 (version %2)").arg(request.workflowId, request.workflowHash.left(12)));
    if (!def)
        return makeError(ErrorCode::Unsupported,
            QStringLiteral("request %1 runs under a workflow version this Rightsflow cannot run").arg(request.reference),
            def.error().details);
    auto shared = std::make_shared<const WorkflowDefinition>(std::move(def).value());
    m_definitions.insert(request.workflowHash, shared);
    return std::shared_ptr<const WorkflowDefinition>(shared);
}

Status Engine::checkAvailable(const Request &request, const WorkflowDefinition &def, const TransitionDef &transition,
    const User &user, const QJsonObject *inputs)
{
    if (!transition.from.contains(request.state)) {
        const StateDef *state = def.state(request.state);
        return makeError(ErrorCode::Refused,
            QStringLiteral("'%1' cannot be done on %2 while it is %3 (state %4)")
                .arg(transition.name, request.reference, state ? state->label.toLower() : request.state, request.state));
    }
    // The worker fires what a workflow's timer names, whatever its roles.
    if (user.role != kSystemRole && !transition.roles.contains(user.role))
        return makeError(ErrorCode::Forbidden,
            QStringLiteral("%1 (role %2) may not '%3' on %4; that needs the role %5")
                .arg(user.name, user.role, transition.name, request.reference, transition.roles.join(QStringLiteral(" or "))));
    const QJsonObject noInputs;
    const QDateTime now = m_clock.now();
    for (const StepRef &step : transition.guards) {
        const ActionRegistry::GuardEntry *entry = m_registry.guard(step.name);
        if (!entry)
            return makeError(ErrorCode::Unsupported, QStringLiteral("guard '%1' is not known to this Rightsflow").arg(step.name));
        if (!inputs && entry->needsInputs)
            continue;
        const GuardContext ctx {
            request, transition, inputs ? *inputs : noInputs, user, now, step.params, [this, &request]() -> QJsonObject {
                Result<QList<CaseItem>> items = m_store.caseItems(request.id);
                const double itemCount = items ? double(items->size()) : 0.0;
                Result<QList<BundleRecord>> bundles = m_store.bundles(request.id);
                if (!bundles || bundles->isEmpty())
                    return QJsonObject {{QStringLiteral("items"), itemCount}};
                const BundleRecord &last = bundles->constLast();
                Result<bool> kept = m_store.hasContent(request.id, last.sha256);
                return QJsonObject {{QStringLiteral("items"), itemCount}, {QStringLiteral("built"), true},
                    {QStringLiteral("current"), items && BundleBuilder::caseFileDigest(*items) == last.caseFile},
                    {QStringLiteral("size"), double(last.size)}, {QStringLiteral("forEmail"), kept && *kept},
                    {QStringLiteral("limit"), double(m_options.emailAttachmentLimit)}};
            }};
        if (Status s = entry->guard(ctx); !s)
            return makeError(
                s.error().code, QStringLiteral("'%1' is not possible yet: %2").arg(transition.name, s.error().message));
    }
    return {};
}

Result<QList<ActionOffer>> Engine::actions(const Request &request, const QString &userName)
{
    Result<std::shared_ptr<const WorkflowDefinition>> def = definitionOf(request);
    if (!def)
        return def.error();
    std::optional<User> user;
    if (!userName.isEmpty()) {
        Result<User> found = requireUser(userName);
        if (!found)
            return found.error();
        user = *found;
    }
    QList<ActionOffer> offers;
    for (const TransitionDef *t : (*def)->transitionsFrom(request.state)) {
        ActionOffer offer {t->name, t->label, t->description, t->to, t->roles, t->inputs, true, {}};
        if (user) {
            if (Status s = checkAvailable(request, **def, *t, *user, nullptr); !s) {
                offer.allowed = false;
                offer.whyNot = s.error().message;
            }
        }
        offers.append(offer);
    }
    return offers;
}

Result<QJsonObject> Engine::checkInputs(const TransitionDef &transition, const QMap<QString, QString> &raw)
{
    QStringList problems;
    QJsonObject inputs;
    for (auto it = raw.constBegin(); it != raw.constEnd(); ++it) {
        if (!transition.input(it.key())) {
            QStringList names;
            for (const InputDef &in : transition.inputs)
                names << in.name;
            problems << QStringLiteral("input '%1': '%2' takes no such input%3")
                            .arg(printable(it.key().left(100)), transition.name,
                                names.isEmpty() ? QStringLiteral(" (it takes none)")
                                                : QStringLiteral(" (it takes: %1)").arg(names.join(QStringLiteral(", "))));
        }
    }
    for (const InputDef &in : transition.inputs) {
        const QString value = raw.value(in.name).trimmed();
        const QString where = QStringLiteral("input '%1' (%2)").arg(in.name, in.label);
        // Text inputs are free text (a reason may run to lines); every other
        // kind is one short line before it is parsed.
        if (checkText(problems, where, value, in.type == QLatin1String("text") ? TextRule::kNote : TextRule::kShortText))
            continue;
        if (value.isEmpty()) {
            if (in.required)
                problems << where + QStringLiteral(": required");
            continue;
        }
        if (in.type == QLatin1String("date")) {
            Result<QDate> date = parsePersonDate(value, where);
            if (!date)
                problems << date.error().message;
            else
                inputs.insert(in.name, date->toString(Qt::ISODate));
        } else if (in.type == QLatin1String("choice")) {
            if (!in.choices.contains(value))
                problems << where + QStringLiteral(": '%1' is not one of %2").arg(value, in.choices.join(QStringLiteral(", ")));
            else
                inputs.insert(in.name, value);
        } else if (in.type == QLatin1String("boolean")) {
            static const QStringList yes {QStringLiteral("true"), QStringLiteral("yes"), QStringLiteral("1")};
            static const QStringList no {QStringLiteral("false"), QStringLiteral("no"), QStringLiteral("0")};
            if (yes.contains(value.toLower()))
                inputs.insert(in.name, true);
            else if (no.contains(value.toLower()))
                inputs.insert(in.name, false);
            else
                problems << where + QStringLiteral(": '%1' is not yes or no").arg(value);
        } else if (in.type == QLatin1String("user")) {
            Result<User> user = requireUser(value);
            if (!user)
                problems << where + QStringLiteral(": ") + user.error().message;
            else
                inputs.insert(in.name, value);
        } else {
            inputs.insert(in.name, value);
        }
    }
    if (!problems.isEmpty())
        return makeError(
            ErrorCode::Invalid, QStringLiteral("'%1' was not done: the inputs are not right").arg(transition.name), problems);
    return inputs;
}

Error Engine::conflictError(const Request &current, qint64 expectedVersion)
{
    if (expectedVersion > current.version)
        return makeError(ErrorCode::Invalid,
            QStringLiteral("%1 has never been at version %2 (it is at version %3); give the version 'request show' printed")
                .arg(current.reference)
                .arg(expectedVersion)
                .arg(current.version));
    // Name the changes since the caller looked: the events that moved the
    // request to each newer version (notes and attachments do not).
    QStringList changes;
    if (Result<QList<AuditEvent>> events = m_store.auditEvents(current.reference)) {
        qint64 previous = 0;
        for (const AuditEvent &e : *events) {
            if (e.requestVersion != previous && e.requestVersion > expectedVersion)
                changes << QStringLiteral("'%1' by %2 at %3 UTC")
                               .arg(e.action, e.actor, e.at.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
            previous = e.requestVersion;
        }
    }
    return makeError(ErrorCode::Conflict,
        QStringLiteral("%1 was changed by someone else since you loaded it (you saw version %2, it is now version %3%4); "
                       "nothing was done: reload it and decide again")
            .arg(current.reference)
            .arg(expectedVersion)
            .arg(current.version)
            .arg(changes.isEmpty() ? QString() : QStringLiteral(": ") + changes.join(QStringLiteral(", "))));
}

Result<FireOutcome> Engine::fire(const QString &reference, const QString &action, const QString &userName,
    const QMap<QString, QString> &rawInputs, const QString &note, qint64 expectedVersion)
{
    Transaction tx(m_store);
    Result<Acting> acting = beginAction(tx, reference, userName);
    if (!acting)
        return acting.error();
    Result<FireOutcome> outcome = fireInTransaction(acting->user, acting->request, action, rawInputs, note, expectedVersion);
    if (!outcome) {
        // A lost race on a shared register names the request it was about.
        if (outcome.error().code == ErrorCode::Conflict && !outcome.error().message.contains(acting->request.reference))
            return makeError(ErrorCode::Conflict,
                QStringLiteral("'%1' on %2 was not done: %3").arg(action, acting->request.reference, outcome.error().message));
        return outcome.error();
    }
    if (Status s = tx.commit(); !s)
        return s.error();
    qCInfo(lcWorkflow) << outcome->request.reference << action << acting->request.state << "->" << outcome->request.state << "by"
                       << acting->user.name;
    return outcome;
}

Result<FireOutcome> Engine::fireInTransaction(const User &actingUser, const Request &loaded, const QString &action,
    const QMap<QString, QString> &rawInputs, const QString &note, qint64 expectedVersion)
{
    const User *user = &actingUser;
    const Request before = loaded;
    if (expectedVersion >= 0 && before.version != expectedVersion)
        return conflictError(before, expectedVersion);

    Result<std::shared_ptr<const WorkflowDefinition>> defResult = definitionOf(before);
    if (!defResult)
        return defResult.error();
    const WorkflowDefinition &def = **defResult;
    const TransitionDef *transition = def.transition(action);
    if (!transition) {
        QStringList here;
        for (const TransitionDef *t : def.transitionsFrom(before.state))
            here << t->name;
        return makeError(ErrorCode::NotFound,
            QStringLiteral("workflow '%1' has no action '%2'; on %3 now: %4")
                .arg(
                    def.id, action, before.reference, here.isEmpty() ? QStringLiteral("none") : here.join(QStringLiteral(", "))));
    }
    // State, role and the guards that need no inputs first: "you may not do
    // this" matters more than "you filled it in wrongly".
    if (Status s = checkAvailable(before, def, *transition, *user, nullptr); !s)
        return s.error();
    if (const std::optional<QString> problem = textProblem(QStringLiteral("note"), note, TextRule::kNote))
        return makeError(ErrorCode::Invalid, QStringLiteral("'%1' was not done: %2").arg(transition->name, *problem));
    Result<QJsonObject> inputs = checkInputs(*transition, rawInputs);
    if (!inputs)
        return inputs.error();
    if (Status s = checkAvailable(before, def, *transition, *user, &*inputs); !s)
        return s.error();

    const QDateTime now = m_clock.now();
    const QDate day = today();
    // Before the request row is locked: a calendar change waits for this
    // action, or this action waits for it and then sees the new calendar.
    if (Status s = m_store.lockCalendar(false); !s)
        return s.error();
    Result<std::shared_ptr<const WorkingCalendar>> workingDays = calendar();
    if (!workingDays)
        return workingDays.error();
    Request adopted = before;
    adoptLegacyClock(adopted, def);
    Result<Deadline> deadlineBefore = computeDeadline(adopted, **workingDays, false);
    if (!deadlineBefore)
        return deadlineBefore.error();
    Request after = adopted;
    QList<OutboxMessage> queued;
    // The day the clock changes: today, or the day the officer says it
    // happened (evidence or an answer that arrived before it was recorded).
    QDate effective = day;
    if (const QString given = inputs->value(QStringLiteral("effective-date")).toString(); !given.isEmpty()) {
        effective = QDate::fromString(given, Qt::ISODate);
        const QDate received = before.received.toTimeZone(councilTimeZone()).date();
        if (effective > day)
            return makeError(ErrorCode::Invalid, QStringLiteral("'%1' was not done: the inputs are not right").arg(action),
                {QStringLiteral("input 'effective-date': %1 is in the future").arg(given)});
        if (effective < received)
            return makeError(ErrorCode::Invalid, QStringLiteral("'%1' was not done: the inputs are not right").arg(action),
                {QStringLiteral("input 'effective-date': %1 is before the request was received (%2)")
                        .arg(given, received.toString(Qt::ISODate))});
    }

    QJsonObject recorded; // what effects add to the audit event
    for (const StepRef &step : transition->effects) {
        const ActionRegistry::EffectEntry *entry = m_registry.effect(step.name);
        if (!entry)
            return makeError(
                ErrorCode::Unsupported, QStringLiteral("effect '%1' is not known to this Rightsflow").arg(step.name));
        EffectContext ctx {after, *transition, *inputs, *user, now, step.params, queued, activeUsersWithRole(), userNamed(),
            &*deadlineBefore, day, effective, m_engineFacts, &recorded};
        if (Status s = entry->effect(ctx); !s)
            return makeError(s.error().code, QStringLiteral("'%1' was not done: %2").arg(action, s.error().message));
    }

    if (after.extended && !before.extended) {
        Result<const DeadlineRuleSet *> rules = rulesOf(after);
        if (rules && (*rules)->extension == 0)
            return makeError(ErrorCode::Refused,
                QStringLiteral("'%1' was not done: the rules %2 allow no extension").arg(action, after.ruleSet));
    }

    // A transition without a target is an action in place (e.g. an extension).
    after.state = transition->to.isEmpty() ? before.state : transition->to;
    const StateDef *target = def.state(after.state);
    // The statutory clock follows the states: leaving a state that waited for
    // evidence starts it that day; the days in a paused state, both ends
    // counted, are added to the period.
    if (const StateDef *origin = def.state(before.state); origin && target && origin != target) {
        const bool clockRunsThere = target->clock == ClockBehaviour::Running || target->clock == ClockBehaviour::Paused;
        if (origin->clock == ClockBehaviour::NotStarted && clockRunsThere) {
            after.awaitingEvidence = false;
            // The recording effects date what arrived (evidence, fee); a
            // workflow without them starts the clock on the day it moves on.
            if (after.feePaid == before.feePaid && after.identityReceived == before.identityReceived)
                after.identityReceived = effective;
        } else if (target->clock == ClockBehaviour::NotStarted && origin->clock != ClockBehaviour::NotStarted) {
            after.awaitingEvidence = true;
        }
        if (origin->clock == ClockBehaviour::Paused && target->clock != ClockBehaviour::Paused && !after.pauses.isEmpty()
            && !after.pauses.constLast().to.isValid()) {
            if (effective < after.pauses.constLast().from)
                return makeError(ErrorCode::Invalid, QStringLiteral("'%1' was not done: the inputs are not right").arg(action),
                    {QStringLiteral("input 'effective-date': %1 is before the clarification was asked (%2)")
                            .arg(effective.toString(Qt::ISODate), after.pauses.constLast().from.toString(Qt::ISODate))});
            after.pauses.last().to = effective;
        }
        if (target->clock == ClockBehaviour::Paused && origin->clock != ClockBehaviour::Paused) {
            if (!after.pauses.isEmpty() && after.pauses.constLast().to.isValid() && effective <= after.pauses.constLast().to)
                return makeError(ErrorCode::Invalid, QStringLiteral("'%1' was not done: the inputs are not right").arg(action),
                    {QStringLiteral("input 'effective-date': %1 falls in the last clarification, answered on %2")
                            .arg(effective.toString(Qt::ISODate), after.pauses.constLast().to.toString(Qt::ISODate))});
            after.pauses.append(ClockPause {effective, QDate()});
        }
    }
    Result<Deadline> recomputed = computeDeadline(after, **workingDays, true);
    if (!recomputed)
        return recomputed.error();
    after.deadline = *recomputed;
    // A request closes when it enters a closed state and keeps that date while
    // it moves between closed states; leaving them reopens it.
    const bool closesNow = target && target->kind == StateKind::Closed;
    after.closedAt = !closesNow ? QDateTime() : before.closedAt.isValid() ? before.closedAt : now;
    after.version = before.version + 1;
    after.updatedAt = now;
    // Timers in a state count from the day the request entered it; a request
    // from before the register kept that date entered it at its last change.
    if (after.state != before.state)
        after.stateEnteredAt = now;
    else if (!before.stateEnteredAt.isValid())
        after.stateEnteredAt = before.updatedAt.isValid() ? before.updatedAt : now;
    if (Status s = m_store.updateRequest(before, after); !s) {
        if (s.error().code == ErrorCode::Conflict) {
            // Someone committed between our read and our write (possible on a
            // shared register): describe the request as it now stands.
            Result<Request> current = m_store.loadRequest(before.reference, RequestDetail::Record);
            return conflictError(current ? *current : after, before.version);
        }
        return s.error();
    }

    // Timers depend on the state, when it was entered, the deadline and
    // closure: unchanged, they stand as scheduled. (A request from before
    // timers existed has no state-entry time, and gets them now.)
    const bool timersMayMove = !before.stateEnteredAt.isValid() || after.state != before.state
        || after.stateEnteredAt != before.stateEnteredAt || after.deadline.due != before.deadline.due
        || after.deadline.started != before.deadline.started || after.deadline.provisional != before.deadline.provisional
        || after.closedAt != before.closedAt;
    if (timersMayMove) {
        if (Status s = scheduleTimers(after, def, **workingDays); !s)
            return s.error();
    }

    // The audit head is the one row every writer shares: take it last, so
    // concurrent actions on a shared register queue on it as briefly as possible.
    AuditEvent event = eventOn(before, user->name, action);
    event.at = now;
    event.toState = after.state;
    event.requestVersion = after.version;
    event.inputs = *inputs;
    for (auto it = recorded.constBegin(); it != recorded.constEnd(); ++it)
        event.inputs.insert(it.key(), *it);
    event.note = note;
    Result<AuditEvent> appended = m_store.appendAudit(event);
    if (!appended)
        return appended.error();

    if (Status s = enqueueAll(queued, after, appended->seq, user->name, deadlineBefore->due); !s)
        return s.error();
    return FireOutcome {after, *appended, queued};
}

std::function<QList<User>(const QString &)> Engine::activeUsersWithRole()
{
    return [this](const QString &role) {
        QList<User> result;
        if (Result<QList<User>> all = m_store.users()) {
            for (const User &u : *all) {
                if (u.role == role && u.active)
                    result.append(u);
            }
        }
        return result;
    };
}

std::function<std::optional<User>(const QString &)> Engine::userNamed()
{
    return [this](const QString &name) {
        Result<std::optional<User>> found = m_store.findUser(name);
        return found ? *found : std::optional<User>();
    };
}

Status Engine::enqueueAll(
    QList<OutboxMessage> &messages, const Request &request, qint64 auditSeq, const QString &actor, const QDate &dueBefore)
{
    for (qsizetype i = 0; i < messages.size(); ++i) {
        OutboxMessage &message = messages[i];
        // Unique by construction: one audit event, one position in it.
        message.idempotencyKey = QStringLiteral("%1/%2/%3").arg(request.reference).arg(auditSeq).arg(i + 1);
        // What a notice needs that the action has only now worked out: the
        // due date after it (an extension's new date) and before it, and who
        // acted and who has the request.
        if (request.deadline.due.isValid())
            message.payload.insert(QStringLiteral("due"), request.deadline.due.toString(Qt::ISODate));
        if (dueBefore.isValid())
            message.payload.insert(QStringLiteral("dueBefore"), dueBefore.toString(Qt::ISODate));
        message.payload.insert(QStringLiteral("actor"), actor);
        message.payload.insert(QStringLiteral("assignee"), request.assignee);
        // The response to an access or portability request goes with the
        // last bundle built: attached when the register kept it (small
        // enough for e-mail), else to follow by secure download.
        if (message.templateName == QLatin1String("response")
            && (request.right == QLatin1String("access") || request.right == QLatin1String("portability"))) {
            Result<QList<BundleRecord>> bundles = m_store.bundles(request.id);
            if (!bundles)
                return bundles.error();
            if (!bundles->isEmpty()) {
                const BundleRecord &last = bundles->constLast();
                Result<bool> kept = m_store.hasContent(request.id, last.sha256);
                if (!kept)
                    return kept.error();
                message.payload.insert(QStringLiteral("bundle"),
                    QJsonObject {{QStringLiteral("sha256"), last.sha256}, {QStringLiteral("size"), QString::number(last.size)},
                        {QStringLiteral("file"), last.fileName}, {QStringLiteral("attach"), *kept}});
            }
        }
        Result<qint64> id = m_store.enqueue(message);
        if (!id)
            return id.error();
        message.id = *id;
    }
    return {};
}

Status Engine::addNote(const QString &reference, const QString &userName, const QString &text)
{
    if (const std::optional<QString> problem = textProblem(QStringLiteral("note"), text, TextRule::kNote))
        return makeError(ErrorCode::Invalid, QStringLiteral("the note was not added: ") + *problem);
    if (text.trimmed().isEmpty())
        return makeError(ErrorCode::Invalid, QStringLiteral("note: empty; write what should be recorded"));
    Transaction tx(m_store);
    Result<Acting> acting = beginAction(tx, reference, userName);
    if (!acting)
        return acting.error();
    AuditEvent event = eventOn(acting->request, acting->user.name, QStringLiteral("note"));
    event.note = text.trimmed();
    if (Status s = m_store.addNote(acting->request.id, Note {event.at, acting->user.name, event.note}); !s)
        return s;
    if (Result<AuditEvent> appended = m_store.appendAudit(event); !appended)
        return appended.error();
    return tx.commit();
}

Result<Attachment> Engine::attach(
    const QString &reference, const QString &userName, const QString &name, const QByteArray &content)
{
    if (const std::optional<QString> problem = textProblem(QStringLiteral("attachment name"), name, TextRule::kFileName))
        return makeError(ErrorCode::Invalid, *problem);
    const QString cleanName = name.trimmed();
    if (cleanName.isEmpty() || cleanName.contains(QLatin1Char('/')) || cleanName.contains(QLatin1Char('\\')))
        return makeError(ErrorCode::Invalid, QStringLiteral("attachment name: '%1' is not a file name").arg(name));
    if (content.size() > kMaxAttachmentBytes)
        return makeError(ErrorCode::Invalid,
            QStringLiteral("attachment %1: %2 bytes is more than the %3 MiB an attachment may hold")
                .arg(cleanName)
                .arg(content.size())
                .arg(kMaxAttachmentBytes / (1024 * 1024)));
    Transaction tx(m_store);
    Result<Acting> acting = beginAction(tx, reference, userName);
    if (!acting)
        return acting.error();
    AuditEvent event = eventOn(acting->request, acting->user.name, QStringLiteral("attach"));
    Attachment meta;
    meta.name = cleanName;
    meta.mediaType = QMimeDatabase().mimeTypeForFileNameAndData(cleanName, content).name();
    meta.sha256 = QString::fromLatin1(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex());
    meta.size = content.size();
    meta.addedBy = acting->user.name;
    meta.addedAt = event.at;
    Result<qint64> id = m_store.addAttachment(acting->request.id, meta, content);
    if (!id)
        return id.error();
    meta.id = *id;
    event.inputs = QJsonObject {{QStringLiteral("name"), meta.name}, {QStringLiteral("sha256"), meta.sha256},
        {QStringLiteral("size"), QString::number(meta.size)}, {QStringLiteral("mediaType"), meta.mediaType}};
    if (Result<AuditEvent> appended = m_store.appendAudit(event); !appended)
        return appended.error();
    if (Status s = tx.commit(); !s)
        return s.error();
    return meta;
}

// --- deadlines ---------------------------------------------------------------

QDate Engine::today() const
{
    return m_clock.now().toTimeZone(councilTimeZone()).date();
}

Result<QString> Engine::region()
{
    Result<QString> stored = m_store.setting(QStringLiteral("region"));
    if (!stored)
        return stored.error();
    return stored->isEmpty() ? QStringLiteral("england-and-wales") : *stored;
}

Result<std::shared_ptr<const WorkingCalendar>> Engine::calendar()
{
    // Another program on the register may import a calendar or change the
    // region at any time: the two settings are read each time, the calendar
    // rebuilt only when they changed.
    Result<QMap<QString, QString>> settings = m_store.settings();
    if (!settings)
        return settings.error();
    const QString regionName = settings->value(QStringLiteral("region"), QStringLiteral("england-and-wales"));
    const QString hash = settings->value(QStringLiteral("calendar"));
    const QString key = hash + QLatin1Char('/') + regionName;
    if (m_calendar && m_calendarKey == key)
        return m_calendar;
    Result<WorkingCalendar> calendar = makeError(ErrorCode::NotFound, QString());
    if (hash.isEmpty()) {
        calendar = BankHolidays::shipped().region(regionName);
    } else {
        Result<QByteArray> content = m_store.calendarContent(hash);
        if (!content)
            return content.error();
        Result<BankHolidays> holidays = BankHolidays::parse(*content, QStringLiteral("the register's calendar"));
        if (!holidays)
            return holidays.error();
        calendar = holidays->region(regionName);
    }
    if (!calendar)
        return calendar.error();
    m_calendar = std::make_shared<const WorkingCalendar>(std::move(calendar).value());
    m_calendarKey = key;
    return m_calendar;
}

void Engine::adoptLegacyClock(Request &request, const WorkflowDefinition &def) const
{
    // A request filed before the register kept clocks (schema version 1) has
    // no rule set and no clock record: take them from where it stands now.
    if (!request.ruleSet.isEmpty())
        return;
    if (Result<const DeadlineRuleSet *> rules = rulesOf(request))
        request.ruleSet = (*rules)->id;
    if (const StateDef *state = def.state(request.state)) {
        request.awaitingEvidence = state->clock == ClockBehaviour::NotStarted;
        if (state->clock == ClockBehaviour::Paused && (request.pauses.isEmpty() || request.pauses.constLast().to.isValid()))
            request.pauses.append(ClockPause {request.updatedAt.toTimeZone(councilTimeZone()).date(), QDate()});
    }
}

Result<const DeadlineRuleSet *> Engine::rulesOf(const Request &request) const
{
    const DeadlineRuleBook &book = DeadlineRuleBook::shipped();
    const DeadlineRuleSet *rules = request.ruleSet.isEmpty()
        ? book.inForce(m_options.regime, request.received.toTimeZone(councilTimeZone()).date())
        : book.byId(request.ruleSet);
    if (!rules)
        return makeError(ErrorCode::Unsupported,
            request.ruleSet.isEmpty()
                ? QStringLiteral("no %1 deadline rules apply to a request received on %2")
                      .arg(m_options.regime, request.received.toTimeZone(councilTimeZone()).date().toString(Qt::ISODate))
                : QStringLiteral("%1 is pinned to deadline rules '%2', which this Rightsflow does not know")
                      .arg(request.reference, request.ruleSet));
    return rules;
}

Result<Deadline> Engine::computeDeadline(const Request &request, const WorkingCalendar &calendar, bool explain) const
{
    Result<const DeadlineRuleSet *> rules = rulesOf(request);
    if (!rules)
        return rules.error();
    DeadlineInput input;
    input.received = request.received.toTimeZone(councilTimeZone()).date();
    input.identityReceived = request.identityReceived;
    input.feePaid = request.feePaid;
    input.awaitingEvidence = request.awaitingEvidence;
    input.pauses = request.pauses;
    input.extended = request.extended;
    input.asOf = today();
    return DeadlineCalculator::compute(**rules, calendar, input, explain);
}

Result<Deadline> Engine::deadlineOf(const Request &stored, bool explain)
{
    Result<std::shared_ptr<const WorkingCalendar>> workingDays = calendar();
    if (!workingDays)
        return workingDays.error();
    Request request = stored;
    if (request.ruleSet.isEmpty()) {
        Result<std::shared_ptr<const WorkflowDefinition>> def = definitionOf(request);
        if (!def)
            return def.error();
        adoptLegacyClock(request, **def);
    }
    return computeDeadline(request, **workingDays, explain);
}

Result<DeadlineStatus> Engine::statusOf(const Request &request)
{
    Result<std::shared_ptr<const WorkingCalendar>> workingDays = calendar();
    if (!workingDays)
        return workingDays.error();
    Result<Deadline> deadline = deadlineOf(request, false);
    if (!deadline)
        return deadline.error();
    // Answered is what counts against the deadline, else closed.
    QDateTime answered = request.respondedAt.isValid() ? request.respondedAt : request.closedAt;
    const QDate closedOn = answered.isValid() ? answered.toTimeZone(councilTimeZone()).date() : QDate();
    return deadlineStatus(*deadline, **workingDays, today(), closedOn, m_options.dueSoonWorkingDays);
}

Result<User> Engine::requireAdmin(const QString &actor, const QString &what)
{
    Result<User> user = requireUser(actor);
    if (!user)
        return makeError(user.error().code, QStringLiteral("only an admin may %1: %2").arg(what, user.error().message));
    if (user->role != QLatin1String("admin"))
        return makeError(
            ErrorCode::Forbidden, QStringLiteral("%1 (role %2) may not %3; an admin must").arg(user->name, user->role, what));
    return user;
}

Result<int> Engine::importCalendar(const QByteArray &json, const QString &source, const QString &actor)
{
    Result<BankHolidays> holidays = BankHolidays::parse(json, source);
    if (!holidays)
        return holidays.error();
    return changeCalendar(*holidays, QString(), actor, QStringLiteral("calendar-import"),
        QJsonObject {{QStringLiteral("source"), source}, {QStringLiteral("hash"), holidays->hash()}});
}

Result<int> Engine::setRegion(const QString &regionName, const QString &actor)
{
    if (!BankHolidays::kRegions.contains(regionName))
        return makeError(ErrorCode::Invalid,
            QStringLiteral("region: unknown region '%1'; use one of %2")
                .arg(regionName, BankHolidays::kRegions.join(QStringLiteral(", "))));
    return changeCalendar(
        std::nullopt, regionName, actor, QStringLiteral("calendar-region"), QJsonObject {{QStringLiteral("region"), regionName}});
}

Result<int> Engine::changeCalendar(const std::optional<BankHolidays> &holidays, const QString &newRegion, const QString &actor,
    const QString &action, const QJsonObject &details)
{
    if (Status s = admitsClock(); !s)
        return s.error();
    Transaction tx(m_store);
    if (Status s = tx.begin(); !s)
        return s.error();
    // Every action computing a due date holds this lock shared, from before
    // it locks its request: with it held exclusively, no open request is
    // locked by anyone else, and no due date is computed with the old calendar
    // and committed after this change.
    if (Status s = m_store.lockCalendar(true); !s)
        return s.error();
    Result<User> admin = requireAdmin(actor, QStringLiteral("change the calendar"));
    if (!admin)
        return admin.error();
    // The calendar in use now, to compare each open request's due date with.
    Result<std::shared_ptr<const WorkingCalendar>> previous = calendar();
    if (!previous)
        return previous.error();
    Result<QMap<QString, QString>> settings = m_store.settings();
    if (!settings)
        return settings.error();
    const QString regionName = newRegion.isEmpty() ? (*previous)->region() : newRegion;
    QJsonObject audited = details;
    audited.insert(QStringLiteral("previousCalendar"), settings->value(QStringLiteral("calendar"), QStringLiteral("shipped")));
    audited.insert(QStringLiteral("previousRegion"), (*previous)->region());

    const QDateTime now = m_clock.now();
    if (holidays) {
        Result<WorkingCalendar> incoming = holidays->region(regionName);
        if (!incoming)
            return incoming.error();
        // A file that stops earlier than the one in use would silently drop
        // bank holidays the register's deadlines already count.
        if (incoming->lastYear() < (*previous)->lastYear() || incoming->firstYear() > (*previous)->firstYear())
            return makeError(ErrorCode::Invalid,
                QStringLiteral("%1 holds %2 bank holidays for %3 to %4, but the calendar in use covers %5 to %6; importing it "
                               "would drop holidays. Nothing was changed.")
                    .arg(holidays->source(), regionName)
                    .arg(incoming->firstYear())
                    .arg(incoming->lastYear())
                    .arg((*previous)->firstYear())
                    .arg((*previous)->lastYear()));
        QStringList added;
        QStringList removed;
        for (int year = incoming->firstYear(); year <= incoming->lastYear(); ++year) {
            for (const BankHoliday &h : incoming->holidaysIn(year)) {
                if (!(*previous)->holiday(h.date))
                    added << h.date.toString(Qt::ISODate);
            }
            for (const BankHoliday &h : (*previous)->holidaysIn(year)) {
                if (!incoming->holiday(h.date))
                    removed << h.date.toString(Qt::ISODate);
            }
        }
        audited.insert(QStringLiteral("added"), QJsonArray::fromStringList(added));
        audited.insert(QStringLiteral("removed"), QJsonArray::fromStringList(removed));
        if (Status s = m_store.storeCalendar(holidays->hash(), holidays->json(), holidays->source(), admin->name, now); !s)
            return s.error();
        if (Status s = m_store.setSetting(QStringLiteral("calendar"), holidays->hash()); !s)
            return s.error();
    }
    if (!newRegion.isEmpty()) {
        if (Status s = m_store.setSetting(QStringLiteral("region"), newRegion); !s)
            return s.error();
    }
    // The settings just written are read back inside the transaction; if it
    // rolls back, the cache must not keep what never happened.
    auto forget = qScopeGuard([&] {
        m_calendar.reset();
        m_calendarKey.clear();
    });
    Result<std::shared_ptr<const WorkingCalendar>> workingDays = calendar();
    if (!workingDays)
        return workingDays.error();

    // Every open request whose due date the change moves gets the new one,
    // audited; both dates are worked out for today, so a paused request's
    // daily drift is not mistaken for the calendar's doing.
    Result<QStringList> open = m_store.openReferences();
    if (!open)
        return open.error();
    int changed = 0;
    for (const QString &reference : *open) {
        Result<Request> before = m_store.loadRequest(reference, RequestDetail::Record);
        if (!before)
            return before.error();
        Result<Deadline> was = computeDeadline(*before, **previous, false);
        Result<Deadline> deadline = computeDeadline(*before, **workingDays, true);
        if (!was)
            return was.error();
        if (!deadline)
            return deadline.error();
        // Timers counted in working days move with the calendar even when
        // the due date does not.
        Result<std::shared_ptr<const WorkflowDefinition>> def = definitionOf(*before);
        if (!def)
            return def.error();
        if (deadline->due == was->due) {
            if (Status s = scheduleTimers(*before, **def, **workingDays); !s)
                return s.error();
            continue;
        }
        Request after = *before;
        after.deadline = *deadline;
        after.version = before->version + 1;
        after.updatedAt = now;
        if (Status s = m_store.updateRequest(*before, after); !s)
            return s.error();
        if (Status s = scheduleTimers(after, **def, **workingDays); !s)
            return s.error();
        AuditEvent event = eventOn(after, admin->name, QStringLiteral("deadline-recomputed"));
        event.inputs = QJsonObject {{QStringLiteral("from"), was->due.toString(Qt::ISODate)},
            {QStringLiteral("to"), deadline->due.toString(Qt::ISODate)}, {QStringLiteral("because"), action}};
        if (Result<AuditEvent> appended = m_store.appendAudit(event); !appended)
            return appended.error();
        ++changed;
    }
    AuditEvent event;
    event.at = now;
    event.actor = admin->name;
    event.action = action;
    event.inputs = audited;
    event.inputs.insert(QStringLiteral("openRequests"), int(open->size()));
    event.inputs.insert(QStringLiteral("dueDatesChanged"), changed);
    if (Result<AuditEvent> appended = m_store.appendAudit(event); !appended)
        return appended.error();
    if (Status s = tx.commit(); !s)
        return s.error();
    return changed;
}

} // namespace rf
