// SPDX-License-Identifier: GPL-3.0-or-later
#include "FileDropSender.h"

#include <QDir>
#include <QSaveFile>

namespace rf {

FileDropSender::FileDropSender(QString directory, MailIdentity identity, const Clock &clock)
    : m_directory(std::move(directory))
    , m_identity(std::move(identity))
    , m_clock(clock)
{ }

QString FileDropSender::describe() const
{
    return QStringLiteral("file drop %1").arg(QDir::toNativeSeparators(m_directory));
}

QString FileDropSender::pathFor(const OutboxMessage &message) const
{
    // Keys are "REF/seq/position": safe characters only, '/' becomes '_'.
    QString name;
    for (const QChar c : message.idempotencyKey)
        name += (c.isLetterOrNumber() && c.unicode() < 0x80) || c == QLatin1Char('-') ? c : QLatin1Char('_');
    const QString channel = message.channel.isEmpty() ? QStringLiteral("email") : message.channel;
    return QDir(m_directory).filePath(channel + QLatin1Char('/') + name + QStringLiteral(".eml"));
}

DeliveryResult FileDropSender::deliver(const OutboxMessage &message)
{
    if (message.idempotencyKey.isEmpty())
        return DeliveryResult::permanent(QStringLiteral("the message has no idempotency key"));
    if (message.recipientAddress.trimmed().isEmpty() && message.channel != QLatin1String("internal"))
        return DeliveryResult::permanent(
            QStringLiteral("no %1 address for the %2: record one on the request, then retry the message")
                .arg(message.channel, message.recipientRole));
    const QString path = pathFor(message);
    const QString folder = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(folder))
        return DeliveryResult::temporary(QStringLiteral("cannot create the folder %1").arg(QDir::toNativeSeparators(folder)));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return DeliveryResult::temporary(
            QStringLiteral("cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
    file.write(renderPlainMessage(message, m_identity, m_clock.now()));
    if (!file.commit())
        return DeliveryResult::temporary(
            QStringLiteral("cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
    return DeliveryResult::delivered();
}

} // namespace rf
