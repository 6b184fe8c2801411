// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDate>
#include <QDateTime>
#include <QString>
#include <QStringList>

namespace rf {

// One thing an officer collected for a request's response: a document (a
// file as the source system gave it) or a set of structured records (rows
// from a source system, as JSON). Its content is kept in the register,
// addressed by SHA-256 and stored in chunks so that neither adding nor
// bundling it needs the whole of it in memory.
//
// Before a bundle is built every item is marked: disclosed as it is,
// redacted (with the redacted copy, which is what the requester receives)
// or withheld; a redaction or a withholding names its exemption.
struct CaseItem {
    // Content is stored in chunks of this size (the last may be shorter).
    static constexpr qint64 kChunkBytes = 1024 * 1024;

    static inline const QString kDocument = QStringLiteral("document");
    static inline const QString kRecords = QStringLiteral("records");
    static inline const QString kPending = QStringLiteral("pending");
    static inline const QString kDisclosed = QStringLiteral("disclosed");
    static inline const QString kRedacted = QStringLiteral("redacted");
    static inline const QString kWithheld = QStringLiteral("withheld");

    qint64 id = 0;
    qint64 requestId = 0;
    int number = 0; // 1, 2, 3… within its request: what officers type
    QString kind; // kDocument or kRecords
    QString name; // the file name as collected
    QString mediaType;
    QString source; // the processing-register system it came from
    QString category; // one of that system's categories of data
    QDate date; // the document's or the records' date; invalid when unknown
    QString sha256; // of the content, lower-case hex
    qint64 size = 0;
    int records = 0; // records items: how many records
    QString disposition = kPending;
    QString exemption; // the exemption id of a redaction or a withholding
    QString redactedName;
    QString redactedMediaType;
    QString redactedSha256;
    qint64 redactedSize = 0;
    QString addedBy;
    QDateTime addedAt;
    QString markedBy;
    QDateTime markedAt;

    // The content the requester receives: the redacted copy when redacted.
    [[nodiscard]] QString releasedSha256() const { return disposition == kRedacted ? redactedSha256 : sha256; }
    [[nodiscard]] qint64 releasedSize() const { return disposition == kRedacted ? redactedSize : size; }
};

// A response bundle built for a request, as the register remembers it.
struct BundleRecord {
    qint64 id = 0;
    qint64 requestId = 0;
    QString sha256; // of the zip file
    qint64 size = 0;
    int entries = 0;
    QString caseFile; // the case-file digest it was built from (Manifest::caseFile)
    QString fileName; // the name it was written under, without its folder
    QString builtBy;
    QDateTime builtAt;
    qint64 auditSeq = 0;
};

} // namespace rf
