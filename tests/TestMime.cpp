// SPDX-License-Identifier: GPL-3.0-or-later
#include "Checks.h"
#include "mail/MimeMessage.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using rf::ErrorCode;
using rf::MailAddress;
using rf::MailAttachment;
using rf::MailMessage;
using rf::MimeWriter;

using rf::test::errorText;
using rf::test::runTool;
using rf::test::ToolRun;

Q_DECLARE_METATYPE(rf::MailMessage)

namespace {

// Messages are read back with a MIME parser that shares no code with ours.
const QString kPython = QStringLiteral("/usr/bin/python3");

// Prints, as JSON, what Python's email package (its modern policy) reads from
// the message: the decoded headers, the part structure, every leaf part's
// type, charset, decoded text or file name and payload digest, each
// multipart's boundary, and every defect it noted, on parts and on headers.
const char kReadScript[] = R"PY(
import email, email.header, email.policy, email.utils, hashlib, json, sys

def header_defects(part):
    found = []
    for name, value in part.items():
        for defect in getattr(value, "defects", ()):
            found.append("%s: %s" % (name, defect))
    return found

def structure(part):
    if part.is_multipart():
        return part.get_content_type() + "(" + ",".join(structure(p) for p in part.iter_parts()) + ")"
    return part.get_content_type()

def mailboxes(msg, name):
    value = msg[name]
    if value is None:
        return []
    # The legacy parser as a second reading of names: it drops the white
    # space between adjacent encoded words in a phrase as RFC 2047 6.2 says,
    # which the modern one does not.
    legacy = email.utils.getaddresses(legacy_msg.get_all(name))
    return [{"name": a.display_name, "address": a.addr_spec,
             "rfc2047Name": str(email.header.make_header(email.header.decode_header(legacy[i][0]))),
             "legacyAddress": legacy[i][1]}
            for i, a in enumerate(value.addresses)]

def text(value):
    return None if value is None else str(value)

with open(sys.argv[1], "rb") as f:
    raw = f.read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
legacy_msg = email.message_from_bytes(raw, policy=email.policy.compat32)
leaves, multiparts = [], []
for part in msg.walk():
    entry = {"contentType": part.get_content_type(),
             "defects": [str(d) for d in part.defects],
             "headerDefects": header_defects(part)}
    if part.is_multipart():
        entry["boundary"] = part.get_boundary()
        multiparts.append(entry)
        continue
    payload = part.get_payload(decode=True)
    entry.update({"charset": part.get_content_charset(),
                  "transferEncoding": text(part.get("Content-Transfer-Encoding")),
                  "disposition": part.get_content_disposition(),
                  "filename": part.get_filename(),
                  "size": len(payload),
                  "sha256": hashlib.sha256(payload).hexdigest()})
    if part.get_content_maintype() == "text":
        entry["text"] = part.get_content()
    leaves.append(entry)
date = msg["Date"]
print(json.dumps({
    "from": mailboxes(msg, "From"), "to": mailboxes(msg, "To"), "replyTo": mailboxes(msg, "Reply-To"),
    "subject": text(msg["Subject"]), "messageId": text(msg["Message-ID"]),
    "date": date.datetime.isoformat() if date is not None and date.datetime is not None else None,
    "idempotencyKey": text(msg["X-Rightsflow-Idempotency-Key"]),
    "autoSubmitted": text(msg["Auto-Submitted"]), "mimeVersion": text(msg["MIME-Version"]),
    "structure": structure(msg), "multiparts": multiparts, "parts": leaves}))
)PY";

// What Python's email package reads from `mime`, or an empty object with `why` set.
QJsonObject readWithPython(const QByteArray &mime, QString *why)
{
    QTemporaryDir scratch;
    const QString path = scratch.filePath(QStringLiteral("message.eml"));
    QFile file(path);
    if (!scratch.isValid() || !file.open(QIODevice::WriteOnly) || file.write(mime) != mime.size()) {
        *why = QStringLiteral("cannot write %1").arg(path);
        return {};
    }
    file.close();
    const ToolRun run = runTool(kPython, {QStringLiteral("-c"), QString::fromUtf8(kReadScript), path});
    const QJsonDocument doc = QJsonDocument::fromJson(run.out);
    if (run.exitCode != 0 || !doc.isObject()) {
        *why = QStringLiteral("Python's email package could not read the message:\n%1").arg(run.describe());
        return {};
    }
    return doc.object();
}

// Every defect Python noted, but those of the RFC 2047 encoded words in a
// quoted name= parameter, which RFC 2047 does not allow and old readers
// (Outlook) need; MimeWriter writes them on purpose, beside RFC 2231 filename*.
QStringList defectsIn(const QJsonObject &parsed)
{
    QStringList found;
    QJsonArray parts = parsed.value(QStringLiteral("parts")).toArray();
    for (const QJsonValue &multipart : parsed.value(QStringLiteral("multiparts")).toArray())
        parts.append(multipart);
    for (const QJsonValue &value : parts) {
        const QJsonObject part = value.toObject();
        const QString where = part.value(QStringLiteral("contentType")).toString();
        for (const QJsonValue &defect : part.value(QStringLiteral("defects")).toArray())
            found << where + QStringLiteral(": ") + defect.toString();
        for (const QJsonValue &defect : part.value(QStringLiteral("headerDefects")).toArray()) {
            const QString text = defect.toString();
            const bool nameParameter = !part.value(QStringLiteral("filename")).isNull()
                && (text == QLatin1String("Content-Type: encoded word inside quoted string")
                    || text == QLatin1String("Content-Type: missing trailing whitespace after encoded-word"));
            if (!nameParameter)
                found << where + QStringLiteral(" header ") + text;
        }
    }
    return found;
}

// The wire format, checked octet by octet: 7-bit only, CRLF line ends and no
// bare CR or LF, no line over 998 octets (RFC 5322), header lines within 78
// (every address and ID in these tests is short), body lines within 76
// (RFC 2045 quoted-printable and base64; boundaries are shorter), no line
// ending in white space, and every RFC 2047 encoded word within 75 characters.
QString wireProblem(const QByteArray &mime)
{
    if (!mime.endsWith("\r\n"))
        return QStringLiteral("the message does not end with CRLF");
    for (qsizetype i = 0; i < mime.size(); ++i) {
        const auto octet = static_cast<unsigned char>(mime.at(i));
        if (octet >= 0x80 || octet == 0)
            return QStringLiteral("octet 0x%1 at %2: the message is not 7-bit").arg(octet, 2, 16, QLatin1Char('0')).arg(i);
        if (octet == '\r' && (i + 1 == mime.size() || mime.at(i + 1) != '\n'))
            return QStringLiteral("bare CR at %1").arg(i);
        if (octet == '\n' && (i == 0 || mime.at(i - 1) != '\r'))
            return QStringLiteral("bare LF at %1").arg(i);
    }
    QList<QByteArray> delimiters;
    static const QRegularExpression boundaryPattern(QStringLiteral("boundary=\"([^\"]+)\""));
    for (const QRegularExpressionMatch &match : boundaryPattern.globalMatch(QString::fromLatin1(mime))) {
        delimiters << "--" + match.captured(1).toLatin1();
        delimiters << delimiters.last() + "--";
    }
    QList<QByteArray> lines = mime.split('\n');
    lines.removeLast(); // after the final line feed
    bool inHeader = true;
    for (qsizetype n = 0; n < lines.size(); ++n) {
        const QByteArray line = lines.at(n).chopped(1);
        const QString where
            = QStringLiteral("line %1 (%2 octets): %3").arg(n + 1).arg(line.size()).arg(QString::fromLatin1(line.left(100)));
        if (line.size() > 998)
            return QStringLiteral("over 998 octets: ") + where;
        if (line.endsWith(' ') || line.endsWith('\t'))
            return QStringLiteral("ends in white space: ") + where;
        if (line.isEmpty()) {
            inHeader = false;
            continue;
        }
        if (delimiters.contains(line)) {
            inHeader = true; // a part's headers follow a delimiter
            continue;
        }
        if (line.size() > (inHeader ? 78 : 76))
            return QStringLiteral("over %1 characters: ").arg(inHeader ? 78 : 76) + where;
    }
    static const QRegularExpression encodedWordPattern(QStringLiteral(R"(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)"));
    for (const QRegularExpressionMatch &match : encodedWordPattern.globalMatch(QString::fromLatin1(mime))) {
        if (match.capturedLength() > 75)
            return QStringLiteral("encoded word of %1 characters: %2").arg(match.capturedLength()).arg(match.captured());
    }
    return {};
}

QString headerSection(const QByteArray &mime)
{
    return QString::fromLatin1(mime.left(mime.indexOf("\r\n\r\n") + 2));
}

// The text a reader should find: every line end a CRLF, a final one included.
QString asRead(QString text)
{
    text.replace(QStringLiteral("\r\n"), QStringLiteral("\n")).replace(QLatin1Char('\r'), QLatin1Char('\n'));
    if (!text.endsWith(QLatin1Char('\n')))
        text += QLatin1Char('\n');
    return text.replace(QLatin1Char('\n'), QStringLiteral("\r\n"));
}

QString sha256Hex(const QByteArray &content)
{
    return QString::fromLatin1(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex());
}

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QRandomGenerator generator(seed);
    QByteArray bytes((size + 3) / 4 * 4, Qt::Uninitialized);
    generator.fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
    bytes.truncate(size);
    return bytes;
}

QDateTime march2()
{
    return QDateTime(QDate(2026, 3, 2), QTime(9, 0), Qt::UTC);
}

// A valid notice that the cases change one thing of.
MailMessage notice()
{
    MailMessage m;
    m.from = MailAddress {QStringLiteral("Information Governance"), QStringLiteral("ig@council.example")};
    m.to = {MailAddress {QStringLiteral("Margaret Ellis"), QStringLiteral("m.ellis@example.org")}};
    m.subject = QStringLiteral("Your subject access request DSR-2026-000001");
    m.text = QStringLiteral("Dear Ms Ellis,\n\nWe have received your request.\n\nInformation Governance\n");
    m.date = march2();
    m.messageId = QStringLiteral("DSR-2026-000001.12.1@rightsflow.council.example");
    m.idempotencyKey = QStringLiteral("DSR-2026-000001/12/1");
    return m;
}

QString stringAt(const QJsonObject &object, const char *key)
{
    return object.value(QLatin1String(key)).toString();
}

QJsonObject mailboxAt(const QJsonObject &parsed, const char *header, qsizetype index)
{
    return parsed.value(QLatin1String(header)).toArray().at(index).toObject();
}

} // namespace

// Renders a message, checks its wire format, reads it with Python and checks
// that Python saw no defect; the parsed JSON is left in `parsed`.
#define RENDER_AND_READ(message, mime, parsed)                                                                                   \
    QByteArray mime;                                                                                                             \
    QJsonObject parsed;                                                                                                          \
    do {                                                                                                                         \
        const rf::Result<QByteArray> renderedMime = MimeWriter::render(message);                                                 \
        VERIFY_OK(renderedMime);                                                                                                 \
        mime = *renderedMime;                                                                                                    \
        const QString wireCheck = wireProblem(mime);                                                                             \
        QVERIFY2(wireCheck.isEmpty(), qPrintable(wireCheck + QStringLiteral("\n") + headerSection(mime)));                       \
        QString readProblem;                                                                                                     \
        parsed = readWithPython(mime, &readProblem);                                                                             \
        QVERIFY2(!parsed.isEmpty(), qPrintable(readProblem));                                                                    \
        const QStringList pythonDefects = defectsIn(parsed);                                                                     \
        QVERIFY2(pythonDefects.isEmpty(),                                                                                        \
            qPrintable(pythonDefects.join(QLatin1Char('\n')) + QStringLiteral("\n") + headerSection(mime)));                     \
    } while (false)

class TestMime : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY2(QFileInfo::exists(kPython),
            "/usr/bin/python3 is missing: install the Debian package python3 (see packaging/debian-packages.txt)");
    }

    void plainAsciiNotice()
    {
        const MailMessage m = notice();
        RENDER_AND_READ(m, mime, parsed);
        QCOMPARE(stringAt(parsed, "structure"), QStringLiteral("text/plain"));
        QCOMPARE(stringAt(mailboxAt(parsed, "from", 0), "name"), QStringLiteral("Information Governance"));
        QCOMPARE(stringAt(mailboxAt(parsed, "from", 0), "address"), QStringLiteral("ig@council.example"));
        QCOMPARE(parsed.value(QStringLiteral("to")).toArray().size(), 1);
        QCOMPARE(stringAt(mailboxAt(parsed, "to", 0), "name"), QStringLiteral("Margaret Ellis"));
        QCOMPARE(stringAt(mailboxAt(parsed, "to", 0), "address"), QStringLiteral("m.ellis@example.org"));
        QVERIFY(parsed.value(QStringLiteral("replyTo")).toArray().isEmpty());
        QCOMPARE(stringAt(parsed, "subject"), m.subject);
        QCOMPARE(stringAt(parsed, "messageId"), QStringLiteral("<DSR-2026-000001.12.1@rightsflow.council.example>"));
        QCOMPARE(stringAt(parsed, "date"), QStringLiteral("2026-03-02T09:00:00+00:00"));
        QCOMPARE(stringAt(parsed, "idempotencyKey"), QStringLiteral("DSR-2026-000001/12/1"));
        QCOMPARE(stringAt(parsed, "autoSubmitted"), QStringLiteral("auto-generated"));
        QCOMPARE(stringAt(parsed, "mimeVersion"), QStringLiteral("1.0"));
        const QJsonObject body = parsed.value(QStringLiteral("parts")).toArray().at(0).toObject();
        QCOMPARE(stringAt(body, "charset"), QStringLiteral("utf-8"));
        QCOMPARE(stringAt(body, "transferEncoding"), QStringLiteral("quoted-printable"));
        QCOMPARE(stringAt(body, "text"), asRead(m.text));
        // The headers as written, where the RFCs fix the form.
        const QString headers = headerSection(mime);
        QVERIFY2(headers.startsWith(QLatin1String("Date: Mon, 02 Mar 2026 09:00:00 +0000\r\n")), qPrintable(headers));
        QVERIFY2(headers.contains(QLatin1String("\r\nMessage-ID: <DSR-2026-000001.12.1@rightsflow.council.example>\r\n")),
            qPrintable(headers));
        QVERIFY2(headers.contains(QLatin1String("\r\nAuto-Submitted: auto-generated\r\n")), qPrintable(headers));
        QVERIFY2(headers.contains(QLatin1String("\r\nMIME-Version: 1.0\r\n")), qPrintable(headers));
    }

    void headerTextDecodes_data()
    {
        QTest::addColumn<QString>("fromName");
        QTest::addColumn<QString>("toName");
        QTest::addColumn<QString>("replyToName");
        QTest::addColumn<QString>("subject");
        // Whether a name has a run of words to encode (non-ASCII, or with
        // specials and too long to quote) longer than one encoded word holds:
        // Python's modern parser then shows a space between the words, against
        // RFC 2047 6.2; its legacy parser, also checked, does not.
        QTest::addColumn<bool>("splitRun");

        QTest::addRow("ASCII") << QStringLiteral("Information Governance") << QStringLiteral("Margaret Ellis")
                               << QStringLiteral("Anytown Council") << QStringLiteral("Your request DSR-2026-000001") << false;
        QTest::addRow("specials in names") << QStringLiteral("Information Governance, Anytown Council")
                                           << QStringLiteral("Margaret \"Peggy\" Ellis \\ Jr.")
                                           << QStringLiteral("Ellis (work) <m@x>; a@b.c")
                                           << QStringLiteral("Re: (draft) <urgent> a@b.c; \"quoted\" \\ back") << false;
        QTest::addRow("non-ASCII") << QStringLiteral("Comhairle Contae Bhaile Átha Cliath") << QStringLiteral("Zoë Ní Bhriain")
                                   << QStringLiteral("Seán Ó Briain")
                                   << QStringLiteral("Votre demande – réponse prête ✅ 🎉 (DSR-2026-000001)") << false;
        QString longSubject;
        while (longSubject.size() < 220)
            longSubject += QStringLiteral("your subject access request DSR-2026-000001 needs identity evidence ");
        QTest::addRow("long ASCII subject") << QString() << QString() << QString() << longSubject.trimmed() << false;
        QString longAccented;
        while (longAccented.size() < 230)
            longAccented += QStringLiteral("Réponse à votre demande d’accès – données personnelles 🎉 ");
        QTest::addRow("long non-ASCII subject") << QString() << QString() << QString() << longAccented.trimmed() << false;
        QTest::addRow("emoji only") << QStringLiteral("🎉") << QString(40, QChar(0x00e9)) << QStringLiteral("山田 太郎")
                                    << QString::fromUtf8("🎉😀👩‍👩‍👧‍👦").repeated(20) << true;
        QTest::addRow("long names") << QStringLiteral("Zoë Ní Bhriain ").repeated(9).trimmed()
                                    << QStringLiteral("Margaret Ellis of the Records Management Team ").repeated(3).trimmed()
                                    << QStringLiteral("Ellis, ").repeated(15).chopped(2) << QStringLiteral("x") << true;
        QTest::addRow("a word too long for a line")
            << QStringLiteral("Information") << QString(90, QLatin1Char('m')) << QStringLiteral("Reply")
            << QStringLiteral("See https://council.example/") + QString(120, QLatin1Char('a')) + QStringLiteral(" now") << true;
        QTest::addRow("text that looks encoded")
            << QStringLiteral("=?UTF-8?B?SGk=?=") << QStringLiteral("a =?x?= b") << QStringLiteral("Reply")
            << QStringLiteral("Literal =?UTF-8?Q?not_encoded?= text") << false;
        QTest::addRow("odd spacing") << QStringLiteral("Name") << QStringLiteral("Name") << QStringLiteral("Reply")
                                     << QStringLiteral("two  spaces and a trailing one ") << false;
        QTest::addRow("empty subject") << QString() << QString() << QString() << QString() << false;
    }

    void headerTextDecodes()
    {
        QFETCH(QString, fromName);
        QFETCH(QString, toName);
        QFETCH(QString, replyToName);
        QFETCH(QString, subject);
        QFETCH(bool, splitRun);
        MailMessage m = notice();
        m.from.name = fromName;
        m.to = {MailAddress {toName, QStringLiteral("first@example.org")},
            MailAddress {QStringLiteral("Ellis, Margaret"), QStringLiteral("second@example.org")},
            MailAddress {QString(), QStringLiteral("third@example.org")}};
        if (!replyToName.isEmpty())
            m.replyTo = MailAddress {replyToName, QStringLiteral("dpo@council.example")};
        m.subject = subject;
        RENDER_AND_READ(m, mime, parsed);
        auto check = [&parsed, splitRun](const char *header, qsizetype index, const MailAddress &expected) {
            const QJsonObject mailbox = mailboxAt(parsed, header, index);
            QString name = stringAt(mailbox, "name");
            QString wanted = expected.name;
            if (splitRun) {
                name.remove(QLatin1Char(' '));
                wanted.remove(QLatin1Char(' '));
            }
            return name == wanted && stringAt(mailbox, "rfc2047Name") == expected.name
                && stringAt(mailbox, "address") == expected.address && stringAt(mailbox, "legacyAddress") == expected.address;
        };
        const QString seen = QString::fromUtf8(QJsonDocument(parsed).toJson()).left(3000);
        QVERIFY2(check("from", 0, m.from), qPrintable(seen));
        QCOMPARE(parsed.value(QStringLiteral("to")).toArray().size(), 3);
        for (qsizetype i = 0; i < 3; ++i)
            QVERIFY2(check("to", i, m.to.at(i)), qPrintable(seen));
        if (replyToName.isEmpty()) {
            QVERIFY(!headerSection(mime).contains(QLatin1String("\r\nReply-To:")));
            QVERIFY(parsed.value(QStringLiteral("replyTo")).toArray().isEmpty());
        } else {
            QCOMPARE(parsed.value(QStringLiteral("replyTo")).toArray().size(), 1);
            QVERIFY2(check("replyTo", 0, m.replyTo), qPrintable(seen));
        }
        QCOMPARE(stringAt(parsed, "subject"), subject);
    }

    void dateIsRfc5322_data()
    {
        QTest::addColumn<QDateTime>("date");
        QTest::addColumn<QString>("written");
        QTest::addColumn<QString>("read");

        QTest::addRow("UTC") << march2() << QStringLiteral("Mon, 02 Mar 2026 09:00:00 +0000")
                             << QStringLiteral("2026-03-02T09:00:00+00:00");
        QTest::addRow("British Summer Time")
            << QDateTime(QDate(2026, 7, 14), QTime(10, 30, 5), QTimeZone("Europe/London"))
            << QStringLiteral("Tue, 14 Jul 2026 10:30:05 +0100") << QStringLiteral("2026-07-14T10:30:05+01:00");
        QTest::addRow("behind UTC, half hours")
            << QDateTime(QDate(2026, 12, 31), QTime(23, 59, 59, 999), QTimeZone(-(3 * 3600 + 1800)))
            << QStringLiteral("Thu, 31 Dec 2026 23:59:59 -0330") << QStringLiteral("2026-12-31T23:59:59-03:30");
    }

    void dateIsRfc5322()
    {
        QFETCH(QDateTime, date);
        QFETCH(QString, written);
        QFETCH(QString, read);
        // Day and month names stay English on a French or Welsh desktop.
        const QLocale before;
        QLocale::setDefault(QLocale(QLocale::French, QLocale::France));
        MailMessage m = notice();
        m.date = date;
        const rf::Result<QByteArray> rendered = MimeWriter::render(m);
        QLocale::setDefault(before);
        VERIFY_OK(rendered);
        QVERIFY2(headerSection(*rendered).startsWith(QStringLiteral("Date: %1\r\n").arg(written)),
            qPrintable(headerSection(*rendered)));
        QCOMPARE(QString::fromLatin1(rf::rfc5322Date(date)), written);
        QString why;
        const QJsonObject parsed = readWithPython(*rendered, &why);
        QVERIFY2(!parsed.isEmpty(), qPrintable(why));
        QVERIFY2(defectsIn(parsed).isEmpty(), qPrintable(defectsIn(parsed).join(QLatin1Char('\n'))));
        QCOMPARE(stringAt(parsed, "date"), read);
    }

    void bodyTextSurvives_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("html");

        const QString longLine = QString(3000, QLatin1Char('x'));
        const QString longAccented = QString(2500, QChar(0x00e9));
        QString longWords;
        while (longWords.size() < 1200)
            longWords += QStringLiteral("a sentence that goes on ");
        const QString lines = longLine + u'\n' + longAccented + u'\n' + longWords + u'\n';
        QTest::addRow("lines over 998 octets") << lines << QString();
        QTest::addRow("lines over 998 octets, with HTML") << lines << QStringLiteral("<p>") + longLine + QStringLiteral("</p>");
        const QString dotsAndFrom = QStringLiteral(".\n..two dots\n. a dot and a space\nFrom the council\nFrom: like a header\n"
                                                   ">From quoted\nFrom\nFro\nx\n.");
        QTest::addRow("dots and From at line starts") << dotsAndFrom << dotsAndFrom;
        // A "." or "From " also opens the line after a soft break.
        QTest::addRow("dots and From after soft breaks") << QString(75, QLatin1Char('a')) + QStringLiteral(".b\n")
                + QString(75, QLatin1Char('a'))
                + QStringLiteral("From me\n") << QString();
        QTest::addRow("trailing white space") << QStringLiteral("ends with spaces   \nends with a tab\t\n \n\t\n  \t \nlast  ")
                                              << QStringLiteral("<p>x</p>   \n<p>y</p>\t");
        QTest::addRow("equals signs") << QStringLiteral("a=b\n=\n==\n=3D is not an escape\n=?UTF-8?B?SGk=?=\nends with =")
                                      << QStringLiteral("<a href=\"x?a=1&b=2\">=</a>");
        QTest::addRow("bare LF") << QStringLiteral("one\ntwo\n\nthree\n") << QStringLiteral("<p>one</p>\n<p>two</p>\n");
        QTest::addRow("bare CR") << QStringLiteral("one\rtwo\r\rthree\r") << QString();
        QTest::addRow("mixed line ends") << QStringLiteral("one\r\ntwo\nthree\rfour\r\n\r\nfive") << QString();
        QTest::addRow("no final line end") << QStringLiteral("just one line") << QStringLiteral("<p>just one line</p>");
        QTest::addRow("several final line ends") << QStringLiteral("text\n\n\n") << QString();
        QTest::addRow("non-ASCII and emoji")
            << QStringLiteral("Zoë Ní Bhriain 🎉\nŁódź – “quoted” …\n山田 太郎\n") << QStringLiteral("<p>Zoë 🎉 – “quoted”</p>");
        QTest::addRow("lines around 76") << QString(75, QLatin1Char('a')) + u'\n' + QString(76, QLatin1Char('b')) + u'\n'
                + QString(77, QLatin1Char('c')) + u'\n' + QString(74, QLatin1Char('d')) + QStringLiteral(" \n")
                + QString(75, QLatin1Char('e')) + QStringLiteral("=\n") + QString(74, QLatin1Char('f'))
                + QStringLiteral("é\n") << QString();
        QTest::addRow("delimiter lookalikes")
            << QStringLiteral("--\n--=_rf.mix.0123\n--=_rf.alt.\n-- \n") << QStringLiteral("--=_rf.alt.x--\n");
        QTest::addRow("control characters") << QStringLiteral("nul \u0000 bell \u0007 escape \u001b delete \u007f") << QString();
    }

    void bodyTextSurvives()
    {
        QFETCH(QString, text);
        QFETCH(QString, html);
        MailMessage m = notice();
        m.text = text;
        m.html = html;
        RENDER_AND_READ(m, mime, parsed);
        const QJsonArray parts = parsed.value(QStringLiteral("parts")).toArray();
        if (html.isEmpty()) {
            QCOMPARE(stringAt(parsed, "structure"), QStringLiteral("text/plain"));
        } else {
            QCOMPARE(stringAt(parsed, "structure"), QStringLiteral("multipart/alternative(text/plain,text/html)"));
            QCOMPARE(stringAt(parts.at(1).toObject(), "charset"), QStringLiteral("utf-8"));
            QCOMPARE(stringAt(parts.at(1).toObject(), "transferEncoding"), QStringLiteral("quoted-printable"));
            QCOMPARE(stringAt(parts.at(1).toObject(), "text"), asRead(html));
        }
        QCOMPARE(stringAt(parts.at(0).toObject(), "charset"), QStringLiteral("utf-8"));
        QCOMPARE(stringAt(parts.at(0).toObject(), "transferEncoding"), QStringLiteral("quoted-printable"));
        QCOMPARE(stringAt(parts.at(0).toObject(), "text"), asRead(text));
        // Whatever the text, no body line opens with "." or "From ": a relay
        // that does not dot-stuff, or an mbox, would change it.
        const QByteArray body = mime.mid(mime.indexOf("\r\n\r\n") + 4);
        for (const QByteArray &line : body.split('\n')) {
            QVERIFY2(!line.startsWith('.'), line.constData());
            QVERIFY2(!line.startsWith("From "), line.constData());
        }
    }

    void structureFollowsContent_data()
    {
        QTest::addColumn<bool>("withHtml");
        QTest::addColumn<bool>("withAttachment");
        QTest::addColumn<QString>("structure");

        QTest::addRow("text") << false << false << QStringLiteral("text/plain");
        QTest::addRow("text and HTML") << true << false << QStringLiteral("multipart/alternative(text/plain,text/html)");
        QTest::addRow("text and attachment") << false << true << QStringLiteral("multipart/mixed(text/plain,application/pdf)");
        QTest::addRow("text, HTML and attachment")
            << true << true << QStringLiteral("multipart/mixed(multipart/alternative(text/plain,text/html),application/pdf)");
    }

    void structureFollowsContent()
    {
        QFETCH(bool, withHtml);
        QFETCH(bool, withAttachment);
        QFETCH(QString, structure);
        MailMessage m = notice();
        if (withHtml)
            m.html = QStringLiteral("<p>Dear Ms Ellis,</p>");
        if (withAttachment)
            m.attachments = {MailAttachment {
                QStringLiteral("letter.pdf"), QStringLiteral("application/pdf"), QByteArrayLiteral("%PDF-1.7\n")}};
        RENDER_AND_READ(m, mime, parsed);
        QCOMPARE(stringAt(parsed, "structure"), structure);
        const QJsonArray parts = parsed.value(QStringLiteral("parts")).toArray();
        QCOMPARE(stringAt(parts.at(0).toObject(), "text"), asRead(m.text));
        QVERIFY(parts.at(0).toObject().value(QStringLiteral("disposition")).isNull());
        if (withHtml)
            QCOMPARE(stringAt(parts.at(1).toObject(), "text"), QStringLiteral("<p>Dear Ms Ellis,</p>\r\n"));
    }

    void attachmentsArriveWhole_data()
    {
        QTest::addColumn<bool>("withHtml");
        QTest::addRow("with HTML") << true;
        QTest::addRow("without HTML") << false;
    }

    void attachmentsArriveWhole()
    {
        QFETCH(bool, withHtml);
        QString longName;
        while (longName.size() < 296)
            longName += QStringLiteral("Données personnelles – réponse n° ");
        longName = longName.left(296) + QStringLiteral(".pdf");
        QCOMPARE(longName.size(), 300);
        const QList<MailAttachment> attachments {
            {QStringLiteral("Réponse – DSR-2026-000001 données.zip"), QStringLiteral("application/zip"),
                randomBytes(1 << 20, 20260302)},
            {longName, QStringLiteral("application/pdf"), randomBytes(4096, 7)},
            {QStringLiteral("letter.pdf"), QStringLiteral("application/pdf"), QByteArrayLiteral("%PDF-1.7\n%%EOF\n")},
            {QStringLiteral("empty.txt"), QStringLiteral("text/plain"), QByteArray()},
            {QStringLiteral("records-") + QString(120, QLatin1Char('r')) + QStringLiteral(".csv"), QStringLiteral("text/csv"),
                QByteArrayLiteral("a,b\r\n1,2\r\n")},
            {QStringLiteral("Ellis \"draft\" 50% done; v2 'final' *.txt"), QStringLiteral("text/plain"),
                QByteArrayLiteral("draft")},
            {QStringLiteral("🎉.bin"), QString(), randomBytes(77, 3)},
        };
        MailMessage m = notice();
        if (withHtml)
            m.html = QStringLiteral("<p>Dear Ms Ellis,</p>");
        m.attachments = attachments;
        RENDER_AND_READ(m, mime, parsed);
        const QString body
            = withHtml ? QStringLiteral("multipart/alternative(text/plain,text/html)") : QStringLiteral("text/plain");
        QCOMPARE(stringAt(parsed, "structure"),
            QStringLiteral("multipart/mixed(%1,application/zip,application/pdf,application/pdf,text/plain,text/csv,text/plain,"
                           "application/octet-stream)")
                .arg(body));
        const QJsonArray parts = parsed.value(QStringLiteral("parts")).toArray();
        const qsizetype first = withHtml ? 2 : 1;
        QCOMPARE(parts.size(), first + attachments.size());
        for (qsizetype i = 0; i < attachments.size(); ++i) {
            const QJsonObject part = parts.at(first + i).toObject();
            const MailAttachment &attachment = attachments.at(i);
            QCOMPARE(stringAt(part, "filename"), attachment.fileName);
            QCOMPARE(stringAt(part, "disposition"), QStringLiteral("attachment"));
            QCOMPARE(stringAt(part, "transferEncoding"), QStringLiteral("base64"));
            QCOMPARE(part.value(QStringLiteral("size")).toInteger(), qint64(attachment.content.size()));
            QCOMPARE(stringAt(part, "sha256"), sha256Hex(attachment.content));
        }
        // Long names are RFC 2231 continuations; a plain one stays readable.
        const QString raw = QString::fromLatin1(mime);
        QVERIFY(raw.contains(QLatin1String(" filename*0*=UTF-8''Donn%C3%A9es")));
        QVERIFY(raw.contains(QLatin1String(" filename*1*=")));
        QVERIFY(raw.contains(QLatin1String("Content-Disposition: attachment; filename=\"letter.pdf\"\r\n")));
    }

    void invalidMessagesNameTheField_data()
    {
        QTest::addColumn<MailMessage>("message");
        QTest::addColumn<QString>("field");

        auto with = [](auto change) {
            MailMessage m = notice();
            change(m);
            return m;
        };
        QTest::addRow("no recipient") << with([](MailMessage &m) { m.to.clear(); }) << QStringLiteral("to:");
        QTest::addRow("space in an address")
            << with([](MailMessage &m) { m.to[0].address = QStringLiteral("m ellis@example.org"); })
            << QStringLiteral("to[0].address:");
        QTest::addRow("non-ASCII address") << with([](MailMessage &m) { m.to[0].address = QStringLiteral("zoë@example.org"); })
                                           << QStringLiteral("to[0].address:");
        QTest::addRow("line break in an address")
            << with([](MailMessage &m) { m.to[0].address = QStringLiteral("m@example.org\r\nBcc: x@y.example"); })
            << QStringLiteral("to[0].address:");
        QTest::addRow("no @") << with([](MailMessage &m) { m.to[0].address = QStringLiteral("m.ellis"); })
                              << QStringLiteral("to[0].address:");
        QTest::addRow("two @") << with([](MailMessage &m) {
            m.to << MailAddress {QString(), QStringLiteral("a@b@example.org")};
        }) << QStringLiteral("to[1].address:");
        QTest::addRow("angle brackets in an address")
            << with([](MailMessage &m) { m.to[0].address = QStringLiteral("<m@example.org>"); })
            << QStringLiteral("to[0].address:");
        QTest::addRow("leading dot") << with([](MailMessage &m) { m.to[0].address = QStringLiteral(".m@example.org"); })
                                     << QStringLiteral("to[0].address:");
        QTest::addRow("no sender") << with([](MailMessage &m) { m.from.address.clear(); }) << QStringLiteral("from.address:");
        QTest::addRow("quoted local part") << with([](MailMessage &m) {
            m.from.address = QStringLiteral("\"ig\"@council.example");
        }) << QStringLiteral("from.address:");
        QTest::addRow("reply-to without address")
            << with([](MailMessage &m) { m.replyTo.name = QStringLiteral("DPO"); }) << QStringLiteral("replyTo.address:");
        QTest::addRow("empty text") << with([](MailMessage &m) { m.text.clear(); }) << QStringLiteral("text:");
        QTest::addRow("blank text") << with([](MailMessage &m) { m.text = QStringLiteral(" \r\n\t\n"); })
                                    << QStringLiteral("text:");
        QTest::addRow("no date") << with([](MailMessage &m) { m.date = QDateTime(); }) << QStringLiteral("date:");
        QTest::addRow("invalid date") << with([](MailMessage &m) {
            m.date = QDateTime(QDate(2026, 2, 30), QTime(9, 0), Qt::UTC);
        }) << QStringLiteral("date:");
        QTest::addRow("subject with CRLF") << with([](MailMessage &m) { m.subject = QStringLiteral("Hi\r\nBcc: x@y"); })
                                           << QStringLiteral("subject:");
        QTest::addRow("subject with LF") << with([](MailMessage &m) { m.subject = QStringLiteral("Hi\nBcc: x@y"); })
                                         << QStringLiteral("subject:");
        QTest::addRow("subject with CR") << with([](MailMessage &m) { m.subject = QStringLiteral("Hi\rBcc: x@y"); })
                                         << QStringLiteral("subject:");
        QTest::addRow("non-ASCII subject with LF")
            << with([](MailMessage &m) { m.subject = QStringLiteral("Réponse\nBcc: x@y"); }) << QStringLiteral("subject:");
        QTest::addRow("subject with a control character")
            << with([](MailMessage &m) { m.subject = QStringLiteral("Hi\u0007"); }) << QStringLiteral("subject:");
        QTest::addRow("recipient name with CRLF")
            << with([](MailMessage &m) { m.to[0].name = QStringLiteral("Ellis\r\nBcc: x@y"); }) << QStringLiteral("to[0].name:");
        QTest::addRow("sender name with LF")
            << with([](MailMessage &m) { m.from.name = QStringLiteral("IG\nBcc: x@y"); }) << QStringLiteral("from.name:");
        QTest::addRow("reply-to name with CR") << with([](MailMessage &m) {
            m.replyTo = {QStringLiteral("DPO\rBcc: x@y"), QStringLiteral("dpo@council.example")};
        }) << QStringLiteral("replyTo.name:");
        QTest::addRow("file name with CRLF") << with([](MailMessage &m) {
            m.attachments = {{QStringLiteral("a.zip\r\nBcc: x@y"), QStringLiteral("application/zip"), QByteArrayLiteral("x")}};
        }) << QStringLiteral("attachments[0].fileName:");
        QTest::addRow("empty file name") << with([](MailMessage &m) {
            m.attachments = {
                {QStringLiteral("a.zip"), QString(), {}}, {QString(), QStringLiteral("application/zip"), QByteArrayLiteral("x")}};
        }) << QStringLiteral("attachments[1].fileName:");
        QTest::addRow("media type with CRLF") << with([](MailMessage &m) {
            m.attachments = {{QStringLiteral("a.zip"), QStringLiteral("application/zip\r\nBcc: x@y"), QByteArrayLiteral("x")}};
        }) << QStringLiteral("attachments[0].mediaType:");
        QTest::addRow("media type with parameters") << with([](MailMessage &m) {
            m.attachments = {{QStringLiteral("a.txt"), QStringLiteral("text/plain; charset=latin1"), QByteArrayLiteral("x")}};
        }) << QStringLiteral("attachments[0].mediaType:");
        QTest::addRow("no message ID") << with([](MailMessage &m) { m.messageId.clear(); }) << QStringLiteral("messageId:");
        QTest::addRow("message ID in brackets")
            << with([](MailMessage &m) { m.messageId = QStringLiteral("<a@council.example>"); }) << QStringLiteral("messageId:");
        QTest::addRow("message ID with CRLF")
            << with([](MailMessage &m) { m.messageId = QStringLiteral("a@b\r\nBcc: x@y"); }) << QStringLiteral("messageId:");
        QTest::addRow("idempotency key with LF")
            << with([](MailMessage &m) { m.idempotencyKey = QStringLiteral("key\nBcc: x@y"); })
            << QStringLiteral("idempotencyKey:");
    }

    void invalidMessagesNameTheField()
    {
        QFETCH(MailMessage, message);
        QFETCH(QString, field);
        VERIFY_OK(MimeWriter::render(notice())); // the change alone makes it invalid
        const rf::Result<QByteArray> rendered = MimeWriter::render(message);
        QVERIFY2(!rendered.ok(), rendered.ok() ? rendered->left(2000).constData() : "");
        QCOMPARE(rendered.error().code, ErrorCode::Invalid);
        QVERIFY2(errorText(rendered).contains(field), qPrintable(errorText(rendered)));
    }

    void everyProblemIsNamed()
    {
        MailMessage m = notice();
        m.to.clear();
        m.subject = QStringLiteral("Hi\r\nBcc: x@y");
        m.text.clear();
        const rf::Result<QByteArray> rendered = MimeWriter::render(m);
        QVERIFY(!rendered.ok());
        QCOMPARE(rendered.error().details.size(), 3);
        for (const char *field : {"to:", "subject:", "text:"})
            QVERIFY2(errorText(rendered).contains(QLatin1String(field)), qPrintable(errorText(rendered)));
    }

    void sameMessageSameBytes()
    {
        auto build = [] {
            MailMessage m = notice();
            m.to[0].name = QStringLiteral("Zoë Ní Bhriain");
            m.subject = QStringLiteral("Réponse à votre demande 🎉");
            m.html = QStringLiteral("<p>Dear Zoë,</p>");
            m.attachments = {{QStringLiteral("Réponse – DSR-2026-000001 données.zip"), QStringLiteral("application/zip"),
                randomBytes(100000, 1)}};
            return m;
        };
        const rf::Result<QByteArray> first = MimeWriter::render(build());
        const rf::Result<QByteArray> second = MimeWriter::render(build());
        VERIFY_OK(first);
        VERIFY_OK(second);
        QVERIFY(*first == *second);
        // The boundaries come from the content: another attachment, other boundaries.
        MailMessage changed = build();
        changed.attachments[0].content[0] = static_cast<char>(changed.attachments[0].content.at(0) ^ 1);
        const rf::Result<QByteArray> third = MimeWriter::render(changed);
        VERIFY_OK(third);
        QString why;
        const QJsonObject a = readWithPython(*first, &why);
        QVERIFY2(!a.isEmpty(), qPrintable(why));
        const QJsonObject b = readWithPython(*third, &why);
        QVERIFY2(!b.isEmpty(), qPrintable(why));
        const QString outerA = stringAt(a.value(QStringLiteral("multiparts")).toArray().at(0).toObject(), "boundary");
        const QString outerB = stringAt(b.value(QStringLiteral("multiparts")).toArray().at(0).toObject(), "boundary");
        QVERIFY(!outerA.isEmpty());
        QVERIFY(outerA != outerB);
    }

    // Text holding lines that look like this message's own delimiters: each
    // boundary still appears only as its parameter and its delimiter lines.
    void boundariesNeverOccurInParts()
    {
        MailMessage m = notice();
        m.html = QStringLiteral("<p>x</p>");
        m.attachments = {{QStringLiteral("a.bin"), QString(), randomBytes(5000, 9)}};
        const rf::Result<QByteArray> first = MimeWriter::render(m);
        VERIFY_OK(first);
        QString why;
        const QJsonObject firstParsed = readWithPython(*first, &why);
        QVERIFY2(!firstParsed.isEmpty(), qPrintable(why));
        QStringList lookalikes;
        for (const QJsonValue &multipart : firstParsed.value(QStringLiteral("multiparts")).toArray()) {
            const QString boundary = stringAt(multipart.toObject(), "boundary");
            lookalikes << QStringLiteral("--") + boundary << QStringLiteral("--") + boundary + QStringLiteral("--") << boundary;
        }
        QCOMPARE(lookalikes.size(), 6);
        m.text += lookalikes.join(QLatin1Char('\n'));
        m.html += lookalikes.join(QLatin1Char('\n'));
        m.attachments << MailAttachment {lookalikes.join(QLatin1Char(' ')).left(200), QStringLiteral("text/plain"),
            lookalikes.join(QLatin1String("\r\n")).toLatin1()};
        RENDER_AND_READ(m, mime, parsed);
        const QJsonArray multiparts = parsed.value(QStringLiteral("multiparts")).toArray();
        QCOMPARE(multiparts.size(), 2);
        for (const QJsonValue &multipart : multiparts) {
            const QByteArray boundary = stringAt(multipart.toObject(), "boundary").toLatin1();
            QVERIFY(!boundary.isEmpty());
            qsizetype delimiters = 0;
            qsizetype at = -1;
            while ((at = mime.indexOf(boundary, at + 1)) >= 0) {
                const qsizetype lineStart = mime.lastIndexOf('\n', at) + 1;
                const qsizetype lineEnd = mime.indexOf("\r\n", at);
                const QByteArray line = mime.mid(lineStart, lineEnd - lineStart);
                if (line == "--" + boundary || line == "--" + boundary + "--")
                    ++delimiters;
                else
                    QVERIFY2(line.endsWith("boundary=\"" + boundary + '"'), line.constData());
            }
            QVERIFY(delimiters >= 3); // two parts and the close
        }
        const QJsonArray parts = parsed.value(QStringLiteral("parts")).toArray();
        QCOMPARE(parts.size(), 4);
        QCOMPARE(stringAt(parts.at(0).toObject(), "text"), asRead(m.text));
        QCOMPARE(stringAt(parts.at(1).toObject(), "text"), asRead(m.html));
        QCOMPARE(stringAt(parts.at(3).toObject(), "sha256"), sha256Hex(m.attachments.at(1).content));
        QCOMPARE(stringAt(parts.at(3).toObject(), "filename"), m.attachments.at(1).fileName);
    }

    // The worst of everything at once still gives lines within the limits.
    void everythingLongStillFitsLines()
    {
        MailMessage m = notice();
        m.from.name = QStringLiteral("Comhairle ").repeated(40);
        for (int i = 0; i < 30; ++i)
            m.to << MailAddress {QStringLiteral("Zoë Ní Bhriain, %1").arg(i), QStringLiteral("zoe.%1@example.org").arg(i)};
        m.subject = QStringLiteral("é").repeated(1000);
        m.text = QStringLiteral("🎉").repeated(2000) + QLatin1Char('\n') + QString(5000, QChar(0x00e9));
        m.html = QStringLiteral("<p>") + QString(5000, QLatin1Char(' ')) + QStringLiteral("</p>");
        m.attachments = {{QStringLiteral("é").repeated(2000), QStringLiteral("application/zip"), randomBytes(1 << 20, 5)}};
        RENDER_AND_READ(m, mime, parsed);
        QCOMPARE(parsed.value(QStringLiteral("to")).toArray().size(), 31);
        QCOMPARE(stringAt(parsed, "subject"), m.subject);
        const QJsonArray parts = parsed.value(QStringLiteral("parts")).toArray();
        QCOMPARE(stringAt(parts.at(2).toObject(), "filename"), m.attachments.at(0).fileName);
        QCOMPARE(stringAt(parts.at(2).toObject(), "sha256"), sha256Hex(m.attachments.at(0).content));
    }

    // The encoder the plain .eml renderer shares.
    void encodedWordsDecodeToTheText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("encoded");
        QTest::addRow("plain") << QStringLiteral("Information Governance") << false;
        QTest::addRow("empty") << QString() << false;
        QTest::addRow("accents") << QStringLiteral("Zoë Ní Bhriain") << true;
        QTest::addRow("lookalike") << QStringLiteral("=?UTF-8?B?SGk=?=") << true;
        QTest::addRow("long, with emoji") << QStringLiteral("🎉é山").repeated(100) << true;
    }

    void encodedWordsDecodeToTheText()
    {
        QFETCH(QString, text);
        QFETCH(bool, encoded);
        const QByteArray value = rf::encodedWord(text);
        if (!encoded) {
            QCOMPARE(value, text.toLatin1());
            return;
        }
        QByteArray decoded;
        for (const QByteArray &word : value.split('\n')) {
            const QByteArray trimmed = word.trimmed();
            QVERIFY2(trimmed.size() <= 75, trimmed.constData());
            QVERIFY2(trimmed.startsWith("=?UTF-8?B?") && trimmed.endsWith("?="), trimmed.constData());
            const QByteArray octets = QByteArray::fromBase64(trimmed.mid(10, trimmed.size() - 12));
            QVERIFY2(QString::fromUtf8(octets).toUtf8() == octets, "a word does not hold whole characters");
            decoded += octets;
        }
        QCOMPARE(QString::fromUtf8(decoded), text);
        QVERIFY(!value.contains("\r\n\r\n"));
        QVERIFY(value.count('\n') == value.count("\r\n "));
    }
};

QTEST_GUILESS_MAIN(TestMime)
#include "TestMime.moc"
