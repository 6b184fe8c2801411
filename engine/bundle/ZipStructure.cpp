// SPDX-License-Identifier: GPL-3.0-or-later
#include "ZipStructure.h"

#include "core/Text.h"

#include <QIODevice>
#include <QList>
#include <QStringDecoder>

#include <algorithm>
#include <limits>

namespace rf {

namespace {

constexpr quint32 kLocalHeader = 0x04034b50;
constexpr quint32 kCentralHeader = 0x02014b50;
constexpr quint32 kEndRecord = 0x06054b50;
constexpr quint32 kZip64EndRecord = 0x06064b50;
constexpr quint32 kZip64Locator = 0x07064b50;
constexpr quint32 kDataDescriptor = 0x08074b50;
constexpr qint64 kLocalHeaderSize = 30;
constexpr qint64 kCentralHeaderSize = 46;
constexpr qint64 kEndRecordSize = 22;
constexpr qint64 kZip64LocatorSize = 20;
constexpr qint64 kZip64EndRecordSize = 56; // without extensible data
constexpr qint64 kMaxComment = 0xFFFF;
constexpr quint16 kZip64ExtraId = 0x0001;
constexpr quint16 kFlagDataDescriptor = 1u << 3;
constexpr quint16 kSaturated16 = 0xFFFF;
constexpr quint32 kSaturated32 = 0xFFFFFFFF;
// An archive with more problems than this is not a bundle as Rightsflow
// wrote it; listing every one would only bury the first.
constexpr int kMaxProblems = 100;

// Little-endian fields; 0 past the end of `b` (a record cut short is reported
// where it is found, and its missing fields must not be read out of bounds).
quint64 field(const QByteArray &b, qsizetype at, int width)
{
    quint64 value = 0;
    for (int i = width - 1; i >= 0; --i) {
        const qsizetype index = at + i;
        value = (value << 8) | (index >= 0 && index < b.size() ? quint8(b.at(index)) : 0u);
    }
    return value;
}
quint16 u16(const QByteArray &b, qsizetype at)
{
    return quint16(field(b, at, 2));
}
quint32 u32(const QByteArray &b, qsizetype at)
{
    return quint32(field(b, at, 4));
}
quint64 u64(const QByteArray &b, qsizetype at)
{
    return field(b, at, 8);
}

QString hex(quint64 value, int digits)
{
    return QStringLiteral("0x") + QString::number(value, 16).toUpper().rightJustified(digits, QLatin1Char('0'));
}

// A name as raw bytes, shown as UTF-8 when it is UTF-8 (else byte for byte).
QString printableRaw(const QByteArray &raw)
{
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString name = utf8.decode(raw);
    if (utf8.hasError())
        name = QString::fromLatin1(raw);
    return printableEntryName(name);
}

QString methodName(quint16 method)
{
    switch (method) {
    case 0:
        return QStringLiteral("0 (stored)");
    case 8:
        return QStringLiteral("8 (deflated)");
    default:
        return QString::number(method);
    }
}

// What flag bits that readers act on differ between two flag words.
QString flagDifference(quint16 local, quint16 central)
{
    const quint16 differ = local ^ central;
    QStringList bits;
    if (differ & (1u << 0))
        bits << QStringLiteral("encryption");
    if (differ & kFlagDataDescriptor)
        bits << QStringLiteral("data descriptor");
    if (differ & (1u << 11))
        bits << QStringLiteral("UTF-8 name");
    return QStringLiteral("flags %1 in the local header, %2 in the central directory%3")
        .arg(hex(local, 4), hex(central, 4),
            bits.isEmpty() ? QString() : QStringLiteral(" (the %1 bit)").arg(bits.join(QStringLiteral(", "))));
}

// The data of the zip64 extended information extra field (header 0x0001) in
// `extra`; `malformed` when the extra field's blocks do not add up.
QByteArray zip64Field(const QByteArray &extra, bool *malformed)
{
    *malformed = false;
    QByteArray found;
    qsizetype at = 0;
    while (at < extra.size()) {
        if (at + 4 > extra.size()) {
            *malformed = true;
            break;
        }
        const quint16 id = u16(extra, at);
        const qsizetype length = u16(extra, at + 2);
        if (at + 4 + length > extra.size()) {
            *malformed = true;
            break;
        }
        if (id == kZip64ExtraId && found.isNull())
            found = extra.mid(at + 4, length);
        at += 4 + length;
    }
    return found;
}

// Reads headers at given offsets; remembers the first read error.
class Bytes
{
public:
    explicit Bytes(QIODevice &file)
        : m_file(file)
        , m_size(file.size())
    { }

    [[nodiscard]] qint64 size() const { return m_size; }
    [[nodiscard]] const QString &error() const { return m_error; }

    // Up to `length` bytes from `offset`, fewer where the file ends.
    QByteArray read(qint64 offset, qint64 length)
    {
        if (offset < 0 || offset >= m_size || length <= 0 || !m_error.isEmpty())
            return {};
        const qint64 wanted = std::min(length, m_size - offset);
        if (!m_file.seek(offset)) {
            m_error = m_file.errorString();
            return {};
        }
        QByteArray out = m_file.read(wanted);
        if (out.size() != wanted) {
            m_error = m_file.errorString();
            return {};
        }
        return out;
    }

private:
    QIODevice &m_file;
    qint64 m_size = 0;
    QString m_error;
};

// A part of the file that the archive's structure accounts for.
struct Span {
    qint64 begin = 0;
    qint64 end = 0;
    QString what;
};

class Layout
{
public:
    explicit Layout(QIODevice &file)
        : m_bytes(file)
    { }

    void run();
    [[nodiscard]] const QString &readError() const { return m_bytes.error(); }
    [[nodiscard]] QStringList problems() const
    {
        QStringList out = m_problems;
        if (m_more > 0)
            out << QStringLiteral("and %1 more problems of the archive's structure").arg(m_more);
        return out;
    }

private:
    void problem(qint64 offset, const QString &what)
    {
        if (m_problems.size() < kMaxProblems)
            m_problems << QStringLiteral("offset %1: %2").arg(offset).arg(what);
        else
            ++m_more;
    }
    void checkEntry(qint64 record, const QByteArray &header, const QByteArray &name, const QByteArray &extra);
    void checkCoverage();

    Bytes m_bytes;
    QStringList m_problems;
    int m_more = 0;
    QList<Span> m_spans;
    qint64 m_entryShift = 0; // bytes put before the archive, which every recorded offset misses
    // False once an entry's extent is unknown: its bytes would show as a gap,
    // a second report of the problem already given.
    bool m_extentsKnown = true;
};

void Layout::run()
{
    const qint64 size = m_bytes.size();

    // The end record: the last one whose comment ends the file exactly; failing
    // that, the last signature, to say what is wrong with it.
    const qint64 tailStart = std::max<qint64>(0, size - kEndRecordSize - kMaxComment);
    const QByteArray tail = m_bytes.read(tailStart, size - tailStart);
    qint64 end = -1;
    qint64 lastSignature = -1;
    for (qsizetype i = tail.size() - 4; i >= 0; --i) {
        if (u32(tail, i) != kEndRecord)
            continue;
        if (lastSignature < 0)
            lastSignature = tailStart + i;
        if (i + kEndRecordSize <= tail.size() && i + kEndRecordSize + u16(tail, i + 20) == tail.size()) {
            end = tailStart + i;
            break;
        }
    }
    if (end < 0 && lastSignature < 0) {
        problem(
            tailStart, QStringLiteral("no end of central directory record in the file's last %1 bytes").arg(size - tailStart));
        return;
    }
    if (end < 0) {
        end = lastSignature;
        const qint64 available = size - end;
        const qint64 comment = u16(tail, end - tailStart + 20);
        if (available < kEndRecordSize)
            problem(end,
                QStringLiteral("the end of central directory record is cut short: the file ends %1 bytes into its %2 (the "
                               "archive was cut short)")
                    .arg(available)
                    .arg(kEndRecordSize));
        else if (kEndRecordSize + comment > available)
            problem(end,
                QStringLiteral("the end of central directory record gives a comment of %1 bytes, but %2 follow it (the "
                               "archive was cut short)")
                    .arg(comment)
                    .arg(available - kEndRecordSize));
        else
            problem(end + kEndRecordSize + comment,
                QStringLiteral("%1 bytes after the end of the archive, whose end of central directory record (at offset %2) "
                               "gives %3: bytes were appended to the archive")
                    .arg(available - kEndRecordSize - comment)
                    .arg(end)
                    .arg(comment == 0 ? QStringLiteral("no comment") : QStringLiteral("a comment of %1 bytes").arg(comment)));
    }
    m_spans.append(Span {end, size, QStringLiteral("the end of central directory record")});
    const QByteArray record = tail.mid(end - tailStart, kEndRecordSize);

    quint64 disk = u16(record, 4);
    quint64 directoryDisk = u16(record, 6);
    quint64 entriesHere = u16(record, 8);
    quint64 entries = u16(record, 10);
    quint64 directorySize = u32(record, 12);
    quint64 directoryOffset = u32(record, 16);
    const bool deferred = disk == kSaturated16 || directoryDisk == kSaturated16 || entriesHere == kSaturated16
        || entries == kSaturated16 || directorySize == kSaturated32 || directoryOffset == kSaturated32;

    // Zip64: a locator right before the end record points to the zip64 end
    // record, which must end right where the locator begins.
    qint64 directoryEnd = end; // where the central directory must end
    const qint64 locator = end - kZip64LocatorSize;
    const QByteArray locatorBytes = m_bytes.read(locator, kZip64LocatorSize);
    if (locator >= 0 && locatorBytes.size() == kZip64LocatorSize && u32(locatorBytes, 0) == kZip64Locator) {
        m_spans.append(Span {locator, end, QStringLiteral("the zip64 end of central directory locator")});
        if (u32(locatorBytes, 4) != 0 || u32(locatorBytes, 16) > 1)
            problem(locator,
                QStringLiteral("the zip64 locator says the archive spans %1 disks, which Rightsflow never writes")
                    .arg(u32(locatorBytes, 16)));
        const auto recordAt = [&](qint64 at) {
            const QByteArray bytes = m_bytes.read(at, kZip64EndRecordSize);
            const bool fits = bytes.size() == kZip64EndRecordSize && u32(bytes, 0) == kZip64EndRecord
                && u64(bytes, 4) >= quint64(kZip64EndRecordSize - 12) && u64(bytes, 4) < quint64(size)
                && at + 12 + qint64(u64(bytes, 4)) == locator;
            return fits ? bytes : QByteArray();
        };
        const quint64 recorded = u64(locatorBytes, 8);
        qint64 at = recorded < quint64(size) ? qint64(recorded) : -1;
        QByteArray zip64 = at >= 0 ? recordAt(at) : QByteArray();
        if (zip64.isEmpty()) {
            // Bytes put before the archive move it without changing what it records.
            at = locator - kZip64EndRecordSize;
            zip64 = recordAt(at);
            if (zip64.isEmpty()) {
                problem(locator,
                    QStringLiteral("the zip64 locator points to offset %1, where there is no zip64 end of central directory "
                                   "record that ends at the locator")
                        .arg(recorded));
                return;
            }
        }
        m_spans.append(Span {at, locator, QStringLiteral("the zip64 end of central directory record")});
        directoryEnd = at;
        const auto agree = [&](quint64 &value, quint64 saturated, quint64 wide, const QString &what) {
            if (value != saturated && value != wide)
                problem(end,
                    QStringLiteral("the end of central directory record gives %1 as %2, the zip64 end record %3")
                        .arg(what)
                        .arg(value)
                        .arg(wide));
            value = wide;
        };
        agree(disk, kSaturated16, u32(zip64, 16), QStringLiteral("the disk number"));
        agree(directoryDisk, kSaturated16, u32(zip64, 20), QStringLiteral("the central directory's disk"));
        agree(entriesHere, kSaturated16, u64(zip64, 24), QStringLiteral("the entries on this disk"));
        agree(entries, kSaturated16, u64(zip64, 32), QStringLiteral("the number of entries"));
        agree(directorySize, kSaturated32, u64(zip64, 40), QStringLiteral("the central directory's size"));
        agree(directoryOffset, kSaturated32, u64(zip64, 48), QStringLiteral("the central directory's offset"));
    } else if (deferred) {
        problem(end,
            QStringLiteral("the end of central directory record leaves its counts and offsets to zip64 records, but "
                           "no zip64 locator precedes it"));
        return;
    }
    if (disk != 0 || directoryDisk != 0) {
        problem(
            end, QStringLiteral("the archive says it spans several disks (disk %1), which Rightsflow never writes").arg(disk));
        return;
    }
    if (entriesHere != entries)
        problem(end, QStringLiteral("the end record gives %1 entries on this disk and %2 in all").arg(entriesHere).arg(entries));

    // Where the central directory lies: right before the end records. Where
    // the archive records it, when different, says bytes were added.
    if (directorySize > quint64(directoryEnd) || directoryOffset > quint64(directoryEnd)
        || directoryOffset + directorySize > quint64(directoryEnd)) {
        problem(end,
            QStringLiteral("the central directory the end record gives (%1 bytes at offset %2) does not fit before the end "
                           "record at offset %3")
                .arg(directorySize)
                .arg(directoryOffset)
                .arg(directoryEnd));
        return;
    }
    const qint64 directoryStart = directoryEnd - qint64(directorySize);
    const qint64 shift = directoryStart - qint64(directoryOffset);
    if (shift > 0) {
        const QByteArray first = m_bytes.read(0, 4);
        const QByteArray shifted = m_bytes.read(shift, 4);
        if (u32(first, 0) != kLocalHeader && u32(shifted, 0) == kLocalHeader) {
            m_entryShift = shift;
            problem(0,
                QStringLiteral("%1 bytes were put before the archive (up to offset %2): every offset it records is that "
                               "much short of where its parts lie")
                    .arg(shift)
                    .arg(shift - 1));
            m_spans.append(Span {0, shift, QStringLiteral("the bytes put before the archive")});
        } else {
            problem(directoryStart,
                QStringLiteral("the central directory lies at offset %1, but the end record puts it at offset %2")
                    .arg(directoryStart)
                    .arg(directoryOffset));
        }
    }
    m_spans.append(Span {directoryStart, directoryEnd, QStringLiteral("the central directory")});

    // Every central directory record, and the local header it points to.
    qint64 at = directoryStart;
    quint64 count = 0;
    while (count < entries && at < directoryEnd && readError().isEmpty()) {
        const QByteArray header = m_bytes.read(at, kCentralHeaderSize);
        if (header.size() < kCentralHeaderSize || u32(header, 0) != kCentralHeader) {
            problem(at,
                QStringLiteral("central directory record %1 of %2 is not there (no record signature)")
                    .arg(count + 1)
                    .arg(entries));
            m_extentsKnown = false;
            break;
        }
        const qint64 nameLength = u16(header, 28);
        const qint64 extraLength = u16(header, 30);
        const qint64 next = at + kCentralHeaderSize + nameLength + extraLength + u16(header, 32);
        if (next > directoryEnd) {
            problem(at,
                QStringLiteral("central directory record %1 of %2 runs past the end of the central directory (offset %3)")
                    .arg(count + 1)
                    .arg(entries)
                    .arg(directoryEnd));
            m_extentsKnown = false;
            break;
        }
        const QByteArray rest = m_bytes.read(at + kCentralHeaderSize, nameLength + extraLength);
        checkEntry(at, header, rest.left(nameLength), rest.mid(nameLength));
        at = next;
        ++count;
    }
    if (count < entries && at >= directoryEnd)
        problem(directoryEnd,
            QStringLiteral("the central directory holds %1 records, the end record says %2").arg(count).arg(entries));
    else if (count == entries && at < directoryEnd)
        problem(at, QStringLiteral("%1 bytes in the central directory after its last record").arg(directoryEnd - at));

    if (m_extentsKnown)
        checkCoverage();
}

void Layout::checkEntry(qint64 record, const QByteArray &header, const QByteArray &name, const QByteArray &extra)
{
    const QString label = QStringLiteral("entry \"%1\"").arg(printableRaw(name));
    const quint16 flags = u16(header, 8);
    const quint16 method = u16(header, 10);
    const quint32 crc = u32(header, 16);
    quint64 compressed = u32(header, 20);
    quint64 size = u32(header, 24);
    quint64 disk = u16(header, 34);
    quint64 offset = u32(header, 42);

    bool malformed = false;
    const QByteArray zip64 = zip64Field(extra, &malformed);
    if (malformed)
        problem(record, label + QStringLiteral(": the extra field of its central directory record is malformed"));
    // The zip64 field holds, in this order, only the values saturated above.
    qsizetype next = 0;
    bool zip64Short = false;
    const auto wide = [&](quint64 &value, quint64 saturated, int width) {
        if (value != saturated)
            return;
        if (next + width > zip64.size()) {
            zip64Short = true;
            return;
        }
        value = field(zip64, next, width);
        next += width;
    };
    wide(size, kSaturated32, 8);
    wide(compressed, kSaturated32, 8);
    wide(offset, kSaturated32, 8);
    wide(disk, kSaturated16, 4);
    if (zip64Short) {
        problem(record,
            label
                + QStringLiteral(": its central directory record leaves a size or offset to a zip64 field "
                                 "it does not have"));
        m_extentsKnown = false;
        return;
    }
    if (disk != 0) {
        problem(record, label + QStringLiteral(": its central directory record puts it on disk %1").arg(disk));
        m_extentsKnown = false;
        return;
    }

    const qint64 fileSize = m_bytes.size();
    if (offset >= quint64(fileSize) || qint64(offset) + m_entryShift + kLocalHeaderSize > fileSize) {
        problem(record,
            label
                + QStringLiteral(": the central directory puts its local header at offset %1, %2")
                      .arg(qint64(offset) + m_entryShift)
                      .arg(offset >= quint64(fileSize) ? QStringLiteral("past the end of the file")
                                                       : QStringLiteral("too near the end of the file")));
        m_extentsKnown = false;
        return;
    }
    const qint64 local = qint64(offset) + m_entryShift;
    const QByteArray localHeader = m_bytes.read(local, kLocalHeaderSize);
    if (u32(localHeader, 0) != kLocalHeader) {
        problem(local, label + QStringLiteral(": no local header where the central directory puts it"));
        m_extentsKnown = false;
        return;
    }
    const qint64 localNameLength = u16(localHeader, 26);
    const qint64 localExtraLength = u16(localHeader, 28);
    const qint64 dataStart = local + kLocalHeaderSize + localNameLength + localExtraLength;
    const QByteArray localRest = m_bytes.read(local + kLocalHeaderSize, localNameLength + localExtraLength);
    if (localRest.size() != localNameLength + localExtraLength) {
        problem(local, label + QStringLiteral(": its local header is cut short by the end of the file"));
        m_extentsKnown = false;
        return;
    }
    const QByteArray localName = localRest.left(localNameLength);
    const QByteArray localExtra = localRest.mid(localNameLength);

    QStringList differences;
    if (localName != name)
        differences << QStringLiteral("its local header names \"%1\", the central directory \"%2\"")
                           .arg(printableRaw(localName), printableRaw(name));
    const quint16 localFlags = u16(localHeader, 6);
    if (localFlags != flags)
        differences << flagDifference(localFlags, flags);
    if (const quint16 localMethod = u16(localHeader, 8); localMethod != method)
        differences << QStringLiteral("compression method %1 in the local header, %2 in the central directory")
                           .arg(methodName(localMethod), methodName(method));

    // A local header with a zip64 field has both sizes in it (APPNOTE 4.5.3).
    quint32 localCrc = u32(localHeader, 14);
    quint64 localCompressed = u32(localHeader, 18);
    quint64 localSize = u32(localHeader, 22);
    bool localMalformed = false;
    const QByteArray localZip64 = zip64Field(localExtra, &localMalformed);
    if (localMalformed)
        differences << QStringLiteral("the extra field of its local header is malformed");
    if (localSize == kSaturated32 || localCompressed == kSaturated32) {
        if (localZip64.size() >= 16) {
            localSize = u64(localZip64, 0);
            localCompressed = u64(localZip64, 8);
        } else {
            qsizetype from = 0;
            for (quint64 *value : {&localSize, &localCompressed}) {
                if (*value == kSaturated32 && from + 8 <= localZip64.size()) {
                    *value = u64(localZip64, from);
                    from += 8;
                }
            }
        }
    }
    const auto compare = [&](quint64 localValue, quint64 centralValue, const QString &what, const QString &where, bool asHex) {
        if (localValue == centralValue)
            return;
        differences << QStringLiteral("%1 %2 in %3, %4 in the central directory")
                           .arg(what, asHex ? hex(localValue, 8) : QString::number(localValue), where,
                               asHex ? hex(centralValue, 8) : QString::number(centralValue));
    };
    const QString inLocal = QStringLiteral("the local header");
    qint64 entryEnd = dataStart + qint64(std::min<quint64>(compressed, quint64(std::numeric_limits<qint64>::max() / 2)));
    if ((flags & kFlagDataDescriptor) == 0) {
        compare(localCrc, crc, QStringLiteral("CRC-32"), inLocal, true);
        compare(localCompressed, compressed, QStringLiteral("compressed size"), inLocal, false);
        compare(localSize, size, QStringLiteral("size"), inLocal, false);
    } else {
        // The local values are zero by the standard; any that are not must agree.
        if (localCrc != 0)
            compare(localCrc, crc, QStringLiteral("CRC-32"), inLocal, true);
        if (localCompressed != 0)
            compare(localCompressed, compressed, QStringLiteral("compressed size"), inLocal, false);
        if (localSize != 0)
            compare(localSize, size, QStringLiteral("size"), inLocal, false);
        const QByteArray descriptor = m_bytes.read(entryEnd, 24);
        const qsizetype from = u32(descriptor, 0) == kDataDescriptor ? 4 : 0;
        const int width = localZip64.isNull() ? 4 : 8;
        const qsizetype length = from + 4 + 2 * width;
        if (descriptor.size() < length) {
            differences << QStringLiteral("its data descriptor, after its data at offset %1, is cut short").arg(entryEnd);
        } else {
            const QString inDescriptor = QStringLiteral("its data descriptor");
            compare(u32(descriptor, from), crc, QStringLiteral("CRC-32"), inDescriptor, true);
            compare(field(descriptor, from + 4, width), compressed, QStringLiteral("compressed size"), inDescriptor, false);
            compare(field(descriptor, from + 4 + width, width), size, QStringLiteral("size"), inDescriptor, false);
            entryEnd += length;
        }
    }
    if (!differences.isEmpty())
        problem(local, label + QStringLiteral(": ") + differences.join(QStringLiteral("; ")));
    m_spans.append(Span {local, entryEnd, label});
}

void Layout::checkCoverage()
{
    std::stable_sort(m_spans.begin(), m_spans.end(), [](const Span &a, const Span &b) { return a.begin < b.begin; });
    qint64 covered = 0;
    QString last;
    for (const Span &span : std::as_const(m_spans)) {
        if (span.begin > covered)
            problem(covered,
                QStringLiteral("%1 bytes that belong to no entry nor to the zip's directory (before %2)")
                    .arg(span.begin - covered)
                    .arg(span.what));
        else if (span.begin < covered)
            problem(span.begin,
                QStringLiteral("%1 overlaps %2, which ends at offset %3 (readers would read the same bytes twice, as zip "
                               "bombs do)")
                    .arg(span.what, last)
                    .arg(covered));
        if (span.end > covered) {
            covered = span.end;
            last = span.what;
        }
    }
}

} // namespace

QString printableEntryName(const QString &name)
{
    // The product's one escaping (printable()), and the replacement
    // character too: in an entry name it stands for bytes that were not UTF-8.
    return printable(name).replace(QChar(0xFFFD), QStringLiteral("\\uFFFD"));
}

Result<QStringList> ZipStructure::check(QIODevice &file, const QString &where)
{
    Layout layout(file);
    layout.run();
    if (!layout.readError().isEmpty())
        return makeError(ErrorCode::Storage,
            QStringLiteral("%1: cannot read the file to check its structure: %2").arg(where, layout.readError()));
    return layout.problems();
}

} // namespace rf
