// SPDX-License-Identifier: GPL-3.0-or-later
// The part of the engine the worker drives: workflow timers, retention, and
// the officers' handle on parked messages.
#include "Engine.h"

#include "core/Logging.h"

#include <QJsonArray>

namespace rf {

namespace {

// Timers fire at a council-time moment: in-state timers at the start of the
// day after their period ends (the requester has the whole last day), due-date
// reminders and escalations at 8 in the morning.
QDateTime councilMoment(const QDate &day, const QTime &time)
{
    return QDateTime(day, time, councilTimeZone()).toUTC();
}

QDate addPeriod(const QDate &day, const Period &period, const WorkingCalendar &calendar)
{
    switch (period.unit) {
    case Period::Unit::Days:
        return day.addDays(period.amount);
    case Period::Unit::Months:
        return day.addMonths(period.amount); // clamps to the month's end, as the deadline rules do
    case Period::Unit::WorkingDays:
        return calendar.covers(day) ? calendar.addWorkingDays(day, period.amount) : QDate();
    }
    return {};
}

QDate subtractPeriod(const QDate &day, const Period &period, const WorkingCalendar &calendar)
{
    switch (period.unit) {
    case Period::Unit::Days:
        return day.addDays(-period.amount);
    case Period::Unit::Months:
        return day.addMonths(-period.amount);
    case Period::Unit::WorkingDays: {
        QDate d = day;
        for (int left = period.amount; left > 0;) {
            d = d.addDays(-1);
            if (!calendar.covers(d))
                return {};
            if (calendar.isWorkingDay(d))
                --left;
        }
        return d;
    }
    }
    return {};
}

const QString kRetentionSetting = QStringLiteral("retention-months");

} // namespace

User Engine::workerUser() const
{
    return User {0, kWorkerActor, kSystemRole, QString(), true};
}

QList<ScheduledTimer> Engine::timersFor(
    const Request &request, const WorkflowDefinition &def, const WorkingCalendar &calendar) const
{
    QList<ScheduledTimer> result;
    const StateDef *state = def.state(request.state);
    if (request.closedAt.isValid() || request.purgedAt.isValid() || !state || state->kind == StateKind::Closed)
        return result;
    // Due-date timers follow the deadline: not before the clock starts, not
    // while it is really paused (the due date moves every day), not once the
    // response is given. A question that does not pause it (rules without a
    // statutory pause, or asked after the due date) leaves them running.
    const bool clockRuns = request.deadline.started && request.deadline.due.isValid() && !request.deadline.provisional
        && state->clock != ClockBehaviour::Stopped && state->clock != ClockBehaviour::NotStarted;
    for (const TimerDef &timer : def.timers) {
        QDateTime due;
        switch (timer.kind) {
        case TimerDef::Kind::InState: {
            if (!timer.states.contains(request.state))
                continue;
            const QDateTime entered = request.stateEnteredAt.isValid() ? request.stateEnteredAt : request.updatedAt;
            const QDate last = addPeriod(entered.toTimeZone(councilTimeZone()).date(), timer.period, calendar);
            if (last.isValid())
                due = councilMoment(last.addDays(1), QTime(0, 0));
            break;
        }
        case TimerDef::Kind::BeforeDue:
            if (clockRuns) {
                const QDate day = subtractPeriod(request.deadline.due, timer.period, calendar);
                if (day.isValid())
                    due = councilMoment(day, QTime(8, 0));
            }
            break;
        case TimerDef::Kind::AfterDue:
            if (clockRuns) {
                const QDate day = addPeriod(request.deadline.due, timer.period, calendar);
                if (day.isValid())
                    due = councilMoment(day, QTime(8, 0));
            }
            break;
        }
        if (due.isValid())
            result.append(ScheduledTimer {0, request.id, request.reference, timer.name, due, QStringLiteral("pending"), {}, {}});
    }
    return result;
}

Status Engine::scheduleTimers(const Request &request, const WorkflowDefinition &def, const WorkingCalendar &calendar)
{
    return m_store.scheduleTimers(request.id, request.reference, timersFor(request, def, calendar));
}

Result<QString> Engine::fireTimer(const ScheduledTimer &scheduled, bool *cancelled)
{
    *cancelled = true;
    Result<Request> loaded = m_store.loadRequest(scheduled.reference, RequestDetail::Record);
    if (!loaded)
        return loaded.error();
    const Request &request = *loaded;
    Result<std::shared_ptr<const WorkflowDefinition>> defResult = definitionOf(request);
    if (!defResult)
        return defResult.error();
    const WorkflowDefinition &def = **defResult;
    Result<std::shared_ptr<const WorkingCalendar>> workingDays = calendar();
    if (!workingDays)
        return workingDays.error();
    const TimerDef *timer = nullptr;
    for (const TimerDef &t : def.timers) {
        if (t.name == scheduled.timer)
            timer = &t;
    }
    if (!timer)
        return QStringLiteral("cancelled: the workflow has no timer '%1'").arg(scheduled.timer);
    // A timer still applies only if the request, as it stands, would schedule
    // it for the same moment; anything else means the request moved on.
    bool stillDue = false;
    for (const ScheduledTimer &expected : timersFor(request, def, **workingDays))
        stillDue = stillDue || (expected.timer == scheduled.timer && expected.dueAt == scheduled.dueAt);
    if (!stillDue)
        return QStringLiteral("cancelled: %1 is now %2 and no longer due for it").arg(request.reference, request.state);

    const User worker = workerUser();
    if (!timer->fire.isEmpty()) {
        const QString note = QStringLiteral("Timer %1: %2 in %3 since %4.")
                                 .arg(timer->name, timer->period.toString(), request.state,
                                     (request.stateEnteredAt.isValid() ? request.stateEnteredAt : request.updatedAt)
                                         .toTimeZone(councilTimeZone())
                                         .date()
                                         .toString(Qt::ISODate));
        Result<FireOutcome> outcome = fireInTransaction(worker, request, timer->fire, {}, note, request.version);
        if (!outcome) {
            if (outcome.error().code == ErrorCode::Conflict || outcome.error().code == ErrorCode::Storage)
                return outcome.error();
            // A guard or effect refused (e.g. no DPO to tell): the timer
            // cannot act, and trying every minute would not help.
            return QStringLiteral("cancelled: '%1' could not be done: %2").arg(timer->fire, outcome.error().message);
        }
        *cancelled = false;
        return QStringLiteral("fired '%1': %2 is now %3 (%4 message(s) queued)")
            .arg(timer->fire, request.reference, outcome->request.state)
            .arg(outcome->queued.size());
    }

    // A notice only: the request does not change; the audit trail says why a message left.
    QString to = timer->notifyTo;
    QString rerouted;
    if (to == QLatin1String("assignee") && request.assignee.isEmpty()) {
        to = QStringLiteral("dpo");
        rerouted = QStringLiteral(" (no assignee: sent to the DPO)");
    }
    const QJsonObject params {{QStringLiteral("template"), timer->notifyTemplate}, {QStringLiteral("to"), to}};
    TransitionDef pseudo;
    pseudo.name = QStringLiteral("timer:") + timer->name;
    const QJsonObject inputs {{QStringLiteral("timer"), timer->name},
        {QStringLiteral("dueDate"), request.deadline.due.toString(Qt::ISODate)},
        {QStringLiteral("scheduledFor"), isoUtc(scheduled.dueAt)}};
    const QDateTime now = m_clock.now();
    Request copy = request;
    QList<OutboxMessage> queued;
    const ActionRegistry::EffectEntry *notify = m_registry.effect(QStringLiteral("notify"));
    if (!notify)
        return makeError(ErrorCode::Unsupported, QStringLiteral("the notify effect is not registered"));
    EffectContext ctx {copy, pseudo, inputs, worker, now, params, queued, activeUsersWithRole(), userNamed(), &request.deadline,
        today(), today(), nullptr, nullptr};
    if (Status s = notify->effect(ctx); !s)
        return QStringLiteral("cancelled: %1").arg(s.error().message);
    AuditEvent event = eventOn(request, worker.name, pseudo.name);
    event.inputs = inputs;
    Result<AuditEvent> appended = m_store.appendAudit(event);
    if (!appended)
        return appended.error();
    if (Status s = enqueueAll(queued, request, appended->seq, worker.name, request.deadline.due); !s)
        return s.error();
    *cancelled = false;
    return QStringLiteral("%1 '%2' to %3%4").arg(pseudo.name, timer->notifyTemplate, to, rerouted);
}

Result<TimerSweep> Engine::runDueTimers(int limit)
{
    if (Status s = admitsClock(); !s)
        return s.error();
    TimerSweep sweep;
    qint64 afterId = 0;
    for (int handled = 0; handled < limit; ++handled) {
        Transaction tx(m_store);
        const QDateTime now = m_clock.now();
        // The same order as every action: the calendar, the request, its timers.
        Status ready = tx.begin();
        if (ready)
            ready = m_store.lockCalendar(false);
        Result<std::optional<ScheduledTimer>> claimed
            = ready ? m_store.claimDueTimer(now, afterId) : Result<std::optional<ScheduledTimer>>(ready.error());
        if (!claimed) {
            // A calendar change holding its lock past the lock timeout: the
            // rest waits for the next sweep; delivery and retention go on.
            if (claimed.error().code == ErrorCode::Conflict) {
                ++sweep.deferred;
                sweep.lines << QStringLiteral("timers deferred to the next sweep: %1").arg(claimed.error().message);
                break;
            }
            return claimed.error();
        }
        if (!claimed->has_value())
            break;
        const ScheduledTimer timer = **claimed;
        afterId = timer.id; // each timer at most once per sweep
        if (timer.status != QLatin1String("pending")) {
            ++sweep.deferred;
            continue; // someone is changing its request, or another worker fired it
        }
        bool cancelled = true;
        // Marked done first: firing a transition reschedules the request's
        // pending timers, this one included.
        Result<QString> outcome = m_store.finishTimer(timer.id, QStringLiteral("fired"), now, QString()).ok()
            ? fireTimer(timer, &cancelled)
            : Result<QString>(makeError(ErrorCode::Conflict, QStringLiteral("another worker fired it")));
        if (outcome) {
            if (Status s
                = m_store.setTimerOutcome(timer.id, cancelled ? QStringLiteral("cancelled") : QStringLiteral("fired"), *outcome);
                !s)
                outcome = s.error();
        }
        if (outcome) {
            if (Status s = tx.commit(); !s)
                outcome = s.error();
        }
        if (!outcome) {
            // The timer stays pending for the next sweep; one that keeps
            // failing does not hold up the others, the outbox or retention.
            const bool lostRace = outcome.error().code == ErrorCode::Conflict;
            ++(lostRace ? sweep.deferred : sweep.failed);
            sweep.lines << QStringLiteral("%1 %2: %3, left for the next sweep: %4")
                               .arg(timer.reference, timer.timer,
                                   lostRace ? QStringLiteral("deferred") : QStringLiteral("failed"), outcome.error().message);
            if (!lostRace)
                qCWarning(lcWorkflow) << "timer" << timer.timer << timer.reference << "failed:" << outcome.error().message;
            continue;
        }
        ++(cancelled ? sweep.cancelled : sweep.fired);
        sweep.lines << QStringLiteral("%1 %2: %3").arg(timer.reference, timer.timer, *outcome);
        qCInfo(lcWorkflow) << "timer" << timer.timer << timer.reference << *outcome;
    }
    return sweep;
}

// --- retention -------------------------------------------------------------------

Result<int> Engine::retentionMonths()
{
    Result<QString> value = m_store.setting(kRetentionSetting);
    if (!value)
        return value.error();
    if (value->isEmpty())
        return 0;
    bool ok = false;
    const int months = value->toInt(&ok);
    if (!ok || months < 0)
        return makeError(ErrorCode::Storage,
            QStringLiteral("the register's %1 setting '%2' is not a number of months").arg(kRetentionSetting, *value));
    return months;
}

Status Engine::setRetentionMonths(int months, const QString &actor)
{
    if (Status s = admitsClock(); !s)
        return s;
    // Councils keep closed cases 2 to 6 years; under a year would purge
    // requests that may still be complained about to the ICO.
    if (months < 12 || months > 240)
        return makeError(ErrorCode::Invalid,
            QStringLiteral("retention: %1 months is outside 12 to 240; councils keep closed requests 2 to 6 years").arg(months));
    Transaction tx(m_store);
    if (Status s = tx.begin(); !s)
        return s;
    Result<User> admin = requireAdmin(actor, QStringLiteral("set the retention period"));
    if (!admin)
        return admin.error();
    Result<int> previous = retentionMonths();
    if (!previous)
        return previous.error();
    if (Status s = m_store.setSetting(kRetentionSetting, QString::number(months)); !s)
        return s;
    AuditEvent event;
    event.at = m_clock.now();
    event.actor = admin->name;
    event.action = QStringLiteral("retention-set");
    event.inputs = QJsonObject {{QStringLiteral("months"), months}, {QStringLiteral("previousMonths"), *previous}};
    if (Result<AuditEvent> appended = m_store.appendAudit(event); !appended)
        return appended.error();
    return tx.commit();
}

Result<PurgeSweep> Engine::purgeExpired(int limit)
{
    if (Status s = admitsClock(); !s)
        return s.error();
    PurgeSweep sweep;
    Result<int> months = retentionMonths();
    if (!months)
        return months.error();
    sweep.retentionMonths = *months;
    if (*months == 0)
        return sweep;
    const QDateTime now = m_clock.now();
    const QDateTime closedBefore = now.toTimeZone(councilTimeZone()).addMonths(-*months).toUTC();
    Result<QStringList> candidates = m_store.purgeCandidates(closedBefore, limit);
    if (!candidates)
        return candidates.error();
    for (const QString &reference : *candidates) {
        // One transaction per request: a failure leaves the others purged
        // and this one whole.
        Transaction tx(m_store);
        if (Status s = tx.begin(); !s)
            return s.error();
        Result<Request> request = m_store.loadRequest(reference, RequestDetail::Record);
        if (!request)
            return request.error();
        if (request->purgedAt.isValid() || !request->closedAt.isValid() || request->closedAt >= closedBefore)
            continue; // another worker got there first, or it was reopened
        Result<PurgeCounts> counts = m_store.purgeRequest(request->id, reference, now);
        if (!counts) {
            if (counts.error().code == ErrorCode::Conflict)
                continue;
            return counts.error();
        }
        AuditEvent event = eventOn(*request, kWorkerActor, QStringLiteral("purge"));
        event.requestVersion = request->version + 1; // the purge is a change of the request
        event.inputs
            = QJsonObject {{QStringLiteral("retentionMonths"), *months}, {QStringLiteral("closedAt"), isoUtc(request->closedAt)},
                {QStringLiteral("identifiers"), counts->identifiers}, {QStringLiteral("notes"), counts->notes},
                {QStringLiteral("attachments"), counts->attachments}, {QStringLiteral("items"), counts->items},
                {QStringLiteral("auditPayloads"), counts->auditPayloads}, {QStringLiteral("messages"), counts->messages}};
        Result<AuditEvent> appended = m_store.appendAudit(event);
        if (!appended) {
            if (appended.error().code == ErrorCode::Conflict)
                continue; // tried again next sweep
            return appended.error();
        }
        if (Status s = tx.commit(); !s) {
            if (s.error().code == ErrorCode::Conflict)
                continue;
            return s.error();
        }
        ++sweep.purged;
        sweep.lines << QStringLiteral("%1: purged (closed %2; %3 note(s), %4 attachment(s), %5 audit payload(s), %6 message(s))")
                           .arg(reference, request->closedAt.toTimeZone(councilTimeZone()).date().toString(Qt::ISODate))
                           .arg(counts->notes)
                           .arg(counts->attachments)
                           .arg(counts->auditPayloads)
                           .arg(counts->messages);
    }
    return sweep;
}

// --- outbox ----------------------------------------------------------------------------

Status Engine::retryMessage(qint64 id, const QString &actor)
{
    if (Status s = admitsClock(); !s)
        return s;
    Transaction tx(m_store);
    if (Status s = tx.begin(); !s)
        return s;
    Result<User> user = requireUser(actor);
    if (!user)
        return user.error();
    if (user->role != QLatin1String("admin") && user->role != QLatin1String("dpo") && user->role != QLatin1String("officer"))
        return makeError(ErrorCode::Forbidden, QStringLiteral("%1 (role %2) may not retry messages").arg(user->name, user->role));
    Result<OutboxMessage> message = m_store.outboxMessage(id);
    if (!message)
        return message.error();
    if (!message->reference.isEmpty()) {
        Result<Request> request = m_store.loadRequest(message->reference, RequestDetail::Record);
        if (request && request->purgedAt.isValid())
            return makeError(ErrorCode::Refused,
                QStringLiteral("message %1 belongs to %2, purged under the retention period: it has no recipient any more "
                               "and is not sent")
                    .arg(id)
                    .arg(message->reference));
    }
    if (Status s = m_store.requeueOutbox(id, m_clock.now()); !s)
        return s;
    AuditEvent event;
    event.reference = message->reference;
    event.at = m_clock.now();
    event.actor = user->name;
    event.action = QStringLiteral("outbox-retry");
    event.inputs
        = QJsonObject {{QStringLiteral("message"), QString::number(id)}, {QStringLiteral("template"), message->templateName},
            {QStringLiteral("lastError"), message->lastError}, {QStringLiteral("attempts"), message->attempts}};
    if (Result<AuditEvent> appended = m_store.appendAudit(event); !appended)
        return appended.error();
    return tx.commit();
}

} // namespace rf
