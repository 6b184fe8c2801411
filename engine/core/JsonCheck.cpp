// SPDX-License-Identifier: GPL-3.0-or-later
#include "JsonCheck.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <vector>

namespace rf {

QString jsonTypeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

namespace {

// Line and column of a byte; a column counts characters, so a multi-byte
// UTF-8 sequence is one column, as in an editor. It walks on from the last
// position asked for, so that the problems of a large file, which come in
// order, are placed in one pass.
class Positions
{
public:
    explicit Positions(const QByteArray &json)
        : m_json(json)
    { }

    std::pair<qsizetype, qsizetype> of(qsizetype offset)
    {
        offset = qBound(qsizetype(0), offset, m_json.size());
        if (offset < m_at) {
            m_at = 0;
            m_line = 1;
            m_column = 1;
        }
        for (; m_at < offset; ++m_at) {
            const auto c = uchar(m_json.at(m_at));
            if (c == '\n') {
                ++m_line;
                m_column = 1;
            } else if ((c & 0xC0) != 0x80) {
                ++m_column;
            }
        }
        return {m_line, m_column};
    }

private:
    const QByteArray &m_json;
    qsizetype m_at = 0;
    qsizetype m_line = 1;
    qsizetype m_column = 1;
};

std::pair<qsizetype, qsizetype> positionOf(const QByteArray &json, qsizetype offset)
{
    return Positions(json).of(offset);
}

// "00E9", "D800": a code unit or byte in hexadecimal, as the standards write it.
QString hex(uint value, int width)
{
    return QString::number(value, 16).toUpper().rightJustified(width, QLatin1Char('0'));
}

QString hexBytes(const QByteArray &json, qsizetype from, qsizetype count)
{
    QStringList bytes;
    for (qsizetype i = from; i < qMin(json.size(), from + count); ++i)
        bytes << QStringLiteral("0x") + hex(uchar(json.at(i)), 2);
    return bytes.join(QLatin1Char(' '));
}

void appendCodePoint(QString &text, char32_t point)
{
    if (point >= 0x10000) {
        text += QChar(QChar::highSurrogate(point));
        text += QChar(QChar::lowSurrogate(point));
    } else {
        text += QChar(char16_t(point));
    }
}

// The code point of the UTF-8 sequence at `at` and its length; or a length
// of 0 and, in `why`, what is wrong with it. Strict in the ways RFC 3629 is:
// no overlong forms, no surrogates, nothing above U+10FFFF.
char32_t decodeUtf8(const QByteArray &json, qsizetype at, int &length, QString &why)
{
    const auto lead = uchar(json.at(at));
    length = 0;
    if (lead < 0x80) {
        length = 1;
        return lead;
    }
    int count = 0;
    char32_t point = 0;
    uchar low = 0x80; // bounds of the second byte, which tell overlongs and surrogates apart
    uchar high = 0xBF;
    if (lead >= 0x80 && lead <= 0xBF) {
        why = QStringLiteral("byte %1 continues a character that never started").arg(hexBytes(json, at, 1));
        return 0;
    } else if (lead == 0xC0 || lead == 0xC1) {
        why = QStringLiteral("%1 is an overlong encoding").arg(hexBytes(json, at, 2));
        return 0;
    } else if (lead <= 0xDF) {
        count = 1;
        point = lead & 0x1F;
    } else if (lead <= 0xEF) {
        count = 2;
        point = lead & 0x0F;
        if (lead == 0xE0)
            low = 0xA0;
        if (lead == 0xED)
            high = 0x9F;
    } else if (lead <= 0xF4) {
        count = 3;
        point = lead & 0x07;
        if (lead == 0xF0)
            low = 0x90;
        if (lead == 0xF4)
            high = 0x8F;
    } else {
        why = QStringLiteral("byte %1 never appears in UTF-8").arg(hexBytes(json, at, 1));
        return 0;
    }
    for (int k = 1; k <= count; ++k) {
        if (at + k >= json.size() || (uchar(json.at(at + k)) & 0xC0) != 0x80) {
            why = QStringLiteral("%1 is a character cut short").arg(hexBytes(json, at, k));
            return 0;
        }
        const auto next = uchar(json.at(at + k));
        if (k == 1 && (next < low || next > high)) {
            if (lead == 0xED)
                why = QStringLiteral("%1 is a UTF-16 surrogate encoded as UTF-8").arg(hexBytes(json, at, count + 1));
            else if (lead == 0xF4)
                why = QStringLiteral("%1 is beyond U+10FFFF, the last character").arg(hexBytes(json, at, count + 1));
            else
                why = QStringLiteral("%1 is an overlong encoding").arg(hexBytes(json, at, count + 1));
            return 0;
        }
        point = (point << 6) | (next & 0x3F);
    }
    length = count + 1;
    return point;
}

int hexValue(const QByteArray &json, qsizetype at)
{
    if (at + 4 > json.size())
        return -1;
    int value = 0;
    for (qsizetype i = at; i < at + 4; ++i) {
        const char c = json.at(i);
        const int digit = c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f'             ? c - 'a' + 10
            : c >= 'A' && c <= 'F'             ? c - 'A' + 10
                                               : -1;
        if (digit < 0)
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

// A key as JSON writes it, without the quotes, so that a key with a line
// break stays on one line of a message.
QString escapedKey(const QString &key)
{
    QString quoted;
    for (const QChar c : key) {
        if (c == QLatin1Char('"') || c == QLatin1Char('\\'))
            quoted += QLatin1Char('\\') + c;
        else if (c == QLatin1Char('\n'))
            quoted += QLatin1String("\\n");
        else if (c.unicode() < 0x20)
            quoted += QStringLiteral("\\u") + hex(c.unicode(), 4);
        else
            quoted += c;
    }
    return quoted;
}

QString keySegment(const QString &key)
{
    static const QRegularExpression plain(QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z_][A-Za-z0-9_-]*")));
    if (plain.match(key).hasMatch())
        return QLatin1Char('.') + key;
    return QStringLiteral("[\"%1\"]").arg(escapedKey(key));
}

// A single pass over the bytes that keeps only what it needs to name a JSON
// path: for each open object its keys so far, for each open array its index.
// It does not check the grammar (Qt's parser does); where the grammar is
// broken it stops and leaves the message to Qt.
class StrictScanner
{
public:
    struct Problem {
        qsizetype offset;
        QString text; // "$.path: what"
        bool utf8;
    };
    static constexpr int kMaxProblems = 20;

    explicit StrictScanner(const QByteArray &json)
        : m_json(json)
    { }

    void run()
    {
        const qsizetype n = m_json.size();
        while (m_at < n && m_problems.size() < kMaxProblems) {
            const char c = m_json.at(m_at);
            switch (c) {
            case '{':
            case '[':
                if (m_frames.size() >= size_t(kMaxJsonDepth)) {
                    add(m_at, QStringLiteral("$"), QStringLiteral("nested more than %1 levels deep").arg(kMaxJsonDepth), false);
                    return;
                }
                m_frames.push_back(Frame {c == '{', true, 0, {}, {}});
                ++m_at;
                break;
            case '}':
            case ']':
                if (m_frames.empty())
                    return;
                m_frames.pop_back();
                ++m_at;
                break;
            case ',':
                if (!m_frames.empty()) {
                    Frame &top = m_frames.back();
                    if (top.object)
                        top.expectKey = true;
                    else
                        ++top.index;
                }
                ++m_at;
                break;
            case '"':
                if (!string())
                    return;
                break;
            default:
                if (uchar(c) >= 0x80) {
                    int length = 0;
                    QString why;
                    decodeUtf8(m_json, m_at, length, why);
                    if (length == 0) {
                        add(m_at, path(), QStringLiteral("not valid UTF-8: %1; save the file as UTF-8").arg(why), true);
                        length = 1;
                    }
                    m_at += length;
                } else {
                    ++m_at;
                }
            }
        }
    }

    [[nodiscard]] const QList<Problem> &problems() const { return m_problems; }

private:
    struct Frame {
        bool object;
        bool expectKey; // objects: the next string is a key
        qsizetype index; // arrays: the element being read
        QString key; // objects: the key whose value is being read
        QHash<QString, qsizetype> keys; // objects: where each key was written
    };

    // The path of the value being read.
    [[nodiscard]] QString path() const
    {
        QString result = QStringLiteral("$");
        for (const Frame &frame : m_frames) {
            if (!frame.object)
                result += QStringLiteral("[%1]").arg(frame.index);
            else if (!frame.expectKey)
                result += keySegment(frame.key);
        }
        return result;
    }

    void add(qsizetype offset, const QString &at, const QString &what, bool utf8)
    {
        if (m_problems.size() < kMaxProblems)
            m_problems.append(Problem {offset, at + QStringLiteral(": ") + what, utf8});
    }

    // Reads the string whose quote is at m_at; false where the grammar breaks.
    bool string()
    {
        const qsizetype start = m_at;
        const bool isKey = !m_frames.empty() && m_frames.back().object && m_frames.back().expectKey;
        // Only when there is a problem: building paths for every string would slow big files down.
        const auto where = [this, isKey] { return isKey ? path() + QStringLiteral(" (a key)") : path(); };
        const qsizetype n = m_json.size();
        QString text;
        ++m_at;
        while (true) {
            if (m_at >= n)
                return false;
            const auto c = uchar(m_json.at(m_at));
            if (c == '"') {
                ++m_at;
                break;
            }
            if (c == '\\') {
                if (m_at + 1 >= n)
                    return false;
                const char e = m_json.at(m_at + 1);
                if (e != 'u') {
                    static const QByteArray plain("\"\\/bfnrt");
                    static const char *meant = "\"\\/\b\f\n\r\t";
                    const qsizetype k = plain.indexOf(e);
                    if (k < 0)
                        return false;
                    if (isKey)
                        text += QLatin1Char(meant[k]);
                    m_at += 2;
                    continue;
                }
                const int unit = hexValue(m_json, m_at + 2);
                if (unit < 0)
                    return false;
                if (unit == 0) {
                    add(m_at, where(), QStringLiteral("\\u0000 (NUL) is not allowed in a string"), false);
                } else if (unit >= 0xD800 && unit <= 0xDBFF) {
                    const bool pair = m_at + 7 < n && m_json.at(m_at + 6) == '\\' && m_json.at(m_at + 7) == 'u';
                    const int second = pair ? hexValue(m_json, m_at + 8) : -1;
                    if (second >= 0xDC00 && second <= 0xDFFF) {
                        if (isKey)
                            appendCodePoint(text, char32_t(0x10000 + ((unit - 0xD800) << 10) + (second - 0xDC00)));
                        m_at += 12;
                        continue;
                    }
                    add(m_at, where(),
                        QStringLiteral("\\u%1 is a lone high surrogate (it must be followed by a low one, \\uDC00 to \\uDFFF)")
                            .arg(hex(uint(unit), 4)),
                        false);
                } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
                    add(m_at, where(),
                        QStringLiteral("\\u%1 is a lone low surrogate (it must follow a high one, \\uD800 to \\uDBFF)")
                            .arg(hex(uint(unit), 4)),
                        false);
                } else if (isKey) {
                    text += QChar(char16_t(unit));
                }
                m_at += 6;
                continue;
            }
            if (c < 0x20) {
                add(m_at, where(),
                    c == 0 ? QStringLiteral("a raw NUL character (U+0000) is not allowed in a string")
                           : QStringLiteral("raw control character U+%1 in a string; JSON requires it written as an escape")
                                 .arg(hex(c, 4)),
                    false);
                ++m_at;
                continue;
            }
            if (c >= 0x80) {
                int length = 0;
                QString why;
                const char32_t point = decodeUtf8(m_json, m_at, length, why);
                if (length == 0) {
                    add(m_at, where(), QStringLiteral("not valid UTF-8: %1; save the file as UTF-8").arg(why), true);
                    ++m_at;
                    continue;
                }
                if (isKey)
                    appendCodePoint(text, point);
                m_at += length;
                continue;
            }
            if (isKey)
                text += QLatin1Char(char(c));
            ++m_at;
        }
        if (!isKey)
            return true;
        Frame &top = m_frames.back();
        top.expectKey = false;
        top.key = text;
        const auto earlier = top.keys.constFind(text);
        if (earlier == top.keys.constEnd()) {
            top.keys.insert(text, start);
            return true;
        }
        const auto [line, column] = positionOf(m_json, *earlier);
        const QByteArray written = m_json.mid(start + 1, m_at - start - 2);
        add(start, path(),
            QStringLiteral("key \"%1\" appears twice in one object%2 (first at line %3, column %4); give each key once")
                .arg(escapedKey(text),
                    written == text.toUtf8() ? QString()
                                             : QStringLiteral(", written \"%1\" here").arg(QString::fromUtf8(written)))
                .arg(line)
                .arg(column),
            false);
        return true;
    }

    const QByteArray &m_json;
    qsizetype m_at = 0;
    std::vector<Frame> m_frames;
    QList<Problem> m_problems;
};

// Where Qt's parser stopped, as a byte offset.
qsizetype syntaxErrorAt(const QJsonParseError &error)
{
    // Qt reports the offset just past the token it could not use, except for
    // garbage after the document, where it points at the stray character.
    return error.error == QJsonParseError::GarbageAtEnd ? error.offset : error.offset - 1;
}

QString located(Positions &positions, qsizetype offset, const QString &source, const QString &text)
{
    const auto [line, column] = positions.of(offset);
    return QStringLiteral("%1:%2:%3: %4").arg(source).arg(line).arg(column).arg(text);
}

} // namespace

QString jsonSyntaxProblem(const QByteArray &json, const QJsonParseError &error, const QString &source)
{
    Positions positions(json);
    return located(positions, qMax(qsizetype(0), syntaxErrorAt(error)), source,
        QStringLiteral("not valid JSON: %1").arg(error.errorString()));
}

Result<QJsonDocument> parseJsonStrict(const QByteArray &json, const QString &source, InputKind kind)
{
    if (Status s = checkInputSize(json.size(), kind, source); !s)
        return makeError(ErrorCode::Invalid, s.error().message, {s.error().message});
    QJsonParseError parseError {};
    QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    StrictScanner scanner(json);
    scanner.run();
    Positions positions(json);
    QStringList details;
    if (parseError.error != QJsonParseError::NoError) {
        // Our problems before the point where Qt gave up, and Qt's reason;
        // but for bad UTF-8 ours says more precisely what is wrong.
        const qsizetype at = syntaxErrorAt(parseError);
        bool saidUtf8 = false;
        for (const StrictScanner::Problem &p : scanner.problems()) {
            if (p.offset < at || (p.utf8 && parseError.error == QJsonParseError::IllegalUTF8String && !saidUtf8)) {
                details << located(positions, p.offset, source, p.text);
                saidUtf8 = saidUtf8 || p.utf8;
            }
        }
        if (!(saidUtf8 && parseError.error == QJsonParseError::IllegalUTF8String))
            details << jsonSyntaxProblem(json, parseError, source);
    } else {
        for (const StrictScanner::Problem &p : scanner.problems())
            details << located(positions, p.offset, source, p.text);
        if (details.isEmpty())
            return document;
    }
    const qsizetype count = details.size();
    if (scanner.problems().size() >= StrictScanner::kMaxProblems)
        details << QStringLiteral("%1: (stopped after %2 problems; fix these first)").arg(source).arg(count);
    return makeError(ErrorCode::Invalid,
        QStringLiteral("%1: not JSON that Rightsflow accepts (%2)")
            .arg(source, count == 1 ? QStringLiteral("1 problem") : QStringLiteral("%1 problems").arg(count)),
        details);
}

Result<QJsonObject> parseJsonObject(const QByteArray &json, const QString &source, const QString &invalid, InputKind kind)
{
    Result<QJsonDocument> document = parseJsonStrict(json, source, kind);
    if (!document)
        return makeError(ErrorCode::Invalid, invalid, document.error().details);
    if (!document->isObject())
        return makeError(ErrorCode::Invalid, invalid, {QStringLiteral("%1: $: expected an object at the top level").arg(source)});
    return document->object();
}

Error JsonChecker::refusal(const QString &what) const
{
    return makeError(ErrorCode::Invalid,
        QStringLiteral("%1 (%2)").arg(
            what, m_problems.size() == 1 ? QStringLiteral("1 problem") : QStringLiteral("%1 problems").arg(m_problems.size())),
        m_problems);
}

void JsonChecker::problem(const QString &path, const QString &message)
{
    m_problems << m_source + QStringLiteral(": ") + path + QStringLiteral(": ") + message;
}

void JsonChecker::unknownKeys(const QJsonObject &object, const QString &path, const QStringList &allowed)
{
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (!allowed.contains(it.key()))
            problem(path + QLatin1Char('.') + it.key(),
                QStringLiteral("unknown key (expected one of: %1)").arg(allowed.join(QStringLiteral(", "))));
    }
}

QString JsonChecker::string(const QJsonObject &object, const QString &path, const QString &key, bool required)
{
    const QJsonValue value = object.value(key);
    const QString at = path + QLatin1Char('.') + key;
    if (value.isUndefined()) {
        if (required)
            problem(at, QStringLiteral("missing (expected a string)"));
        return {};
    }
    if (!value.isString()) {
        problem(at, QStringLiteral("expected a string, found %1").arg(jsonTypeName(value)));
        return {};
    }
    if (required && value.toString().trimmed().isEmpty())
        problem(at, QStringLiteral("must not be empty"));
    return value.toString();
}

QJsonArray JsonChecker::array(const QJsonObject &object, const QString &path, const QString &key, bool required)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined()) {
        if (required)
            problem(path + QLatin1Char('.') + key, QStringLiteral("missing (expected an array)"));
        return {};
    }
    if (!value.isArray()) {
        problem(path + QLatin1Char('.') + key, QStringLiteral("expected an array, found %1").arg(jsonTypeName(value)));
        return {};
    }
    return value.toArray();
}

} // namespace rf
