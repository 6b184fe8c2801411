// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

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
};

class SystemClock final : public Clock
{
public:
    [[nodiscard]] QDateTime now() const override;
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

// The canonical text form of an instant in the register: UTC, milliseconds, 'Z'.
[[nodiscard]] QString isoUtc(const QDateTime &instant);

} // namespace rf
