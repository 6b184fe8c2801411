// SPDX-License-Identifier: GPL-3.0-or-later
#include "BundleVerifier.h"

#include "bundle/EntryNames.h"
#include "bundle/ZipStructure.h"
#include "core/InputLimits.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QStringDecoder>

#include <quazip/quazip.h>
#include <quazip/quazipfile.h>
#include <quazip/unzip.h>

#include <algorithm>

namespace rf {

namespace {

constexpr qint64 kChunkSize = 1024 * 1024;
// manifest.json is the one entry held in memory whole. A manifest line is
// about 200 bytes, so this allows some 300 000 files; anything bigger is not
// a manifest Rightsflow wrote.
constexpr qint64 kMaxManifestBytes = maxInputBytes(InputKind::Manifest);

constexpr quint32 kUnixHost = 3; // "version made by" high byte: the external attributes hold a Unix mode
constexpr quint32 kUnixFileTypeMask = 0170000;
constexpr quint32 kUnixSymlink = 0120000;

// What one central-directory record says, with the name decoded and judged.
struct EntryInfo {
    QString name; // decoded: UTF-8 when flagged (or when a flag-less name is valid UTF-8)
    QString nameProblem; // why the name is unsafe; empty when it is safe
    bool directory = false;
    bool encrypted = false;
    qint64 size = 0; // uncompressed, as the central directory says
};

// A name as it may be printed (see printableEntryName).
QString shown(const QString &name)
{
    return printableEntryName(name);
}

QString describeZipError(int code)
{
    switch (code) {
    case UNZ_ERRNO:
        return QStringLiteral("the file could not be read");
    case UNZ_BADZIPFILE:
        return QStringLiteral("damaged zip headers");
    case UNZ_CRCERROR:
        return QStringLiteral("CRC-32 mismatch");
    case Z_DATA_ERROR:
        return QStringLiteral("damaged compressed data");
    case Z_STREAM_ERROR:
        return QStringLiteral("damaged compressed stream");
    case Z_MEM_ERROR:
        return QStringLiteral("out of memory");
    case Z_BUF_ERROR:
        return QStringLiteral("the compressed data ends early");
    case UNZ_PARAMERROR:
        return QStringLiteral("an unsupported compression method or entry");
    default:
        break;
    }
    return QStringLiteral("zip error %1").arg(code);
}

// Why EntryNamer::isSafeEntryPath() refuses `name`, in words for the officer
// or citizen reading the report.
QString unsafeReason(const QString &name)
{
    static const QRegularExpression drive(QStringLiteral("^[A-Za-z]:"));
    if (name.isEmpty())
        return QStringLiteral("an empty name");
    if (name.startsWith(QLatin1Char('/')))
        return QStringLiteral("an absolute path, which would be extracted outside the chosen folder");
    if (name.split(QLatin1Char('/')).contains(QStringLiteral("..")))
        return QStringLiteral("\"..\" in the path, which would be extracted outside the chosen folder");
    if (drive.match(name).hasMatch())
        return QStringLiteral("a drive letter, which Windows would extract outside the chosen folder");
    if (name.contains(QLatin1Char('\\')))
        return QStringLiteral("a backslash, which Windows reads as a folder separator");
    return QStringLiteral("not a safe relative path (an empty or \".\" segment, a control or look-alike character, a trailing "
                          "dot or space, a name Windows refuses or one too long)");
}

// Decodes and judges the name of the current entry. Names are read as raw
// bytes (QuaZip's own getCurrentFileName() cuts them at 256 bytes and decodes
// names without the UTF-8 flag with the locale's codec).
Result<EntryInfo> readEntryInfo(QuaZip &zip, const QString &where)
{
    unz_file_info64 info {};
    int code = unzGetCurrentFileInfo64(zip.getUnzFile(), &info, nullptr, 0, nullptr, 0, nullptr, 0);
    QByteArray raw(static_cast<qsizetype>(info.size_filename), Qt::Uninitialized);
    if (code == UNZ_OK)
        code = unzGetCurrentFileInfo64(
            zip.getUnzFile(), nullptr, raw.data(), static_cast<uLong>(raw.size()), nullptr, 0, nullptr, 0);
    if (code != UNZ_OK)
        return makeError(ErrorCode::Invalid,
            QStringLiteral("%1: not a complete zip archive (a central directory record cannot be read: %2)")
                .arg(where, describeZipError(code)));

    EntryInfo entry;
    entry.size = static_cast<qint64>(info.uncompressed_size);
    entry.encrypted = (info.flag & 1u) != 0;

    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    entry.name = QString(utf8.decode(raw));
    const bool validUtf8 = !utf8.hasError();
    const bool ascii = std::all_of(raw.cbegin(), raw.cend(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if ((info.flag & UNZ_ENCODING_UTF8) != 0) {
        if (!validUtf8)
            entry.nameProblem = QStringLiteral("the name is marked as UTF-8 but is not valid UTF-8");
    } else if (!ascii) {
        // The zip standard reads a name without the UTF-8 flag in code page
        // 437, Windows in its own DOS code page, Linux tools in the locale's:
        // the same entry extracts under different names.
        if (!validUtf8)
            entry.name = QString::fromLatin1(raw);
        entry.nameProblem = QStringLiteral("a name with non-ASCII characters without the zip's UTF-8 flag, which "
                                           "archive tools read differently (Rightsflow always sets the flag)");
    }

    entry.directory = entry.name.endsWith(QLatin1Char('/'));
    const QString path = entry.directory ? entry.name.chopped(1) : entry.name;
    if (entry.nameProblem.isEmpty() && !EntryNamer::isSafeEntryPath(path))
        entry.nameProblem = unsafeReason(path);
    if (entry.nameProblem.isEmpty() && (info.version >> 8) == kUnixHost
        && ((info.external_fa >> 16) & kUnixFileTypeMask) == kUnixSymlink)
        entry.nameProblem = QStringLiteral("a symbolic link, which can point anywhere once extracted");
    if (entry.nameProblem.isEmpty() && entry.directory && entry.size != 0)
        entry.nameProblem = QStringLiteral("a folder entry that holds data");
    return entry;
}

// What streaming one entry found.
struct Streamed {
    qint64 size = 0;
    QByteArray sha256; // raw 32 bytes
    QStringList problems; // what went wrong while reading, for "altered"
    bool crcMismatch = false; // read to its end, but the CRC-32 differs from the stored one
};

// Reads the current entry of `zip` in chunks, hashing it; `onChunk` is told
// the size of every chunk. With `keep`, the content is also collected there,
// up to `keepLimit` bytes. With an `expectedSize` (the manifest's), reading
// stops at the first byte past it: a small entry that inflates to gigabytes
// is known to differ from the manifest after one byte more, whatever the zip
// declares.
Streamed streamCurrentEntry(QuaZip &zip, const EntryInfo &info, QByteArray &buffer, const std::function<void(qint64)> &onChunk,
    QByteArray *keep = nullptr, qint64 keepLimit = 0, qint64 expectedSize = -1)
{
    Streamed result;
    if (info.encrypted) {
        // Never the case for a bundle Rightsflow wrote; it cannot be checked
        // without a password, and the citizen could not open it either.
        result.problems << QStringLiteral("encrypted, so its content cannot be checked");
        return result;
    }
    QuaZipFile entry(&zip);
    if (!entry.open(QIODevice::ReadOnly)) {
        result.problems << QStringLiteral("cannot be opened (%1)").arg(describeZipError(entry.getZipError()));
        return result;
    }
    QCryptographicHash sha256(QCryptographicHash::Sha256);
    for (;;) {
        qint64 wanted = buffer.size();
        if (expectedSize >= 0)
            wanted = std::min(wanted, expectedSize + 1 - result.size);
        const qint64 got = entry.read(buffer.data(), wanted);
        if (got < 0) {
            result.problems << QStringLiteral("cannot be read after %1 bytes (%2)")
                                   .arg(result.size)
                                   .arg(describeZipError(entry.getZipError()));
            break;
        }
        if (got == 0)
            break;
        sha256.addData(QByteArrayView(buffer.constData(), got));
        if (keep) {
            if (keep->size() + got > keepLimit) {
                result.problems << QStringLiteral("more than %1 bytes").arg(keepLimit);
                break;
            }
            keep->append(buffer.constData(), got);
        }
        result.size += got;
        onChunk(got);
        if (expectedSize >= 0 && result.size > expectedSize) {
            const QString stopped = QStringLiteral("inflates past the %1 bytes the manifest gives (the zip declares %2 "
                                                   "bytes); reading stopped there");
            result.problems << stopped.arg(expectedSize).arg(info.size);
            break;
        }
    }
    const bool readAll = result.problems.isEmpty();
    // Closing an entry read to its end compares the CRC-32 the zip stored with
    // the one of the content read (UNZ_CRCERROR when they differ).
    entry.close();
    if (readAll) {
        if (const int code = entry.getZipError(); code == UNZ_CRCERROR) {
            result.crcMismatch = true;
            result.problems << QStringLiteral("CRC-32 error: the content does not match the checksum stored in the zip, "
                                              "so the archive was altered or damaged");
        } else if (code != UNZ_OK)
            result.problems << QStringLiteral("cannot be read to its end (%1)").arg(describeZipError(code));
        else if (result.size != info.size)
            // minizip only checks the CRC of an entry read to its declared end.
            result.problems
                << QStringLiteral("%1 bytes could be read of the %2 the zip declares").arg(result.size).arg(info.size);
    }
    result.sha256 = sha256.result();
    return result;
}

} // namespace

Result<BundleCheck> BundleVerifier::verify(const QString &zipPath, const ProgressHook &progress)
{
    const QString where = QDir::toNativeSeparators(zipPath);
    const QFileInfo fileInfo(zipPath);
    if (!fileInfo.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("%1: no such file").arg(where));
    if (fileInfo.isDir())
        return makeError(ErrorCode::Invalid, QStringLiteral("%1: a folder, not a zip archive").arg(where));

    QFile file(zipPath);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Storage, QStringLiteral("%1: cannot read the file: %2").arg(where, file.errorString()));
    const auto noManifest = [&](const QString &what) {
        return makeError(ErrorCode::Invalid,
            QStringLiteral("%1: %2 no manifest.json, so it is not a Rightsflow response bundle (or its manifest was "
                           "removed); nothing can be checked without it")
                .arg(where, what));
    };
    QuaZip zip(&file);
    if (!zip.open(QuaZip::mdUnzip)) {
        // minizip cannot open a zip without entries: its end record is at
        // offset 0, which minizip takes for "not found".
        if (file.isOpen() || file.open(QIODevice::ReadOnly)) {
            file.seek(0);
            if (file.read(4) == QByteArrayLiteral("PK\x05\x06"))
                return noManifest(QStringLiteral("the archive is empty: it has"));
        }
        return makeError(ErrorCode::Invalid,
            QStringLiteral("%1: not a zip archive (no intact zip directory was found at its end: the file is of another "
                           "kind, or a zip that was cut short or damaged)")
                .arg(where));
    }

    // Pass 1: every central-directory record, and the manifest's content.
    QList<EntryInfo> entries;
    qsizetype manifestIndex = -1;
    QByteArray manifestJson;
    Streamed manifestRead;
    QByteArray buffer(kChunkSize, Qt::Uninitialized);
    BundleVerifier::Progress state;
    state.entriesTotal = std::max(0, zip.getEntriesCount()); // what the end record says, until pass 1 has counted
    const auto report = [&] {
        if (progress)
            progress(state);
    };
    const auto chunkDone = [&](qint64 bytes) {
        state.bytesDone += bytes;
        report();
    };
    for (bool more = zip.goToFirstFile(); more; more = zip.goToNextFile()) {
        Result<EntryInfo> info = readEntryInfo(zip, where);
        if (!info)
            return info.error();
        if (manifestIndex < 0 && info->name == Manifest::kEntryName) {
            manifestIndex = entries.size();
            if (info->size > kMaxManifestBytes)
                return makeError(ErrorCode::Invalid,
                    QStringLiteral("%1: its manifest.json is %2 bytes, far more than any bundle manifest (at most %3)")
                        .arg(where)
                        .arg(info->size)
                        .arg(kMaxManifestBytes));
            manifestJson.reserve(info->size);
            manifestRead = streamCurrentEntry(zip, *info, buffer, chunkDone, &manifestJson, kMaxManifestBytes);
        }
        entries.append(*info);
    }
    if (const int code = zip.getZipError(); code != UNZ_OK && code != UNZ_END_OF_LIST_OF_FILE)
        return makeError(ErrorCode::Invalid,
            QStringLiteral("%1: not a complete zip archive (its central directory is damaged after %2 entries: %3; the "
                           "file was cut short or altered)")
                .arg(where)
                .arg(entries.size())
                .arg(describeZipError(code)));

    if (manifestIndex < 0)
        return noManifest(QStringLiteral("the archive has"));
    if (!manifestRead.problems.isEmpty() && !manifestRead.crcMismatch)
        return makeError(ErrorCode::Invalid,
            QStringLiteral("%1: %2: %3").arg(where, Manifest::kEntryName, manifestRead.problems.join(QStringLiteral("; "))));
    Result<Manifest> manifest = Manifest::parse(manifestJson, QStringLiteral("manifest.json in %1").arg(where));
    if (!manifest)
        return manifest.error();

    BundleCheck check;
    check.manifest = *manifest;
    // QuaZip reads what the central directory says; other readers follow the
    // local headers or the last end record. Only an archive they all read
    // alike is intact.
    {
        QFile raw(zipPath);
        if (!raw.open(QIODevice::ReadOnly))
            return makeError(ErrorCode::Storage, QStringLiteral("%1: cannot read the file: %2").arg(where, raw.errorString()));
        Result<QStringList> structure = ZipStructure::check(raw, where);
        if (!structure)
            return structure.error();
        check.structure = *structure;
    }
    // A manifest that parses but fails its CRC was edited inside the zip: the
    // checks below still run, against a manifest that cannot be trusted.
    if (manifestRead.crcMismatch)
        check.altered << QStringLiteral("%1: %2").arg(Manifest::kEntryName, manifestRead.problems.join(QStringLiteral("; ")));

    QHash<QString, qsizetype> manifestByPath;
    for (qsizetype i = 0; i < check.manifest.files.size(); ++i)
        manifestByPath.insert(check.manifest.files.at(i).path, i);
    QList<bool> found(check.manifest.files.size(), false);

    // Pass 2: judge every entry in archive order, streaming those the manifest lists.
    state.entriesTotal = static_cast<int>(entries.size());
    QHash<QString, QString> seenNames; // case-folded name -> the name first seen
    qsizetype index = 0;
    for (bool more = zip.goToFirstFile(); more && index < entries.size(); more = zip.goToNextFile(), ++index) {
        const EntryInfo &entry = entries.at(index);
        const auto done = qScopeGuard([&] {
            ++state.entriesDone;
            report();
        });

        if (!entry.nameProblem.isEmpty())
            check.unsafe << QStringLiteral("%1: %2").arg(shown(entry.name), entry.nameProblem);
        else if (entry.directory)
            continue; // an empty folder entry, as zip tools add when re-packing a folder: no content, no harm

        // Extracting both would write one file over the other (names compared
        // as Windows and macOS do), and which one survives depends on the tool.
        const QString key = entry.name.toCaseFolded();
        if (const auto first = seenNames.constFind(key); first != seenNames.constEnd()) {
            check.unsafe << QStringLiteral("%1: a second entry with the name of \"%2\" (names are compared ignoring case); "
                                           "extracting one overwrites the other")
                                .arg(shown(entry.name), shown(*first));
            continue;
        }
        seenNames.insert(key, entry.name);

        if (index == manifestIndex)
            continue; // read in pass 1
        const auto listed = manifestByPath.constFind(entry.name);
        if (listed == manifestByPath.constEnd()) {
            // An unsafe name is never in a valid manifest, so it is reported once, as unsafe.
            if (entry.nameProblem.isEmpty())
                check.extra << entry.name;
            continue;
        }
        found[*listed] = true;
        const ManifestFile &expected = check.manifest.files.at(*listed);
        const Streamed read = streamCurrentEntry(zip, entry, buffer, chunkDone, nullptr, 0, expected.size);
        QStringList differences = read.problems;
        if (read.problems.isEmpty()) {
            const QString sha256 = QString::fromLatin1(read.sha256.toHex());
            if (read.size != expected.size)
                differences << QStringLiteral("%1 bytes with SHA-256 %2, the manifest says %3 bytes with SHA-256 %4")
                                   .arg(read.size)
                                   .arg(sha256)
                                   .arg(expected.size)
                                   .arg(expected.sha256);
            else if (sha256 != expected.sha256)
                differences << QStringLiteral("SHA-256 %1, the manifest says %2 (same size, different content)")
                                   .arg(sha256, expected.sha256);
        }
        if (!differences.isEmpty())
            check.altered << QStringLiteral("%1: %2").arg(expected.path, differences.join(QStringLiteral("; ")));
    }
    if (index != entries.size())
        return makeError(ErrorCode::Invalid,
            QStringLiteral("%1: the zip's central directory could not be read a second time after %2 entries (%3)")
                .arg(where)
                .arg(index)
                .arg(describeZipError(zip.getZipError())));

    for (qsizetype i = 0; i < check.manifest.files.size(); ++i) {
        if (!found.at(i))
            check.missing << check.manifest.files.at(i).path;
    }
    check.entriesChecked = state.entriesDone;
    check.bytesChecked = state.bytesDone;
    return check;
}

} // namespace rf
