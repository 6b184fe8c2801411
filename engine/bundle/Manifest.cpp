// SPDX-License-Identifier: GPL-3.0-or-later
#include "Manifest.h"

#include "bundle/EntryNames.h"
#include "core/JsonCheck.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

#include <limits>
#include <optional>

namespace rf {

namespace {

// The largest whole number a JSON reader that keeps numbers as doubles (a
// browser, Python's json for floats, jq) still reads exactly.
constexpr qint64 kMaxJsonInteger = 9007199254740992LL; // 2^53

bool isSha256Hex(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("^[0-9a-f]{64}$"));
    return re.match(text).hasMatch();
}

const QStringList &fileKinds()
{
    static const QStringList kinds {
        QStringLiteral("readme"), QStringLiteral("letter"), QStringLiteral("data"), QStringLiteral("document")};
    return kinds;
}

const QStringList &dispositions()
{
    static const QStringList values {QStringLiteral("disclosed"), QStringLiteral("redacted")};
    return values;
}

// A JSON string literal: quotes, backslashes and control characters escaped,
// everything else as UTF-8 (so names in any script stay readable).
void appendString(QByteArray &out, const QString &text)
{
    out += '"';
    const QByteArray utf8 = text.toUtf8();
    for (const char c : utf8) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20)
                out += "\\u00" + QByteArray::number(static_cast<unsigned char>(c), 16).rightJustified(2, '0');
            else
                out += c;
        }
    }
    out += '"';
}

// Writes one object per call, keys in the order they are added; the caller
// decides the order, which is the point (QJsonObject sorts its keys).
class ObjectWriter
{
public:
    ObjectWriter(QByteArray &out, int indent)
        : m_out(out)
        , m_indent(indent)
    {
        m_out += '{';
    }

    void key(const char *name)
    {
        m_out += m_first ? "\n" : ",\n";
        m_first = false;
        m_out += QByteArray(m_indent + 2, ' ');
        m_out += '"';
        m_out += name;
        m_out += "\": ";
    }
    void string(const char *name, const QString &value)
    {
        key(name);
        appendString(m_out, value);
    }
    void number(const char *name, qint64 value)
    {
        key(name);
        m_out += QByteArray::number(value);
    }
    void close()
    {
        if (!m_first)
            m_out += '\n' + QByteArray(m_indent, ' ');
        m_out += '}';
    }

private:
    QByteArray &m_out;
    int m_indent;
    bool m_first = true;
};

// Writes `"name": [` ... `]` with one object per line, each produced by `write`.
template<typename T, typename Write>
void writeObjectArray(ObjectWriter &parent, QByteArray &out, const char *name, const QList<T> &list, int indent, Write write)
{
    parent.key(name);
    if (list.isEmpty()) {
        out += "[]";
        return;
    }
    out += '[';
    for (qsizetype i = 0; i < list.size(); ++i) {
        out += i == 0 ? "\n" : ",\n";
        out += QByteArray(indent + 2, ' ');
        ObjectWriter object(out, indent + 2);
        write(object, list.at(i));
        object.close();
    }
    out += '\n' + QByteArray(indent, ' ') + ']';
}

struct Range {
    qint64 minimum;
    qint64 maximum;
    QString what; // "a size in bytes ...", for messages
};

const Range &sizeRange()
{
    static const Range range {0, kMaxJsonInteger, QStringLiteral("a size in bytes (a whole number from 0)")};
    return range;
}

const Range &itemRange()
{
    static const Range range {
        1, std::numeric_limits<int>::max(), QStringLiteral("a case-file item number (a whole number from 1)")};
    return range;
}

// Checks that are particular to the manifest, on top of JsonChecker's.
class ManifestChecker : public JsonChecker
{
public:
    using JsonChecker::JsonChecker;

    // A whole number within `range`; nullopt (and a problem) otherwise.
    std::optional<qint64> wholeNumber(const QJsonObject &object, const QString &path, const QString &key, const Range &range)
    {
        const QJsonValue value = object.value(key);
        const QString at = path + QLatin1Char('.') + key;
        if (value.isUndefined()) {
            problem(at, QStringLiteral("missing (expected %1)").arg(range.what));
            return std::nullopt;
        }
        return wholeNumber(value, at, range);
    }

    std::optional<qint64> wholeNumber(const QJsonValue &value, const QString &at, const Range &range)
    {
        if (!value.isDouble()) {
            problem(at, QStringLiteral("expected %1, found %2").arg(range.what, jsonTypeName(value)));
            return std::nullopt;
        }
        // toInteger() gives the fallback for a fraction or a number beyond qint64.
        const qint64 number = value.toInteger(range.minimum - 1);
        if (number < range.minimum || number > range.maximum) {
            problem(at, QStringLiteral("expected %1, found %2").arg(range.what, QString::number(value.toDouble(), 'g', 17)));
            return std::nullopt;
        }
        return number;
    }

    QString sha256(const QJsonObject &object, const QString &path, const QString &key)
    {
        const QString text = string(object, path, key, true);
        if (!text.trimmed().isEmpty() && !isSha256Hex(text))
            problem(path + QLatin1Char('.') + key,
                QStringLiteral("\"%1\" is not a SHA-256 (expected 64 lower-case hex digits)").arg(text));
        return text;
    }
};

ManifestFile readFile(ManifestChecker &check, const QJsonObject &object, const QString &path)
{
    check.unknownKeys(object, path,
        {QStringLiteral("path"), QStringLiteral("kind"), QStringLiteral("size"), QStringLiteral("sha256"),
            QStringLiteral("source"), QStringLiteral("items"), QStringLiteral("disposition"), QStringLiteral("exemption")});
    ManifestFile file;
    file.path = check.string(object, path, QStringLiteral("path"), true);
    if (!file.path.trimmed().isEmpty()) {
        if (file.path == Manifest::kEntryName)
            check.problem(path + QStringLiteral(".path"),
                QStringLiteral("\"%1\" is the manifest itself, which does not list itself").arg(file.path));
        else if (!EntryNamer::isSafeEntryPath(file.path))
            check.problem(path + QStringLiteral(".path"),
                QStringLiteral("\"%1\" is not a safe entry path (relative, '/'-separated, no \"..\", no backslash, "
                               "drive letter or control character, no name Windows refuses)")
                    .arg(file.path));
    }

    file.kind = check.string(object, path, QStringLiteral("kind"), true);
    if (!file.kind.trimmed().isEmpty() && !fileKinds().contains(file.kind))
        check.problem(path + QStringLiteral(".kind"),
            QStringLiteral("unknown kind \"%1\" (expected one of: %2)").arg(file.kind, fileKinds().join(QStringLiteral(", "))));

    file.size = check.wholeNumber(object, path, QStringLiteral("size"), sizeRange()).value_or(0);
    file.sha256 = check.sha256(object, path, QStringLiteral("sha256"));

    file.source = check.string(object, path, QStringLiteral("source"), false);
    const QJsonArray items = check.array(object, path, QStringLiteral("items"), false);
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QString at = QStringLiteral("%1.items[%2]").arg(path).arg(i);
        if (const auto number = check.wholeNumber(items.at(i), at, itemRange())) {
            const int item = static_cast<int>(*number);
            if (const qsizetype first = file.items.indexOf(item); first >= 0)
                check.problem(at, QStringLiteral("duplicate item %1 (the same as [%2])").arg(item).arg(first));
            else
                file.items.append(item);
        }
    }

    file.disposition = check.string(object, path, QStringLiteral("disposition"), false);
    const bool knownDisposition = file.disposition.isEmpty() || dispositions().contains(file.disposition);
    if (!knownDisposition)
        check.problem(path + QStringLiteral(".disposition"),
            QStringLiteral("unknown disposition \"%1\" (expected one of: %2)")
                .arg(file.disposition, dispositions().join(QStringLiteral(", "))));
    file.exemption = check.string(object, path, QStringLiteral("exemption"), false);
    const QJsonValue exemption = object.value(QStringLiteral("exemption"));
    if (!knownDisposition || !(exemption.isUndefined() || exemption.isString()))
        return file; // already reported: the rule below would only repeat it
    // A redaction always rests on an exemption, and only a redaction names one.
    if (file.disposition == QLatin1String("redacted") && file.exemption.isEmpty())
        check.problem(path + QStringLiteral(".exemption"), QStringLiteral("missing: a redacted document names its exemption"));
    if (!file.exemption.isEmpty() && file.disposition != QLatin1String("redacted"))
        check.problem(path + QStringLiteral(".exemption"),
            QStringLiteral("only a redacted document names an exemption (\"disposition\": \"redacted\")"));
    return file;
}

ManifestWithheld readWithheld(ManifestChecker &check, const QJsonObject &object, const QString &path)
{
    check.unknownKeys(object, path, {QStringLiteral("item"), QStringLiteral("source"), QStringLiteral("exemption")});
    ManifestWithheld withheld;
    withheld.item = static_cast<int>(check.wholeNumber(object, path, QStringLiteral("item"), itemRange()).value_or(0));
    withheld.source = check.string(object, path, QStringLiteral("source"), true);
    withheld.exemption = check.string(object, path, QStringLiteral("exemption"), true);
    return withheld;
}

} // namespace

QByteArray Manifest::toJson() const
{
    QByteArray out;
    ObjectWriter root(out, 0);
    root.string("format", format);
    root.string("reference", reference);
    root.string("right", right);
    // Whole seconds in UTC, whatever the QDateTime's time spec.
    root.string("built", built.isValid() ? built.toUTC().toString(Qt::ISODate) : QString());
    root.string("caseFile", caseFile);
    writeObjectArray(root, out, "files", files, 2, [&out](ObjectWriter &object, const ManifestFile &file) {
        object.string("path", file.path);
        object.string("kind", file.kind);
        object.number("size", file.size);
        object.string("sha256", file.sha256);
        if (!file.source.isEmpty())
            object.string("source", file.source);
        if (!file.items.isEmpty()) {
            // Item numbers on one line: a list of small numbers reads best so.
            object.key("items");
            out += '[';
            for (qsizetype i = 0; i < file.items.size(); ++i) {
                if (i > 0)
                    out += ", ";
                out += QByteArray::number(file.items.at(i));
            }
            out += ']';
        }
        if (!file.disposition.isEmpty())
            object.string("disposition", file.disposition);
        if (!file.exemption.isEmpty())
            object.string("exemption", file.exemption);
    });
    writeObjectArray(root, out, "withheld", withheld, 2, [](ObjectWriter &object, const ManifestWithheld &entry) {
        object.number("item", entry.item);
        object.string("source", entry.source);
        object.string("exemption", entry.exemption);
    });
    root.close();
    out += '\n';
    return out;
}

Result<Manifest> Manifest::parse(const QByteArray &json, const QString &source)
{
    const QString invalid = QStringLiteral("%1: invalid bundle manifest").arg(source);
    Result<QJsonObject> parsed = parseJsonObject(json, source, invalid, InputKind::Manifest);
    if (!parsed)
        return parsed.error();

    ManifestChecker check(source);
    const QJsonObject root = *parsed;
    const QString top = QStringLiteral("$");
    check.unknownKeys(root, top,
        {QStringLiteral("format"), QStringLiteral("reference"), QStringLiteral("right"), QStringLiteral("built"),
            QStringLiteral("caseFile"), QStringLiteral("files"), QStringLiteral("withheld")});

    Manifest manifest;
    manifest.format = check.string(root, top, QStringLiteral("format"), true);
    static const QString family = QStringLiteral("rightsflow-bundle/");
    if (manifest.format.startsWith(family) && manifest.format != kFormat) {
        // A later version of the format: its other keys may mean what this
        // version cannot know, so checking them would only mislead.
        return makeError(ErrorCode::Unsupported, invalid,
            {QStringLiteral("%1: $.format: \"%2\" is a manifest format this Rightsflow does not read (it reads \"%3\"); "
                            "verify the bundle with the Rightsflow version that built it")
                    .arg(source, manifest.format, kFormat)});
    }
    if (!manifest.format.trimmed().isEmpty() && manifest.format != kFormat)
        check.problem(
            QStringLiteral("$.format"), QStringLiteral("unknown format \"%1\" (expected \"%2\")").arg(manifest.format, kFormat));
    manifest.reference = check.string(root, top, QStringLiteral("reference"), true);
    manifest.right = check.string(root, top, QStringLiteral("right"), true);

    const QString built = check.string(root, top, QStringLiteral("built"), true);
    if (!built.trimmed().isEmpty()) {
        static const QRegularExpression shape(QStringLiteral("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$"));
        // The pattern first: Qt's ISO parser also takes offsets and fractions.
        const QDateTime time = shape.match(built).hasMatch() ? QDateTime::fromString(built, Qt::ISODate) : QDateTime();
        if (!time.isValid())
            check.problem(QStringLiteral("$.built"),
                QStringLiteral("\"%1\" is not a UTC time in whole seconds (expected YYYY-MM-DDTHH:MM:SSZ)").arg(built));
        manifest.built = time;
    }
    manifest.caseFile = check.sha256(root, top, QStringLiteral("caseFile"));

    const QJsonArray files = check.array(root, top, QStringLiteral("files"), true);
    QHash<QString, qsizetype> seen; // case-folded path -> index, as Windows and macOS compare names
    for (qsizetype i = 0; i < files.size(); ++i) {
        const QString path = QStringLiteral("$.files[%1]").arg(i);
        if (!files.at(i).isObject()) {
            check.problem(path, QStringLiteral("expected an object, found %1").arg(jsonTypeName(files.at(i))));
            continue;
        }
        ManifestFile file = readFile(check, files.at(i).toObject(), path);
        if (!file.path.isEmpty()) {
            const QString key = file.path.toCaseFolded();
            if (const auto earlier = seen.constFind(key); earlier != seen.constEnd())
                check.problem(path + QStringLiteral(".path"),
                    QStringLiteral("duplicate path \"%1\" (the same as $.files[%2], ignoring case)")
                        .arg(file.path)
                        .arg(*earlier));
            else
                seen.insert(key, i);
        }
        manifest.files.append(file);
    }

    const QJsonArray withheld = check.array(root, top, QStringLiteral("withheld"), true);
    for (qsizetype i = 0; i < withheld.size(); ++i) {
        const QString path = QStringLiteral("$.withheld[%1]").arg(i);
        if (!withheld.at(i).isObject()) {
            check.problem(path, QStringLiteral("expected an object, found %1").arg(jsonTypeName(withheld.at(i))));
            continue;
        }
        manifest.withheld.append(readWithheld(check, withheld.at(i).toObject(), path));
    }

    if (!check.problems().isEmpty())
        return check.refusal(invalid);
    return manifest;
}

} // namespace rf
