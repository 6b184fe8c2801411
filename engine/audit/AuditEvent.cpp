// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuditEvent.h"

#include "core/Clock.h"

#include <QCryptographicHash>
#include <QJsonDocument>

namespace rf {

namespace {

QString sha256Hex(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

} // namespace

QString AuditChain::genesisHash()
{
    return QString(64, QLatin1Char('0'));
}

QByteArray AuditChain::canonicalPayload(const QJsonObject &inputs, const QString &note)
{
    // QJsonObject keeps its keys sorted, so compact JSON is canonical.
    const QJsonObject payload {{QStringLiteral("inputs"), inputs}, {QStringLiteral("note"), note}};
    return QJsonDocument(payload).toJson(QJsonDocument::Compact);
}

QString AuditChain::payloadHashOf(const QJsonObject &inputs, const QString &note)
{
    return sha256Hex(canonicalPayload(inputs, note));
}

QByteArray AuditChain::canonicalEvent(const AuditEvent &event)
{
    const QJsonObject chained {
        {QStringLiteral("seq"), QString::number(event.seq)},
        {QStringLiteral("version"), QString::number(event.requestVersion)},
        {QStringLiteral("reference"), event.reference},
        {QStringLiteral("at"), isoUtc(event.at)},
        {QStringLiteral("actor"), event.actor},
        {QStringLiteral("action"), event.action},
        {QStringLiteral("from"), event.fromState},
        {QStringLiteral("to"), event.toState},
        {QStringLiteral("payload"), event.payloadHash},
        {QStringLiteral("prev"), event.prevHash},
    };
    return QJsonDocument(chained).toJson(QJsonDocument::Compact);
}

QString AuditChain::hashOf(const AuditEvent &event)
{
    return sha256Hex(canonicalEvent(event));
}

void AuditChain::seal(AuditEvent &event, qint64 seq, const QString &prevHash)
{
    event.seq = seq;
    event.prevHash = prevHash;
    event.payloadHash = payloadHashOf(event.inputs, event.note);
    event.hash = hashOf(event);
}

} // namespace rf
