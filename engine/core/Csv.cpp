// SPDX-License-Identifier: GPL-3.0-or-later
#include "Csv.h"

#include <QRegularExpression>

namespace rf {

namespace {

// What Excel, LibreOffice and Google Sheets start a formula (or a DDE call)
// with; a plain number cannot be one.
bool startsLikeFormula(const QString &text)
{
    static const QString starts = QStringLiteral("=+-@\t\r");
    if (text.isEmpty() || !starts.contains(text.front()))
        return false;
    static const QRegularExpression plainNumber(QStringLiteral(R"(^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$)"));
    return !plainNumber.match(text).hasMatch();
}

} // namespace

QString Csv::cell(const QString &input)
{
    QString text = startsLikeFormula(input) ? QLatin1Char('\'') + input : input;
    const bool quote = text.contains(QLatin1Char(',')) || text.contains(QLatin1Char('"')) || text.contains(QLatin1Char('\n'))
        || text.contains(QLatin1Char('\r'));
    if (quote) {
        text.replace(QStringLiteral("\""), QStringLiteral("\"\""));
        text = QLatin1Char('"') + text + QLatin1Char('"');
    }
    return text;
}

QByteArray Csv::line(const QStringList &cells)
{
    QByteArray out;
    for (qsizetype i = 0; i < cells.size(); ++i) {
        if (i > 0)
            out += ',';
        out += cell(cells.at(i)).toUtf8();
    }
    out += "\r\n";
    return out;
}

} // namespace rf
