// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Result.h"
#include "request/Records.h"
#include "store/Store.h"

#include <QString>

namespace rf {

// What one delivery attempt came to.
struct DeliveryResult {
    enum class Kind { Delivered, Temporary, Permanent };
    Kind kind = Kind::Delivered;
    QString detail; // the reason, for a person: shown by 'outbox list' and 'outbox show'

    [[nodiscard]] static DeliveryResult delivered() { return {}; }
    [[nodiscard]] static DeliveryResult temporary(QString why) { return {Kind::Temporary, std::move(why)}; }
    [[nodiscard]] static DeliveryResult permanent(QString why) { return {Kind::Permanent, std::move(why)}; }
};

// Hands one outbox message to the world. Delivery is at least once: a
// sender may be given the same message again (after a crash, or a lease that
// ran out), and must let the far end recognise it by its idempotency key.
class Sender
{
public:
    virtual ~Sender() = default;
    [[nodiscard]] virtual QString describe() const = 0;
    [[nodiscard]] virtual DeliveryResult deliver(const OutboxMessage &message) = 0;
};

// How hard the worker tries before a message is parked for a person to look at.
struct DeliveryPolicy {
    int maxAttempts = 8;
    int firstRetrySeconds = 60; // then doubling: 1, 2, 4, 8 ... minutes
    int maxRetrySeconds = 6 * 3600;
    int leaseSeconds = 300; // a worker that dies mid-delivery frees the message after this

    // The wait after failed attempt number `attempts` (1-based).
    [[nodiscard]] qint64 backoffSeconds(int attempts) const;
};

struct DeliverySweep {
    int sent = 0;
    int retrying = 0;
    int parked = 0;
    QStringList lines;
};

// Takes due messages from the outbox one at a time (each claim is its own
// short transaction, so several workers share the queue without sending a
// message twice at once) and records each outcome: sent; queued again with
// backoff after a temporary failure; parked after a permanent failure or
// too many attempts. Nothing is ever dropped.
[[nodiscard]] Result<DeliverySweep> deliverDue(
    Store &store, Sender &sender, const Clock &clock, const DeliveryPolicy &policy = {}, int limit = 1000);

} // namespace rf
