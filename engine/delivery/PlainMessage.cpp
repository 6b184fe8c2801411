// SPDX-License-Identifier: GPL-3.0-or-later
#include "PlainMessage.h"

#include "core/Clock.h"
#include "mail/MimeMessage.h"

#include <QJsonObject>
#include <QRegularExpression>

namespace rf {

namespace {

bool plainAscii(const QString &text)
{
    for (const QChar c : text) {
        if (c.unicode() < 0x20 || c.unicode() > 0x7e)
            return false;
    }
    return true;
}

// Header values never carry a line break: a name or subject from a form
// cannot add headers of its own.
QString oneLine(QString text)
{
    static const QRegularExpression breaks(QStringLiteral("[\\r\\n\\t]+"));
    return text.replace(breaks, QStringLiteral(" ")).trimmed();
}

QByteArray mailbox(const QString &name, const QString &address)
{
    // Quotes and backslashes would end or escape the quoted name early.
    const QString cleanName = oneLine(name).remove(QLatin1Char('"')).remove(QLatin1Char('\\'));
    if (cleanName.isEmpty())
        return oneLine(address).toUtf8();
    const QByteArray shown = plainAscii(cleanName) ? '"' + cleanName.toUtf8() + '"' : encodedWord(cleanName);
    return shown + " <" + oneLine(address).toUtf8() + '>';
}

QString subjectOf(const OutboxMessage &message)
{
    QString title = message.templateName;
    title.replace(QLatin1Char('-'), QLatin1Char(' '));
    if (!title.isEmpty())
        title[0] = title.at(0).toUpper();
    return QStringLiteral("%1: your request %2").arg(title, message.reference);
}

QString bodyOf(const OutboxMessage &message)
{
    const QJsonObject payload = message.payload;
    QStringList lines;
    const QString name = oneLine(message.recipientName);
    lines << QStringLiteral("Dear %1,").arg(name.isEmpty() ? QStringLiteral("colleague") : name) << QString();
    if (message.recipientRole == QLatin1String("requester")) {
        lines << QStringLiteral("This is about your request %1 to the council (%2), received %3.")
                     .arg(message.reference, payload.value(QStringLiteral("right")).toString(),
                         parseIsoDateTime(payload.value(QStringLiteral("received")).toString())
                             .toTimeZone(councilTimeZone())
                             .date()
                             .toString(Qt::ISODate));
    } else {
        lines << QStringLiteral("Request %1 (%2) needs your attention: %3.")
                     .arg(message.reference, payload.value(QStringLiteral("right")).toString(), message.templateName);
    }
    const QJsonObject inputs = payload.value(QStringLiteral("inputs")).toObject();
    if (!inputs.isEmpty()) {
        lines << QString();
        for (auto it = inputs.constBegin(); it != inputs.constEnd(); ++it)
            lines << QStringLiteral("%1: %2").arg(it.key(), it.value().toVariant().toString());
    }
    lines << QString() << QStringLiteral("Notice: %1").arg(message.templateName)
          << QStringLiteral("Please quote %1 in any reply.").arg(message.reference);
    // Every line ends in CRLF, whatever the inputs held, and none is longer
    // than the 998 octets a mail line may have.
    QString text = lines.join(QLatin1Char('\n'));
    text.replace(QStringLiteral("\r\n"), QStringLiteral("\n")).replace(QLatin1Char('\r'), QLatin1Char('\n'));
    QStringList out;
    for (const QString &line : text.split(QLatin1Char('\n'))) {
        QString rest = line;
        while (rest.toUtf8().size() > 900) {
            // 300 UTF-16 units are at most 900 octets of UTF-8; never split a surrogate pair.
            qsizetype cut = 300;
            if (rest.at(cut - 1).isHighSurrogate())
                --cut;
            out << rest.left(cut);
            rest = rest.mid(cut);
        }
        out << rest;
    }
    return out.join(QStringLiteral("\r\n")) + QStringLiteral("\r\n");
}

} // namespace

MailIdentity MailIdentity::fromEnvironment()
{
    MailIdentity identity;
    const QString from = qEnvironmentVariable("RIGHTSFLOW_MAIL_FROM").trimmed();
    static const QRegularExpression named(QStringLiteral("^(.*)<([^>]+)>$"));
    if (const QRegularExpressionMatch match = named.match(from); match.hasMatch()) {
        identity.fromName = match.captured(1).trimmed().remove(QLatin1Char('"'));
        identity.fromAddress = match.captured(2).trimmed();
    } else if (!from.isEmpty()) {
        identity.fromAddress = from;
    }
    return identity;
}

QByteArray renderPlainMessage(const OutboxMessage &message, const MailIdentity &identity, const QDateTime &date)
{
    QString key = message.idempotencyKey;
    key.replace(QLatin1Char('/'), QLatin1Char('.'));
    const QString domain = identity.fromAddress.section(QLatin1Char('@'), 1).isEmpty()
        ? QStringLiteral("rightsflow.invalid")
        : identity.fromAddress.section(QLatin1Char('@'), 1);
    QByteArray out;
    auto header = [&out](const char *name, const QByteArray &value) { out += QByteArray(name) + ": " + value + "\r\n"; };
    header("From", mailbox(identity.fromName, identity.fromAddress));
    if (message.channel == QLatin1String("email") || message.channel == QLatin1String("internal"))
        header("To", mailbox(message.recipientName, message.recipientAddress));
    header("Subject", encodedWord(oneLine(subjectOf(message))));
    header("Date", rfc5322Date(date.toUTC()));
    header("Message-ID", "<" + oneLine(key).toUtf8() + "@" + domain.toUtf8() + ">");
    header("X-Rightsflow-Idempotency-Key", oneLine(message.idempotencyKey).toUtf8());
    header("X-Rightsflow-Reference", oneLine(message.reference).toUtf8());
    header("X-Rightsflow-Template", oneLine(message.templateName).toUtf8());
    header("X-Rightsflow-Channel", oneLine(message.channel).toUtf8());
    if (message.channel == QLatin1String("post") || message.channel == QLatin1String("telephone"))
        header(message.channel == QLatin1String("post") ? "X-Rightsflow-Postal-Address" : "X-Rightsflow-Telephone",
            encodedWord(oneLine(message.recipientAddress)));
    header("MIME-Version", "1.0");
    header("Content-Type", "text/plain; charset=UTF-8");
    header("Content-Transfer-Encoding", "8bit");
    out += "\r\n";
    out += bodyOf(message).toUtf8();
    return out;
}

} // namespace rf
