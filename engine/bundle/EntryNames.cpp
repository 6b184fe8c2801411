// SPDX-License-Identifier: GPL-3.0-or-later
#include "EntryNames.h"

#include <QTextBoundaryFinder>

#include <algorithm>

namespace rf {

namespace {

constexpr QChar kReplacement = u'_';

struct NameParts {
    QString stem;
    QString extension; // with its dot, or empty
};

qsizetype utf8Bytes(QStringView text)
{
    return text.toUtf8().size();
}

// How long a name may be, measured both ways (rule 7 of the header): Windows
// counts UTF-16 code units, Unix filesystems count UTF-8 bytes.
struct NameLimit {
    qsizetype utf16Units;
    qsizetype utf8Bytes;
};

constexpr NameLimit kNameLimit {EntryNamer::kMaxNameUtf16Units, EntryNamer::kMaxNameBytes};

// A folder of the longest length must still leave a name room for one
// character of stem, a collision suffix up to ` (9999)` and the longest
// extension with its dot.
static_assert(EntryNamer::kMaxPathUtf16Units - EntryNamer::kMaxNameUtf16Units - 1 >= 1 + 7 + 1 + EntryNamer::kMaxExtensionChars);

bool fitsWithin(QStringView text, NameLimit limit)
{
    return text.size() <= limit.utf16Units && utf8Bytes(text) <= limit.utf8Bytes;
}

// What is left of `limit` once `text` is taken out of it.
NameLimit reducedBy(NameLimit limit, QStringView text)
{
    return {limit.utf16Units - text.size(), limit.utf8Bytes - utf8Bytes(text)};
}

bool isSeparator(QChar c)
{
    return c == u'/' || c == u'\\';
}

bool isControl(char32_t c)
{
    return c <= 0x1F || (c >= 0x7F && c <= 0x9F);
}

bool isForbiddenOnWindows(char32_t c)
{
    switch (c) {
    case U'<':
    case U'>':
    case U':':
    case U'"':
    case U'/':
    case U'\\':
    case U'|':
    case U'?':
    case U'*':
        return true;
    default:
        return false;
    }
}

// A "best fit" conversion to a legacy Windows code page (what an extractor
// using the ANSI file API does) turns these into real slashes.
bool isLookalikeSeparator(char32_t c)
{
    switch (c) {
    case 0x2215: // division slash
    case 0x2216: // set minus
    case 0x29F5: // reverse solidus operator
    case 0x29F8: // big solidus
    case 0x29F9: // big reverse solidus
    case 0xFE68: // small reverse solidus
    case 0xFF0F: // fullwidth solidus
    case 0xFF3C: // fullwidth reverse solidus
        return true;
    default:
        return false;
    }
}

// Line breaks in disguise, and the bidirectional embeddings, overrides and
// isolates that can make `invoice<RLO>fdp.exe` look like `invoiceexe.pdf`.
bool isLayoutControl(char32_t c)
{
    return (c >= 0x2028 && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

bool isUnsafeCodePoint(char32_t c)
{
    return isControl(c) || isForbiddenOnWindows(c) || isLookalikeSeparator(c) || isLayoutControl(c) || QChar::isSurrogate(c);
}

// The length in UTF-16 units of the code point at `pos`; an unpaired
// surrogate counts as a code point of its own.
qsizetype codePointLength(QStringView text, qsizetype pos)
{
    const bool pair = text[pos].isHighSurrogate() && pos + 1 < text.size() && text[pos + 1].isLowSurrogate();
    return pair ? 2 : 1;
}

char32_t codePointAt(QStringView text, qsizetype pos)
{
    if (codePointLength(text, pos) == 2)
        return QChar::surrogateToUcs4(text[pos], text[pos + 1]);
    return text[pos].unicode();
}

bool containsUnsafe(QStringView text)
{
    for (qsizetype pos = 0; pos < text.size(); pos += codePointLength(text, pos)) {
        if (isUnsafeCodePoint(codePointAt(text, pos)))
            return true;
    }
    return false;
}

QString withUnsafeReplaced(QStringView text)
{
    QString result;
    result.reserve(text.size());
    bool replacing = false;
    for (qsizetype pos = 0; pos < text.size(); pos += codePointLength(text, pos)) {
        const bool unsafe = isUnsafeCodePoint(codePointAt(text, pos));
        if (!unsafe)
            result += text.sliced(pos, codePointLength(text, pos));
        else if (!replacing)
            result += kReplacement;
        replacing = unsafe;
    }
    return result;
}

// Trailing separators are ignored so that `reports/` still names `reports`.
QStringView lastComponent(QStringView path)
{
    qsizetype end = path.size();
    while (end > 0 && isSeparator(path[end - 1]))
        --end;
    qsizetype start = end;
    while (start > 0 && !isSeparator(path[start - 1]))
        --start;
    return path.sliced(start, end - start);
}

QStringView withoutDriveLetter(QStringView name)
{
    const bool drive = name.size() >= 2 && name[0].isLetter() && name[0].unicode() < 0x80 && name[1] == u':';
    return drive ? name.sliced(2) : name;
}

bool isTrimmedAtEnds(QChar c)
{
    return c.isSpace() || c == u'.';
}

QStringView trimmedEnd(QStringView text)
{
    while (!text.isEmpty() && isTrimmedAtEnds(text.back()))
        text.chop(1);
    return text;
}

QStringView trimmedBothEnds(QStringView text)
{
    while (!text.isEmpty() && isTrimmedAtEnds(text.front()))
        text = text.sliced(1);
    return trimmedEnd(text);
}

// Windows opens a device instead of a file for these, whatever follows the
// first dot and whatever trailing spaces precede it.
bool isDeviceName(QStringView name)
{
    static constexpr QStringView kDevices[] = {u"CON", u"PRN", u"AUX", u"NUL", u"CONIN$", u"CONOUT$", u"COM0", u"COM1", u"COM2",
        u"COM3", u"COM4", u"COM5", u"COM6", u"COM7", u"COM8", u"COM9", u"COM\u00B9", u"COM\u00B2", u"COM\u00B3", u"LPT0", u"LPT1",
        u"LPT2", u"LPT3", u"LPT4", u"LPT5", u"LPT6", u"LPT7", u"LPT8", u"LPT9", u"LPT\u00B9", u"LPT\u00B2", u"LPT\u00B3"};
    const qsizetype dot = name.indexOf(u'.');
    QStringView base = dot < 0 ? name : name.first(dot);
    while (!base.isEmpty() && base.back().isSpace())
        base.chop(1);
    return std::any_of(std::begin(kDevices), std::end(kDevices),
        [base](QStringView device) { return base.compare(device, Qt::CaseInsensitive) == 0; });
}

// Rules 1 to 4 of the header.
QString cleanedName(const QString &wanted)
{
    const QString normalised = wanted.normalized(QString::NormalizationForm_C);
    const QString replaced = withUnsafeReplaced(withoutDriveLetter(lastComponent(normalised)));
    return trimmedBothEnds(replaced).toString();
}

NameParts splitExtension(const QString &name)
{
    const qsizetype dot = name.lastIndexOf(u'.');
    if (dot <= 0)
        return {name, {}};
    const QStringView extension = QStringView(name).sliced(dot + 1);
    const bool plausible = !extension.isEmpty() && extension.size() <= EntryNamer::kMaxExtensionChars
        && std::none_of(extension.begin(), extension.end(), [](QChar c) { return c.isSpace(); });
    if (!plausible)
        return {name, {}};
    return {name.first(dot), name.sliced(dot)};
}

bool isBlankStem(QStringView stem)
{
    return std::all_of(stem.begin(), stem.end(), [](QChar c) { return c == kReplacement || c.isSpace(); });
}

// Rules 1 to 4 and 6 of the header.
NameParts partsOf(const QString &wanted)
{
    NameParts parts = splitExtension(cleanedName(wanted));
    if (isBlankStem(parts.stem))
        parts.stem = QStringLiteral("file");
    return parts;
}

// The longest prefix within `limit` that ends on a grapheme boundary.
qsizetype graphemeCut(const QString &text, NameLimit limit)
{
    QTextBoundaryFinder finder(QTextBoundaryFinder::Grapheme, text);
    qsizetype cut = 0;
    qsizetype bytes = 0;
    for (qsizetype next = finder.toNextBoundary(); next > 0; next = finder.toNextBoundary()) {
        bytes += utf8Bytes(QStringView(text).sliced(cut, next - cut));
        if (next > limit.utf16Units || bytes > limit.utf8Bytes)
            break;
        cut = next;
    }
    return cut;
}

// For a single grapheme longer than the limit (a letter under hundreds of
// combining marks): the longest prefix that ends between code points.
qsizetype codePointCut(QStringView text, NameLimit limit)
{
    qsizetype cut = 0;
    qsizetype bytes = 0;
    while (cut < text.size()) {
        const qsizetype length = codePointLength(text, cut);
        bytes += utf8Bytes(text.sliced(cut, length));
        if (cut + length > limit.utf16Units || bytes > limit.utf8Bytes)
            break;
        cut += length;
    }
    return cut;
}

// A cut stem must not end in what Windows strips.
QString stemWithin(const QString &stem, NameLimit limit)
{
    if (fitsWithin(stem, limit))
        return stem;
    qsizetype cut = graphemeCut(stem, limit);
    if (cut == 0)
        cut = codePointCut(stem, limit);
    return trimmedEnd(QStringView(stem).first(cut)).toString();
}

// Rules 5 and 7 of the header: the suffix and the extension are kept whole
// and counted inside `limit`. A device name can appear only once the stem is
// cut (`CON` followed by spaces), so it is checked on the final name.
QString composedName(const QString &stem, const QString &suffix, const QString &extension, NameLimit limit)
{
    const NameLimit stemLimit = reducedBy(reducedBy(limit, suffix), extension);
    QString fitted = stemWithin(stem, stemLimit);
    if (isDeviceName(fitted + suffix + extension))
        fitted = stemWithin(kReplacement + fitted, stemLimit);
    Q_ASSERT(!fitted.isEmpty());
    return fitted + suffix + extension;
}

QString collisionSuffix(int copy)
{
    return copy == 1 ? QString() : QStringLiteral(" (%1)").arg(copy);
}

// Case folding is wider than any one filesystem's rule: a name folded together
// by mistake only costs a ` (2)`, a clash missed would lose a file.
QString collisionKey(const QString &name)
{
    return name.toCaseFolded();
}

bool isSafeSegment(QStringView segment)
{
    return !segment.isEmpty() && segment != u"." && segment != u".." && fitsWithin(segment, kNameLimit)
        && !containsUnsafe(segment) && !isTrimmedAtEnds(segment.back()) && !isDeviceName(segment);
}

} // namespace

EntryNamer::EntryNamer(QString folder)
{
    const QString cleaned = cleanedName(folder);
    if (!cleaned.isEmpty())
        m_folder = composedName(cleaned, {}, {}, kNameLimit);
    // The folder is held to kMaxNameUtf16Units, so this leaves a name at least
    // kMaxPathUtf16Units - kMaxNameUtf16Units - 1 units.
    if (!m_folder.isEmpty())
        m_nameUtf16Units = std::min(kMaxNameUtf16Units, kMaxPathUtf16Units - m_folder.size() - 1);
}

QString EntryNamer::add(const QString &wanted)
{
    const NameParts parts = partsOf(wanted);
    for (int copy = 1;; ++copy) {
        const QString name = composedName(parts.stem, collisionSuffix(copy), parts.extension, {m_nameUtf16Units, kMaxNameBytes});
        if (claim(name))
            return m_folder.isEmpty() ? name : m_folder + u'/' + name;
    }
}

QString EntryNamer::safeName(const QString &wanted)
{
    const NameParts parts = partsOf(wanted);
    return composedName(parts.stem, {}, parts.extension, kNameLimit);
}

bool EntryNamer::isSafeEntryPath(const QString &path)
{
    if (path.isEmpty() || path.size() > kMaxPathUtf16Units)
        return false;
    const QList<QStringView> segments = QStringView(path).split(u'/');
    return std::all_of(segments.begin(), segments.end(), isSafeSegment);
}

bool EntryNamer::claim(const QString &name)
{
    const QString key = collisionKey(name);
    if (m_takenKeys.contains(key))
        return false;
    m_takenKeys.insert(key);
    return true;
}

} // namespace rf
