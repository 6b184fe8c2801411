// SPDX-License-Identifier: GPL-3.0-or-later
#include "Sender.h"

#include "core/Logging.h"

#include <algorithm>

namespace rf {

qint64 DeliveryPolicy::backoffSeconds(int attempts) const
{
    qint64 wait = firstRetrySeconds;
    for (int i = 1; i < attempts && wait < maxRetrySeconds; ++i)
        wait *= 2;
    return std::min<qint64>(wait, maxRetrySeconds);
}

Result<DeliverySweep> deliverDue(Store &store, Sender &sender, const Clock &clock, const DeliveryPolicy &policy, int limit)
{
    // A moved clock would lease messages, and date what was sent, falsely.
    if (Status s = admitsClock(store, clock); !s)
        return s.error();
    DeliverySweep sweep;
    qint64 afterId = 0;
    for (int handled = 0; handled < limit; ++handled) {
        const QDateTime now = clock.now();
        std::optional<OutboxMessage> claimed;
        {
            Transaction tx(store);
            if (Status s = tx.begin(); !s)
                return s.error();
            Result<std::optional<OutboxMessage>> next = store.claimOutbox(now, now.addSecs(policy.leaseSeconds), afterId);
            if (!next)
                return next.error();
            if (Status s = tx.commit(); !s)
                return s.error();
            claimed = *next;
        }
        if (!claimed)
            break;
        const OutboxMessage &message = *claimed;
        afterId = message.id;

        const DeliveryResult result = sender.deliver(message);
        const QDateTime done = clock.now();
        QString status = QStringLiteral("sent");
        QDateTime next;
        QString line;
        switch (result.kind) {
        case DeliveryResult::Kind::Delivered:
            ++sweep.sent;
            line = QStringLiteral("sent");
            break;
        case DeliveryResult::Kind::Temporary:
            if (message.attempts >= policy.maxAttempts) {
                status = QStringLiteral("parked");
                ++sweep.parked;
                line = QStringLiteral("parked after %1 attempts: %2").arg(message.attempts).arg(result.detail);
            } else {
                status = QStringLiteral("queued");
                next = done.addSecs(policy.backoffSeconds(message.attempts));
                ++sweep.retrying;
                line = QStringLiteral("attempt %1 failed, next at %2: %3").arg(message.attempts).arg(isoUtc(next), result.detail);
            }
            break;
        case DeliveryResult::Kind::Permanent:
            status = QStringLiteral("parked");
            ++sweep.parked;
            line = QStringLiteral("parked: %1").arg(result.detail);
            break;
        }
        // Should this write fail the message is still leased, not lost: it
        // is tried again (and, being idempotent, recognised) after the lease.
        if (Status s = store.recordDelivery(message.id, message.attempts, status, done, next, result.detail); !s) {
            if (s.error().code != ErrorCode::Conflict)
                return s.error();
            line += QStringLiteral(" (not recorded: ") + s.error().message + QLatin1Char(')');
        }
        sweep.lines << QStringLiteral("message %1 (%2 %3 to %4 by %5): %6")
                           .arg(message.id)
                           .arg(message.reference, message.templateName, message.recipientRole, message.channel, line);
        qCInfo(lcStore) << "outbox" << message.id << message.idempotencyKey << line;
    }
    return sweep;
}

} // namespace rf
