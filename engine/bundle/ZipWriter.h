// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"
#include "core/SafeOutput.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QSet>
#include <QString>

#include <functional>
#include <memory>

class QIODevice;
class QuaZip;

namespace rf {

// Writes the citizen's zip bundle: safely, atomically, reproducibly and in
// bounded memory.
//
// Entries are added one after another, by a name that must already be a safe
// relative entry path (EntryNamer::isSafeEntryPath; an unsafe name is refused,
// never written), from a QIODevice streamed in chunks or from a small
// QByteArray. While an entry is copied its SHA-256, CRC-32 and size are
// computed from the same chunks, so the manifest needs no second read. Names
// are stored in UTF-8 with the zip's UTF-8 flag (general purpose bit 11).
//
// The archive is written to a temporary file next to the target (OutputFile,
// after SafeOutput's checks of the target) and put in place by commit() only,
// or handed over unplaced by complete() to a caller that must record it
// first. Any failure discards the temporary file at once and leaves the
// writer failed; destroying an uncommitted writer discards it too. A failed
// or uncommitted build therefore never leaves a partial zip, nor a temporary
// file, in the destination folder; nor does a full disk crash it.
//
// Reproducible: every entry gets the same timestamp (Options::timestamp), the
// same attributes (a regular file, rw-r--r--), no extra fields and no data
// descriptors, in the order added; so the same entries added in the same order
// give a byte-identical archive.
//
// Zip64: an entry whose size is unknown (a sequential device) or near 4 GiB is
// written with zip64 headers; offsets past 4 GiB and more than 65535 entries
// get zip64 records from QuaZip's minizip automatically. Small entries keep
// plain headers, which every reader understands.
//
// Memory: one chunk buffer (Options::chunkSize) plus zlib's state plus one
// central directory record per entry, whatever the size of the content.
//
// Not a QObject and not thread-safe; one writer builds one archive.
class ZipWriter
{
public:
    enum class Compression {
        Automatic, // deflate, except for types that are already compressed (see isAlreadyCompressed)
        Store,
        Deflate,
    };

    struct Options {
        // Stored as every entry's modification time (zip's DOS time: local
        // time, two-second resolution, 1980-2107). Invalid means 1980-01-01.
        QDateTime timestamp;
        int deflateLevel = 6; // zlib's 1 (fastest) to 9 (smallest)
        qint64 chunkSize = 1024 * 1024;
        // Zip64 headers for every entry, not only those that need them (tests, or
        // readers that are known to handle zip64).
        bool forceZip64 = false;
        // Whether an existing file at the target may be replaced.
        Overwrite overwrite = Overwrite::Refuse;
    };

    // What was written for one entry, as the manifest needs it.
    struct Entry {
        QString name;
        qint64 size = 0; // uncompressed
        QByteArray sha256; // of the uncompressed content, raw 32 bytes
        quint32 crc32 = 0;
        bool deflated = false;
        bool zip64 = false;
    };

    struct Progress {
        int entriesDone = 0; // entries completely written
        qint64 bytesDone = 0; // uncompressed bytes copied so far, in all entries
    };
    // Called after every chunk and after every entry; must not call back into
    // the writer.
    using ProgressHook = std::function<void(const Progress &)>;

    // An entry bigger than this, or of unknown size, gets zip64 headers. A bit
    // below 4 GiB because deflate can grow incompressible data slightly.
    static constexpr qint64 kZip64Threshold = 0xFFFFFFFFLL - 64LL * 1024 * 1024;

    explicit ZipWriter(QString targetPath);
    ZipWriter(QString targetPath, Options options);
    // For a target the caller has checked already (SafeOutput::resolve).
    ZipWriter(OutputTarget target, Options options);
    ~ZipWriter(); // discards the archive unless commit() succeeded
    ZipWriter(const ZipWriter &) = delete;
    ZipWriter &operator=(const ZipWriter &) = delete;

    [[nodiscard]] QString targetPath() const { return m_targetPath; }

    // Creates the temporary file next to the target. The target's folder must exist.
    [[nodiscard]] Status open();

    void setProgressHook(ProgressHook hook) { m_progress = std::move(hook); }

    // Streams `source` (opened read-only here if it is not open yet) into the
    // entry `name` until its end. A read error fails the whole archive.
    [[nodiscard]] Result<Entry> addFile(const QString &name, QIODevice *source, Compression compression = Compression::Automatic);
    // For small generated files (manifest.json, README.html).
    [[nodiscard]] Result<Entry> addData(
        const QString &name, const QByteArray &data, Compression compression = Compression::Automatic);

    // Finishes the archive and puts it in place (replacing an older file only
    // with Overwrite::Replace).
    [[nodiscard]] Status commit();
    // Finishes the archive and hands it over, synced but not yet in place:
    // for a caller that records it (OutputFile::place, then finish or rollback).
    [[nodiscard]] Result<std::unique_ptr<OutputFile>> complete();
    // Throws the temporary file away; the writer cannot be used afterwards.
    void discard();

    [[nodiscard]] bool isOpen() const { return m_state == State::Open; }
    [[nodiscard]] const QList<Entry> &entries() const { return m_entries; }
    [[nodiscard]] qint64 bytesDone() const { return m_bytesDone; }

    // Whether a file name's extension says its content is already compressed
    // (JPEG, PNG, video, audio, zip and the Office/OpenDocument formats that are
    // zips), so that deflating it again would cost time for nothing. PDF is
    // deflated: its text, fonts and cross-reference tables are often stored
    // uncompressed, and scanned-letter PDFs still shrink a little.
    [[nodiscard]] static bool isAlreadyCompressed(const QString &name);

private:
    enum class State { Idle, Open, Committed, Failed };

    Status checkCanAdd(const QString &name) const;
    Result<Entry> writeEntry(
        const QString &name, QIODevice *source, const QString &sourceLabel, Compression compression, bool zip64);
    // Copies one entry; its QuaZipFile lives and dies in here, before the
    // archive can be discarded (a QuaZipFile outliving its QuaZip crashes).
    Result<Entry> copyEntry(
        const QString &name, QIODevice *source, const QString &sourceLabel, Compression compression, bool zip64);
    Status finishArchive();
    Error fail(Error error);
    void reportProgress() const;

    QString m_targetPath;
    OutputTarget m_checked; // set when the caller checked the target itself
    Options m_options;
    State m_state = State::Idle;
    std::unique_ptr<OutputFile> m_file;
    std::unique_ptr<QuaZip> m_zip;
    QByteArray m_buffer;
    QList<Entry> m_entries;
    QSet<QString> m_takenKeys; // case-folded names, as Windows and macOS compare them
    qint64 m_bytesDone = 0;
    ProgressHook m_progress;
};

} // namespace rf
