// SPDX-License-Identifier: GPL-3.0-or-later
// rightsflow worker, outbox and retention: running the register unattended.
#include "Cli.h"
#include "CliSupport.h"

#include "delivery/FileDropSender.h"
#include "mail/NoticeMail.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonObject>
#include <QThread>

#include <atomic>
#include <csignal>
#include <optional>

namespace rf {

using namespace cli;

namespace {

std::atomic<bool> g_stopRequested {false};

extern "C" void requestStop(int)
{
    g_stopRequested = true;
}

QJsonObject messageJson(const OutboxMessage &m)
{
    return QJsonObject {{QStringLiteral("id"), m.id}, {QStringLiteral("reference"), m.reference},
        {QStringLiteral("template"), m.templateName}, {QStringLiteral("to"), m.recipientRole},
        {QStringLiteral("recipient"), m.recipientName}, {QStringLiteral("address"), m.recipientAddress},
        {QStringLiteral("channel"), m.channel}, {QStringLiteral("status"), m.status}, {QStringLiteral("attempts"), m.attempts},
        {QStringLiteral("createdAt"), isoUtc(m.createdAt)},
        {QStringLiteral("nextAttemptAt"), m.status == QLatin1String("queued") ? isoUtc(m.nextAttemptAt) : QString()},
        {QStringLiteral("sentAt"), m.sentAt.isValid() ? isoUtc(m.sentAt) : QString()}, {QStringLiteral("lastError"), m.lastError},
        {QStringLiteral("idempotencyKey"), m.idempotencyKey}, {QStringLiteral("payload"), m.payload}};
}

} // namespace

int Cli::cmdWorker(const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption once(QStringLiteral("once"), QStringLiteral("Do one sweep and exit (for cron and tests)."));
    const QCommandLineOption interval(QStringLiteral("interval"),
        QStringLiteral("Seconds between sweeps when running continuously (default 60)."), QStringLiteral("SECONDS"),
        QStringLiteral("60"));
    const QCommandLineOption dropDir(QStringLiteral("drop-dir"),
        QStringLiteral("Deliver queued messages as .eml files into this folder, one subfolder per channel "
                       "(default: $RIGHTSFLOW_DROP_DIR; without either, messages stay queued)."),
        QStringLiteral("DIR"));
    const QCommandLineOption batch(QStringLiteral("batch"),
        QStringLiteral("At most this many timers, messages and purges per sweep (default 1000)."), QStringLiteral("N"),
        QStringLiteral("1000"));
    const QCommandLineOption maxAttempts(QStringLiteral("max-attempts"),
        QStringLiteral("Delivery attempts before a message is parked (default 8)."), QStringLiteral("N"), QStringLiteral("8"));
    const QCommandLineOption smtp(QStringLiteral("smtp"),
        QStringLiteral("Send e-mail notices through this relay (default: $RIGHTSFLOW_SMTP_URL), e.g. "
                       "smtp://relay.example:25?starttls=required; see 'rightsflow mail test --help'. Credentials are "
                       "never sent unencrypted unless the URL says auth-in-clear=yes-i-know. Letters, calls and "
                       "staff notices without e-mail still go to --drop-dir."),
        QStringLiteral("URL"));
    const QCommandLineOption templates(QStringLiteral("templates"),
        QStringLiteral("The council's own notice templates (default: $RIGHTSFLOW_TEMPLATES, else the shipped ones)."),
        QStringLiteral("DIR"));
    parser.addOptions({dbOption(), once, interval, dropDir, batch, maxAttempts, smtp, templates, processingRegisterOption()});
    const Parsed parsed = parseArgs(parser, QStringLiteral("worker"),
        QStringLiteral("Run the register's background work: fire the workflows' timers (lapsed evidence, reminders, "
                       "escalations), deliver queued messages with retries, and purge closed requests past the retention "
                       "period. Several workers may run at once on a PostgreSQL register; each timer and message goes to one "
                       "of them. Stops cleanly on SIGINT or SIGTERM."),
        args, m_out, m_err);
    if (!parsed.proceed)
        return parsed.exitCode;
    bool ok = false;
    const int seconds = parser.value(interval).toInt(&ok);
    if (!ok || seconds < 1 || seconds > 86400)
        return usageError(
            QStringLiteral("worker: --interval '%1' is not a number of seconds from 1 to 86400").arg(parser.value(interval)),
            QStringLiteral("worker"));
    const int limit = parser.value(batch).toInt(&ok);
    if (!ok || limit < 1)
        return usageError(
            QStringLiteral("worker: --batch '%1' is not a positive number").arg(parser.value(batch)), QStringLiteral("worker"));
    DeliveryPolicy policy;
    policy.maxAttempts = parser.value(maxAttempts).toInt(&ok);
    if (!ok || policy.maxAttempts < 1 || policy.maxAttempts > 100)
        return usageError(
            QStringLiteral("worker: --max-attempts '%1' is not a number from 1 to 100").arg(parser.value(maxAttempts)),
            QStringLiteral("worker"));
    const QString drop = parser.isSet(dropDir) ? parser.value(dropDir) : qEnvironmentVariable("RIGHTSFLOW_DROP_DIR");

    const QString relay = parser.isSet(smtp) ? parser.value(smtp) : qEnvironmentVariable("RIGHTSFLOW_SMTP_URL");
    // Everything e-mail needs is checked before the first sweep: a template
    // with an unknown placeholder stops the worker here, not a sent notice.
    std::shared_ptr<const NoticeComposer> composer;
    std::optional<SmtpSettings> relaySettings;
    if (!relay.isEmpty()) {
        Result<SmtpSettings> settings = SmtpSettings::fromUrl(relay);
        if (!settings)
            return fail(settings.error());
        relaySettings = *settings;
        const QString dir = parser.isSet(templates) ? parser.value(templates) : qEnvironmentVariable("RIGHTSFLOW_TEMPLATES");
        Result<NoticeTemplates> notices = dir.isEmpty() ? NoticeTemplates::shipped() : NoticeTemplates::load(dir);
        if (!notices)
            return fail(notices.error());
        Result<ProcessingRegister> council = loadProcessingRegister(parser);
        if (!council)
            return fail(council.error());
        composer = std::make_shared<NoticeComposer>(*notices, *council, MailIdentity::fromEnvironment());
    }

    Result<std::unique_ptr<Session>> opened = openSession(parser);
    if (!opened)
        return fail(opened.error());
    Session &session = **opened;
    // Every notice the workflows in use can send must have its template.
    if (composer) {
        const NoticeTemplates &notices = composer->templates();
        QStringList missing;
        auto need = [&](const QString &workflow, const QString &name) {
            if (!name.isEmpty() && !notices.contains(name) && !missing.contains(name))
                missing << QStringLiteral("%1 (workflow %2)").arg(name, workflow);
        };
        for (const WorkflowDefinition &def : session.library.all()) {
            for (const TransitionDef &t : def.transitions) {
                for (const StepRef &step : t.effects) {
                    if (step.name == QLatin1String("notify"))
                        need(def.id, step.params.value(QStringLiteral("template")).toString());
                }
            }
            for (const TimerDef &timer : def.timers)
                need(def.id, timer.notifyTemplate);
        }
        if (!missing.isEmpty())
            return fail(makeError(ErrorCode::Invalid,
                QStringLiteral("worker: the workflows send notices that have no template; add them to the templates folder"),
                missing));
    }
    std::shared_ptr<Sender> sender;
    if (!drop.isEmpty())
        sender = std::make_shared<FileDropSender>(drop, MailIdentity::fromEnvironment(), *session.clock);
    if (relaySettings)
        sender = std::make_shared<SmtpSender>(*relaySettings, composer, *session.clock, sender, session.store.get());
    m_out << "worker: " << session.store->describe() << "; delivery: "
          << (sender ? sender->describe()
                     : QStringLiteral("off (no --smtp or --drop-dir, nor $RIGHTSFLOW_SMTP_URL or $RIGHTSFLOW_DROP_DIR): "
                                      "messages stay queued"))
          << Qt::endl;

    if (!parser.isSet(once)) {
        std::signal(SIGINT, requestStop);
        std::signal(SIGTERM, requestStop);
    }
    for (;;) {
        Result<TimerSweep> timers = session.engine->runDueTimers(limit);
        if (!timers)
            return fail(timers.error());
        for (const QString &line : timers->lines)
            m_out << "  timer " << printable(line) << Qt::endl;
        DeliverySweep delivered;
        if (sender) {
            Result<DeliverySweep> sweep = deliverDue(*session.store, *sender, *session.clock, policy, limit);
            if (!sweep)
                return fail(sweep.error());
            delivered = *sweep;
            for (const QString &line : delivered.lines)
                m_out << "  " << printable(line) << Qt::endl;
        }
        Result<PurgeSweep> purged = session.engine->purgeExpired(limit);
        if (!purged)
            return fail(purged.error());
        for (const QString &line : purged->lines)
            m_out << "  retention " << printable(line) << Qt::endl;
        // Running as a service, a quiet sweep writes nothing to the journal.
        const bool quiet = timers->fired + timers->cancelled + timers->deferred + timers->failed + delivered.sent
                + delivered.retrying + delivered.parked + purged->purged
            == 0;
        if (parser.isSet(once) || !quiet)
            m_out << "sweep at " << when(session.clock->now()) << ": " << timers->fired << " timer(s) fired, "
                  << timers->cancelled << " cancelled, " << timers->deferred << " deferred"
                  << (timers->failed ? QStringLiteral(", %1 failed").arg(timers->failed) : QString()) << "; " << delivered.sent
                  << " message(s) sent, " << delivered.retrying << " to retry, " << delivered.parked << " parked; "
                  << purged->purged << " request(s) purged"
                  << (purged->retentionMonths == 0 ? QStringLiteral(" (no retention period set)") : QString()) << Qt::endl;
        if (parser.isSet(once) || g_stopRequested)
            break;
        for (int waited = 0; waited < seconds * 10 && !g_stopRequested; ++waited)
            QThread::msleep(100);
        if (g_stopRequested)
            break;
    }
    if (g_stopRequested)
        m_out << "worker: stopped" << Qt::endl;
    return Ok;
}

int Cli::cmdOutbox(const QStringList &args)
{
    const QString sub = args.value(0);
    const QStringList rest = args.mid(1);
    QCommandLineParser parser;
    parser.addOption(dbOption());
    const QCommandLineOption json = jsonOption();
    if (sub == QLatin1String("list")) {
        const QCommandLineOption status(QStringLiteral("status"),
            QStringLiteral("Only messages with this status: queued, sent or parked."), QStringLiteral("STATUS"));
        const QCommandLineOption limit(QStringLiteral("limit"), QStringLiteral("At most this many (default 100)."),
            QStringLiteral("N"), QStringLiteral("100"));
        parser.addOptions({status, limit, json});
        const Parsed parsed = parseArgs(parser, QStringLiteral("outbox list"),
            QStringLiteral("List the messages actions and timers queued, oldest first, with their delivery status. Parked "
                           "messages kept failing or failed for good: see why with 'outbox show ID' and send them again with "
                           "'outbox retry ID'."),
            rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        static const QStringList statuses {QStringLiteral("queued"), QStringLiteral("sent"), QStringLiteral("parked")};
        if (parser.isSet(status) && !statuses.contains(parser.value(status)))
            return usageError(
                QStringLiteral("outbox list: --status '%1' is not one of queued, sent, parked").arg(parser.value(status)),
                QStringLiteral("outbox list"));
        bool ok = false;
        const int n = parser.value(limit).toInt(&ok);
        if (!ok || n < 1)
            return usageError(QStringLiteral("outbox list: --limit '%1' is not a positive number").arg(parser.value(limit)),
                QStringLiteral("outbox list"));
        Result<std::unique_ptr<Session>> session = openSession(parser);
        if (!session)
            return fail(session.error());
        Result<QList<OutboxMessage>> messages = (*session)->store->outboxByStatus(parser.value(status), n);
        if (!messages)
            return fail(messages.error());
        if (parser.isSet(json)) {
            QJsonArray array;
            for (const OutboxMessage &m : *messages)
                array.append(messageJson(m));
            m_out << jsonText(array);
            return Ok;
        }
        if (messages->isEmpty())
            m_out << "No messages" << (parser.isSet(status) ? QStringLiteral(" ") + parser.value(status) : QString()) << Qt::endl;
        for (const OutboxMessage &m : *messages) {
            m_out << QStringLiteral("%1  %2  %3  %4 to %5 by %6  attempts %7")
                         .arg(m.id, 6)
                         .arg(m.status, -6)
                         .arg(m.reference, m.templateName, m.recipientRole, m.channel)
                         .arg(m.attempts);
            if (m.status == QLatin1String("sent"))
                m_out << "  sent " << when(m.sentAt);
            else if (m.status == QLatin1String("queued") && m.attempts > 0)
                m_out << "  next " << when(m.nextAttemptAt);
            if (!m.lastError.isEmpty() && m.status != QLatin1String("sent"))
                m_out << "  (" << printable(m.lastError) << ")";
            m_out << Qt::endl;
        }
        return Ok;
    }
    if (sub == QLatin1String("show") || sub == QLatin1String("retry")) {
        const bool retry = sub == QLatin1String("retry");
        const QCommandLineOption as(
            QStringLiteral("as"), QStringLiteral("The user doing it (an officer, the DPO or an admin)."), QStringLiteral("USER"));
        if (retry)
            parser.addOption(as);
        else
            parser.addOption(json);
        parser.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The message's id, from 'outbox list'."));
        const Parsed parsed = parseArgs(parser, QStringLiteral("outbox ") + sub,
            retry ? QStringLiteral("Send a parked message again: it goes back to the queue for the worker's next sweep, with "
                                   "its attempts counted afresh. Audited.")
                  : QStringLiteral("Show one message: to whom, by which channel, its status, attempts and last error."),
            rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        bool ok = false;
        const qint64 id = parser.positionalArguments().value(0).toLongLong(&ok);
        if (parser.positionalArguments().size() != 1 || !ok)
            return usageError(QStringLiteral("outbox %1: give one message ID").arg(sub), QStringLiteral("outbox ") + sub);
        if (retry && !parser.isSet(as))
            return usageError(QStringLiteral("outbox retry: --as USER is required"), QStringLiteral("outbox retry"));
        Result<std::unique_ptr<Session>> session = openSession(parser);
        if (!session)
            return fail(session.error());
        if (retry) {
            if (Status s = (*session)->engine->retryMessage(id, parser.value(as)); !s)
                return fail(s.error());
            m_out << "Message " << id << " is queued again" << Qt::endl;
            return Ok;
        }
        Result<OutboxMessage> message = (*session)->store->outboxMessage(id);
        if (!message)
            return fail(message.error());
        if (parser.isSet(json)) {
            m_out << jsonText(messageJson(*message));
            return Ok;
        }
        const OutboxMessage &m = *message;
        m_out << "Message " << m.id << " (" << m.idempotencyKey << ")" << Qt::endl
              << "  request:   " << m.reference << Qt::endl
              << "  notice:    " << m.templateName << Qt::endl
              << "  to:        " << printable(m.recipientName) << " (" << m.recipientRole << ") by " << m.channel << ": "
              << printable(m.recipientAddress) << Qt::endl
              << "  status:    " << m.status << ", " << m.attempts << " attempt(s)" << Qt::endl
              << "  queued:    " << when(m.createdAt) << Qt::endl;
        if (m.sentAt.isValid())
            m_out << "  sent:      " << when(m.sentAt) << Qt::endl;
        else if (m.status == QLatin1String("queued"))
            m_out << "  next try:  " << when(m.nextAttemptAt) << Qt::endl;
        if (!m.lastError.isEmpty())
            m_out << "  last error: " << printable(m.lastError) << Qt::endl;
        return Ok;
    }
    return groupHelpOrUsage(
        QStringLiteral("outbox"), sub, {QStringLiteral("list"), QStringLiteral("show"), QStringLiteral("retry")});
}

int Cli::cmdRetention(const QStringList &args)
{
    const QString sub = args.value(0);
    const QStringList rest = args.mid(1);
    QCommandLineParser parser;
    parser.addOption(dbOption());
    if (sub == QLatin1String("show")) {
        const Parsed parsed = parseArgs(parser, QStringLiteral("retention show"),
            QStringLiteral("How long closed requests are kept before the worker purges their personal data."), rest, m_out,
            m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        Result<std::unique_ptr<Session>> session = openSession(parser);
        if (!session)
            return fail(session.error());
        Result<int> months = (*session)->engine->retentionMonths();
        if (!months)
            return fail(months.error());
        if (*months == 0)
            m_out << "No retention period is set: closed requests are kept until an admin sets one "
                     "('rightsflow retention set MONTHS --as ADMIN')."
                  << Qt::endl;
        else
            m_out << "Closed requests are kept " << *months << " months after they close; then the worker deletes their "
                  << "personal data and keeps anonymous statistics and a purge record." << Qt::endl;
        return Ok;
    }
    if (sub == QLatin1String("set")) {
        const QCommandLineOption as(QStringLiteral("as"), QStringLiteral("The admin setting it."), QStringLiteral("ADMIN"));
        parser.addOption(as);
        parser.addPositionalArgument(QStringLiteral("MONTHS"), QStringLiteral("Months after closure, 12 to 240 (e.g. 24, 72)."));
        const Parsed parsed = parseArgs(parser, QStringLiteral("retention set"),
            QStringLiteral("Set how many months closed requests are kept before the worker purges their personal data. Audited."),
            rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        bool ok = false;
        const int months = parser.positionalArguments().value(0).toInt(&ok);
        if (parser.positionalArguments().size() != 1 || !ok)
            return usageError(QStringLiteral("retention set: give one number of MONTHS"), QStringLiteral("retention set"));
        if (!parser.isSet(as))
            return usageError(QStringLiteral("retention set: --as ADMIN is required"), QStringLiteral("retention set"));
        Result<std::unique_ptr<Session>> session = openSession(parser);
        if (!session)
            return fail(session.error());
        if (Status s = (*session)->engine->setRetentionMonths(months, parser.value(as)); !s)
            return fail(s.error());
        m_out << "Closed requests are now kept " << months << " months" << Qt::endl;
        return Ok;
    }
    return groupHelpOrUsage(QStringLiteral("retention"), sub, {QStringLiteral("show"), QStringLiteral("set")});
}

} // namespace rf
