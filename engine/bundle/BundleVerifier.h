// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "bundle/Manifest.h"
#include "core/Result.h"

#include <QString>
#include <QStringList>

#include <functional>

namespace rf {

// What `rightsflow bundle verify` found in an archive.
struct BundleCheck {
    Manifest manifest; // as read from the archive (empty when it could not be read)
    int entriesChecked = 0; // every entry of the archive, manifest.json included
    qint64 bytesChecked = 0; // uncompressed bytes read and hashed
    QStringList missing; // manifest paths with no entry in the archive, in manifest order
    QStringList extra; // entry names the manifest does not list (other than manifest.json)
    QStringList altered; // "PATH: what differs" (size, SHA-256, a CRC error, unreadable data)
    // "NAME: why" for entries that are unsafe to extract: not a safe relative
    // path (EntryNamer::isSafeEntryPath), a second entry with the same name
    // (ignoring case), a symbolic link, or a name whose encoding readers
    // disagree on. NAME shows control and bidirectional characters as \uXXXX.
    QStringList unsafe;
    // "offset N: what" for the archive's own structure (ZipStructure): a local
    // header that disagrees with the central directory, bytes outside the
    // archive's parts, an end record cut short. Readers extract such an
    // archive differently, or refuse it.
    QStringList structure;
    [[nodiscard]] bool intact() const
    {
        return missing.isEmpty() && extra.isEmpty() && altered.isEmpty() && unsafe.isEmpty() && structure.isEmpty();
    }
};

// Re-reads a response bundle, streaming every entry in chunks (bounded
// memory), and checks it against its manifest.json. An archive that is not a
// zip QuaZip can open (one cut well short, or with a damaged central
// directory), is empty, or has no readable and valid manifest, is an error
// (Invalid, naming the file; NotFound when there is no such file, Storage
// when it cannot be read, Unsupported for a newer manifest format); an
// archive whose entries differ from the manifest is a BundleCheck that is not
// intact, with every difference listed.
//
// Intact means more than "QuaZip reads it": every reader must extract the
// same files. So the raw bytes are checked too (ZipStructure, its own pass,
// not QuaZip's): every local header agrees with its central directory record,
// and the entries, central directory and end records account for every byte
// of the file. An archive cut short, with bytes prepended or appended, or
// whose local headers name other files than its central directory, is listed
// in `structure`: Info-ZIP unzip or Python's zipfile refuse or warn about
// most of these, and readers that stream local headers or scan for the last
// end record read the others differently.
//
// How entries are judged, in archive order:
//  - Names are decoded as UTF-8 when the zip's UTF-8 flag (bit 11) is set. A
//    name with non-ASCII bytes and no flag is unsafe (tools read it in
//    different code pages); it is still matched, as UTF-8, against the
//    manifest, so its content is checked too.
//  - A folder entry ("documents/") with a safe name and no data is ignored:
//    zip tools add them when a folder is zipped again, and they hold nothing.
//    One with data is unsafe; so is a symbolic link.
//  - An unsafe entry is listed in `unsafe` only, never also in `extra`; its
//    content is read only when its name is in the manifest (the encoding
//    case above: an unsafe path is never in a valid manifest).
//  - A second entry with the name of an earlier one (ignoring case, as Windows
//    and macOS do) is unsafe: extracting one overwrites the other. The first
//    one is the one compared with the manifest.
//  - A listed entry is streamed, and never past the size the manifest gives:
//    one byte more and it is `altered` ("inflates past the N bytes the
//    manifest gives"), however much it would inflate to. Its size and
//    SHA-256 are compared with the manifest, and QuaZip's CRC-32 check at
//    the end of the entry reports data changed in place; data that cannot be
//    decompressed, a damaged local header, fewer bytes than the zip declares
//    or an encrypted entry is `altered` too. One line per entry, its
//    problems joined by "; ".
//  - Entries the manifest does not list are `extra`; their content is not read.
//  - A manifest.json whose CRC-32 fails but which still parses is checked
//    against and listed as altered.
//
// The progress hook is called after every chunk (1 MiB) and every entry.
class BundleVerifier
{
public:
    struct Progress {
        int entriesDone = 0;
        int entriesTotal = 0;
        qint64 bytesDone = 0;
    };
    using ProgressHook = std::function<void(const Progress &)>;

    [[nodiscard]] static Result<BundleCheck> verify(const QString &zipPath, const ProgressHook &progress = {});
};

} // namespace rf
