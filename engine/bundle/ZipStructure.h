// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QString>
#include <QStringList>

class QIODevice;

namespace rf {

// Checks the layout of a zip archive over its raw bytes, so that what
// `bundle verify` calls intact is what every reader would extract, not only
// what QuaZip reads. Zip readers disagree where an archive is ambiguous:
// Info-ZIP and Python follow the central directory, streaming readers follow
// the local headers, readers that scan from the end find the last end record.
// An archive is laid out plainly when its end of central directory record
// (and zip64 end record and locator, when present) is where it says and ends
// the file exactly (a comment only of the length it gives); every central
// directory record points to a local header that agrees with it (signature,
// name bytes, flags including the UTF-8 bit, compression method, and CRC-32
// and sizes, from the data descriptor when there is one); and the entries,
// the central directory and the end records account for every byte of the
// file, with no gap, overlap, or bytes prepended or appended.
//
// It reads headers only (a few hundred bytes at a time, the end of the file's
// last 64 KiB at most), never entry data, and does not decompress anything.
class ZipStructure
{
public:
    // Every way `file` (open for reading, the whole archive) departs from that
    // layout, as "offset N: what differs", in file order of discovery; empty
    // when it has none. Storage when the file cannot be read.
    [[nodiscard]] static Result<QStringList> check(QIODevice &file, const QString &where);
};

// A zip entry name as it may be printed: as printable() shows any stored text
// (control, bidirectional and separator characters, which can disguise a name
// or rewrite a terminal line, escaped), and U+FFFD, which in an entry name
// stands for bytes that were not UTF-8, as \uFFFD.
[[nodiscard]] QString printableEntryName(const QString &name);

} // namespace rf
