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

    // How far an event may be dated before the one it follows and still be
    // appended (taking that one's time): writers that read the clock before
    // queueing on the chain's head, and machines a little apart. Beyond it the
    // clock is wrong: the event is refused, and audit verify reports one
    // already in the trail.
    static constexpr qint64 kClockSkewToleranceMs = 5 * 60 * 1000;
    // "3 minutes", "2 days": an interval for messages.
    [[nodiscard]] static QString describeInterval(qint64 msecs);
};

} // namespace rf
