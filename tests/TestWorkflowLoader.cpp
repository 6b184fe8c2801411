// SPDX-License-Identifier: GPL-3.0-or-later
// WorkflowLoader::parse and WorkflowLibrary::load: every kind of invalid
// definition is refused with a line "FILE: JSON-PATH: what is wrong", a valid
// one gets a content hash that ignores layout, and the shipped set loads.

#include "JsonEdit.h"
#include "TestSupport.h"

#include "core/InputLimits.h"
#include "request/Request.h"
#include "workflow/ActionRegistry.h"
#include "workflow/WorkflowLoader.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace rf;

namespace {

const QString kSource = QStringLiteral("test-workflow.json");

// A small definition that passes every rule: two open states, two closed
// ones, and transitions using each kind of guard, effect and input the rows
// below break.
const char kValidDefinition[] = R"({
  "id": "test-access",
  "title": "Test access workflow",
  "right": "access",
  "description": "A small workflow for the loader's tests.",
  "initial": "received",
  "states": [
    {"name": "received", "label": "Received", "kind": "open", "clock": "running"},
    {"name": "checking", "label": "Checking", "kind": "open", "clock": "running", "description": "Being checked."},
    {"name": "completed", "label": "Completed", "kind": "closed", "clock": "stopped"},
    {"name": "withdrawn", "label": "Withdrawn", "kind": "closed", "clock": "stopped"}
  ],
  "transitions": [
    {
      "name": "acknowledge", "label": "Acknowledge", "from": ["received"], "to": "checking",
      "roles": ["officer", "dpo"],
      "effects": [{"effect": "notify", "template": "acknowledgement", "to": "requester"}]
    },
    {
      "name": "assign", "label": "Assign", "from": ["checking"], "to": "checking", "roles": ["officer", "dpo"],
      "inputs": [{"name": "assignee", "label": "Officer", "type": "user", "required": true}],
      "effects": [{"effect": "assign", "input": "assignee"}]
    },
    {
      "name": "send-response", "label": "Send response", "from": ["checking"], "to": "completed",
      "roles": ["officer", "dpo"],
      "guards": ["assigned", {"guard": "input-equals", "input": "delivery", "value": "email"}],
      "inputs": [
        {"name": "delivery", "label": "Delivery", "type": "choice", "required": true, "choices": ["email", "post"]}
      ],
      "effects": ["record-response", {"effect": "notify", "template": "response"}]
    },
    {
      "name": "withdraw", "label": "Withdraw", "from": ["received", "checking"], "to": "withdrawn",
      "roles": ["officer", "dpo"],
      "inputs": [{"name": "reason", "label": "Reason", "type": "text", "required": true}]
    }
  ]
})";

QJsonObject validDefinition()
{
    return QJsonDocument::fromJson(QByteArray(kValidDefinition)).object();
}

// A change to the valid definition: the value at `path` ("transitions/2/guards/1")
// is replaced; an undefined value removes it; an index one past the end appends.
struct Edit {
    QString path;
    QJsonValue value;
};

const QJsonValue kRemove(QJsonValue::Undefined);

QJsonObject editedDefinition(const QList<Edit> &edits)
{
    QJsonValue root = validDefinition();
    for (const Edit &edit : edits)
        root = rf::test::editedJson(root, edit.path.split(QLatin1Char('/')), edit.value);
    return root.toObject();
}

QByteArray toJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Indented);
}

// The same document written with every object's keys in reverse order and
// different spacing, to show that layout does not change the hash.
QByteArray reorderedJson(const QJsonValue &value)
{
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        QStringList keys = object.keys();
        std::reverse(keys.begin(), keys.end());
        QByteArrayList members;
        for (const QString &key : keys)
            members << "\n\t\"" + key.toUtf8() + "\" :  " + reorderedJson(object.value(key));
        return "{ " + members.join(",") + "\n}";
    }
    if (value.isArray()) {
        QByteArrayList elements;
        for (const QJsonValue &element : value.toArray())
            elements << reorderedJson(element);
        return "[ " + elements.join(" ,  ") + " ]";
    }
    // A scalar: let QJsonDocument quote and escape it.
    const QByteArray wrapped = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

// The line of `details` that starts with `prefix` and mentions `phrase`, or an empty string.
QString matchingLine(const QStringList &details, const QString &prefix, const QString &phrase)
{
    for (const QString &line : details) {
        if (line.startsWith(prefix) && line.contains(phrase))
            return line;
    }
    return {};
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return file.write(content) == content.size();
}

// A valid definition for `right` under id `id`, as a file's content.
QByteArray definitionFor(const QString &id, const QString &right)
{
    QJsonObject object = validDefinition();
    object[QStringLiteral("id")] = id;
    object[QStringLiteral("right")] = right;
    return toJson(object);
}

// The valid definition with `text` inserted just after the first `after`;
// `at` is where the inserted text starts.
QByteArray definitionWith(const QByteArray &after, const QByteArray &text, qsizetype &at)
{
    QByteArray json(kValidDefinition);
    const qsizetype found = json.indexOf(after);
    at = found < 0 ? -1 : found + after.size();
    if (found >= 0)
        json.insert(at, text);
    return json;
}

// "FILE:LINE:COLUMN: " of the byte at `offset` in an ASCII document.
QString locationOf(const QByteArray &json, qsizetype offset)
{
    const QByteArray head = json.left(offset);
    return QStringLiteral("%1:%2:%3: ").arg(kSource).arg(head.count('\n') + 1).arg(offset - head.lastIndexOf('\n'));
}

} // namespace

class TestWorkflowLoader : public QObject
{
    Q_OBJECT

private slots:
    void validDefinitionParses();
    void hashIgnoresLayoutAndKeyOrder();
    void hashChangesWithAnyChangeOfMeaning();
    void timersParse();
    void invalidDefinitionIsRefused_data();
    void invalidDefinitionIsRefused();
    void notJsonNamesLineAndColumn();
    void duplicateKeyIsRefused_data();
    void duplicateKeyIsRefused();
    void oversizedFileIsRefused();
    void everyProblemIsReported();
    void extraEffectIsAdditive();
    void extraGuardIsAdditive();
    void libraryRefusesTwoFilesForOneRight();
    void libraryRefusesDuplicateIds();
    void libraryRefusesEmptyDirectory();
    void libraryRefusesMissingDirectory();
    void libraryListsProblemsOfBadFile();
    void shippedSetLoads();
};

void TestWorkflowLoader::validDefinitionParses()
{
    const Result<WorkflowDefinition> def = WorkflowLoader().parse(QByteArray(kValidDefinition), kSource);
    QVERIFY2(def.ok(), def ? "" : qPrintable(def.error().fullText()));

    QCOMPARE(def->id, QStringLiteral("test-access"));
    QCOMPARE(def->title, QStringLiteral("Test access workflow"));
    QCOMPARE(def->right, QStringLiteral("access"));
    QCOMPARE(def->initial, QStringLiteral("received"));
    QCOMPARE(def->source, kSource);
    QCOMPARE(def->stateNames(),
        QStringList(
            {QStringLiteral("received"), QStringLiteral("checking"), QStringLiteral("completed"), QStringLiteral("withdrawn")}));
    QCOMPARE(def->state(QStringLiteral("checking"))->description, QStringLiteral("Being checked."));
    QCOMPARE(toString(def->state(QStringLiteral("completed"))->kind), QStringLiteral("closed"));
    QCOMPARE(toString(def->state(QStringLiteral("completed"))->clock), QStringLiteral("stopped"));
    QCOMPARE(def->transitions.size(), 4);

    const TransitionDef *send = def->transition(QStringLiteral("send-response"));
    QVERIFY(send);
    QCOMPARE(send->from, QStringList {QStringLiteral("checking")});
    QCOMPARE(send->to, QStringLiteral("completed"));
    QCOMPARE(send->guards.size(), 2);
    QCOMPARE(send->guards.at(0).name, QStringLiteral("assigned"));
    QVERIFY(send->guards.at(0).params.isEmpty());
    QCOMPARE(send->guards.at(1).name, QStringLiteral("input-equals"));
    QCOMPARE(send->guards.at(1).params,
        QJsonObject({{QStringLiteral("input"), QStringLiteral("delivery")}, {QStringLiteral("value"), QStringLiteral("email")}}));
    QCOMPARE(send->effects.size(), 2);
    QCOMPARE(send->effects.at(1).name, QStringLiteral("notify"));
    QCOMPARE(send->effects.at(1).params, QJsonObject({{QStringLiteral("template"), QStringLiteral("response")}}));
    const InputDef *delivery = send->input(QStringLiteral("delivery"));
    QVERIFY(delivery);
    QCOMPARE(delivery->type, QStringLiteral("choice"));
    QVERIFY(delivery->required);
    QCOMPARE(delivery->choices, QStringList({QStringLiteral("email"), QStringLiteral("post")}));

    // The hash is the SHA-256 of the canonical JSON, as 64 lower-case hex digits.
    static const QRegularExpression hex64(QStringLiteral("^[0-9a-f]{64}$"));
    QVERIFY2(hex64.match(def->hash).hasMatch(), qPrintable(def->hash));
    QCOMPARE(def->hash, QString::fromLatin1(QCryptographicHash::hash(def->canonicalJson, QCryptographicHash::Sha256).toHex()));
}

void TestWorkflowLoader::timersParse()
{
    const auto s = [](const char *text) { return QString::fromUtf8(text); };
    QJsonObject json = validDefinition();
    json.insert(s("timers"),
        QJsonArray {QJsonObject {{s("name"), s("lapse")}, {s("description"), s("Nothing heard.")},
                        {s("in"), QJsonArray {s("received")}}, {s("after"), s("1 month")}, {s("fire"), s("acknowledge")}},
            QJsonObject {{s("name"), s("nudge")}, {s("before-due"), s("3 working days")},
                {s("notify"), QJsonObject {{s("to"), s("assignee")}, {s("template"), s("due-reminder")}}}},
            QJsonObject {{s("name"), s("late")}, {s("after-due"), s("1 day")},
                {s("notify"), QJsonObject {{s("to"), s("dpo")}, {s("template"), s("overdue-escalation")}}}}});
    const Result<WorkflowDefinition> def = WorkflowLoader().parse(QJsonDocument(json).toJson(), kSource);
    QVERIFY2(def.ok(), def ? "" : qPrintable(def.error().fullText()));
    QCOMPARE(def->timers.size(), 3);
    const TimerDef &lapse = def->timers.at(0);
    QCOMPARE(lapse.kind, TimerDef::Kind::InState);
    QCOMPARE(lapse.states, QStringList {s("received")});
    QCOMPARE(lapse.period.amount, 1);
    QCOMPARE(lapse.period.unit, Period::Unit::Months);
    QCOMPARE(lapse.fire, s("acknowledge"));
    QCOMPARE(lapse.description, s("Nothing heard."));
    const TimerDef &nudge = def->timers.at(1);
    QCOMPARE(nudge.kind, TimerDef::Kind::BeforeDue);
    QCOMPARE(nudge.period.amount, 3);
    QCOMPARE(nudge.period.unit, Period::Unit::WorkingDays);
    QCOMPARE(nudge.notifyTo, s("assignee"));
    QCOMPARE(nudge.notifyTemplate, s("due-reminder"));
    QCOMPARE(def->timers.at(2).kind, TimerDef::Kind::AfterDue);
    QCOMPARE(def->timers.at(2).period.unit, Period::Unit::Days);
    // Timers are part of the meaning: the version changes with them.
    const Result<WorkflowDefinition> without = WorkflowLoader().parse(QByteArray(kValidDefinition), kSource);
    QVERIFY(without->hash != def->hash);
    // Periods read the way people write them.
    QCOMPARE(Period::parse(s("1 day"))->toString(), s("1 day"));
    QCOMPARE(Period::parse(s("10 working days"))->toString(), s("10 working days"));
    QCOMPARE(Period::parse(s("  2 months "))->toString(), s("2 months"));
    QVERIFY(!Period::parse(s("0 days")));
    QVERIFY(!Period::parse(s("-1 days")));
    QVERIFY(!Period::parse(s("one month")));
}

void TestWorkflowLoader::hashIgnoresLayoutAndKeyOrder()
{
    const QJsonObject object = validDefinition();
    const QByteArray compact = QJsonDocument(object).toJson(QJsonDocument::Compact);
    const QByteArray reordered = reorderedJson(object);
    // Guard against a reordering that silently produced the same bytes or bad JSON.
    QVERIFY(reordered != compact);
    QVERIFY(reordered.indexOf("\"transitions\"") < reordered.indexOf("\"id\""));
    QCOMPARE(QJsonDocument::fromJson(reordered).object(), object);

    const WorkflowLoader loader;
    const Result<WorkflowDefinition> original = loader.parse(QByteArray(kValidDefinition), kSource);
    const Result<WorkflowDefinition> fromCompact = loader.parse(compact, QStringLiteral("compact.json"));
    const Result<WorkflowDefinition> fromReordered = loader.parse(reordered, QStringLiteral("reordered.json"));
    QVERIFY(original.ok());
    QVERIFY(fromCompact.ok());
    QVERIFY2(fromReordered.ok(), fromReordered ? "" : qPrintable(fromReordered.error().fullText()));
    QCOMPARE(fromCompact->hash, original->hash);
    QCOMPARE(fromReordered->hash, original->hash);
    QCOMPARE(fromReordered->canonicalJson, original->canonicalJson);
}

void TestWorkflowLoader::hashChangesWithAnyChangeOfMeaning()
{
    const WorkflowLoader loader;
    const Result<WorkflowDefinition> original = loader.parse(QByteArray(kValidDefinition), kSource);
    QVERIFY(original.ok());

    const QList<QList<Edit>> changes {
        {{QStringLiteral("states/1/label"), QStringLiteral("Checking identity")}},
        {{QStringLiteral("transitions/0/label"), QStringLiteral("Acknowledge receipt")}},
        {{QStringLiteral("description"), QStringLiteral("Another description.")}},
        {{QStringLiteral("transitions/2/inputs/0/choices/1"), QStringLiteral("collected-in-person")}},
    };
    QSet<QString> hashes {original->hash};
    for (const QList<Edit> &change : changes) {
        const Result<WorkflowDefinition> def = loader.parse(toJson(editedDefinition(change)), kSource);
        QVERIFY2(def.ok(), def ? "" : qPrintable(def.error().fullText()));
        QVERIFY2(!hashes.contains(def->hash), qPrintable(change.first().path));
        hashes.insert(def->hash);
    }
}

void TestWorkflowLoader::invalidDefinitionIsRefused_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("prefix"); // what the problem's line starts with: the file and where in it
    QTest::addColumn<QString>("phrase"); // what distinguishes the problem

    const auto at = [](const QString &path) { return kSource + QStringLiteral(": ") + path + QStringLiteral(": "); };
    const auto add = [&at](const char *tag, const QList<Edit> &edits, const QString &path, const QString &phrase) {
        QTest::addRow("%s", tag) << toJson(editedDefinition(edits)) << at(path) << phrase;
    };
    const auto s = [](const char *text) { return QString::fromUtf8(text); };

    // Not a definition at all. The exact column is checked by notJsonNamesLineAndColumn.
    QTest::addRow("not JSON") << QByteArray("{\n  \"id\": \"test-access\",\n  \"title\": ,\n}\n")
                              << kSource + QStringLiteral(":3:") << s("not valid JSON");
    QTest::addRow("not JSON, truncated") << QByteArray(kValidDefinition).left(40) << kSource + QStringLiteral(":")
                                         << s("not valid JSON");
    QTest::addRow("top level is an array") << QByteArray("[{\"id\": \"test-access\"}]") << at(s("$"))
                                           << s("expected an object at the top level");

    // Required keys.
    add("missing id", {{s("id"), kRemove}}, s("$.id"), s("missing"));
    add("missing title", {{s("title"), kRemove}}, s("$.title"), s("missing"));
    add("empty title", {{s("title"), s("  ")}}, s("$.title"), s("must not be empty"));
    add("missing right", {{s("right"), kRemove}}, s("$.right"), s("missing"));
    add("missing initial", {{s("initial"), kRemove}}, s("$.initial"), s("missing"));
    add("missing states", {{s("states"), kRemove}}, s("$.states"), s("missing (expected an array)"));
    add("missing transitions", {{s("transitions"), kRemove}}, s("$.transitions"), s("missing (expected an array)"));
    add("missing state kind", {{s("states/1/kind"), kRemove}}, s("$.states[1].kind"), s("missing"));
    add("empty transition to", {{s("transitions/0/to"), s("")}}, s("$.transitions[0].to"), s("leave \"to\" out"));
    // Without "to" acknowledge keeps the request in received, so checking is never reached.
    add("transition to left out strands a state", {{s("transitions/0/to"), kRemove}}, s("$.states[1]"), s("unreachable"));
    add("empty from", {{s("transitions/0/from"), QJsonArray()}}, s("$.transitions[0].from"), s("must not be empty"));
    add("missing roles", {{s("transitions/3/roles"), kRemove}}, s("$.transitions[3].roles"), s("missing"));
    add("missing input type", {{s("transitions/3/inputs/0/type"), kRemove}}, s("$.transitions[3].inputs[0].type"), s("missing"));

    // Values outside the vocabulary.
    add("unknown right", {{s("right"), s("happiness")}}, s("$.right"), s("unknown right \"happiness\""));
    add("bad id format", {{s("id"), s("Test_Access")}}, s("$.id"), s("\"Test_Access\" is not a valid name"));
    add("bad state name format", {{s("states/3/name"), s("Withdrawn")}, {s("transitions/3/to"), s("Withdrawn")}},
        s("$.states[3].name"), s("\"Withdrawn\" is not a valid name"));
    add("bad transition name format", {{s("transitions/3/name"), s("withdraw request")}}, s("$.transitions[3].name"),
        s("\"withdraw request\" is not a valid name"));
    add("bad input name format", {{s("transitions/3/inputs/0/name"), s("1reason")}}, s("$.transitions[3].inputs[0].name"),
        s("\"1reason\" is not a valid name"));
    add("unknown top-level key", {{s("version"), 2}}, s("$.version"), s("unknown key"));
    add("misspelt state key", {{s("states/1/lable"), s("Checking")}, {s("states/1/label"), kRemove}}, s("$.states[1].lable"),
        s("unknown key"));
    add("misspelt transition key", {{s("transitions/3/form"), QJsonArray {s("received")}}}, s("$.transitions[3].form"),
        s("unknown key"));
    add("misspelt input key", {{s("transitions/3/inputs/0/requried"), true}}, s("$.transitions[3].inputs[0].requried"),
        s("unknown key"));
    add("unknown kind", {{s("states/1/kind"), s("active")}}, s("$.states[1].kind"), s("\"active\" is not a state kind"));
    add("unknown clock", {{s("states/1/clock"), s("ticking")}}, s("$.states[1].clock"),
        s("\"ticking\" is not a clock behaviour"));
    add("unknown role", {{s("transitions/0/roles/1"), s("mayor")}}, s("$.transitions[0].roles[1]"), s("unknown role \"mayor\""));
    add("unknown input type", {{s("transitions/3/inputs/0/type"), s("colour")}}, s("$.transitions[3].inputs[0].type"),
        s("unknown input type \"colour\""));

    // Names that must be unique, and references that must resolve.
    add("duplicate state name",
        {{s("states/4"),
            QJsonObject {
                {s("name"), s("checking")}, {s("label"), s("Again")}, {s("kind"), s("open")}, {s("clock"), s("running")}}}},
        s("$.states[4].name"), s("duplicate state name \"checking\""));
    add("duplicate transition name", {{s("transitions/3/name"), s("assign")}}, s("$.transitions[3].name"),
        s("duplicate transition name \"assign\""));
    add("duplicate input name",
        {{s("transitions/3/inputs/1"),
            QJsonObject {{s("name"), s("reason")}, {s("label"), s("Reason again")}, {s("type"), s("text")}}}},
        s("$.transitions[3].inputs[1].name"), s("duplicate input name \"reason\""));
    add("unknown state in initial", {{s("initial"), s("recieved")}}, s("$.initial"), s("unknown state \"recieved\""));
    add("unknown state in from", {{s("transitions/3/from/1"), s("cheking")}}, s("$.transitions[3].from[1]"),
        s("unknown state \"cheking\""));
    add("unknown state in to", {{s("transitions/1/to"), s("done")}}, s("$.transitions[1].to"), s("unknown state \"done\""));
    add("initial state closed", {{s("initial"), s("completed")}}, s("$.initial"), s("the initial state \"completed\" is closed"));
    add("closed state with running clock", {{s("states/2/clock"), s("running")}}, s("$.states[2].clock"),
        s("a closed state must stop the clock"));
    add("closed state with paused clock", {{s("states/3/clock"), s("paused")}}, s("$.states[3].clock"),
        s("a closed state must stop the clock"));

    // Guards and effects, and their parameters.
    add("unknown guard", {{s("transitions/2/guards/0"), s("approved")}}, s("$.transitions[2].guards[0]"),
        s("unknown guard \"approved\" (known guards: "));
    add("unknown effect", {{s("transitions/0/effects/0"), QJsonObject {{s("effect"), s("send-letter")}}}},
        s("$.transitions[0].effects[0]"), s("unknown effect \"send-letter\" (known effects: "));
    add("unknown effect by name", {{s("transitions/2/effects/0"), s("record-reply")}}, s("$.transitions[2].effects[0]"),
        s("unknown effect \"record-reply\""));
    add("effect object without its name", {{s("transitions/0/effects/0/effect"), kRemove}},
        s("$.transitions[0].effects[0].effect"), s("missing (expected the effect's name)"));
    add("guard as a number", {{s("transitions/2/guards/0"), 3}}, s("$.transitions[2].guards[0]"),
        s("expected a guard name or an object with \"guard\", found a number"));
    add("notify without template", {{s("transitions/0/effects/0/template"), kRemove}}, s("$.transitions[0].effects[0].template"),
        s("missing; name the notice to send"));
    add("notify with a bad template name", {{s("transitions/0/effects/0/template"), s("Acknowledgement Letter")}},
        s("$.transitions[0].effects[0].template"), s("expected a template name"));
    add("notify to mayor", {{s("transitions/0/effects/0/to"), s("mayor")}}, s("$.transitions[0].effects[0].to"),
        s("expected one of requester, assignee, dpo"));
    add("notify with an unknown parameter", {{s("transitions/0/effects/0/channel"), s("post")}},
        s("$.transitions[0].effects[0].channel"), s("unknown parameter"));
    add("parameter on a step that takes none",
        {{s("transitions/2/guards/0"), QJsonObject {{s("guard"), s("assigned")}, {s("who"), s("alice")}}}},
        s("$.transitions[2].guards[0].who"), s("unknown parameter (this step takes none)"));
    add("input-equals naming a non-existent input", {{s("transitions/2/guards/1/input"), s("colour")}},
        s("$.transitions[2].guards[1].input"), s("colour is not an input of transition send-response"));
    add("input-equals without value", {{s("transitions/2/guards/1/value"), kRemove}}, s("$.transitions[2].guards[1].value"),
        s("expected a string"));
    add("assign whose input is not a user", {{s("transitions/1/inputs/0/type"), s("text")}},
        s("$.transitions[1].effects[0].input"), s("assignee must be of type user"));
    add("assign naming a missing input", {{s("transitions/1/effects/0/input"), s("officer")}},
        s("$.transitions[1].effects[0].input"), s("has no input named officer"));
    add("assign from an optional input", {{s("transitions/1/inputs/0/required"), false}}, s("$.transitions[1].effects[0].input"),
        s("must be required"));
    add("input-equals value outside the choices", {{s("transitions/2/guards/1/value"), s("pigeon")}},
        s("$.transitions[2].guards[1].value"), s("could never fire"));
    add("the same notice twice",
        {{s("transitions/0/effects/1"),
            QJsonObject {{s("effect"), s("notify")}, {s("template"), s("acknowledgement")}, {s("to"), s("requester")}}}},
        s("$.transitions[0].effects[1]"), s("duplicate effect \"notify\": the same as effects[0]"));

    // Choices.
    add("choice input without choices", {{s("transitions/2/inputs/0/choices"), kRemove}}, s("$.transitions[2].inputs[0].choices"),
        s("missing (expected an array of strings)"));
    add("choice input with no choices", {{s("transitions/2/inputs/0/choices"), QJsonArray()}},
        s("$.transitions[2].inputs[0].choices"), s("must not be empty"));
    add("choices on a text input", {{s("transitions/3/inputs/0/choices"), QJsonArray {s("moved")}}},
        s("$.transitions[3].inputs[0].choices"), s("only inputs of type choice take choices"));

    // Values of the wrong JSON type.
    add("states as object", {{s("states"), QJsonObject {{s("received"), QJsonObject()}}}}, s("$.states"),
        s("expected an array, found an object"));
    add("state as string", {{s("states/0"), s("received")}}, s("$.states[0]"), s("expected an object, found a string"));
    add("from as string", {{s("transitions/0/from"), s("received")}}, s("$.transitions[0].from"),
        s("expected an array of strings, found a string"));
    add("role as number", {{s("transitions/0/roles/0"), 1}}, s("$.transitions[0].roles[0]"),
        s("expected a string, found a number"));
    add("required as string", {{s("transitions/3/inputs/0/required"), s("yes")}}, s("$.transitions[3].inputs[0].required"),
        s("expected a boolean, found a string"));
    add("label as number", {{s("states/0/label"), 7}}, s("$.states[0].label"), s("expected a string, found a number"));
    add("to as array", {{s("transitions/0/to"), QJsonArray {s("checking")}}}, s("$.transitions[0].to"),
        s("expected a string, found an array"));
    add("inputs as object", {{s("transitions/3/inputs"), QJsonObject()}}, s("$.transitions[3].inputs"),
        s("expected an array, found an object"));

    // The shape of the graph.
    add("unreachable state",
        {{s("states/4"),
             QJsonObject {
                 {s("name"), s("archived")}, {s("label"), s("Archived")}, {s("kind"), s("open")}, {s("clock"), s("running")}}},
            {s("transitions/3/from/2"), s("archived")}},
        s("$.states[4]"), s("state \"archived\" is unreachable from the initial state \"received\""));
    add("state with no way to a closed state",
        {{s("states/4"),
             QJsonObject {
                 {s("name"), s("limbo")}, {s("label"), s("Limbo")}, {s("kind"), s("waiting")}, {s("clock"), s("paused")}}},
            {s("transitions/4"),
                QJsonObject {{s("name"), s("park")}, {s("label"), s("Park")}, {s("from"), QJsonArray {s("checking")}},
                    {s("to"), s("limbo")}, {s("roles"), QJsonArray {s("officer")}}}}},
        s("$.states[4]"), s("state \"limbo\" has no way to a closed state"));
    // Timers.
    const auto timer = [&s](const QJsonObject &object) { return QJsonArray {object}; };
    const QJsonObject notifyAssignee {{s("to"), s("assignee")}, {s("template"), s("due-reminder")}};
    add("timer period not understood",
        {{s("timers"), timer({{s("name"), s("nudge")}, {s("before-due"), s("a fortnight")}, {s("notify"), notifyAssignee}})}},
        s("$.timers[0].before-due"), s("\"a fortnight\" is not a period"));
    add("timer in working months",
        {{s("timers"), timer({{s("name"), s("nudge")}, {s("after-due"), s("2 working months")}, {s("notify"), notifyAssignee}})}},
        s("$.timers[0].after-due"), s("is not a period"));
    add("timer with two moments",
        {{s("timers"),
            timer({{s("name"), s("nudge")}, {s("before-due"), s("3 days")}, {s("after-due"), s("1 day")},
                {s("notify"), notifyAssignee}})}},
        s("$.timers[0]"), s("exactly one of"));
    add("timer with no moment", {{s("timers"), timer({{s("name"), s("nudge")}, {s("notify"), notifyAssignee}})}},
        s("$.timers[0]"), s("exactly one of"));
    add("timer in an unknown state",
        {{s("timers"),
            timer({{s("name"), s("lapse")}, {s("in"), QJsonArray {s("nowhere")}}, {s("after"), s("1 month")},
                {s("fire"), s("acknowledge")}})}},
        s("$.timers[0].in"), s("unknown state \"nowhere\""));
    add("timer in a closed state",
        {{s("timers"),
            timer({{s("name"), s("lapse")}, {s("in"), QJsonArray {s("completed")}}, {s("after"), s("1 month")},
                {s("notify"), notifyAssignee}})}},
        s("$.timers[0].in"), s("is closed"));
    add("timer fires a transition that does not leave its state",
        {{s("timers"),
            timer({{s("name"), s("lapse")}, {s("in"), QJsonArray {s("checking")}}, {s("after"), s("1 month")},
                {s("fire"), s("acknowledge")}})}},
        s("$.timers[0].fire"), s("does not leave state \"checking\""));
    add("timer fires a transition that needs an input",
        {{s("timers"),
            timer({{s("name"), s("lapse")}, {s("in"), QJsonArray {s("checking")}}, {s("after"), s("1 month")},
                {s("fire"), s("withdraw")}})}},
        s("$.timers[0].fire"), s("needs the input \"reason\""));
    add("timer fires an unknown transition",
        {{s("timers"),
            timer({{s("name"), s("lapse")}, {s("in"), QJsonArray {s("received")}}, {s("after"), s("1 month")},
                {s("fire"), s("vanish")}})}},
        s("$.timers[0].fire"), s("unknown transition \"vanish\""));
    add("due-date timer fires a transition",
        {{s("timers"), timer({{s("name"), s("nudge")}, {s("before-due"), s("3 working days")}, {s("fire"), s("acknowledge")}})}},
        s("$.timers[0].fire"), s("only an \"after\" timer fires"));
    add("due-date timer waits in a state",
        {{s("timers"),
            timer({{s("name"), s("nudge")}, {s("before-due"), s("3 working days")}, {s("in"), QJsonArray {s("checking")}},
                {s("notify"), notifyAssignee}})}},
        s("$.timers[0].in"), s("only an \"after\" timer waits"));
    add("timer notifies nobody we know",
        {{s("timers"),
            timer({{s("name"), s("nudge")}, {s("after-due"), s("1 day")},
                {s("notify"), QJsonObject {{s("to"), s("mayor")}, {s("template"), s("escalation")}}}})}},
        s("$.timers[0].notify.to"), s("\"mayor\" is not a recipient"));
    add("timer that does nothing",
        {{s("timers"), timer({{s("name"), s("idle")}, {s("in"), QJsonArray {s("received")}}, {s("after"), s("2 days")}})}},
        s("$.timers[0]"), s("the timer does nothing"));
    add("duplicate timer names",
        {{s("timers"),
            QJsonArray {QJsonObject {{s("name"), s("nudge")}, {s("before-due"), s("3 days")}, {s("notify"), notifyAssignee}},
                QJsonObject {{s("name"), s("nudge")}, {s("after-due"), s("1 day")}, {s("notify"), notifyAssignee}}}}},
        s("$.timers[1].name"), s("duplicate timer name \"nudge\""));

    add("no closed state",
        {{s("states/2/kind"), s("open")}, {s("states/2/clock"), s("running")}, {s("states/3/kind"), s("waiting")},
            {s("states/3/clock"), s("paused")}},
        s("$.states"), s("no closed state"));
}

void TestWorkflowLoader::invalidDefinitionIsRefused()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, prefix);
    QFETCH(QString, phrase);

    const Result<WorkflowDefinition> def = WorkflowLoader().parse(json, kSource);
    QVERIFY2(!def.ok(), "an invalid definition was accepted");
    QCOMPARE(def.error().code, ErrorCode::Invalid);
    QVERIFY2(def.error().message.contains(kSource), qPrintable(def.error().message));
    QVERIFY(!def.error().details.isEmpty());
    const QString line = matchingLine(def.error().details, prefix, phrase);
    QVERIFY2(!line.isEmpty(),
        qPrintable(QStringLiteral("no line starting \"%1\" and mentioning \"%2\" in:\n%3")
                       .arg(prefix, phrase, def.error().details.join(QLatin1Char('\n')))));
    // Every line names the file, so a report over many files can be read line by line.
    for (const QString &detail : def.error().details)
        QVERIFY2(detail.startsWith(kSource + QLatin1Char(':')), qPrintable(detail));
}

void TestWorkflowLoader::notJsonNamesLineAndColumn()
{
    // The stray comma is line 3, column 12. Qt's parser reports the offset
    // just past the character it choked on, so column 13 is accepted too;
    // what matters is that a person is sent to the right line and spot, not
    // to a byte offset into the file.
    const QByteArray json("{\n  \"id\": \"test-access\",\n  \"title\": ,\n  \"right\": \"access\"\n}\n");
    const Result<WorkflowDefinition> def = WorkflowLoader().parse(json, kSource);
    QVERIFY(!def.ok());
    QCOMPARE(def.error().code, ErrorCode::Invalid);
    QCOMPARE(def.error().details.size(), 1);
    static const QRegularExpression where(QStringLiteral("^test-workflow\\.json:(\\d+):(\\d+): not valid JSON: .+$"));
    const QRegularExpressionMatch match = where.match(def.error().details.constFirst());
    QVERIFY2(match.hasMatch(), qPrintable(def.error().details.constFirst()));
    QCOMPARE(match.captured(1).toInt(), 3);
    const int column = match.captured(2).toInt();
    QVERIFY2(column == 12 || column == 13, qPrintable(def.error().details.constFirst()));
}

void TestWorkflowLoader::duplicateKeyIsRefused_data()
{
    // Qt's parser keeps the last of two equal keys: each of these files would
    // load as something its author did not see at the top of it.
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("prefix"); // FILE:LINE:COLUMN: PATH:
    QTest::addColumn<QString>("phrase");

    {
        // Two workflows in one file: the second's keys repeat the first's.
        QByteArray first(kValidDefinition);
        first.chop(1); // the closing brace
        QByteArray second(kValidDefinition);
        second.remove(0, 1).replace("\"test-access\"", "\"test-other\"");
        const QByteArray json = first + ",\n" + second;
        const qsizetype at = json.indexOf("\"id\"", first.size());
        QTest::addRow("two workflows in one file") << json << locationOf(json, at) + QStringLiteral("$.id: ")
                                                   << QStringLiteral("key \"id\" appears twice in one object");
    }
    qsizetype at = 0;
    QByteArray json = definitionWith("\"label\": \"Checking\",", " \"label\": \"Something else\",", at);
    QTest::addRow("a state's label twice") << json << locationOf(json, at + 1) + QStringLiteral("$.states[1].label: ")
                                           << QStringLiteral("key \"label\" appears twice");
    json = definitionWith("\"template\": \"acknowledgement\",", " \"template\": \"response\",", at);
    QTest::addRow("an effect's template twice")
        << json << locationOf(json, at + 1) + QStringLiteral("$.transitions[0].effects[0].template: ")
        << QStringLiteral("key \"template\" appears twice");
    json = definitionWith("\"label\": \"Withdrawn\", \"kind\": \"closed\",", " \"kind\": \"open\",", at);
    QTest::addRow("the last state's kind twice") << json << locationOf(json, at + 1) + QStringLiteral("$.states[3].kind: ")
                                                 << QStringLiteral("key \"kind\" appears twice");
    // The same key however it is written: \u0074 is "t".
    json = definitionWith("\"title\": \"Test access workflow\",", "\n  \"\\u0074itle\": \"Other\",", at);
    QTest::addRow("a key written with an escape")
        << json << locationOf(json, at + 3) + QStringLiteral("$.title: ") << QStringLiteral("written \"\\u0074itle\" here");
}

void TestWorkflowLoader::duplicateKeyIsRefused()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, prefix);
    QFETCH(QString, phrase);
    const Result<WorkflowDefinition> def = WorkflowLoader().parse(json, kSource);
    QVERIFY2(!def.ok(), "a definition with a key given twice was accepted");
    QCOMPARE(def.error().code, ErrorCode::Invalid);
    QVERIFY2(def.error().message.contains(kSource), qPrintable(def.error().message));
    QVERIFY2(!matchingLine(def.error().details, prefix, phrase).isEmpty(),
        qPrintable(QStringLiteral("no line starting \"%1\" and mentioning \"%2\" in:\n%3")
                       .arg(prefix, phrase, def.error().details.join(QLatin1Char('\n')))));
}

void TestWorkflowLoader::oversizedFileIsRefused()
{
    // A definition padded with spaces to the limit loads; one byte more is
    // refused with the file, its size and the limit, before it is parsed.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const qint64 limit = maxInputBytes(InputKind::WorkflowDefinition);
    QByteArray json(kValidDefinition);
    json.append(QByteArray(limit - json.size(), ' '));
    const QString atLimit = dir.filePath(QStringLiteral("at-limit.json"));
    QVERIFY(writeFile(atLimit, json));
    const Result<WorkflowDefinition> loaded = WorkflowLoader().loadFile(atLimit);
    QVERIFY2(loaded.ok(), loaded ? "" : qPrintable(loaded.error().fullText()));

    const QString over = dir.filePath(QStringLiteral("over-limit.json"));
    QVERIFY(writeFile(over, json + ' '));
    const Result<WorkflowDefinition> refused = WorkflowLoader().loadFile(over);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, ErrorCode::Invalid);
    const QString text = refused.error().fullText();
    QVERIFY2(text.startsWith(over + QStringLiteral(": ")), qPrintable(text));
    QVERIFY2(text.contains(QString::number(limit + 1) + QStringLiteral(" bytes")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("1 MiB")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("workflow definition")), qPrintable(text));
    // The same bytes handed over directly are refused too.
    const Result<WorkflowDefinition> parsed = WorkflowLoader().parse(json + ' ', kSource);
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.error().fullText().contains(QString::number(limit + 1)), qPrintable(parsed.error().fullText()));
}

void TestWorkflowLoader::everyProblemIsReported()
{
    // Independent mistakes in one file are all reported, each on its own line,
    // and the message counts them.
    const QJsonObject object = editedDefinition({
        {QStringLiteral("right"), QStringLiteral("happiness")},
        {QStringLiteral("states/1/clock"), QStringLiteral("ticking")},
        {QStringLiteral("transitions/1/to"), QStringLiteral("done")},
    });
    const Result<WorkflowDefinition> def = WorkflowLoader().parse(toJson(object), kSource);
    QVERIFY(!def.ok());
    QCOMPARE(def.error().details.size(), 3);
    QVERIFY(!matchingLine(def.error().details, kSource + QStringLiteral(": $.right: "), QStringLiteral("happiness")).isEmpty());
    QVERIFY(!matchingLine(def.error().details, kSource + QStringLiteral(": $.states[1].clock: "), QStringLiteral("ticking"))
                 .isEmpty());
    QVERIFY(!matchingLine(def.error().details, kSource + QStringLiteral(": $.transitions[1].to: "), QStringLiteral("done"))
                 .isEmpty());
    QVERIFY2(def.error().message.contains(QStringLiteral("3 problems")), qPrintable(def.error().message));
}

void TestWorkflowLoader::extraEffectIsAdditive()
{
    // A capability added later registers its effect; definitions that use it
    // become valid without any change to the loader or to the builtin steps.
    ActionRegistry extended = ActionRegistry::builtin();
    extended.registerEffect(
        QStringLiteral("open-case-file"), QStringLiteral("Open a case file in the records system."),
        [](EffectContext &) -> Status { return {}; },
        [](const QJsonObject &params, const TransitionDef &) {
            QStringList problems;
            if (!params.value(QStringLiteral("system")).isString())
                problems << QStringLiteral("system: missing; name the records system");
            return problems;
        });

    const auto withEffect = [](const QJsonValue &effect) {
        return toJson(editedDefinition({{QStringLiteral("transitions/0/effects/1"), effect}}));
    };
    const QByteArray json = withEffect(QJsonObject {
        {QStringLiteral("effect"), QStringLiteral("open-case-file")}, {QStringLiteral("system"), QStringLiteral("edrms")}});

    const Result<WorkflowDefinition> builtin = WorkflowLoader().parse(json, kSource);
    QVERIFY(!builtin.ok());
    QVERIFY2(!matchingLine(builtin.error().details, kSource + QStringLiteral(": $.transitions[0].effects[1]: "),
                 QStringLiteral("unknown effect \"open-case-file\""))
                  .isEmpty(),
        qPrintable(builtin.error().fullText()));

    const Result<WorkflowDefinition> def = WorkflowLoader(extended).parse(json, kSource);
    QVERIFY2(def.ok(), def ? "" : qPrintable(def.error().fullText()));
    const TransitionDef *acknowledge = def->transition(QStringLiteral("acknowledge"));
    QVERIFY(acknowledge);
    QCOMPARE(acknowledge->effects.size(), 2);
    QCOMPARE(acknowledge->effects.at(0).name, QStringLiteral("notify"));
    QCOMPARE(acknowledge->effects.at(1).name, QStringLiteral("open-case-file"));
    QCOMPARE(acknowledge->effects.at(1).params.value(QStringLiteral("system")).toString(), QStringLiteral("edrms"));

    // The new effect's own parameter check is applied, at the right path.
    const Result<WorkflowDefinition> unchecked
        = WorkflowLoader(extended).parse(withEffect(QStringLiteral("open-case-file")), kSource);
    QVERIFY(!unchecked.ok());
    QVERIFY2(!matchingLine(unchecked.error().details, kSource + QStringLiteral(": $.transitions[0].effects[1].system: "),
                 QStringLiteral("name the records system"))
                  .isEmpty(),
        qPrintable(unchecked.error().fullText()));

    // Nothing else changed: the builtin steps are all still there, and the
    // builtin registry itself did not learn the new effect.
    for (const QString &name : ActionRegistry::builtin().effectNames())
        QVERIFY2(extended.effect(name), qPrintable(name));
    QCOMPARE(ActionRegistry::builtin().guardNames(), extended.guardNames());
    QVERIFY(!ActionRegistry::builtin().effect(QStringLiteral("open-case-file")));
    QCOMPARE(extended.effectNames().size(), ActionRegistry::builtin().effectNames().size() + 1);
}

void TestWorkflowLoader::extraGuardIsAdditive()
{
    ActionRegistry extended = ActionRegistry::builtin();
    extended.registerGuard(QStringLiteral("bundle-ready"), QStringLiteral("The data bundle has been built."),
        [](const GuardContext &) -> Status { return {}; });
    const QByteArray json
        = toJson(editedDefinition({{QStringLiteral("transitions/2/guards/2"), QStringLiteral("bundle-ready")}}));

    const Result<WorkflowDefinition> builtin = WorkflowLoader().parse(json, kSource);
    QVERIFY(!builtin.ok());
    QVERIFY(!matchingLine(builtin.error().details, kSource + QStringLiteral(": $.transitions[2].guards[2]: "),
        QStringLiteral("unknown guard \"bundle-ready\""))
                 .isEmpty());

    const Result<WorkflowDefinition> def = WorkflowLoader(extended).parse(json, kSource);
    QVERIFY2(def.ok(), def ? "" : qPrintable(def.error().fullText()));
    QCOMPARE(def->transition(QStringLiteral("send-response"))->guards.size(), 3);
    QVERIFY(!ActionRegistry::builtin().guard(QStringLiteral("bundle-ready")));
}

void TestWorkflowLoader::libraryRefusesTwoFilesForOneRight()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(
        dir.filePath(QStringLiteral("access-one.json")), definitionFor(QStringLiteral("access-one"), QStringLiteral("access"))));
    QVERIFY(writeFile(
        dir.filePath(QStringLiteral("access-two.json")), definitionFor(QStringLiteral("access-two"), QStringLiteral("access"))));

    const Result<WorkflowLibrary> library = WorkflowLibrary::load(dir.path());
    QVERIFY(!library.ok());
    QCOMPARE(library.error().code, ErrorCode::Invalid);
    QVERIFY2(library.error().message.contains(dir.path()), qPrintable(library.error().message));
    // One line naming both files, so the administrator knows which to keep.
    bool found = false;
    for (const QString &line : library.error().details) {
        found = found
            || (line.contains(QStringLiteral("access-one.json")) && line.contains(QStringLiteral("access-two.json"))
                && line.contains(QStringLiteral("$.right")) && line.contains(QStringLiteral("\"access\"")));
    }
    QVERIFY2(found, qPrintable(library.error().fullText()));
}

void TestWorkflowLoader::libraryRefusesDuplicateIds()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(
        writeFile(dir.filePath(QStringLiteral("a.json")), definitionFor(QStringLiteral("same-id"), QStringLiteral("access"))));
    QVERIFY(
        writeFile(dir.filePath(QStringLiteral("b.json")), definitionFor(QStringLiteral("same-id"), QStringLiteral("erasure"))));

    const Result<WorkflowLibrary> library = WorkflowLibrary::load(dir.path());
    QVERIFY(!library.ok());
    QCOMPARE(library.error().code, ErrorCode::Invalid);
    QVERIFY2(!matchingLine(library.error().details, dir.filePath(QStringLiteral("b.json")) + QStringLiteral(": $.id: "),
                 QStringLiteral("duplicate workflow id \"same-id\""))
                  .isEmpty(),
        qPrintable(library.error().fullText()));
}

void TestWorkflowLoader::libraryRefusesEmptyDirectory()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // Files that are not *.json do not count as definitions.
    QVERIFY(writeFile(dir.filePath(QStringLiteral("README.md")), "# notes\n"));

    const Result<WorkflowLibrary> library = WorkflowLibrary::load(dir.path());
    QVERIFY(!library.ok());
    QCOMPARE(library.error().code, ErrorCode::NotFound);
    QVERIFY2(library.error().message.contains(dir.path()), qPrintable(library.error().message));
    QVERIFY2(library.error().message.contains(QStringLiteral("no workflow definitions")), qPrintable(library.error().message));
}

void TestWorkflowLoader::libraryRefusesMissingDirectory()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString missing = dir.filePath(QStringLiteral("no-such-folder"));
    const Result<WorkflowLibrary> library = WorkflowLibrary::load(missing);
    QVERIFY(!library.ok());
    QCOMPARE(library.error().code, ErrorCode::NotFound);
    QVERIFY2(library.error().message.contains(missing), qPrintable(library.error().message));
}

void TestWorkflowLoader::libraryListsProblemsOfBadFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFile(
        dir.filePath(QStringLiteral("access.json")), definitionFor(QStringLiteral("access"), QStringLiteral("access"))));
    const QJsonObject bad = editedDefinition({{QStringLiteral("id"), QStringLiteral("erasure")},
        {QStringLiteral("right"), QStringLiteral("erasure")}, {QStringLiteral("transitions/1/to"), QStringLiteral("done")},
        {QStringLiteral("transitions/0/effects/0/to"), QStringLiteral("mayor")}});
    const QString badPath = dir.filePath(QStringLiteral("erasure.json"));
    QVERIFY(writeFile(badPath, toJson(bad)));

    const Result<WorkflowLibrary> library = WorkflowLibrary::load(dir.path());
    QVERIFY2(!library.ok(), "a directory with an invalid file was accepted");
    QCOMPARE(library.error().code, ErrorCode::Invalid);
    QVERIFY2(library.error().message.contains(dir.path()), qPrintable(library.error().message));
    const QStringList &details = library.error().details;
    QCOMPARE(details.size(), 2);
    QVERIFY2(!matchingLine(details, badPath + QStringLiteral(": $.transitions[1].to: "), QStringLiteral("unknown state \"done\""))
                  .isEmpty(),
        qPrintable(library.error().fullText()));
    QVERIFY2(
        !matchingLine(details, badPath + QStringLiteral(": $.transitions[0].effects[0].to: "), QStringLiteral("expected one of"))
             .isEmpty(),
        qPrintable(library.error().fullText()));
}

void TestWorkflowLoader::shippedSetLoads()
{
    const Result<WorkflowLibrary> library = WorkflowLibrary::load(rf::test::shippedWorkflowsDir());
    QVERIFY2(library.ok(), library ? "" : qPrintable(library.error().fullText()));
    QCOMPARE(library->all().size(), 7);
    QCOMPARE(library->all().size(), knownRights().size());
    QSet<QString> rights;
    for (const WorkflowDefinition &def : library->all())
        rights.insert(def.right);
    QCOMPARE(rights.size(), knownRights().size());
    for (const QString &right : knownRights()) {
        const WorkflowDefinition *def = library->forRight(right);
        QVERIFY2(def, qPrintable(right));
        QCOMPARE(def->right, right);
        // The shipped files use the right's name as the id and as the file name.
        QCOMPARE(def->id, right);
        QCOMPARE(library->byId(right), def);
        QCOMPARE(QFileInfo(def->source).fileName(), right + QStringLiteral(".json"));
    }

    // The set compiled into the engine is the one in the source tree.
    const Result<WorkflowLibrary> builtIn = WorkflowLibrary::load(QStringLiteral(":/workflows"));
    QVERIFY2(builtIn.ok(), builtIn ? "" : qPrintable(builtIn.error().fullText()));
    QCOMPARE(builtIn->all().size(), library->all().size());
    for (const WorkflowDefinition &def : library->all()) {
        const WorkflowDefinition *compiled = builtIn->forRight(def.right);
        QVERIFY2(compiled, qPrintable(def.right));
        QCOMPARE(compiled->hash, def.hash);
    }
}

QTEST_GUILESS_MAIN(TestWorkflowLoader)
#include "TestWorkflowLoader.moc"
