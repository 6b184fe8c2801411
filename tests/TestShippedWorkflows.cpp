// SPDX-License-Identifier: GPL-3.0-or-later
// The shipped workflow definitions, run through the real Engine on a real
// SQLite register: every simple path from the initial state to a closed state
// of every right, every step the paths do not take (self-loops and steps back
// to an earlier state), and the rules that refuse an action: state, role,
// guards and inputs.

#include "TestSupport.h"

#include "request/Request.h"
#include "workflow/Engine.h"
#include "workflow/WorkflowLoader.h"

#include <QHash>
#include <QMap>
#include <QQueue>
#include <QSet>
#include <QTest>

#include <functional>
#include <map>
#include <memory>
#include <optional>

using namespace rf;
using rf::test::Fixture;

namespace {

// One data row per right, named after it.
void addRowPerRight()
{
    QTest::addColumn<QString>("right");
    for (const QString &right : knownRights())
        QTest::addRow("%s", qPrintable(right)) << right;
}

const QString kOfficer = QStringLiteral("alice");
const QString kDpo = QStringLiteral("dana");

bool isClosed(const WorkflowDefinition &def, const QString &state)
{
    const StateDef *s = def.state(state);
    return s && s->kind == StateKind::Closed;
}

// The user who fires a transition: the officer where officers may, else the DPO.
QString userFor(const TransitionDef &transition)
{
    if (transition.roles.contains(QStringLiteral("officer")))
        return kOfficer;
    if (transition.roles.contains(QStringLiteral("dpo")))
        return kDpo;
    return {};
}

QString validValue(const InputDef &input)
{
    if (input.type == QLatin1String("choice"))
        return input.choices.value(0);
    if (input.type == QLatin1String("date"))
        return QStringLiteral("2026-03-20");
    if (input.type == QLatin1String("boolean"))
        return QStringLiteral("yes");
    if (input.type == QLatin1String("user"))
        return kOfficer;
    return QStringLiteral("Recorded by the test for %1").arg(input.name);
}

// Every required input with a valid value, and whatever an input-equals guard asks for.
QMap<QString, QString> validInputs(const TransitionDef &transition)
{
    QMap<QString, QString> inputs;
    for (const InputDef &input : transition.inputs) {
        if (input.required)
            inputs.insert(input.name, validValue(input));
    }
    for (const StepRef &guard : transition.guards) {
        if (guard.name == QLatin1String("input-equals"))
            inputs.insert(
                guard.params.value(QStringLiteral("input")).toString(), guard.params.value(QStringLiteral("value")).toString());
    }
    return inputs;
}

// Inputs as "name=value" lines, the form the test data carries them in.
QMap<QString, QString> inputsFrom(const QStringList &pairs)
{
    QMap<QString, QString> inputs;
    for (const QString &pair : pairs)
        inputs.insert(pair.section(QLatin1Char('='), 0, 0), pair.section(QLatin1Char('='), 1));
    return inputs;
}

bool hasEffect(const TransitionDef &transition, const QString &effect)
{
    for (const StepRef &step : transition.effects) {
        if (step.name == effect)
            return true;
    }
    return false;
}

// The notices a transition queues, counted by "template to recipient-role".
QMap<QString, int> expectedNotices(const TransitionDef &transition, int dpoCount)
{
    QMap<QString, int> notices;
    for (const StepRef &step : transition.effects) {
        if (step.name != QLatin1String("notify"))
            continue;
        const QString to = step.params.value(QStringLiteral("to")).toString(QStringLiteral("requester"));
        const QString key = step.params.value(QStringLiteral("template")).toString() + QStringLiteral(" to ") + to;
        notices[key] += to == QLatin1String("dpo") ? dpoCount : 1;
    }
    return notices;
}

QMap<QString, int> noticesIn(const QList<OutboxMessage> &messages)
{
    QMap<QString, int> notices;
    for (const OutboxMessage &message : messages)
        notices[message.templateName + QStringLiteral(" to ") + message.recipientRole] += 1;
    return notices;
}

void addCounts(QMap<QString, int> &total, const QMap<QString, int> &more)
{
    for (auto it = more.constBegin(); it != more.constEnd(); ++it)
        total[it.key()] += it.value();
}

QString describe(const QMap<QString, int> &notices)
{
    QStringList parts;
    for (auto it = notices.constBegin(); it != notices.constEnd(); ++it)
        parts << QStringLiteral("%1 x%2").arg(it.key()).arg(it.value());
    return parts.isEmpty() ? QStringLiteral("none") : parts.join(QStringLiteral(", "));
}

// Every path from `state` to a closed state that visits no state twice, as
// lists of transition names. A transition back to a visited state (including
// a self-loop) is not followed.
void collectSimplePaths(
    const WorkflowDefinition &def, const QString &state, QSet<QString> &visited, QStringList &path, QList<QStringList> &paths)
{
    if (isClosed(def, state)) {
        paths.append(path);
        return;
    }
    for (const TransitionDef *t : def.transitionsFrom(state)) {
        if (visited.contains(t->to))
            continue;
        visited.insert(t->to);
        path.append(t->name);
        collectSimplePaths(def, t->to, visited, path, paths);
        path.removeLast();
        visited.remove(t->to);
    }
}

QList<QStringList> simplePaths(const WorkflowDefinition &def)
{
    QList<QStringList> paths;
    QSet<QString> visited {def.initial};
    QStringList path;
    collectSimplePaths(def, def.initial, visited, path, paths);
    return paths;
}

// The fewest transitions (self-loops aside) from `from` to a state for which
// `isTarget` holds; empty when `from` is one.
std::optional<QStringList> shortestWalk(
    const WorkflowDefinition &def, const QString &from, const std::function<bool(const QString &)> &isTarget)
{
    QHash<QString, QStringList> walkTo {{from, {}}};
    QQueue<QString> queue;
    queue.enqueue(from);
    while (!queue.isEmpty()) {
        const QString state = queue.dequeue();
        if (isTarget(state))
            return walkTo.value(state);
        for (const TransitionDef *t : def.transitionsFrom(state)) {
            if (walkTo.contains(t->to))
                continue;
            walkTo.insert(t->to, walkTo.value(state) + QStringList {t->name});
            queue.enqueue(t->to);
        }
    }
    return std::nullopt;
}

std::optional<QStringList> walkToState(const WorkflowDefinition &def, const QString &target)
{
    return shortestWalk(def, def.initial, [&target](const QString &state) { return state == target; });
}

std::optional<QStringList> walkToClosed(const WorkflowDefinition &def, const QString &from)
{
    return shortestWalk(def, from, [&def](const QString &state) { return isClosed(def, state); });
}

// "access: received>checking>collecting>...>completed"; where two transitions
// join the same pair of states, the one taken is named after "via".
QString pathName(const WorkflowDefinition &def, const QStringList &path)
{
    QStringList states {def.initial};
    QStringList via;
    for (const QString &name : path) {
        const TransitionDef *t = def.transition(name);
        int parallel = 0;
        for (const TransitionDef *other : def.transitionsFrom(states.constLast()))
            parallel += other->to == t->to ? 1 : 0;
        if (parallel > 1)
            via << name;
        states << t->to;
    }
    QString result = def.right + QStringLiteral(": ") + states.join(QLatin1Char('>'));
    if (!via.isEmpty())
        result += QStringLiteral(" via ") + via.join(QStringLiteral(", "));
    return result;
}

// What the effects of `transition` should have left on `request`; an empty
// string when they did.
QString effectsMissing(
    const TransitionDef &transition, const Request &request, const QMap<QString, QString> &inputs, const QDateTime &now)
{
    QStringList problems;
    if (hasEffect(transition, QStringLiteral("record-response")) && request.respondedAt != now)
        problems << QStringLiteral("respondedAt not recorded");
    if (hasEffect(transition, QStringLiteral("record-identity-verified")) && request.identityVerifiedAt != now)
        problems << QStringLiteral("identityVerifiedAt not recorded");
    if (hasEffect(transition, QStringLiteral("record-authority")) && !request.authorityReceived)
        problems << QStringLiteral("authorityReceived not set");
    if (hasEffect(transition, QStringLiteral("extend-deadline"))) {
        if (!request.extended || request.extensionReason != inputs.value(QStringLiteral("reason")))
            problems << QStringLiteral("extension not recorded with its reasons");
        else if (request.extensionNoticeOn != now.toTimeZone(councilTimeZone()).date())
            problems << QStringLiteral("extension notice date is %1").arg(request.extensionNoticeOn.toString(Qt::ISODate));
        // Three months from the start instead of one.
        else if (request.deadline.unrolledDue < request.deadline.start.addMonths(3))
            problems << QStringLiteral("due date %1 is not three months on").arg(request.deadline.due.toString(Qt::ISODate));
    }
    for (const StepRef &step : transition.effects) {
        if (step.name != QLatin1String("assign"))
            continue;
        const QString expected = inputs.value(step.params.value(QStringLiteral("input")).toString(QStringLiteral("assignee")));
        if (request.assignee != expected)
            problems << QStringLiteral("assignee is '%1', expected '%2'").arg(request.assignee, expected);
    }
    return problems.join(QStringLiteral("; "));
}

// Files `form` and returns its reference, or an empty string (with a warning).
QString file(Fixture &f, const IntakeForm &form)
{
    const Result<FiledRequest> filed = f.engine->fileRequest(form, kOfficer);
    if (!filed) {
        qWarning() << filed.error().fullText();
        return {};
    }
    return filed->request.reference;
}

// Fires each transition in turn with a permitted user and valid inputs.
// Returns what went wrong, or an empty string.
QString walk(Fixture &f, const WorkflowDefinition &def, const QString &reference, const QStringList &transitions)
{
    for (const QString &name : transitions) {
        const TransitionDef *t = def.transition(name);
        if (!t)
            return QStringLiteral("no transition %1").arg(name);
        const Result<FireOutcome> fired = f.engine->fire(reference, name, userFor(*t), validInputs(*t), {});
        if (!fired)
            return QStringLiteral("%1: %2").arg(name, fired.error().fullText());
        if (fired->request.state != t->to)
            return QStringLiteral("%1 led to %2, not %3").arg(name, fired->request.state, t->to);
    }
    return {};
}

int dpoCount(Fixture &f)
{
    int count = 0;
    if (Result<QList<User>> users = f.store->users()) {
        for (const User &user : *users)
            count += user.role == QLatin1String("dpo") && user.active ? 1 : 0;
    }
    return count;
}

qsizetype auditCount(Fixture &f, const QString &reference)
{
    const Result<QList<AuditEvent>> events = f.store->auditEvents(reference);
    return events ? events->size() : -1;
}

qsizetype outboxCount(Fixture &f, const QString &reference)
{
    const Result<QList<OutboxMessage>> messages = f.store->outbox(reference);
    return messages ? messages->size() : -1;
}

} // namespace

class TestShippedWorkflows : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void everySimplePathReachesItsClosedState_data();
    void everySimplePathReachesItsClosedState();
    void everyStepOffTheSimplePaths_data();
    void everyStepOffTheSimplePaths();

    void transitionFromAnotherStateIsRefused_data();
    void transitionFromAnotherStateIsRefused();
    void dpoOnlyTransitionIsForbiddenToOfficer_data();
    void dpoOnlyTransitionIsForbiddenToOfficer();
    void startWorkWaitsForAuthority_data();
    void startWorkWaitsForAuthority();
    void startWorkWaitsForAssignee_data();
    void startWorkWaitsForAssignee();
    void invalidInputsAreRefused_data();
    void invalidInputsAreRefused();
    void unknownActionIsNotFound();

private:
    const WorkflowDefinition *definition(const QString &right) const { return m_library.forRight(right); }
    Fixture *sharedFixture(const QString &right);

    WorkflowLibrary m_library;
    // One register per right for the path rows: each row files its own
    // request and checks only that request's record, audit trail and
    // messages, so rows stay independent while the suite sets up seven
    // registers instead of one per row.
    std::map<QString, std::unique_ptr<Fixture>> m_fixtures;
};

Fixture *TestShippedWorkflows::sharedFixture(const QString &right)
{
    std::unique_ptr<Fixture> &fixture = m_fixtures[right];
    if (!fixture) {
        auto created = std::make_unique<Fixture>();
        if (!created->setUp())
            return nullptr;
        fixture = std::move(created);
    }
    return fixture.get();
}

void TestShippedWorkflows::initTestCase()
{
    Result<WorkflowLibrary> library = WorkflowLibrary::load(rf::test::shippedWorkflowsDir());
    QVERIFY2(library.ok(), library ? "" : qPrintable(library.error().fullText()));
    m_library = std::move(library).value();
    QCOMPARE(m_library.all().size(), knownRights().size());
}

void TestShippedWorkflows::cleanupTestCase()
{
    m_fixtures.clear();
}

void TestShippedWorkflows::everySimplePathReachesItsClosedState_data()
{
    QTest::addColumn<QString>("right");
    QTest::addColumn<QStringList>("path");

    for (const QString &right : knownRights()) {
        const WorkflowDefinition *def = definition(right);
        QVERIFY2(def, qPrintable(right));
        const QList<QStringList> paths = simplePaths(*def);
        QVERIFY2(!paths.isEmpty(), qPrintable(right));
        for (const QStringList &path : paths)
            QTest::addRow("%s", qPrintable(pathName(*def, path))) << right << path;
    }
}

void TestShippedWorkflows::everySimplePathReachesItsClosedState()
{
    QFETCH(QString, right);
    QFETCH(QStringList, path);
    const WorkflowDefinition *def = definition(right);
    QVERIFY(def);

    Fixture *shared = sharedFixture(right);
    QVERIFY(shared);
    Fixture &f = *shared;
    const int dpos = dpoCount(f);
    QVERIFY(dpos > 0);
    const Result<AuditVerification> verifiedBefore = f.store->verifyAudit();
    QVERIFY(verifiedBefore.ok());
    const QString reference = file(f, rf::test::sampleForm(right));
    QVERIFY(!reference.isEmpty());

    QString state = def->initial;
    qint64 version = 1;
    QMap<QString, int> expected;
    bool responded = false;
    for (const QString &name : path) {
        const TransitionDef *t = def->transition(name);
        QVERIFY(t);
        const QString user = userFor(*t);
        QVERIFY2(!user.isEmpty(), qPrintable(name));
        const QMap<QString, QString> inputs = validInputs(*t);
        const Result<FireOutcome> fired = f.engine->fire(reference, name, user, inputs, {}, version);
        QVERIFY2(fired.ok(), fired ? "" : qPrintable(name + QStringLiteral(": ") + fired.error().fullText()));

        ++version;
        QCOMPARE(fired->request.state, t->to);
        QCOMPARE(fired->request.version, version);
        QCOMPARE(fired->request.closedAt.isValid(), isClosed(*def, t->to));
        QCOMPARE(fired->event.action, name);
        QCOMPARE(fired->event.fromState, state);
        QCOMPARE(fired->event.toState, t->to);
        QCOMPARE(fired->event.actor, user);
        const QMap<QString, int> notices = expectedNotices(*t, dpos);
        QCOMPARE(describe(noticesIn(fired->queued)), describe(notices));
        const QString missing = effectsMissing(*t, fired->request, inputs, f.clock->now());
        QVERIFY2(missing.isEmpty(), qPrintable(name + QStringLiteral(": ") + missing));

        addCounts(expected, notices);
        responded = responded || hasEffect(*t, QStringLiteral("record-response"));
        state = t->to;
    }
    QVERIFY(isClosed(*def, state));

    // What the register holds, read back.
    const Result<Request> request = f.engine->request(reference);
    QVERIFY2(request.ok(), request ? "" : qPrintable(request.error().fullText()));
    QCOMPARE(request->state, state);
    QCOMPARE(request->closedAt, f.clock->now());
    QCOMPARE(request->version, 1 + path.size());
    QCOMPARE(request->respondedAt.isValid(), responded);
    QCOMPARE(request->workflowHash, def->hash);

    const Result<QList<AuditEvent>> events = f.store->auditEvents(reference);
    QVERIFY(events.ok());
    QCOMPARE(events->size(), 1 + path.size());
    QCOMPARE(events->at(0).action, QStringLiteral("file"));
    QVERIFY(events->at(0).fromState.isEmpty());
    QCOMPARE(events->at(0).toState, def->initial);
    QString from = def->initial;
    for (qsizetype i = 0; i < path.size(); ++i) {
        const AuditEvent &event = events->at(i + 1);
        const TransitionDef *t = def->transition(path.at(i));
        QCOMPARE(event.action, path.at(i));
        QCOMPARE(event.fromState, from);
        QCOMPARE(event.toState, t->to);
        QCOMPARE(event.actor, userFor(*t));
        from = t->to;
    }

    const Result<AuditVerification> verified = f.store->verifyAudit();
    QVERIFY(verified.ok());
    QVERIFY2(verified->intact, qPrintable(verified->problem));
    // The whole chain verifies, and grew by the filing and one event per step.
    QCOMPARE(verified->eventsChecked, verifiedBefore->eventsChecked + 1 + path.size());

    const Result<QList<OutboxMessage>> outbox = f.store->outbox(reference);
    QVERIFY(outbox.ok());
    QCOMPARE(describe(noticesIn(*outbox)), describe(expected));
    for (const OutboxMessage &message : *outbox) {
        QCOMPARE(message.reference, reference);
        QCOMPARE(message.status, QStringLiteral("queued"));
    }
}

void TestShippedWorkflows::everyStepOffTheSimplePaths_data()
{
    // The steps no simple path takes: self-loops such as assign and
    // authority-received on checking, and steps back to a state the request
    // has been in, such as clarification-received. Each is taken once, from
    // each state it leaves, and the request is then brought to a close.
    QTest::addColumn<QString>("right");
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("transition");

    for (const QString &right : knownRights()) {
        const WorkflowDefinition *def = definition(right);
        QVERIFY2(def, qPrintable(right));
        QSet<QString> taken; // "state/transition"
        for (const QStringList &path : simplePaths(*def)) {
            QString state = def->initial;
            for (const QString &name : path) {
                taken.insert(state + QLatin1Char('/') + name);
                state = def->transition(name)->to;
            }
        }
        for (const TransitionDef &t : def->transitions) {
            for (const QString &from : t.from) {
                if (!taken.contains(from + QLatin1Char('/') + t.name))
                    QTest::addRow("%s: %s from %s", qPrintable(right), qPrintable(t.name), qPrintable(from))
                        << right << from << t.name;
            }
        }
    }
}

void TestShippedWorkflows::everyStepOffTheSimplePaths()
{
    QFETCH(QString, right);
    QFETCH(QString, from);
    QFETCH(QString, transition);
    const WorkflowDefinition *def = definition(right);
    QVERIFY(def);
    const TransitionDef *t = def->transition(transition);
    QVERIFY(t);

    Fixture f;
    QVERIFY(f.setUp());
    const QString reference = file(f, rf::test::sampleForm(right));
    QVERIFY(!reference.isEmpty());

    const std::optional<QStringList> before = walkToState(*def, from);
    QVERIFY2(before, qPrintable(from));
    QString problem = walk(f, *def, reference, *before);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    const QMap<QString, QString> inputs = validInputs(*t);
    const qsizetype queuedBefore = outboxCount(f, reference);
    const Result<FireOutcome> fired = f.engine->fire(reference, transition, userFor(*t), inputs, {});
    if (transition == rf::Engine::kBuildBundleAction) {
        // Only the bundle builder fires it, with the bundle it wrote (TestBundle);
        // by hand it is refused and changes nothing.
        QVERIFY(!fired);
        QCOMPARE(fired.error().code, rf::ErrorCode::Refused);
        QVERIFY2(fired.error().message.contains(QStringLiteral("bundle build")), qPrintable(fired.error().message));
        QCOMPARE(outboxCount(f, reference), queuedBefore);
        return;
    }
    QVERIFY2(fired.ok(), fired ? "" : qPrintable(fired.error().fullText()));
    // A transition without a target is an action in place.
    const QString target = t->to.isEmpty() ? from : t->to;
    QCOMPARE(fired->request.state, target);
    QCOMPARE(fired->request.version, 2 + before->size());
    QCOMPARE(fired->event.fromState, from);
    QCOMPARE(fired->event.toState, target);
    QCOMPARE(describe(noticesIn(fired->queued)), describe(expectedNotices(*t, dpoCount(f))));
    QCOMPARE(outboxCount(f, reference), queuedBefore + fired->queued.size());
    const QString missing = effectsMissing(*t, fired->request, inputs, f.clock->now());
    QVERIFY2(missing.isEmpty(), qPrintable(missing));

    // The request can still be brought to a close from there.
    const std::optional<QStringList> after = walkToClosed(*def, target);
    QVERIFY2(after, qPrintable(target));
    problem = walk(f, *def, reference, *after);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    const qsizetype steps = before->size() + 1 + after->size();
    const Result<Request> request = f.engine->request(reference);
    QVERIFY(request.ok());
    QVERIFY(isClosed(*def, request->state));
    QCOMPARE(request->closedAt, f.clock->now());
    QCOMPARE(request->version, 1 + steps);
    QCOMPARE(auditCount(f, reference), 1 + steps);
    const Result<AuditVerification> verified = f.store->verifyAudit();
    QVERIFY(verified.ok());
    QVERIFY2(verified->intact, qPrintable(verified->problem));
}

void TestShippedWorkflows::transitionFromAnotherStateIsRefused_data()
{
    addRowPerRight();
}

void TestShippedWorkflows::transitionFromAnotherStateIsRefused()
{
    QFETCH(QString, right);
    const WorkflowDefinition *def = definition(right);
    QVERIFY(def);

    Fixture f;
    QVERIFY(f.setUp());
    const QString reference = file(f, rf::test::sampleForm(right));
    QVERIFY(!reference.isEmpty());

    // Every transition that does not leave the current state is refused, even
    // with a permitted user and valid inputs, and changes nothing. Checked in
    // the initial state and again once the request is closed.
    const auto everyOtherIsRefused = [&](const QString &state, qint64 version, qsizetype events) {
        int refused = 0;
        for (const TransitionDef &t : def->transitions) {
            if (t.from.contains(state))
                continue;
            const Result<FireOutcome> fired = f.engine->fire(reference, t.name, userFor(t), validInputs(t), {});
            QVERIFY2(!fired.ok(), qPrintable(t.name));
            QCOMPARE(fired.error().code, ErrorCode::Refused);
            QVERIFY2(fired.error().message.contains(t.name) && fired.error().message.contains(state),
                qPrintable(fired.error().message));
            ++refused;
        }
        QVERIFY(refused > 0);
        const Result<Request> request = f.engine->request(reference);
        QVERIFY(request.ok());
        QCOMPARE(request->state, state);
        QCOMPARE(request->version, version);
        QCOMPARE(auditCount(f, reference), events);
    };

    everyOtherIsRefused(def->initial, 1, 1);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(outboxCount(f, reference), 0);

    const std::optional<QStringList> toClose = walkToClosed(*def, def->initial);
    QVERIFY(toClose);
    const QString problem = walk(f, *def, reference, *toClose);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const Result<Request> closed = f.engine->request(reference);
    QVERIFY(closed.ok());
    const qsizetype queued = outboxCount(f, reference);
    everyOtherIsRefused(closed->state, closed->version, 1 + toClose->size());
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(outboxCount(f, reference), queued);
    QCOMPARE(f.engine->request(reference)->closedAt, closed->closedAt);
}

void TestShippedWorkflows::dpoOnlyTransitionIsForbiddenToOfficer_data()
{
    QTest::addColumn<QString>("right");
    QTest::addColumn<QString>("transition");
    for (const QString &right : knownRights()) {
        const WorkflowDefinition *def = definition(right);
        QVERIFY2(def, qPrintable(right));
        for (const TransitionDef &t : def->transitions) {
            if (!t.roles.contains(QStringLiteral("officer")))
                QTest::addRow("%s: %s", qPrintable(right), qPrintable(t.name)) << right << t.name;
        }
    }
}

void TestShippedWorkflows::dpoOnlyTransitionIsForbiddenToOfficer()
{
    QFETCH(QString, right);
    QFETCH(QString, transition);
    const WorkflowDefinition *def = definition(right);
    QVERIFY(def);
    const TransitionDef *t = def->transition(transition);
    QVERIFY(t);
    QCOMPARE(t->roles, QStringList {QStringLiteral("dpo")});

    Fixture f;
    QVERIFY(f.setUp());
    const QString reference = file(f, rf::test::sampleForm(right));
    QVERIFY(!reference.isEmpty());
    const std::optional<QStringList> before = walkToState(*def, t->from.constFirst());
    QVERIFY(before);
    const QString problem = walk(f, *def, reference, *before);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const qint64 version = 1 + before->size();
    const qsizetype events = auditCount(f, reference);
    const qsizetype queued = outboxCount(f, reference);

    const Result<FireOutcome> byOfficer = f.engine->fire(reference, transition, kOfficer, validInputs(*t), {}, version);
    QVERIFY2(!byOfficer.ok(), "an officer took a DPO-only action");
    QCOMPARE(byOfficer.error().code, ErrorCode::Forbidden);
    QVERIFY2(byOfficer.error().message.contains(QStringLiteral("dpo")), qPrintable(byOfficer.error().message));
    const Result<Request> unchanged = f.engine->request(reference);
    QVERIFY(unchanged.ok());
    QCOMPARE(unchanged->state, t->from.constFirst());
    QCOMPARE(unchanged->version, version);
    QCOMPARE(auditCount(f, reference), events);
    QCOMPARE(outboxCount(f, reference), queued);

    const Result<FireOutcome> byDpo = f.engine->fire(reference, transition, kDpo, validInputs(*t), {}, version);
    QVERIFY2(byDpo.ok(), byDpo ? "" : qPrintable(byDpo.error().fullText()));
    QCOMPARE(byDpo->request.state, t->to);
    QCOMPARE(byDpo->event.actor, kDpo);
}

void TestShippedWorkflows::startWorkWaitsForAuthority_data()
{
    addRowPerRight();
}

void TestShippedWorkflows::startWorkWaitsForAuthority()
{
    QFETCH(QString, right);
    const WorkflowDefinition *def = definition(right);
    QVERIFY(def);
    const TransitionDef *startWork = def->transition(QStringLiteral("start-work"));
    QVERIFY(startWork);

    Fixture f;
    QVERIFY(f.setUp());
    IntakeForm form = rf::test::sampleForm(right);
    form.actingForSubject = true;
    form.subject = Person {QStringLiteral("Thomas Ellis"), {}, {}, {}, QStringLiteral("L20 7AB")};
    form.relationship = QStringLiteral("parent");
    form.authorityReceived = false;
    const QString reference = file(f, form);
    QVERIFY(!reference.isEmpty());
    const std::optional<QStringList> toChecking = walkToState(*def, QStringLiteral("checking"));
    QVERIFY(toChecking);
    QString problem = walk(f, *def, reference, *toChecking);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const qint64 version = 1 + toChecking->size();

    const Result<FireOutcome> early = f.engine->fire(reference, QStringLiteral("start-work"), kOfficer, {}, {});
    QVERIFY2(!early.ok(), "work started without evidence of authority");
    QCOMPARE(early.error().code, ErrorCode::Refused);
    QVERIFY2(early.error().message.contains(QStringLiteral("authority")) && early.error().message.contains(form.subject.name),
        qPrintable(early.error().message));
    Result<Request> request = f.engine->request(reference);
    QVERIFY(request.ok());
    QCOMPARE(request->state, QStringLiteral("checking"));
    QCOMPARE(request->version, version);
    QVERIFY(!request->authorityReceived);
    QCOMPARE(auditCount(f, reference), 1 + toChecking->size());

    // The offer says the same, before anyone tries.
    const Result<QList<ActionOffer>> offers = f.engine->actions(*request, kOfficer);
    QVERIFY(offers.ok());
    bool offered = false;
    for (const ActionOffer &offer : *offers) {
        if (offer.name == QLatin1String("start-work")) {
            offered = true;
            QVERIFY(!offer.allowed);
            QVERIFY2(offer.whyNot.contains(QStringLiteral("authority")), qPrintable(offer.whyNot));
        }
    }
    QVERIFY(offered);

    const Result<FireOutcome> authority = f.engine->fire(reference, QStringLiteral("authority-received"), kOfficer,
        {{QStringLiteral("evidence"), QStringLiteral("Birth certificate")}}, {});
    QVERIFY2(authority.ok(), authority ? "" : qPrintable(authority.error().fullText()));
    QCOMPARE(authority->request.state, QStringLiteral("checking"));
    QVERIFY(authority->request.authorityReceived);
    QCOMPARE(authority->event.fromState, QStringLiteral("checking"));
    QCOMPARE(authority->event.toState, QStringLiteral("checking"));

    const Result<FireOutcome> started = f.engine->fire(reference, QStringLiteral("start-work"), kOfficer, {}, {});
    QVERIFY2(started.ok(), started ? "" : qPrintable(started.error().fullText()));
    QCOMPARE(started->request.state, startWork->to);
    QCOMPARE(started->request.version, version + 2);
    request = f.engine->request(reference);
    QVERIFY(request.ok());
    QVERIFY(request->authorityReceived);
    QCOMPARE(request->state, startWork->to);
}

void TestShippedWorkflows::startWorkWaitsForAssignee_data()
{
    addRowPerRight();
}

void TestShippedWorkflows::startWorkWaitsForAssignee()
{
    QFETCH(QString, right);
    const WorkflowDefinition *def = definition(right);
    QVERIFY(def);
    const TransitionDef *startWork = def->transition(QStringLiteral("start-work"));
    QVERIFY(startWork);

    Fixture f;
    QVERIFY(f.setUp());
    const QString reference = file(f, rf::test::sampleForm(right, QString()));
    QVERIFY(!reference.isEmpty());
    const std::optional<QStringList> toChecking = walkToState(*def, QStringLiteral("checking"));
    QVERIFY(toChecking);
    QString problem = walk(f, *def, reference, *toChecking);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const qint64 version = 1 + toChecking->size();

    const Result<FireOutcome> early = f.engine->fire(reference, QStringLiteral("start-work"), kOfficer, {}, {});
    QVERIFY2(!early.ok(), "work started on a request nobody is assigned to");
    QCOMPARE(early.error().code, ErrorCode::Refused);
    QVERIFY2(early.error().message.contains(QStringLiteral("assign")), qPrintable(early.error().message));
    Result<Request> request = f.engine->request(reference);
    QVERIFY(request.ok());
    QCOMPARE(request->version, version);
    QVERIFY(request->assignee.isEmpty());

    const Result<FireOutcome> assigned = f.engine->fire(
        reference, QStringLiteral("assign"), kOfficer, {{QStringLiteral("assignee"), QStringLiteral("bilal")}}, {});
    QVERIFY2(assigned.ok(), assigned ? "" : qPrintable(assigned.error().fullText()));
    QCOMPARE(assigned->request.assignee, QStringLiteral("bilal"));
    QCOMPARE(assigned->request.state, QStringLiteral("checking"));
    QCOMPARE(assigned->event.inputs.value(QStringLiteral("assignee")).toString(), QStringLiteral("bilal"));
    request = f.engine->request(reference);
    QVERIFY(request.ok());
    QCOMPARE(request->assignee, QStringLiteral("bilal"));
    QCOMPARE(request->version, version + 1);

    const Result<FireOutcome> started = f.engine->fire(reference, QStringLiteral("start-work"), kOfficer, {}, {});
    QVERIFY2(started.ok(), started ? "" : qPrintable(started.error().fullText()));
    QCOMPARE(started->request.state, startWork->to);
    QCOMPARE(started->request.assignee, QStringLiteral("bilal"));
}

void TestShippedWorkflows::invalidInputsAreRefused_data()
{
    QTest::addColumn<QString>("right");
    QTest::addColumn<QString>("transition");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QStringList>("inputs"); // "name=value"
    QTest::addColumn<QStringList>("phrases"); // all in one line of the details

    const auto s = [](const char *text) { return QString::fromUtf8(text); };
    QTest::addRow("missing required input") << s("access") << s("request-identity") << kOfficer << QStringList()
                                            << QStringList {s("evidence-needed"), s("required")};
    QTest::addRow("blank required input") << s("access") << s("request-identity") << kOfficer
                                          << QStringList {s("evidence-needed=   ")}
                                          << QStringList {s("evidence-needed"), s("required")};
    QTest::addRow("one of two required inputs missing")
        << s("access") << s("refuse") << kDpo << QStringList {s("grounds=manifestly-excessive")}
        << QStringList {s("input 'reason'"), s("required")};
    QTest::addRow("unknown input") << s("access") << s("acknowledge") << kOfficer << QStringList {s("colour=red")}
                                   << QStringList {s("colour"), s("takes no such input")};
    QTest::addRow("unknown input beside valid ones")
        << s("access") << s("request-identity") << kOfficer
        << QStringList {s("evidence-needed=Passport"), s("evidence_needed=Passport")}
        << QStringList {s("evidence_needed"), s("takes no such input"), s("evidence-needed")};
    QTest::addRow("choice not among the choices")
        << s("access") << s("refuse") << kDpo << QStringList {s("grounds=vexatious"), s("reason=Fourth request this week")}
        << QStringList {s("grounds"), s("'vexatious' is not one of"), s("manifestly-unfounded")};
    QTest::addRow("choice in the wrong case")
        << s("access") << s("send-response") << kOfficer << QStringList {s("delivery=Email")}
        << QStringList {s("delivery"), s("'Email' is not one of")};
    QTest::addRow("user that does not exist")
        << s("access") << s("assign") << kOfficer << QStringList {s("assignee=zoe")} << QStringList {s("assignee"), s("zoe")};
    QTest::addRow("reviewer that does not exist")
        << s("automated-decision") << s("start-human-review") << kOfficer
        << QStringList {s("reviewer=nobody"), s("representations=Wants a person to look again")}
        << QStringList {s("reviewer"), s("nobody")};
    QTest::addRow("date that is not a date") << s("restriction") << s("lift-restriction") << kOfficer
                                             << QStringList {s("reason=Accuracy confirmed"), s("lift-on=20 March 2026")}
                                             << QStringList {s("lift-on"), s("not a date")};
}

void TestShippedWorkflows::invalidInputsAreRefused()
{
    QFETCH(QString, right);
    QFETCH(QString, transition);
    QFETCH(QString, user);
    QFETCH(QStringList, inputs);
    QFETCH(QStringList, phrases);
    const WorkflowDefinition *def = definition(right);
    QVERIFY(def);
    const TransitionDef *t = def->transition(transition);
    QVERIFY(t);

    Fixture f;
    QVERIFY(f.setUp());
    const QString reference = file(f, rf::test::sampleForm(right));
    QVERIFY(!reference.isEmpty());
    const std::optional<QStringList> before = walkToState(*def, t->from.constFirst());
    QVERIFY(before);
    const QString problem = walk(f, *def, reference, *before);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const qint64 version = 1 + before->size();
    const qsizetype events = auditCount(f, reference);
    const qsizetype queued = outboxCount(f, reference);

    const Result<FireOutcome> fired = f.engine->fire(reference, transition, user, inputsFrom(inputs), {}, version);
    QVERIFY2(!fired.ok(), "invalid inputs were accepted");
    QCOMPARE(fired.error().code, ErrorCode::Invalid);
    bool named = false;
    for (const QString &line : fired.error().details) {
        bool all = true;
        for (const QString &phrase : phrases)
            all = all && line.contains(phrase);
        named = named || all;
    }
    QVERIFY2(named, qPrintable(fired.error().fullText()));

    const Result<Request> request = f.engine->request(reference);
    QVERIFY(request.ok());
    QCOMPARE(request->state, t->from.constFirst());
    QCOMPARE(request->version, version);
    QCOMPARE(auditCount(f, reference), events);
    QCOMPARE(outboxCount(f, reference), queued);

    // The same action with valid inputs goes through: it was the inputs.
    const Result<FireOutcome> valid = f.engine->fire(reference, transition, user, validInputs(*t), {}, version);
    QVERIFY2(valid.ok(), valid ? "" : qPrintable(valid.error().fullText()));
    QCOMPARE(valid->request.state, t->to);
}

void TestShippedWorkflows::unknownActionIsNotFound()
{
    Fixture f;
    QVERIFY(f.setUp());
    const QString reference = file(f, rf::test::sampleForm(QStringLiteral("access")));
    QVERIFY(!reference.isEmpty());

    const Result<FireOutcome> fired = f.engine->fire(reference, QStringLiteral("approve"), kOfficer, {}, {});
    QVERIFY(!fired.ok());
    QCOMPARE(fired.error().code, ErrorCode::NotFound);
    // The message lists what can be done now instead.
    QVERIFY2(fired.error().message.contains(QStringLiteral("approve"))
            && fired.error().message.contains(QStringLiteral("acknowledge"))
            && fired.error().message.contains(QStringLiteral("withdraw")),
        qPrintable(fired.error().message));
    QCOMPARE(f.engine->request(reference)->version, 1);
    QCOMPARE(auditCount(f, reference), 1);
}

QTEST_GUILESS_MAIN(TestShippedWorkflows)
#include "TestShippedWorkflows.moc"
