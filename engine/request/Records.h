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
    QString status = QStringLiteral("queued");
    int attempts = 0;
    QDateTime createdAt;
};

} // namespace rf
