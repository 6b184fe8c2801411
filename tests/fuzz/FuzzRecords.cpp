// SPDX-License-Identifier: GPL-3.0-or-later
// Records an officer exports from a source system (`rightsflow case add-records`):
// what RecordSet accepts reads back from its canonical JSON to the same
// records, and every record writes as one CSV line per the column count.
#include "FuzzSupport.h"

#include "bundle/RecordSet.h"
#include "core/Csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const bool started = rf::fuzz::quietStart();
    Q_UNUSED(started);
    const rf::Result<rf::RecordSet> set = rf::RecordSet::parse(rf::fuzz::bytes(data, size), QStringLiteral("records.json"));
    rf::fuzz::requireExplained(set, "RecordSet::parse");
    if (!set)
        return 0;
    const QByteArray canonical = set->canonicalJson();
    const rf::Result<rf::RecordSet> again = rf::RecordSet::parse(canonical, QStringLiteral("canonical.json"));
    rf::fuzz::require(bool(again), "accepted records' canonical JSON is accepted", again ? QString() : again.error().fullText());
    rf::fuzz::require(again->columns() == set->columns() && again->records() == set->records(),
        "accepted records read back from their canonical JSON");
    rf::fuzz::require(again->canonicalJson() == canonical, "the canonical JSON is canonical");
    rf::fuzz::require(rf::Csv::line(set->columns()).endsWith("\r\n"), "the CSV header ends with CRLF");
    for (const QJsonObject &record : set->records()) {
        QStringList fields;
        for (const QString &column : set->columns())
            fields << rf::RecordSet::cellText(record.value(column));
        rf::fuzz::require(rf::Csv::line(fields).endsWith("\r\n"), "a CSV line ends with CRLF");
    }
    return 0;
}
