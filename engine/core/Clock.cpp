// SPDX-License-Identifier: GPL-3.0-or-later
#include "Clock.h"

#include <QTimeZone>

namespace rf {

QDateTime SystemClock::now() const
{
    return QDateTime::currentDateTimeUtc();
}

QDateTime parseIsoDateTime(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return {};
    if (trimmed.size() == 10) {
        const QDate date = QDate::fromString(trimmed, Qt::ISODate);
        if (!date.isValid())
            return {};
        return QDateTime(date, QTime(0, 0), QTimeZone::utc());
    }
    QDateTime parsed = QDateTime::fromString(trimmed, Qt::ISODateWithMs);
    if (!parsed.isValid())
        parsed = QDateTime::fromString(trimmed, Qt::ISODate);
    if (!parsed.isValid())
        return {};
    if (parsed.timeSpec() == Qt::LocalTime)
        parsed.setTimeZone(QTimeZone::utc());
    return parsed.toUTC();
}

QString isoUtc(const QDateTime &instant)
{
    return instant.toUTC().toString(Qt::ISODateWithMs);
}

} // namespace rf
