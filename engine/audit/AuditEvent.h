// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace rf {

// One entry of the append-only audit trail. The chain links each event to the
// one before by SHA-256, so editing, inserting or deleting any event breaks it.
//
// The personal part of an event (inputs and note, the "payload") is hashed on
// its own and only its hash enters the chain. Retention can then erase a
// purged request's payloads while the chain still verifies.
struct AuditEvent {
    qint64 seq = 0;
    QString reference; // the request, or empty for register-wide events
    QDateTime at;
    QString actor;
    QString action;
    QString fromState;
    QString toState;
    qint64 requestVersion = 0; // the request's version once this event happened; 0 for register-wide events
    QJsonObject inputs;
    QString note;
    bool payloadPurged = false;
    QString payloadHash;
    QString prevHash;
    QString hash;
};

// The hashing rules of the audit chain, in one place.
class AuditChain
{
public:
    // The previous hash of the very first event.
    [[nodiscard]] static QString genesisHash();
    // Canonical bytes of an event's payload (inputs and note).
    [[nodiscard]] static QByteArray canonicalPayload(const QJsonObject &inputs, const QString &note);
    [[nodiscard]] static QString payloadHashOf(const QJsonObject &inputs, const QString &note);
    // Canonical bytes of the chained part of an event: everything but its own hash.
    [[nodiscard]] static QByteArray canonicalEvent(const AuditEvent &event);
    // SHA-256 over the canonical event, which includes the previous hash.
    [[nodiscard]] static QString hashOf(const AuditEvent &event);
    // Fills payloadHash, prevHash and hash of an event about to be appended.
    static void seal(AuditEvent &event, qint64 seq, const QString &prevHash);
};

} // namespace rf
