// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace rf {

// The one way Rightsflow writes CSV (the bundle's data files now, reports
// later), as spreadsheet programs and Python's csv module read it (RFC 4180):
// fields quoted when they hold a comma, quote, CR or LF; CRLF line ends; UTF-8
// with a byte order mark. Every cell goes through cell(), header cells
// included, so that nothing a requester, an officer or a source system wrote
// can run as a spreadsheet formula: a cell starting with = + - @, tab or CR
// gets a leading apostrophe and shows as the text it is. A cell that is only a
// decimal number ("-12.5", "3e-4") is left alone: a spreadsheet reads it as
// that number and runs nothing.
class Csv
{
public:
    // The UTF-8 byte order mark: Excel reads the file as UTF-8 only with it.
    static constexpr char kBom[] = "\xEF\xBB\xBF";

    // One cell as it goes into the file: neutralised, then quoted if needed.
    [[nodiscard]] static QString cell(const QString &text);
    // One line of cells, each through cell(), with its CRLF.
    [[nodiscard]] static QByteArray line(const QStringList &cells);
};

} // namespace rf
