// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "bundle/BundleContent.h"
#include "bundle/Manifest.h"
#include "core/Result.h"
#include "core/SafeOutput.h"
#include "request/CaseItem.h"
#include "request/Request.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <functional>
#include <memory>

namespace rf {

class ExemptionList;
class ProcessingRegister;
class Store;

// How far a bundle build has gone, for a progress line or bar.
struct BundleProgress {
    QString phase; // "preparing", "writing", "checking"
    int entriesDone = 0;
    int entriesTotal = 0;
    qint64 bytesDone = 0; // uncompressed content written (or, checking, read back)
    qint64 bytesTotal = 0;
    QString current; // the entry being written
};
using BundleProgressHook = std::function<void(const BundleProgress &)>;

struct BuiltBundle {
    QString path; // where it is, or will be once placed
    // The finished archive, synced but not yet at `path` when build() returns:
    // the caller records it, then places it (OutputFile::place, finish or
    // rollback). Empty once it is in place.
    std::shared_ptr<OutputFile> output;
    QString sha256; // of the zip file, lower-case hex
    qint64 size = 0;
    int entries = 0; // manifest.json included
    Manifest manifest;
    ResponseSummary summary;
};

// Builds the zip a requester receives for an access or portability request:
//
//   README.html   what the archive is and what each file holds
//   letter.pdf    the covering letter (Art 15 supplementary information)
//   data/         one JSON and one CSV file per source system, the records
//   documents/    disclosed and redacted documents (access only)
//   manifest.json every other file with its size, SHA-256 and item
//
// Every item must be marked; withheld items (and, for portability, what the
// subject did not provide) are left out, and only the redacted copy of a
// redacted item goes in. Content streams from the register in chunks, so
// memory does not grow with the bundle. The zip is written beside the target
// (checked already by SafeOutput::resolve) and handed back unplaced, for the
// caller to put in place once it is recorded: a failure leaves nothing.
class BundleBuilder
{
public:
    struct Input {
        const Request &request;
        const QList<CaseItem> &items;
        const ProcessingRegister &processing;
        const ExemptionList &exemptions;
        QDateTime builtAt; // the manifest's and the PDF's date, the entries' timestamps
        QDate letterDate; // council time
        QString officerName;
        QString searchRecord; // see ResponseSummary::searchRecord
    };

    // The SHA-256 of what a bundle is built from: every item's number, kind,
    // content, source, category, date, name, disposition, exemption and
    // redacted copy. The same digest means the same bundle content.
    [[nodiscard]] static QString caseFileDigest(const QList<CaseItem> &items);

    // What stops a bundle being built from these items now: every problem,
    // one detail line each; ok when it can be built.
    [[nodiscard]] static Status checkReady(const Input &input);

    [[nodiscard]] static Result<BuiltBundle> build(
        Store &store, const Input &input, const OutputTarget &target, const BundleProgressHook &progress = {});
};

} // namespace rf
