// SPDX-License-Identifier: GPL-3.0-or-later
#include "WorkflowLoader.h"

#include "core/JsonCheck.h"

#include "request/Request.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

namespace rf {

namespace {

const QStringList kInputTypes {
    QStringLiteral("text"), QStringLiteral("date"), QStringLiteral("choice"), QStringLiteral("boolean"), QStringLiteral("user")};

bool isName(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("^[a-z][a-z0-9-]*$"));
    return re.match(text).hasMatch();
}

// The workflow files' own checks on top of the shared ones.
class Checker : public JsonChecker
{
public:
    using JsonChecker::JsonChecker;

    QString name(const QJsonObject &object, const QString &path, const QString &key = QStringLiteral("name"))
    {
        const QString text = string(object, path, key, true);
        if (!text.isEmpty() && !isName(text))
            problem(path + QLatin1Char('.') + key,
                QStringLiteral("\"%1\" is not a valid name (lower-case letters, digits and '-', starting with a letter)")
                    .arg(text));
        return text;
    }

    QStringList stringList(const QJsonObject &object, const QString &path, const QString &key, bool required)
    {
        const QJsonValue value = object.value(key);
        QStringList result;
        if (value.isUndefined()) {
            if (required)
                problem(path + QLatin1Char('.') + key, QStringLiteral("missing (expected an array of strings)"));
            return result;
        }
        if (!value.isArray()) {
            problem(
                path + QLatin1Char('.') + key, QStringLiteral("expected an array of strings, found %1").arg(jsonTypeName(value)));
            return result;
        }
        const QJsonArray array = value.toArray();
        if (required && array.isEmpty())
            problem(path + QLatin1Char('.') + key, QStringLiteral("must not be empty"));
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (!array.at(i).isString())
                problem(QStringLiteral("%1.%2[%3]").arg(path, key).arg(i),
                    QStringLiteral("expected a string, found %1").arg(jsonTypeName(array.at(i))));
            else
                result << array.at(i).toString();
        }
        return result;
    }

    QJsonArray objectArray(const QJsonObject &object, const QString &path, const QString &key, bool required)
    {
        return array(object, path, key, required);
    }
};

// Reads a guard or effect reference: "name" or {"guard"|"effect": "name", ...params}.
std::optional<StepRef> readStep(Checker &check, const QJsonValue &value, const QString &path, const QString &keyword)
{
    if (value.isString())
        return StepRef {value.toString(), {}};
    if (!value.isObject()) {
        check.problem(
            path, QStringLiteral("expected a %1 name or an object with \"%1\", found %2").arg(keyword, jsonTypeName(value)));
        return std::nullopt;
    }
    QJsonObject params = value.toObject();
    const QJsonValue name = params.take(keyword);
    if (!name.isString() || name.toString().isEmpty()) {
        check.problem(path + QLatin1Char('.') + keyword, QStringLiteral("missing (expected the %1's name)").arg(keyword));
        return std::nullopt;
    }
    return StepRef {name.toString(), params};
}

} // namespace

Result<WorkflowDefinition> WorkflowLoader::parse(const QByteArray &json, const QString &source) const
{
    Result<QJsonObject> parsed = parseJsonObject(
        json, source, QStringLiteral("%1: invalid workflow definition").arg(source), InputKind::WorkflowDefinition);
    if (!parsed)
        return parsed.error();

    Checker check(source);
    const QJsonObject root = *parsed;
    WorkflowDefinition def;
    def.source = source;

    check.unknownKeys(root, QStringLiteral("$"),
        {QStringLiteral("id"), QStringLiteral("title"), QStringLiteral("right"), QStringLiteral("description"),
            QStringLiteral("initial"), QStringLiteral("states"), QStringLiteral("transitions"), QStringLiteral("timers")});
    def.id = check.name(root, QStringLiteral("$"), QStringLiteral("id"));
    def.title = check.string(root, QStringLiteral("$"), QStringLiteral("title"), true);
    def.description = check.string(root, QStringLiteral("$"), QStringLiteral("description"), false);
    def.right = check.string(root, QStringLiteral("$"), QStringLiteral("right"), true);
    if (!def.right.isEmpty() && !knownRights().contains(def.right))
        check.problem(QStringLiteral("$.right"),
            QStringLiteral("unknown right \"%1\" (expected one of: %2)")
                .arg(def.right, knownRights().join(QStringLiteral(", "))));

    // States.
    const QJsonArray states = check.objectArray(root, QStringLiteral("$"), QStringLiteral("states"), true);
    QSet<QString> stateNames;
    for (qsizetype i = 0; i < states.size(); ++i) {
        const QString path = QStringLiteral("$.states[%1]").arg(i);
        if (!states.at(i).isObject()) {
            check.problem(path, QStringLiteral("expected an object, found %1").arg(jsonTypeName(states.at(i))));
            continue;
        }
        const QJsonObject object = states.at(i).toObject();
        check.unknownKeys(object, path,
            {QStringLiteral("name"), QStringLiteral("label"), QStringLiteral("kind"), QStringLiteral("clock"),
                QStringLiteral("description")});
        StateDef state;
        state.name = check.name(object, path);
        state.label = check.string(object, path, QStringLiteral("label"), true);
        state.description = check.string(object, path, QStringLiteral("description"), false);
        const QString kind = check.string(object, path, QStringLiteral("kind"), true);
        if (kind == QLatin1String("open"))
            state.kind = StateKind::Open;
        else if (kind == QLatin1String("waiting"))
            state.kind = StateKind::Waiting;
        else if (kind == QLatin1String("closed"))
            state.kind = StateKind::Closed;
        else if (!kind.isEmpty())
            check.problem(path + QStringLiteral(".kind"),
                QStringLiteral("\"%1\" is not a state kind (expected open, waiting or closed)").arg(kind));
        const QString clock = check.string(object, path, QStringLiteral("clock"), true);
        if (clock == QLatin1String("running"))
            state.clock = ClockBehaviour::Running;
        else if (clock == QLatin1String("paused"))
            state.clock = ClockBehaviour::Paused;
        else if (clock == QLatin1String("not-started"))
            state.clock = ClockBehaviour::NotStarted;
        else if (clock == QLatin1String("stopped"))
            state.clock = ClockBehaviour::Stopped;
        else if (!clock.isEmpty())
            check.problem(path + QStringLiteral(".clock"),
                QStringLiteral("\"%1\" is not a clock behaviour (expected running, paused, not-started or stopped)").arg(clock));
        if (state.kind == StateKind::Closed && !clock.isEmpty() && state.clock != ClockBehaviour::Stopped)
            check.problem(path + QStringLiteral(".clock"), QStringLiteral("a closed state must stop the clock (\"stopped\")"));
        if (!state.name.isEmpty()) {
            if (stateNames.contains(state.name))
                check.problem(path + QStringLiteral(".name"), QStringLiteral("duplicate state name \"%1\"").arg(state.name));
            stateNames.insert(state.name);
        }
        def.states.append(state);
    }

    def.initial = check.string(root, QStringLiteral("$"), QStringLiteral("initial"), true);
    if (!def.initial.isEmpty() && !stateNames.contains(def.initial))
        check.problem(QStringLiteral("$.initial"), QStringLiteral("unknown state \"%1\"").arg(def.initial));
    else if (const StateDef *initial = def.state(def.initial); initial && initial->kind == StateKind::Closed)
        check.problem(QStringLiteral("$.initial"), QStringLiteral("the initial state \"%1\" is closed").arg(def.initial));

    // Transitions.
    const QJsonArray transitions = check.objectArray(root, QStringLiteral("$"), QStringLiteral("transitions"), true);
    QSet<QString> transitionNames;
    for (qsizetype i = 0; i < transitions.size(); ++i) {
        const QString path = QStringLiteral("$.transitions[%1]").arg(i);
        if (!transitions.at(i).isObject()) {
            check.problem(path, QStringLiteral("expected an object, found %1").arg(jsonTypeName(transitions.at(i))));
            continue;
        }
        const QJsonObject object = transitions.at(i).toObject();
        check.unknownKeys(object, path,
            {QStringLiteral("name"), QStringLiteral("label"), QStringLiteral("description"), QStringLiteral("from"),
                QStringLiteral("to"), QStringLiteral("roles"), QStringLiteral("guards"), QStringLiteral("inputs"),
                QStringLiteral("effects")});
        TransitionDef t;
        t.name = check.name(object, path);
        t.label = check.string(object, path, QStringLiteral("label"), true);
        t.description = check.string(object, path, QStringLiteral("description"), false);
        t.from = check.stringList(object, path, QStringLiteral("from"), true);
        for (qsizetype j = 0; j < t.from.size(); ++j) {
            if (!stateNames.contains(t.from.at(j)))
                check.problem(
                    QStringLiteral("%1.from[%2]").arg(path).arg(j), QStringLiteral("unknown state \"%1\"").arg(t.from.at(j)));
        }
        // Without "to" the transition is an action in place: the request stays
        // in whichever state it was (an extension, a reassignment).
        t.to = check.string(object, path, QStringLiteral("to"), false);
        if (object.contains(QStringLiteral("to")) && t.to.isEmpty())
            check.problem(path + QStringLiteral(".to"),
                QStringLiteral("must not be empty; leave \"to\" out for an action that keeps the state"));
        if (!t.to.isEmpty() && !stateNames.contains(t.to))
            check.problem(path + QStringLiteral(".to"), QStringLiteral("unknown state \"%1\"").arg(t.to));
        t.roles = check.stringList(object, path, QStringLiteral("roles"), true);
        for (qsizetype j = 0; j < t.roles.size(); ++j) {
            if (!knownRoles().contains(t.roles.at(j)))
                check.problem(QStringLiteral("%1.roles[%2]").arg(path).arg(j),
                    QStringLiteral("unknown role \"%1\" (expected one of: %2)")
                        .arg(t.roles.at(j), knownRoles().join(QStringLiteral(", "))));
        }
        if (!t.name.isEmpty()) {
            if (transitionNames.contains(t.name))
                check.problem(path + QStringLiteral(".name"), QStringLiteral("duplicate transition name \"%1\"").arg(t.name));
            transitionNames.insert(t.name);
        }

        const QJsonArray inputs = check.objectArray(object, path, QStringLiteral("inputs"), false);
        QSet<QString> inputNames;
        for (qsizetype j = 0; j < inputs.size(); ++j) {
            const QString inPath = QStringLiteral("%1.inputs[%2]").arg(path).arg(j);
            if (!inputs.at(j).isObject()) {
                check.problem(inPath, QStringLiteral("expected an object, found %1").arg(jsonTypeName(inputs.at(j))));
                continue;
            }
            const QJsonObject inObject = inputs.at(j).toObject();
            check.unknownKeys(inObject, inPath,
                {QStringLiteral("name"), QStringLiteral("label"), QStringLiteral("type"), QStringLiteral("required"),
                    QStringLiteral("choices")});
            InputDef input;
            input.name = check.name(inObject, inPath);
            input.label = check.string(inObject, inPath, QStringLiteral("label"), true);
            input.type = check.string(inObject, inPath, QStringLiteral("type"), true);
            if (!input.type.isEmpty() && !kInputTypes.contains(input.type))
                check.problem(inPath + QStringLiteral(".type"),
                    QStringLiteral("unknown input type \"%1\" (expected one of: %2)")
                        .arg(input.type, kInputTypes.join(QStringLiteral(", "))));
            const QJsonValue required = inObject.value(QStringLiteral("required"));
            if (!required.isUndefined() && !required.isBool())
                check.problem(inPath + QStringLiteral(".required"),
                    QStringLiteral("expected a boolean, found %1").arg(jsonTypeName(required)));
            input.required = required.toBool(false);
            input.choices = check.stringList(inObject, inPath, QStringLiteral("choices"), input.type == QLatin1String("choice"));
            if (input.type != QLatin1String("choice") && inObject.contains(QStringLiteral("choices")))
                check.problem(inPath + QStringLiteral(".choices"), QStringLiteral("only inputs of type choice take choices"));
            if (!input.name.isEmpty()) {
                if (inputNames.contains(input.name))
                    check.problem(
                        inPath + QStringLiteral(".name"), QStringLiteral("duplicate input name \"%1\"").arg(input.name));
                inputNames.insert(input.name);
            }
            t.inputs.append(input);
        }

        // Guards and effects come after inputs: their parameter checks may look at them.
        const QJsonArray guards = check.objectArray(object, path, QStringLiteral("guards"), false);
        for (qsizetype j = 0; j < guards.size(); ++j) {
            const QString gPath = QStringLiteral("%1.guards[%2]").arg(path).arg(j);
            const std::optional<StepRef> step = readStep(check, guards.at(j), gPath, QStringLiteral("guard"));
            if (!step)
                continue;
            const ActionRegistry::GuardEntry *entry = m_registry.guard(step->name);
            if (!entry) {
                check.problem(gPath,
                    QStringLiteral("unknown guard \"%1\" (known guards: %2)")
                        .arg(step->name, m_registry.guardNames().join(QStringLiteral(", "))));
                continue;
            }
            if (entry->check) {
                for (const QString &p : entry->check(step->params, t))
                    check.problem(
                        gPath + QLatin1Char('.') + p.section(QLatin1Char(':'), 0, 0), p.section(QLatin1Char(':'), 1).trimmed());
            }
            t.guards.append(*step);
        }
        const QJsonArray effects = check.objectArray(object, path, QStringLiteral("effects"), false);
        for (qsizetype j = 0; j < effects.size(); ++j) {
            const QString ePath = QStringLiteral("%1.effects[%2]").arg(path).arg(j);
            const std::optional<StepRef> step = readStep(check, effects.at(j), ePath, QStringLiteral("effect"));
            if (!step)
                continue;
            const ActionRegistry::EffectEntry *entry = m_registry.effect(step->name);
            if (!entry) {
                check.problem(ePath,
                    QStringLiteral("unknown effect \"%1\" (known effects: %2)")
                        .arg(step->name, m_registry.effectNames().join(QStringLiteral(", "))));
                continue;
            }
            if (entry->check) {
                for (const QString &p : entry->check(step->params, t))
                    check.problem(
                        ePath + QLatin1Char('.') + p.section(QLatin1Char(':'), 0, 0), p.section(QLatin1Char(':'), 1).trimmed());
            }
            // The same effect twice would, for a notice, send the same letter twice.
            for (qsizetype k = 0; k < t.effects.size(); ++k) {
                if (t.effects.at(k).name == step->name && t.effects.at(k).params == step->params)
                    check.problem(
                        ePath, QStringLiteral("duplicate effect \"%1\": the same as effects[%2]").arg(step->name).arg(k));
            }
            t.effects.append(*step);
        }
        def.transitions.append(t);
    }

    // Timers: what the worker does by itself as time passes.
    const QJsonArray timers = check.objectArray(root, QStringLiteral("$"), QStringLiteral("timers"), false);
    for (qsizetype i = 0; i < timers.size(); ++i) {
        const QString path = QStringLiteral("$.timers[%1]").arg(i);
        if (!timers.at(i).isObject()) {
            check.problem(path, QStringLiteral("expected an object, found %1").arg(jsonTypeName(timers.at(i))));
            continue;
        }
        const QJsonObject object = timers.at(i).toObject();
        check.unknownKeys(object, path,
            {QStringLiteral("name"), QStringLiteral("description"), QStringLiteral("in"), QStringLiteral("after"),
                QStringLiteral("before-due"), QStringLiteral("after-due"), QStringLiteral("fire"), QStringLiteral("notify")});
        TimerDef timer;
        timer.name = check.name(object, path);
        timer.description = check.string(object, path, QStringLiteral("description"), false);
        for (const TimerDef &other : def.timers) {
            if (!timer.name.isEmpty() && other.name == timer.name)
                check.problem(path + QStringLiteral(".name"), QStringLiteral("duplicate timer name \"%1\"").arg(timer.name));
        }
        const QStringList whenKeys {QStringLiteral("after"), QStringLiteral("before-due"), QStringLiteral("after-due")};
        QStringList given;
        for (const QString &key : whenKeys) {
            if (object.contains(key))
                given << key;
        }
        if (given.size() != 1) {
            check.problem(path,
                QStringLiteral("say when the timer fires with exactly one of \"after\" (with \"in\"), \"before-due\" or "
                               "\"after-due\"%1")
                    .arg(given.isEmpty() ? QString() : QStringLiteral(" (found %1)").arg(given.join(QStringLiteral(", ")))));
        } else {
            const QString key = given.first();
            timer.kind = key == QLatin1String("after") ? TimerDef::Kind::InState
                : key == QLatin1String("before-due")   ? TimerDef::Kind::BeforeDue
                                                       : TimerDef::Kind::AfterDue;
            const QString text = check.string(object, path, key, true);
            if (const std::optional<Period> period = Period::parse(text))
                timer.period = *period;
            else if (!text.isEmpty())
                check.problem(path + QLatin1Char('.') + key,
                    QStringLiteral("\"%1\" is not a period (expected \"N days\", \"N working days\" or \"N months\")").arg(text));
        }
        timer.states = check.stringList(object, path, QStringLiteral("in"), timer.kind == TimerDef::Kind::InState);
        if (timer.kind != TimerDef::Kind::InState && object.contains(QStringLiteral("in")))
            check.problem(path + QStringLiteral(".in"),
                QStringLiteral("only an \"after\" timer waits in states; due-date timers follow the clock"));
        for (const QString &stateName : timer.states) {
            if (!stateNames.contains(stateName))
                check.problem(path + QStringLiteral(".in"), QStringLiteral("unknown state \"%1\"").arg(stateName));
            else if (def.state(stateName)->kind == StateKind::Closed)
                check.problem(
                    path + QStringLiteral(".in"), QStringLiteral("state \"%1\" is closed: nothing waits there").arg(stateName));
        }
        timer.fire = check.string(object, path, QStringLiteral("fire"), false);
        if (!timer.fire.isEmpty()) {
            if (timer.kind != TimerDef::Kind::InState)
                check.problem(path + QStringLiteral(".fire"),
                    QStringLiteral("only an \"after\" timer fires a transition; due-date timers notify"));
            const TransitionDef *transition = def.transition(timer.fire);
            if (!transition)
                check.problem(path + QStringLiteral(".fire"), QStringLiteral("unknown transition \"%1\"").arg(timer.fire));
            else {
                for (const QString &stateName : timer.states) {
                    if (!transition->from.contains(stateName))
                        check.problem(path + QStringLiteral(".fire"),
                            QStringLiteral("transition \"%1\" does not leave state \"%2\"").arg(timer.fire, stateName));
                }
                if (!transition->inputs.isEmpty()) {
                    for (const InputDef &input : transition->inputs) {
                        if (input.required)
                            check.problem(path + QStringLiteral(".fire"),
                                QStringLiteral("transition \"%1\" needs the input \"%2\", which the worker cannot give")
                                    .arg(timer.fire, input.name));
                    }
                }
            }
        }
        if (object.contains(QStringLiteral("notify"))) {
            const QJsonValue notify = object.value(QStringLiteral("notify"));
            const QString nPath = path + QStringLiteral(".notify");
            if (!notify.isObject()) {
                check.problem(nPath,
                    QStringLiteral("expected an object {\"to\": ..., \"template\": ...}, found %1").arg(jsonTypeName(notify)));
            } else {
                const QJsonObject n = notify.toObject();
                check.unknownKeys(n, nPath, {QStringLiteral("to"), QStringLiteral("template")});
                timer.notifyTo = check.string(n, nPath, QStringLiteral("to"), true);
                timer.notifyTemplate = check.name(n, nPath, QStringLiteral("template"));
                static const QStringList recipients {
                    QStringLiteral("requester"), QStringLiteral("assignee"), QStringLiteral("dpo")};
                if (!timer.notifyTo.isEmpty() && !recipients.contains(timer.notifyTo))
                    check.problem(nPath + QStringLiteral(".to"),
                        QStringLiteral("\"%1\" is not a recipient (expected requester, assignee or dpo)").arg(timer.notifyTo));
            }
        }
        if (timer.fire.isEmpty() && timer.notifyTemplate.isEmpty())
            check.problem(path, QStringLiteral("the timer does nothing: give it \"fire\" or \"notify\""));
        def.timers.append(timer);
    }

    // The shape of the graph: only meaningful once names resolve.
    if (check.problems().isEmpty()) {
        bool anyClosed = false;
        for (const StateDef &s : def.states)
            anyClosed = anyClosed || s.kind == StateKind::Closed;
        if (!anyClosed)
            check.problem(QStringLiteral("$.states"), QStringLiteral("no closed state: every request must be able to end"));

        // Forward reachability from the initial state.
        QSet<QString> reachable {def.initial};
        QStringList frontier {def.initial};
        while (!frontier.isEmpty()) {
            const QString current = frontier.takeLast();
            for (const TransitionDef *t : def.transitionsFrom(current)) {
                if (t->to.isEmpty())
                    continue;
                if (!reachable.contains(t->to)) {
                    reachable.insert(t->to);
                    frontier.append(t->to);
                }
            }
        }
        // Backward reachability from the closed states.
        QSet<QString> canClose;
        for (const StateDef &s : def.states) {
            if (s.kind == StateKind::Closed)
                canClose.insert(s.name);
        }
        bool grew = true;
        while (grew) {
            grew = false;
            for (const TransitionDef &t : def.transitions) {
                if (!canClose.contains(t.to))
                    continue;
                for (const QString &from : t.from) {
                    if (!canClose.contains(from)) {
                        canClose.insert(from);
                        grew = true;
                    }
                }
            }
        }
        for (qsizetype i = 0; i < def.states.size(); ++i) {
            const StateDef &s = def.states.at(i);
            const QString path = QStringLiteral("$.states[%1]").arg(i);
            if (!reachable.contains(s.name))
                check.problem(
                    path, QStringLiteral("state \"%1\" is unreachable from the initial state \"%2\"").arg(s.name, def.initial));
            else if (anyClosed && !canClose.contains(s.name))
                check.problem(path,
                    QStringLiteral("state \"%1\" has no way to a closed state: a request there could never end").arg(s.name));
        }
    }

    if (!check.problems().isEmpty())
        return makeError(ErrorCode::Invalid,
            QStringLiteral("%1: invalid workflow definition (%2)")
                .arg(source,
                    check.problems().size() == 1 ? QStringLiteral("1 problem")
                                                 : QStringLiteral("%1 problems").arg(check.problems().size())),
            check.problems());

    // Canonical form: compact JSON with sorted keys, so layout changes do not
    // make a new version but any change of meaning does.
    def.canonicalJson = QJsonDocument(root).toJson(QJsonDocument::Compact);
    def.hash = QString::fromLatin1(QCryptographicHash::hash(def.canonicalJson, QCryptographicHash::Sha256).toHex());
    return def;
}

Result<WorkflowDefinition> WorkflowLoader::loadFile(const QString &path) const
{
    Result<QByteArray> content = readInputFile(path, InputKind::WorkflowDefinition);
    if (!content)
        return content.error();
    return parse(*content, path);
}

QString WorkflowLibrary::defaultDirectory()
{
    const QString fromEnv = qEnvironmentVariable("RIGHTSFLOW_WORKFLOWS");
    return fromEnv.isEmpty() ? QStringLiteral(":/workflows") : fromEnv;
}

Result<WorkflowLibrary> WorkflowLibrary::load(const QString &directory, const ActionRegistry &registry)
{
    QDir dir(directory);
    if (!dir.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("workflow directory %1 does not exist").arg(directory));
    WorkflowLibrary library;
    library.m_directory = directory;
    WorkflowLoader loader(registry);
    QStringList problems;
    const QStringList files = dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    for (const QString &name : files) {
        Result<WorkflowDefinition> def = loader.loadFile(dir.filePath(name));
        if (!def) {
            problems << def.error().details;
            if (def.error().details.isEmpty())
                problems << def.error().message;
            continue;
        }
        if (const WorkflowDefinition *other = library.forRight(def->right)) {
            problems << QStringLiteral("%1: $.right: right \"%2\" already has a workflow in %3; keep one file per right")
                            .arg(def->source, def->right, other->source);
            continue;
        }
        if (library.byId(def->id)) {
            problems << QStringLiteral("%1: $.id: duplicate workflow id \"%2\"").arg(def->source, def->id);
            continue;
        }
        library.m_definitions.append(std::move(def).value());
    }
    if (!problems.isEmpty())
        return makeError(
            ErrorCode::Invalid, QStringLiteral("the workflow definitions in %1 are not valid").arg(directory), problems);
    if (library.m_definitions.isEmpty())
        return makeError(ErrorCode::NotFound, QStringLiteral("no workflow definitions (*.json) in %1").arg(directory));
    return library;
}

const WorkflowDefinition *WorkflowLibrary::forRight(const QString &right) const
{
    for (const WorkflowDefinition &def : m_definitions) {
        if (def.right == right)
            return &def;
    }
    return nullptr;
}

const WorkflowDefinition *WorkflowLibrary::byId(const QString &id) const
{
    for (const WorkflowDefinition &def : m_definitions) {
        if (def.id == id)
            return &def;
    }
    return nullptr;
}

} // namespace rf
