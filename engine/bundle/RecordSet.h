// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

namespace rf {

// Structured records an officer exported from a source system (a council tax
// account's rows, a webchat transcript's messages), as a case-file item.
//
// The file an officer gives is JSON, either an array of flat objects, one per
// record, or {"columns": [...], "records": [...]} to fix the column order
// (otherwise the columns are the keys in alphabetical order). A record's
// values are strings, numbers, true/false or null: one value per column, so
// that the CSV copy holds exactly what the JSON copy holds. Anything else is
// refused, every problem named as "FILE: $.records[3].address: …".
class RecordSet
{
public:
    [[nodiscard]] static Result<RecordSet> parse(const QByteArray &json, const QString &source);

    [[nodiscard]] const QStringList &columns() const { return m_columns; }
    [[nodiscard]] const QList<QJsonObject> &records() const { return m_records; }
    // {"columns": [...], "records": [...]}, compact: what the register stores,
    // so the same records always have the same SHA-256.
    [[nodiscard]] QByteArray canonicalJson() const;

private:
    QStringList m_columns;
    QList<QJsonObject> m_records;
};

// CSV as spreadsheet programs and Python's csv module read it (RFC 4180):
// fields quoted when they hold a comma, quote, CR or LF; CRLF line ends.
class CsvWriter
{
public:
    // The UTF-8 byte order mark: Excel reads the file as UTF-8 only with it.
    static constexpr char kBom[] = "\xEF\xBB\xBF";

    // One line of fields, with its CRLF.
    [[nodiscard]] static QByteArray line(const QStringList &fields);
    // A JSON value as a CSV field: strings as they are, numbers as JSON writes
    // them, true/false, null as empty. A string a spreadsheet would run as a
    // formula (starting with = + - @, tab or CR) gets a leading apostrophe, so
    // it shows as text; the JSON copy keeps it exactly.
    [[nodiscard]] static QString field(const QJsonValue &value);
};

} // namespace rf
