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
