// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSet>
#include <QString>

namespace rf {

// Safe, unique names for the entries of the citizen's zip bundle.
//
// A name an officer gives a file can be any string from a person or another
// system. The bundle must open with Windows Explorer, macOS Archive Utility,
// `unzip`, 7-Zip and Python's zipfile without writing outside its folder,
// losing a file to a name clash or failing on a name the filesystem refuses
// or a path Windows finds too long.
// EntryNamer turns each wanted name into `folder/name`, applying these rules
// to the name in this order:
//
//  1. Unicode is normalised to NFC (macOS hands out NFD; both must be one name).
//  2. Only the last component after any `/` or `\` is kept, ignoring trailing
//     separators (`../../etc/passwd` -> `passwd`, `C:\x` -> `x`), then a
//     leading drive letter is dropped (`C:x.txt` -> `x.txt`, as Python's
//     zipfile does).
//  3. Characters that are unsafe anywhere are replaced by `_`, a run of them by
//     one `_`: controls (U+0000-U+001F, U+007F, U+0080-U+009F); what Windows
//     forbids (`< > : " / \ | ? *`); look-alike slashes that a "best fit"
//     code page conversion turns into real ones (U+2215, U+2216, U+29F5,
//     U+29F8, U+29F9, U+FE68, U+FF0F, U+FF3C); line and paragraph separators
//     and the bidirectional overrides and isolates (U+2028-U+202E,
//     U+2066-U+2069) that can disguise an extension; unpaired surrogates.
//  4. Leading whitespace and dots are dropped (no hidden file, no `.` or `..`);
//     trailing whitespace and dots are dropped (Windows strips them).
//  5. A Windows device name (CON, PRN, AUX, NUL, COM0-COM9, LPT0-LPT9, COM and
//     LPT with superscript 1-3, CONIN$, CONOUT$), compared case-insensitively
//     on the part before the first dot with trailing spaces ignored, gets a
//     `_` prefix (`CON.txt` -> `_CON.txt`, `aux .txt` -> `_aux .txt`). It is
//     checked on the final name, since cutting can make one (`CON` + spaces).
//  6. A stem (the name without its extension) that is empty or only `_`
//     becomes `file` (`..` -> `file`, `???.pdf` -> `file.pdf`).
//  7. The name is cut to kMaxNameUtf16Units UTF-16 code units and
//     kMaxNameBytes UTF-8 bytes, whichever is reached first, and further so
//     that the whole entry path is within kMaxPathUtf16Units: the stem is
//     shortened at a grapheme boundary (never inside a surrogate pair, a
//     combining sequence or an emoji sequence; at a code point boundary if one
//     grapheme alone is too long); the extension and any ` (2)` of rule 8 are
//     kept and counted inside the limits. An extension is what follows the
//     last dot when it is 1 to kMaxExtensionChars characters without
//     whitespace.
//     Why these limits: Windows Explorer's own zip extraction, and many
//     Windows programs, fail on a path longer than MAX_PATH, 260 UTF-16 code
//     units including the terminating NUL, counted from the drive letter of
//     the folder the citizen extracts into. That folder is typically
//     `C:\Users\margaret.ellis\Downloads\DSR-2026-000123\` (50 units);
//     with OneDrive and a folder of the citizen's own it can be
//     `C:\Users\margaret.ellis\OneDrive - Northshire County Council\` +
//     `Downloads\Subject access request\DSR-2026-000123\` (110 units). That
//     leaves 260 - 1 (NUL) - 110 (folder and its separator) = 149 units for
//     the entry path with its own separators; kMaxPathUtf16Units = 140 keeps
//     9 in reserve. A name, and the folder segment itself, is held to 100
//     units, so that a folder always leaves a name 140 - 100 - 1 = 39 units:
//     room for a stem, a ` (9999)` and the longest extension. UTF-8 bytes are
//     counted as well, since ext4, APFS and most Unix filesystems take at
//     most 255 bytes in one name: 100 CJK characters are 300 bytes (the byte
//     limit keeps 85 of them), while 100 units of emoji are only 200 bytes
//     (the unit limit keeps 50). A path needs no byte limit of its own: 140
//     units are at most 420 bytes.
//  8. Names are unique case-insensitively (Unicode case folding; Windows and
//     macOS filesystems ignore case): a clash gets ` (2)`, ` (3)`... before
//     the extension (`report.PDF` after `Report.pdf` -> `report (2).PDF`),
//     and a suffixed name is itself checked against every name given out.
//
// The same sequence of add() calls always gives the same names, so building a
// bundle twice gives the same manifest. Names are meant to be stored in UTF-8
// with the zip's UTF-8 flag (general purpose bit 11) set.
//
// Not a QObject; one namer per folder of one bundle.
class EntryNamer
{
public:
    // See rule 7 for the arithmetic behind these.
    static constexpr qsizetype kMaxNameBytes = 255; // UTF-8 bytes in one name: the usual Unix filesystem limit
    static constexpr qsizetype kMaxNameUtf16Units = 100; // UTF-16 code units in one name (QString::size())
    static constexpr qsizetype kMaxPathUtf16Units = 140; // UTF-16 code units in a whole entry path, `/` included
    static constexpr qsizetype kMaxExtensionChars = 10;

    // `folder` is one segment such as `documents` or `data`. It is cleaned by
    // the same rules as a name (`../data` -> `data`); an empty folder, or one
    // that cleans to nothing, puts the entries at the root of the archive.
    explicit EntryNamer(QString folder);

    [[nodiscard]] QString folder() const { return m_folder; }

    // A safe relative entry path `folder/name` for a file the officer called
    // `wanted`, unique within this namer.
    [[nodiscard]] QString add(const QString &wanted);

    // The name part add() starts from for `wanted`, before clashes are resolved.
    [[nodiscard]] static QString safeName(const QString &wanted);

    // Whether an entry path read from an existing archive is safe to extract:
    // relative, `/`-separated, every segment non-empty, not `.` or `..`, within
    // kMaxNameUtf16Units and kMaxNameBytes, without the characters of rule 3
    // (so no backslash and no drive letter), without trailing whitespace or
    // dot, not a device name; the whole path within kMaxPathUtf16Units. These
    // are the limits add() keeps to, so every path it gives passes. A
    // directory entry (`documents/`) is not accepted: the bundle writer never
    // needs one.
    [[nodiscard]] static bool isSafeEntryPath(const QString &path);

private:
    bool claim(const QString &name);

    QString m_folder;
    qsizetype m_nameUtf16Units = kMaxNameUtf16Units; // what the path limit leaves for a name in this folder
    QSet<QString> m_takenKeys; // case-folded names already given out
};

} // namespace rf
