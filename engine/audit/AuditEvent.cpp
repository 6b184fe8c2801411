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

namespace {

// Appends `text` as a JSON string in UTF-8, escaped as QJsonDocument does.
void appendJsonString(QByteArray &out, const QString &text)
{
    out += '"';
    const QByteArray utf8 = text.toUtf8();
    for (const char c : utf8) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\b') {
            out += "\\b";
        } else if (c == '\f') {
            out += "\\f";
        } else if (byte < 0x20) {
            static const char hex[] = "0123456789abcdef";
            out += "\\u00";
            out += hex[byte >> 4];
            out += hex[byte & 0xf];
        } else {
            out += c;
        }
    }
    out += '"';
}

} // namespace

QByteArray AuditChain::canonicalEvent(const AuditEvent &event)
{
    // A JSON object with its keys in sorted order, written directly: building
    // a QJsonObject for it was a tenth of the cost of an action. The form
    // must never change, or old chains stop verifying.
    const std::pair<const char *, QString> fields[] = {
        {"action", event.action},
        {"actor", event.actor},
        {"at", isoUtc(event.at)},
        {"from", event.fromState},
        {"payload", event.payloadHash},
        {"prev", event.prevHash},
        {"reference", event.reference},
        {"seq", QString::number(event.seq)},
        {"to", event.toState},
        {"version", QString::number(event.requestVersion)},
    };
    QByteArray out;
    out.reserve(512);
    out += '{';
    for (const auto &[key, value] : fields) {
        if (out.size() > 1)
            out += ',';
        out += '"';
        out += key;
        out += "\":";
        appendJsonString(out, value);
    }
    out += '}';
    return out;
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

QString AuditChain::describeInterval(qint64 msecs)
{
    const qint64 seconds = msecs / 1000;
    if (seconds < 120)
        return QStringLiteral("%1 seconds").arg(seconds);
    if (seconds < 2 * 3600)
        return QStringLiteral("%1 minutes").arg(seconds / 60);
    if (seconds < 2 * 86400)
        return QStringLiteral("%1 hours").arg(seconds / 3600);
    return QStringLiteral("%1 days").arg(seconds / 86400);
}

} // namespace rf
