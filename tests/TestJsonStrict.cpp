// SPDX-License-Identifier: GPL-3.0-or-later
// parseJsonStrict and readInputFile: what Qt's JSON parser lets through (a
// key given twice, NUL and raw control characters, lone surrogates, invalid
// UTF-8) is refused with the file, line, column and JSON path; valid text,
// emoji included, is accepted; sizes are limited per kind of file; and every
// reader of a JSON file goes through the same check.

#include "bundle/Exemptions.h"
#include "bundle/Manifest.h"
#include "bundle/ProcessingRegister.h"
#include "bundle/RecordSet.h"
#include "calendar/DeadlineRules.h"
#include "calendar/WorkingCalendar.h"
#include "core/InputLimits.h"
#include "core/JsonCheck.h"
#include "workflow/WorkflowLoader.h"

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

using namespace rf;

namespace {

const QString kSource = QStringLiteral("src.json");

QByteArray bytes(const char *text, qsizetype size = -1)
{
    return size < 0 ? QByteArray(text) : QByteArray(text, size);
}

// "src.json:LINE:COLUMN: " of the byte at `offset` of an ASCII document.
QString at(const QByteArray &json, qsizetype offset)
{
    const QByteArray head = json.left(offset);
    return QStringLiteral("%1:%2:%3: ").arg(kSource).arg(head.count('\n') + 1).arg(offset - head.lastIndexOf('\n'));
}

QString joined(const Error &error)
{
    return error.fullText();
}

QByteArray readSource(const QString &relative)
{
    QFile file(QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/") + relative);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(content) == content.size();
}

// A reader of one kind of file, its result reduced to accepted or why not.
using Reader = std::function<Result<bool>(const QByteArray &, const QString &)>;

} // namespace

Q_DECLARE_METATYPE(Reader)

class TestJsonStrict : public QObject
{
    Q_OBJECT

private slots:
    void accepted_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("key"); // a key of the top-level object
        QTest::addColumn<QString>("value"); // its string value, as Qt reads it

        QTest::addRow("plain") << bytes(R"({"a": "b"})") << QStringLiteral("a") << QStringLiteral("b");
        QTest::addRow("emoji as a surrogate pair")
            << bytes(R"({"a": "\uD83D\uDE00"})") << QStringLiteral("a") << QString::fromUtf8("\xF0\x9F\x98\x80");
        QTest::addRow("emoji in UTF-8") << bytes("{\"a\": \"\xF0\x9F\x98\x80\"}") << QStringLiteral("a")
                                        << QString::fromUtf8("\xF0\x9F\x98\x80");
        QTest::addRow("emoji as a key") << bytes("{\"\xF0\x9F\x98\x80\": \"x\"}") << QString::fromUtf8("\xF0\x9F\x98\x80")
                                        << QStringLiteral("x");
        QTest::addRow("accents and the euro sign") << bytes("{\"caf\xC3\xA9\": \"\xE2\x82\xAC\"}")
                                                   << QString::fromUtf8("caf\xC3\xA9") << QString::fromUtf8("\xE2\x82\xAC");
        QTest::addRow("U+10FFFF, the last character")
            << bytes("{\"a\": \"\xF4\x8F\xBF\xBF\"}") << QStringLiteral("a") << QString::fromUtf8("\xF4\x8F\xBF\xBF");
        QTest::addRow("escaped control characters")
            << bytes(R"({"a": "\t\n\u001F"})") << QStringLiteral("a") << QStringLiteral("\t\n\x1F");
        QTest::addRow("the same key in sibling objects")
            << bytes(R"({"list": [{"n": 1}, {"n": 2}], "a": "x"})") << QStringLiteral("a") << QStringLiteral("x");
        QTest::addRow("the same key at different depths")
            << bytes(R"({"a": "x", "b": {"a": {"a": 1}}})") << QStringLiteral("a") << QStringLiteral("x");
        QTest::addRow("keys that differ by case or space")
            << bytes(R"({"a": "x", "A": "y", "a ": "z"})") << QStringLiteral("a") << QStringLiteral("x");
        QTest::addRow("a byte order mark") << bytes("\xEF\xBB\xBF{\"a\": \"x\"}") << QStringLiteral("a") << QStringLiteral("x");
        QTest::addRow("quotes and backslashes in keys")
            << bytes("{\"a\\\"b\": 1, \"a\\\\b\": 2, \"a\": \"x\"}") << QStringLiteral("a") << QStringLiteral("x");
    }

    void accepted()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, key);
        QFETCH(QString, value);
        const Result<QJsonDocument> document = parseJsonStrict(json, kSource, InputKind::WorkflowDefinition);
        QVERIFY2(document.ok(), document ? "" : qPrintable(joined(document.error())));
        QCOMPARE(document->object().value(key).toString(), value);
    }

    void refused_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("prefix"); // FILE:LINE:COLUMN: PATH:
        QTest::addColumn<QString>("phrase");

        const auto row
            = [](const char *tag, const QByteArray &json, qsizetype offset, const QString &path, const QString &phrase) {
                  QTest::addRow("%s", tag) << json << at(json, offset) + path + QStringLiteral(": ") << phrase;
              };
        QByteArray json;

        // Duplicate keys, at the top, deep down, in arrays of objects, and
        // however the key is written.
        json = bytes(R"({"a": 1, "a": 2})");
        row("duplicate at the top", json, json.lastIndexOf("\"a\""), QStringLiteral("$.a"),
            QStringLiteral("key \"a\" appears twice in one object (first at line 1, column 2)"));
        json = bytes("{\n  \"x\": {\"y\": {\"z\": 1,\n    \"z\": 2}}\n}");
        row("duplicate at depth", json, json.lastIndexOf("\"z\""), QStringLiteral("$.x.y.z"),
            QStringLiteral("first at line 2, column 15"));
        json = bytes(R"({"states": [{"n": 1}, {"n": 2}, {"n": 3, "actions": [], "actions": []}]})");
        row("duplicate in an array of objects", json, json.lastIndexOf("\"actions\""), QStringLiteral("$.states[2].actions"),
            QStringLiteral("key \"actions\" appears twice"));
        json = bytes(R"([[{"a": 1}], [{"b": {"c": 1, "c": 1}}]])");
        row("duplicate under arrays", json, json.lastIndexOf("\"c\""), QStringLiteral("$[1][0].b.c"),
            QStringLiteral("key \"c\" appears twice"));
        json = bytes(R"({"a": 1, "\u0061": 2})");
        row("a and \\u0061 are the same key", json, json.lastIndexOf("\"\\u"), QStringLiteral("$.a"),
            QStringLiteral("key \"a\" appears twice in one object, written \"\\u0061\" here"));
        json = bytes("{\"\xF0\x9F\x98\x80\": 1, \"\\uD83D\\uDE00\": 2}");
        // The column counts the emoji as one character.
        QTest::addRow("an emoji and its surrogate pair are the same key")
            << json << QStringLiteral("src.json:1:10: $[\"") + QString::fromUtf8("\xF0\x9F\x98\x80") + QStringLiteral("\"]: ")
            << QStringLiteral("appears twice");
        json = bytes(R"({"a\n": 1, "a\u000A": 2})");
        row("\\n and \\u000A are the same", json, json.lastIndexOf("\"a"), QStringLiteral("$[\"a\\n\"]"),
            QStringLiteral("appears twice"));

        // NUL and raw control characters.
        json = bytes("{\"a\": \"x\0y\"}", 12);
        row("raw NUL in a value", json, 8, QStringLiteral("$.a"), QStringLiteral("a raw NUL character (U+0000)"));
        json = bytes("{\"k\0\": 1}", 9);
        row("raw NUL in a key", json, 3, QStringLiteral("$ (a key)"), QStringLiteral("raw NUL"));
        json = bytes(R"({"a": ["ok", "x\u0000y"]})");
        row("escaped NUL", json, json.indexOf('\\'), QStringLiteral("$.a[1]"), QStringLiteral("\\u0000 (NUL) is not allowed"));
        json = bytes("{\"a\": \"tab\there\"}");
        row("raw tab", json, json.indexOf('\t'), QStringLiteral("$.a"), QStringLiteral("raw control character U+0009"));
        json = bytes("{\"a\": \"line\nbreak\"}");
        row("raw line break", json, json.indexOf("\nbreak"), QStringLiteral("$.a"),
            QStringLiteral("raw control character U+000A"));

        // Lone surrogates.
        json = bytes(R"({"a": "\uD800"})");
        row("lone high surrogate", json, json.indexOf('\\'), QStringLiteral("$.a"),
            QStringLiteral("\\uD800 is a lone high surrogate"));
        json = bytes(R"({"a": "\uDBFFx"})");
        row("high surrogate then a letter", json, json.indexOf('\\'), QStringLiteral("$.a"),
            QStringLiteral("\\uDBFF is a lone high surrogate"));
        json = bytes(R"({"a": "\uD83D\u0041"})");
        row("high surrogate then a non-surrogate escape", json, json.indexOf('\\'), QStringLiteral("$.a"),
            QStringLiteral("\\uD83D is a lone high surrogate"));
        json = bytes(R"({"a": "\uDC00"})");
        row("lone low surrogate", json, json.indexOf('\\'), QStringLiteral("$.a"),
            QStringLiteral("\\uDC00 is a lone low surrogate"));
        json = bytes(R"({"a": "\uDE00\uD83D"})");
        row("a pair in the wrong order", json, json.indexOf('\\'), QStringLiteral("$.a"),
            QStringLiteral("\\uDE00 is a lone low surrogate"));
        json = bytes(R"({"\uD800": 1})");
        row("lone surrogate in a key", json, json.indexOf('\\'), QStringLiteral("$ (a key)"),
            QStringLiteral("lone high surrogate"));

        // Invalid UTF-8.
        json = bytes("{\"a\": \"\xC0\x80\"}");
        row("overlong NUL", json, 7, QStringLiteral("$.a"), QStringLiteral("not valid UTF-8: 0xC0 0x80 is an overlong"));
        json = bytes("{\"a\": \"\xE0\x80\xAF\"}");
        row("overlong three bytes", json, 7, QStringLiteral("$.a"), QStringLiteral("0xE0 0x80 0xAF is an overlong encoding"));
        json = bytes("{\"a\": \"\xF0\x80\x80\xAF\"}");
        row("overlong four bytes", json, 7, QStringLiteral("$.a"), QStringLiteral("0xF0 0x80 0x80 0xAF is an overlong"));
        json = bytes("{\"a\": \"\xED\xA0\x80\"}");
        row("surrogate encoded in UTF-8", json, 7, QStringLiteral("$.a"),
            QStringLiteral("0xED 0xA0 0x80 is a UTF-16 surrogate encoded as UTF-8"));
        json = bytes("{\"a\": \"\xF4\x90\x80\x80\"}");
        row("beyond U+10FFFF", json, 7, QStringLiteral("$.a"), QStringLiteral("beyond U+10FFFF"));
        json = bytes("{\"a\": \"\xF5\x80\x80\x80\"}");
        row("byte F5", json, 7, QStringLiteral("$.a"), QStringLiteral("byte 0xF5 never appears in UTF-8"));
        json = bytes("{\"a\": \"x\xFF\"}");
        row("byte FF", json, 8, QStringLiteral("$.a"), QStringLiteral("byte 0xFF never appears"));
        json = bytes("{\"a\": \"\xE2\x82\"}");
        row("a character cut short", json, 7, QStringLiteral("$.a"), QStringLiteral("0xE2 0x82 is a character cut short"));
        json = bytes("{\"a\": \"\x80\"}");
        row("a stray continuation byte", json, 7, QStringLiteral("$.a"), QStringLiteral("continues a character"));
        json = bytes("{\"b\": 1, \"caf\xE9\": 2}");
        row("Latin-1 in a key", json, 13, QStringLiteral("$ (a key)"), QStringLiteral("save the file as UTF-8"));

        // What Qt refuses is still refused, with where.
        json = bytes("{\n  \"a\": ,\n}");
        QTest::addRow("not JSON") << json << kSource + QStringLiteral(":2:") << QStringLiteral("not valid JSON");
        const QByteArray deep = QByteArray(kMaxJsonDepth + 1, '[') + QByteArray(kMaxJsonDepth + 1, ']');
        QTest::addRow("nested too deep") << deep << kSource + QStringLiteral(":1:") << QStringLiteral("nested");
    }

    void refused()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, prefix);
        QFETCH(QString, phrase);
        const Result<QJsonDocument> document = parseJsonStrict(json, kSource, InputKind::WorkflowDefinition);
        QVERIFY2(!document.ok(), "accepted");
        QCOMPARE(document.error().code, ErrorCode::Invalid);
        QVERIFY2(document.error().message.startsWith(kSource + QStringLiteral(": ")), qPrintable(document.error().message));
        bool found = false;
        for (const QString &line : document.error().details)
            found = found || (line.startsWith(prefix) && line.contains(phrase));
        QVERIFY2(found,
            qPrintable(
                QStringLiteral("no line starting \"%1\" with \"%2\" in:\n%3").arg(prefix, phrase, joined(document.error()))));
        for (const QString &line : document.error().details)
            QVERIFY2(line.startsWith(kSource + QLatin1Char(':')), qPrintable(line));
    }

    void everyProblemIsListed()
    {
        const QByteArray json(R"({"a": 1, "a": 2, "b": {"c": "\uD800", "c": "\u0000"}})");
        const Result<QJsonDocument> document = parseJsonStrict(json, kSource, InputKind::Records);
        QVERIFY(!document.ok());
        const QStringList &details = document.error().details;
        QCOMPARE(details.size(), 4);
        QVERIFY2(details.at(0).contains(QStringLiteral("$.a: key \"a\" appears twice")), qPrintable(details.at(0)));
        QVERIFY2(details.at(1).contains(QStringLiteral("$.b.c: \\uD800")), qPrintable(details.at(1)));
        QVERIFY2(details.at(2).contains(QStringLiteral("$.b.c: key \"c\" appears twice")), qPrintable(details.at(2)));
        QVERIFY2(details.at(3).contains(QStringLiteral("$.b.c: \\u0000")), qPrintable(details.at(3)));
        QVERIFY2(document.error().message.contains(QStringLiteral("4 problems")), qPrintable(document.error().message));
    }

    void aFileFullOfProblemsIsCutShort()
    {
        // 30 keys given twice: the first 20 are listed and the cut is said.
        QByteArray json("{");
        for (int i = 0; i < 30; ++i)
            json += QStringLiteral("\"k%1\": 1, \"k%1\": 2, ").arg(i).toUtf8();
        json += "\"end\": 0}";
        const Result<QJsonDocument> document = parseJsonStrict(json, kSource, InputKind::Records);
        QVERIFY(!document.ok());
        const QStringList &details = document.error().details;
        QCOMPARE(details.size(), 21);
        QVERIFY2(details.at(19).contains(QStringLiteral("$.k19: key \"k19\" appears twice")), qPrintable(details.at(19)));
        QCOMPARE(details.at(20), QStringLiteral("src.json: (stopped after 20 problems; fix these first)"));
        QVERIFY2(document.error().message.endsWith(QStringLiteral("(20 problems)")), qPrintable(document.error().message));
    }

    void problemsBeforeASyntaxErrorAreListedWithIt()
    {
        const QByteArray json("{\"a\": 1, \"a\": 2,\n\"b\": }");
        const Result<QJsonDocument> document = parseJsonStrict(json, kSource, InputKind::Records);
        QVERIFY(!document.ok());
        const QStringList &details = document.error().details;
        QCOMPARE(details.size(), 2);
        QVERIFY2(
            details.at(0).startsWith(QStringLiteral("src.json:1:10: $.a: key \"a\" appears twice")), qPrintable(details.at(0)));
        QVERIFY2(
            details.at(1).startsWith(QStringLiteral("src.json:2:")) && details.at(1).contains(QStringLiteral("not valid JSON")),
            qPrintable(details.at(1)));
    }

    void sizeLimit_data()
    {
        QTest::addColumn<int>("kind");
        for (const InputLimit &limit : kInputLimits) {
            if (limit.maxBytes <= 4 * kMiB) // the 64 MiB kinds take long to build for no more proof
                QTest::addRow("%s", limit.name) << int(limit.kind);
        }
    }

    void sizeLimit()
    {
        QFETCH(int, kind);
        const InputKind inputKind = InputKind(kind);
        const qint64 limit = maxInputBytes(inputKind);
        // The largest accepted: "[]" and spaces up to the limit.
        QByteArray json("[]");
        json.append(QByteArray(limit - json.size(), ' '));
        QVERIFY2(parseJsonStrict(json, kSource, inputKind).ok(), "a document at the limit was refused");
        json.append(' ');
        const Result<QJsonDocument> over = parseJsonStrict(json, kSource, inputKind);
        QVERIFY(!over.ok());
        QCOMPARE(over.error().code, ErrorCode::Invalid);
        const QString text = joined(over.error());
        QVERIFY2(text.startsWith(kSource + QStringLiteral(": ") + QString::number(limit + 1) + QStringLiteral(" bytes")),
            qPrintable(text));
        QVERIFY2(text.contains(describeBytes(limit)) && text.contains(QString::number(limit)), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String(inputLimit(inputKind).name)), qPrintable(text));
    }

    void readInputFileRefusesBeforeReading()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const qint64 limit = maxInputBytes(InputKind::Calendar);
        const QString atLimit = dir.filePath(QStringLiteral("at-limit.json"));
        QVERIFY(writeFile(atLimit, QByteArray(limit, 'x')));
        const Result<QByteArray> read = readInputFile(atLimit, InputKind::Calendar);
        QVERIFY2(read.ok(), read ? "" : qPrintable(read.error().message));
        QCOMPARE(read->size(), limit);

        const QString over = dir.filePath(QStringLiteral("over.json"));
        QVERIFY(writeFile(over, QByteArray(limit + 1, 'x')));
        const Result<QByteArray> refused = readInputFile(over, InputKind::Calendar);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::Invalid);
        QCOMPARE(refused.error().message,
            over
                + QStringLiteral(": %1 bytes is more than the 1 MiB (%2 bytes) a bank holidays file may hold; this is not such "
                                 "a file, or it must be split")
                      .arg(limit + 1)
                      .arg(limit));

        // A device without a size is read only to one byte past the limit.
        const Result<QByteArray> endless = readInputFile(QStringLiteral("/dev/zero"), InputKind::NoticeTemplate);
        QVERIFY(!endless.ok());
        QCOMPARE(endless.error().code, ErrorCode::Invalid);
        QVERIFY2(endless.error().message.contains(QStringLiteral("more than the 256 KiB")), qPrintable(endless.error().message));

        const Result<QByteArray> missing = readInputFile(dir.filePath(QStringLiteral("missing.json")), InputKind::Exemptions);
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
        QVERIFY2(missing.error().message.contains(QStringLiteral("missing.json: cannot read an exemption list")),
            qPrintable(missing.error().message));
        const Result<QByteArray> directory = readInputFile(dir.path(), InputKind::Exemptions);
        QVERIFY(!directory.ok());
        QCOMPARE(directory.error().code, ErrorCode::NotFound);
    }

    // Every reader of a JSON file refuses a key given twice, naming the
    // file, line, column and path: the shipped file (or a small valid one)
    // is accepted, and the same with one key repeated is not.
    void everyReaderIsStrict_data()
    {
        QTest::addColumn<Reader>("reader");
        QTest::addColumn<QByteArray>("valid");
        QTest::addColumn<QByteArray>("after"); // the duplicate goes after the first of these
        QTest::addColumn<QString>("path");

        const auto ok = [](auto result) -> Result<bool> {
            if (!result)
                return result.error();
            return true;
        };
        QTest::addRow("workflow definition")
            << Reader([ok](const QByteArray &j, const QString &s) { return ok(WorkflowLoader().parse(j, s)); })
            << readSource(QStringLiteral("workflows/access.json")) << QByteArray("\"states\": [\n    {")
            << QStringLiteral("$.states[0].name");
        QTest::addRow("bank holidays") << Reader([ok](const QByteArray &j, const QString &s) {
            return ok(BankHolidays::parse(j, s));
        }) << readSource(QStringLiteral("resources/calendars/uk-bank-holidays.json"))
                                       << QByteArray("\"scotland\": {") << QStringLiteral("$.scotland.name");
        QTest::addRow("deadline rules") << Reader([ok](const QByteArray &j, const QString &s) {
            return ok(DeadlineRuleBook::parse(j, s));
        }) << readSource(QStringLiteral("resources/deadline-rules.json"))
                                        << QByteArray("{") << QStringLiteral("$.name");
        QTest::addRow("processing register")
            << Reader([ok](const QByteArray &j, const QString &s) { return ok(ProcessingRegister::parse(j, s)); })
            << readSource(QStringLiteral("resources/processing-register.example.json")) << QByteArray("\"systems\": [\n    {")
            << QStringLiteral("$.systems[0].name");
        QTest::addRow("exemptions") << Reader([ok](const QByteArray &j, const QString &s) {
            return ok(ExemptionList::parse(j, s));
        }) << readSource(QStringLiteral("resources/bundle/exemptions.json"))
                                    << QByteArray("\"exemptions\": [\n    {") << QStringLiteral("$.exemptions[0].name");
        QTest::addRow("records") << Reader([ok](const QByteArray &j, const QString &s) { return ok(RecordSet::parse(j, s)); })
                                 << QByteArray(R"([{"id": 1, "text": "a"}, {"id": 2, "text": "b"}])") << QByteArray("\"id\": 2, ")
                                 << QStringLiteral("$[1].name");
        QTest::addRow("bundle manifest") << Reader(
            [ok](const QByteArray &j, const QString &s) { return ok(Manifest::parse(j, s)); })
                                         << QByteArray() << QByteArray() << QStringLiteral("$.name");
    }

    void everyReaderIsStrict()
    {
        QFETCH(Reader, reader);
        QFETCH(QByteArray, valid);
        QFETCH(QByteArray, after);
        QFETCH(QString, path);
        QByteArray json;
        qsizetype offset = 0;
        if (valid.isEmpty()) {
            // No valid sample to hand: the duplicate is refused before anything else is looked at.
            json = QByteArray(R"({"name": 1, "name": 2})");
            offset = json.lastIndexOf("\"name\"");
        } else {
            const Result<bool> accepted = reader(valid, kSource);
            QVERIFY2(accepted.ok(), accepted ? "" : qPrintable(joined(accepted.error())));
            const qsizetype found = valid.indexOf(after);
            QVERIFY2(found >= 0, after.constData());
            json = valid;
            json.insert(found + after.size(), QByteArray("\"name\": 1, \"name\": 2, "));
            offset = json.indexOf("\"name\": 2");
        }
        const Result<bool> refused = reader(json, kSource);
        QVERIFY2(!refused.ok(), "a duplicate key was accepted");
        QCOMPARE(refused.error().code, ErrorCode::Invalid);
        QVERIFY2(refused.error().message.contains(kSource), qPrintable(refused.error().message));
        const QString expected = at(json, offset) + path + QStringLiteral(": key \"name\" appears twice");
        bool found = false;
        for (const QString &line : refused.error().details)
            found = found || line.startsWith(expected);
        QVERIFY2(found, qPrintable(QStringLiteral("no line \"%1\" in:\n%2").arg(expected, joined(refused.error()))));
    }
};

QTEST_GUILESS_MAIN(TestJsonStrict)
#include "TestJsonStrict.moc"
