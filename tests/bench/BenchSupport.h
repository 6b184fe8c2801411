// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What every Rightsflow benchmark prints the same way: aligned figures and
// the machine they were measured on.

#include <QFile>
#include <QHash>
#include <QString>
#include <QStringList>
#include <QTextStream>

namespace rf::bench {

constexpr int kLabelWidth = 66;

inline QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

inline QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

inline void heading(const QString &title)
{
    out() << Qt::endl << title << Qt::endl;
}

// One figure per line, labels padded so the values line up.
inline void figure(const QString &label, const QString &value, const QString &note = {})
{
    out() << (label + QLatin1Char(':')).leftJustified(kLabelWidth) << QLatin1Char(' ') << value;
    if (!note.isEmpty())
        out() << QStringLiteral("   ") << note;
    out() << Qt::endl;
}

constexpr int kColumnWidth = 20;

// A row of a table whose first column starts where figure() values do: one
// column per register compared (SQLite, PostgreSQL). An empty label makes
// the row of column headings.
inline void columns(const QString &label, const QStringList &values)
{
    QString line = (label.isEmpty() ? label : label + QLatin1Char(':')).leftJustified(kLabelWidth);
    for (const QString &value : values)
        line += QLatin1Char(' ') + value.leftJustified(kColumnWidth);
    while (line.endsWith(QLatin1Char(' ')))
        line.chop(1);
    out() << line << Qt::endl;
}

inline QString fixed(double value, int decimals = 1)
{
    return QString::number(value, 'f', decimals);
}

inline QString cpuModel()
{
    QFile file(QStringLiteral("/proc/cpuinfo"));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return QStringLiteral("unknown (no /proc/cpuinfo)");
    // x86 names the model "model name"; some ARM kernels only give "Hardware" or "Processor".
    const QStringList keys {QStringLiteral("model name"), QStringLiteral("Hardware"), QStringLiteral("Processor")};
    QHash<QString, QString> found;
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        const qsizetype colon = line.indexOf(QLatin1Char(':'));
        if (colon < 0)
            continue;
        const QString key = line.left(colon).trimmed();
        if (keys.contains(key) && !found.contains(key))
            found.insert(key, line.mid(colon + 1).trimmed());
    }
    for (const QString &key : keys) {
        if (!found.value(key).isEmpty())
            return found.value(key);
    }
    return QStringLiteral("unknown");
}

// Other work on the machine competes for its cores: "1.20 0.80 0.50 (1, 5, 15 min)".
inline QString loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return QStringLiteral("unknown (no /proc/loadavg)");
    const QStringList fields = QString::fromLatin1(file.readAll()).split(QLatin1Char(' '));
    if (fields.size() < 3)
        return QStringLiteral("unknown");
    return QStringLiteral("%1 %2 %3 (1, 5, 15 min)").arg(fields.at(0), fields.at(1), fields.at(2));
}

inline QString compilerName()
{
#if defined(__clang__)
    return QStringLiteral("Clang ") + QString::fromLatin1(__clang_version__);
#elif defined(__GNUC__)
    return QStringLiteral("GCC ") + QString::fromLatin1(__VERSION__);
#else
    return QStringLiteral("unknown");
#endif
}

} // namespace rf::bench
