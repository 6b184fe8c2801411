// SPDX-License-Identifier: GPL-3.0-or-later
// rightsflow mail: checking the council's mail relay before notices go through it.
#include "Cli.h"
#include "CliSupport.h"

#include "delivery/PlainMessage.h"
#include "mail/MimeMessage.h"
#include "mail/SmtpClient.h"

#include <QHostInfo>
#include <QUuid>

namespace rf {

using namespace cli;

int Cli::cmdMail(const QStringList &args)
{
    const QString sub = args.value(0);
    const QStringList rest = args.mid(1);
    if (sub != QLatin1String("test"))
        return groupHelpOrUsage(QStringLiteral("mail"), sub, {QStringLiteral("test")});
    QCommandLineParser parser;
    const QCommandLineOption to(
        QStringLiteral("to"), QStringLiteral("Who receives the test message (required)."), QStringLiteral("ADDRESS"));
    const QCommandLineOption smtp(QStringLiteral("smtp"),
        QStringLiteral("The relay, as a URL (default: $RIGHTSFLOW_SMTP_URL): smtp://relay.example:25?starttls=required, "
                       "smtps://user:secret@relay.example:465, smtp://127.0.0.1:2525?starttls=none. Options: starttls, "
                       "allow-self-signed, pin=sha256:HEX, timeout, helo, auth-in-clear=yes-i-know. A user and password "
                       "are never sent over an unencrypted session (not even to loopback) unless the URL says "
                       "auth-in-clear=yes-i-know."),
        QStringLiteral("URL"));
    parser.addOptions({to, smtp});
    const Parsed parsed = parseArgs(parser, QStringLiteral("mail test"),
        QStringLiteral("Send a test message through the configured relay, from $RIGHTSFLOW_MAIL_FROM, and say what the relay "
                       "answered. Nothing is written to the register."),
        rest, m_out, m_err);
    if (!parsed.proceed)
        return parsed.exitCode;
    if (!parser.positionalArguments().isEmpty())
        return usageError(
            QStringLiteral("mail test takes no arguments (the recipient is --to ADDRESS)"), QStringLiteral("mail test"));
    if (!parser.isSet(to))
        return usageError(QStringLiteral("mail test: --to ADDRESS is required"), QStringLiteral("mail test"));
    const QString url = parser.isSet(smtp) ? parser.value(smtp) : qEnvironmentVariable("RIGHTSFLOW_SMTP_URL");
    if (url.isEmpty())
        return usageError(
            QStringLiteral("mail test: no relay: give --smtp URL or set RIGHTSFLOW_SMTP_URL"), QStringLiteral("mail test"));
    Result<SmtpSettings> settings = SmtpSettings::fromUrl(url);
    if (!settings)
        return fail(settings.error());

    const MailIdentity identity = MailIdentity::fromEnvironment();
    const QString domain = identity.fromAddress.section(QLatin1Char('@'), 1);
    MailMessage message;
    message.from = MailAddress {identity.fromName, identity.fromAddress};
    message.to = {MailAddress {QString(), parser.value(to).trimmed()}};
    message.subject = QStringLiteral("Rightsflow: test message");
    message.date = QDateTime::currentDateTime();
    message.messageId = QStringLiteral("test.%1@%2")
                            .arg(QUuid::createUuid().toString(QUuid::WithoutBraces),
                                domain.isEmpty() ? QStringLiteral("rightsflow.invalid") : domain);
    message.text = QStringLiteral("This is a test message from Rightsflow, sent from %1 through %2 at %3.\n\n"
                                  "If it reached you, notices to requesters and officers can use this relay.\n")
                       .arg(QHostInfo::localHostName(), settings->describe(), when(QDateTime::currentDateTimeUtc()));
    Result<QByteArray> bytes = MimeWriter::render(message);
    if (!bytes)
        return fail(bytes.error());
    SmtpClient client(*settings);
    const SmtpOutcome outcome = client.send(identity.fromAddress, {parser.value(to).trimmed()}, *bytes);
    switch (outcome.kind) {
    case SmtpOutcome::Kind::Sent:
        m_out << "Sent a test message to " << printable(parser.value(to).trimmed()) << " through " << settings->describe() << ": "
              << printable(outcome.detail) << Qt::endl;
        return Ok;
    case SmtpOutcome::Kind::Temporary:
        m_err << kProgram
              << ": mail test: not sent, a temporary failure (the worker would try again later): " << printable(outcome.detail)
              << Qt::endl;
        return Failed;
    case SmtpOutcome::Kind::Permanent:
        m_err << kProgram
              << ": mail test: not sent, refused for good (the worker would park such a message): " << printable(outcome.detail)
              << Qt::endl;
        return Failed;
    }
    return Failed;
}

} // namespace rf
