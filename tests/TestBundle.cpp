// SPDX-License-Identifier: GPL-3.0-or-later
// The response bundle end to end, through the engine and the real program:
// the zip a citizen receives opens safely with readers that share no code
// with the writer (Python's zipfile and csv, Info-ZIP's unzip, poppler's
// pdftotext), holds what was disclosed and nothing that was withheld, is
// reproducible, is recorded in the audit trail, and is never left behind
// half-built or unrecorded.

#include "Checks.h"
#include "CliRunner.h"
#include "TestSupport.h"

#include "bundle/EntryNames.h"
#include "bundle/Exemptions.h"
#include "bundle/ProcessingRegister.h"
#include "bundle/ResponseDocuments.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace rf;
using rf::test::errorText;
using rf::test::runTool;
using rf::test::ToolRun;
using namespace Qt::StringLiterals;

namespace {

const QString kPython = u"/usr/bin/python3"_s;
const QString kUnzip = u"/usr/bin/unzip"_s;
const QString kPdfToText = u"/usr/bin/pdftotext"_s;
const QString kAlice = u"alice"_s;
const QString kBilal = u"bilal"_s;

// Distinctive bytes: where they turn up in an archive, something leaked.
const QString kOriginalMarker = u"UNREDACTED-ORIGINAL-9c1e5b"_s;
const QString kRedactedMarker = u"REDACTED-COPY-41b7e2"_s;
const QString kWithheldMarker = u"WITHHELD-NEIGHBOUR-d2a6f0"_s;
const QString kWithheldName = u"Neighbour complaint about Mr Jones.pdf"_s;

// Prints, as JSON, what Python's zipfile and csv modules read in a bundle:
// testzip()'s verdict (null when every CRC matches); every entry's name (as
// the UTF-8 flag says to decode it), flag bits, size, SHA-256 and which of
// the markers given on the command line its content holds; every .json entry
// parsed; every .csv entry read as Excel-dialect CSV in UTF-8 with its BOM
// removed (utf-8-sig), and whether it had one. letter.pdf is written to the
// folder given, unless that is "-".
const char kInspectScript[] = R"PY(
import csv, hashlib, io, json, sys, zipfile
path, outdir = sys.argv[1], sys.argv[2]
markers = sys.argv[3:]
result = {"entries": [], "json": {}, "csv": {}, "bom": {}}
with zipfile.ZipFile(path) as archive:
    result["testzip"] = archive.testzip()
    for info in archive.infolist():
        data = archive.read(info)
        result["entries"].append({
            "name": info.filename, "flags": info.flag_bits, "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "contains": [m for m in markers if m.encode("utf-8") in data]})
        if info.filename.endswith(".json"):
            result["json"][info.filename] = json.loads(data.decode("utf-8"))
        if info.filename.endswith(".csv"):
            result["bom"][info.filename] = data.startswith(b"\xef\xbb\xbf")
            text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
            result["csv"][info.filename] = list(csv.reader(text))
        if info.filename == "letter.pdf" and outdir != "-":
            with open(outdir + "/letter.pdf", "wb") as out:
                out.write(data)
json.dump(result, sys.stdout, ensure_ascii=True)
)PY";

// Copies a zip entry by entry with Python's zipfile, as someone tampering
// with a bundle would: argv[3] is "alter" (the entry argv[4] gets argv[5] as
// its content, under the same name) or "add" (a new entry argv[4] holding
// argv[5] is appended).
const char kRewriteScript[] = R"PY(
import sys, zipfile
source, target, mode, name, content = sys.argv[1:6]
with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
    found = False
    for info in old.infolist():
        data = old.read(info)
        if mode == "alter" and info.filename == name:
            data, found = content.encode("utf-8"), True
        new.writestr(info, data, compress_type=info.compress_type)
    if mode == "add":
        new.writestr(name, content.encode("utf-8"))
        found = True
    if not found:
        sys.exit("no entry " + name)
)PY";

QString sha256OfFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash sha(QCryptographicHash::Sha256);
    if (!sha.addData(&file))
        return {};
    return QString::fromLatin1(sha.result().toHex());
}

QString sha256Of(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

// Everything in a folder, hidden files included: what a failed build must not leave.
QStringList folderContents(const QString &path)
{
    return QDir(path).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
}

// Text with every run of whitespace as one space: pdftotext breaks lines
// where the letter wraps them.
QString collapsed(const QString &text)
{
    static const QRegularExpression whitespace(u"\\s+"_s);
    return QString(text).replace(whitespace, u" "_s).trimmed();
}

// A CSV cell as the bundle's CSV files must hold it, headers included,
// written here from the format's description (core/Csv.h) rather than from
// the writer: a cell a spreadsheet would run as a formula (starting with = + -
// @, tab or CR, and not just a decimal number) gets a leading apostrophe.
QString expectedCsvCell(const QString &text)
{
    static const QRegularExpression number(u"^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$"_s);
    if (!text.isEmpty() && u"=+-@\t\r"_s.contains(text.front()) && !number.match(text).hasMatch())
        return u'\'' + text;
    return text;
}

// A JSON value as the bundle's CSV files must hold it: strings as they are
// (then as a cell above); numbers as JSON writes them; true/false; null empty.
QString expectedCsvField(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return expectedCsvCell(value.toString());
    case QJsonValue::Bool:
        return value.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Double: {
        const double number = value.toDouble();
        if (number == double(qint64(number)))
            return expectedCsvCell(QString::number(qint64(number)));
        return expectedCsvCell(QString::number(number, 'g', QLocale::FloatingPointShortest));
    }
    default:
        return {};
    }
}

// Fires `action` as alice, printing why when it is refused.
bool act(test::Fixture &fx, const QString &reference, const QString &action, const QMap<QString, QString> &inputs = {})
{
    Result<FireOutcome> outcome = fx.engine->fire(reference, action, kAlice, inputs, {});
    if (!outcome)
        qWarning().noquote() << action << "on" << reference << "failed:" << errorText(outcome.error());
    return outcome.ok();
}

QString fileRequest(test::Fixture &fx, const QString &right)
{
    Result<FiledRequest> filed = fx.engine->fileRequest(test::sampleForm(right), Engine::kIntakeActor);
    if (!filed) {
        qWarning().noquote() << "filing a" << right << "request failed:" << errorText(filed.error());
        return {};
    }
    return filed->request.reference;
}

// An access request in "collecting", where officers gather the case file.
QString accessCollecting(test::Fixture &fx)
{
    const QString reference = fileRequest(fx, u"access"_s);
    if (reference.isEmpty() || !act(fx, reference, u"acknowledge"_s) || !act(fx, reference, u"start-work"_s))
        return {};
    return reference;
}

bool collected(test::Fixture &fx, const QString &reference)
{
    return act(fx, reference, u"collected"_s, {{u"systems-searched"_s, u"Council Tax, CRM, webchat"_s}});
}

Result<CaseItem> addDocument(test::Fixture &fx, const ProcessingRegister &processing, const QString &reference,
    const QString &name, const QByteArray &bytes, const QString &source, const QString &category,
    const QDate &date = QDate(2025, 11, 3))
{
    QBuffer content;
    content.setData(bytes);
    content.open(QIODevice::ReadOnly);
    return fx.engine->addItem(
        reference, kAlice, NewItem {CaseItem::kDocument, name, &content, {}, source, category, date}, processing);
}

Result<CaseItem> addRecords(test::Fixture &fx, const ProcessingRegister &processing, const QString &reference,
    const QString &name, const QByteArray &json, const QString &source, const QString &category,
    const QDate &date = QDate(2026, 2, 1))
{
    return fx.engine->addItem(
        reference, kAlice, NewItem {CaseItem::kRecords, name, nullptr, json, source, category, date}, processing);
}

Result<CaseItem> disclose(test::Fixture &fx, const QString &reference, int number)
{
    return fx.engine->markItem(
        reference, kAlice, number, ItemMarking {CaseItem::kDisclosed, {}, nullptr, {}}, ExemptionList::shipped());
}

Result<CaseItem> withhold(test::Fixture &fx, const QString &reference, int number, const QString &exemption)
{
    return fx.engine->markItem(
        reference, kAlice, number, ItemMarking {CaseItem::kWithheld, exemption, nullptr, {}}, ExemptionList::shipped());
}

qint64 auditCount(test::Fixture &fx, const QString &reference)
{
    Result<QList<AuditEvent>> events = fx.store->auditEvents(reference);
    return events ? events->size() : -1;
}

} // namespace

namespace {

// What fillAccessCase put in the case file.
struct AccessCase {
    QString reference;
    int councilTaxBills = 0; // records, fixed column order
    int councilTaxAddress = 0; // records, a plain array with other columns
    int webchat = 0; // records
    int redacted = 0; // a document with its redacted copy
    int withheld = 0; // a document withheld in full
    QByteArray redactedCopy;
    int documents = 0; // documents that go in (the redacted copy included)
};

// The records of the council tax "Bills" item: a value starting with "=",
// which a spreadsheet would run, and one with a comma, quotes and non-ASCII.
const QString kFormula = u"=SUM(A1:A9)"_s;
const QString kQuoted = u"Paid in full, \"thank you\" \u2013 Zo\u00eb"_s;
const QString kAddress = u"Flat 2, The Limes\nL20 7AB"_s;
// A column a source system named as a formula: the CSV header is a cell too.
const QString kFormulaColumn = u"=HYPERLINK(\"https://refund.example\",\"Claim\")"_s;

QByteArray billsRecords()
{
    return QJsonDocument(
        QJsonObject {{u"columns"_s, QJsonArray {u"account"_s, u"period"_s, u"amount"_s, u"note"_s, kFormulaColumn}},
            {u"records"_s,
                QJsonArray {QJsonObject {{u"account"_s, u"CT-1001"_s}, {u"period"_s, u"2025/26"_s}, {u"amount"_s, 1500},
                                {u"note"_s, kFormula}, {kFormulaColumn, u"@SUM(1+1)*cmd|' /C calc'!A0"_s}},
                    QJsonObject {{u"account"_s, u"CT-1001"_s}, {u"period"_s, u"2024/25"_s}, {u"amount"_s, -123.45},
                        {u"note"_s, kQuoted}, {kFormulaColumn, u"-12"_s}}}}})
        .toJson();
}

// A plain array: its columns are its keys in alphabetical order, one of them
// clashing with the bundle's own item_date column.
QByteArray addressRecords()
{
    return QJsonDocument(
        QJsonArray {QJsonObject {{u"address"_s, kAddress}, {u"moved_in"_s, u"2019-06-01"_s}, {u"item_date"_s, u"2019-05-30"_s},
            {u"direct_debit"_s, true}, {u"closed"_s, QJsonValue()}, {u"phone"_s, u"+441510000000"_s}}})
        .toJson();
}

QByteArray webchatRecords()
{
    return QJsonDocument(QJsonArray {QJsonObject {{u"at"_s, u"2026-01-10T10:00:00Z"_s}, {u"from"_s, u"Margaret"_s},
                                         {u"text"_s, u"Hello, I have a question about my bill"_s}},
                             QJsonObject {{u"at"_s, u"2026-01-10T10:01:00Z"_s}, {u"from"_s, u"Adviser"_s},
                                 {u"text"_s, u"Of course, how can I help?"_s}}})
        .toJson();
}

// The documents with names from people and other systems: path tricks, a
// drive letter, a Windows device name, a name longer than any filesystem
// takes, non-ASCII and an emoji, and two names that differ only in case.
QStringList hostileNames()
{
    QString longName;
    while (longName.size() < 296)
        longName += u"Correspondence about the account "_s;
    longName = longName.left(296) + u".pdf"_s;
    return {u"../../etc/passwd"_s, u"C:\\x.txt"_s, u"CON.txt"_s, longName, u"Zo\u00eb\u2019s letter \U0001F4C4.pdf"_s,
        u"Report.pdf"_s, u"report.PDF"_s};
}

// An access request in "reviewing" with every kind of item, all marked.
void fillAccessCase(test::Fixture &fx, const ProcessingRegister &processing, AccessCase *c)
{
    c->reference = accessCollecting(fx);
    QVERIFY(!c->reference.isEmpty());
    const QString &ref = c->reference;
    QList<int> disclosed;
    const QStringList names = hostileNames();
    for (qsizetype i = 0; i < names.size(); ++i) {
        const QByteArray bytes = "%PDF-1.4\n% document " + QByteArray::number(i) + ' ' + names.at(i).toUtf8() + '\n';
        const bool councilTax = i >= 4;
        Result<CaseItem> added = addDocument(fx, processing, ref, names.at(i), bytes, councilTax ? u"council-tax"_s : u"crm"_s,
            councilTax ? u"Bills"_s : u"Notes"_s);
        VERIFY_OK(added);
        disclosed << added->number;
    }
    Result<CaseItem> bills
        = addRecords(fx, processing, ref, u"council-tax-bills.json"_s, billsRecords(), u"council-tax"_s, u"bills, payments"_s);
    VERIFY_OK(bills);
    c->councilTaxBills = bills->number;
    QCOMPARE(bills->category, u"Bills, payments and arrears"_s);
    Result<CaseItem> address
        = addRecords(fx, processing, ref, u"council-tax-address.json"_s, addressRecords(), u"council-tax"_s, u"Address"_s);
    VERIFY_OK(address);
    c->councilTaxAddress = address->number;
    Result<CaseItem> chat
        = addRecords(fx, processing, ref, u"webchat.json"_s, webchatRecords(), u"webchat"_s, u"The transcript"_s);
    VERIFY_OK(chat);
    c->webchat = chat->number;
    disclosed << c->councilTaxBills << c->councilTaxAddress << c->webchat;

    const QByteArray original
        = "%PDF-1.4\n% Council tax bill for Margaret Ellis and her lodger " + kOriginalMarker.toUtf8() + '\n';
    Result<CaseItem> toRedact
        = addDocument(fx, processing, ref, u"Council tax bill 2025.pdf"_s, original, u"council-tax"_s, u"Bills"_s);
    VERIFY_OK(toRedact);
    c->redacted = toRedact->number;
    const QByteArray withheldBytes = "%PDF-1.4\n% The neighbour's complaint " + kWithheldMarker.toUtf8() + '\n';
    Result<CaseItem> toWithhold = addDocument(fx, processing, ref, kWithheldName, withheldBytes, u"crm"_s, u"Notes"_s);
    VERIFY_OK(toWithhold);
    c->withheld = toWithhold->number;

    for (int number : std::as_const(disclosed))
        VERIFY_OK(disclose(fx, ref, number));
    c->redactedCopy = "%PDF-1.4\n% Council tax bill for Margaret Ellis and [REDACTED] " + kRedactedMarker.toUtf8() + '\n';
    QBuffer copy(&c->redactedCopy);
    copy.open(QIODevice::ReadOnly);
    VERIFY_OK(fx.engine->markItem(ref, kAlice, c->redacted,
        ItemMarking {CaseItem::kRedacted, u"third-party"_s, &copy, u"Council tax bill 2025 redacted.pdf"_s},
        ExemptionList::shipped()));
    VERIFY_OK(withhold(fx, ref, c->withheld, u"crime-and-taxation"_s));
    c->documents = int(names.size()) + 1;
    QVERIFY(collected(fx, ref));
}

// A small access case in "reviewing": one records item and one document.
QString smallAccessCase(test::Fixture &fx, const ProcessingRegister &processing)
{
    const QString ref = accessCollecting(fx);
    if (ref.isEmpty())
        return {};
    Result<CaseItem> records
        = addRecords(fx, processing, ref, u"webchat.json"_s, webchatRecords(), u"webchat"_s, u"The transcript"_s);
    Result<CaseItem> document
        = addDocument(fx, processing, ref, u"Report.pdf"_s, "%PDF-1.4\n% a report\n", u"council-tax"_s, u"Bills"_s);
    if (!records || !document || !disclose(fx, ref, records->number) || !disclose(fx, ref, document->number)
        || !collected(fx, ref)) {
        qWarning("could not prepare a small access case");
        return {};
    }
    return ref;
}

// Reads a bundle with Python (kInspectScript) into `view`.
void inspectZip(const QString &zip, const QString &pdfFolder, const QStringList &markers, QJsonObject *view)
{
    const ToolRun run = runTool(kPython, QStringList {u"-c"_s, QString::fromUtf8(kInspectScript), zip, pdfFolder} + markers);
    QJsonParseError error {};
    const QJsonDocument document = QJsonDocument::fromJson(run.out, &error);
    QVERIFY2(run.exitCode == 0 && document.isObject(),
        qPrintable(u"Python's zipfile could not read %1: "_s.arg(zip) + run.describe()));
    *view = document.object();
}

QList<QJsonObject> entriesOf(const QJsonObject &view)
{
    QList<QJsonObject> entries;
    for (const QJsonValue &entry : view.value(u"entries"_s).toArray())
        entries << entry.toObject();
    return entries;
}

QStringList entryNamesOf(const QJsonObject &view)
{
    QStringList names;
    for (const QJsonObject &entry : entriesOf(view))
        names << entry.value(u"name"_s).toString();
    return names;
}

QJsonObject entryNamed(const QJsonObject &view, const QString &name)
{
    for (const QJsonObject &entry : entriesOf(view)) {
        if (entry.value(u"name"_s).toString() == name)
            return entry;
    }
    return {};
}

// What is wrong with an entry name a citizen's unzip tool will write to disk;
// empty when nothing is.
QString nameProblem(const QString &name, int flags)
{
    static const QRegularExpression drive(u"^[A-Za-z]:"_s);
    if (name.isEmpty() || name.startsWith(u'/'))
        return u"not relative"_s;
    if (name.contains(u".."_s))
        return u"holds \"..\""_s;
    if (name.contains(u'\\'))
        return u"holds a backslash"_s;
    if (drive.match(name).hasMatch() || name.contains(u':'))
        return u"holds a drive letter or a colon"_s;
    for (const QChar c : name) {
        if (c.unicode() < 0x20 || (c.unicode() >= 0x7F && c.unicode() <= 0x9F))
            return u"holds a control character"_s;
    }
    if (name.size() > EntryNamer::kMaxPathUtf16Units)
        return u"is %1 UTF-16 units long, too long to extract on Windows"_s.arg(name.size());
    for (const QString &segment : name.split(u'/')) {
        if (segment.isEmpty())
            return u"has an empty segment"_s;
        if (segment.toUtf8().size() > EntryNamer::kMaxNameBytes)
            return u"has a segment of %1 bytes, more than a filesystem takes"_s.arg(segment.toUtf8().size());
        if (segment.size() > EntryNamer::kMaxNameUtf16Units)
            return u"has a segment of %1 UTF-16 units, more than the bundle allows"_s.arg(segment.size());
    }
    const bool ascii = std::all_of(name.cbegin(), name.cend(), [](QChar c) { return c.unicode() < 0x80; });
    if (!ascii && !(flags & 0x800))
        return u"is not ASCII but lacks the UTF-8 flag (bit 11)"_s;
    return {};
}

} // namespace

class TestBundle : public QObject
{
    Q_OBJECT

private:
    std::optional<ProcessingRegister> m_processing;

    const ProcessingRegister &processing() const { return *m_processing; }

    // Builds `reference` into `path` as alice, with the register's processing register.
    Result<BuiltBundle> build(test::Fixture &fx, const QString &reference, const QString &path,
        const BundleProgressHook &hook = {}, Overwrite overwrite = Overwrite::Refuse)
    {
        return fx.engine->buildBundle(reference, kAlice, path, processing(), ExemptionList::shipped(), hook, overwrite);
    }

private slots:
    void initTestCase()
    {
        // Not skipped when missing: these readers are what the tests trust.
        for (const QString &tool : {kPython, kUnzip, kPdfToText})
            QVERIFY2(QFileInfo(tool).isExecutable(),
                qPrintable(tool + u" is missing: install python3, unzip and poppler-utils (packaging/debian-packages.txt)"_s));
        Result<ProcessingRegister> loaded
            = ProcessingRegister::load(QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/resources/processing-register.example.json"));
        VERIFY_OK(loaded);
        m_processing = std::move(loaded).value();
    }

    // 1. An access bundle with every kind of item opens with independent
    // readers, with safe unique names, the manifest right, the withheld item
    // and the redacted original absent, the data the same in JSON and CSV,
    // and the letter saying what it must.
    void accessBundleOpensWithIndependentReaders()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        AccessCase c;
        CHECKED(fillAccessCase(fx, processing(), &c));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString zip = dir.filePath(u"response.zip"_s);
        Result<BuiltBundle> built = build(fx, c.reference, zip);
        VERIFY_OK(built);

        QJsonObject view;
        CHECKED(
            inspectZip(zip, dir.path(), {kOriginalMarker, kRedactedMarker, kWithheldMarker, u"Neighbour complaint"_s}, &view));
        QVERIFY2(view.value(u"testzip"_s).isNull(),
            qPrintable(u"testzip() found a bad entry: "_s + view.value(u"testzip"_s).toString()));

        // Names: safe to extract anywhere, unique ignoring case, UTF-8 flagged.
        const QList<QJsonObject> entries = entriesOf(view);
        const QStringList names = entryNamesOf(view);
        QSet<QString> folded;
        for (const QJsonObject &entry : entries) {
            const QString name = entry.value(u"name"_s).toString();
            const QString problem = nameProblem(name, entry.value(u"flags"_s).toInt());
            QVERIFY2(problem.isEmpty(), qPrintable(u"entry \"%1\" %2"_s.arg(name, problem)));
            QVERIFY2(
                !folded.contains(name.toCaseFolded()), qPrintable(u"two entries are named \"%1\" ignoring case"_s.arg(name)));
            folded.insert(name.toCaseFolded());
            QVERIFY2(!name.contains(u"Neighbour"_s, Qt::CaseInsensitive),
                qPrintable(u"the withheld item's name shows in the entry \"%1\""_s.arg(name)));
        }
        for (const QString &expected : {u"README.html"_s, u"letter.pdf"_s, u"manifest.json"_s, u"data/council-tax.json"_s,
                 u"data/council-tax.csv"_s, u"data/webchat.json"_s, u"data/webchat.csv"_s})
            QVERIFY2(
                names.contains(expected), qPrintable(expected + u" is missing; the archive holds: "_s + names.join(u", "_s)));
        const QStringList documents = names.filter(QRegularExpression(u"^documents/"_s));
        QVERIFY2(documents.size() == c.documents,
            qPrintable(u"expected %1 documents, found: %2"_s.arg(c.documents).arg(documents.join(u", "_s))));
        QVERIFY2(documents.contains(u"documents/Zo\u00eb\u2019s letter \U0001F4C4.pdf"_s), qPrintable(documents.join(u", "_s)));
        QVERIFY2(documents.contains(u"documents/Report.pdf"_s) && documents.contains(u"documents/report (2).PDF"_s),
            qPrintable(documents.join(u", "_s)));

        // Withheld and redacted content.
        QString redactedEntry;
        for (const QJsonObject &entry : entries) {
            const QString name = entry.value(u"name"_s).toString();
            const QStringList found = entry.value(u"contains"_s).toVariant().toStringList();
            QVERIFY2(!found.contains(kWithheldMarker), qPrintable(u"the withheld document's bytes are in "_s + name));
            QVERIFY2(!found.contains(u"Neighbour complaint"_s), qPrintable(u"the withheld document's name is in "_s + name));
            QVERIFY2(!found.contains(kOriginalMarker), qPrintable(u"the unredacted original's bytes are in "_s + name));
            if (found.contains(kRedactedMarker)) {
                QVERIFY2(redactedEntry.isEmpty(), qPrintable(u"the redacted copy is in %1 and %2"_s.arg(redactedEntry, name)));
                redactedEntry = name;
                QCOMPARE(entry.value(u"sha256"_s).toString(), sha256Of(c.redactedCopy));
            }
        }
        QVERIFY2(redactedEntry.startsWith(u"documents/"_s),
            qPrintable(u"the redacted copy is not among the documents: "_s + redactedEntry));

        // The manifest: every other entry, with the size and SHA-256 Python computes.
        const QJsonObject manifest = view.value(u"json"_s).toObject().value(u"manifest.json"_s).toObject();
        const QJsonArray files = manifest.value(u"files"_s).toArray();
        QStringList listed;
        for (const QJsonValue &value : files) {
            const QJsonObject file = value.toObject();
            const QString path = file.value(u"path"_s).toString();
            listed << path;
            const QJsonObject entry = entryNamed(view, path);
            QVERIFY2(!entry.isEmpty(), qPrintable(u"the manifest lists %1, which is not in the archive"_s.arg(path)));
            QVERIFY2(file.value(u"size"_s).toInteger() == entry.value(u"size"_s).toInteger(),
                qPrintable(u"%1: manifest size %2, actual %3"_s.arg(path)
                               .arg(file.value(u"size"_s).toInteger())
                               .arg(entry.value(u"size"_s).toInteger())));
            QVERIFY2(file.value(u"sha256"_s).toString() == entry.value(u"sha256"_s).toString(),
                qPrintable(u"%1: manifest sha256 %2, actual %3"_s.arg(
                    path, file.value(u"sha256"_s).toString(), entry.value(u"sha256"_s).toString())));
            if (path == redactedEntry) {
                QCOMPARE(file.value(u"disposition"_s).toString(), CaseItem::kRedacted);
                QCOMPARE(file.value(u"exemption"_s).toString(), u"third-party"_s);
            }
        }
        QStringList others = names;
        others.removeAll(Manifest::kEntryName);
        QCOMPARE(listed, others);
        QCOMPARE(names.constLast(), Manifest::kEntryName);
        const QJsonArray withheld = manifest.value(u"withheld"_s).toArray();
        QCOMPARE(withheld.size(), 1);
        QCOMPARE(withheld.at(0).toObject().value(u"item"_s).toInt(), c.withheld);
        QCOMPARE(withheld.at(0).toObject().value(u"exemption"_s).toString(), u"crime-and-taxation"_s);
        QCOMPARE(manifest.value(u"reference"_s).toString(), c.reference);

        // Info-ZIP's own test of every entry.
        const ToolRun unzip = runTool(kUnzip, {u"-t"_s, zip});
        QVERIFY2(unzip.exitCode == 0, qPrintable(unzip.describe()));

        // The data: JSON columns are the CSV header; values are exact in JSON
        // and as documented in CSV.
        const QJsonObject json = view.value(u"json"_s).toObject();
        const QJsonObject csv = view.value(u"csv"_s).toObject();
        for (const QString &system : {u"council-tax"_s, u"webchat"_s}) {
            const QString jsonPath = u"data/%1.json"_s.arg(system);
            const QString csvPath = u"data/%1.csv"_s.arg(system);
            const QJsonObject data = json.value(jsonPath).toObject();
            const QJsonArray rows = csv.value(csvPath).toArray();
            QVERIFY2(view.value(u"bom"_s).toObject().value(csvPath).toBool(), qPrintable(csvPath + u" has no UTF-8 BOM"_s));
            const QStringList columns = data.value(u"columns"_s).toVariant().toStringList();
            QVERIFY2(!rows.isEmpty(), qPrintable(csvPath + u" is empty"_s));
            QStringList header;
            for (const QString &column : columns)
                header << expectedCsvCell(column);
            QCOMPARE(rows.at(0).toVariant().toStringList(), header);
            QCOMPARE(columns.mid(0, 3), (QStringList {u"case_item"_s, u"data_category"_s, u"item_date"_s}));
            const QJsonArray records = data.value(u"records"_s).toArray();
            QCOMPARE(rows.size(), records.size() + 1);
            for (qsizetype r = 0; r < records.size(); ++r) {
                const QJsonObject record = records.at(r).toObject();
                const QStringList cells = rows.at(r + 1).toVariant().toStringList();
                QCOMPARE(cells.size(), columns.size());
                for (qsizetype k = 0; k < columns.size(); ++k)
                    QVERIFY2(cells.at(k) == expectedCsvField(record.value(columns.at(k))),
                        qPrintable(u"%1 row %2 column %3: CSV has \"%4\", JSON has %5"_s.arg(csvPath).arg(r + 1).arg(
                            columns.at(k), cells.at(k),
                            QString::fromUtf8(
                                QJsonDocument(QJsonArray {record.value(columns.at(k))}).toJson(QJsonDocument::Compact)))));
            }
        }
        const QJsonObject councilTax = json.value(u"data/council-tax.json"_s).toObject();
        const QJsonArray ctRecords = councilTax.value(u"records"_s).toArray();
        QCOMPARE(ctRecords.size(), 3);
        bool sawFormula = false;
        bool sawQuoted = false;
        bool sawAddress = false;
        for (const QJsonValue &value : ctRecords) {
            const QJsonObject record = value.toObject();
            const int item = record.value(u"case_item"_s).toInt();
            if (item == c.councilTaxBills) {
                QCOMPARE(record.value(u"data_category"_s).toString(), u"Bills, payments and arrears"_s);
                QCOMPARE(record.value(u"item_date"_s).toString(), u"2026-02-01"_s);
                sawFormula = sawFormula || record.value(u"note"_s).toString() == kFormula;
                sawQuoted = sawQuoted || record.value(u"note"_s).toString() == kQuoted;
            } else {
                QCOMPARE(item, c.councilTaxAddress);
                QCOMPARE(record.value(u"address"_s).toString(), kAddress);
                QCOMPARE(record.value(u"phone"_s).toString(), u"+441510000000"_s);
                QCOMPARE(record.value(u"record_item_date"_s).toString(), u"2019-05-30"_s);
                QCOMPARE(record.value(u"direct_debit"_s), QJsonValue(true));
                sawAddress = true;
            }
        }
        QVERIFY2(sawFormula && sawQuoted && sawAddress,
            qPrintable(u"a council tax record is missing or changed: "_s + QString::fromUtf8(QJsonDocument(ctRecords).toJson())));
        bool formulaQuotedInCsv = false;
        for (const QJsonValue &row : csv.value(u"data/council-tax.csv"_s).toArray())
            formulaQuotedInCsv = formulaQuotedInCsv || row.toVariant().toStringList().contains(u'\'' + kFormula);
        QVERIFY2(formulaQuotedInCsv, "the CSV does not hold '=SUM(A1:A9) with its leading apostrophe");
        // The header too, while the JSON keeps the column's name exactly.
        const QStringList ctHeader = csv.value(u"data/council-tax.csv"_s).toArray().at(0).toVariant().toStringList();
        QVERIFY2(
            ctHeader.contains(u'\'' + kFormulaColumn) && !ctHeader.contains(kFormulaColumn), qPrintable(ctHeader.join(u" | "_s)));
        QVERIFY(councilTax.value(u"columns"_s).toVariant().toStringList().contains(kFormulaColumn));
        QCOMPARE(json.value(u"data/webchat.json"_s).toObject().value(u"records"_s).toArray().size(), 2);

        // The letter, as poppler reads it.
        const ToolRun pdf = runTool(kPdfToText, {u"-enc"_s, u"UTF-8"_s, dir.filePath(u"letter.pdf"_s), u"-"_s});
        QVERIFY2(pdf.exitCode == 0, qPrintable(pdf.describe()));
        const QString text = collapsed(QString::fromUtf8(pdf.out));
        const QStringList headings = ResponseDocuments::letterHeadings(built->summary);
        QVERIFY(!headings.isEmpty());
        for (const QString &heading : headings)
            QVERIFY2(text.contains(collapsed(heading)),
                qPrintable(u"the letter's text lacks the heading \"%1\":\n%2"_s.arg(heading, text)));
        QVERIFY2(text.contains(c.reference), qPrintable(u"the letter's text lacks %1"_s.arg(c.reference)));
        // Where the officer said she searched, when collecting ended.
        QVERIFY2(text.contains(u"We searched: Council Tax, CRM, webchat"_s), qPrintable(text));
        for (const QString &id : {u"third-party"_s, u"crime-and-taxation"_s}) {
            const QString title = ExemptionList::shipped().find(id)->title;
            QVERIFY2(text.contains(collapsed(title)),
                qPrintable(u"the letter's text lacks the exemption \"%1\":\n%2"_s.arg(title, text)));
        }
        QVERIFY2(!text.contains(u"Neighbour"_s), "the letter names the withheld document");
    }

    // 2. The same case file, clock and register build the same bundle.
    void buildingTwiceIsReproducible()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        AccessCase c;
        CHECKED(fillAccessCase(fx, processing(), &c));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString first = dir.filePath(u"first.zip"_s);
        const QString second = dir.filePath(u"second-copy.zip"_s);
        Result<BuiltBundle> one = build(fx, c.reference, first);
        VERIFY_OK(one);
        Result<BuiltBundle> two = build(fx, c.reference, second);
        VERIFY_OK(two);

        QJsonObject viewOne;
        QJsonObject viewTwo;
        CHECKED(inspectZip(first, u"-"_s, {}, &viewOne));
        CHECKED(inspectZip(second, u"-"_s, {}, &viewTwo));
        const QString manifestOne = entryNamed(viewOne, Manifest::kEntryName).value(u"sha256"_s).toString();
        QVERIFY(!manifestOne.isEmpty());
        QCOMPARE(entryNamed(viewTwo, Manifest::kEntryName).value(u"sha256"_s).toString(), manifestOne);
        QCOMPARE(two->manifest.toJson(), one->manifest.toJson());
        // Entry by entry first, so that a difference is named.
        QCOMPARE(entryNamesOf(viewTwo), entryNamesOf(viewOne));
        for (const QJsonObject &entry : entriesOf(viewOne)) {
            const QString name = entry.value(u"name"_s).toString();
            QVERIFY2(entryNamed(viewTwo, name).value(u"sha256"_s) == entry.value(u"sha256"_s),
                qPrintable(u"%1 differs between two builds of the same case file"_s.arg(name)));
        }
        // The builder aims at a byte-identical archive.
        QCOMPARE(sha256OfFile(second), sha256OfFile(first));
        QCOMPARE(two->sha256, one->sha256);
    }

    // 3. A build is recorded: the audit event holds the SHA-256 of the file on
    // disk, the register lists it, the chain verifies; the recording action
    // cannot be fired by hand.
    void buildIsRecordedInTheAuditTrail()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = smallAccessCase(fx, processing());
        QVERIFY(!ref.isEmpty());
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString zip = dir.filePath(u"DSR bundle.zip"_s);
        Result<BuiltBundle> built = build(fx, ref, zip);
        VERIFY_OK(built);
        const QString onDisk = sha256OfFile(zip);
        QCOMPARE(onDisk.size(), 64);
        QCOMPARE(built->sha256, onDisk);
        QCOMPARE(built->size, QFileInfo(zip).size());

        Result<QList<AuditEvent>> events = fx.store->auditEvents(ref);
        VERIFY_OK(events);
        QVERIFY(!events->isEmpty());
        const AuditEvent &last = events->constLast();
        QCOMPARE(last.action, Engine::kBuildBundleAction);
        QCOMPARE(last.actor, kAlice);
        const QJsonObject recorded = last.inputs.value(u"bundle"_s).toObject();
        QVERIFY2(recorded.value(u"sha256"_s).toString() == onDisk,
            qPrintable(
                u"audit event inputs: %1; file: %2"_s.arg(QString::fromUtf8(QJsonDocument(last.inputs).toJson()), onDisk)));
        QCOMPARE(recorded.value(u"file"_s).toString(), u"DSR bundle.zip"_s);

        Result<QList<BundleRecord>> bundles = fx.engine->bundles(ref);
        VERIFY_OK(bundles);
        QCOMPARE(bundles->size(), 1);
        QCOMPARE(bundles->constFirst().sha256, onDisk);
        QCOMPARE(bundles->constFirst().size, QFileInfo(zip).size());
        QCOMPARE(bundles->constFirst().fileName, u"DSR bundle.zip"_s);
        QCOMPARE(bundles->constFirst().builtBy, kAlice);
        QCOMPARE(bundles->constFirst().auditSeq, last.seq);
        QCOMPARE(bundles->constFirst().caseFile, built->manifest.caseFile);

        Result<AuditVerification> verified = fx.store->verifyAudit();
        VERIFY_OK(verified);
        QVERIFY2(verified->intact, qPrintable(verified->problem));

        // By hand, the action would record a bundle nobody built.
        const qint64 before = auditCount(fx, ref);
        Result<FireOutcome> byHand = fx.engine->fire(ref, Engine::kBuildBundleAction, kAlice, {}, {});
        QVERIFY2(!byHand, "firing build-bundle by hand was accepted");
        QCOMPARE(byHand.error().code, ErrorCode::Refused);
        QVERIFY2(byHand.error().message.contains(u"bundle build"_s), qPrintable(errorText(byHand.error())));
        QCOMPARE(auditCount(fx, ref), before);
        QCOMPARE(fx.engine->bundles(ref)->size(), 1);
    }

    // 4. What is refused leaves no file, no temporary file and no record.
    void refusalsLeaveNoFile()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        QTemporaryDir dir;
        QVERIFY(dir.isValid());

        // An item nobody marked.
        {
            const QString ref = accessCollecting(fx);
            QVERIFY(!ref.isEmpty());
            Result<CaseItem> marked
                = addRecords(fx, processing(), ref, u"webchat.json"_s, webchatRecords(), u"webchat"_s, u"The transcript"_s);
            VERIFY_OK(marked);
            VERIFY_OK(disclose(fx, ref, marked->number));
            Result<CaseItem> pending
                = addDocument(fx, processing(), ref, u"Unmarked letter.pdf"_s, "%PDF-1.4\n% pending\n", u"crm"_s, u"Notes"_s);
            VERIFY_OK(pending);
            QVERIFY(collected(fx, ref));
            const qint64 events = auditCount(fx, ref);
            Result<BuiltBundle> built = build(fx, ref, dir.filePath(u"pending.zip"_s));
            QVERIFY2(!built, "a bundle was built with an unmarked item");
            QCOMPARE(built.error().code, ErrorCode::Refused);
            const QString why = errorText(built.error());
            QVERIFY2(why.contains(u"item %1"_s.arg(pending->number)) && why.contains(u"Unmarked letter.pdf"_s), qPrintable(why));
            QVERIFY2(folderContents(dir.path()).isEmpty(), qPrintable(folderContents(dir.path()).join(u", "_s)));
            QCOMPARE(auditCount(fx, ref), events);
            QVERIFY(fx.engine->bundles(ref)->isEmpty());
        }

        // A request still collecting: the workflow offers no build there.
        {
            const QString ref = accessCollecting(fx);
            QVERIFY(!ref.isEmpty());
            Result<CaseItem> item
                = addRecords(fx, processing(), ref, u"webchat.json"_s, webchatRecords(), u"webchat"_s, u"The transcript"_s);
            VERIFY_OK(item);
            VERIFY_OK(disclose(fx, ref, item->number));
            Result<BuiltBundle> built = build(fx, ref, dir.filePath(u"collecting.zip"_s));
            QVERIFY2(!built, "a bundle was built while the request was collecting");
            QCOMPARE(built.error().code, ErrorCode::Refused);
            QVERIFY2(built.error().message.contains(u"collecting"_s), qPrintable(errorText(built.error())));
            QVERIFY2(folderContents(dir.path()).isEmpty(), qPrintable(folderContents(dir.path()).join(u", "_s)));
        }

        // An erasure request has no response bundle.
        {
            const QString ref = fileRequest(fx, u"erasure"_s);
            QVERIFY(!ref.isEmpty());
            QVERIFY(act(fx, ref, u"acknowledge"_s));
            const qint64 events = auditCount(fx, ref);
            Result<BuiltBundle> built = build(fx, ref, dir.filePath(u"erasure.zip"_s));
            QVERIFY2(!built, "a bundle was built for an erasure request");
            QCOMPARE(built.error().code, ErrorCode::Refused);
            QVERIFY2(folderContents(dir.path()).isEmpty(), qPrintable(folderContents(dir.path()).join(u", "_s)));
            QCOMPARE(auditCount(fx, ref), events);
        }

        // A folder that does not exist: an error, and nothing recorded.
        {
            const QString ref = smallAccessCase(fx, processing());
            QVERIFY(!ref.isEmpty());
            const qint64 events = auditCount(fx, ref);
            Result<AuditVerification> before = fx.store->verifyAudit();
            VERIFY_OK(before);
            const QString missing = dir.filePath(u"no such folder/bundle.zip"_s);
            Result<BuiltBundle> built = build(fx, ref, missing);
            QVERIFY2(!built, "a bundle was built into a folder that does not exist");
            QVERIFY2(errorText(built.error()).contains(u"no such folder"_s), qPrintable(errorText(built.error())));
            QVERIFY(!QFileInfo::exists(missing));
            QVERIFY(!QFileInfo::exists(dir.filePath(u"no such folder"_s)));
            QCOMPARE(auditCount(fx, ref), events);
            QCOMPARE(fx.store->verifyAudit()->eventsChecked, before->eventsChecked);
            QVERIFY(fx.engine->bundles(ref)->isEmpty());
        }
    }

    // 5. A case file that changes while the archive is written: the build is
    // a Conflict, the archive is removed and nothing is recorded.
    void caseFileChangingDuringBuildIsAConflict()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = smallAccessCase(fx, processing());
        QVERIFY(!ref.isEmpty());
        std::unique_ptr<SqlStore> otherStore = fx.openAnother();
        QVERIFY(otherStore);
        Engine other(*otherStore, fx.library, *fx.clock);

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString zip = dir.filePath(u"raced.zip"_s);
        std::optional<Result<CaseItem>> remarked;
        Result<BuiltBundle> built = build(fx, ref, zip, [&](const BundleProgress &progress) {
            if (progress.phase != u"writing"_s || remarked)
                return;
            // Another officer, in another program, withholds item 1 now.
            remarked = other.markItem(
                ref, kBilal, 1, ItemMarking {CaseItem::kWithheld, u"third-party"_s, nullptr, {}}, ExemptionList::shipped());
        });
        QVERIFY2(remarked.has_value(), "the progress hook was never called in phase \"writing\"");
        VERIFY_OK(*remarked);
        QVERIFY2(!built, "a bundle of a case file that changed during the build was recorded");
        QCOMPARE(built.error().code, ErrorCode::Conflict);
        QVERIFY(!QFileInfo::exists(zip));
        QVERIFY2(folderContents(dir.path()).isEmpty(), qPrintable(folderContents(dir.path()).join(u", "_s)));

        Result<QList<AuditEvent>> events = fx.store->auditEvents(ref);
        VERIFY_OK(events);
        QCOMPARE(events->constLast().action, u"item-mark"_s);
        for (const AuditEvent &event : *events)
            QVERIFY2(event.action != Engine::kBuildBundleAction, "a build-bundle event was recorded");
        QVERIFY(fx.engine->bundles(ref)->isEmpty());
        QVERIFY(fx.store->verifyAudit()->intact);
    }

    // An earlier bundle at the same name survives a build that is not
    // recorded: the new archive takes the name only once it is recorded.
    void anEarlierBundleSurvivesAFailedBuild()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = smallAccessCase(fx, processing());
        QVERIFY(!ref.isEmpty());
        std::unique_ptr<SqlStore> otherStore = fx.openAnother();
        QVERIFY(otherStore);
        Engine other(*otherStore, fx.library, *fx.clock);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString zip = dir.filePath(u"bundle.zip"_s);
        Result<BuiltBundle> first = build(fx, ref, zip);
        VERIFY_OK(first);
        const QString firstSha = sha256OfFile(zip);
        QCOMPARE(firstSha, first->sha256);
        const qsizetype bundlesBefore = fx.engine->bundles(ref)->size();

        // Not asked to replace it: refused before anything is built or recorded.
        Result<BuiltBundle> unasked = build(fx, ref, zip);
        QVERIFY(!unasked);
        QCOMPARE(unasked.error().code, ErrorCode::Exists);
        QCOMPARE(sha256OfFile(zip), firstSha);
        QCOMPARE(fx.engine->bundles(ref)->size(), bundlesBefore);

        bool remarked = false;
        Result<BuiltBundle> second = build(
            fx, ref, zip,
            [&](const BundleProgress &progress) {
                if (progress.phase != u"writing"_s || remarked)
                    return;
                remarked = other
                               .markItem(ref, kBilal, 1, ItemMarking {CaseItem::kWithheld, u"third-party"_s, nullptr, {}},
                                   ExemptionList::shipped())
                               .ok();
            },
            Overwrite::Replace);
        QVERIFY(remarked);
        QVERIFY(!second);
        QCOMPARE(second.error().code, ErrorCode::Conflict);
        QCOMPARE(sha256OfFile(zip), firstSha);
        QCOMPARE(folderContents(dir.path()), QStringList {u"bundle.zip"_s});

        // Built again, recorded: the new archive replaces the old one.
        Result<BuiltBundle> third = build(fx, ref, zip, {}, Overwrite::Replace);
        VERIFY_OK(third);
        QCOMPARE(sha256OfFile(zip), third->sha256);
        QVERIFY(third->sha256 != firstSha);
        QCOMPARE(folderContents(dir.path()), QStringList {u"bundle.zip"_s});
    }

    // A request opened under a workflow version from before bundles existed
    // (no build-bundle action) still gets its bundle after the upgrade,
    // recorded by an audit event of the same name; not by an admin, and not
    // once it is closed.
    void aRequestFromAnEarlierWorkflowVersionGetsItsBundle()
    {
        QTemporaryDir workflows;
        QVERIFY(workflows.isValid());
        for (const QString &name : QDir(test::shippedWorkflowsDir()).entryList({u"*.json"_s}, QDir::Files)) {
            QFile in(QDir(test::shippedWorkflowsDir()).filePath(name));
            QVERIFY(in.open(QIODevice::ReadOnly));
            QJsonObject definition = QJsonDocument::fromJson(in.readAll()).object();
            QJsonArray kept;
            for (const QJsonValue &t : definition.value(u"transitions"_s).toArray()) {
                if (t.toObject().value(u"name"_s).toString() != Engine::kBuildBundleAction)
                    kept.append(t);
            }
            definition.insert(u"transitions"_s, kept);
            QFile out(workflows.filePath(name));
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(QJsonDocument(definition).toJson());
        }
        test::Fixture fx;
        QVERIFY(fx.setUp(workflows.path()));
        const QString ref = smallAccessCase(fx, processing());
        QVERIFY(!ref.isEmpty());
        QTemporaryDir dir;
        QVERIFY(dir.isValid());

        // Rightsflow upgraded: the shipped workflows now have build-bundle,
        // the request stays on its version.
        Result<WorkflowLibrary> shipped = WorkflowLibrary::load(test::shippedWorkflowsDir());
        VERIFY_OK(shipped);
        Engine upgraded(*fx.store, *shipped, *fx.clock);
        const Result<BuiltBundle> byAdmin
            = upgraded.buildBundle(ref, u"root"_s, dir.filePath(u"a.zip"_s), processing(), ExemptionList::shipped());
        QVERIFY(!byAdmin);
        QCOMPARE(byAdmin.error().code, ErrorCode::Forbidden);
        const Result<BuiltBundle> built
            = upgraded.buildBundle(ref, kAlice, dir.filePath(u"b.zip"_s), processing(), ExemptionList::shipped());
        VERIFY_OK(built);
        QCOMPARE(sha256OfFile(dir.filePath(u"b.zip"_s)), built->sha256);
        Result<QList<AuditEvent>> events = fx.store->auditEvents(ref);
        VERIFY_OK(events);
        const AuditEvent &last = events->constLast();
        QCOMPARE(last.action, Engine::kBuildBundleAction);
        QCOMPARE(last.inputs.value(u"bundle"_s).toObject().value(u"sha256"_s).toString(), built->sha256);
        QCOMPARE(upgraded.bundles(ref)->size(), 1);
        QVERIFY(fx.store->verifyAudit()->intact);

        VERIFY_OK(upgraded.fire(ref, u"withdraw"_s, kAlice, {{u"reason"_s, u"No longer needed"_s}}, {}));
        const Result<BuiltBundle> closed
            = upgraded.buildBundle(ref, kAlice, dir.filePath(u"c.zip"_s), processing(), ExemptionList::shipped());
        QVERIFY(!closed);
        QCOMPARE(closed.error().code, ErrorCode::Refused);
        QVERIFY(!QFileInfo::exists(dir.filePath(u"c.zip"_s)));
    }

    // Records redacted before they went in are declared like a redacted
    // document: in the letter's account of what was removed and why, and in
    // the manifest.
    void redactedRecordsAreDeclared()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = accessCollecting(fx);
        QVERIFY(!ref.isEmpty());
        Result<CaseItem> records
            = addRecords(fx, processing(), ref, u"webchat.json"_s, webchatRecords(), u"webchat"_s, u"The transcript"_s);
        VERIFY_OK(records);
        QBuffer copy;
        copy.setData(R"([{"at": "2026-01-10T10:00:00Z", "from": "Margaret", "text": "[redacted]"}])");
        copy.open(QIODevice::ReadOnly);
        VERIFY_OK(fx.engine->markItem(ref, kAlice, records->number,
            ItemMarking {CaseItem::kRedacted, u"third-party"_s, &copy, u"webchat-redacted.json"_s}, ExemptionList::shipped()));
        QVERIFY(collected(fx, ref));
        QTemporaryDir dir;
        Result<BuiltBundle> built = build(fx, ref, dir.filePath(u"b.zip"_s));
        VERIFY_OK(built);
        bool declared = false;
        for (const ManifestFile &f : built->manifest.files) {
            if (f.kind == u"data"_s) {
                QCOMPARE(f.disposition, CaseItem::kRedacted);
                QCOMPARE(f.exemption, u"third-party"_s);
                declared = true;
            }
        }
        QVERIFY(declared);
        const QString letter = ResponseDocuments::letterHtml(built->summary);
        QVERIFY2(!letter.contains(u"We have not withheld anything"_s), qPrintable(letter));
        QVERIFY2(
            letter.contains(u"data/webchat.json"_s) && letter.contains(ExemptionList::shipped().find(u"third-party"_s)->title),
            qPrintable(letter));
    }

    // 6. A portability bundle holds only the structured data the subject
    // provided under a contract or consent.
    void portabilityHoldsOnlyWhatTheSubjectProvided()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileRequest(fx, u"portability"_s);
        QVERIFY(!ref.isEmpty());
        QVERIFY(act(fx, ref, u"acknowledge"_s));
        QVERIFY(act(fx, ref, u"start-work"_s));
        QVERIFY(
            act(fx, ref, u"eligible"_s, {{u"lawful-basis"_s, u"contract"_s}, {u"data-in-scope"_s, u"Bulky waste bookings"_s}}));

        const QByteArray provided = QJsonDocument(
            QJsonArray {QJsonObject {{u"booking"_s, u"BW-2291"_s}, {u"items"_s, u"Sofa, two armchairs"_s},
                            {u"left_at"_s, u"Front garden"_s}},
                QJsonObject {{u"booking"_s, u"BW-2292"_s}, {u"items"_s, u"Fridge"_s}, {u"left_at"_s, u"By the gate"_s}}})
                                        .toJson();
        const QByteArray payments = QJsonDocument(
            QJsonArray {QJsonObject {{u"booking"_s, u"BW-2291"_s}, {u"payment"_s, u"BW-PAY-5521"_s},
                {u"amount"_s, 35}}}).toJson();
        const QByteArray councilTax
            = QJsonDocument(QJsonArray {QJsonObject {{u"account"_s, u"CT-ACC-77"_s}, {u"balance"_s, 0}}}).toJson();
        Result<CaseItem> included
            = addRecords(fx, processing(), ref, u"bookings.json"_s, provided, u"bulky-waste"_s, u"The items to be collected"_s);
        VERIFY_OK(included);
        Result<CaseItem> notProvided = addRecords(
            fx, processing(), ref, u"payments.json"_s, payments, u"bulky-waste"_s, u"Booking and payment reference"_s);
        VERIFY_OK(notProvided);
        Result<CaseItem> legalObligation
            = addRecords(fx, processing(), ref, u"council-tax.json"_s, councilTax, u"council-tax"_s, u"Bills"_s);
        VERIFY_OK(legalObligation);
        Result<CaseItem> document = addDocument(fx, processing(), ref, u"Booking confirmation.pdf"_s,
            "%PDF-1.4\n% DOCUMENT-NOT-PORTABLE-3e8\n", u"bulky-waste"_s, u"Name"_s);
        VERIFY_OK(document);
        for (int number : {included->number, notProvided->number, legalObligation->number, document->number})
            VERIFY_OK(disclose(fx, ref, number));
        QVERIFY(collected(fx, ref));

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString zip = dir.filePath(u"portability.zip"_s);
        Result<BuiltBundle> built = build(fx, ref, zip);
        VERIFY_OK(built);

        QJsonObject view;
        CHECKED(inspectZip(zip, u"-"_s, {u"BW-PAY-5521"_s, u"CT-ACC-77"_s, u"DOCUMENT-NOT-PORTABLE-3e8"_s}, &view));
        QVERIFY(view.value(u"testzip"_s).isNull());
        const QStringList names = entryNamesOf(view);
        QVERIFY2(names.filter(QRegularExpression(u"^documents/"_s)).isEmpty(), qPrintable(names.join(u", "_s)));
        QVERIFY2(names.contains(u"data/bulky-waste.json"_s) && names.contains(u"data/bulky-waste.csv"_s),
            qPrintable(names.join(u", "_s)));
        QVERIFY2(names.filter(u"council-tax"_s).isEmpty(), qPrintable(names.join(u", "_s)));
        for (const QJsonObject &entry : entriesOf(view))
            QVERIFY2(entry.value(u"contains"_s).toArray().isEmpty(),
                qPrintable(u"%1 holds what portability leaves out: %2"_s.arg(
                    entry.value(u"name"_s).toString(), entry.value(u"contains"_s).toVariant().toStringList().join(u", "_s))));
        const QJsonObject data = view.value(u"json"_s).toObject().value(u"data/bulky-waste.json"_s).toObject();
        const QJsonArray records = data.value(u"records"_s).toArray();
        QCOMPARE(records.size(), 2);
        for (const QJsonValue &record : records)
            QCOMPARE(record.toObject().value(u"case_item"_s).toInt(), included->number);
        QCOMPARE(view.value(u"csv"_s).toObject().value(u"data/bulky-waste.csv"_s).toArray().size(), 3);
        for (const ManifestFile &file : built->manifest.files) {
            if (file.kind == u"data"_s)
                QCOMPARE(file.items, QList<int> {included->number});
        }

        const QStringList excluded = built->summary.portabilityExcluded;
        QVERIFY(!excluded.isEmpty());
        const QString said = excluded.join(u'\n');
        QVERIFY2(said.contains(u"Booking and payment reference"_s), qPrintable(said));
        QVERIFY2(said.contains(u"Council Tax"_s), qPrintable(said));
        QVERIFY2(said.contains(u"documents"_s, Qt::CaseInsensitive), qPrintable(said));
    }

    // 7. `rightsflow bundle verify` passes a built bundle and names what was
    // altered in it or added to it.
    void verifyNamesAlteredAndExtraEntries()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = smallAccessCase(fx, processing());
        QVERIFY(!ref.isEmpty());
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString zip = dir.filePath(u"bundle.zip"_s);
        VERIFY_OK(build(fx, ref, zip));

        const test::ProcessRun intact = test::runCli({u"bundle"_s, u"verify"_s, zip});
        VERIFY_EXIT(intact, 0);
        QVERIFY2(intact.out.contains(u"intact"_s) && intact.out.contains(ref), qPrintable(intact.describe()));

        const QString altered = dir.filePath(u"altered.zip"_s);
        const ToolRun alter = runTool(kPython,
            {u"-c"_s, QString::fromUtf8(kRewriteScript), zip, altered, u"alter"_s, u"data/webchat.csv"_s,
                u"case_item\r\n99\r\n"_s});
        QVERIFY2(alter.exitCode == 0, qPrintable(alter.describe()));
        const test::ProcessRun alteredRun = test::runCli({u"bundle"_s, u"verify"_s, altered});
        VERIFY_EXIT(alteredRun, 1);
        QVERIFY2(alteredRun.out.contains(u"altered: data/webchat.csv"_s), qPrintable(alteredRun.describe()));
        const test::ProcessRun alteredJson = test::runCli({u"bundle"_s, u"verify"_s, altered, u"--json"_s});
        VERIFY_EXIT(alteredJson, 1);
        const QJsonObject alteredReport = QJsonDocument::fromJson(alteredJson.out.toUtf8()).object();
        QCOMPARE(alteredReport.value(u"intact"_s), QJsonValue(false));
        const QStringList alteredList = alteredReport.value(u"altered"_s).toVariant().toStringList();
        QVERIFY2(alteredList.size() == 1 && alteredList.constFirst().startsWith(u"data/webchat.csv"_s),
            qPrintable(alteredJson.describe()));
        QVERIFY2(alteredReport.value(u"extra"_s).toArray().isEmpty() && alteredReport.value(u"missing"_s).toArray().isEmpty(),
            qPrintable(alteredJson.describe()));

        const QString extra = dir.filePath(u"extra.zip"_s);
        const ToolRun add = runTool(kPython,
            {u"-c"_s, QString::fromUtf8(kRewriteScript), zip, extra, u"add"_s, u"documents/extra.txt"_s, u"slipped in"_s});
        QVERIFY2(add.exitCode == 0, qPrintable(add.describe()));
        const test::ProcessRun extraRun = test::runCli({u"bundle"_s, u"verify"_s, extra, u"--json"_s});
        VERIFY_EXIT(extraRun, 1);
        const QJsonObject extraReport = QJsonDocument::fromJson(extraRun.out.toUtf8()).object();
        QCOMPARE(extraReport.value(u"extra"_s).toVariant().toStringList(), QStringList {u"documents/extra.txt"_s});
        QVERIFY2(extraReport.value(u"altered"_s).toArray().isEmpty(), qPrintable(extraRun.describe()));
        const test::ProcessRun extraText = test::runCli({u"bundle"_s, u"verify"_s, extra});
        VERIFY_EXIT(extraText, 1);
        QVERIFY2(extraText.out.contains(u"extra:"_s) && extraText.out.contains(u"documents/extra.txt"_s),
            qPrintable(extraText.describe()));

        // Bytes after the archive's end: every entry still matches, but the
        // zip is not laid out as written, and both outputs say where.
        const QString appended = dir.filePath(u"appended.zip"_s);
        QVERIFY(QFile::copy(zip, appended));
        {
            QFile file(appended);
            QVERIFY(file.open(QIODevice::Append));
            QCOMPARE(file.write("appended"), 8);
        }
        const test::ProcessRun appendedText = test::runCli({u"bundle"_s, u"verify"_s, appended});
        VERIFY_EXIT(appendedText, 1);
        QVERIFY2(appendedText.out.contains(u"structure: offset "_s) && appendedText.out.contains(u"8 bytes after the end"_s),
            qPrintable(appendedText.describe()));
        const test::ProcessRun appendedJson = test::runCli({u"bundle"_s, u"verify"_s, appended, u"--json"_s});
        VERIFY_EXIT(appendedJson, 1);
        const QJsonObject appendedReport = QJsonDocument::fromJson(appendedJson.out.toUtf8()).object();
        QCOMPARE(appendedReport.value(u"intact"_s), QJsonValue(false));
        const QStringList structure = appendedReport.value(u"structure"_s).toVariant().toStringList();
        QVERIFY2(structure.size() == 1 && structure.constFirst().contains(u"8 bytes after the end of the archive"_s),
            qPrintable(appendedJson.describe()));
        QVERIFY2(appendedReport.value(u"altered"_s).toArray().isEmpty(), qPrintable(appendedJson.describe()));
    }

    // 8. Progress while writing only moves forward and ends at its total.
    void progressReachesItsTotal()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        AccessCase c;
        CHECKED(fillAccessCase(fx, processing(), &c));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QList<BundleProgress> calls;
        Result<BuiltBundle> built
            = build(fx, c.reference, dir.filePath(u"progress.zip"_s), [&](const BundleProgress &p) { calls.append(p); });
        VERIFY_OK(built);

        QList<BundleProgress> writing;
        for (const BundleProgress &p : std::as_const(calls)) {
            if (p.phase == u"writing"_s)
                writing.append(p);
        }
        QVERIFY2(!writing.isEmpty(), "no progress in phase \"writing\"");
        const int expectedEntries = int(built->manifest.files.size()) + 1;
        QCOMPARE(built->entries, expectedEntries);
        qint64 previous = 0;
        for (const BundleProgress &p : std::as_const(writing)) {
            QVERIFY2(p.bytesDone >= previous,
                qPrintable(u"bytesDone went back from %1 to %2 at %3"_s.arg(previous).arg(p.bytesDone).arg(p.current)));
            previous = p.bytesDone;
            QCOMPARE(p.entriesTotal, expectedEntries);
            QVERIFY2(p.bytesDone <= p.bytesTotal,
                qPrintable(
                    u"bytesDone %1 is past bytesTotal %2 while writing %3: bytesTotal must count every entry the \"writing\" "
                    "phase writes, manifest.json included (BundleBuilder::build)"_s.arg(p.bytesDone)
                        .arg(p.bytesTotal)
                        .arg(p.current)));
        }
        const BundleProgress &last = writing.constLast();
        QVERIFY2(last.bytesDone == last.bytesTotal,
            qPrintable(u"the last writing call has bytesDone %1 of bytesTotal %2 (%3)"_s.arg(last.bytesDone)
                           .arg(last.bytesTotal)
                           .arg(last.current)));
        QCOMPARE(last.entriesDone, last.entriesTotal);
    }

    // 9. The case file and the bundle through the real program, on the
    // register the fixture made, at the fixture's moment.
    void cliEndToEnd()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = accessCollecting(fx);
        QVERIFY(!ref.isEmpty());
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString registerFile = QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/resources/processing-register.example.json");
        const QMap<QString, QString> env {{u"RIGHTSFLOW_NOW"_s, fx.clock->now().toUTC().toString(Qt::ISODate)},
            {u"RIGHTSFLOW_PROCESSING_REGISTER"_s, QString()}};
        const QStringList db {u"--db"_s, fx.location()};
        const QStringList processingArgs {u"--processing-register"_s, registerFile};

        const QString document = dir.filePath(u"Letter to Mrs Ellis.pdf"_s);
        const QString records = dir.filePath(u"webchat export.json"_s);
        {
            QFile file(document);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("%PDF-1.4\n% a letter\n");
        }
        {
            QFile file(records);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(webchatRecords());
        }
        const test::ProcessRun addDoc
            = test::runCli(QStringList {u"item"_s, u"add"_s, ref, document, u"--source"_s, u"council-tax"_s, u"--category"_s,
                               u"Bills"_s, u"--date"_s, u"2025-11-03"_s, u"--as"_s, kAlice}
                    + processingArgs + db,
                env);
        VERIFY_EXIT(addDoc, 0);
        QVERIFY2(addDoc.out.contains(u"Added item 1"_s), qPrintable(addDoc.describe()));
        const test::ProcessRun addRec
            = test::runCli(QStringList {u"item"_s, u"add"_s, ref, u"--record-json"_s, records, u"--source"_s, u"webchat"_s,
                               u"--category"_s, u"The transcript"_s, u"--as"_s, kAlice}
                    + processingArgs + db,
                env);
        VERIFY_EXIT(addRec, 0);
        QVERIFY2(addRec.out.contains(u"Added item 2"_s) && addRec.out.contains(u"2 records"_s), qPrintable(addRec.describe()));

        auto listItems = [&](QJsonArray *items) {
            QJsonDocument listed;
            CHECKED(test::parseJson(test::runCli(QStringList {u"item"_s, u"list"_s, ref, u"--json"_s} + db, env), &listed));
            QVERIFY2(listed.isArray(), listed.toJson().constData());
            *items = listed.array();
        };
        QJsonArray items;
        CHECKED(listItems(&items));
        QCOMPARE(items.size(), 2);
        QCOMPARE(items.at(0).toObject().value(u"kind"_s).toString(), CaseItem::kDocument);
        QCOMPARE(items.at(0).toObject().value(u"name"_s).toString(), u"Letter to Mrs Ellis.pdf"_s);
        QCOMPARE(items.at(0).toObject().value(u"category"_s).toString(), u"Bills, payments and arrears"_s);
        QCOMPARE(items.at(0).toObject().value(u"date"_s).toString(), u"2025-11-03"_s);
        QCOMPARE(items.at(1).toObject().value(u"kind"_s).toString(), CaseItem::kRecords);
        QCOMPARE(items.at(1).toObject().value(u"records"_s).toInt(), 2);
        for (const QJsonValue &item : std::as_const(items))
            QCOMPARE(item.toObject().value(u"disposition"_s).toString(), CaseItem::kPending);

        const QStringList mark {u"item"_s, u"mark"_s, ref};
        const test::ProcessRun disclosed
            = test::runCli(mark + QStringList {u"1"_s, u"--disclose"_s, u"--as"_s, kAlice} + db, env);
        VERIFY_EXIT(disclosed, 0);
        const test::ProcessRun noExemption
            = test::runCli(mark + QStringList {u"2"_s, u"--withhold"_s, u"--as"_s, kAlice} + db, env);
        VERIFY_EXIT(noExemption, 2);
        QVERIFY2(noExemption.err.contains(u"exemption"_s) && noExemption.err.contains(u"third-party"_s),
            qPrintable(noExemption.describe()));
        CHECKED(listItems(&items));
        QCOMPARE(items.at(1).toObject().value(u"disposition"_s).toString(), CaseItem::kPending);
        const test::ProcessRun withheld = test::runCli(
            mark + QStringList {u"2"_s, u"--withhold"_s, u"--exemption"_s, u"third-party"_s, u"--as"_s, kAlice} + db, env);
        VERIFY_EXIT(withheld, 0);
        CHECKED(listItems(&items));
        QCOMPARE(items.at(0).toObject().value(u"disposition"_s).toString(), CaseItem::kDisclosed);
        QCOMPARE(items.at(1).toObject().value(u"disposition"_s).toString(), CaseItem::kWithheld);
        QCOMPARE(items.at(1).toObject().value(u"exemption"_s).toString(), u"third-party"_s);
        QVERIFY(collected(fx, ref));

        // Without a processing register the letter cannot be written.
        const QString unbuilt = dir.filePath(u"unbuilt.zip"_s);
        const test::ProcessRun noRegister
            = test::runCli(QStringList {u"bundle"_s, u"build"_s, ref, u"--out"_s, unbuilt, u"--as"_s, kAlice} + db, env);
        VERIFY_EXIT(noRegister, 2);
        QVERIFY2(noRegister.err.contains(u"--processing-register"_s), qPrintable(noRegister.describe()));
        QVERIFY(!QFileInfo::exists(unbuilt));

        const QString zip = dir.filePath(u"response.zip"_s);
        const test::ProcessRun built = test::runCli(
            QStringList {u"bundle"_s, u"build"_s, ref, u"--out"_s, zip, u"--as"_s, kAlice} + processingArgs + db, env);
        VERIFY_EXIT(built, 0);
        QVERIFY2(built.out.startsWith(u"Built "_s), qPrintable(built.describe()));
        const QString onDisk = sha256OfFile(zip);
        QVERIFY2(onDisk.size() == 64 && built.out.contains(onDisk), qPrintable(built.describe()));
        Result<QList<BundleRecord>> bundles = fx.engine->bundles(ref);
        VERIFY_OK(bundles);
        QCOMPARE(bundles->size(), 1);
        QCOMPARE(bundles->constFirst().sha256, onDisk);
        Result<QList<AuditEvent>> events = fx.store->auditEvents(ref);
        VERIFY_OK(events);
        QCOMPARE(events->constLast().action, Engine::kBuildBundleAction);
        QCOMPARE(events->constLast().at, fx.clock->now());
        const test::ProcessRun verified = test::runCli({u"bundle"_s, u"verify"_s, zip});
        VERIFY_EXIT(verified, 0);
    }
};

QTEST_MAIN(TestBundle)
#include "TestBundle.moc"
