// SPDX-License-Identifier: GPL-3.0-or-later
#include "ZipWriter.h"

#include "EntryNames.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QFileDevice>
#include <QFileInfo>

#include <quazip/quacrc32.h>
#include <quazip/quazip.h>
#include <quazip/quazipfile.h>
#include <quazip/quazipnewinfo.h>

namespace rf {

namespace {

// Extensions whose content is already compressed: deflating them again costs
// CPU time and saves next to nothing.
const QSet<QString> &alreadyCompressedSuffixes()
{
    static const QSet<QString> suffixes {
        // images
        QStringLiteral("jpg"),
        QStringLiteral("jpeg"),
        QStringLiteral("png"),
        QStringLiteral("gif"),
        QStringLiteral("webp"),
        QStringLiteral("heic"),
        QStringLiteral("heif"),
        QStringLiteral("avif"),
        QStringLiteral("jp2"),
        // audio and video (call recordings, CCTV)
        QStringLiteral("mp3"),
        QStringLiteral("m4a"),
        QStringLiteral("aac"),
        QStringLiteral("ogg"),
        QStringLiteral("oga"),
        QStringLiteral("opus"),
        QStringLiteral("flac"),
        QStringLiteral("wma"),
        QStringLiteral("mp4"),
        QStringLiteral("m4v"),
        QStringLiteral("mov"),
        QStringLiteral("mkv"),
        QStringLiteral("webm"),
        QStringLiteral("avi"),
        QStringLiteral("wmv"),
        QStringLiteral("3gp"),
        // archives
        QStringLiteral("zip"),
        QStringLiteral("gz"),
        QStringLiteral("tgz"),
        QStringLiteral("bz2"),
        QStringLiteral("xz"),
        QStringLiteral("zst"),
        QStringLiteral("7z"),
        QStringLiteral("rar"),
        QStringLiteral("jar"),
        // documents that are zip files inside
        QStringLiteral("docx"),
        QStringLiteral("xlsx"),
        QStringLiteral("pptx"),
        QStringLiteral("docm"),
        QStringLiteral("xlsm"),
        QStringLiteral("pptm"),
        QStringLiteral("odt"),
        QStringLiteral("ods"),
        QStringLiteral("odp"),
        QStringLiteral("odg"),
        QStringLiteral("epub"),
        QStringLiteral("msg"),
    };
    return suffixes;
}

QString describeSource(const QIODevice *source)
{
    if (const auto *file = qobject_cast<const QFileDevice *>(source); file && !file->fileName().isEmpty())
        return QDir::toNativeSeparators(file->fileName());
    return QStringLiteral("its source");
}

// QuaZip's minizip writes the DOS date from these fields; it cannot hold
// years before 1980 or after 2107.
bool fitsDosTime(const QDateTime &time)
{
    const int year = time.date().year();
    return year >= 1980 && year <= 2107;
}

} // namespace

ZipWriter::ZipWriter(QString targetPath)
    : ZipWriter(std::move(targetPath), Options())
{ }

ZipWriter::ZipWriter(QString targetPath, Options options)
    : m_targetPath(std::move(targetPath))
    , m_options(std::move(options))
{
    if (!m_options.timestamp.isValid())
        m_options.timestamp = QDateTime(QDate(1980, 1, 1), QTime(0, 0));
}

ZipWriter::ZipWriter(OutputTarget target, Options options)
    : ZipWriter(target.path, std::move(options))
{
    m_checked = std::move(target);
}

ZipWriter::~ZipWriter()
{
    discard();
}

bool ZipWriter::isAlreadyCompressed(const QString &name)
{
    const QString suffix = QFileInfo(name).suffix().toLower();
    return !suffix.isEmpty() && alreadyCompressedSuffixes().contains(suffix);
}

Status ZipWriter::open()
{
    if (m_state != State::Idle)
        return makeError(ErrorCode::Invalid, QStringLiteral("The zip writer for %1 was already opened.").arg(m_targetPath));
    if (m_targetPath.isEmpty())
        return makeError(ErrorCode::Invalid, QStringLiteral("No file name was given for the zip archive."));
    if (!fitsDosTime(m_options.timestamp))
        return makeError(ErrorCode::Invalid,
            QStringLiteral("The timestamp %1 for the entries of %2 cannot be stored in a zip archive: "
                           "use a date between 1980 and 2107.")
                .arg(m_options.timestamp.toString(Qt::ISODate), m_targetPath));
    if (m_options.deflateLevel < 1 || m_options.deflateLevel > 9)
        return makeError(ErrorCode::Invalid,
            QStringLiteral("Deflate level %1 for %2 is out of range: use 1 (fastest) to 9 (smallest).")
                .arg(m_options.deflateLevel)
                .arg(m_targetPath));
    if (m_options.chunkSize < 4096)
        m_options.chunkSize = 4096;

    const QString folder = QFileInfo(m_targetPath).absolutePath();
    if (!QFileInfo(folder).isDir())
        return makeError(ErrorCode::NotFound,
            QStringLiteral("Cannot write %1: the folder %2 does not exist.")
                .arg(QDir::toNativeSeparators(m_targetPath), QDir::toNativeSeparators(folder)));

    OutputTarget target = m_checked;
    if (target.path.isEmpty()) {
        Result<OutputTarget> checked
            = SafeOutput::resolve(m_targetPath, QString(), m_options.overwrite, QStringLiteral("the zip archive"));
        if (!checked) {
            m_state = State::Failed;
            return checked.error();
        }
        target = *checked;
    }
    // Never written straight into the target: a half-written bundle must not look like a bundle.
    Result<std::unique_ptr<OutputFile>> file = OutputFile::create(target, QStringLiteral("the zip archive"));
    if (!file) {
        m_state = State::Failed;
        return file.error();
    }
    m_file = std::move(file).value();

    m_zip = std::make_unique<QuaZip>(m_file->device());
    // The output file is closed by putting it in place, never by QuaZip.
    m_zip->setAutoClose(false);
    m_zip->setUtf8Enabled(true);
    // The output is a seekable file, so sizes and CRCs go into the local headers
    // and no data descriptors are needed: simpler for old readers.
    m_zip->setDataDescriptorWritingEnabled(false);
    if (!m_zip->open(QuaZip::mdCreate)) {
        const int code = m_zip->getZipError();
        m_state = State::Open; // so that fail() cleans up
        return fail(makeError(ErrorCode::Storage,
            QStringLiteral("Cannot start the zip archive %1 (zip error %2).")
                .arg(QDir::toNativeSeparators(m_targetPath))
                .arg(code)));
    }
    m_buffer.resize(m_options.chunkSize);
    m_state = State::Open;
    return {};
}

Status ZipWriter::checkCanAdd(const QString &name) const
{
    switch (m_state) {
    case State::Idle:
        return makeError(
            ErrorCode::Invalid, QStringLiteral("Cannot add %1: the zip writer for %2 is not open.").arg(name, m_targetPath));
    case State::Committed:
        return makeError(
            ErrorCode::Invalid, QStringLiteral("Cannot add %1: the archive %2 is already complete.").arg(name, m_targetPath));
    case State::Failed:
        return makeError(ErrorCode::Invalid,
            QStringLiteral("Cannot add %1: writing %2 failed earlier and the archive was discarded.").arg(name, m_targetPath));
    case State::Open:
        break;
    }
    if (!EntryNamer::isSafeEntryPath(name))
        return makeError(ErrorCode::Invalid,
            QStringLiteral("Refusing the entry name \"%1\" for %2: it is not a safe relative path "
                           "(no absolute path, no \"..\", no backslash or drive letter, no control "
                           "characters). Name entries with EntryNamer.")
                .arg(name, m_targetPath));
    if (m_takenKeys.contains(name.toCaseFolded()))
        return makeError(ErrorCode::Conflict,
            QStringLiteral("The archive %1 already has an entry named \"%2\" (names are compared "
                           "ignoring case, as Windows and macOS do).")
                .arg(m_targetPath, name));
    return {};
}

Result<ZipWriter::Entry> ZipWriter::addData(const QString &name, const QByteArray &data, Compression compression)
{
    if (Status allowed = checkCanAdd(name); !allowed)
        return allowed.error();
    QBuffer buffer;
    buffer.setData(data);
    buffer.open(QIODevice::ReadOnly);
    const bool zip64 = m_options.forceZip64 || data.size() >= kZip64Threshold;
    return writeEntry(name, &buffer, QStringLiteral("generated data"), compression, zip64);
}

Result<ZipWriter::Entry> ZipWriter::addFile(const QString &name, QIODevice *source, Compression compression)
{
    if (Status allowed = checkCanAdd(name); !allowed)
        return allowed.error();
    if (!source)
        return makeError(
            ErrorCode::Invalid, QStringLiteral("No source was given for the entry %1 of %2.").arg(name, m_targetPath));
    const QString label = describeSource(source);
    if (!source->isOpen() && !source->open(QIODevice::ReadOnly))
        return makeError(ErrorCode::NotFound,
            QStringLiteral("Cannot add %1 to %2: cannot open %3: %4").arg(name, m_targetPath, label, source->errorString()));
    if (!source->isReadable())
        return makeError(ErrorCode::Invalid,
            QStringLiteral("Cannot add %1 to %2: %3 is not open for reading.").arg(name, m_targetPath, label));
    const bool zip64 = m_options.forceZip64 || source->isSequential() || source->size() - source->pos() >= kZip64Threshold;
    return writeEntry(name, source, label, compression, zip64);
}

Result<ZipWriter::Entry> ZipWriter::writeEntry(
    const QString &name, QIODevice *source, const QString &sourceLabel, Compression compression, bool zip64)
{
    Result<Entry> entry = copyEntry(name, source, sourceLabel, compression, zip64);
    if (!entry)
        return fail(entry.error());
    return entry;
}

Result<ZipWriter::Entry> ZipWriter::copyEntry(
    const QString &name, QIODevice *source, const QString &sourceLabel, Compression compression, bool zip64)
{
    const bool deflate
        = compression == Compression::Deflate || (compression == Compression::Automatic && !isAlreadyCompressed(name));
    const auto where = [&] { return QStringLiteral("Cannot add %1 (from %2) to %3").arg(name, sourceLabel, m_targetPath); };

    QuaZipNewInfo info(name);
    info.dateTime = m_options.timestamp;
    info.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);

    m_zip->setZip64Enabled(zip64);
    QuaZipFile out(m_zip.get());
    if (!out.open(QIODevice::WriteOnly, info, nullptr, 0, deflate ? Z_DEFLATED : 0, deflate ? m_options.deflateLevel : 0))
        return makeError(
            ErrorCode::Storage, where() + QStringLiteral(": cannot start the entry (zip error %1).").arg(out.getZipError()));
    // The archive is discarded by writeEntry once `out` is gone.
    const auto abandon = [&](Error error) {
        out.close();
        return error;
    };

    QCryptographicHash sha256(QCryptographicHash::Sha256);
    QuaCrc32 crc;
    qint64 size = 0;
    for (;;) {
        const qint64 got = source->read(m_buffer.data(), m_buffer.size());
        if (got < 0)
            return abandon(makeError(ErrorCode::Storage,
                where() + QStringLiteral(": reading failed after %1 bytes: %2").arg(size).arg(source->errorString())));
        if (got == 0) {
            // A sequential source (a pipe, a socket) may have nothing yet; its
            // end is when no more data arrives. atEnd() cannot tell: it only
            // says that nothing is buffered.
            if (!source->isSequential() || !source->waitForReadyRead(-1))
                break;
            continue;
        }
        if (!zip64 && size + got >= kZip64Threshold)
            return abandon(makeError(ErrorCode::Storage, where() + QStringLiteral(": it grew past 4 GiB while being copied.")));
        const QByteArrayView chunk(m_buffer.constData(), got);
        sha256.addData(chunk);
        crc.update(QByteArray::fromRawData(m_buffer.constData(), got));
        if (out.write(m_buffer.constData(), got) != got)
            return abandon(makeError(ErrorCode::Storage,
                where() + QStringLiteral(": writing failed after %1 bytes: %2").arg(size).arg(m_file->device()->errorString())));
        size += got;
        m_bytesDone += got;
        reportProgress();
    }
    out.close();
    if (out.getZipError() != ZIP_OK)
        return makeError(ErrorCode::Storage,
            where()
                + QStringLiteral(": finishing the entry failed (zip error %1): %2")
                      .arg(out.getZipError())
                      .arg(m_file->device()->errorString()));

    Entry entry;
    entry.name = name;
    entry.size = size;
    entry.sha256 = sha256.result();
    entry.crc32 = crc.value();
    entry.deflated = deflate;
    entry.zip64 = zip64;
    m_entries.append(entry);
    m_takenKeys.insert(name.toCaseFolded());
    reportProgress();
    return entry;
}

Status ZipWriter::finishArchive()
{
    if (m_state != State::Open)
        return makeError(ErrorCode::Invalid,
            QStringLiteral("Cannot complete %1: the writer is %2.")
                .arg(m_targetPath,
                    m_state == State::Committed    ? QStringLiteral("already committed")
                        : m_state == State::Failed ? QStringLiteral("failed and discarded")
                                                   : QStringLiteral("not open")));
    m_zip->close();
    if (const int code = m_zip->getZipError(); code != ZIP_OK)
        return fail(makeError(ErrorCode::Storage,
            QStringLiteral("Cannot complete %1: writing the central directory failed (zip error %2): %3")
                .arg(m_targetPath)
                .arg(code)
                .arg(m_file->device()->errorString())));
    m_zip.reset();
    return {};
}

Result<std::unique_ptr<OutputFile>> ZipWriter::complete()
{
    if (Status s = finishArchive(); !s)
        return s.error();
    // Complete on disk, for the caller to read back before it is placed.
    if (Status s = m_file->sync(); !s)
        return fail(s.error());
    m_state = State::Committed;
    m_buffer = QByteArray();
    return std::move(m_file);
}

Status ZipWriter::commit()
{
    Result<std::unique_ptr<OutputFile>> done = complete();
    if (!done)
        return done.error();
    if (Status s = (*done)->commit(); !s) {
        m_state = State::Failed;
        return s;
    }
    return {};
}

void ZipWriter::discard()
{
    if (m_state == State::Committed)
        return;
    // QuaZip finishes the archive into the temporary file when it goes; the
    // OutputFile then removes that file, never having put it in place.
    m_zip.reset();
    m_file.reset();
    m_buffer = QByteArray();
    if (m_state != State::Idle)
        m_state = State::Failed;
}

Error ZipWriter::fail(Error error)
{
    discard();
    return error;
}

void ZipWriter::reportProgress() const
{
    if (m_progress)
        m_progress(Progress {static_cast<int>(m_entries.size()), m_bytesDone});
}

} // namespace rf
