// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QDateTime>
#include <QTimeZone>

namespace rf {

// Where "now" comes from. The engine never reads the system time directly, so
// tests, rehearsals and dry runs can fix it (RIGHTSFLOW_NOW, FixedClock).
class Clock
{
public:
    virtual ~Clock() = default;
    [[nodiscard]] virtual QDateTime now() const = 0;
    // Whether this clock may differ from the real time. Only a rehearsal
    // register accepts such a clock (Engine::admitsClock); any clock but the
    // system's counts as moved.
    [[nodiscard]] virtual bool isMoved() const { return true; }
};

class SystemClock final : public Clock
{
public:
    [[nodiscard]] QDateTime now() const override;
    [[nodiscard]] bool isMoved() const override { return false; }
};

// A clock that stands still until moved; for tests and for RIGHTSFLOW_NOW.
class FixedClock final : public Clock
{
public:
    explicit FixedClock(const QDateTime &now)
        : m_now(now.toUTC())
    { }
    [[nodiscard]] QDateTime now() const override { return m_now; }
    void set(const QDateTime &now) { m_now = now.toUTC(); }
    void advanceSecs(qint64 secs) { m_now = m_now.addSecs(secs); }

private:
    QDateTime m_now;
};

// The council's time zone, in which people read and type dates.
[[nodiscard]] QTimeZone councilTimeZone();

// Parses an ISO 8601 date or date-time as given on a command line or in
// RIGHTSFLOW_NOW, returned in UTC. A date alone means the start of that day
// in Europe/London; a date-time without an offset is London time. Returns an
// invalid QDateTime when it cannot parse.
[[nodiscard]] QDateTime parseIsoDateTime(const QString &text);

// The range of dates a person may type (received, effective dates, pauses,
// item dates, the what-if calculator, a rehearsal clock): anything outside it
// is a typing mistake or an attack, never a date a request can have.
inline constexpr int kFirstPlausibleYear = 2000;
inline constexpr int kLastPlausibleYear = 2100;
[[nodiscard]] bool isPlausibleDate(const QDate &date);
// "'9999-01-01' is outside the dates Rightsflow accepts (2000-01-01 to
// 2100-12-31)", or empty when `date` is plausible.
[[nodiscard]] QString implausibleDateProblem(const QDate &date);
// A date as a person types it: YYYY-MM-DD, in the plausible range. The error
// (Invalid) says what is wrong with `text`, prefixed by `field`.
[[nodiscard]] Result<QDate> parsePersonDate(const QString &text, const QString &field);

// The canonical text form of an instant in the register: UTC, milliseconds, 'Z'.
[[nodiscard]] QString isoUtc(const QDateTime &instant);

} // namespace rf
