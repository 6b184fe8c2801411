// SPDX-License-Identifier: GPL-3.0-or-later
// The `rightsflow` program run as a real process: exit codes, what goes to
// stdout and stderr, and that a failed command leaves the register as it was.
// Every run gets a fixed clock (RIGHTSFLOW_NOW) and its own register in a
// temporary directory; the developer's register and overrides are never seen.

#include "CliRunner.h"
#include "TestSupport.h"
#include "core/Logging.h"

#include "core/InputLimits.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <algorithm>
#include <utility>

namespace {

const QString kNow = QStringLiteral("2026-03-02T09:00:00Z");

using CliRun = rf::test::ProcessRun;

// Where the child's default register would live: never the developer's.
QString &sandboxDataHome()
{
    static QString path;
    return path;
}

// Runs the program at the suite's clock. `env` overrides the child's
// environment; a null value removes the variable.
CliRun run(const QStringList &args, const QMap<QString, QString> &env = {})
{
    QMap<QString, QString> environment {{QStringLiteral("RIGHTSFLOW_NOW"), kNow}};
    if (!sandboxDataHome().isEmpty())
        environment.insert(QStringLiteral("XDG_DATA_HOME"), sandboxDataHome());
    environment.insert(env);
    return rf::test::runCli(args, environment);
}

} // namespace

namespace {

QStringList dbArgs(const QString &path)
{
    return {QStringLiteral("--db"), path};
}

// A valid intake, received an hour before the fixed clock. `overrides`
// replaces an option's value (or adds the option); `drop` removes options.
QStringList intakeArgs(const QList<std::pair<QString, QString>> &overrides = {}, const QStringList &drop = {})
{
    QList<std::pair<QString, QString>> options {
        {QStringLiteral("--right"), QStringLiteral("access")},
        {QStringLiteral("--channel"), QStringLiteral("email")},
        {QStringLiteral("--name"), QStringLiteral("Margaret Ellis")},
        {QStringLiteral("--email"), QStringLiteral("m.ellis@example.org")},
        {QStringLiteral("--postcode"), QStringLiteral("L20 7AB")},
        {QStringLiteral("--received"), QStringLiteral("2026-03-02T08:00:00Z")},
    };
    for (const auto &[option, value] : overrides) {
        auto it = std::find_if(options.begin(), options.end(), [&](const auto &o) { return o.first == option; });
        if (it != options.end())
            it->second = value;
        else
            options.append({option, value});
    }
    QStringList args {QStringLiteral("request"), QStringLiteral("new")};
    for (const auto &[option, value] : options) {
        if (!drop.contains(option))
            args << option << value;
    }
    return args;
}

// init, then root (the admin) adds alice and bilal (officers) and dana (dpo).
void setUpRegister(const QString &db)
{
    const CliRun init = run(QStringList {QStringLiteral("init"), QStringLiteral("--rehearsal")} + dbArgs(db));
    VERIFY_EXIT(init, 0);
    for (const rf::test::StaffMember &member : rf::test::staff()) {
        const CliRun add
            = run(QStringList {QStringLiteral("user"), QStringLiteral("add"), member.name, QStringLiteral("--role"), member.role,
                      QStringLiteral("--email"), member.email(), QStringLiteral("--as"), QStringLiteral("root")}
                + dbArgs(db));
        VERIFY_EXIT(add, 0);
    }
}

void fileRequest(const QString &db, const QStringList &intake, QString *reference)
{
    const CliRun filed = run(intake + dbArgs(db));
    VERIFY_EXIT(filed, 0);
    *reference = filed.out.trimmed();
    QVERIFY2(!reference->isEmpty(), qPrintable(filed.describe()));
}

void act(const QString &db, const QString &reference, const QStringList &actionArgs)
{
    const CliRun acted = run(QStringList {QStringLiteral("request"), QStringLiteral("act"), reference} + actionArgs + dbArgs(db));
    VERIFY_EXIT(acted, 0);
}

using rf::test::parseJson;

void requestList(const QString &db, const QStringList &filters, QJsonArray *list)
{
    QJsonDocument document;
    CHECKED(parseJson(
        run(QStringList {QStringLiteral("request"), QStringLiteral("list"), QStringLiteral("--json")} + filters + dbArgs(db)),
        &document));
    QVERIFY2(document.isArray(), document.toJson().constData());
    *list = document.array();
}

QStringList referencesOf(const QJsonArray &list)
{
    QStringList references;
    for (const QJsonValue &item : list)
        references << item.toObject().value(QStringLiteral("reference")).toString();
    return references;
}

void showRequest(const QString &db, const QString &reference, QJsonObject *request)
{
    rf::test::requestFromShow(
        run(QStringList {QStringLiteral("request"), QStringLiteral("show"), reference, QStringLiteral("--json")} + dbArgs(db)),
        request);
}

// The number of audit events, from an intact trail.
void auditCount(const QString &db, int *events)
{
    rf::test::eventsFromVerify(
        run(QStringList {QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--json")} + dbArgs(db)), events);
}

QStringList *g_logged = nullptr;

void keepMessage(QtMsgType, const QMessageLogContext &, const QString &message)
{
    if (g_logged)
        *g_logged << message;
}

// Changes the register behind the program's back, as an attacker with file access would.
void execSql(const QString &path, const QString &sql)
{
    const QString connection = QStringLiteral("tamper-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(path);
        const bool opened = db.open();
        QString problem;
        int affected = -1;
        if (opened) {
            QSqlQuery query(db);
            if (query.exec(sql))
                affected = query.numRowsAffected();
            else
                problem = query.lastError().text();
            query.finish();
        } else {
            problem = db.lastError().text();
        }
        db.close();
        if (!opened || affected != 1) {
            QSqlDatabase::removeDatabase(connection);
            QFAIL(
                qPrintable(QStringLiteral("%1: expected to change one row (%2 changed) %3").arg(sql).arg(affected).arg(problem)));
        }
    }
    QSqlDatabase::removeDatabase(connection);
}

void readJsonFile(const QString &path, QJsonObject *object)
{
    QFile file(path);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError && document.isObject(), qPrintable(path));
    *object = document.object();
}

void writeJsonFile(const QString &path, const QJsonObject &object)
{
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(path));
    QVERIFY(file.write(QJsonDocument(object).toJson(QJsonDocument::Indented)) > 0);
}

QStringList shippedWorkflowFiles()
{
    const QDir dir(rf::test::shippedWorkflowsDir());
    QStringList files;
    for (const QString &name : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
        files << dir.filePath(name);
    return files;
}

QStringList stateNames(const QJsonObject &workflow)
{
    QStringList names;
    for (const QJsonValue &state : workflow.value(QStringLiteral("states")).toArray())
        names << state.toObject().value(QStringLiteral("name")).toString();
    return names;
}

qsizetype transitionIndex(const QJsonObject &workflow, const QString &name)
{
    const QJsonArray transitions = workflow.value(QStringLiteral("transitions")).toArray();
    for (qsizetype i = 0; i < transitions.size(); ++i) {
        if (transitions.at(i).toObject().value(QStringLiteral("name")).toString() == name)
            return i;
    }
    return -1;
}

// Breaks a workflow definition in one way; returns the JSON path the
// validator should name, or an empty string when the mutation is unknown.
QString breakWorkflow(const QString &how, QJsonObject &workflow)
{
    if (how == QLatin1String("transition to unknown state") || how == QLatin1String("transition from unknown state")) {
        const qsizetype i = transitionIndex(workflow, QStringLiteral("return-to-review"));
        if (i < 0)
            return {};
        QJsonArray transitions = workflow.value(QStringLiteral("transitions")).toArray();
        QJsonObject transition = transitions.at(i).toObject();
        QString path;
        if (how == QLatin1String("transition to unknown state")) {
            transition.insert(QStringLiteral("to"), QStringLiteral("nowhere"));
            path = QStringLiteral("$.transitions[%1].to").arg(i);
        } else {
            transition.insert(QStringLiteral("from"), QJsonArray {QStringLiteral("nowhere")});
            path = QStringLiteral("$.transitions[%1].from[0]").arg(i);
        }
        transitions.replace(i, transition);
        workflow.insert(QStringLiteral("transitions"), transitions);
        return path;
    }
    if (how == QLatin1String("initial state unknown")) {
        workflow.insert(QStringLiteral("initial"), QStringLiteral("limbo"));
        return QStringLiteral("$.initial");
    }
    return {};
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dataHome;
    // A register shared by read-only tests: A (access, checking), B (erasure,
    // received) and C (access, withdrawn), received in that order.
    QTemporaryDir m_sharedDir;
    QString m_shared;
    QString m_refA;
    QString m_refB;
    QString m_refC;

private slots:
    void initTestCase()
    {
        QVERIFY2(QFileInfo::exists(QStringLiteral(RIGHTSFLOW_CLI)), RIGHTSFLOW_CLI);
        QVERIFY(m_dataHome.isValid());
        sandboxDataHome() = m_dataHome.path();
        QVERIFY(m_sharedDir.isValid());
        m_shared = m_sharedDir.filePath(QStringLiteral("shared.sqlite"));
        CHECKED(setUpRegister(m_shared));
        CHECKED(fileRequest(m_shared,
            intakeArgs({{QStringLiteral("--received"), QStringLiteral("2026-02-20T10:00:00Z")},
                {QStringLiteral("--assignee"), QStringLiteral("alice")}}),
            &m_refA));
        CHECKED(fileRequest(m_shared,
            intakeArgs({{QStringLiteral("--right"), QStringLiteral("erasure")},
                {QStringLiteral("--received"), QStringLiteral("2026-02-25T10:00:00Z")},
                {QStringLiteral("--name"), QStringLiteral("Priya Shah")},
                {QStringLiteral("--email"), QStringLiteral("priya.shah@example.com")},
                {QStringLiteral("--postcode"), QStringLiteral("L37 2EE")}}),
            &m_refB));
        CHECKED(fileRequest(m_shared,
            intakeArgs({{QStringLiteral("--received"), QStringLiteral("2026-03-01T10:00:00Z")},
                {QStringLiteral("--name"), QStringLiteral("Tomasz Nowak")},
                {QStringLiteral("--email"), QStringLiteral("t.nowak@example.net")},
                {QStringLiteral("--postcode"), QStringLiteral("PR8 1DA")}}),
            &m_refC));
        CHECKED(act(m_shared, m_refA, {QStringLiteral("acknowledge"), QStringLiteral("--as"), QStringLiteral("alice")}));
        CHECKED(act(m_shared, m_refC,
            {QStringLiteral("withdraw"), QStringLiteral("--as"), QStringLiteral("bilal"), QStringLiteral("--input"),
                QStringLiteral("reason=No longer needed")}));
    }

    // --- help and usage ------------------------------------------------------

    void topLevelHelp_data()
    {
        QTest::addColumn<QString>("option");
        QTest::newRow("--help") << QStringLiteral("--help");
        QTest::newRow("-h") << QStringLiteral("-h");
        QTest::newRow("help") << QStringLiteral("help");
    }

    void topLevelHelp()
    {
        QFETCH(QString, option);
        const CliRun help = run({option});
        VERIFY_EXIT(help, 0);
        QVERIFY2(help.err.isEmpty(), qPrintable(help.describe()));
        QVERIFY(help.out.startsWith(QStringLiteral("Usage: rightsflow COMMAND")));
        for (const char *command : {"init", "workflow validate", "user add", "request new", "request act", "audit verify", "demo",
                 "worker", "outbox list", "outbox retry", "retention set", "postgresql://"})
            QVERIFY2(help.out.contains(QLatin1String(command)), command);
        QVERIFY(help.out.contains(QStringLiteral("Exit codes")));
    }

    void commandHelp_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QStringList>("mentions");
        auto row = [](const char *name, const QStringList &command, const QStringList &mentions) {
            QTest::newRow(name) << (command + QStringList {QStringLiteral("--help")}) << mentions;
        };
        row("init", {QStringLiteral("init")}, {QStringLiteral("--db"), QStringLiteral("--workflows")});
        row("workflow validate", {QStringLiteral("workflow"), QStringLiteral("validate")}, {QStringLiteral("FILE")});
        row("workflow list", {QStringLiteral("workflow"), QStringLiteral("list")},
            {QStringLiteral("--workflows"), QStringLiteral("--json")});
        row("workflow show", {QStringLiteral("workflow"), QStringLiteral("show")},
            {QStringLiteral("ID"), QStringLiteral("--workflows"), QStringLiteral("--json")});
        row("workflow dot", {QStringLiteral("workflow"), QStringLiteral("dot")},
            {QStringLiteral("ID"), QStringLiteral("--workflows"), QStringLiteral("Graphviz")});
        row("user add", {QStringLiteral("user"), QStringLiteral("add")},
            {QStringLiteral("NAME"), QStringLiteral("--role"), QStringLiteral("--email"), QStringLiteral("--as"),
                QStringLiteral("--db")});
        row("user list", {QStringLiteral("user"), QStringLiteral("list")}, {QStringLiteral("--json"), QStringLiteral("--db")});
        row("request new", {QStringLiteral("request"), QStringLiteral("new")},
            {QStringLiteral("--right"), QStringLiteral("--channel"), QStringLiteral("--name"), QStringLiteral("--email"),
                QStringLiteral("--phone"), QStringLiteral("--address"), QStringLiteral("--postcode"),
                QStringLiteral("--received"), QStringLiteral("--identifier"), QStringLiteral("--scope"),
                QStringLiteral("--assignee"), QStringLiteral("--subject-name"), QStringLiteral("--relationship"),
                QStringLiteral("--authority-received"), QStringLiteral("--as"), QStringLiteral("--db"),
                QStringLiteral("--workflows")});
        row("request list", {QStringLiteral("request"), QStringLiteral("list")},
            {QStringLiteral("--state"), QStringLiteral("--right"), QStringLiteral("--assignee"), QStringLiteral("--channel"),
                QStringLiteral("--open"), QStringLiteral("--limit"), QStringLiteral("--offset"), QStringLiteral("--json")});
        row("request show", {QStringLiteral("request"), QStringLiteral("show")},
            {QStringLiteral("REF"), QStringLiteral("--as"), QStringLiteral("--json")});
        row("request act", {QStringLiteral("request"), QStringLiteral("act")},
            {QStringLiteral("REF"), QStringLiteral("ACTION"), QStringLiteral("--as"), QStringLiteral("--input"),
                QStringLiteral("--note"), QStringLiteral("--expect-version")});
        row("request note", {QStringLiteral("request"), QStringLiteral("note")},
            {QStringLiteral("REF"), QStringLiteral("TEXT"), QStringLiteral("--as")});
        row("audit verify", {QStringLiteral("audit"), QStringLiteral("verify")},
            {QStringLiteral("--db"), QStringLiteral("--json")});
        row("demo", {QStringLiteral("demo")}, {QStringLiteral("--db"), QStringLiteral("--workflows")});
        row("worker", {QStringLiteral("worker")},
            {QStringLiteral("--once"), QStringLiteral("--interval"), QStringLiteral("--drop-dir"), QStringLiteral("--batch"),
                QStringLiteral("--max-attempts"), QStringLiteral("RIGHTSFLOW_DROP_DIR"), QStringLiteral("SIGTERM"),
                QStringLiteral("postgresql://")});
        row("outbox list", {QStringLiteral("outbox"), QStringLiteral("list")},
            {QStringLiteral("--status"), QStringLiteral("--limit"), QStringLiteral("--json"), QStringLiteral("parked")});
        row("outbox show", {QStringLiteral("outbox"), QStringLiteral("show")}, {QStringLiteral("ID"), QStringLiteral("--json")});
        row("outbox retry", {QStringLiteral("outbox"), QStringLiteral("retry")}, {QStringLiteral("ID"), QStringLiteral("--as")});
        row("retention show", {QStringLiteral("retention"), QStringLiteral("show")}, {QStringLiteral("--db")});
        row("retention set", {QStringLiteral("retention"), QStringLiteral("set")},
            {QStringLiteral("MONTHS"), QStringLiteral("--as"), QStringLiteral("12 to 240")});
        QTest::newRow("help request act") << QStringList {QStringLiteral("help"), QStringLiteral("request"),
            QStringLiteral("act")} << QStringList {QStringLiteral("--as"), QStringLiteral("--expect-version")};
    }

    void commandHelp()
    {
        QFETCH(QStringList, args);
        QFETCH(QStringList, mentions);
        const CliRun help = run(args);
        VERIFY_EXIT(help, 0);
        QVERIFY2(help.err.isEmpty(), qPrintable(help.describe()));
        QVERIFY2(help.out.startsWith(QStringLiteral("Usage:")), qPrintable(help.describe()));
        for (const QString &mention : mentions)
            QVERIFY2(help.out.contains(mention), qPrintable(mention + QStringLiteral(" not in ") + help.describe()));
    }

    // A command's help reads as that command, not as the binary's path.
    void commandHelpUsageLineNamesCommand_data()
    {
        QTest::addColumn<QString>("command");
        for (const char *command : {"init", "workflow validate", "workflow list", "workflow show", "workflow dot", "user add",
                 "user list", "request new", "request list", "request show", "request act", "request note", "audit verify",
                 "demo", "worker", "outbox list", "outbox show", "outbox retry", "retention show", "retention set"})
            QTest::newRow(command) << QString::fromLatin1(command);
    }

    void commandHelpUsageLineNamesCommand()
    {
        QFETCH(QString, command);
        QStringList args = command.split(QLatin1Char(' '));
        args << QStringLiteral("--help");
        const CliRun help = run(args);
        VERIFY_EXIT(help, 0);
        const QString usage = help.out.section(QLatin1Char('\n'), 0, 0);
        QVERIFY2(usage.startsWith(QStringLiteral("Usage: rightsflow ") + command),
            qPrintable(QStringLiteral("usage line: '%1'").arg(usage)));
    }

    // The top-level help says "Run 'rightsflow COMMAND --help'"; that must work
    // for the commands that have sub-commands too.
    void groupHelp_data()
    {
        QTest::addColumn<QString>("group");
        QTest::addColumn<QStringList>("subcommands");
        QTest::newRow("workflow") << QStringLiteral("workflow")
                                  << QStringList {QStringLiteral("validate"), QStringLiteral("list"), QStringLiteral("show"),
                                         QStringLiteral("dot")};
        QTest::newRow("user") << QStringLiteral("user") << QStringList {QStringLiteral("add"), QStringLiteral("list")};
        QTest::newRow("request") << QStringLiteral("request")
                                 << QStringList {QStringLiteral("new"), QStringLiteral("list"), QStringLiteral("show"),
                                        QStringLiteral("act"), QStringLiteral("note")};
        QTest::newRow("audit") << QStringLiteral("audit") << QStringList {QStringLiteral("verify")};
    }

    void groupHelp()
    {
        QFETCH(QString, group);
        QFETCH(QStringList, subcommands);
        const CliRun help = run({group, QStringLiteral("--help")});
        VERIFY_EXIT(help, 0);
        for (const QString &sub : subcommands)
            QVERIFY2(help.out.contains(sub), qPrintable(sub + QStringLiteral(" not in ") + help.describe()));
    }

    void noArgumentsIsAUsageError()
    {
        const CliRun none = run({});
        VERIFY_EXIT(none, 2);
        QVERIFY2(none.out.isEmpty(), qPrintable(none.describe()));
        QVERIFY2(none.err.contains(QStringLiteral("Usage: rightsflow COMMAND")), qPrintable(none.describe()));
    }

    void unknownCommandIsNamed_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("named");
        QTest::newRow("command") << QStringList {QStringLiteral("frobnicate")} << QStringLiteral("'frobnicate'");
        QTest::newRow("workflow sub-command")
            << QStringList {QStringLiteral("workflow"), QStringLiteral("frob")} << QStringLiteral("'frob'");
        QTest::newRow("user sub-command") << QStringList {QStringLiteral("user"), QStringLiteral("frob")}
                                          << QStringLiteral("'frob'");
        QTest::newRow("request sub-command")
            << QStringList {QStringLiteral("request"), QStringLiteral("frob")} << QStringLiteral("'frob'");
        QTest::newRow("audit sub-command") << QStringList {QStringLiteral("audit"), QStringLiteral("frob")}
                                           << QStringLiteral("'frob'");
        QTest::newRow("unknown option") << QStringList {QStringLiteral("request"), QStringLiteral("list"),
            QStringLiteral("--colour"), QStringLiteral("red")}
                                        << QStringLiteral("colour");
    }

    void unknownCommandIsNamed()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, named);
        const CliRun unknown = run(args);
        VERIFY_EXIT(unknown, 2);
        QCOMPARE(unknown.errLines().size(), 1);
        QVERIFY2(unknown.err.contains(named), qPrintable(unknown.describe()));
    }

    // --- the register --------------------------------------------------------

    void initCreatesRegister()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString db = dir.filePath(QStringLiteral("sub/dir/register.sqlite"));
        // The suite's clock is fixed, so its registers are rehearsal registers.
        const CliRun init = run(QStringList {QStringLiteral("init"), QStringLiteral("--rehearsal")} + dbArgs(db));
        VERIFY_EXIT(init, 0);
        QVERIFY(QFileInfo::exists(db));
        QVERIFY2(init.out.contains(QStringLiteral("Rehearsal register ready")), qPrintable(init.describe()));
        QJsonArray list;
        CHECKED(requestList(db, {}, &list));
        QVERIFY(list.isEmpty());

        // init on an existing register keeps what it holds.
        QString reference;
        CHECKED(fileRequest(db, intakeArgs(), &reference));
        VERIFY_EXIT(run(QStringList {QStringLiteral("init")} + dbArgs(db)), 0);
        CHECKED(requestList(db, {}, &list));
        QCOMPARE(referencesOf(list), QStringList {reference});
    }

    void missingRegisterIsNotFound_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("request list") << QStringList {QStringLiteral("request"), QStringLiteral("list")};
        QTest::newRow("request new") << intakeArgs();
        QTest::newRow("request show") << QStringList {
            QStringLiteral("request"), QStringLiteral("show"), QStringLiteral("DSR-2026-000001")};
        QTest::newRow("request act") << QStringList {QStringLiteral("request"), QStringLiteral("act"),
            QStringLiteral("DSR-2026-000001"), QStringLiteral("acknowledge"), QStringLiteral("--as"), QStringLiteral("alice")};
        QTest::newRow("user add") << QStringList {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("alice"),
            QStringLiteral("--role"), QStringLiteral("officer")};
        QTest::newRow("user list") << QStringList {QStringLiteral("user"), QStringLiteral("list")};
        QTest::newRow("audit verify") << QStringList {QStringLiteral("audit"), QStringLiteral("verify")};
    }

    void missingRegisterIsNotFound()
    {
        QFETCH(QStringList, args);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString db = dir.filePath(QStringLiteral("never-initialised.sqlite"));
        const CliRun missing = run(args + dbArgs(db));
        VERIFY_EXIT(missing, 3);
        QVERIFY2(missing.err.contains(QStringLiteral("rightsflow init")), qPrintable(missing.describe()));
        QVERIFY2(!QFileInfo::exists(db), "a command other than init created the register");
    }

    void garbageRegisterFailsCleanly_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("request list") << QStringList {QStringLiteral("request"), QStringLiteral("list")};
        QTest::newRow("request new") << intakeArgs();
        QTest::newRow("audit verify") << QStringList {QStringLiteral("audit"), QStringLiteral("verify")};
        QTest::newRow("init") << QStringList {QStringLiteral("init")};
    }

    void garbageRegisterFailsCleanly()
    {
        QFETCH(QStringList, args);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString db = dir.filePath(QStringLiteral("garbage.sqlite"));
        QByteArray bytes(8192, '\0');
        QRandomGenerator generator(20260302);
        for (char &byte : bytes)
            byte = char(generator.bounded(256));
        {
            QFile file(db);
            QVERIFY(file.open(QIODevice::WriteOnly));
            QCOMPARE(qsizetype(file.write(bytes)), bytes.size());
        }
        const CliRun garbage = run(args + dbArgs(db));
        QVERIFY2(garbage.finished, qPrintable(garbage.describe()));
        VERIFY_EXIT(garbage, 6);
        QCOMPARE(garbage.errLines().size(), 1);
        QVERIFY2(garbage.err.startsWith(QStringLiteral("rightsflow: ")), qPrintable(garbage.describe()));
        QFile file(db);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY2(file.readAll() == bytes, "the file that is not a register was changed");
    }

    void badClockEnvironmentIsNamed_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<bool>("createsFile");
        QTest::newRow("init") << QStringList {QStringLiteral("init")} << true;
        QTest::newRow("request list") << QStringList {QStringLiteral("request"), QStringLiteral("list")} << false;
        QTest::newRow("request new") << intakeArgs() << false;
    }

    void badClockEnvironmentIsNamed()
    {
        QFETCH(QStringList, args);
        QFETCH(bool, createsFile);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        if (!createsFile)
            CHECKED(setUpRegister(db));
        const CliRun bad = run(args + dbArgs(db), {{QStringLiteral("RIGHTSFLOW_NOW"), QStringLiteral("next tuesday")}});
        VERIFY_EXIT(bad, 2);
        QVERIFY2(bad.err.contains(QStringLiteral("RIGHTSFLOW_NOW")), qPrintable(bad.describe()));
        if (createsFile) {
            QVERIFY2(!QFileInfo::exists(db), "init created a register with an unusable clock");
        } else {
            QJsonArray list;
            CHECKED(requestList(db, {}, &list));
            QVERIFY(list.isEmpty());
        }
    }

    // --- users ---------------------------------------------------------------

    void userAddRejectsUnknownRole()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        CHECKED(setUpRegister(db));
        const CliRun add = run(QStringList {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("erin"),
                                   QStringLiteral("--role"), QStringLiteral("overlord")}
            + dbArgs(db));
        VERIFY_EXIT(add, 2);
        QVERIFY2(add.err.contains(QStringLiteral("overlord")), qPrintable(add.describe()));
        const CliRun users = run(QStringList {QStringLiteral("user"), QStringLiteral("list")} + dbArgs(db));
        VERIFY_EXIT(users, 0);
        QVERIFY2(!users.out.contains(QStringLiteral("erin")), qPrintable(users.describe()));
    }

    void strayArgumentsAndRepeatsAreMistakes_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("named");
        QTest::newRow("request list with a reference") << QStringList {QStringLiteral("request"), QStringLiteral("list"),
            QStringLiteral("DSR-2026-000001")} << QStringLiteral("takes no arguments");
        QTest::newRow("audit verify garbage") << QStringList {QStringLiteral("audit"), QStringLiteral("verify"),
            QStringLiteral("garbage")} << QStringLiteral("takes no arguments");
        QTest::newRow("user list extra") << QStringList {QStringLiteral("user"), QStringLiteral("list"), QStringLiteral("extra")}
                                         << QStringLiteral("takes no arguments");
        QTest::newRow("unknown channel filter") << QStringList {QStringLiteral("request"), QStringLiteral("list"),
            QStringLiteral("--channel"), QStringLiteral("pigeon")}
                                                << QStringLiteral("unknown channel 'pigeon'");
        QTest::newRow("input given twice") << QStringList {QStringLiteral("request"), QStringLiteral("act"),
            QStringLiteral("DSR-2026-000001"), QStringLiteral("assign"), QStringLiteral("--as"), QStringLiteral("alice"),
            QStringLiteral("--input"), QStringLiteral("assignee=alice"), QStringLiteral("--input"),
            QStringLiteral("assignee=bilal")}
                                           << QStringLiteral("given twice");
        QTest::newRow("subject details without a name")
            << (intakeArgs() + QStringList {QStringLiteral("--subject-email"), QStringLiteral("son@example.org")})
            << QStringLiteral("subject.name");
        QTest::newRow("received before the UK GDPR")
            << intakeArgs({{QStringLiteral("--received"), QStringLiteral("1999-12-31")}}) << QStringLiteral("before 25 May 2018");
    }

    void strayArgumentsAndRepeatsAreMistakes()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, named);
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        CHECKED(setUpRegister(db));
        QString reference;
        CHECKED(fileRequest(db, intakeArgs(), &reference));
        int events = 0;
        CHECKED(auditCount(db, &events));
        const CliRun result = run(args + dbArgs(db));
        VERIFY_EXIT(result, 2);
        QVERIFY2(result.err.contains(named), qPrintable(result.describe()));
        int after = 0;
        CHECKED(auditCount(db, &after));
        QCOMPARE(after, events);
    }

    void duplicateWindowIsConfigurable()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        CHECKED(setUpRegister(db));
        QString first;
        CHECKED(fileRequest(db, intakeArgs({{QStringLiteral("--received"), QStringLiteral("2026-02-20T09:00:00Z")}}), &first));
        // Ten days later: inside the default 30-day window, outside a 7-day one.
        const CliRun narrow
            = run(intakeArgs() + dbArgs(db), {{QStringLiteral("RIGHTSFLOW_DUPLICATE_WINDOW_DAYS"), QStringLiteral("7")}});
        VERIFY_EXIT(narrow, 0);
        QVERIFY2(!narrow.err.contains(first), qPrintable(narrow.describe()));
        const CliRun wide = run(intakeArgs() + dbArgs(db));
        VERIFY_EXIT(wide, 0);
        QVERIFY2(wide.err.contains(first) && wide.err.contains(QStringLiteral("within 30 days")), qPrintable(wide.describe()));
        const CliRun bad
            = run(intakeArgs() + dbArgs(db), {{QStringLiteral("RIGHTSFLOW_DUPLICATE_WINDOW_DAYS"), QStringLiteral("soon")}});
        VERIFY_EXIT(bad, 2);
        QVERIFY2(bad.err.contains(QStringLiteral("RIGHTSFLOW_DUPLICATE_WINDOW_DAYS")), qPrintable(bad.describe()));
    }

    void actJsonListsQueuedMessages()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        CHECKED(setUpRegister(db));
        QString reference;
        CHECKED(fileRequest(db, intakeArgs(), &reference));
        QJsonDocument acted;
        CHECKED(
            parseJson(run(QStringList {QStringLiteral("request"), QStringLiteral("act"), reference, QStringLiteral("acknowledge"),
                              QStringLiteral("--as"), QStringLiteral("alice"), QStringLiteral("--json")}
                          + dbArgs(db)),
                &acted));
        const QJsonArray messages = acted.object().value(QStringLiteral("messages")).toArray();
        QCOMPARE(messages.size(), 1);
        QCOMPARE(messages.first().toObject().value(QStringLiteral("template")).toString(), QStringLiteral("acknowledgement"));
        QCOMPARE(messages.first().toObject().value(QStringLiteral("address")).toString(), QStringLiteral("m.ellis@example.org"));
    }

    // --- deadlines -----------------------------------------------------------

    void deadlinePrintsTheDateFirst_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("due");
        QTest::addColumn<QString>("explained");
        QTest::newRow("Christmas roll") << QStringList {QStringLiteral("--start"), QStringLiteral("2024-11-25")}
                                        << QStringLiteral("2024-12-27") << QStringLiteral("Boxing Day");
        QTest::newRow("clamped to February") << QStringList {QStringLiteral("--start"), QStringLiteral("2028-01-31")}
                                             << QStringLiteral("2028-02-29") << QStringLiteral("does not exist");
        QTest::newRow("identity later") << QStringList {QStringLiteral("--start"), QStringLiteral("2026-03-02"),
            QStringLiteral("--identity"), QStringLiteral("2026-03-10")}
                                        << QStringLiteral("2026-04-10")
                                        << QStringLiteral("identity or authority evidence arrived");
        QTest::newRow("pause and extension") << QStringList {QStringLiteral("--start"), QStringLiteral("2026-03-02"),
            QStringLiteral("--pause"), QStringLiteral("2026-03-03..2026-03-09"), QStringLiteral("--extend")}
                                             << QStringLiteral("2026-06-09") << QStringLiteral("+7 paused days");
        QTest::newRow("Scotland, St Andrew's Day") << QStringList {QStringLiteral("--start"), QStringLiteral("2026-10-30"),
            QStringLiteral("--region"), QStringLiteral("scotland")}
                                                   << QStringLiteral("2026-12-01") << QStringLiteral("St Andrew");
        QTest::newRow("old rules ignore the pause") << QStringList {QStringLiteral("--start"), QStringLiteral("2026-01-05"),
            QStringLiteral("--pause"), QStringLiteral("2026-01-06..2026-01-09")}
                                                    << QStringLiteral("2026-02-05") << QStringLiteral("no statutory pause");
        QTest::newRow("ccpa") << QStringList {QStringLiteral("--start"), QStringLiteral("2026-03-02"), QStringLiteral("--rules"),
            QStringLiteral("ccpa")}
                              << QStringLiteral("2026-04-16") << QStringLiteral("+45 days");
    }

    void deadlinePrintsTheDateFirst()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, due);
        QFETCH(QString, explained);
        const CliRun result = run(QStringList {QStringLiteral("deadline")} + args);
        VERIFY_EXIT(result, 0);
        const QStringList lines = result.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY2(!lines.isEmpty() && lines.first() == due, qPrintable(result.describe()));
        QVERIFY2(result.out.contains(explained), qPrintable(result.describe()));

        QJsonDocument json;
        CHECKED(parseJson(run(QStringList {QStringLiteral("deadline")} + args + QStringList {QStringLiteral("--json")}), &json));
        QCOMPARE(json.object().value(QStringLiteral("due")).toString(), due);
        for (const QString &field : {QStringLiteral("start"), QStringLiteral("firstPeriodEnd"), QStringLiteral("unrolledDue"),
                 QStringLiteral("pausedDays"), QStringLiteral("ruleSet"), QStringLiteral("explanation")})
            QVERIFY2(json.object().contains(field), qPrintable(field));
    }

    void deadlineRefusesBadInput_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("named");
        QTest::newRow("no start") << QStringList {} << QStringLiteral("--start");
        QTest::newRow("bad date") << QStringList {QStringLiteral("--start"), QStringLiteral("2026-02-30")}
                                  << QStringLiteral("--start");
        QTest::newRow("backwards pause") << QStringList {QStringLiteral("--start"), QStringLiteral("2026-03-02"),
            QStringLiteral("--pause"), QStringLiteral("2026-03-09..2026-03-03")}
                                         << QStringLiteral("ends before it starts");
        QTest::newRow("pause without dots") << QStringList {QStringLiteral("--start"), QStringLiteral("2026-03-02"),
            QStringLiteral("--pause"), QStringLiteral("2026-03-03")}
                                            << QStringLiteral("FROM..TO");
        QTest::newRow("unknown rules") << QStringList {QStringLiteral("--start"), QStringLiteral("2026-03-02"),
            QStringLiteral("--rules"), QStringLiteral("gdpr-2099")}
                                       << QStringLiteral("gdpr-2099");
        QTest::newRow("unknown region") << QStringList {QStringLiteral("--start"), QStringLiteral("2026-03-02"),
            QStringLiteral("--region"), QStringLiteral("wales")}
                                        << QStringLiteral("wales");
        QTest::newRow("before the UK GDPR") << QStringList {QStringLiteral("--start"), QStringLiteral("2017-03-02")}
                                            << QStringLiteral("25 May 2018");
    }

    void deadlineRefusesBadInput()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, named);
        const CliRun result = run(QStringList {QStringLiteral("deadline")} + args);
        QVERIFY2(result.finished && result.exitCode != 0, qPrintable(result.describe()));
        QVERIFY2(result.err.contains(named), qPrintable(result.describe()));
        QVERIFY2(result.out.isEmpty(), qPrintable(result.describe()));
    }

    void dueSoonWindowAndListedDueDates()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        CHECKED(setUpRegister(db));
        QString reference;
        CHECKED(fileRequest(db, intakeArgs(), &reference)); // due Thursday 2 April 2026
        auto statusWith = [&](const QMap<QString, QString> &env) {
            QJsonDocument shown;
            parseJson(run(QStringList {QStringLiteral("request"), QStringLiteral("show"), reference, QStringLiteral("--json")}
                              + dbArgs(db),
                          env),
                &shown);
            return shown.object().value(QStringLiteral("deadline")).toObject().value(QStringLiteral("status")).toString();
        };
        QCOMPARE(statusWith({}), QStringLiteral("on-track"));
        QCOMPARE(statusWith({{QStringLiteral("RIGHTSFLOW_DUE_SOON_DAYS"), QStringLiteral("30")}}), QStringLiteral("due-soon"));
        const CliRun bad = run(QStringList {QStringLiteral("request"), QStringLiteral("show"), reference} + dbArgs(db),
            {{QStringLiteral("RIGHTSFLOW_DUE_SOON_DAYS"), QStringLiteral("-1")}});
        VERIFY_EXIT(bad, 2);
        QJsonDocument listed;
        CHECKED(
            parseJson(run(QStringList {QStringLiteral("request"), QStringLiteral("list"), QStringLiteral("--json")} + dbArgs(db)),
                &listed));
        QCOMPARE(listed.array().first().toObject().value(QStringLiteral("due")).toString(), QStringLiteral("2026-04-02"));
    }

    void calendarShowListsTheYear()
    {
        const CliRun scotland
            = run({QStringLiteral("calendar"), QStringLiteral("show"), QStringLiteral("2022"), QStringLiteral("--region"),
                QStringLiteral("scotland"), QStringLiteral("--db"), QStringLiteral("/nonexistent/none.sqlite")});
        VERIFY_EXIT(scotland, 0);
        QVERIFY2(scotland.out.contains(QStringLiteral("2022-06-03")) && scotland.out.contains(QStringLiteral("2022-11-30"))
                && scotland.out.contains(QStringLiteral("2022-08-01")),
            qPrintable(scotland.describe()));
        const CliRun outside = run({QStringLiteral("calendar"), QStringLiteral("show"), QStringLiteral("1999"),
            QStringLiteral("--db"), QStringLiteral("/nonexistent/none.sqlite")});
        VERIFY_EXIT(outside, 3);
    }

    void calendarImportIsCheckedAndRecomputes()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        CHECKED(setUpRegister(db));
        QString reference;
        CHECKED(fileRequest(db, intakeArgs(), &reference)); // received 2 March 2026: due Thursday 2 April
        auto dueOf = [&]() {
            QJsonDocument shown;
            parseJson(run(QStringList {QStringLiteral("request"), QStringLiteral("show"), reference, QStringLiteral("--json")}
                          + dbArgs(db)),
                &shown);
            return shown.object().value(QStringLiteral("deadline")).toObject().value(QStringLiteral("due")).toString();
        };
        QCOMPARE(dueOf(), QStringLiteral("2026-04-02"));

        const QString broken = dir.filePath(QStringLiteral("broken.json"));
        QFile brokenFile(broken);
        QVERIFY(brokenFile.open(QIODevice::WriteOnly));
        brokenFile.write("{\"england-and-wales\": {\"division\": \"england-and-wales\", \"events\": [{\"title\": \"x\", "
                         "\"date\": \"2026-13-01\"}]}}");
        brokenFile.close();
        const CliRun refused = run(QStringList {QStringLiteral("calendar"), QStringLiteral("import"), broken,
                                       QStringLiteral("--as"), QStringLiteral("root")}
            + dbArgs(db));
        VERIFY_EXIT(refused, 2);
        QVERIFY2(refused.err.contains(QStringLiteral("2026-13-01")) && refused.err.contains(QStringLiteral("$.scotland")),
            qPrintable(refused.describe()));
        QCOMPARE(dueOf(), QStringLiteral("2026-04-02"));

        // A calendar that cannot be right is refused with the division, the date and why: bank holidays are weekdays.
        const QString weekend = dir.filePath(QStringLiteral("weekend.json"));
        QFile weekendFile(weekend);
        QVERIFY(weekendFile.open(QIODevice::WriteOnly));
        weekendFile.write(rf::test::shippedCalendarWith(QStringLiteral("2026-03-28"), QStringLiteral("A Saturday")));
        weekendFile.close();
        const CliRun onSaturday = run(QStringList {QStringLiteral("calendar"), QStringLiteral("import"), weekend,
                                          QStringLiteral("--as"), QStringLiteral("root")}
            + dbArgs(db));
        VERIFY_EXIT(onSaturday, 2);
        QVERIFY2(onSaturday.err.contains(QStringLiteral("$.england-and-wales.events["))
                && onSaturday.err.contains(QStringLiteral("2026-03-28 in england-and-wales is a Saturday")),
            qPrintable(onSaturday.describe()));
        // A file far bigger than any calendar is refused before it is read, with its size and the limit.
        const QString huge = dir.filePath(QStringLiteral("huge.json"));
        QFile hugeFile(huge);
        QVERIFY(hugeFile.open(QIODevice::WriteOnly));
        QVERIFY(hugeFile.resize(rf::maxInputBytes(rf::InputKind::Calendar) + 1));
        hugeFile.close();
        const CliRun tooBig = run(QStringList {QStringLiteral("calendar"), QStringLiteral("import"), huge, QStringLiteral("--as"),
                                      QStringLiteral("root")}
            + dbArgs(db));
        VERIFY_EXIT(tooBig, 2);
        QVERIFY2(tooBig.err.contains(huge
                     + QStringLiteral(": %1 bytes is more than the 1 MiB").arg(rf::maxInputBytes(rf::InputKind::Calendar) + 1)),
            qPrintable(tooBig.describe()));
        QCOMPARE(dueOf(), QStringLiteral("2026-04-02"));

        // A newer file that proclaims 2 April 2026 a bank holiday.
        const QByteArray newer
            = rf::test::shippedCalendarWith(QStringLiteral("2026-04-02"), QStringLiteral("Proclaimed bank holiday"));
        QVERIFY(!newer.isEmpty());
        const QString newerPath = dir.filePath(QStringLiteral("bank-holidays.json"));
        QFile newerFile(newerPath);
        QVERIFY(newerFile.open(QIODevice::WriteOnly));
        newerFile.write(newer);
        newerFile.close();
        const CliRun byOfficer = run(QStringList {QStringLiteral("calendar"), QStringLiteral("import"), newerPath,
                                         QStringLiteral("--as"), QStringLiteral("alice")}
            + dbArgs(db));
        VERIFY_EXIT(byOfficer, 4);
        const CliRun imported = run(QStringList {QStringLiteral("calendar"), QStringLiteral("import"), newerPath,
                                        QStringLiteral("--as"), QStringLiteral("root")}
            + dbArgs(db));
        VERIFY_EXIT(imported, 0);
        QVERIFY2(imported.out.contains(QStringLiteral("1 open request has a new due date")), qPrintable(imported.describe()));
        QCOMPARE(dueOf(), QStringLiteral("2026-04-07"));
        const CliRun shown
            = run({QStringLiteral("calendar"), QStringLiteral("show"), QStringLiteral("2026"), QStringLiteral("--db"), db});
        QVERIFY2(shown.out.contains(QStringLiteral("Proclaimed bank holiday")), qPrintable(shown.describe()));
        VERIFY_EXIT(run(QStringList {QStringLiteral("audit"), QStringLiteral("verify")} + dbArgs(db)), 0);
    }

    void onlyAnAdminAddsUsers()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        CHECKED(setUpRegister(db));
        const CliRun byOfficer
            = run(QStringList {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("eve"), QStringLiteral("--role"),
                      QStringLiteral("dpo"), QStringLiteral("--as"), QStringLiteral("alice")}
                + dbArgs(db));
        VERIFY_EXIT(byOfficer, 4);
        QVERIFY2(byOfficer.err.contains(QStringLiteral("may not add users")), qPrintable(byOfficer.describe()));
        const CliRun anonymous = run(QStringList {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("eve"),
                                         QStringLiteral("--role"), QStringLiteral("dpo")}
            + dbArgs(db));
        VERIFY_EXIT(anonymous, 4);
        QVERIFY2(anonymous.err.contains(QStringLiteral("--as ADMIN")), qPrintable(anonymous.describe()));
        const CliRun users = run(QStringList {QStringLiteral("user"), QStringLiteral("list")} + dbArgs(db));
        QVERIFY2(!users.out.contains(QStringLiteral("eve")), qPrintable(users.describe()));
    }

    void firstUserMustBeAnAdmin()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        VERIFY_EXIT(run(QStringList {QStringLiteral("init"), QStringLiteral("--rehearsal")} + dbArgs(db)), 0);
        const CliRun officer = run(QStringList {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("alice"),
                                       QStringLiteral("--role"), QStringLiteral("officer")}
            + dbArgs(db));
        VERIFY_EXIT(officer, 2);
        QVERIFY2(officer.err.contains(QStringLiteral("first user")), qPrintable(officer.describe()));
        VERIFY_EXIT(run(QStringList {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("ines"),
                            QStringLiteral("--role"), QStringLiteral("admin")}
                        + dbArgs(db)),
            0);
    }

    void userAddRefusesDuplicateName()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        CHECKED(setUpRegister(db));
        int eventsBefore = 0;
        CHECKED(auditCount(db, &eventsBefore));
        const CliRun again
            = run(QStringList {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("alice"), QStringLiteral("--role"),
                      QStringLiteral("dpo"), QStringLiteral("--as"), QStringLiteral("root")}
                + dbArgs(db));
        QVERIFY2(again.finished && again.exitCode != 0, qPrintable(again.describe()));
        QVERIFY2(again.err.contains(QStringLiteral("alice")), qPrintable(again.describe()));

        QJsonDocument users;
        CHECKED(parseJson(
            run(QStringList {QStringLiteral("user"), QStringLiteral("list"), QStringLiteral("--json")} + dbArgs(db)), &users));
        int alices = 0;
        for (const QJsonValue &user : users.array()) {
            if (user.toObject().value(QStringLiteral("name")).toString() == QLatin1String("alice")) {
                ++alices;
                QCOMPARE(user.toObject().value(QStringLiteral("role")).toString(), QStringLiteral("officer"));
            }
        }
        QCOMPARE(alices, 1);
        int eventsAfter = 0;
        CHECKED(auditCount(db, &eventsAfter));
        QCOMPARE(eventsAfter, eventsBefore);
    }

    // --- filing requests -----------------------------------------------------

    void requestNewPrintsOnlyTheReference()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        CHECKED(setUpRegister(db));
        const QRegularExpression format(QStringLiteral("^DSR-2026-(\\d{6})$"));

        const CliRun first = run(intakeArgs() + dbArgs(db));
        VERIFY_EXIT(first, 0);
        QVERIFY2(first.out.endsWith(QLatin1Char('\n')) && first.out.count(QLatin1Char('\n')) == 1, qPrintable(first.describe()));
        const QRegularExpressionMatch one = format.match(first.out.trimmed());
        QVERIFY2(one.hasMatch(), qPrintable(first.describe()));
        QVERIFY2(first.err.isEmpty(), qPrintable(first.describe()));

        const CliRun second = run(intakeArgs({{QStringLiteral("--right"), QStringLiteral("objection")}}) + dbArgs(db));
        VERIFY_EXIT(second, 0);
        const QRegularExpressionMatch two = format.match(second.out.trimmed());
        QVERIFY2(two.hasMatch(), qPrintable(second.describe()));
        QCOMPARE(two.captured(1).toInt(), one.captured(1).toInt() + 1);

        QJsonObject request;
        CHECKED(showRequest(db, second.out.trimmed(), &request));
        QCOMPARE(request.value(QStringLiteral("right")).toString(), QStringLiteral("objection"));
        QCOMPARE(request.value(QStringLiteral("state")).toString(), QStringLiteral("received"));
        QCOMPARE(request.value(QStringLiteral("version")).toInt(), 1);
    }

    void requestNewRejectsInvalidInput_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("field");
        const QString ni = QStringLiteral("--identifier");
        QTest::newRow("unknown right") << intakeArgs({{QStringLiteral("--right"), QStringLiteral("teleportation")}})
                                       << QStringLiteral("right:");
        QTest::newRow("unknown channel") << intakeArgs({{QStringLiteral("--channel"), QStringLiteral("carrier-pigeon")}})
                                         << QStringLiteral("channel:");
        QTest::newRow("bad email") << intakeArgs({{QStringLiteral("--email"), QStringLiteral("margaret at example")}})
                                   << QStringLiteral("requester.email:");
        QTest::newRow("bad postcode") << intakeArgs({{QStringLiteral("--postcode"), QStringLiteral("12345")}})
                                      << QStringLiteral("requester.postcode:");
        QTest::newRow("bad NI number") << intakeArgs({{ni, QStringLiteral("ni-number=ZZ999999Z")}})
                                       << QStringLiteral("identifiers[0] (ni-number):");
        QTest::newRow("identifier without kind")
            << intakeArgs({{ni, QStringLiteral("AB123456C")}}) << QStringLiteral("--identifier");
        QTest::newRow("received in the future")
            << intakeArgs({{QStringLiteral("--received"), QStringLiteral("2026-03-10T00:00:00Z")}})
            << QStringLiteral("received:");
        QTest::newRow("received not a date")
            << intakeArgs({{QStringLiteral("--received"), QStringLiteral("last week")}}) << QStringLiteral("received:");
        QTest::newRow("no contact route") << intakeArgs({}, {QStringLiteral("--email")}) << QStringLiteral("requester:");
        QTest::newRow("no name") << intakeArgs({}, {QStringLiteral("--name")}) << QStringLiteral("requester.name:");
        QTest::newRow("name that retitles a terminal")
            << intakeArgs({{QStringLiteral("--name"), QStringLiteral("Ann\x1b]0;owned\x07")}})
            << QStringLiteral("requester.name:");
        QTest::newRow("name that forges a line")
            << intakeArgs({{QStringLiteral("--name"), QStringLiteral("Ann\nrightsflow: filed DSR-2026-999999")}})
            << QStringLiteral("requester.name:");
        QTest::newRow("130,000-character name")
            << intakeArgs({{QStringLiteral("--name"), QString(130000, QLatin1Char('n'))}}) << QStringLiteral("requester.name:");
        QTest::newRow("address literal") << intakeArgs({{QStringLiteral("--email"), QStringLiteral("m@[192.0.2.1]")}})
                                         << QStringLiteral("requester.email:");
        QTest::newRow("acting for someone without relationship")
            << intakeArgs({{QStringLiteral("--subject-name"), QStringLiteral("Daniel Hughes")}})
            << QStringLiteral("relationship:");
    }

    void requestNewRejectsInvalidInput()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, field);
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        CHECKED(setUpRegister(db));
        QString first;
        CHECKED(fileRequest(db, intakeArgs(), &first));
        QJsonArray before;
        CHECKED(requestList(db, {}, &before));
        int eventsBefore = 0;
        CHECKED(auditCount(db, &eventsBefore));

        const CliRun invalid = run(args + dbArgs(db));
        VERIFY_EXIT(invalid, 2);
        QVERIFY2(invalid.out.isEmpty(), qPrintable(invalid.describe()));
        const QStringList lines = invalid.errLines();
        const bool named = std::any_of(lines.cbegin(), lines.cend(), [&](const QString &line) {
            const QString text = line.trimmed();
            return text.startsWith(field) || text.startsWith(QStringLiteral("rightsflow: ") + field);
        });
        QVERIFY2(named, qPrintable(QStringLiteral("no line starts with '%1' in ").arg(field) + invalid.describe()));

        // Nothing half-written: same requests, same trail, and the next reference is not used up.
        QJsonArray after;
        CHECKED(requestList(db, {}, &after));
        QCOMPARE(after, before);
        int eventsAfter = 0;
        CHECKED(auditCount(db, &eventsAfter));
        QCOMPARE(eventsAfter, eventsBefore);
        QString next;
        CHECKED(fileRequest(db, intakeArgs({{QStringLiteral("--right"), QStringLiteral("erasure")}}), &next));
        QCOMPARE(next.right(6).toInt(), first.right(6).toInt() + 1);
    }

    // A register written before intake refused control characters may still
    // hold them: text output shows them as escapes, so a stored name can
    // neither drive the terminal nor forge a line; JSON keeps them exactly.
    void storedControlCharactersPrintVisibly()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        CHECKED(setUpRegister(db));
        QString reference;
        CHECKED(fileRequest(db, intakeArgs(), &reference));
        const QString hostile = QStringLiteral("Ann\x1b]0;owned\x07\r\n  State:       closed \u202e\u009b");
        CHECKED(execSql(db,
            QStringLiteral(
                "UPDATE requests SET requester_name = 'Ann' || char(27) || ']0;owned' || char(7) || char(13) || char(10) "
                "|| '  State:       closed ' || char(8238) || char(155) WHERE reference = '%1'")
                .arg(reference)));
        const QString escaped = QStringLiteral("Ann\\u001B]0;owned\\u0007\\r\\n  State:       closed \\u202E\\u009B");
        const auto hasRaw = [](const QString &text) {
            return std::any_of(text.cbegin(), text.cend(), [](QChar c) {
                const char16_t u = c.unicode();
                return (u < 0x20 && u != u'\n') || (u >= 0x7f && u <= 0x9f) || (u >= 0x202a && u <= 0x202e);
            });
        };
        for (const QStringList &command : {QStringList {QStringLiteral("request"), QStringLiteral("show"), reference},
                 QStringList {QStringLiteral("request"), QStringLiteral("list")}}) {
            const CliRun shown = run(command + dbArgs(db));
            VERIFY_EXIT(shown, 0);
            QVERIFY2(!hasRaw(shown.out), qPrintable(shown.out));
            QVERIFY2(shown.out.contains(escaped), qPrintable(shown.out));
            QVERIFY2(!shown.out.contains(QStringLiteral("\n  State:       closed")), qPrintable(shown.out));
        }
        QJsonObject request;
        CHECKED(showRequest(db, reference, &request));
        QCOMPARE(request.value(QStringLiteral("requester")).toObject().value(QStringLiteral("name")).toString(), hostile);
    }

    // The program's log handler (installed first thing in main) passes every
    // message on printable: a relay's reply or a name quoted in a warning
    // cannot forge a log line or drive the terminal.
    void logMessagesArePrintable()
    {
        QStringList logged;
        g_logged = &logged;
        const QtMessageHandler before = qInstallMessageHandler(keepMessage);
        rf::installPrintableLogHandler();
        qCWarning(lcMail).noquote() << QStringLiteral("the relay said: 250 ok\x1b]0;owned\x07\nrightsflow: forged");
        qInstallMessageHandler(before);
        g_logged = nullptr;
        QCOMPARE(logged, QStringList {QStringLiteral("the relay said: 250 ok\\u001B]0;owned\\u0007\\nrightsflow: forged")});
    }

    void requestNewFlagsPossibleDuplicate()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        CHECKED(setUpRegister(db));
        QString earlier;
        CHECKED(fileRequest(db, intakeArgs({{QStringLiteral("--identifier"), QStringLiteral("ni-number=AB123456C")}}), &earlier));

        // Only the NI number links the two: another name, address and postcode.
        const CliRun repeat = run(intakeArgs({{QStringLiteral("--channel"), QStringLiteral("web")},
                                      {QStringLiteral("--name"), QStringLiteral("Maggie Ellis-Jones")},
                                      {QStringLiteral("--postcode"), QStringLiteral("PR8 1DA")},
                                      {QStringLiteral("--email"), QStringLiteral("margaret@elsewhere.example")},
                                      {QStringLiteral("--identifier"), QStringLiteral("ni-number=ab 12 34 56 c")}})
            + dbArgs(db));
        VERIFY_EXIT(repeat, 0);
        const QString later = repeat.out.trimmed();
        QVERIFY2(QRegularExpression(QStringLiteral("^DSR-2026-\\d{6}$")).match(later).hasMatch(), qPrintable(repeat.describe()));
        QVERIFY(later != earlier);
        QCOMPARE(repeat.errLines().size(), 1);
        QVERIFY2(repeat.err.contains(QStringLiteral("warning")) && repeat.err.contains(earlier), qPrintable(repeat.describe()));

        QJsonObject request;
        CHECKED(showRequest(db, later, &request));
        QCOMPARE(request.value(QStringLiteral("possibleDuplicateOf")).toArray(), QJsonArray {earlier});
        QJsonArray list;
        CHECKED(requestList(db, {}, &list));
        QCOMPARE(list.size(), 2);
    }

    // --- reading requests ----------------------------------------------------

    void requestListFilters_data()
    {
        QTest::addColumn<QStringList>("filters");
        QTest::addColumn<QStringList>("expected"); // A, B, C stand for the shared register's requests
        QTest::newRow("all, newest first") << QStringList {}
                                           << QStringList {QStringLiteral("C"), QStringLiteral("B"), QStringLiteral("A")};
        QTest::newRow("state checking") << QStringList {QStringLiteral("--state"), QStringLiteral("checking")}
                                        << QStringList {QStringLiteral("A")};
        QTest::newRow("state withdrawn") << QStringList {QStringLiteral("--state"), QStringLiteral("withdrawn")}
                                         << QStringList {QStringLiteral("C")};
        QTest::newRow("state nobody is in") << QStringList {QStringLiteral("--state"), QStringLiteral("completed")}
                                            << QStringList {};
        QTest::newRow("right erasure") << QStringList {QStringLiteral("--right"), QStringLiteral("erasure")}
                                       << QStringList {QStringLiteral("B")};
        QTest::newRow("right access") << QStringList {QStringLiteral("--right"), QStringLiteral("access")}
                                      << QStringList {QStringLiteral("C"), QStringLiteral("A")};
        QTest::newRow("open") << QStringList {QStringLiteral("--open")} << QStringList {QStringLiteral("B"), QStringLiteral("A")};
        QTest::newRow("open access") << QStringList {QStringLiteral("--open"), QStringLiteral("--right"),
            QStringLiteral("access")} << QStringList {QStringLiteral("A")};
        QTest::newRow("assignee") << QStringList {QStringLiteral("--assignee"), QStringLiteral("alice")}
                                  << QStringList {QStringLiteral("A")};
        QTest::newRow("limit and offset") << QStringList {QStringLiteral("--limit"), QStringLiteral("1"),
            QStringLiteral("--offset"), QStringLiteral("1")}
                                          << QStringList {QStringLiteral("B")};
    }

    void requestListFilters()
    {
        QFETCH(QStringList, filters);
        QFETCH(QStringList, expected);
        QStringList expectedReferences;
        for (const QString &letter : expected)
            expectedReferences << (letter == QLatin1String("A") ? m_refA : letter == QLatin1String("B") ? m_refB : m_refC);
        QJsonArray list;
        CHECKED(requestList(m_shared, filters, &list));
        QCOMPARE(referencesOf(list), expectedReferences);
        for (const QJsonValue &item : list) {
            const QJsonObject summary = item.toObject();
            for (const char *key : {"reference", "right", "channel", "state", "received", "requester", "version", "closed"})
                QVERIFY2(summary.contains(QLatin1String(key)), key);
        }
    }

    void requestListRejectsBadFilters_data()
    {
        QTest::addColumn<QStringList>("filters");
        QTest::addColumn<QString>("named");
        QTest::newRow("unknown right") << QStringList {QStringLiteral("--right"), QStringLiteral("teleportation")}
                                       << QStringLiteral("teleportation");
        QTest::newRow("limit zero") << QStringList {QStringLiteral("--limit"), QStringLiteral("0")} << QStringLiteral("--limit");
        QTest::newRow("limit not a number") << QStringList {QStringLiteral("--limit"), QStringLiteral("many")}
                                            << QStringLiteral("--limit");
        QTest::newRow("negative offset") << QStringList {QStringLiteral("--offset"), QStringLiteral("-1")}
                                         << QStringLiteral("--offset");
    }

    void requestListRejectsBadFilters()
    {
        QFETCH(QStringList, filters);
        QFETCH(QString, named);
        const CliRun bad = run(QStringList {QStringLiteral("request"), QStringLiteral("list")} + filters + dbArgs(m_shared));
        VERIFY_EXIT(bad, 2);
        QVERIFY2(bad.out.isEmpty(), qPrintable(bad.describe()));
        QVERIFY2(bad.err.contains(named), qPrintable(bad.describe()));
    }

    void requestShowJson()
    {
        QJsonObject request;
        CHECKED(showRequest(m_shared, m_refA, &request));
        QCOMPARE(request.value(QStringLiteral("reference")).toString(), m_refA);
        QCOMPARE(request.value(QStringLiteral("state")).toString(), QStringLiteral("checking"));
        QCOMPARE(request.value(QStringLiteral("version")).toInt(), 2);
        QCOMPARE(request.value(QStringLiteral("assignee")).toString(), QStringLiteral("alice"));
        QCOMPARE(request.value(QStringLiteral("workflow")).toString(), QStringLiteral("access"));
        QCOMPARE(request.value(QStringLiteral("workflowHash")).toString().size(), 64);

        const QJsonArray history = request.value(QStringLiteral("history")).toArray();
        QCOMPARE(history.size(), 2);
        QCOMPARE(history.at(0).toObject().value(QStringLiteral("action")).toString(), QStringLiteral("file"));
        const QJsonObject acknowledged = history.at(1).toObject();
        QCOMPARE(acknowledged.value(QStringLiteral("action")).toString(), QStringLiteral("acknowledge"));
        QCOMPARE(acknowledged.value(QStringLiteral("actor")).toString(), QStringLiteral("alice"));
        QCOMPARE(acknowledged.value(QStringLiteral("from")).toString(), QStringLiteral("received"));
        QCOMPARE(acknowledged.value(QStringLiteral("to")).toString(), QStringLiteral("checking"));

        QStringList actions;
        for (const QJsonValue &action : request.value(QStringLiteral("actions")).toArray())
            actions << action.toObject().value(QStringLiteral("name")).toString();
        for (const char *expected : {"assign", "request-identity", "start-work", "refuse", "withdraw"})
            QVERIFY2(actions.contains(QLatin1String(expected)), qPrintable(actions.join(QLatin1Char(' '))));
        QVERIFY(!actions.contains(QStringLiteral("acknowledge")));

        const QJsonArray messages = request.value(QStringLiteral("messages")).toArray();
        QCOMPARE(messages.size(), 1);
        QCOMPARE(messages.at(0).toObject().value(QStringLiteral("template")).toString(), QStringLiteral("acknowledgement"));
        QCOMPARE(messages.at(0).toObject().value(QStringLiteral("to")).toString(), QStringLiteral("requester"));
    }

    void requestShowAcceptsLowerCaseReference()
    {
        const CliRun show
            = run(QStringList {QStringLiteral("request"), QStringLiteral("show"), m_refB.toLower()} + dbArgs(m_shared));
        VERIFY_EXIT(show, 0);
        QVERIFY2(show.out.startsWith(m_refB), qPrintable(show.describe()));
        QVERIFY2(show.out.contains(QStringLiteral("Erasure")), qPrintable(show.describe()));
    }

    void requestShowUnknownReferenceIsNotFound()
    {
        const CliRun show = run(QStringList {QStringLiteral("request"), QStringLiteral("show"), QStringLiteral("DSR-2026-999999")}
            + dbArgs(m_shared));
        VERIFY_EXIT(show, 3);
        QVERIFY2(show.out.isEmpty(), qPrintable(show.describe()));
        QVERIFY2(show.err.contains(QStringLiteral("DSR-2026-999999")), qPrintable(show.describe()));
    }

    // --- acting on requests --------------------------------------------------

    void requestActAndStaleVersion()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        CHECKED(setUpRegister(db));
        QString reference;
        CHECKED(fileRequest(db, intakeArgs(), &reference));

        const CliRun acknowledged = run(QStringList {QStringLiteral("request"), QStringLiteral("act"), reference,
                                            QStringLiteral("acknowledge"), QStringLiteral("--as"), QStringLiteral("alice")}
            + dbArgs(db));
        VERIFY_EXIT(acknowledged, 0);
        QVERIFY2(acknowledged.out.contains(QStringLiteral("received -> checking")), qPrintable(acknowledged.describe()));

        // Bilal loaded the request at version 1 and acknowledges it too.
        const CliRun stale
            = run(QStringList {QStringLiteral("request"), QStringLiteral("act"), reference, QStringLiteral("acknowledge"),
                      QStringLiteral("--as"), QStringLiteral("bilal"), QStringLiteral("--expect-version"), QStringLiteral("1")}
                + dbArgs(db));
        VERIFY_EXIT(stale, 5);
        QVERIFY2(stale.err.contains(QStringLiteral("changed by someone else")), qPrintable(stale.describe()));
        QVERIFY2(stale.out.isEmpty(), qPrintable(stale.describe()));

        QJsonObject request;
        CHECKED(showRequest(db, reference, &request));
        QCOMPARE(request.value(QStringLiteral("state")).toString(), QStringLiteral("checking"));
        QCOMPARE(request.value(QStringLiteral("version")).toInt(), 2);
        int acknowledgements = 0;
        for (const QJsonValue &event : request.value(QStringLiteral("history")).toArray())
            acknowledgements
                += event.toObject().value(QStringLiteral("action")).toString() == QLatin1String("acknowledge") ? 1 : 0;
        QCOMPARE(acknowledgements, 1);
        QCOMPARE(request.value(QStringLiteral("messages")).toArray().size(), 1);

        // With the current version the next action goes through.
        const CliRun current
            = run(QStringList {QStringLiteral("request"), QStringLiteral("act"), reference, QStringLiteral("assign"),
                      QStringLiteral("--as"), QStringLiteral("bilal"), QStringLiteral("--input"),
                      QStringLiteral("assignee=bilal"), QStringLiteral("--expect-version"), QStringLiteral("2")}
                + dbArgs(db));
        VERIFY_EXIT(current, 0);
        CHECKED(showRequest(db, reference, &request));
        QCOMPARE(request.value(QStringLiteral("assignee")).toString(), QStringLiteral("bilal"));
        QCOMPARE(request.value(QStringLiteral("version")).toInt(), 3);
    }

    void requestActFailuresChangeNothing_data()
    {
        QTest::addColumn<QStringList>("args"); // after REF
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("named");
        QTest::newRow("officer may not refuse")
            << QStringList {QStringLiteral("refuse"), QStringLiteral("--as"), QStringLiteral("alice"), QStringLiteral("--input"),
                   QStringLiteral("grounds=manifestly-excessive"), QStringLiteral("--input"), QStringLiteral("reason=Repeats")}
            << 4 << QStringLiteral("dpo");
        QTest::newRow("required input missing") << QStringList {QStringLiteral("request-identity"), QStringLiteral("--as"),
            QStringLiteral("alice")} << 2 << QStringLiteral("evidence-needed");
        QTest::newRow("input without =") << QStringList {QStringLiteral("request-identity"), QStringLiteral("--as"),
            QStringLiteral("alice"), QStringLiteral("--input"), QStringLiteral("photo-id")}
                                         << 2 << QStringLiteral("photo-id");
        QTest::newRow("input the action does not take") << QStringList {QStringLiteral("assign"), QStringLiteral("--as"),
            QStringLiteral("alice"), QStringLiteral("--input"), QStringLiteral("assignee=bilal"), QStringLiteral("--input"),
            QStringLiteral("colour=blue")} << 2 << QStringLiteral("colour");
        QTest::newRow("choice not offered") << QStringList {QStringLiteral("refuse"), QStringLiteral("--as"),
            QStringLiteral("dana"), QStringLiteral("--input"), QStringLiteral("grounds=tiresome"), QStringLiteral("--input"),
            QStringLiteral("reason=Repeats")}
                                            << 2 << QStringLiteral("grounds");
        QTest::newRow("missing --as") << QStringList {QStringLiteral("assign"), QStringLiteral("--input"),
            QStringLiteral("assignee=bilal")}
                                      << 2 << QStringLiteral("--as");
        QTest::newRow("bad --expect-version")
            << QStringList {QStringLiteral("assign"), QStringLiteral("--as"), QStringLiteral("alice"), QStringLiteral("--input"),
                   QStringLiteral("assignee=bilal"), QStringLiteral("--expect-version"), QStringLiteral("latest")}
            << 2 << QStringLiteral("--expect-version");
        QTest::newRow("unknown user") << QStringList {QStringLiteral("assign"), QStringLiteral("--as"), QStringLiteral("mallory"),
            QStringLiteral("--input"), QStringLiteral("assignee=bilal")}
                                      << 3 << QStringLiteral("mallory");
        QTest::newRow("unknown action") << QStringList {QStringLiteral("teleport"), QStringLiteral("--as"),
            QStringLiteral("alice")} << 3
                                        << QStringLiteral("teleport");
        QTest::newRow("not from this state") << QStringList {QStringLiteral("send-response"), QStringLiteral("--as"),
            QStringLiteral("alice"), QStringLiteral("--input"), QStringLiteral("delivery=email")}
                                             << 4 << QStringLiteral("send-response");
    }

    void requestActFailuresChangeNothing()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, named);
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        CHECKED(setUpRegister(db));
        QString reference;
        CHECKED(fileRequest(db, intakeArgs(), &reference));
        CHECKED(act(db, reference, {QStringLiteral("acknowledge"), QStringLiteral("--as"), QStringLiteral("alice")}));
        QJsonObject before;
        CHECKED(showRequest(db, reference, &before));
        int eventsBefore = 0;
        CHECKED(auditCount(db, &eventsBefore));

        const CliRun failed = run(QStringList {QStringLiteral("request"), QStringLiteral("act"), reference} + args + dbArgs(db));
        VERIFY_EXIT(failed, exitCode);
        QVERIFY2(failed.out.isEmpty(), qPrintable(failed.describe()));
        QVERIFY2(failed.err.contains(named), qPrintable(failed.describe()));

        QJsonObject after;
        CHECKED(showRequest(db, reference, &after));
        QCOMPARE(after, before);
        int eventsAfter = 0;
        CHECKED(auditCount(db, &eventsAfter));
        QCOMPARE(eventsAfter, eventsBefore);
    }

    void requestNoteIsRecorded()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        CHECKED(setUpRegister(db));
        QString reference;
        CHECKED(fileRequest(db, intakeArgs(), &reference));
        int eventsBefore = 0;
        CHECKED(auditCount(db, &eventsBefore));

        const CliRun note
            = run(QStringList {QStringLiteral("request"), QStringLiteral("note"), reference.toLower(),
                      QStringLiteral("Rang the requester to confirm the scope"), QStringLiteral("--as"), QStringLiteral("bilal")}
                + dbArgs(db));
        VERIFY_EXIT(note, 0);
        QVERIFY2(note.out.contains(reference), qPrintable(note.describe()));
        QJsonObject request;
        CHECKED(showRequest(db, reference, &request));
        const QJsonArray notes = request.value(QStringLiteral("notes")).toArray();
        QCOMPARE(notes.size(), 1);
        QCOMPARE(notes.at(0).toObject().value(QStringLiteral("author")).toString(), QStringLiteral("bilal"));
        QCOMPARE(notes.at(0).toObject().value(QStringLiteral("text")).toString(),
            QStringLiteral("Rang the requester to confirm the scope"));
        int eventsAfter = 0;
        CHECKED(auditCount(db, &eventsAfter));
        QCOMPARE(eventsAfter, eventsBefore + 1);

        const CliRun anonymous
            = run(QStringList {QStringLiteral("request"), QStringLiteral("note"), reference, QStringLiteral("Who wrote this?")}
                + dbArgs(db));
        VERIFY_EXIT(anonymous, 2);
        QVERIFY2(anonymous.err.contains(QStringLiteral("--as")), qPrintable(anonymous.describe()));
    }

    // --- the audit trail -----------------------------------------------------

    void auditVerifyCountsEvents()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        CHECKED(setUpRegister(db)); // events 1-4
        QString reference;
        CHECKED(fileRequest(db, intakeArgs(), &reference)); // 5
        CHECKED(act(db, reference, {QStringLiteral("acknowledge"), QStringLiteral("--as"), QStringLiteral("alice")})); // 6
        const CliRun verify = run(QStringList {QStringLiteral("audit"), QStringLiteral("verify")} + dbArgs(db));
        VERIFY_EXIT(verify, 0);
        QVERIFY2(verify.out.contains(QStringLiteral("intact")) && verify.out.contains(QStringLiteral(" 6 events")),
            qPrintable(verify.describe()));
    }

    void auditVerifyDetectsTampering_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addColumn<int>("firstBadEvent");
        QTest::addColumn<QString>("named"); // what stderr must name, if anything beyond "audit trail broken"
        // Six events: four users, a filing, an acknowledgement.
        QTest::newRow("actor rewritten") << QStringLiteral("UPDATE audit_events SET actor='mallory' WHERE seq=3") << 3
                                         << QStringLiteral("event 3");
        QTest::newRow("last event's actor rewritten")
            << QStringLiteral("UPDATE audit_events SET actor='mallory' WHERE seq=6") << 6 << QStringLiteral("event 6");
        QTest::newRow("middle event deleted")
            << QStringLiteral("DELETE FROM audit_events WHERE seq=3") << 3 << QStringLiteral("event 3");
        QTest::newRow("first event deleted")
            << QStringLiteral("DELETE FROM audit_events WHERE seq=1") << 1 << QStringLiteral("event 1");
        QTest::newRow("last event deleted") << QStringLiteral("DELETE FROM audit_events WHERE seq=6") << 6 << QString();
    }

    void auditVerifyDetectsTampering()
    {
        QFETCH(QString, sql);
        QFETCH(int, firstBadEvent);
        QFETCH(QString, named);
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        CHECKED(setUpRegister(db));
        QString reference;
        CHECKED(fileRequest(db, intakeArgs(), &reference));
        CHECKED(act(db, reference, {QStringLiteral("acknowledge"), QStringLiteral("--as"), QStringLiteral("alice")}));
        int events = 0;
        CHECKED(auditCount(db, &events));
        QCOMPARE(events, 6);

        CHECKED(execSql(db, sql));

        const CliRun verify = run(QStringList {QStringLiteral("audit"), QStringLiteral("verify")} + dbArgs(db));
        VERIFY_EXIT(verify, 1);
        QVERIFY2(!verify.out.contains(QStringLiteral("intact")), qPrintable(verify.describe()));

        QVERIFY2(verify.err.contains(QStringLiteral("audit trail broken")), qPrintable(verify.describe()));
        if (!named.isEmpty())
            QVERIFY2(verify.err.contains(named), qPrintable(verify.describe()));

        const CliRun json
            = run(QStringList {QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--json")} + dbArgs(db));
        VERIFY_EXIT(json, 1);
        const QJsonObject result = QJsonDocument::fromJson(json.out.toUtf8()).object();
        QCOMPARE(result.value(QStringLiteral("intact")).toBool(true), false);
        QCOMPARE(result.value(QStringLiteral("firstBadEvent")).toInt(), firstBadEvent);
    }

    // --- workflow definitions ------------------------------------------------

    void workflowValidateShippedFiles()
    {
        const QStringList files = shippedWorkflowFiles();
        QVERIFY2(files.size() >= 7, "one workflow per right is shipped");
        const CliRun validate = run(QStringList {QStringLiteral("workflow"), QStringLiteral("validate")} + files);
        VERIFY_EXIT(validate, 0);
        QVERIFY2(validate.err.isEmpty(), qPrintable(validate.describe()));
        for (const QString &file : files)
            QVERIFY2(validate.out.contains(file + QStringLiteral(": valid")), qPrintable(file));
    }

    void workflowValidateNamesFileAndPath_data()
    {
        QTest::addColumn<QString>("how");
        QTest::newRow("transition to unknown state") << QStringLiteral("transition to unknown state");
        QTest::newRow("transition from unknown state") << QStringLiteral("transition from unknown state");
        QTest::newRow("initial state unknown") << QStringLiteral("initial state unknown");
    }

    void workflowValidateNamesFileAndPath()
    {
        QFETCH(QString, how);
        QTemporaryDir dir;
        QJsonObject workflow;
        CHECKED(readJsonFile(rf::test::shippedWorkflowsDir() + QStringLiteral("/access.json"), &workflow));
        const QString path = breakWorkflow(how, workflow);
        QVERIFY2(!path.isEmpty(), qPrintable(how));
        const QString file = dir.filePath(QStringLiteral("broken-access.json"));
        CHECKED(writeJsonFile(file, workflow));

        const CliRun validate = run({QStringLiteral("workflow"), QStringLiteral("validate"), file});
        VERIFY_EXIT(validate, 2);
        const QStringList lines = validate.errLines();
        QCOMPARE(lines.size(), 1);
        QVERIFY2(lines.first().contains(QStringLiteral("broken-access.json")) && lines.first().contains(path),
            qPrintable(QStringLiteral("expected the file and %1 in ").arg(path) + validate.describe()));
    }

    void workflowValidateNamesEveryBadFile()
    {
        QTemporaryDir dir;
        QJsonObject access;
        CHECKED(readJsonFile(rf::test::shippedWorkflowsDir() + QStringLiteral("/access.json"), &access));
        QVERIFY(!breakWorkflow(QStringLiteral("transition to unknown state"), access).isEmpty());
        const QString badAccess = dir.filePath(QStringLiteral("bad-access.json"));
        CHECKED(writeJsonFile(badAccess, access));
        QJsonObject objection;
        CHECKED(readJsonFile(rf::test::shippedWorkflowsDir() + QStringLiteral("/objection.json"), &objection));
        QVERIFY(!breakWorkflow(QStringLiteral("initial state unknown"), objection).isEmpty());
        const QString badObjection = dir.filePath(QStringLiteral("bad-objection.json"));
        CHECKED(writeJsonFile(badObjection, objection));
        const QString good = rf::test::shippedWorkflowsDir() + QStringLiteral("/erasure.json");

        const CliRun validate = run({QStringLiteral("workflow"), QStringLiteral("validate"), badAccess, good, badObjection});
        VERIFY_EXIT(validate, 2);
        const QStringList lines = validate.errLines();
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines.at(0).contains(QStringLiteral("bad-access.json")), qPrintable(validate.describe()));
        QVERIFY2(lines.at(1).contains(QStringLiteral("bad-objection.json")), qPrintable(validate.describe()));
        QVERIFY2(validate.out.contains(good + QStringLiteral(": valid")), qPrintable(validate.describe()));
    }

    void workflowValidateMissingFile()
    {
        QTemporaryDir dir;
        const QString missing = dir.filePath(QStringLiteral("no-such-workflow.json"));
        const CliRun validate = run({QStringLiteral("workflow"), QStringLiteral("validate"), missing});
        QVERIFY2(validate.finished && validate.exitCode != 0, qPrintable(validate.describe()));
        QCOMPARE(validate.errLines().size(), 1);
        QVERIFY2(validate.err.contains(QStringLiteral("no-such-workflow.json")), qPrintable(validate.describe()));
    }

    void workflowListShowDot()
    {
        QJsonDocument list;
        CHECKED(parseJson(run({QStringLiteral("workflow"), QStringLiteral("list"), QStringLiteral("--json")}), &list));
        QStringList ids;
        for (const QJsonValue &item : list.array())
            ids << item.toObject().value(QStringLiteral("id")).toString();
        QStringList shippedIds;
        for (const QString &file : shippedWorkflowFiles()) {
            QJsonObject workflow;
            CHECKED(readJsonFile(file, &workflow));
            shippedIds << workflow.value(QStringLiteral("id")).toString();
        }
        ids.sort();
        shippedIds.sort();
        QCOMPARE(ids, shippedIds);

        const CliRun text = run({QStringLiteral("workflow"), QStringLiteral("list")});
        VERIFY_EXIT(text, 0);
        for (const QString &id : std::as_const(shippedIds))
            QVERIFY2(text.out.contains(id), qPrintable(id));

        QJsonObject access;
        CHECKED(readJsonFile(rf::test::shippedWorkflowsDir() + QStringLiteral("/access.json"), &access));
        const QStringList states = stateNames(access);
        QVERIFY(states.size() >= 10);

        const CliRun show = run({QStringLiteral("workflow"), QStringLiteral("show"), QStringLiteral("access")});
        VERIFY_EXIT(show, 0);
        for (const QString &state : states)
            QVERIFY2(show.out.contains(state), qPrintable(state));

        const CliRun dot = run({QStringLiteral("workflow"), QStringLiteral("dot"), QStringLiteral("access")});
        VERIFY_EXIT(dot, 0);
        QVERIFY2(dot.out.startsWith(QStringLiteral("digraph")), qPrintable(dot.out.left(200)));
        QVERIFY(dot.out.trimmed().endsWith(QLatin1Char('}')));
        for (const QString &state : states)
            QVERIFY2(dot.out.contains(state), qPrintable(state));
    }

    void workflowShowUnknownIsNotFound()
    {
        const CliRun show = run({QStringLiteral("workflow"), QStringLiteral("show"), QStringLiteral("teleportation")});
        VERIFY_EXIT(show, 3);
        QVERIFY2(show.err.contains(QStringLiteral("teleportation")) && show.err.contains(QStringLiteral("access")),
            qPrintable(show.describe()));
    }

    // A request keeps running under the definition it was filed under, even
    // after the workflow file changes.
    void requestsKeepTheirWorkflowVersion()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        CHECKED(setUpRegister(db));
        const QString workflows = dir.filePath(QStringLiteral("workflows"));
        QVERIFY(QDir().mkpath(workflows));
        for (const QString &file : shippedWorkflowFiles())
            QVERIFY(QFile::copy(file, workflows + QLatin1Char('/') + QFileInfo(file).fileName()));
        const QStringList withCopy {QStringLiteral("--workflows"), workflows};

        QString first;
        CHECKED(fileRequest(db, intakeArgs() + withCopy, &first));

        const QString accessFile = workflows + QStringLiteral("/access.json");
        QJsonObject access;
        CHECKED(readJsonFile(accessFile, &access));
        QJsonArray states = access.value(QStringLiteral("states")).toArray();
        bool relabelled = false;
        for (qsizetype i = 0; i < states.size(); ++i) {
            QJsonObject state = states.at(i).toObject();
            if (state.value(QStringLiteral("name")).toString() == QLatin1String("checking")) {
                state.insert(QStringLiteral("label"), QStringLiteral("Checking identity and scope"));
                states.replace(i, state);
                relabelled = true;
            }
        }
        QVERIFY(relabelled);
        access.insert(QStringLiteral("states"), states);
        CHECKED(writeJsonFile(accessFile, access));
        VERIFY_EXIT(run({QStringLiteral("workflow"), QStringLiteral("validate"), accessFile}), 0);

        QString second;
        CHECKED(fileRequest(db,
            intakeArgs({{QStringLiteral("--name"), QStringLiteral("Ewan Clarke")},
                {QStringLiteral("--email"), QStringLiteral("ewan.clarke@example.org")},
                {QStringLiteral("--postcode"), QStringLiteral("L30 6UT")}})
                + withCopy,
            &second));

        QJsonObject a;
        QJsonObject b;
        CHECKED(showRequest(db, first, &a));
        CHECKED(showRequest(db, second, &b));
        const QString hashA = a.value(QStringLiteral("workflowHash")).toString();
        const QString hashB = b.value(QStringLiteral("workflowHash")).toString();
        QCOMPARE(hashA.size(), 64);
        QCOMPARE(hashB.size(), 64);
        QVERIFY2(hashA != hashB, qPrintable(hashA));

        // A still runs, under its original definition, with the changed files in use.
        const CliRun acted = run(QStringList {QStringLiteral("request"), QStringLiteral("act"), first,
                                     QStringLiteral("acknowledge"), QStringLiteral("--as"), QStringLiteral("alice")}
            + withCopy + dbArgs(db));
        VERIFY_EXIT(acted, 0);
        CHECKED(act(
            db, second, QStringList {QStringLiteral("acknowledge"), QStringLiteral("--as"), QStringLiteral("alice")} + withCopy));
        CHECKED(showRequest(db, first, &a));
        QCOMPARE(a.value(QStringLiteral("state")).toString(), QStringLiteral("checking"));
        QCOMPARE(a.value(QStringLiteral("workflowHash")).toString(), hashA);

        const QRegularExpression oldLabel(QStringLiteral("State:\\s+Checking \\(checking"));
        const QRegularExpression newLabel(QStringLiteral("State:\\s+Checking identity and scope \\(checking"));
        const CliRun showA = run(QStringList {QStringLiteral("request"), QStringLiteral("show"), first} + withCopy + dbArgs(db));
        VERIFY_EXIT(showA, 0);
        QVERIFY2(oldLabel.match(showA.out).hasMatch(), qPrintable(showA.describe()));
        const CliRun showB = run(QStringList {QStringLiteral("request"), QStringLiteral("show"), second} + withCopy + dbArgs(db));
        VERIFY_EXIT(showB, 0);
        QVERIFY2(newLabel.match(showB.out).hasMatch(), qPrintable(showB.describe()));
    }

    // --- the demo ------------------------------------------------------------

    void demoRunsOnceOnAFreshRegister()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("demo.sqlite"));
        const CliRun demo = run(QStringList {QStringLiteral("demo")} + dbArgs(db));
        VERIFY_EXIT(demo, 0);
        QVERIFY2(demo.out.contains(QStringLiteral("audit trail intact")), qPrintable(demo.describe()));
        QJsonArray before;
        CHECKED(requestList(db, {}, &before));
        QVERIFY(!before.isEmpty());
        int eventsBefore = 0;
        CHECKED(auditCount(db, &eventsBefore));

        const CliRun again = run(QStringList {QStringLiteral("demo")} + dbArgs(db));
        QVERIFY2(again.finished && again.exitCode != 0, qPrintable(again.describe()));
        QVERIFY2(!again.errLines().isEmpty(), qPrintable(again.describe()));
        QJsonArray after;
        CHECKED(requestList(db, {}, &after));
        QCOMPARE(after, before);
        int eventsAfter = 0;
        CHECKED(auditCount(db, &eventsAfter));
        QCOMPARE(eventsAfter, eventsBefore);
    }

    // --- diagnostics ---------------------------------------------------------

    // A command that succeeds says nothing on stderr: scripts treat stderr
    // output as a sign of trouble.
    void successfulCommandsKeepStderrQuiet_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("init again") << QStringList {QStringLiteral("init")};
        QTest::newRow("user add") << QStringList {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("erin"),
            QStringLiteral("--role"), QStringLiteral("admin"), QStringLiteral("--as"), QStringLiteral("root")};
        QTest::newRow("user list") << QStringList {QStringLiteral("user"), QStringLiteral("list")};
        QTest::newRow("request new") << intakeArgs();
        QTest::newRow("request list") << QStringList {QStringLiteral("request"), QStringLiteral("list")};
        QTest::newRow("audit verify") << QStringList {QStringLiteral("audit"), QStringLiteral("verify")};
        QTest::newRow("workflow list") << QStringList {QStringLiteral("workflow"), QStringLiteral("list")};
    }

    void successfulCommandsKeepStderrQuiet()
    {
        QFETCH(QStringList, args);
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("register.sqlite"));
        CHECKED(setUpRegister(db));
        const CliRun quiet = run(args + dbArgs(db));
        VERIFY_EXIT(quiet, 0);
        QVERIFY2(quiet.err.isEmpty(), qPrintable(quiet.describe()));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "TestCli.moc"
