// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace rf {

struct User {
    qint64 id = 0;
    QString name;
    QString role; // one of knownRoles()
    QString email;
    bool active = true;
};

// A message an action queues in the same transaction as the action itself
// (transactional outbox). Delivery happens later, by the worker.
struct OutboxMessage {
    qint64 id = 0;
    QString reference; // the request it concerns
    QString templateName; // e.g. "acknowledgement"
    QString recipientRole; // requester, assignee, dpo
    QString recipientName;
    QString recipientAddress; // by channel: e-mail address, postal address or telephone number
    QString channel; // email, post, telephone (an officer calls) or internal (staff without e-mail)
    QString idempotencyKey; // unique: reference, audit sequence, template, recipient
    QJsonObject payload; // what the template needs
    // queued (waiting for its first or next attempt), sent, or parked (kept
    // failing or failed for good; an officer looks and retries it).
    QString status = QStringLiteral("queued");
    int attempts = 0;
    QDateTime createdAt;
    QDateTime nextAttemptAt; // also the lease of a worker delivering it
    QString lastError;
    QDateTime sentAt;
};

// A timer of a request's workflow, scheduled for one moment (see TimerDef).
struct ScheduledTimer {
    qint64 id = 0;
    qint64 requestId = 0;
    QString reference;
    QString timer; // the TimerDef name
    QDateTime dueAt;
    QString status = QStringLiteral("pending"); // pending, fired, cancelled
    QDateTime finishedAt;
    QString outcome; // what firing did, or why it was cancelled
};

// What retention removed from one request.
struct PurgeCounts {
    int identifiers = 0;
    int notes = 0;
    int attachments = 0;
    int items = 0; // case-file items, their content deleted with them
    int auditPayloads = 0;
    int messages = 0;
};

} // namespace rf
