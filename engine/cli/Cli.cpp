// SPDX-License-Identifier: GPL-3.0-or-later
#include "Cli.h"
#include "CliSupport.h"

#include "calendar/DeadlineCalculator.h"
#include "cli/Demo.h"
#include "core/Clock.h"
#include "core/InputLimits.h"
#include "core/Text.h"
#include "store/ConnectionUrl.h"
#include "store/Register.h"
#include "workflow/DotExport.h"
#include "workflow/Engine.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <memory>

namespace rf {

namespace cli {

const QString kProgram = QStringLiteral("rightsflow");

const char kTopHelp[] = R"(Usage: rightsflow COMMAND [OPTIONS]

Rightsflow drives data subject rights requests (access, rectification, erasure,
restriction, portability, objection, automated decisions) through their
workflows, keeping the statutory record and a tamper-evident audit trail.

Commands:
  init                         create a register (or upgrade an older one)
  workflow validate FILE...    check workflow definition files
  workflow list|show ID|dot ID the workflows in use; dot prints Graphviz source
  user add NAME --role ROLE    add an officer, dpo or admin
  user list                    list users
  request new ...              file a request; prints its reference
  request list [filters]       list requests, newest first
  request show REF             a request with its history and available actions
  request act REF ACTION --as USER [--input key=value]... [--note TEXT]
  request note REF TEXT --as USER
  request attach REF FILE --as USER      keep a document with the request
  request attachment REF ID --out FILE   write an attachment back out
  item add REF FILE --source S --category C --as USER   add a document to the case file
  item add REF --record-json FILE --source S --category C --as USER   add records
  item list REF                the case file: items, sources, how each is marked
  item mark REF ITEM --disclose | --redact FILE --exemption E | --withhold --exemption E
  item export REF ITEM --out FILE   write an item (or --redacted copy) back out
  bundle build REF --out FILE.zip --as USER   the zip the requester receives
  bundle verify FILE.zip       check a bundle against its manifest
  audit verify                 check the audit trail has not been altered
  deadline --start DATE ...    work out a statutory due date, and show how
  calendar show YEAR           the bank holidays of a year
  calendar import FILE --as ADMIN   use a newer GOV.UK bank holidays file
  calendar region REGION --as ADMIN choose whose bank holidays count
  worker [--once] [--smtp URL] [--drop-dir DIR]  fire timers, send notices, purge old requests
  outbox list [--status S]     queued, sent and parked messages
  outbox show ID               one message, with its last delivery error
  outbox retry ID --as USER    send a parked message again
  mail test --to ADDRESS       send a test message through the relay ($RIGHTSFLOW_SMTP_URL)
  retention show               how long closed requests are kept
  retention set MONTHS --as ADMIN   set it; the worker purges what is older
  demo                         file sample requests of every right, drive them, build a bundle

Run 'rightsflow COMMAND --help' for a command's options.

The register is --db PATH-OR-URL, else $RIGHTSFLOW_DB, else a SQLite file under
your data directory; a shared register is postgresql://USER@HOST:PORT/DATABASE
(the password, if any, is never shown). $RIGHTSFLOW_NOW (ISO date-time) fixes the clock for rehearsals
and tests, on a rehearsal register only ('rightsflow init --rehearsal'). $RIGHTSFLOW_WORKFLOWS (or --workflows DIR) uses other workflow files
than the shipped ones, for new requests. $RIGHTSFLOW_DUPLICATE_WINDOW_DAYS
(default 30) is how far back a new request looks for a possible duplicate;
$RIGHTSFLOW_MAIL_ATTACHMENT_MB (default 10) is the largest response bundle
attached to the response e-mail;
$RIGHTSFLOW_PROCESSING_REGISTER (or --processing-register FILE) is the council's
processing register, which items and bundles need; $RIGHTSFLOW_EXEMPTIONS
replaces the shipped list of exemptions;
$RIGHTSFLOW_DUE_SOON_DAYS (default 5) is how many working days before its due
date a request counts as due soon.
Dates and times typed without an offset are UK time (Europe/London).

Exit codes: 0 done; 1 failed (e.g. audit trail broken); 2 bad arguments or input;
3 not found; 4 refused (role or rule); 5 conflict (changed by someone else);
6 register error; 7 unsupported; 8 the output file exists (--force replaces it).
)";

QCommandLineOption dbOption()
{
    return QCommandLineOption(QStringLiteral("db"),
        QStringLiteral("The register: a SQLite file path or a postgresql://USER@HOST:PORT/DATABASE URL "
                       "(default: $RIGHTSFLOW_DB, else %1).")
            .arg(Register::defaultLocation()),
        QStringLiteral("PATH"));
}

QCommandLineOption workflowsOption()
{
    return QCommandLineOption(QStringLiteral("workflows"),
        QStringLiteral(
            "Directory of workflow definitions for new requests (default: $RIGHTSFLOW_WORKFLOWS, else the shipped set)."),
        QStringLiteral("DIR"));
}

QCommandLineOption jsonOption()
{
    return QCommandLineOption(QStringLiteral("json"), QStringLiteral("Print JSON instead of text."));
}

QCommandLineOption forceOption()
{
    return QCommandLineOption(QStringLiteral("force"),
        QStringLiteral("Replace the file --out names if it exists (never the register or a file Rightsflow is using)."));
}

Overwrite overwriteChoice(const QCommandLineParser &parser)
{
    return parser.isSet(QStringLiteral("force")) ? Overwrite::Replace : Overwrite::Refuse;
}

Result<std::unique_ptr<Clock>> makeClock()
{
    const QString fixed = qEnvironmentVariable("RIGHTSFLOW_NOW");
    if (fixed.isEmpty())
        return std::unique_ptr<Clock>(std::make_unique<SystemClock>());
    const QDateTime now = parseIsoDateTime(fixed);
    if (!now.isValid())
        return makeError(ErrorCode::Invalid,
            QStringLiteral("RIGHTSFLOW_NOW: '%1' is not an ISO date or date-time (e.g. 2026-03-02T09:30:00Z)").arg(fixed));
    if (const QString problem = implausibleDateProblem(now.toTimeZone(councilTimeZone()).date()); !problem.isEmpty())
        return makeError(ErrorCode::Invalid, QStringLiteral("RIGHTSFLOW_NOW: %1").arg(problem));
    return std::unique_ptr<Clock>(std::make_unique<FixedClock>(now));
}

// The workflow directory a command asked for. Commands without --workflows
// use the default; asking the parser about an option it lacks would warn.
QString workflowsDirectory(const QCommandLineParser &parser)
{
    const QString option = QStringLiteral("workflows");
    return parser.optionNames().contains(option) ? parser.value(option) : WorkflowLibrary::defaultDirectory();
}

Result<std::unique_ptr<Session>> openSession(const QCommandLineParser &parser, bool create, bool rehearsal)
{
    auto session = std::make_unique<Session>();
    Result<std::unique_ptr<Clock>> clock = makeClock();
    if (!clock)
        return clock.error();
    session->clock = std::move(clock).value();
    const QString directory = workflowsDirectory(parser);
    Result<WorkflowLibrary> library = WorkflowLibrary::load(directory);
    if (!library)
        return library.error();
    session->library = std::move(library).value();
    // The council's configuration is never an output, whether or not this
    // command reads it.
    for (const char *variable : {"RIGHTSFLOW_PROCESSING_REGISTER", "RIGHTSFLOW_EXEMPTIONS"})
        SafeOutput::protect(qEnvironmentVariable(variable));
    for (const QString &option : {QStringLiteral("processing-register"), QStringLiteral("exemptions")}) {
        if (parser.optionNames().contains(option))
            SafeOutput::protect(parser.value(option));
    }
    const QString location = Register::resolveLocation(parser.value(QStringLiteral("db")));
    // A moved clock never creates a live register: 'init' with a forgotten
    // RIGHTSFLOW_NOW stops before there is anything to leave behind.
    if (create && !rehearsal && session->clock->isMoved()) {
        Result<std::unique_ptr<Store>> existing = Register::open(location, false);
        if (!existing && existing.error().code == ErrorCode::NotFound)
            return makeError(ErrorCode::Refused,
                QStringLiteral("the clock is set to %1 rather than the real time ($RIGHTSFLOW_NOW), and only a rehearsal "
                               "register takes a moved clock: nothing was created. Give --rehearsal to create one, or "
                               "unset RIGHTSFLOW_NOW.")
                    .arg(isoUtc(session->clock->now())));
    }
    Result<std::unique_ptr<Store>> store = Register::open(location, create);
    if (!store)
        return store.error();
    session->store = std::move(store).value();
    EngineOptions options;
    if (const QString window = qEnvironmentVariable("RIGHTSFLOW_DUPLICATE_WINDOW_DAYS"); !window.isEmpty()) {
        bool ok = false;
        options.duplicateWindowDays = window.toInt(&ok);
        if (!ok || options.duplicateWindowDays < 0 || options.duplicateWindowDays > 3660)
            return makeError(ErrorCode::Invalid,
                QStringLiteral("RIGHTSFLOW_DUPLICATE_WINDOW_DAYS: '%1' is not a number of days from 0 to 3660").arg(window));
    }
    if (const QString limit = qEnvironmentVariable("RIGHTSFLOW_MAIL_ATTACHMENT_MB"); !limit.isEmpty()) {
        bool ok = false;
        const double megabytes = limit.toDouble(&ok);
        if (!ok || megabytes < 0 || megabytes > 100)
            return makeError(ErrorCode::Invalid,
                QStringLiteral("RIGHTSFLOW_MAIL_ATTACHMENT_MB: '%1' is not a size in MB from 0 to 100").arg(limit));
        options.emailAttachmentLimit = qint64(megabytes * 1024 * 1024);
    }
    if (const QString soon = qEnvironmentVariable("RIGHTSFLOW_DUE_SOON_DAYS"); !soon.isEmpty()) {
        bool ok = false;
        options.dueSoonWorkingDays = soon.toInt(&ok);
        if (!ok || options.dueSoonWorkingDays < 0 || options.dueSoonWorkingDays > 60)
            return makeError(ErrorCode::Invalid,
                QStringLiteral("RIGHTSFLOW_DUE_SOON_DAYS: '%1' is not a number of working days from 0 to 60").arg(soon));
    }
    if (rehearsal) {
        if (Status s = session->store->makeRehearsal(); !s)
            return s.error();
    }
    session->engine
        = std::make_unique<Engine>(*session->store, session->library, *session->clock, ActionRegistry::builtin(), options);
    // RIGHTSFLOW_NOW on a live register is refused before any command runs,
    // reading ones included: their deadlines would be stated for a false day.
    if (Status s = session->engine->admitsClock(); !s)
        return makeError(s.error().code,
            s.error().message
                + QStringLiteral(" ($RIGHTSFLOW_NOW moves the clock; a rehearsal register is made with 'rightsflow init "
                                 "--rehearsal'.)"));
    return session;
}

QString jsonText(const QJsonValue &value)
{
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented));
    return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented));
}

QString when(const QDateTime &t)
{
    // Council time, as officers and letters give it.
    return t.isValid() ? t.toTimeZone(councilTimeZone()).toString(QStringLiteral("yyyy-MM-dd HH:mm")) : QString();
}

QJsonObject personJson(const Person &p)
{
    return QJsonObject {{QStringLiteral("name"), p.name}, {QStringLiteral("email"), p.email}, {QStringLiteral("phone"), p.phone},
        {QStringLiteral("address"), p.address}, {QStringLiteral("postcode"), p.postcode}};
}

QJsonObject eventJson(const AuditEvent &e)
{
    QJsonObject o {{QStringLiteral("seq"), e.seq}, {QStringLiteral("at"), isoUtc(e.at)}, {QStringLiteral("actor"), e.actor},
        {QStringLiteral("action"), e.action}, {QStringLiteral("from"), e.fromState}, {QStringLiteral("to"), e.toState},
        {QStringLiteral("hash"), e.hash}};
    if (e.payloadPurged) {
        o.insert(QStringLiteral("purged"), true);
    } else {
        o.insert(QStringLiteral("inputs"), e.inputs);
        o.insert(QStringLiteral("note"), e.note);
    }
    return o;
}

QJsonObject inputJson(const InputDef &in)
{
    QJsonObject o {{QStringLiteral("name"), in.name}, {QStringLiteral("label"), in.label}, {QStringLiteral("type"), in.type},
        {QStringLiteral("required"), in.required}};
    if (!in.choices.isEmpty())
        o.insert(QStringLiteral("choices"), QJsonArray::fromStringList(in.choices));
    return o;
}

QJsonObject requestJson(const Request &r)
{
    QJsonArray identifiers;
    for (const Identifier &id : r.identifiers)
        identifiers.append(QJsonObject {{QStringLiteral("kind"), id.kind}, {QStringLiteral("value"), id.value}});
    QJsonArray attachments;
    for (const Attachment &a : r.attachments)
        attachments.append(QJsonObject {{QStringLiteral("id"), a.id}, {QStringLiteral("name"), a.name},
            {QStringLiteral("mediaType"), a.mediaType}, {QStringLiteral("size"), a.size}, {QStringLiteral("sha256"), a.sha256},
            {QStringLiteral("addedBy"), a.addedBy}, {QStringLiteral("addedAt"), isoUtc(a.addedAt)}});
    QJsonArray notes;
    for (const Note &n : r.notes)
        notes.append(QJsonObject {
            {QStringLiteral("at"), isoUtc(n.at)}, {QStringLiteral("author"), n.author}, {QStringLiteral("text"), n.text}});
    QJsonObject o {
        {QStringLiteral("reference"), r.reference},
        {QStringLiteral("right"), r.right},
        {QStringLiteral("channel"), r.channel},
        {QStringLiteral("received"), isoUtc(r.received)},
        {QStringLiteral("requester"), personJson(r.requester)},
        {QStringLiteral("actingForSubject"), r.actingForSubject},
        {QStringLiteral("identifiers"), identifiers},
        {QStringLiteral("scope"), r.scope},
        {QStringLiteral("assignee"), r.assignee},
        {QStringLiteral("state"), r.state},
        {QStringLiteral("workflow"), r.workflowId},
        {QStringLiteral("workflowHash"), r.workflowHash},
        {QStringLiteral("version"), r.version},
        {QStringLiteral("possibleDuplicateOf"),
            QJsonArray::fromStringList(
                r.possibleDuplicateOf.isEmpty() ? QStringList() : r.possibleDuplicateOf.split(QLatin1Char(',')))},
        {QStringLiteral("identityVerifiedAt"), r.identityVerifiedAt.isValid() ? isoUtc(r.identityVerifiedAt) : QString()},
        {QStringLiteral("respondedAt"), r.respondedAt.isValid() ? isoUtc(r.respondedAt) : QString()},
        {QStringLiteral("closedAt"), r.closedAt.isValid() ? isoUtc(r.closedAt) : QString()},
        {QStringLiteral("notes"), notes},
        {QStringLiteral("attachments"), attachments},
    };
    if (r.actingForSubject) {
        o.insert(QStringLiteral("subject"), personJson(r.subject));
        o.insert(QStringLiteral("relationship"), r.relationship);
        o.insert(QStringLiteral("authorityReceived"), r.authorityReceived);
    }
    return o;
}

QJsonArray messagesJson(const QList<OutboxMessage> &messages)
{
    QJsonArray array;
    for (const OutboxMessage &m : messages)
        array.append(QJsonObject {{QStringLiteral("template"), m.templateName}, {QStringLiteral("to"), m.recipientRole},
            {QStringLiteral("recipient"), m.recipientName}, {QStringLiteral("channel"), m.channel},
            {QStringLiteral("address"), m.recipientAddress}, {QStringLiteral("status"), m.status},
            {QStringLiteral("idempotencyKey"), m.idempotencyKey}});
    return array;
}

// Splits "key=value" options into a map, reporting the first malformed one.
Result<QMap<QString, QString>> keyValues(const QStringList &items, const QString &optionName)
{
    QMap<QString, QString> result;
    for (const QString &item : items) {
        const qsizetype eq = item.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return makeError(ErrorCode::Invalid, QStringLiteral("--%1 '%2': expected key=value").arg(optionName, item));
        const QString key = item.left(eq).trimmed();
        if (result.contains(key))
            return makeError(ErrorCode::Invalid,
                QStringLiteral("--%1 %2 is given twice ('%3' and '%4'); give it once")
                    .arg(optionName, key, result.value(key), item.mid(eq + 1)));
        result.insert(key, item.mid(eq + 1));
    }
    return result;
}

} // namespace cli

namespace cli {

QString isoDate(const QDate &date)
{
    return date.isValid() ? date.toString(Qt::ISODate) : QString();
}

QJsonObject deadlineJson(const Deadline &d, const QString &region)
{
    return QJsonObject {{QStringLiteral("ruleSet"), d.ruleSet}, {QStringLiteral("region"), region},
        {QStringLiteral("started"), d.started}, {QStringLiteral("start"), isoDate(d.start)},
        {QStringLiteral("firstPeriodEnd"), isoDate(d.firstPeriodEnd)},
        {QStringLiteral("extensionNoticeBy"), d.extended ? QString() : isoDate(d.firstPeriodEnd)},
        {QStringLiteral("unrolledDue"), isoDate(d.unrolledDue)}, {QStringLiteral("due"), isoDate(d.due)},
        {QStringLiteral("pausedDays"), d.pausedDays}, {QStringLiteral("extended"), d.extended},
        {QStringLiteral("provisional"), d.provisional},
        {QStringLiteral("explanation"), QJsonArray::fromStringList(d.explanation)},
        {QStringLiteral("warnings"), QJsonArray::fromStringList(d.warnings)}};
}

// A date option: YYYY-MM-DD, or an error naming the option.
Result<QDate> dateOption(const QCommandLineParser &parser, const QString &name)
{
    if (!parser.isSet(name))
        return QDate();
    return parsePersonDate(parser.value(name), QStringLiteral("--") + name);
}

QString defaultRegion()
{
    const QString region = qEnvironmentVariable("RIGHTSFLOW_REGION");
    return region.isEmpty() ? QStringLiteral("england-and-wales") : region;
}

} // namespace cli

using namespace cli;

int Cli::exitCodeFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::Invalid:
        return Usage;
    case ErrorCode::NotFound:
        return NotFound;
    case ErrorCode::Forbidden:
    case ErrorCode::Refused:
        return Refused;
    case ErrorCode::Conflict:
        return Conflict;
    case ErrorCode::Storage:
        return StorageFailed;
    case ErrorCode::Unsupported:
        return Unsupported;
    case ErrorCode::Exists:
        return Exists;
    }
    return Failed;
}

int Cli::fail(const Error &error)
{
    // Messages quote what was given, and what was given may hold anything.
    m_err << kProgram << ": " << printable(error.message) << Qt::endl;
    for (const QString &detail : error.details)
        m_err << "  " << printable(detail) << Qt::endl;
    // The engine says a file is in the way; on the command line, --force is how to say "replace it".
    if (error.code == ErrorCode::Exists)
        m_err << "  Give --force to replace it, or choose another name." << Qt::endl;
    return exitCodeFor(error.code);
}

int Cli::usageError(const QString &message, const QString &helpCommand)
{
    m_err << kProgram << ": " << printable(message) << " (see 'rightsflow " << helpCommand << " --help')" << Qt::endl;
    return Usage;
}

int Cli::groupHelpOrUsage(const QString &group, const QString &sub, const QStringList &subCommands)
{
    // The lines of the top-level help that belong to this group.
    QStringList lines;
    for (const QString &line : QString::fromUtf8(kTopHelp).split(QLatin1Char('\n'))) {
        if (line.startsWith(QStringLiteral("  ") + group + QLatin1Char(' ')))
            lines << line;
    }
    const QString list = subCommands.join(QStringLiteral(", "));
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h") || sub == QLatin1String("help")) {
        m_out << "Usage: rightsflow " << group << " SUB-COMMAND [OPTIONS]" << Qt::endl
              << Qt::endl
              << lines.join(QLatin1Char('\n')) << Qt::endl
              << Qt::endl
              << "Run 'rightsflow " << group << " SUB-COMMAND --help' for its options." << Qt::endl;
        return Ok;
    }
    return usageError(sub.isEmpty() ? QStringLiteral("%1: name a sub-command (%2)").arg(group, list)
                                    : QStringLiteral("%1: unknown sub-command '%2' (%3)").arg(group, sub, list),
        group);
}

int Cli::run(const QStringList &arguments)
{
    if (arguments.isEmpty() || arguments.first() == QLatin1String("--help") || arguments.first() == QLatin1String("-h")
        || arguments.first() == QLatin1String("help")) {
        if (arguments.size() > 1 && arguments.first() == QLatin1String("help"))
            return run(arguments.mid(1) << QStringLiteral("--help"));
        (arguments.isEmpty() ? m_err : m_out) << kTopHelp;
        return arguments.isEmpty() ? Usage : Ok;
    }
    if (arguments.first() == QLatin1String("--version")) {
        m_out << "rightsflow " << QStringLiteral(RIGHTSFLOW_VERSION) << Qt::endl;
        return Ok;
    }
    const QString command = arguments.first();
    const QStringList rest = arguments.mid(1);
    if (command == QLatin1String("init"))
        return cmdInit(rest);
    if (command == QLatin1String("workflow"))
        return cmdWorkflow(rest);
    if (command == QLatin1String("user"))
        return cmdUser(rest);
    if (command == QLatin1String("request"))
        return cmdRequest(rest);
    if (command == QLatin1String("audit"))
        return cmdAudit(rest);
    if (command == QLatin1String("deadline"))
        return cmdDeadline(rest);
    if (command == QLatin1String("calendar"))
        return cmdCalendar(rest);
    if (command == QLatin1String("demo"))
        return cmdDemo(rest);
    if (command == QLatin1String("worker"))
        return cmdWorker(rest);
    if (command == QLatin1String("outbox"))
        return cmdOutbox(rest);
    if (command == QLatin1String("retention"))
        return cmdRetention(rest);
    if (command == QLatin1String("item"))
        return cmdItem(rest);
    if (command == QLatin1String("bundle"))
        return cmdBundle(rest);
    if (command == QLatin1String("mail"))
        return cmdMail(rest);
    m_err << kProgram << ": unknown command '" << command << "' (see 'rightsflow --help')" << Qt::endl;
    return Usage;
}

namespace cli {

Parsed parseArgs(QCommandLineParser &parser, const QString &command, const QString &summary, const QStringList &args,
    QTextStream &out, QTextStream &err)
{
    parser.setApplicationDescription(summary);
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help(QStringList {QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    parser.addOption(help);
    if (!parser.parse(QStringList {QStringLiteral("rightsflow ") + command} + args)) {
        err << "rightsflow: " << command << ": " << parser.errorText() << " (see 'rightsflow " << command << " --help')"
            << Qt::endl;
        return {false, Cli::Usage};
    }
    if (parser.isSet(help)) {
        QString text = parser.helpText();
        // Qt names the executable's path; a person wants the command they typed.
        const qsizetype usageEnd = text.indexOf(QStringLiteral(" [options]"));
        if (text.startsWith(QStringLiteral("Usage: ")) && usageEnd > 0)
            text.replace(7, usageEnd - 7, QStringLiteral("rightsflow ") + command);
        out << text;
        return {false, Cli::Ok};
    }
    // A stray word is more likely a mistake (a misplaced value, a missing
    // --) than something to ignore.
    static const QStringList takesNoArguments {QStringLiteral("init"), QStringLiteral("workflow list"),
        QStringLiteral("user list"), QStringLiteral("request new"), QStringLiteral("request list"),
        QStringLiteral("audit verify"), QStringLiteral("demo"), QStringLiteral("deadline"), QStringLiteral("worker"),
        QStringLiteral("outbox list"), QStringLiteral("retention show")};
    if (takesNoArguments.contains(command) && !parser.positionalArguments().isEmpty()) {
        err << "rightsflow: " << command << " takes no arguments, but was given '"
            << parser.positionalArguments().join(QLatin1Char(' ')) << "' (see 'rightsflow " << command << " --help')" << Qt::endl;
        return {false, Cli::Usage};
    }
    return {true, 0};
}

} // namespace cli

int Cli::cmdInit(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(dbOption());
    parser.addOption(workflowsOption());
    const QCommandLineOption rehearsal(QStringLiteral("rehearsal"),
        QStringLiteral("Make the new register a rehearsal register, for training, demonstrations and tests: only such a "
                       "register accepts a moved clock ($RIGHTSFLOW_NOW), and request show and audit verify say what it "
                       "is. Chosen once, when the register is new; a live register never becomes one."));
    parser.addOption(rehearsal);
    const Parsed parsed = parseArgs(parser, QStringLiteral("init"),
        QStringLiteral("Create a register, or upgrade an older one to this version."), args, m_out, m_err);
    if (!parsed.proceed)
        return parsed.exitCode;
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("init takes no arguments"), QStringLiteral("init"));
    Result<std::unique_ptr<Session>> session = openSession(parser, true, parser.isSet(rehearsal));
    if (!session)
        return fail(session.error());
    Result<bool> isRehearsal = (*session)->store->isRehearsal();
    if (!isRehearsal)
        return fail(isRehearsal.error());
    m_out << (*isRehearsal ? "Rehearsal register ready: " : "Register ready: ") << (*session)->store->describe()
          << " (schema version " << (*session)->store->schemaVersion() << ")" << Qt::endl;
    return Ok;
}

int Cli::cmdWorkflow(const QStringList &args)
{
    const QString sub = args.value(0);
    const QStringList rest = args.mid(1);
    QCommandLineParser parser;
    const QCommandLineOption json = jsonOption();

    if (sub == QLatin1String("validate")) {
        parser.addPositionalArgument(
            QStringLiteral("FILE"), QStringLiteral("Workflow definition files to check."), QStringLiteral("FILE..."));
        const Parsed parsed = parseArgs(parser, QStringLiteral("workflow validate"),
            QStringLiteral("Check workflow definitions. Exits 0 when all are valid; otherwise prints one line per "
                           "problem naming the file and the JSON path."),
            rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        const QStringList files = parser.positionalArguments();
        if (files.isEmpty())
            return usageError(QStringLiteral("workflow validate: name at least one FILE"), QStringLiteral("workflow validate"));
        WorkflowLoader loader;
        int invalid = 0;
        for (const QString &file : files) {
            Result<WorkflowDefinition> def = loader.loadFile(file);
            if (!def) {
                ++invalid;
                if (def.error().details.isEmpty())
                    m_err << def.error().message << Qt::endl;
                for (const QString &line : def.error().details)
                    m_err << line << Qt::endl;
            } else {
                m_out << file << ": valid (" << def->id << ", " << def->states.size() << " states, " << def->transitions.size()
                      << " transitions, version " << def->hash.left(12) << ")" << Qt::endl;
            }
        }
        return invalid == 0 ? Ok : Usage;
    }

    parser.addOption(dbOption());
    parser.addOption(workflowsOption());
    parser.addOption(json);
    if (sub == QLatin1String("list")) {
        const Parsed parsed = parseArgs(parser, QStringLiteral("workflow list"),
            QStringLiteral("List the workflows used for new requests."), rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        const QString directory = workflowsDirectory(parser);
        Result<WorkflowLibrary> library = WorkflowLibrary::load(directory);
        if (!library)
            return fail(library.error());
        QJsonArray array;
        for (const WorkflowDefinition &def : library->all()) {
            array.append(QJsonObject {{QStringLiteral("id"), def.id}, {QStringLiteral("right"), def.right},
                {QStringLiteral("title"), def.title}, {QStringLiteral("states"), int(def.states.size())},
                {QStringLiteral("transitions"), int(def.transitions.size())}, {QStringLiteral("hash"), def.hash}});
            if (!parser.isSet(json))
                m_out << QStringLiteral("%1  %2  %3 states, %4 transitions  %5")
                             .arg(def.id, -20)
                             .arg(def.title, -50)
                             .arg(def.states.size(), 2)
                             .arg(def.transitions.size(), 2)
                             .arg(def.hash.left(12))
                      << Qt::endl;
        }
        if (parser.isSet(json))
            m_out << jsonText(array);
        return Ok;
    }
    if (sub == QLatin1String("show") || sub == QLatin1String("dot")) {
        parser.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The workflow id, e.g. access."));
        const Parsed parsed = parseArgs(parser, QStringLiteral("workflow ") + sub,
            sub == QLatin1String("dot") ? QStringLiteral("Print the workflow as Graphviz source (pipe to 'dot -Tsvg').")
                                        : QStringLiteral("Show a workflow's states and transitions."),
            rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        if (parser.positionalArguments().size() != 1)
            return usageError(QStringLiteral("workflow %1: name one workflow ID").arg(sub), QStringLiteral("workflow ") + sub);
        const QString directory = workflowsDirectory(parser);
        Result<WorkflowLibrary> library = WorkflowLibrary::load(directory);
        if (!library)
            return fail(library.error());
        const QString id = parser.positionalArguments().constFirst();
        const WorkflowDefinition *def = library->byId(id);
        if (!def)
            def = library->forRight(id);
        if (!def) {
            QStringList ids;
            for (const WorkflowDefinition &d : library->all())
                ids << d.id;
            return fail(makeError(
                ErrorCode::NotFound, QStringLiteral("no workflow '%1' (known: %2)").arg(id, ids.join(QStringLiteral(", ")))));
        }
        if (sub == QLatin1String("dot")) {
            m_out << toDot(*def);
            return Ok;
        }
        if (parser.isSet(json)) {
            m_out << QString::fromUtf8(QJsonDocument::fromJson(def->canonicalJson).toJson(QJsonDocument::Indented));
            return Ok;
        }
        m_out << def->title << " (" << def->id << ", version " << def->hash.left(12) << ")" << Qt::endl;
        if (!def->description.isEmpty())
            m_out << def->description << Qt::endl;
        m_out << Qt::endl << "States (initial: " << def->initial << "):" << Qt::endl;
        for (const StateDef &s : def->states)
            m_out << QStringLiteral("  %1 %2 %3 clock %4")
                         .arg(s.name, -26)
                         .arg(s.label, -40)
                         .arg(toString(s.kind), -8)
                         .arg(toString(s.clock))
                  << Qt::endl;
        m_out << Qt::endl << "Transitions:" << Qt::endl;
        for (const TransitionDef &t : def->transitions) {
            m_out << QStringLiteral("  %1 %2 -> %3  [%4]")
                         .arg(t.name, -26)
                         .arg(t.from.join(QStringLiteral(", ")), t.to.isEmpty() ? QStringLiteral("(stays)") : t.to,
                             t.roles.join(QStringLiteral(", ")))
                  << Qt::endl;
            for (const InputDef &in : t.inputs)
                m_out << QStringLiteral("      input %1 (%2%3): %4")
                             .arg(in.name, in.type, in.required ? QStringLiteral(", required") : QString(), in.label)
                      << Qt::endl;
            for (const StepRef &g : t.guards)
                m_out << "      guard " << g.name << Qt::endl;
            for (const StepRef &e : t.effects)
                m_out << "      effect " << e.name
                      << (e.params.isEmpty() ? QString()
                                             : QStringLiteral(" ")
                                     + QString::fromUtf8(QJsonDocument(e.params).toJson(QJsonDocument::Compact)))
                      << Qt::endl;
        }
        return Ok;
    }
    return groupHelpOrUsage(QStringLiteral("workflow"), sub,
        {QStringLiteral("validate"), QStringLiteral("list"), QStringLiteral("show"), QStringLiteral("dot")});
}

int Cli::cmdUser(const QStringList &args)
{
    const QString sub = args.value(0);
    const QStringList rest = args.mid(1);
    QCommandLineParser parser;
    parser.addOption(dbOption());
    if (sub == QLatin1String("add")) {
        const QCommandLineOption role(QStringLiteral("role"), QStringLiteral("officer, dpo or admin."), QStringLiteral("ROLE"));
        const QCommandLineOption email(
            QStringLiteral("email"), QStringLiteral("Where reminders and escalations go."), QStringLiteral("ADDRESS"));
        const QCommandLineOption as(QStringLiteral("as"),
            QStringLiteral("The admin adding the user; not needed for the register's first user, who must be an admin."),
            QStringLiteral("USER"));
        parser.addOptions({role, email, as});
        parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The user's login name."));
        const Parsed parsed = parseArgs(
            parser, QStringLiteral("user add"), QStringLiteral("Add a user who can act on requests."), rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        if (parser.positionalArguments().size() != 1)
            return usageError(QStringLiteral("user add: give exactly one NAME"), QStringLiteral("user add"));
        if (!parser.isSet(role))
            return usageError(QStringLiteral("user add: --role is required (officer, dpo or admin)"), QStringLiteral("user add"));
        Result<std::unique_ptr<Session>> session = openSession(parser);
        if (!session)
            return fail(session.error());
        Result<User> user = (*session)->engine->addUser(
            parser.positionalArguments().constFirst(), parser.value(role), parser.value(email), parser.value(as));
        if (!user)
            return fail(user.error());
        m_out << "Added " << printable(user->name) << " (" << user->role << ")" << Qt::endl;
        return Ok;
    }
    if (sub == QLatin1String("list")) {
        const QCommandLineOption json = jsonOption();
        parser.addOption(json);
        const Parsed parsed = parseArgs(parser, QStringLiteral("user list"), QStringLiteral("List users."), rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        Result<std::unique_ptr<Session>> session = openSession(parser);
        if (!session)
            return fail(session.error());
        Result<QList<User>> users = (*session)->store->users();
        if (!users)
            return fail(users.error());
        QJsonArray array;
        for (const User &u : *users) {
            array.append(QJsonObject {{QStringLiteral("name"), u.name}, {QStringLiteral("role"), u.role},
                {QStringLiteral("email"), u.email}, {QStringLiteral("active"), u.active}});
            if (!parser.isSet(json))
                m_out << QStringLiteral("%1 %2 %3").arg(printable(u.name), -20).arg(u.role, -8).arg(printable(u.email))
                      << Qt::endl;
        }
        if (parser.isSet(json))
            m_out << jsonText(array);
        return Ok;
    }
    return groupHelpOrUsage(QStringLiteral("user"), sub, {QStringLiteral("add"), QStringLiteral("list")});
}

int Cli::cmdRequest(const QStringList &args)
{
    const QString sub = args.value(0);
    const QStringList rest = args.mid(1);
    QCommandLineParser parser;
    parser.addOption(dbOption());
    parser.addOption(workflowsOption());
    const QCommandLineOption json = jsonOption();
    parser.addOption(json);

    if (sub == QLatin1String("new")) {
        const QCommandLineOption right(QStringLiteral("right"),
            QStringLiteral("access, rectification, erasure, restriction, portability, objection or automated-decision."),
            QStringLiteral("RIGHT"));
        const QCommandLineOption channel(QStringLiteral("channel"),
            QStringLiteral("email, telephone, in-person, webchat, post or web."), QStringLiteral("CHANNEL"));
        const QCommandLineOption name(QStringLiteral("name"), QStringLiteral("The requester's name."), QStringLiteral("NAME"));
        const QCommandLineOption email(
            QStringLiteral("email"), QStringLiteral("The requester's e-mail address."), QStringLiteral("ADDRESS"));
        const QCommandLineOption phone(
            QStringLiteral("phone"), QStringLiteral("The requester's telephone number."), QStringLiteral("NUMBER"));
        const QCommandLineOption address(
            QStringLiteral("address"), QStringLiteral("The requester's postal address."), QStringLiteral("TEXT"));
        const QCommandLineOption postcode(
            QStringLiteral("postcode"), QStringLiteral("The requester's postcode."), QStringLiteral("POSTCODE"));
        const QCommandLineOption received(QStringLiteral("received"),
            QStringLiteral("When the council received it (ISO date-time; default now)."), QStringLiteral("ISO-DATE-TIME"));
        const QCommandLineOption identifier(QStringLiteral("identifier"),
            QStringLiteral("An identifier to search by, kind=value (kinds: %1). Repeatable.")
                .arg(knownIdentifierKinds().join(QStringLiteral(", "))),
            QStringLiteral("KIND=VALUE"));
        const QCommandLineOption scope(
            QStringLiteral("scope"), QStringLiteral("What the requester asked for, in their words."), QStringLiteral("TEXT"));
        const QCommandLineOption assignee(
            QStringLiteral("assignee"), QStringLiteral("The officer who will run it."), QStringLiteral("USER"));
        const QCommandLineOption subjectName(QStringLiteral("subject-name"),
            QStringLiteral("When acting for someone: the data subject's name."), QStringLiteral("NAME"));
        const QCommandLineOption subjectEmail(
            QStringLiteral("subject-email"), QStringLiteral("The data subject's e-mail address."), QStringLiteral("ADDRESS"));
        const QCommandLineOption subjectPostcode(
            QStringLiteral("subject-postcode"), QStringLiteral("The data subject's postcode."), QStringLiteral("POSTCODE"));
        const QCommandLineOption relationship(QStringLiteral("relationship"),
            QStringLiteral("How the requester is related to the subject (parent, solicitor...)."), QStringLiteral("TEXT"));
        const QCommandLineOption authority(QStringLiteral("authority-received"),
            QStringLiteral("Evidence of authority to act for the subject came with the request."));
        const QCommandLineOption as(QStringLiteral("as"),
            QStringLiteral("The user filing it, for the audit trail (default: intake, for requests that arrive without one)."),
            QStringLiteral("USER"));
        parser.addOptions({right, channel, name, email, phone, address, postcode, received, identifier, scope, assignee,
            subjectName, subjectEmail, subjectPostcode, relationship, authority, as});
        const Parsed parsed = parseArgs(parser, QStringLiteral("request new"),
            QStringLiteral(
                "File a new request and print its reference. A possible duplicate (same right and "
                "identifier within $RIGHTSFLOW_DUPLICATE_WINDOW_DAYS, default 30 days) is filed and flagged, not refused."),
            rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        IntakeForm form;
        form.right = parser.value(right).trimmed();
        form.channel = parser.value(channel).trimmed();
        form.requester = Person {parser.value(name).trimmed(), parser.value(email).trimmed(), parser.value(phone).trimmed(),
            parser.value(address).trimmed(), parser.value(postcode).trimmed()};
        if (parser.isSet(received)) {
            form.received = parseIsoDateTime(parser.value(received));
            if (!form.received.isValid())
                return fail(makeError(ErrorCode::Invalid,
                    QStringLiteral("received: '%1' is not an ISO date or date-time (e.g. 2026-03-02T09:30:00Z)")
                        .arg(parser.value(received))));
        }
        for (const QString &item : parser.values(identifier)) {
            const qsizetype eq = item.indexOf(QLatin1Char('='));
            if (eq <= 0)
                return fail(makeError(ErrorCode::Invalid,
                    QStringLiteral("--identifier '%1': expected kind=value, e.g. ni-number=AB123456C").arg(item)));
            form.identifiers.append(Identifier {item.left(eq).trimmed(), item.mid(eq + 1).trimmed()});
        }
        form.scope = parser.value(scope);
        form.assignee = parser.value(assignee).trimmed();
        // Any detail of a separate data subject means the request is made for them.
        form.actingForSubject = parser.isSet(subjectName) || parser.isSet(subjectEmail) || parser.isSet(subjectPostcode)
            || parser.isSet(relationship) || parser.isSet(authority);
        form.subject = Person {parser.value(subjectName).trimmed(), parser.value(subjectEmail).trimmed(), {}, {},
            parser.value(subjectPostcode).trimmed()};
        form.relationship = parser.value(relationship).trimmed();
        form.authorityReceived = parser.isSet(authority);

        Result<std::unique_ptr<Session>> session = openSession(parser);
        if (!session)
            return fail(session.error());
        Result<FiledRequest> filed
            = (*session)->engine->fileRequest(form, parser.isSet(as) ? parser.value(as) : QStringLiteral("intake"));
        if (!filed)
            return fail(filed.error());
        if (parser.isSet(json)) {
            m_out << jsonText(requestJson(filed->request));
        } else {
            m_out << filed->request.reference << Qt::endl;
            if (!filed->possibleDuplicates.isEmpty())
                m_err << "rightsflow: warning: " << filed->request.reference << " may duplicate "
                      << filed->possibleDuplicates.join(QStringLiteral(", ")) << " (same right and identifier within "
                      << (*session)->engine->options().duplicateWindowDays << " days)" << Qt::endl;
        }
        return Ok;
    }

    if (sub == QLatin1String("list")) {
        const QCommandLineOption state(
            QStringLiteral("state"), QStringLiteral("Only requests in this state."), QStringLiteral("STATE"));
        const QCommandLineOption right(
            QStringLiteral("right"), QStringLiteral("Only requests of this right."), QStringLiteral("RIGHT"));
        const QCommandLineOption assignee(
            QStringLiteral("assignee"), QStringLiteral("Only requests assigned to this user."), QStringLiteral("USER"));
        const QCommandLineOption channel(
            QStringLiteral("channel"), QStringLiteral("Only requests received by this channel."), QStringLiteral("CHANNEL"));
        const QCommandLineOption open(QStringLiteral("open"), QStringLiteral("Only requests not yet closed."));
        const QCommandLineOption limit(QStringLiteral("limit"), QStringLiteral("At most N requests (default 50)."),
            QStringLiteral("N"), QStringLiteral("50"));
        const QCommandLineOption offset(
            QStringLiteral("offset"), QStringLiteral("Skip the first N (for paging)."), QStringLiteral("N"), QStringLiteral("0"));
        parser.addOptions({state, right, assignee, channel, open, limit, offset});
        const Parsed parsed = parseArgs(
            parser, QStringLiteral("request list"), QStringLiteral("List requests, newest first."), rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        RequestFilter filter;
        filter.state = parser.value(state);
        filter.right = parser.value(right);
        filter.assignee = parser.value(assignee);
        filter.channel = parser.value(channel);
        filter.openOnly = parser.isSet(open);
        bool okLimit = false;
        bool okOffset = false;
        filter.limit = parser.value(limit).toInt(&okLimit);
        filter.offset = parser.value(offset).toInt(&okOffset);
        if (!okLimit || filter.limit < 1 || filter.limit > 10000)
            return usageError(
                QStringLiteral("request list: --limit '%1' must be a number from 1 to 10000").arg(parser.value(limit)),
                QStringLiteral("request list"));
        if (!okOffset || filter.offset < 0)
            return usageError(
                QStringLiteral("request list: --offset '%1' must be a number of at least 0").arg(parser.value(offset)),
                QStringLiteral("request list"));
        if (!filter.channel.isEmpty() && !knownChannels().contains(filter.channel))
            return fail(makeError(ErrorCode::Invalid,
                QStringLiteral("channel: unknown channel '%1'; use one of %2")
                    .arg(filter.channel, knownChannels().join(QStringLiteral(", ")))));
        if (!filter.right.isEmpty() && !knownRights().contains(filter.right))
            return fail(makeError(ErrorCode::Invalid,
                QStringLiteral("right: unknown right '%1'; use one of %2")
                    .arg(filter.right, knownRights().join(QStringLiteral(", ")))));
        Result<std::unique_ptr<Session>> session = openSession(parser);
        if (!session)
            return fail(session.error());
        Result<QList<RequestSummary>> list = (*session)->store->listRequests(filter);
        if (!list)
            return fail(list.error());
        QJsonArray array;
        for (const RequestSummary &s : *list) {
            array.append(QJsonObject {{QStringLiteral("reference"), s.reference}, {QStringLiteral("right"), s.right},
                {QStringLiteral("channel"), s.channel}, {QStringLiteral("state"), s.state},
                {QStringLiteral("received"), isoUtc(s.received)}, {QStringLiteral("requester"), s.requesterName},
                {QStringLiteral("assignee"), s.assignee}, {QStringLiteral("version"), s.version},
                {QStringLiteral("closed"), s.closed}, {QStringLiteral("due"), s.duePaused ? QString() : isoDate(s.due)},
                {QStringLiteral("duePaused"), s.duePaused}});
            if (!parser.isSet(json))
                m_out << QStringLiteral("%1  %2  %3  %4  due %5  %6  %7")
                             .arg(s.reference, -15)
                             .arg(s.right, -18)
                             .arg(s.state, -24)
                             .arg(when(s.received), -20)
                             .arg(s.duePaused          ? QStringLiteral("paused")
                                     : s.due.isValid() ? isoDate(s.due)
                                                       : QStringLiteral("-"),
                                 -10)
                             .arg(s.assignee.isEmpty() ? QStringLiteral("-") : printable(s.assignee), -10)
                             .arg(printable(s.requesterName))
                      << Qt::endl;
        }
        if (parser.isSet(json))
            m_out << jsonText(array);
        else if (list->isEmpty())
            m_out << "No requests match." << Qt::endl;
        return Ok;
    }

    if (sub == QLatin1String("show")) {
        const QCommandLineOption as(
            QStringLiteral("as"), QStringLiteral("Show which actions this user may take now."), QStringLiteral("USER"));
        parser.addOption(as);
        parser.addPositionalArgument(QStringLiteral("REF"), QStringLiteral("The request reference, e.g. DSR-2026-000123."));
        const Parsed parsed = parseArgs(parser, QStringLiteral("request show"),
            QStringLiteral("Show a request with its history and the actions available now."), rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        if (parser.positionalArguments().size() != 1)
            return usageError(QStringLiteral("request show: give one REF"), QStringLiteral("request show"));
        Result<std::unique_ptr<Session>> session = openSession(parser);
        if (!session)
            return fail(session.error());
        Engine &engine = *(*session)->engine;
        Result<Request> r = engine.request(parser.positionalArguments().constFirst());
        if (!r)
            return fail(r.error());
        Result<QList<AuditEvent>> history = (*session)->store->auditEvents(r->reference);
        if (!history)
            return fail(history.error());
        // The deadline as of today: a pause still open moves it day by day.
        Result<Deadline> deadline = engine.deadlineOf(*r);
        if (!deadline)
            return fail(deadline.error());
        Result<DeadlineStatus> status = engine.statusOf(*r);
        if (!status)
            return fail(status.error());
        Result<QString> regionName = engine.region();
        if (!regionName)
            return fail(regionName.error());
        Result<QList<ActionOffer>> offers = engine.actions(*r, parser.value(as));
        if (!offers)
            return fail(offers.error());
        Result<std::shared_ptr<const WorkflowDefinition>> def = engine.definitionOf(*r);
        if (!def)
            return fail(def.error());
        Result<QList<OutboxMessage>> messages = (*session)->store->outbox(r->reference);
        if (!messages)
            return fail(messages.error());
        Result<QList<ScheduledTimer>> timers = (*session)->store->timers(r->reference);
        if (!timers)
            return fail(timers.error());
        Result<bool> rehearsal = (*session)->store->isRehearsal();
        if (!rehearsal)
            return fail(rehearsal.error());
        if (parser.isSet(json)) {
            QJsonObject o = requestJson(*r);
            o.insert(QStringLiteral("rehearsal"), *rehearsal);
            QJsonArray events;
            for (const AuditEvent &e : *history)
                events.append(eventJson(e));
            o.insert(QStringLiteral("history"), events);
            QJsonArray actions;
            for (const ActionOffer &a : *offers) {
                QJsonArray inputs;
                for (const InputDef &in : a.inputs)
                    inputs.append(inputJson(in));
                QJsonObject action {{QStringLiteral("name"), a.name}, {QStringLiteral("label"), a.label},
                    {QStringLiteral("to"), a.to}, {QStringLiteral("roles"), QJsonArray::fromStringList(a.roles)},
                    {QStringLiteral("inputs"), inputs}};
                if (parser.isSet(as)) {
                    action.insert(QStringLiteral("allowed"), a.allowed);
                    if (!a.allowed)
                        action.insert(QStringLiteral("whyNot"), a.whyNot);
                }
                actions.append(action);
            }
            o.insert(QStringLiteral("actions"), actions);
            o.insert(QStringLiteral("messages"), messagesJson(*messages));
            QJsonArray timerArray;
            for (const ScheduledTimer &t : *timers)
                timerArray.append(QJsonObject {{QStringLiteral("timer"), t.timer}, {QStringLiteral("dueAt"), isoUtc(t.dueAt)},
                    {QStringLiteral("status"), t.status}, {QStringLiteral("outcome"), t.outcome}});
            o.insert(QStringLiteral("timers"), timerArray);
            if (r->purgedAt.isValid())
                o.insert(QStringLiteral("purgedAt"), isoUtc(r->purgedAt));
            QJsonObject deadlineObject = deadlineJson(*deadline, *regionName);
            deadlineObject.insert(QStringLiteral("status"), toString(status->state));
            deadlineObject.insert(QStringLiteral("workingDaysLeft"), status->workingDaysLeft);
            QJsonArray pauses;
            for (const ClockPause &pause : r->pauses)
                pauses.append(
                    QJsonObject {{QStringLiteral("from"), isoDate(pause.from)}, {QStringLiteral("to"), isoDate(pause.to)}});
            deadlineObject.insert(QStringLiteral("pauses"), pauses);
            deadlineObject.insert(QStringLiteral("identityReceived"), isoDate(r->identityReceived));
            deadlineObject.insert(QStringLiteral("feePaid"), isoDate(r->feePaid));
            if (r->extended) {
                deadlineObject.insert(QStringLiteral("extensionReason"), r->extensionReason);
                deadlineObject.insert(QStringLiteral("extensionNoticeSent"), isoDate(r->extensionNoticeOn));
            }
            o.insert(QStringLiteral("deadline"), deadlineObject);
            m_out << jsonText(o);
            return Ok;
        }
        const StateDef *state = (*def)->state(r->state);
        m_out << r->reference << "  " << (*def)->title << (*rehearsal ? "  [REHEARSAL REGISTER]" : "") << Qt::endl;
        m_out << "  State:       " << (state ? state->label : r->state) << " (" << r->state;
        if (state)
            m_out << ", clock " << toString(state->clock);
        m_out << ")" << Qt::endl;
        m_out << "  Received:    " << when(r->received) << " by " << r->channel << Qt::endl;
        // Stored text is printed through printable(): a name or a note from an
        // older register may hold an escape sequence or a line break that
        // would otherwise forge a line of this output or retitle the terminal.
        m_out << "  Requester:   " << printable(r->requester.name);
        for (const QString &contact : {r->requester.email, r->requester.phone, r->requester.postcode})
            if (!contact.isEmpty())
                m_out << ", " << printable(contact);
        m_out << Qt::endl;
        if (r->actingForSubject)
            m_out << "  Subject:     " << printable(r->subject.name) << " (requester is their " << printable(r->relationship)
                  << "; authority " << (r->authorityReceived ? "received" : "not yet received") << ")" << Qt::endl;
        m_out << "  Assignee:    " << (r->assignee.isEmpty() ? QStringLiteral("nobody yet") : printable(r->assignee)) << Qt::endl;
        if (!r->scope.isEmpty())
            m_out << "  Scope:       " << printable(r->scope) << Qt::endl;
        QStringList ids;
        for (const Identifier &id : r->identifiers)
            ids << id.kind + QLatin1Char('=') + printable(id.value);
        m_out << "  Identifiers: " << ids.join(QStringLiteral("; ")) << Qt::endl;
        if (!r->possibleDuplicateOf.isEmpty())
            m_out << "  Possible duplicate of: " << r->possibleDuplicateOf << Qt::endl;
        if (r->identityVerifiedAt.isValid())
            m_out << "  Identity verified: " << when(r->identityVerifiedAt) << Qt::endl;
        if (r->respondedAt.isValid())
            m_out << "  Responded:   " << when(r->respondedAt) << Qt::endl;
        if (r->closedAt.isValid())
            m_out << "  Closed:      " << when(r->closedAt) << Qt::endl;
        if (r->purgedAt.isValid())
            m_out << "  Purged:      " << when(r->purgedAt) << " (personal data deleted under the retention period)" << Qt::endl;
        if (deadline->started)
            m_out << "  Due:         " << DeadlineCalculator::britishDate(deadline->due) << " (" << toString(status->state)
                  << (status->state == DeadlineState::DueSoon || status->state == DeadlineState::OnTrack
                             ? QStringLiteral(", %1 working days left").arg(status->workingDaysLeft)
                             : QString())
                  << "; rules " << deadline->ruleSet << ", " << *regionName << ")" << Qt::endl;
        else
            m_out << "  Due:         not yet: the clock starts when identity or authority evidence arrives (rules "
                  << deadline->ruleSet << ")" << Qt::endl;
        for (const QString &line : deadline->explanation)
            m_out << "               " << line << Qt::endl;
        for (const QString &warning : deadline->warnings)
            m_out << "               Warning: " << warning << Qt::endl;
        if (r->extended)
            m_out << "  Extended:    notice sent " << DeadlineCalculator::britishDate(r->extensionNoticeOn) << ": "
                  << printable(r->extensionReason) << Qt::endl;
        m_out << "  Workflow:    " << r->workflowId << " version " << r->workflowHash.left(12) << ", record version "
              << r->version << Qt::endl;
        m_out << Qt::endl << "History:" << Qt::endl;
        for (const AuditEvent &e : *history) {
            m_out << "  " << when(e.at) << "  " << QStringLiteral("%1").arg(e.action, -22) << " "
                  << QStringLiteral("%1").arg(printable(e.actor), -10);
            if (e.fromState != e.toState)
                m_out << "  " << (e.fromState.isEmpty() ? QStringLiteral("(new)") : e.fromState) << " -> " << e.toState;
            m_out << Qt::endl;
            if (e.payloadPurged) {
                m_out << "      (details purged under the retention policy)" << Qt::endl;
                continue;
            }
            if (e.action != QLatin1String("file")) {
                for (auto it = e.inputs.constBegin(); it != e.inputs.constEnd(); ++it) {
                    // What the engine recorded itself (a bundle's SHA-256 and size) is an object.
                    const QString value = it.value().isObject() || it.value().isArray()
                        ? QString::fromUtf8(QJsonDocument(
                            it.value().isObject() ? QJsonDocument(it.value().toObject()) : QJsonDocument(it.value().toArray()))
                                                .toJson(QJsonDocument::Compact))
                        : it.value().toVariant().toString();
                    m_out << "      " << printable(it.key()) << ": " << printable(value) << Qt::endl;
                }
            }
            if (!e.note.isEmpty())
                m_out << "      note: " << printable(e.note) << Qt::endl;
        }
        if (!r->attachments.isEmpty()) {
            m_out << Qt::endl << "Attachments:" << Qt::endl;
            for (const Attachment &a : r->attachments)
                m_out << "  " << a.id << "  " << printable(a.name) << " (" << a.size << " bytes, " << a.mediaType << ") added by "
                      << printable(a.addedBy) << " " << when(a.addedAt) << Qt::endl;
        }
        Result<QList<CaseItem>> items = (*session)->engine->caseItems(r->reference);
        Result<QList<BundleRecord>> bundles = (*session)->engine->bundles(r->reference);
        if (items && !items->isEmpty()) {
            int pending = 0;
            for (const CaseItem &item : *items)
                pending += item.disposition == CaseItem::kPending ? 1 : 0;
            m_out << Qt::endl
                  << "Case file: " << items->size() << " item(s), " << pending << " not marked yet ('rightsflow item list "
                  << r->reference << "')" << Qt::endl;
        }
        if (bundles && !bundles->isEmpty()) {
            const BundleRecord &last = bundles->constLast();
            const bool current = items && BundleBuilder::caseFileDigest(*items) == last.caseFile;
            m_out << "Last bundle: " << (last.fileName.isEmpty() ? QStringLiteral("(name purged)") : printable(last.fileName))
                  << ", built by " << printable(last.builtBy) << " " << when(last.builtAt) << ", " << last.size
                  << " bytes, sha256 " << last.sha256
                  << (current ? QStringLiteral(" (matches the case file)")
                              : QStringLiteral(" (the case file has changed since: build it again)"))
                  << Qt::endl;
        }
        if (!messages->isEmpty()) {
            m_out << Qt::endl << "Messages:" << Qt::endl;
            for (const OutboxMessage &m : *messages)
                m_out << "  " << m.templateName << " to " << m.recipientRole << " " << printable(m.recipientName) << " by "
                      << m.channel << " (" << m.status << ")" << Qt::endl;
        }
        if (!timers->isEmpty()) {
            m_out << Qt::endl << "Timers:" << Qt::endl;
            for (const ScheduledTimer &t : *timers)
                m_out << "  " << when(t.dueAt) << "  " << QStringLiteral("%1").arg(t.timer, -22) << " " << t.status
                      << (t.outcome.isEmpty() ? QString() : QStringLiteral(": ") + printable(t.outcome)) << Qt::endl;
        }
        m_out << Qt::endl << "Actions available now:" << Qt::endl;
        if (offers->isEmpty())
            m_out << "  none: the request is closed" << Qt::endl;
        for (const ActionOffer &a : *offers) {
            m_out << "  " << QStringLiteral("%1").arg(a.name, -26) << " " << a.label << " [" << a.roles.join(QStringLiteral(", "))
                  << "]";
            if (parser.isSet(as) && !a.allowed)
                m_out << "  (not for " << parser.value(as) << ": " << a.whyNot << ")";
            m_out << Qt::endl;
            for (const InputDef &in : a.inputs)
                m_out << "      --input " << in.name << "=..." << (in.required ? "  (required) " : "  ") << in.label
                      << (in.choices.isEmpty() ? QString() : QStringLiteral(": ") + in.choices.join(QStringLiteral(" | ")))
                      << Qt::endl;
        }
        return Ok;
    }

    if (sub == QLatin1String("act")) {
        const QCommandLineOption as(
            QStringLiteral("as"), QStringLiteral("The user taking the action (required)."), QStringLiteral("USER"));
        const QCommandLineOption input(QStringLiteral("input"),
            QStringLiteral("An input the action needs, key=value. Repeatable."), QStringLiteral("KEY=VALUE"));
        const QCommandLineOption note(
            QStringLiteral("note"), QStringLiteral("A note for the audit trail."), QStringLiteral("TEXT"));
        const QCommandLineOption expect(QStringLiteral("expect-version"),
            QStringLiteral("Refuse with a conflict unless the request is still at this version (as last shown)."),
            QStringLiteral("N"));
        parser.addOptions({as, input, note, expect});
        parser.addPositionalArgument(QStringLiteral("REF"), QStringLiteral("The request reference."));
        parser.addPositionalArgument(QStringLiteral("ACTION"), QStringLiteral("The action, as listed by 'request show'."));
        const Parsed parsed = parseArgs(
            parser, QStringLiteral("request act"), QStringLiteral("Take an action on a request."), rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        if (parser.positionalArguments().size() != 2)
            return usageError(QStringLiteral("request act: give REF and ACTION"), QStringLiteral("request act"));
        if (!parser.isSet(as))
            return usageError(QStringLiteral("request act: --as USER is required: every action is recorded against a user"),
                QStringLiteral("request act"));
        qint64 expected = -1;
        if (parser.isSet(expect)) {
            bool ok = false;
            expected = parser.value(expect).toLongLong(&ok);
            if (!ok || expected < 1)
                return usageError(
                    QStringLiteral("request act: --expect-version '%1' must be a positive number").arg(parser.value(expect)),
                    QStringLiteral("request act"));
        }
        Result<QMap<QString, QString>> inputs = keyValues(parser.values(input), QStringLiteral("input"));
        if (!inputs)
            return fail(inputs.error());
        Result<std::unique_ptr<Session>> session = openSession(parser);
        if (!session)
            return fail(session.error());
        const QStringList pos = parser.positionalArguments();
        Result<FireOutcome> outcome
            = (*session)->engine->fire(pos.at(0), pos.at(1), parser.value(as), *inputs, parser.value(note), expected);
        if (!outcome)
            return fail(outcome.error());
        if (parser.isSet(json)) {
            // The outcome holds what the action touched; show the whole record.
            Result<Request> full = (*session)->engine->request(outcome->request.reference);
            QJsonObject o = requestJson(full ? *full : outcome->request);
            o.insert(QStringLiteral("event"), eventJson(outcome->event));
            o.insert(QStringLiteral("messages"), messagesJson(outcome->queued));
            m_out << jsonText(o);
        } else {
            m_out << outcome->request.reference << ": " << pos.at(1) << " done, " << outcome->event.fromState << " -> "
                  << outcome->event.toState << " (version " << outcome->request.version << ")";
            if (!outcome->queued.isEmpty()) {
                QStringList queued;
                for (const OutboxMessage &m : outcome->queued)
                    queued << m.templateName + QStringLiteral(" to ") + m.recipientRole;
                m_out << "; queued " << queued.join(QStringLiteral(", "));
            }
            m_out << Qt::endl;
        }
        return Ok;
    }

    if (sub == QLatin1String("note")) {
        const QCommandLineOption as(
            QStringLiteral("as"), QStringLiteral("The user writing the note (required)."), QStringLiteral("USER"));
        parser.addOption(as);
        parser.addPositionalArgument(QStringLiteral("REF"), QStringLiteral("The request reference."));
        parser.addPositionalArgument(QStringLiteral("TEXT"), QStringLiteral("The note."));
        const Parsed parsed = parseArgs(
            parser, QStringLiteral("request note"), QStringLiteral("Add a note to a request (audited)."), rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        if (parser.positionalArguments().size() != 2)
            return usageError(QStringLiteral("request note: give REF and TEXT"), QStringLiteral("request note"));
        if (!parser.isSet(as))
            return usageError(QStringLiteral("request note: --as USER is required"), QStringLiteral("request note"));
        Result<std::unique_ptr<Session>> session = openSession(parser);
        if (!session)
            return fail(session.error());
        if (Status s = (*session)->engine->addNote(
                parser.positionalArguments().at(0), parser.value(as), parser.positionalArguments().at(1));
            !s)
            return fail(s.error());
        m_out << "Note added to " << parser.positionalArguments().at(0).toUpper() << Qt::endl;
        return Ok;
    }

    if (sub == QLatin1String("attach")) {
        const QCommandLineOption as(
            QStringLiteral("as"), QStringLiteral("The user attaching it (required)."), QStringLiteral("USER"));
        const QCommandLineOption name(QStringLiteral("name"),
            QStringLiteral("The name to keep it under (default: the file's name)."), QStringLiteral("NAME"));
        parser.addOptions({as, name});
        parser.addPositionalArgument(QStringLiteral("REF"), QStringLiteral("The request reference."));
        parser.addPositionalArgument(QStringLiteral("FILE"),
            QStringLiteral("The document to attach (the request letter, a signed authority...; not identity documents, which are "
                           "seen, not kept)."));
        const Parsed parsed = parseArgs(parser, QStringLiteral("request attach"),
            QStringLiteral(
                "Attach a document to a request; it is kept in the register with its SHA-256 and the action is audited."),
            rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        if (parser.positionalArguments().size() != 2)
            return usageError(QStringLiteral("request attach: give REF and FILE"), QStringLiteral("request attach"));
        if (!parser.isSet(as))
            return usageError(QStringLiteral("request attach: --as USER is required"), QStringLiteral("request attach"));
        const QString path = parser.positionalArguments().at(1);
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return fail(makeError(ErrorCode::NotFound, QStringLiteral("%1: cannot read: %2").arg(path, file.errorString())));
        if (file.size() > Engine::kMaxAttachmentBytes)
            return fail(makeError(ErrorCode::Invalid,
                QStringLiteral("%1: %2 bytes is more than the %3 MiB an attachment may hold")
                    .arg(path)
                    .arg(file.size())
                    .arg(Engine::kMaxAttachmentBytes / (1024 * 1024))));
        const QByteArray content = file.readAll();
        Result<std::unique_ptr<Session>> session = openSession(parser);
        if (!session)
            return fail(session.error());
        Result<Attachment> attached = (*session)->engine->attach(parser.positionalArguments().at(0), parser.value(as),
            parser.isSet(name) ? parser.value(name) : QFileInfo(path).fileName(), content);
        if (!attached)
            return fail(attached.error());
        m_out << "Attached " << printable(attached->name) << " (" << attached->size << " bytes, " << attached->mediaType
              << ", sha256 " << attached->sha256 << ") as attachment " << attached->id << Qt::endl;
        return Ok;
    }

    if (sub == QLatin1String("attachment")) {
        const QCommandLineOption out(QStringLiteral("out"),
            QStringLiteral("Where to write it (required): a new file, or a folder to write REF-attachment-ID.EXT into."),
            QStringLiteral("FILE"));
        parser.addOptions({out, forceOption()});
        parser.addPositionalArgument(QStringLiteral("REF"), QStringLiteral("The request reference."));
        parser.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The attachment number, as 'request show' lists it."));
        const Parsed parsed = parseArgs(parser, QStringLiteral("request attachment"),
            QStringLiteral("Write an attachment of a request to a file, checking its SHA-256 first. An existing file is "
                           "replaced only with --force."),
            rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        bool okId = false;
        const qint64 id = parser.positionalArguments().value(1).toLongLong(&okId);
        if (parser.positionalArguments().size() != 2 || !okId)
            return usageError(
                QStringLiteral("request attachment: give REF and a numeric ID"), QStringLiteral("request attachment"));
        if (!parser.isSet(out))
            return usageError(QStringLiteral("request attachment: --out FILE is required"), QStringLiteral("request attachment"));
        Result<std::unique_ptr<Session>> session = openSession(parser);
        if (!session)
            return fail(session.error());
        Result<ExportedFile> written = (*session)->engine->exportAttachment(
            parser.positionalArguments().at(0), id, parser.value(out), overwriteChoice(parser));
        if (!written)
            return fail(written.error());
        m_out << "Wrote " << printable(written->name) << " to " << printable(QDir::toNativeSeparators(written->path)) << " ("
              << written->size << " bytes, SHA-256 verified)" << Qt::endl;
        return Ok;
    }

    return groupHelpOrUsage(QStringLiteral("request"), sub,
        {QStringLiteral("new"), QStringLiteral("list"), QStringLiteral("show"), QStringLiteral("act"), QStringLiteral("note"),
            QStringLiteral("attach"), QStringLiteral("attachment")});
}

int Cli::cmdAudit(const QStringList &args)
{
    const QString sub = args.value(0);
    QCommandLineParser parser;
    parser.addOption(dbOption());
    const QCommandLineOption json = jsonOption();
    parser.addOption(json);
    if (sub != QLatin1String("verify"))
        return groupHelpOrUsage(QStringLiteral("audit"), sub, {QStringLiteral("verify")});
    const Parsed parsed = parseArgs(parser, QStringLiteral("audit verify"),
        QStringLiteral("Check every audit event against the hash chain. Exits 0 when intact; otherwise 1, "
                       "naming the first event that does not verify."),
        args.mid(1), m_out, m_err);
    if (!parsed.proceed)
        return parsed.exitCode;
    Result<std::unique_ptr<Session>> session = openSession(parser);
    if (!session)
        return fail(session.error());
    Result<AuditVerification> result = (*session)->store->verifyAudit();
    if (!result)
        return fail(result.error());
    if (parser.isSet(json)) {
        m_out << jsonText(QJsonObject {{QStringLiteral("intact"), result->intact},
            {QStringLiteral("eventsChecked"), result->eventsChecked}, {QStringLiteral("firstBadEvent"), result->firstBadSeq},
            {QStringLiteral("problem"), result->problem}, {QStringLiteral("rehearsal"), result->rehearsal}});
    } else if (result->intact) {
        m_out << "Audit trail intact: " << result->eventsChecked << " events verified."
              << (result->rehearsal ? " This is a REHEARSAL register: its clock may have been moved." : "") << Qt::endl;
    }
    if (!result->intact) {
        m_err << "rightsflow: audit trail broken: " << result->problem << Qt::endl;
        return Failed;
    }
    return Ok;
}

int Cli::cmdDemo(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(dbOption());
    parser.addOption(workflowsOption());
    const QCommandLineOption bundles(QStringLiteral("bundles"),
        QStringLiteral("Where the demo writes the response bundle it builds (default: beside a SQLite register, else the "
                       "current folder)."),
        QStringLiteral("DIR"));
    parser.addOption(bundles);
    const Parsed parsed = parseArgs(parser, QStringLiteral("demo"),
        QStringLiteral("Create users and file sample requests of every right, drive them through their "
                       "workflows and print what happens. Use a fresh register: the demo refuses one that "
                       "already holds requests."),
        args, m_out, m_err);
    if (!parsed.proceed)
        return parsed.exitCode;
    // The demo's register is a rehearsal: its clock may be moved to show the timers.
    Result<std::unique_ptr<Session>> session = openSession(parser, true, true);
    if (!session)
        return fail(session.error());
    QString bundleDir = parser.value(bundles);
    if (bundleDir.isEmpty()) {
        const QString location = Register::resolveLocation(parser.value(QStringLiteral("db")));
        bundleDir = PostgresLocation::isPostgresUrl(location) ? QStringLiteral(".") : QFileInfo(location).absolutePath();
    }
    if (!QFileInfo(bundleDir).isDir())
        return fail(makeError(ErrorCode::NotFound, QStringLiteral("--bundles %1: no such folder").arg(bundleDir)));
    Demo demo(*(*session)->engine, m_out, bundleDir);
    if (Status s = demo.run(); !s)
        return fail(s.error());
    const QString location = PostgresLocation::redacted(Register::resolveLocation(parser.value(QStringLiteral("db"))));
    // Name the program as it was started, so the hint can be pasted as it is.
    const QString program = QCoreApplication::instance() ? QCoreApplication::arguments().value(0, kProgram) : kProgram;
    m_out << Qt::endl
          << "Look closer: " << program << " request show " << demo.firstReference() << " --db " << location << Qt::endl
          << "             " << program << " request list --open --db " << location << Qt::endl
          << "             " << program << " item list " << demo.firstReference() << " --db " << location << Qt::endl
          << "             unzip -l " << QDir::toNativeSeparators(demo.bundlePath()) << "   (open README.html in it)" << Qt::endl;
    return Ok;
}

int Cli::cmdDeadline(const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption start(
        QStringLiteral("start"), QStringLiteral("The day the request was received (YYYY-MM-DD)."), QStringLiteral("DATE"));
    const QCommandLineOption identity(
        QStringLiteral("identity"), QStringLiteral("The day identity or authority evidence arrived."), QStringLiteral("DATE"));
    const QCommandLineOption fee(
        QStringLiteral("fee"), QStringLiteral("The day a fee was paid, where one was due."), QStringLiteral("DATE"));
    const QCommandLineOption pause(QStringLiteral("pause"),
        QStringLiteral("Days waiting for clarification, FROM..TO (both counted); FROM.. while still waiting. Repeatable."),
        QStringLiteral("FROM..TO"));
    const QCommandLineOption extend(
        QStringLiteral("extend"), QStringLiteral("The period was extended (by two months under the UK rules)."));
    const QCommandLineOption region(QStringLiteral("region"),
        QStringLiteral("Whose bank holidays: england-and-wales, scotland or northern-ireland (default: $RIGHTSFLOW_REGION, else "
                       "england-and-wales)."),
        QStringLiteral("REGION"));
    const QCommandLineOption rules(QStringLiteral("rules"),
        QStringLiteral("The rule set: uk-gdpr-2026, uk-gdpr-2018, eu-gdpr or ccpa (default: the UK rules in force on --start)."),
        QStringLiteral("ID"));
    const QCommandLineOption today(QStringLiteral("today"),
        QStringLiteral("Where a pause still open ends for now (default: today)."), QStringLiteral("DATE"));
    const QCommandLineOption json = jsonOption();
    parser.addOptions({start, identity, fee, pause, extend, region, rules, today, json});
    const Parsed parsed = parseArgs(parser, QStringLiteral("deadline"),
        QStringLiteral("Work out a statutory due date. Prints the date (YYYY-MM-DD) on the first line, then how it was reached."),
        args, m_out, m_err);
    if (!parsed.proceed)
        return parsed.exitCode;
    if (!parser.isSet(start))
        return usageError(QStringLiteral("deadline: --start DATE is required"), QStringLiteral("deadline"));

    DeadlineInput input;
    const std::pair<QString, QDate *> dates[]
        = {{QStringLiteral("start"), &input.received}, {QStringLiteral("identity"), &input.identityReceived},
            {QStringLiteral("fee"), &input.feePaid}, {QStringLiteral("today"), &input.asOf}};
    for (const auto &[name, target] : dates) {
        Result<QDate> date = dateOption(parser, name);
        if (!date)
            return fail(date.error());
        *target = *date;
    }
    if (!input.asOf.isValid()) {
        Result<std::unique_ptr<Clock>> clock = makeClock();
        if (!clock)
            return fail(clock.error());
        input.asOf = (*clock)->now().toTimeZone(councilTimeZone()).date();
    }
    for (const QString &text : parser.values(pause)) {
        const qsizetype dots = text.indexOf(QStringLiteral(".."));
        const QString fromText = dots < 0 ? QString() : text.left(dots).trimmed();
        const QString toText = dots < 0 ? QString() : text.mid(dots + 2).trimmed();
        if (dots < 0)
            return fail(makeError(
                ErrorCode::Invalid, QStringLiteral("--pause '%1': expected FROM..TO or FROM.. (dates YYYY-MM-DD)").arg(text)));
        const QString field = QStringLiteral("--pause '%1'").arg(text);
        Result<QDate> from = parsePersonDate(fromText, field);
        if (!from)
            return fail(from.error());
        Result<QDate> until = toText.isEmpty() ? Result<QDate>(QDate()) : parsePersonDate(toText, field);
        if (!until)
            return fail(until.error());
        const QDate to = *until;
        if (to.isValid() && to < *from)
            return fail(makeError(ErrorCode::Invalid, QStringLiteral("--pause '%1': ends before it starts").arg(text)));
        input.pauses.append(ClockPause {*from, to});
    }
    input.extended = parser.isSet(extend);

    const DeadlineRuleBook &book = DeadlineRuleBook::shipped();
    const DeadlineRuleSet *ruleSet
        = parser.isSet(rules) ? book.byId(parser.value(rules)) : book.inForce(QStringLiteral("uk"), input.received);
    if (!ruleSet) {
        QStringList ids;
        for (const DeadlineRuleSet &r : book.all())
            ids << r.id;
        return fail(makeError(ErrorCode::Invalid,
            parser.isSet(rules) ? QStringLiteral("--rules: unknown rule set '%1'; use one of %2")
                                      .arg(parser.value(rules), ids.join(QStringLiteral(", ")))
                                : QStringLiteral("--start: no UK rule set applies to %1 (the first starts on 25 May 2018)")
                                      .arg(isoDate(input.received))));
    }
    const QString regionName = parser.isSet(region) ? parser.value(region) : defaultRegion();
    Result<WorkingCalendar> calendar = BankHolidays::shipped().region(regionName);
    if (!calendar)
        return fail(calendar.error());
    const Deadline deadline = DeadlineCalculator::compute(*ruleSet, *calendar, input);
    if (parser.isSet(json)) {
        m_out << jsonText(deadlineJson(deadline, regionName));
        return Ok;
    }
    m_out << (deadline.started ? isoDate(deadline.due) : QStringLiteral("not started")) << Qt::endl;
    for (const QString &line : deadline.explanation)
        m_out << line << Qt::endl;
    for (const QString &warning : deadline.warnings)
        m_err << "rightsflow: warning: " << warning << Qt::endl;
    return Ok;
}

int Cli::cmdCalendar(const QStringList &args)
{
    const QString sub = args.value(0);
    const QStringList rest = args.mid(1);
    QCommandLineParser parser;
    parser.addOption(dbOption());
    const QCommandLineOption json = jsonOption();
    const QCommandLineOption as(
        QStringLiteral("as"), QStringLiteral("The admin making the change (required)."), QStringLiteral("USER"));

    if (sub == QLatin1String("show")) {
        const QCommandLineOption region(QStringLiteral("region"),
            QStringLiteral(
                "england-and-wales, scotland or northern-ireland (default: the register's region, else $RIGHTSFLOW_REGION, "
                "else england-and-wales)."),
            QStringLiteral("REGION"));
        parser.addOptions({region, json});
        parser.addPositionalArgument(QStringLiteral("YEAR"), QStringLiteral("The year, e.g. 2026."));
        const Parsed parsed = parseArgs(parser, QStringLiteral("calendar show"),
            QStringLiteral(
                "List the bank holidays of a year: the register's calendar when there is a register, else the shipped one."),
            rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        bool ok = false;
        const int year = parser.positionalArguments().value(0).toInt(&ok);
        if (parser.positionalArguments().size() != 1 || !ok)
            return usageError(QStringLiteral("calendar show: give one YEAR"), QStringLiteral("calendar show"));
        // The register's calendar and region when there is a register to ask.
        QString regionName = parser.isSet(region) ? parser.value(region) : defaultRegion();
        std::optional<BankHolidays> holidays;
        const QString location = Register::resolveLocation(parser.value(QStringLiteral("db")));
        if (PostgresLocation::isPostgresUrl(location) || QFileInfo::exists(location)) {
            Result<std::unique_ptr<Session>> session = openSession(parser);
            if (!session)
                return fail(session.error());
            if (!parser.isSet(region)) {
                Result<QString> stored = (*session)->engine->region();
                if (!stored)
                    return fail(stored.error());
                regionName = *stored;
            }
            Result<QString> hash = (*session)->store->setting(QStringLiteral("calendar"));
            if (hash && !hash->isEmpty()) {
                Result<QByteArray> content = (*session)->store->calendarContent(*hash);
                if (!content)
                    return fail(content.error());
                Result<BankHolidays> parsedHolidays = BankHolidays::parse(*content, QStringLiteral("the register's calendar"));
                if (!parsedHolidays)
                    return fail(parsedHolidays.error());
                holidays = *parsedHolidays;
            }
        }
        Result<WorkingCalendar> calendar = (holidays ? *holidays : BankHolidays::shipped()).region(regionName);
        if (!calendar)
            return fail(calendar.error());
        if (year < calendar->firstYear() || year > calendar->lastYear())
            return fail(makeError(ErrorCode::NotFound,
                QStringLiteral("the %1 calendar holds %2 to %3, not %4")
                    .arg(regionName)
                    .arg(calendar->firstYear())
                    .arg(calendar->lastYear())
                    .arg(year)));
        QJsonArray array;
        for (const BankHoliday &h : calendar->holidaysIn(year)) {
            array.append(QJsonObject {{QStringLiteral("date"), isoDate(h.date)}, {QStringLiteral("title"), h.title},
                {QStringLiteral("notes"), h.notes}});
            if (!parser.isSet(json))
                m_out << isoDate(h.date) << "  " << h.date.toString(QStringLiteral("ddd")) << "  " << h.title
                      << (h.notes.isEmpty() ? QString() : QStringLiteral(" (") + h.notes + QLatin1Char(')')) << Qt::endl;
        }
        if (parser.isSet(json))
            m_out << jsonText(array);
        return Ok;
    }

    if (sub == QLatin1String("import") || sub == QLatin1String("region")) {
        parser.addOption(as);
        const bool import = sub == QLatin1String("import");
        parser.addPositionalArgument(import ? QStringLiteral("FILE") : QStringLiteral("REGION"),
            import ? QStringLiteral("A bank holidays file in the GOV.UK format (bank-holidays.json).")
                   : QStringLiteral("england-and-wales, scotland or northern-ireland."));
        const Parsed parsed = parseArgs(parser, QStringLiteral("calendar ") + sub,
            import
                ? QStringLiteral("Use a newer bank holidays file for this register and recompute the due dates of open requests. "
                                 "A malformed file is refused and the calendar in use stays.")
                : QStringLiteral(
                    "Choose whose bank holidays count for this council and recompute the due dates of open requests."),
            rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        if (parser.positionalArguments().size() != 1)
            return usageError(
                QStringLiteral("calendar %1: give one %2").arg(sub, import ? QStringLiteral("FILE") : QStringLiteral("REGION")),
                QStringLiteral("calendar ") + sub);
        if (!parser.isSet(as))
            return usageError(QStringLiteral("calendar %1: --as ADMIN is required").arg(sub), QStringLiteral("calendar ") + sub);
        const QString argument = parser.positionalArguments().constFirst();
        QByteArray content;
        if (import) {
            Result<QByteArray> read = readInputFile(argument, InputKind::Calendar);
            if (!read)
                return fail(read.error());
            content = *read;
        }
        Result<std::unique_ptr<Session>> session = openSession(parser);
        if (!session)
            return fail(session.error());
        Result<int> changed = import
            ? (*session)->engine->importCalendar(content, QFileInfo(argument).fileName(), parser.value(as))
            : (*session)->engine->setRegion(argument, parser.value(as));
        if (!changed)
            return fail(changed.error());
        m_out << (import ? QStringLiteral("Imported %1").arg(argument) : QStringLiteral("Region is now %1").arg(argument)) << "; "
              << *changed << (*changed == 1 ? " open request has" : " open requests have") << " a new due date" << Qt::endl;
        return Ok;
    }
    return groupHelpOrUsage(
        QStringLiteral("calendar"), sub, {QStringLiteral("show"), QStringLiteral("import"), QStringLiteral("region")});
}

} // namespace rf
