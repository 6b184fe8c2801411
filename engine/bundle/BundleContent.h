// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "bundle/ProcessingRegister.h"

#include <QDate>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace rf {

// What a response bundle holds, described for the people who read it: the
// covering letter (letter.pdf) and the README.html that opens the archive.
// BundleBuilder fills it from the request, its case file and the processing
// register; ResponseDocuments renders it. Nothing here is read back from the
// archive: the manifest (manifest.json) is the machine-readable side.

// A column of a data/ CSV file, as README.html documents it.
struct DataColumn {
    QString name;
    QString description;
};

// One file of the archive other than README.html, letter.pdf and manifest.json.
struct EnclosedFile {
    QString path; // the entry path in the archive, e.g. "documents/Council tax bill 2025.pdf"
    QString kind; // "document" (documents/) or "data" (data/)
    QString sourceId; // processing-register system id
    QString sourceName; // the system's name as a citizen reads it
    QString category; // data category (documents: the item's category)
    QDate date; // the document's date; invalid when unknown
    qint64 size = 0;
    // Documents: "disclosed" or "redacted"; the exemptions a redaction rests on.
    QString disposition;
    QString exemptionTitle;
    QString exemptionProvision;
    QString exemptionLetter; // the sentence that explains it to the requester
    // Data files: the CSV's columns in order (the JSON file has the same keys),
    // and how many records it holds.
    QList<DataColumn> columns;
    int records = 0;
};

// An item withheld in full. Described by where it came from and why it is
// withheld, never by its name: a file name can itself be third-party information.
struct WithheldEntry {
    int item = 0; // the item number in the case file
    QString sourceId;
    QString sourceName;
    QString category;
    QDate date;
    QString exemptionTitle;
    QString exemptionProvision;
    QString exemptionLetter;
};

struct ResponseSummary {
    QString reference; // DSR-2026-000123
    QString right; // "access" or "portability"
    QDate received;
    QDate letterDate; // the day the bundle was built, council time
    QDate due; // invalid when not known
    QString addresseeName; // the requester
    QString addresseeAddress; // postal address, may be empty
    QString addresseePostcode;
    QString addresseeEmail;
    QString subjectName; // the data subject; equals addresseeName unless someone acts for them
    bool actingForSubject = false;
    QString scope; // what the request asked for, as recorded
    // Where the officer searched, as recorded when collecting ended (the
    // workflow's "systems-searched" input); empty when not recorded.
    QString searchRecord;
    QString officerName; // who built it; the letter is signed for the council
    // Systems searched where the subject's data was found, in register order.
    QList<SystemDisclosure> systemsSearched;
    QList<EnclosedFile> documents; // documents/, in archive order
    QList<EnclosedFile> dataFiles; // data/, JSON and CSV of each system, in archive order
    QList<WithheldEntry> withheld;
    // Portability only: categories left out because the subject did not
    // provide them or the processing is not on consent or contract (Art 20).
    QStringList portabilityExcluded;
    SupplementaryInformation info; // Art 15(1)(a)-(h) and the contacts, for access
};

} // namespace rf
