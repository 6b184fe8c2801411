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
    // A record's value as the text of its CSV cell: strings as they are,
    // numbers as JSON writes them, true/false, null as empty. Csv::cell() then
    // neutralises what a spreadsheet would run; the JSON copy keeps it exactly.
    [[nodiscard]] static QString cellText(const QJsonValue &value);

private:
    QStringList m_columns;
    QList<QJsonObject> m_records;
};

} // namespace rf
