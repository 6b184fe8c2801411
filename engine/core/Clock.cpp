// SPDX-License-Identifier: GPL-3.0-or-later
#include "Clock.h"

#include <QTimeZone>

#include <cstdio>

namespace rf {

QDateTime SystemClock::now() const
{
    return QDateTime::currentDateTimeUtc();
}

bool isPlausibleDate(const QDate &date)
{
    return date.isValid() && date.year() >= kFirstPlausibleYear && date.year() <= kLastPlausibleYear;
}

QString implausibleDateProblem(const QDate &date)
{
    if (isPlausibleDate(date))
        return {};
    return QStringLiteral("'%1' is outside the dates Rightsflow accepts (%2-01-01 to %3-12-31)")
        .arg(date.toString(Qt::ISODate))
        .arg(kFirstPlausibleYear)
        .arg(kLastPlausibleYear);
}

Result<QDate> parsePersonDate(const QString &text, const QString &field)
{
    const QString trimmed = text.trimmed();
    const QDate date = trimmed.size() == 10 ? QDate::fromString(trimmed, Qt::ISODate) : QDate();
    if (!date.isValid())
        return makeError(ErrorCode::Invalid, QStringLiteral("%1: '%2' is not a date (use YYYY-MM-DD)").arg(field, trimmed));
    if (const QString problem = implausibleDateProblem(date); !problem.isEmpty())
        return makeError(ErrorCode::Invalid, QStringLiteral("%1: %2").arg(field, problem));
    return date;
}

QTimeZone councilTimeZone()
{
    static const QTimeZone london(QByteArrayLiteral("Europe/London"));
    return london.isValid() ? london : QTimeZone::utc();
}

namespace {

// The register's own form, "2026-03-02T09:30:00.000Z", read without QDateTime's
// general parser, which dominated the cost of loading a request.
QDateTime parseCanonical(const QString &text)
{
    if (text.size() != 24 || text.at(4) != QLatin1Char('-') || text.at(7) != QLatin1Char('-') || text.at(10) != QLatin1Char('T')
        || text.at(13) != QLatin1Char(':') || text.at(16) != QLatin1Char(':') || text.at(19) != QLatin1Char('.')
        || text.at(23) != QLatin1Char('Z'))
        return {};
    auto number = [&text](int from, int length, bool *ok) {
        int value = 0;
        for (int i = from; i < from + length; ++i) {
            const QChar c = text.at(i);
            if (c < QLatin1Char('0') || c > QLatin1Char('9')) {
                *ok = false;
                return 0;
            }
            value = value * 10 + (c.unicode() - '0');
        }
        return value;
    };
    bool ok = true;
    const QDate date(number(0, 4, &ok), number(5, 2, &ok), number(8, 2, &ok));
    const QTime time(number(11, 2, &ok), number(14, 2, &ok), number(17, 2, &ok), number(20, 3, &ok));
    if (!ok || !date.isValid() || !time.isValid())
        return {};
    return QDateTime(date, time, QTimeZone::utc());
}

} // namespace

QDateTime parseIsoDateTime(const QString &text)
{
    if (const QDateTime canonical = parseCanonical(text); canonical.isValid())
        return canonical;
    // What an officer types is council time: a date alone is the start of
    // that day in London, a date-time without an offset is London time.
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return {};
    if (trimmed.size() == 10) {
        const QDate date = QDate::fromString(trimmed, Qt::ISODate);
        if (!date.isValid())
            return {};
        return QDateTime(date, QTime(0, 0), councilTimeZone()).toUTC();
    }
    QDateTime parsed = QDateTime::fromString(trimmed, Qt::ISODateWithMs);
    if (!parsed.isValid())
        parsed = QDateTime::fromString(trimmed, Qt::ISODate);
    if (!parsed.isValid())
        return {};
    if (parsed.timeSpec() == Qt::LocalTime)
        parsed = QDateTime(parsed.date(), parsed.time(), councilTimeZone());
    return parsed.toUTC();
}

QString isoUtc(const QDateTime &instant)
{
    // Written by hand: QDateTime::toString() was a tenth of the cost of an
    // action, and every request row carries several instants.
    if (!instant.isValid())
        return {};
    const qint64 msecs = instant.toMSecsSinceEpoch();
    const qint64 msPerDay = 86400000;
    qint64 days = msecs / msPerDay;
    qint64 msOfDay = msecs % msPerDay;
    if (msOfDay < 0) {
        msOfDay += msPerDay;
        --days;
    }
    const QDate date = QDate(1970, 1, 1).addDays(days);
    const int ms = int(msOfDay % 1000);
    const int secs = int(msOfDay / 1000);
    char text[32];
    const int length = std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", date.year(), date.month(),
        date.day(), secs / 3600, (secs / 60) % 60, secs % 60, ms);
    return QString::fromLatin1(text, length);
}

} // namespace rf
