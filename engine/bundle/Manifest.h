// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

namespace rf {

// manifest.json, the last entry of every response bundle: every other file of
// the archive with its size, SHA-256, where it came from and which case-file
// item(s) it holds. `rightsflow bundle verify` checks an archive against it.
//
//   {
//     "format": "rightsflow-bundle/1",
//     "reference": "DSR-2026-000123",
//     "right": "access",
//     "built": "2026-11-27T10:15:00Z",
//     "caseFile": "<sha256 hex of the case file the bundle was built from>",
//     "files": [
//       {"path": "README.html", "kind": "readme", "size": 5120, "sha256": "…"},
//       {"path": "letter.pdf", "kind": "letter", "size": 40960, "sha256": "…"},
//       {"path": "data/council-tax.json", "kind": "data", "size": 812, "sha256": "…",
//        "source": "council-tax", "items": [3, 4]},
//       {"path": "documents/Bill.pdf", "kind": "document", "size": 91234, "sha256": "…",
//        "source": "council-tax", "items": [2], "disposition": "redacted",
//        "exemption": "third-party"}
//     ],
//     "withheld": [{"item": 5, "source": "council-tax", "exemption": "crime-and-taxation"}]
//   }
//
// Keys are written in this order ("source", "items", "disposition" and
// "exemption" are left out when empty; "files" and "withheld" are always
// there, [] when empty), two spaces of indentation, "items" on one line,
// "built" in UTC whole seconds, paths in archive order, sha256 as lower-case
// hex; the same case file gives the same bytes.
struct ManifestFile {
    QString path;
    QString kind; // readme, letter, data, document
    qint64 size = 0;
    QString sha256; // lower-case hex
    QString source; // empty for readme and letter
    QList<int> items; // case-file item numbers; empty for readme and letter
    QString disposition; // documents: disclosed or redacted
    QString exemption; // redacted documents: the exemption id
};

struct ManifestWithheld {
    int item = 0;
    QString source;
    QString exemption;
};

struct Manifest {
    static inline const QString kFormat = QStringLiteral("rightsflow-bundle/1");
    static inline const QString kEntryName = QStringLiteral("manifest.json");

    QString format = kFormat;
    QString reference;
    QString right;
    QDateTime built; // UTC, whole seconds
    QString caseFile;
    QList<ManifestFile> files;
    QList<ManifestWithheld> withheld;

    [[nodiscard]] QByteArray toJson() const; // indented, UTF-8, ends with a newline
    // Strict: an unknown format, a missing, unknown or mistyped key, a path
    // that is not a safe entry path (EntryNamer::isSafeEntryPath) or is
    // manifest.json itself, a duplicate path (ignoring case, as the writer
    // does), a sha256 that is not 64 lower-case hex digits, a "built" that is
    // not YYYY-MM-DDTHH:MM:SSZ, an item number below 1, a redacted file
    // without an exemption or an exemption on a file that is not redacted is
    // an error (Invalid) with every problem as a detail line naming the JSON
    // path ("SOURCE: $.files[3].sha256: ..."). A later "rightsflow-bundle/N"
    // format is Unsupported, without checking the rest.
    [[nodiscard]] static Result<Manifest> parse(const QByteArray &json, const QString &source);
};

} // namespace rf
