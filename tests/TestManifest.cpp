// SPDX-License-Identifier: GPL-3.0-or-later
#include "Checks.h"
#include "JsonEdit.h"
#include "bundle/BundleVerifier.h"
#include "bundle/Manifest.h"
#include "bundle/ZipWriter.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using rf::BundleCheck;
using rf::BundleVerifier;
using rf::Manifest;
using rf::ManifestFile;
using rf::ManifestWithheld;

using rf::test::errorText;
using rf::test::runTool;
using rf::test::ToolRun;

namespace {

// Python's zipfile writes the archives the verifier is tested on: a writer
// that shares no code with QuaZip, and one that lets a test write what
// Rightsflow never would (unsafe names, duplicates, names without the UTF-8
// flag, symbolic links).
const QString kPython = QStringLiteral("/usr/bin/python3");

// Writes the archive described by the JSON file argv[1]:
// {"path": ..., "streamed" (to a file zipfile cannot seek in, so with data
// descriptors), "zip64End" (zip64 end records however small the archive),
// "entries": [{"name", "data" (base64), "repeat" (the data written that many
// times), "stored", "rawName" (base64 bytes stored as the name, without the
// UTF-8 flag), "localName" (base64 bytes the local header names instead),
// "zip64" (zip64 headers however small the entry), "symlink", "directory"}]}.
const char kWriteScript[] = R"PY(
import base64, io, json, sys, warnings, zipfile
warnings.simplefilter("ignore")  # duplicate names are written on purpose

class CraftedInfo(zipfile.ZipInfo):
    __slots__ = ("raw", "local", "in_local")
    def _encodeFilenameFlags(self):
        if self.raw is not None:
            name, flags = self.raw, self.flag_bits
        else:
            name, flags = zipfile.ZipInfo._encodeFilenameFlags(self)
        if self.in_local and self.local is not None:
            name = self.local
        return name, flags
    def FileHeader(self, zip64=None):
        self.in_local = True
        try:
            return zipfile.ZipInfo.FileHeader(self, zip64)
        finally:
            self.in_local = False

class Unseekable(io.RawIOBase):
    def __init__(self, f):
        self.f = f
    def writable(self):
        return True
    def write(self, b):
        return self.f.write(b)
    def seekable(self):
        return False

spec = json.load(open(sys.argv[1], encoding="utf-8"))
if spec.get("zip64End"):
    zipfile.ZIP_FILECOUNT_LIMIT = 0
out = open(spec["path"], "wb")
with zipfile.ZipFile(Unseekable(out) if spec.get("streamed") else out, "w") as archive:
    for e in spec["entries"]:
        info = CraftedInfo(e["name"], date_time=(2026, 11, 27, 10, 15, 0))
        info.raw = None if e["rawName"] is None else base64.b64decode(e["rawName"])
        info.local = None if e.get("localName") is None else base64.b64decode(e["localName"])
        info.in_local = False
        info.compress_type = zipfile.ZIP_STORED if e["stored"] else zipfile.ZIP_DEFLATED
        info.create_system = 3
        info.external_attr = 0o100644 << 16
        if e["symlink"]:
            info.external_attr = 0o120777 << 16
        if e["directory"]:
            info.external_attr = (0o40755 << 16) | 0x10
        data = base64.b64decode(e["data"])
        with archive.open(info, "w", force_zip64=bool(e.get("zip64"))) as entry:
            for _ in range(e.get("repeat", 1)):
                entry.write(data)
out.close()
)PY";

// Prints the names of the entries whose CRC-32 fails, as Python's zipfile sees them.
const char kBadCrcScript[] = R"PY(
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as archive:
    print(archive.testzip() or "")
)PY";

// Reads every entry of argv[1] to its end as Python's zipfile does (names,
// CRC-32s and sizes checked); prints "ok", or the error and exits 1.
const char kReadAllScript[] = R"PY(
import sys, zipfile
try:
    with zipfile.ZipFile(sys.argv[1]) as archive:
        for info in archive.infolist():
            with archive.open(info) as entry:
                while entry.read(1 << 20):
                    pass
except Exception as error:
    print(type(error).__name__, error)
    sys.exit(1)
print("ok")
)PY";

// Prints how many bytes the entry argv[2] of argv[1] inflates to (streamed)
// and its compressed size.
const char kInflatedSizeScript[] = R"PY(
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as archive:
    total = 0
    with archive.open(sys.argv[2]) as entry:
        while chunk := entry.read(1 << 20):
            total += len(chunk)
    print(total, archive.getinfo(sys.argv[2]).compress_size)
)PY";

ToolRun unzipTest(const QString &zip)
{
    return runTool(QStringLiteral("unzip"), {QStringLiteral("-t"), zip});
}

ToolRun pythonReadAll(const QString &zip)
{
    return runTool(kPython, {QStringLiteral("-c"), QString::fromUtf8(kReadAllScript), zip});
}

QString sha256Hex(const QByteArray &data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

// A file of a test bundle: its path and content.
struct Content {
    QString path;
    QByteArray data;
};

// An entry of an archive Python writes.
struct PyEntry {
    PyEntry() = default;
    PyEntry(QString entryName, QByteArray content)
        : name(std::move(entryName))
        , data(std::move(content))
    { }

    QString name;
    QByteArray data;
    bool stored = false;
    std::optional<QByteArray> rawName; // stored as the name's bytes, without the UTF-8 flag
    std::optional<QByteArray> localName; // what the local header names instead
    int repeat = 1; // the data written this many times
    bool zip64 = false;
    bool symlink = false;
    bool directory = false;
};

PyEntry entryOf(const Content &content)
{
    return PyEntry {content.path, content.data};
}

QString kindOf(const QString &path)
{
    if (path == QLatin1String("README.html"))
        return QStringLiteral("readme");
    if (path == QLatin1String("letter.pdf"))
        return QStringLiteral("letter");
    return path.startsWith(QLatin1String("data/")) ? QStringLiteral("data") : QStringLiteral("document");
}

// The manifest a bundle of `files` would carry.
Manifest manifestFor(const QList<Content> &files)
{
    Manifest manifest;
    manifest.reference = QStringLiteral("DSR-2026-000123");
    manifest.right = QStringLiteral("access");
    manifest.built = QDateTime(QDate(2026, 11, 27), QTime(10, 15), QTimeZone::utc());
    manifest.caseFile = sha256Hex(QByteArrayLiteral("case file"));
    int item = 1;
    for (const Content &content : files) {
        ManifestFile file;
        file.path = content.path;
        file.kind = kindOf(content.path);
        file.size = content.data.size();
        file.sha256 = sha256Hex(content.data);
        if (file.kind == QLatin1String("data") || file.kind == QLatin1String("document")) {
            file.source = QStringLiteral("council-tax");
            file.items = {item++};
        }
        if (file.kind == QLatin1String("document"))
            file.disposition = QStringLiteral("disclosed");
        manifest.files.append(file);
    }
    return manifest;
}

// The files of a small bundle; "documents/Zoë.txt" has a name that is not ASCII.
QList<Content> sampleFiles()
{
    return {
        {QStringLiteral("README.html"), QByteArrayLiteral("<!doctype html><title>Your data</title>\n")},
        {QStringLiteral("letter.pdf"), QByteArray("%PDF-1.7 letter ").repeated(200)},
        {QStringLiteral("data/council-tax.json"), QByteArrayLiteral("[{\"account\": \"12345678\"}]\n")},
        {QStringLiteral("documents/a.txt"), QByteArrayLiteral("first document\n")},
        {QStringLiteral("documents/Zo\u00eb.txt"), QByteArrayLiteral("second document\n")},
    };
}

// How Python lays an archive out, beyond its entries.
struct PyLayout {
    bool streamed = false; // data descriptors, as when zipfile writes to a pipe
    bool zip64End = false; // zip64 end records
};

// Writes exactly `entries` into `zip` with Python.
bool writeWithPython(const QString &zip, const QList<PyEntry> &entries, QString *why, const PyLayout &layout = {})
{
    QJsonArray array;
    for (const PyEntry &entry : entries) {
        array.append(QJsonObject {
            {QStringLiteral("name"), entry.name},
            {QStringLiteral("data"), QString::fromLatin1(entry.data.toBase64())},
            {QStringLiteral("stored"), entry.stored},
            {QStringLiteral("rawName"),
                entry.rawName ? QJsonValue(QString::fromLatin1(entry.rawName->toBase64())) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("localName"),
                entry.localName ? QJsonValue(QString::fromLatin1(entry.localName->toBase64())) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("repeat"), entry.repeat},
            {QStringLiteral("zip64"), entry.zip64},
            {QStringLiteral("symlink"), entry.symlink},
            {QStringLiteral("directory"), entry.directory},
        });
    }
    const QString specPath = zip + QStringLiteral(".spec.json");
    QFile spec(specPath);
    if (!spec.open(QIODevice::WriteOnly)) {
        *why = spec.errorString();
        return false;
    }
    spec.write(QJsonDocument(QJsonObject {{QStringLiteral("path"), zip}, {QStringLiteral("entries"), array},
                                 {QStringLiteral("streamed"), layout.streamed}, {QStringLiteral("zip64End"), layout.zip64End}})
                   .toJson());
    spec.close();
    const ToolRun run = runTool(kPython, {QStringLiteral("-c"), QString::fromUtf8(kWriteScript), specPath});
    if (run.exitCode != 0) {
        *why = QStringLiteral("python3 zipfile could not write %1 (exit %2): %3")
                   .arg(zip)
                   .arg(run.exitCode)
                   .arg(QString::fromUtf8(run.err + run.out));
        return false;
    }
    return true;
}

// Writes `entries` and then manifest.json (deflated, for `listed`) into `zip` with Python.
bool writeWithPython(
    const QString &zip, const QList<PyEntry> &entries, const QList<Content> &listed, QString *why, const PyLayout &layout = {})
{
    return writeWithPython(
        zip, QList<PyEntry>(entries) << PyEntry {Manifest::kEntryName, manifestFor(listed).toJson()}, why, layout);
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

bool writeAll(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(data) == data.size();
}

// Where the data of the entry named `name` starts in the raw zip bytes, read
// from its local header; -1 when there is no such header.
qsizetype localDataOffset(const QByteArray &zip, const QByteArray &name, qint64 *compressedSize)
{
    const auto u16 = [&](qsizetype at) { return qsizetype(quint8(zip.at(at))) | (qsizetype(quint8(zip.at(at + 1))) << 8); };
    for (qsizetype at = zip.indexOf("PK\x03\x04"); at >= 0 && at + 30 <= zip.size(); at = zip.indexOf("PK\x03\x04", at + 4)) {
        const qsizetype nameLength = u16(at + 26);
        const qsizetype extraLength = u16(at + 28);
        if (zip.mid(at + 30, nameLength) != name)
            continue;
        *compressedSize = qint64(u16(at + 18)) | (qint64(u16(at + 20)) << 16);
        return at + 30 + nameLength + extraLength;
    }
    return -1;
}

// Builds a bundle of `files` with Rightsflow's own ZipWriter, the manifest
// computed from what the writer reports; returns the manifest's bytes.
QByteArray buildWithZipWriter(const QString &zip, const QList<Content> &files)
{
    rf::ZipWriter::Options options;
    options.timestamp = QDateTime(QDate(2026, 11, 27), QTime(10, 15));
    rf::ZipWriter writer(zip, options);
    if (const rf::Status opened = writer.open(); !opened)
        qFatal("cannot open %s", qPrintable(errorText(opened)));
    Manifest manifest = manifestFor({});
    for (const Content &content : files) {
        const auto added = writer.addData(content.path, content.data);
        if (!added)
            qFatal("cannot add %s", qPrintable(errorText(added)));
        ManifestFile file;
        file.path = added->name;
        file.kind = kindOf(added->name);
        file.size = added->size;
        file.sha256 = QString::fromLatin1(added->sha256.toHex());
        manifest.files.append(file);
    }
    const QByteArray json = manifest.toJson();
    if (const auto added = writer.addData(Manifest::kEntryName, json); !added)
        qFatal("cannot add the manifest: %s", qPrintable(errorText(added)));
    if (const rf::Status committed = writer.commit(); !committed)
        qFatal("cannot commit %s", qPrintable(errorText(committed)));
    return json;
}

// Every line of `lines` starts with the prefix at the same position.
bool startsWithEach(const QStringList &lines, const QStringList &prefixes)
{
    if (lines.size() != prefixes.size())
        return false;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (!lines.at(i).startsWith(prefixes.at(i)))
            return false;
    }
    return true;
}

QString describe(const BundleCheck &check)
{
    return QStringLiteral("missing: [%1]\nextra: [%2]\naltered: [%3]\nunsafe: [%4]\nstructure: [%5]")
        .arg(check.missing.join(QStringLiteral(" | ")), check.extra.join(QStringLiteral(" | ")),
            check.altered.join(QStringLiteral(" | ")), check.unsafe.join(QStringLiteral(" | ")),
            check.structure.join(QStringLiteral(" | ")));
}

ManifestFile manifestFile(const QString &path, const QString &kind, qint64 size, const QString &sha256,
    const QString &source = {}, const QList<int> &items = {}, const QString &disposition = {}, const QString &exemption = {})
{
    ManifestFile file;
    file.path = path;
    file.kind = kind;
    file.size = size;
    file.sha256 = sha256;
    file.source = source;
    file.items = items;
    file.disposition = disposition;
    file.exemption = exemption;
    return file;
}

// The manifest of Manifest.h's own example.
Manifest exampleManifest()
{
    Manifest manifest;
    manifest.reference = QStringLiteral("DSR-2026-000123");
    manifest.right = QStringLiteral("access");
    manifest.built = QDateTime(QDate(2026, 11, 27), QTime(10, 15), QTimeZone::utc());
    manifest.caseFile = QString(64, QLatin1Char('c'));
    const ManifestFile readme
        = manifestFile(QStringLiteral("README.html"), QStringLiteral("readme"), 5120, QString(64, QLatin1Char('1')));
    const ManifestFile letter
        = manifestFile(QStringLiteral("letter.pdf"), QStringLiteral("letter"), 40960, QString(64, QLatin1Char('2')));
    const ManifestFile data = manifestFile(QStringLiteral("data/council-tax.json"), QStringLiteral("data"), 812,
        QString(64, QLatin1Char('3')), QStringLiteral("council-tax"), {3, 4});
    const ManifestFile bill
        = manifestFile(QStringLiteral("documents/Bill.pdf"), QStringLiteral("document"), 91234, QString(64, QLatin1Char('4')),
            QStringLiteral("council-tax"), {2}, QStringLiteral("redacted"), QStringLiteral("third-party"));
    manifest.files = {readme, letter, data, bill};
    manifest.withheld = {ManifestWithheld {5, QStringLiteral("council-tax"), QStringLiteral("crime-and-taxation")}};
    return manifest;
}

const char kExampleJson[] = R"({
  "format": "rightsflow-bundle/1",
  "reference": "DSR-2026-000123",
  "right": "access",
  "built": "2026-11-27T10:15:00Z",
  "caseFile": "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
  "files": [
    {
      "path": "README.html",
      "kind": "readme",
      "size": 5120,
      "sha256": "1111111111111111111111111111111111111111111111111111111111111111"
    },
    {
      "path": "letter.pdf",
      "kind": "letter",
      "size": 40960,
      "sha256": "2222222222222222222222222222222222222222222222222222222222222222"
    },
    {
      "path": "data/council-tax.json",
      "kind": "data",
      "size": 812,
      "sha256": "3333333333333333333333333333333333333333333333333333333333333333",
      "source": "council-tax",
      "items": [3, 4]
    },
    {
      "path": "documents/Bill.pdf",
      "kind": "document",
      "size": 91234,
      "sha256": "4444444444444444444444444444444444444444444444444444444444444444",
      "source": "council-tax",
      "items": [2],
      "disposition": "redacted",
      "exemption": "third-party"
    }
  ],
  "withheld": [
    {
      "item": 5,
      "source": "council-tax",
      "exemption": "crime-and-taxation"
    }
  ]
}
)";

} // namespace

Q_DECLARE_METATYPE(QList<PyEntry>)

class TestManifest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    // Manifest
    void toJsonExactBytes();
    void toJsonNormalisesTimeAndOmitsEmpty();
    void roundTrip();
    void parseRefusals_data();
    void parseRefusals();
    void parseReportsEveryProblem();
    void parseNewerFormatUnsupported();
    void parseNotJson();

    // BundleVerifier
    void zipWriterBundleIsIntact();
    void pythonArchives_data();
    void pythonArchives();
    void crcErrorIsAltered();
    void declaredSizeMismatchIsAltered();
    void damagedDeflateDataIsAltered();
    void damagedLocalHeaderIsAltered();
    void manifestCrcErrorIsAltered();
    void secondManifestIsUnsafe();
    void structureDamage_data();
    void structureDamage();
    void inflationStopsAtManifestSize();
    void readableLayoutsAreIntact_data();
    void readableLayoutsAreIntact();
    void damagedArchiveIsError_data();
    void damagedArchiveIsError();
    void missingFileIsNotFound();
    void noManifestIsError();
    void invalidManifestIsError_data();
    void invalidManifestIsError();
};

void TestManifest::initTestCase()
{
    // Not skipped when missing: Python's zipfile is the independent writer the tests trust.
    QVERIFY2(QFileInfo(kPython).isExecutable(),
        "/usr/bin/python3 is missing: install the Debian package python3 (see packaging/debian-packages.txt)");
}

void TestManifest::toJsonExactBytes()
{
    const QByteArray json = exampleManifest().toJson();
    QCOMPARE(json, QByteArray(kExampleJson));
    // Twice the same bytes, and JSON every reader accepts.
    QCOMPARE(exampleManifest().toJson(), json);
    QJsonParseError error;
    QJsonDocument::fromJson(json, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
}

void TestManifest::toJsonNormalisesTimeAndOmitsEmpty()
{
    Manifest manifest = exampleManifest();
    // 11:15:00.999 at +01:00 is 10:15:00 UTC, whole seconds.
    manifest.built = QDateTime(QDate(2026, 7, 1), QTime(11, 15, 0, 999), QTimeZone(3600));
    manifest.files = {manifestFile(QStringLiteral("README.html"), QStringLiteral("readme"), 0, QString(64, QLatin1Char('0')))};
    manifest.withheld.clear();
    manifest.reference = QStringLiteral("DSR \"quoted\" \\ back\nline\ttab\u0001 Zo\u00eb \U0001F600");
    const QByteArray json = manifest.toJson();
    QVERIFY2(json.contains("\"built\": \"2026-07-01T10:15:00Z\""), json.constData());
    QVERIFY2(json.contains("\"reference\": \"DSR \\\"quoted\\\" \\\\ back\\nline\\ttab\\u0001 Zo\xc3\xab \xf0\x9f\x98\x80\""),
        json.constData());
    QVERIFY2(json.contains("\"withheld\": []\n}\n"), json.constData());
    for (const char *key : {"\"source\"", "\"items\"", "\"disposition\"", "\"exemption\""})
        QVERIFY2(!json.contains(key), key);
    QVERIFY(json.endsWith("}\n"));
}

void TestManifest::roundTrip()
{
    Manifest manifest = exampleManifest();
    manifest.reference = QStringLiteral("DSR \"quoted\" \\ back\nline\ttab\u0001 end");
    manifest.files[3].path = QStringLiteral("documents/Zo\u00eb \u2013 Stra\u00dfe \U0001F4C4.pdf");
    manifest.files[2].size = 9007199254740992LL; // 2^53, the largest size a manifest holds
    const QByteArray json = manifest.toJson();
    const rf::Result<Manifest> parsed = Manifest::parse(json, QStringLiteral("m.json"));
    QVERIFY2(parsed.ok(), qPrintable(errorText(parsed)));
    QCOMPARE(parsed->toJson(), json);
    QCOMPARE(parsed->format, Manifest::kFormat);
    QCOMPARE(parsed->reference, manifest.reference);
    QCOMPARE(parsed->right, manifest.right);
    QCOMPARE(parsed->built, manifest.built);
    QCOMPARE(parsed->built.timeSpec(), Qt::UTC);
    QCOMPARE(parsed->caseFile, manifest.caseFile);
    QCOMPARE(parsed->files.size(), manifest.files.size());
    for (qsizetype i = 0; i < manifest.files.size(); ++i) {
        const ManifestFile &a = parsed->files.at(i);
        const ManifestFile &b = manifest.files.at(i);
        QCOMPARE(a.path, b.path);
        QCOMPARE(a.kind, b.kind);
        QCOMPARE(a.size, b.size);
        QCOMPARE(a.sha256, b.sha256);
        QCOMPARE(a.source, b.source);
        QCOMPARE(a.items, b.items);
        QCOMPARE(a.disposition, b.disposition);
        QCOMPARE(a.exemption, b.exemption);
    }
    QCOMPARE(parsed->withheld.size(), 1);
    QCOMPARE(parsed->withheld.at(0).item, 5);
    QCOMPARE(parsed->withheld.at(0).source, QStringLiteral("council-tax"));
    QCOMPARE(parsed->withheld.at(0).exemption, QStringLiteral("crime-and-taxation"));
}

void TestManifest::parseRefusals_data()
{
    // Each row edits the example manifest in one place (JsonEdit.h paths; an
    // undefined value removes the key) and names the one problem expected.
    QTest::addColumn<QString>("edit");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("jsonPath");
    QTest::addColumn<QString>("why");
    const QJsonValue removed(QJsonValue::Undefined);
    const QString upper = QString(64, QLatin1Char('A'));

    QTest::addRow("format unknown") << "format" << QJsonValue(QStringLiteral("zip-bundle/1")) << "$.format"
                                    << "unknown format";
    QTest::addRow("format missing") << "format" << removed << "$.format"
                                    << "missing";
    QTest::addRow("reference a number") << "reference" << QJsonValue(123) << "$.reference"
                                        << "expected a string, found a number";
    QTest::addRow("right blank") << "right" << QJsonValue(QStringLiteral(" ")) << "$.right"
                                 << "must not be empty";
    QTest::addRow("built with offset") << "built" << QJsonValue(QStringLiteral("2026-11-27T10:15:00+01:00")) << "$.built"
                                       << "not a UTC time";
    QTest::addRow("built with fraction") << "built" << QJsonValue(QStringLiteral("2026-11-27T10:15:00.5Z")) << "$.built"
                                         << "not a UTC time";
    QTest::addRow("built impossible") << "built" << QJsonValue(QStringLiteral("2026-02-30T10:15:00Z")) << "$.built"
                                      << "not a UTC time";
    QTest::addRow("caseFile short") << "caseFile" << QJsonValue(QStringLiteral("abc")) << "$.caseFile"
                                    << "not a SHA-256";
    QTest::addRow("unknown top key") << "signature" << QJsonValue(QStringLiteral("x")) << "$.signature"
                                     << "unknown key";
    QTest::addRow("files a string") << "files" << QJsonValue(QStringLiteral("x")) << "$.files"
                                    << "expected an array, found a string";
    QTest::addRow("files missing") << "files" << removed << "$.files"
                                   << "missing";
    QTest::addRow("file a number") << "files/1" << QJsonValue(3) << "$.files[1]"
                                   << "expected an object, found a number";
    QTest::addRow("sha256 upper case") << "files/3/sha256" << QJsonValue(upper) << "$.files[3].sha256"
                                       << "not a SHA-256";
    QTest::addRow("sha256 short") << "files/3/sha256" << QJsonValue(QStringLiteral("abc123")) << "$.files[3].sha256"
                                  << "64 lower-case hex digits";
    QTest::addRow("sha256 a boolean") << "files/0/sha256" << QJsonValue(true) << "$.files[0].sha256"
                                      << "expected a string, found a boolean";
    QTest::addRow("size negative") << "files/0/size" << QJsonValue(-1) << "$.files[0].size"
                                   << "a whole number from 0";
    QTest::addRow("size fraction") << "files/0/size" << QJsonValue(1.5) << "$.files[0].size"
                                   << "found 1.5";
    QTest::addRow("size a string") << "files/0/size" << QJsonValue(QStringLiteral("12")) << "$.files[0].size"
                                   << "found a string";
    QTest::addRow("size beyond 2^53") << "files/0/size" << QJsonValue(1e17) << "$.files[0].size"
                                      << "a whole number";
    QTest::addRow("size missing") << "files/0/size" << removed << "$.files[0].size"
                                  << "missing";
    QTest::addRow("path climbs out") << "files/2/path" << QJsonValue(QStringLiteral("../evil.txt")) << "$.files[2].path"
                                     << "not a safe entry path";
    QTest::addRow("path absolute") << "files/2/path" << QJsonValue(QStringLiteral("/etc/passwd")) << "$.files[2].path"
                                   << "not a safe entry path";
    QTest::addRow("path with drive") << "files/2/path" << QJsonValue(QStringLiteral("C:\\x.txt")) << "$.files[2].path"
                                     << "not a safe entry path";
    QTest::addRow("path a folder") << "files/2/path" << QJsonValue(QStringLiteral("documents/")) << "$.files[2].path"
                                   << "not a safe entry path";
    QTest::addRow("path the manifest") << "files/2/path" << QJsonValue(QStringLiteral("manifest.json")) << "$.files[2].path"
                                       << "the manifest itself";
    QTest::addRow("path missing") << "files/2/path" << removed << "$.files[2].path"
                                  << "missing";
    QTest::addRow("path duplicate") << "files/1/path" << QJsonValue(QStringLiteral("README.html")) << "$.files[1].path"
                                    << "duplicate path \"README.html\" (the same as $.files[0]";
    QTest::addRow("path duplicate ignoring case")
        << "files/1/path" << QJsonValue(QStringLiteral("readme.HTML")) << "$.files[1].path"
        << "duplicate path";
    QTest::addRow("kind unknown") << "files/0/kind" << QJsonValue(QStringLiteral("photo")) << "$.files[0].kind"
                                  << "unknown kind \"photo\"";
    QTest::addRow("unknown file key") << "files/0/colour" << QJsonValue(QStringLiteral("red")) << "$.files[0].colour"
                                      << "unknown key";
    QTest::addRow("source a number") << "files/2/source" << QJsonValue(7) << "$.files[2].source"
                                     << "expected a string";
    QTest::addRow("items a number") << "files/2/items" << QJsonValue(3) << "$.files[2].items"
                                    << "expected an array";
    QTest::addRow("item zero") << "files/2/items/0" << QJsonValue(0) << "$.files[2].items[0]"
                               << "a whole number from 1";
    QTest::addRow("item a string") << "files/2/items/1" << QJsonValue(QStringLiteral("4")) << "$.files[2].items[1]"
                                   << "found a string";
    QTest::addRow("item duplicate") << "files/2/items/1" << QJsonValue(3) << "$.files[2].items[1]"
                                    << "duplicate item 3";
    QTest::addRow("disposition unknown") << "files/3/disposition" << QJsonValue(QStringLiteral("hidden"))
                                         << "$.files[3].disposition"
                                         << "unknown disposition";
    QTest::addRow("redacted without exemption") << "files/3/exemption" << removed << "$.files[3].exemption"
                                                << "a redacted document names its exemption";
    QTest::addRow("exemption without redaction")
        << "files/3/disposition" << QJsonValue(QStringLiteral("disclosed")) << "$.files[3].exemption"
        << "only a redacted document";
    QTest::addRow("withheld missing") << "withheld" << removed << "$.withheld"
                                      << "missing";
    QTest::addRow("withheld entry a string") << "withheld/0" << QJsonValue(QStringLiteral("5")) << "$.withheld[0]"
                                             << "expected an object";
    QTest::addRow("withheld item zero") << "withheld/0/item" << QJsonValue(0) << "$.withheld[0].item"
                                        << "a whole number from 1";
    QTest::addRow("withheld source missing") << "withheld/0/source" << removed << "$.withheld[0].source"
                                             << "missing";
    QTest::addRow("withheld unknown key") << "withheld/0/name" << QJsonValue(QStringLiteral("Bill.pdf")) << "$.withheld[0].name"
                                          << "unknown key";
}

void TestManifest::parseRefusals()
{
    QFETCH(QString, edit);
    QFETCH(QJsonValue, value);
    QFETCH(QString, jsonPath);
    QFETCH(QString, why);

    const QJsonObject example = QJsonDocument::fromJson(kExampleJson).object();
    QVERIFY(Manifest::parse(QJsonDocument(example).toJson(), QStringLiteral("m.json")).ok()); // the unedited one is valid
    const QJsonObject edited = rf::test::editedJson(example, edit.split(QLatin1Char('/')), value).toObject();
    const rf::Result<Manifest> parsed = Manifest::parse(QJsonDocument(edited).toJson(), QStringLiteral("m.json"));
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().code, rf::ErrorCode::Invalid);
    QVERIFY2(parsed.error().message.startsWith(QStringLiteral("m.json: invalid bundle manifest (1 problem)")),
        qPrintable(errorText(parsed)));
    QCOMPARE(parsed.error().details.size(), 1);
    const QString detail = parsed.error().details.at(0);
    QVERIFY2(detail.startsWith(QStringLiteral("m.json: ") + jsonPath + QStringLiteral(": ")), qPrintable(detail));
    QVERIFY2(detail.contains(why), qPrintable(detail));
}

void TestManifest::parseReportsEveryProblem()
{
    QJsonValue json = QJsonDocument::fromJson(kExampleJson).object();
    json = rf::test::editedJson(json, {QStringLiteral("files"), QStringLiteral("3"), QStringLiteral("sha256")}, 42);
    json = rf::test::editedJson(
        json, {QStringLiteral("files"), QStringLiteral("0"), QStringLiteral("path")}, QStringLiteral("../README.html"));
    json = rf::test::editedJson(json, {QStringLiteral("withheld"), QStringLiteral("0"), QStringLiteral("item")}, -5);
    const rf::Result<Manifest> parsed = Manifest::parse(QJsonDocument(json.toObject()).toJson(), QStringLiteral("m.json"));
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.error().message.contains(QStringLiteral("(3 problems)")), qPrintable(errorText(parsed)));
    const QStringList details = parsed.error().details;
    QCOMPARE(details.size(), 3);
    QVERIFY2(details.at(0).startsWith(QStringLiteral("m.json: $.files[0].path: ")), qPrintable(details.at(0)));
    QVERIFY2(details.at(1).startsWith(QStringLiteral("m.json: $.files[3].sha256: ")), qPrintable(details.at(1)));
    QVERIFY2(details.at(2).startsWith(QStringLiteral("m.json: $.withheld[0].item: ")), qPrintable(details.at(2)));
}

void TestManifest::parseNewerFormatUnsupported()
{
    QByteArray json = kExampleJson;
    json.replace("rightsflow-bundle/1", "rightsflow-bundle/2");
    json.replace("\"right\"", "\"rights\""); // a newer format may change anything else
    const rf::Result<Manifest> parsed = Manifest::parse(json, QStringLiteral("m.json"));
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().code, rf::ErrorCode::Unsupported);
    QCOMPARE(parsed.error().details.size(), 1);
    QVERIFY2(parsed.error().details.at(0).startsWith(QStringLiteral("m.json: $.format: \"rightsflow-bundle/2\"")),
        qPrintable(errorText(parsed)));
}

void TestManifest::parseNotJson()
{
    const rf::Result<Manifest> parsed
        = Manifest::parse(QByteArrayLiteral("{\n  \"format\": \"rightsflow-bundle/1\",\n  oops\n}\n"), QStringLiteral("m.json"));
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().code, rf::ErrorCode::Invalid);
    QCOMPARE(parsed.error().details.size(), 1);
    QVERIFY2(parsed.error().details.at(0).startsWith(QStringLiteral("m.json:3:")), qPrintable(errorText(parsed)));

    const rf::Result<Manifest> array = Manifest::parse(QByteArrayLiteral("[]"), QStringLiteral("m.json"));
    QVERIFY(!array.ok());
    QVERIFY2(array.error().fullText().contains(QStringLiteral("m.json: $: expected an object")), qPrintable(errorText(array)));
}

void TestManifest::zipWriterBundleIsIntact()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString zip = dir.filePath(QStringLiteral("bundle.zip"));
    QList<Content> files = sampleFiles();
    // Bigger than two chunks, so that it is streamed in several.
    QByteArray big;
    for (int i = 0; big.size() < 2 * 1024 * 1024 + 512 * 1024; ++i)
        big += QByteArray::number(i * 7919) + QByteArrayLiteral(",council tax,12.50\n");
    files.append(Content {QStringLiteral("data/council-tax.csv"), big});
    files.append(Content {QStringLiteral("documents/\U0001F4C4 notes \u2013 Stra\u00dfe.txt"), QByteArrayLiteral("emoji")});
    const QByteArray manifestJson = buildWithZipWriter(zip, files);
    qint64 total = manifestJson.size();
    for (const Content &content : std::as_const(files))
        total += content.data.size();

    QList<BundleVerifier::Progress> progress;
    const rf::Result<BundleCheck> check
        = BundleVerifier::verify(zip, [&](const BundleVerifier::Progress &p) { progress.append(p); });
    QVERIFY2(check.ok(), qPrintable(errorText(check)));
    QVERIFY2(check->intact(), qPrintable(describe(*check)));
    QCOMPARE(check->entriesChecked, int(files.size() + 1));
    QCOMPARE(check->bytesChecked, total);
    QCOMPARE(check->manifest.files.size(), files.size());
    QCOMPARE(check->manifest.toJson(), manifestJson);

    // Progress after every chunk and every entry: the big file alone gives
    // three chunks; counts never go back; it ends with everything.
    QVERIFY2(progress.size() >= files.size() + 1 + 3, qPrintable(QString::number(progress.size())));
    for (qsizetype i = 1; i < progress.size(); ++i) {
        QVERIFY(progress.at(i).entriesDone >= progress.at(i - 1).entriesDone);
        QVERIFY(progress.at(i).bytesDone >= progress.at(i - 1).bytesDone);
    }
    QCOMPARE(progress.last().entriesDone, int(files.size() + 1));
    QCOMPARE(progress.last().entriesTotal, int(files.size() + 1));
    QCOMPARE(progress.last().bytesDone, total);
}

void TestManifest::pythonArchives_data()
{
    // Each row: the entries Python writes (manifest.json is added last, for
    // the sample files) and what the verifier must find. Lines of altered and
    // unsafe are compared by their start.
    QTest::addColumn<QList<PyEntry>>("entries");
    QTest::addColumn<QStringList>("missing");
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<QStringList>("altered");
    QTest::addColumn<QStringList>("unsafe");

    const QList<Content> sample = sampleFiles();
    QList<PyEntry> base;
    for (const Content &content : sample)
        base.append(entryOf(content));
    const auto with = [&](const PyEntry &entry) { return QList<PyEntry>(base) << entry; };
    const auto replaced = [&](qsizetype index, const PyEntry &entry) {
        QList<PyEntry> entries = base;
        entries[index] = entry;
        return entries;
    };
    const QString zoe = QStringLiteral("documents/Zo\u00eb.txt");

    // Python sets the UTF-8 flag for "documents/Zoë.txt": it must match the manifest.
    QTest::addRow("intact, non-ASCII name with the UTF-8 flag")
        << base << QStringList() << QStringList() << QStringList() << QStringList();
    QList<PyEntry> stored = base;
    for (PyEntry &entry : stored)
        entry.stored = true;
    QTest::addRow("intact, stored") << stored << QStringList() << QStringList() << QStringList() << QStringList();

    QTest::addRow("content altered, same size")
        << replaced(3, PyEntry {QStringLiteral("documents/a.txt"), QByteArrayLiteral("FIRST document\n")}) << QStringList()
        << QStringList() << QStringList {QStringLiteral("documents/a.txt: SHA-256 ")} << QStringList();
    QTest::addRow("content altered, shorter")
        << replaced(3, PyEntry {QStringLiteral("documents/a.txt"), QByteArrayLiteral("first doc\n")}) << QStringList()
        << QStringList() << QStringList {QStringLiteral("documents/a.txt: 10 bytes with SHA-256 ")} << QStringList();
    // Never read past the manifest's 15 bytes, so its SHA-256 is not known.
    QTest::addRow("content altered, longer")
        << replaced(3, PyEntry {QStringLiteral("documents/a.txt"), QByteArrayLiteral("first document, longer\n")})
        << QStringList() << QStringList()
        << QStringList {QStringLiteral(
               "documents/a.txt: inflates past the 15 bytes the manifest gives (the zip declares 23 bytes)")}
        << QStringList();
    QList<PyEntry> withoutLetter = base;
    withoutLetter.removeAt(1);
    QTest::addRow("entry missing") << withoutLetter << QStringList {QStringLiteral("letter.pdf")} << QStringList()
                                   << QStringList() << QStringList();
    QTest::addRow("extra entry") << with(PyEntry {QStringLiteral("documents/extra.txt"), QByteArrayLiteral("x")}) << QStringList()
                                 << QStringList {QStringLiteral("documents/extra.txt")} << QStringList() << QStringList();

    const QList<QPair<QString, QString>> unsafeNames {
        {QStringLiteral("../evil.txt"), QStringLiteral("../evil.txt: \"..\" in the path")},
        {QStringLiteral("documents/../../evil.txt"), QStringLiteral("documents/../../evil.txt: \"..\" in the path")},
        {QStringLiteral("/tmp/evil.txt"), QStringLiteral("/tmp/evil.txt: an absolute path")},
        {QStringLiteral("C:\\evil.txt"), QStringLiteral("C:\\evil.txt: a drive letter")},
        {QStringLiteral("documents\\evil.txt"), QStringLiteral("documents\\evil.txt: a backslash")},
        {QStringLiteral("documents/CON.txt"), QStringLiteral("documents/CON.txt: not a safe relative path")},
        {QStringLiteral("documents/evil\u202Etxt.exe"), QStringLiteral("documents/evil\\u202Etxt.exe: not a safe")},
        {QStringLiteral("documents/new\nline.txt"), QStringLiteral("documents/new\\nline.txt: not a safe")},
    };
    for (const auto &[name, expected] : unsafeNames) {
        QTest::addRow("unsafe name %s", qPrintable(expected.left(expected.indexOf(QStringLiteral(": ")))))
            << with(PyEntry {name, QByteArrayLiteral("evil")}) << QStringList() << QStringList() << QStringList()
            << QStringList {expected};
    }

    QTest::addRow("duplicate name") << with(PyEntry {QStringLiteral("documents/a.txt"), QByteArrayLiteral("a second copy")})
                                    << QStringList() << QStringList() << QStringList()
                                    << QStringList {QStringLiteral(
                                           "documents/a.txt: a second entry with the name of \"documents/a.txt\"")};
    QTest::addRow("duplicate name ignoring case")
        << with(PyEntry {QStringLiteral("Documents/A.TXT"), QByteArrayLiteral("a second copy")}) << QStringList() << QStringList()
        << QStringList() << QStringList {QStringLiteral("Documents/A.TXT: a second entry with the name of \"documents/a.txt\"")};

    PyEntry folder {QStringLiteral("documents/"), QByteArray()};
    folder.directory = true;
    QTest::addRow("folder entry is harmless") << with(folder) << QStringList() << QStringList() << QStringList() << QStringList();
    PyEntry folderWithData {QStringLiteral("documents/"), QByteArrayLiteral("hidden")};
    folderWithData.directory = true;
    QTest::addRow("folder entry with data") << with(folderWithData) << QStringList() << QStringList() << QStringList()
                                            << QStringList {QStringLiteral("documents/: a folder entry that holds data")};
    PyEntry parentFolder {QStringLiteral("../"), QByteArray()};
    parentFolder.directory = true;
    QTest::addRow("folder entry climbing out") << with(parentFolder) << QStringList() << QStringList() << QStringList()
                                               << QStringList {QStringLiteral("../: \"..\" in the path")};
    PyEntry link {QStringLiteral("documents/link.txt"), QByteArrayLiteral("/etc/passwd")};
    link.symlink = true;
    QTest::addRow("symbolic link") << with(link) << QStringList() << QStringList() << QStringList()
                                   << QStringList {QStringLiteral("documents/link.txt: a symbolic link")};

    // The same UTF-8 bytes without the flag: matched (and checked), but unsafe.
    PyEntry unflagged {QStringLiteral("placeholder.txt"), QByteArrayLiteral("second document\n")};
    unflagged.rawName = zoe.toUtf8();
    QTest::addRow("UTF-8 name without the flag") << replaced(4, unflagged) << QStringList() << QStringList() << QStringList()
                                                 << QStringList {zoe + QStringLiteral(": a name with non-ASCII characters")};
    unflagged.data = QByteArrayLiteral("SECOND document\n");
    QTest::addRow("UTF-8 name without the flag, altered")
        << replaced(4, unflagged) << QStringList() << QStringList() << QStringList {zoe + QStringLiteral(": SHA-256 ")}
        << QStringList {zoe + QStringLiteral(": a name with non-ASCII characters")};
    // "ë" in code page 437 is 0x89, which is not UTF-8: another name.
    PyEntry cp437 {QStringLiteral("placeholder.txt"), QByteArrayLiteral("second document\n")};
    cp437.rawName = QByteArrayLiteral("documents/Zo\x89.txt");
    QTest::addRow("code page 437 name without the flag")
        << replaced(4, cp437) << QStringList {zoe} << QStringList() << QStringList()
        << QStringList {QStringLiteral("documents/Zo\\u0089.txt: a name with non-ASCII characters")};

    QTest::addRow("several differences at once")
        << (QList<PyEntry>(withoutLetter) << PyEntry {QStringLiteral("../evil.txt"), QByteArrayLiteral("evil")}
                                          << PyEntry {QStringLiteral("documents/extra.txt"), QByteArrayLiteral("x")})
        << QStringList {QStringLiteral("letter.pdf")} << QStringList {QStringLiteral("documents/extra.txt")} << QStringList()
        << QStringList {QStringLiteral("../evil.txt: ")};
}

void TestManifest::pythonArchives()
{
    QFETCH(QList<PyEntry>, entries);
    QFETCH(QStringList, missing);
    QFETCH(QStringList, extra);
    QFETCH(QStringList, altered);
    QFETCH(QStringList, unsafe);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString zip = dir.filePath(QStringLiteral("bundle.zip"));
    QString why;
    QVERIFY2(writeWithPython(zip, entries, sampleFiles(), &why), qPrintable(why));

    const rf::Result<BundleCheck> check = BundleVerifier::verify(zip);
    QVERIFY2(check.ok(), qPrintable(errorText(check)));
    QCOMPARE(check->missing, missing);
    QCOMPARE(check->extra, extra);
    QVERIFY2(startsWithEach(check->altered, altered), qPrintable(describe(*check)));
    QVERIFY2(startsWithEach(check->unsafe, unsafe), qPrintable(describe(*check)));
    QCOMPARE(check->intact(), missing.isEmpty() && extra.isEmpty() && altered.isEmpty() && unsafe.isEmpty());
    QCOMPARE(check->entriesChecked, int(entries.size() + 1));
}

void TestManifest::crcErrorIsAltered()
{
    // A stored entry whose bytes are changed in place: same name, same size.
    // The manifest describes the changed content, so only the CRC-32 the zip
    // stored for the original can tell.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString zip = dir.filePath(QStringLiteral("bundle.zip"));
    const QByteArray original = QByteArrayLiteral("CRC target: 0123456789abcdef\n");
    QByteArray changed = original;
    changed[12] = 'X';
    QList<Content> listed = sampleFiles();
    listed.append(Content {QStringLiteral("documents/crc.txt"), changed});
    QList<PyEntry> entries;
    for (const Content &content : sampleFiles())
        entries.append(entryOf(content));
    PyEntry target {QStringLiteral("documents/crc.txt"), original};
    target.stored = true;
    entries.append(target);
    QString why;
    QVERIFY2(writeWithPython(zip, entries, listed, &why), qPrintable(why));

    // Before the change, the content differs from the manifest (SHA-256).
    rf::Result<BundleCheck> check = BundleVerifier::verify(zip);
    QVERIFY2(check.ok(), qPrintable(errorText(check)));
    QVERIFY2(startsWithEach(check->altered, {QStringLiteral("documents/crc.txt: SHA-256 ")}), qPrintable(describe(*check)));

    QByteArray bytes = readAll(zip);
    QCOMPARE(bytes.count(original), 1);
    bytes.replace(original, changed);
    QVERIFY(writeAll(zip, bytes));
    // The premise, checked by a reader that is not QuaZip.
    const ToolRun python = runTool(kPython, {QStringLiteral("-c"), QString::fromUtf8(kBadCrcScript), zip});
    QCOMPARE(python.exitCode, 0);
    QCOMPARE(python.out.trimmed(), QByteArrayLiteral("documents/crc.txt"));

    check = BundleVerifier::verify(zip);
    QVERIFY2(check.ok(), qPrintable(errorText(check)));
    QVERIFY(!check->intact());
    QCOMPARE(check->altered.size(), 1);
    QVERIFY2(check->altered.at(0).startsWith(QStringLiteral("documents/crc.txt: CRC-32 error")), qPrintable(describe(*check)));
    QVERIFY(check->missing.isEmpty() && check->extra.isEmpty() && check->unsafe.isEmpty());
}

void TestManifest::declaredSizeMismatchIsAltered()
{
    // A stored entry whose headers declare 5 bytes more than it holds: minizip
    // stops at the data's end without a CRC check (it checks only entries read
    // to their declared size), and the content matches the manifest; only the
    // size the zip declares can tell.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString zip = dir.filePath(QStringLiteral("bundle.zip"));
    const Content target {QStringLiteral("documents/size.txt"), QByteArrayLiteral("declared size target\n")};
    QList<Content> listed = sampleFiles();
    listed.append(target);
    QList<PyEntry> entries;
    for (const Content &content : std::as_const(listed))
        entries.append(entryOf(content));
    entries.last().stored = true;
    QString why;
    QVERIFY2(writeWithPython(zip, entries, listed, &why), qPrintable(why));
    QVERIFY(BundleVerifier::verify(zip).ok() && BundleVerifier::verify(zip)->intact());

    QByteArray bytes = readAll(zip);
    const QByteArray name = target.path.toUtf8();
    const auto setSize = [&](qsizetype at) {
        const quint32 size = quint32(target.data.size() + 5);
        for (int i = 0; i < 4; ++i)
            bytes[at + i] = char((size >> (8 * i)) & 0xff);
    };
    qint64 compressed = 0;
    const qsizetype data = localDataOffset(bytes, name, &compressed);
    QVERIFY(data > 0);
    setSize(bytes.lastIndexOf("PK\x03\x04", data) + 22); // the local header's uncompressed size
    qsizetype record = bytes.indexOf("PK\x01\x02");
    while (record >= 0 && bytes.mid(record + 46, name.size()) != name)
        record = bytes.indexOf("PK\x01\x02", record + 4);
    QVERIFY(record > 0);
    setSize(record + 24); // the central directory's
    QVERIFY(writeAll(zip, bytes));

    const rf::Result<BundleCheck> check = BundleVerifier::verify(zip);
    QVERIFY2(check.ok(), qPrintable(errorText(check)));
    QVERIFY2(startsWithEach(check->altered,
                 {QStringLiteral("documents/size.txt: %1 bytes could be read of the %2 the zip declares")
                         .arg(target.data.size())
                         .arg(target.data.size() + 5)}),
        qPrintable(describe(*check)));
    QVERIFY(check->missing.isEmpty() && check->extra.isEmpty() && check->unsafe.isEmpty());
}

void TestManifest::damagedDeflateDataIsAltered()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString zip = dir.filePath(QStringLiteral("bundle.zip"));
    QList<Content> files = sampleFiles();
    QByteArray text;
    for (int i = 0; text.size() < 200000; ++i)
        text += QByteArrayLiteral("line ") + QByteArray::number(i) + QByteArrayLiteral(" of the council tax history\n");
    files.append(Content {QStringLiteral("data/history.csv"), text});
    buildWithZipWriter(zip, files);

    QByteArray bytes = readAll(zip);
    qint64 compressed = 0;
    const qsizetype at = localDataOffset(bytes, "data/history.csv", &compressed);
    QVERIFY(at > 0 && compressed > 100);
    for (qsizetype i = at + compressed / 2; i < at + compressed / 2 + 16; ++i)
        bytes[i] = char(bytes.at(i) ^ 0x5a);
    QVERIFY(writeAll(zip, bytes));

    const rf::Result<BundleCheck> check = BundleVerifier::verify(zip);
    QVERIFY2(check.ok(), qPrintable(errorText(check)));
    QCOMPARE(check->altered.size(), 1);
    QVERIFY2(check->altered.at(0).startsWith(QStringLiteral("data/history.csv: ")), qPrintable(describe(*check)));
    // Not merely a different hash: the damage is named.
    QVERIFY2(check->altered.at(0).contains(QStringLiteral("cannot be read"))
            || check->altered.at(0).contains(QStringLiteral("CRC-32")),
        qPrintable(describe(*check)));
    QVERIFY(check->missing.isEmpty() && check->extra.isEmpty() && check->unsafe.isEmpty());
}

void TestManifest::damagedLocalHeaderIsAltered()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString zip = dir.filePath(QStringLiteral("bundle.zip"));
    buildWithZipWriter(zip, sampleFiles());
    QByteArray bytes = readAll(zip);
    qint64 compressed = 0;
    const qsizetype data = localDataOffset(bytes, "letter.pdf", &compressed);
    QVERIFY(data > 0);
    const qsizetype header = bytes.lastIndexOf("PK\x03\x04", data);
    QVERIFY(header >= 0);
    bytes[header + 2] = 'X'; // the local header's signature
    QVERIFY(writeAll(zip, bytes));

    const rf::Result<BundleCheck> check = BundleVerifier::verify(zip);
    QVERIFY2(check.ok(), qPrintable(errorText(check)));
    QVERIFY2(startsWithEach(check->altered, {QStringLiteral("letter.pdf: cannot be opened")}), qPrintable(describe(*check)));
    QVERIFY(check->missing.isEmpty() && check->extra.isEmpty() && check->unsafe.isEmpty());
}

void TestManifest::manifestCrcErrorIsAltered()
{
    // A manifest edited in place (it still parses) is reported, and the
    // entries are still checked against what it now says.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString zip = dir.filePath(QStringLiteral("bundle.zip"));
    QList<PyEntry> entries;
    for (const Content &content : sampleFiles())
        entries.append(entryOf(content));
    PyEntry manifest {Manifest::kEntryName, manifestFor(sampleFiles()).toJson()};
    manifest.stored = true; // so that its bytes are in the file as they are
    entries.append(manifest);
    QString why;
    QVERIFY2(writeWithPython(zip, entries, &why), qPrintable(why));
    QVERIFY(BundleVerifier::verify(zip).ok() && BundleVerifier::verify(zip)->intact());

    QByteArray bytes = readAll(zip);
    const QByteArray from = QByteArrayLiteral("\"reference\": \"DSR-2026-000123\"");
    QCOMPARE(bytes.count(from), 1);
    bytes.replace(from, QByteArrayLiteral("\"reference\": \"DSR-2026-000999\""));
    QVERIFY(writeAll(zip, bytes));

    const rf::Result<BundleCheck> check = BundleVerifier::verify(zip);
    QVERIFY2(check.ok(), qPrintable(errorText(check)));
    QCOMPARE(check->manifest.reference, QStringLiteral("DSR-2026-000999"));
    QVERIFY2(startsWithEach(check->altered, {QStringLiteral("manifest.json: CRC-32 error")}), qPrintable(describe(*check)));
    QVERIFY(check->missing.isEmpty() && check->extra.isEmpty() && check->unsafe.isEmpty());
}

void TestManifest::secondManifestIsUnsafe()
{
    // The first manifest.json is the one checked against; another one is a
    // duplicate name like any other.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString zip = dir.filePath(QStringLiteral("bundle.zip"));
    QList<PyEntry> entries;
    for (const Content &content : sampleFiles())
        entries.append(entryOf(content));
    entries.append(PyEntry {Manifest::kEntryName, manifestFor(sampleFiles()).toJson()});
    entries.append(PyEntry {Manifest::kEntryName, manifestFor({}).toJson()});
    QString why;
    QVERIFY2(writeWithPython(zip, entries, &why), qPrintable(why));
    const rf::Result<BundleCheck> check = BundleVerifier::verify(zip);
    QVERIFY2(check.ok(), qPrintable(errorText(check)));
    QCOMPARE(check->manifest.files.size(), sampleFiles().size());
    QVERIFY2(startsWithEach(check->unsafe, {QStringLiteral("manifest.json: a second entry")}), qPrintable(describe(*check)));
    QVERIFY(check->missing.isEmpty() && check->extra.isEmpty() && check->altered.isEmpty());
}

void TestManifest::structureDamage_data()
{
    // Each row: an archive QuaZip reads without complaint, damaged so that
    // Info-ZIP unzip or Python's zipfile refuses it or reads it otherwise,
    // and what the structure line must say.
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("expected");
    QTest::addRow("cut one byte short") << QStringLiteral("cut")
                                        << QStringLiteral("the end of central directory record is cut short: the file ends 21 "
                                                          "bytes into its 22");
    QTest::addRow("bytes prepended") << QStringLiteral("prepend")
                                     << QStringLiteral("offset 0: 12 bytes were put before the archive (up to offset 11)");
    QTest::addRow("bytes appended") << QStringLiteral("append") << QStringLiteral("9 bytes after the end of the archive");
    QTest::addRow("local name climbs out") << QStringLiteral("localName")
                                           << QStringLiteral("entry \"documents/a.txt\": its local header names "
                                                             "\"../../evil.txt\", the central directory \"documents/a.txt\"");
    QTest::addRow("local name of the same length") << QStringLiteral(
        "localNameSameLength") << QStringLiteral("entry \"documents/a.txt\": its local header names \"../../evil1.txt\"");
    QTest::addRow("local CRC-32") << QStringLiteral("localCrc")
                                  << QStringLiteral("entry \"documents/a.txt\": CRC-32 0x%1 in the local header, 0x%2 in the "
                                                    "central directory");
    QTest::addRow("local compressed size")
        << QStringLiteral("localCompressed")
        << QStringLiteral("entry \"documents/a.txt\": compressed size 16 in the local header, 15 in the central directory");
    QTest::addRow("local size") << QStringLiteral("localSize")
                                << QStringLiteral("entry \"documents/a.txt\": size 16 in the local header, 15 in the central "
                                                  "directory");
    QTest::addRow("local method") << QStringLiteral("localMethod")
                                  << QStringLiteral("entry \"documents/a.txt\": compression method 8 (deflated) in the local "
                                                    "header, 0 (stored) in the central directory");
    QTest::addRow("local UTF-8 flag") << QStringLiteral("localUtf8")
                                      << QStringLiteral("entry \"documents/Zo\u00eb.txt\": flags 0x0000 in the local header, "
                                                        "0x0800 in the central directory (the UTF-8 name bit)");
}

void TestManifest::structureDamage()
{
    QFETCH(QString, damage);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString zip = dir.filePath(QStringLiteral("bundle.zip"));
    const QList<Content> files = sampleFiles();
    const QByteArray target = damage == QLatin1String("localUtf8") ? files.at(4).path.toUtf8() : files.at(3).path.toUtf8();
    QList<PyEntry> entries;
    for (const Content &content : files) {
        entries.append(entryOf(content));
        entries.last().stored = true; // so that the local sizes are the content's
    }
    if (damage == QLatin1String("localName"))
        entries[3].localName = QByteArrayLiteral("../../evil.txt");
    if (damage == QLatin1String("localNameSameLength"))
        entries[3].localName = QByteArrayLiteral("../../evil1.txt");
    QString why;
    if (damage.startsWith(QLatin1String("local")))
        QVERIFY2(writeWithPython(zip, entries, files, &why), qPrintable(why));
    else
        buildWithZipWriter(zip, files);
    if (!damage.startsWith(QLatin1String("localName"))) {
        const rf::Result<BundleCheck> before = BundleVerifier::verify(zip);
        QVERIFY2(before.ok() && before->intact(), qPrintable(errorText(before)));
    }

    QByteArray bytes = readAll(zip);
    const auto put = [&](qsizetype at, quint64 value, int width) {
        for (int i = 0; i < width; ++i)
            bytes[at + i] = char((value >> (8 * i)) & 0xff);
    };
    const auto get = [&](qsizetype at, int width) {
        quint64 value = 0;
        for (int i = width - 1; i >= 0; --i)
            value = (value << 8) | quint8(bytes.at(at + i));
        return value;
    };
    qint64 compressed = 0;
    const qsizetype header = bytes.lastIndexOf("PK\x03\x04", localDataOffset(bytes, target, &compressed));
    if (damage == QLatin1String("cut")) {
        bytes.chop(1);
    } else if (damage == QLatin1String("prepend")) {
        bytes.prepend("MZ-prepended");
    } else if (damage == QLatin1String("append")) {
        bytes.append("appended!");
    } else if (damage == QLatin1String("localCrc")) {
        const quint64 crc = get(header + 14, 4);
        put(header + 14, crc ^ 1, 4);
        expected = expected.arg(QString::number(crc ^ 1, 16).toUpper().rightJustified(8, QLatin1Char('0')),
            QString::number(crc, 16).toUpper().rightJustified(8, QLatin1Char('0')));
    } else if (damage == QLatin1String("localCompressed")) {
        put(header + 18, get(header + 18, 4) + 1, 4);
    } else if (damage == QLatin1String("localSize")) {
        put(header + 22, get(header + 22, 4) + 1, 4);
    } else if (damage == QLatin1String("localMethod")) {
        put(header + 8, 8, 2);
    } else if (damage == QLatin1String("localUtf8")) {
        put(header + 6, get(header + 6, 2) & ~0x0800u, 2);
    }
    QVERIFY(header > 0 || !damage.startsWith(QLatin1String("local")));
    QVERIFY(writeAll(zip, bytes));

    // The premise, checked by readers that are not QuaZip.
    const ToolRun unzip = unzipTest(zip);
    const ToolRun python = pythonReadAll(zip);
    if (damage == QLatin1String("append")) {
        // Both read it, and ignore the bytes; zipinfo places the end record
        // (no comment) before them.
        QCOMPARE(unzip.exitCode, 0);
        QCOMPARE(python.exitCode, 0);
        const ToolRun info = runTool(QStringLiteral("zipinfo"), {QStringLiteral("-v"), zip});
        const QRegularExpression at(QStringLiteral("Actual end-cent-dir record offset:\\s+(\\d+)"));
        const QRegularExpressionMatch match = at.match(QString::fromUtf8(info.out));
        QVERIFY2(match.hasMatch() && info.out.contains("There is no zipfile comment"), qPrintable(info.describe()));
        QCOMPARE(match.captured(1).toLongLong() + 22, qint64(bytes.size()) - 9);
    } else {
        QVERIFY2(unzip.exitCode != 0, qPrintable(unzip.describe()));
        if (damage == QLatin1String("prepend"))
            QVERIFY2(unzip.out.contains("12 extra bytes at beginning") || unzip.err.contains("12 extra bytes at beginning"),
                qPrintable(unzip.describe()));
        if (damage == QLatin1String("cut") || damage.startsWith(QLatin1String("localName")))
            QVERIFY2(python.exitCode != 0, qPrintable(python.describe()));
    }

    const rf::Result<BundleCheck> check = BundleVerifier::verify(zip);
    QVERIFY2(check.ok(), qPrintable(errorText(check)));
    QVERIFY2(!check->intact(), qPrintable(describe(*check)));
    QVERIFY2(check->structure.size() == 1 && check->structure.constFirst().startsWith(QStringLiteral("offset "))
            && check->structure.constFirst().contains(expected),
        qPrintable(QStringLiteral("expected: %1\n%2").arg(expected, describe(*check))));
    QVERIFY(check->missing.isEmpty() && check->extra.isEmpty() && check->unsafe.isEmpty());
}

void TestManifest::inflationStopsAtManifestSize()
{
    // documents/a.txt inflates to 200 MiB from some 200 KB; the manifest
    // (and nothing else) says it is 10 bytes.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString zip = dir.filePath(QStringLiteral("bundle.zip"));
    QList<Content> listed = sampleFiles();
    listed[3].data = QByteArray(10, '\0');
    QList<PyEntry> entries;
    for (const Content &content : std::as_const(listed))
        entries.append(entryOf(content));
    entries[3].data = QByteArray(64 * 1024, '\0');
    entries[3].repeat = 3200;
    QString why;
    QVERIFY2(writeWithPython(zip, entries, listed, &why), qPrintable(why));

    const ToolRun python = runTool(
        kPython, {QStringLiteral("-c"), QString::fromUtf8(kInflatedSizeScript), zip, QStringLiteral("documents/a.txt")});
    QCOMPARE(python.exitCode, 0);
    const QList<QByteArray> sizes = python.out.trimmed().split(' ');
    QCOMPARE(sizes.size(), 2);
    QCOMPARE(sizes.at(0).toLongLong(), 200LL * 1024 * 1024);
    QVERIFY2(sizes.at(1).toLongLong() < 1024 * 1024, sizes.at(1).constData());

    const rf::Result<BundleCheck> check = BundleVerifier::verify(zip);
    QVERIFY2(check.ok(), qPrintable(errorText(check)));
    QVERIFY2(startsWithEach(check->altered,
                 {QStringLiteral("documents/a.txt: inflates past the 10 bytes the manifest gives (the zip declares %1 bytes)")
                         .arg(200LL * 1024 * 1024)}),
        qPrintable(describe(*check)));
    QVERIFY(check->missing.isEmpty() && check->extra.isEmpty() && check->unsafe.isEmpty() && check->structure.isEmpty());
    // Read: every listed file, manifest.json, and one byte past the 10.
    qint64 listedBytes = manifestFor(listed).toJson().size();
    for (const Content &content : std::as_const(listed))
        listedBytes += content.data.size();
    QCOMPARE(check->bytesChecked, listedBytes + 1);
}

void TestManifest::readableLayoutsAreIntact_data()
{
    // Archives laid out in the ways writers legitimately differ: each one
    // Info-ZIP unzip and Python's zipfile read, so intact.
    QTest::addColumn<QString>("layout");
    QTest::addRow("ZipWriter") << QStringLiteral("zipWriter");
    QTest::addRow("ZipWriter, forced zip64") << QStringLiteral("zipWriterZip64");
    QTest::addRow("ZipWriter, with an archive comment") << QStringLiteral("comment");
    QTest::addRow("Python, zip64 headers and end records") << QStringLiteral("pythonZip64");
    QTest::addRow("Python, data descriptors") << QStringLiteral("pythonStreamed");
    QTest::addRow("Python, zip64 and data descriptors") << QStringLiteral("pythonStreamedZip64");
}

void TestManifest::readableLayoutsAreIntact()
{
    QFETCH(QString, layout);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString zip = dir.filePath(QStringLiteral("bundle.zip"));
    const QList<Content> files = sampleFiles();
    if (layout.startsWith(QLatin1String("python"))) {
        QList<PyEntry> entries;
        for (const Content &content : files) {
            entries.append(entryOf(content));
            entries.last().zip64 = layout.endsWith(QLatin1String("Zip64"));
        }
        PyLayout how;
        how.streamed = layout.startsWith(QLatin1String("pythonStreamed"));
        how.zip64End = layout.endsWith(QLatin1String("Zip64"));
        QString why;
        QVERIFY2(writeWithPython(zip, entries, files, &why, how), qPrintable(why));
        const QByteArray bytes = readAll(zip);
        if (how.zip64End)
            QVERIFY(bytes.contains("PK\x06\x06") && bytes.contains("PK\x06\x07"));
        if (how.streamed)
            QVERIFY(bytes.contains("PK\x07\x08"));
    } else if (layout == QLatin1String("zipWriterZip64")) {
        rf::ZipWriter::Options options;
        options.forceZip64 = true;
        rf::ZipWriter writer(zip, options);
        VERIFY_OK(writer.open());
        for (const Content &content : files)
            VERIFY_OK(writer.addData(content.path, content.data));
        VERIFY_OK(writer.addData(Manifest::kEntryName, manifestFor(files).toJson()));
        VERIFY_OK(writer.commit());
    } else {
        buildWithZipWriter(zip, files);
    }
    if (layout == QLatin1String("comment")) {
        QByteArray bytes = readAll(zip);
        const QByteArray comment = QByteArrayLiteral("Rightsflow bundle DSR-2026-000123");
        QCOMPARE(bytes.mid(bytes.size() - 22, 4), QByteArrayLiteral("PK\x05\x06"));
        bytes[bytes.size() - 2] = char(comment.size());
        bytes.append(comment);
        QVERIFY(writeAll(zip, bytes));
        const ToolRun python = runTool(kPython,
            {QStringLiteral("-c"), QStringLiteral("import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).comment.decode())"),
                zip});
        QCOMPARE(python.out.trimmed(), comment);
    }

    const ToolRun unzip = unzipTest(zip);
    QVERIFY2(unzip.exitCode == 0, qPrintable(unzip.describe()));
    const ToolRun python = pythonReadAll(zip);
    QVERIFY2(python.exitCode == 0, qPrintable(python.describe()));
    const rf::Result<BundleCheck> check = BundleVerifier::verify(zip);
    QVERIFY2(check.ok(), qPrintable(errorText(check)));
    QVERIFY2(check->intact(), qPrintable(describe(*check)));
}

void TestManifest::damagedArchiveIsError_data()
{
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("why");
    QTest::addRow("cut in half") << QStringLiteral("half") << QStringLiteral("not a zip archive (");
    // minizip still finds the signature of the cut end record, then fails on the directory.
    QTest::addRow("end record cut") << QStringLiteral("tail") << QStringLiteral("zip archive (");
    QTest::addRow("central directory damaged")
        << QStringLiteral("central") << QStringLiteral("not a complete zip archive (its central directory is damaged");
    QTest::addRow("empty file") << QStringLiteral("empty") << QStringLiteral("not a zip archive (");
    QTest::addRow("a text file") << QStringLiteral("text") << QStringLiteral("not a zip archive (");
    QTest::addRow("a folder") << QStringLiteral("folder") << QStringLiteral("a folder, not a zip archive");
}

void TestManifest::damagedArchiveIsError()
{
    QFETCH(QString, damage);
    QFETCH(QString, why);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString zip = dir.filePath(QStringLiteral("bundle.zip"));
    buildWithZipWriter(zip, sampleFiles());
    QVERIFY(BundleVerifier::verify(zip).ok()); // intact before the damage
    QByteArray bytes = readAll(zip);
    if (damage == QLatin1String("half")) {
        bytes.truncate(bytes.size() / 2);
    } else if (damage == QLatin1String("tail")) {
        bytes.chop(10);
    } else if (damage == QLatin1String("central")) {
        const qsizetype at = bytes.indexOf("PK\x01\x02");
        QVERIFY(at > 0);
        bytes[at + 2] = 'X';
    } else if (damage == QLatin1String("empty")) {
        bytes.clear();
    } else if (damage == QLatin1String("text")) {
        bytes = QByteArrayLiteral("Dear Ms Smith,\nplease find your data enclosed.\n");
    }
    if (damage == QLatin1String("folder")) {
        QVERIFY(QFile::remove(zip));
        QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("bundle.zip")));
    } else {
        QVERIFY(writeAll(zip, bytes));
    }

    const rf::Result<BundleCheck> check = BundleVerifier::verify(zip);
    QVERIFY(!check.ok());
    QCOMPARE(check.error().code, rf::ErrorCode::Invalid);
    QVERIFY2(
        check.error().message.startsWith(QDir::toNativeSeparators(zip) + QStringLiteral(": ")), qPrintable(errorText(check)));
    QVERIFY2(check.error().message.contains(why), qPrintable(errorText(check)));
}

void TestManifest::missingFileIsNotFound()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString zip = dir.filePath(QStringLiteral("no-such-bundle.zip"));
    const rf::Result<BundleCheck> check = BundleVerifier::verify(zip);
    QVERIFY(!check.ok());
    QCOMPARE(check.error().code, rf::ErrorCode::NotFound);
    QVERIFY2(check.error().message.contains(QStringLiteral("no-such-bundle.zip")), qPrintable(errorText(check)));
}

void TestManifest::noManifestIsError()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString zip = dir.filePath(QStringLiteral("bundle.zip"));
    rf::ZipWriter writer(zip);
    QVERIFY(writer.open().ok());
    QVERIFY(writer.addData(QStringLiteral("README.html"), QByteArrayLiteral("<p>hello</p>")).ok());
    QVERIFY(writer.addData(QStringLiteral("documents/manifest.json"), QByteArrayLiteral("{}")).ok()); // not at the root
    QVERIFY(writer.commit().ok());
    const rf::Result<BundleCheck> check = BundleVerifier::verify(zip);
    QVERIFY(!check.ok());
    QCOMPARE(check.error().code, rf::ErrorCode::Invalid);
    QVERIFY2(check.error().message.contains(QStringLiteral("has no manifest.json, so it is not a Rightsflow response bundle")),
        qPrintable(errorText(check)));

    // An empty zip is a zip, but not a bundle either.
    const QString empty = dir.filePath(QStringLiteral("empty.zip"));
    rf::ZipWriter emptyWriter(empty);
    QVERIFY(emptyWriter.open().ok());
    QVERIFY(emptyWriter.commit().ok());
    const rf::Result<BundleCheck> emptyCheck = BundleVerifier::verify(empty);
    QVERIFY(!emptyCheck.ok());
    QVERIFY2(emptyCheck.error().message.contains(QStringLiteral("has no manifest.json")), qPrintable(errorText(emptyCheck)));
}

void TestManifest::invalidManifestIsError_data()
{
    QTest::addColumn<QByteArray>("manifest");
    QTest::addColumn<QString>("detail");
    QByteArray badSha = kExampleJson;
    badSha.replace("4444444444444444444444444444444444444444444444444444444444444444", "not-a-sha");
    QTest::addRow("bad sha256") << badSha << "$.files[3].sha256: \"not-a-sha\" is not a SHA-256";
    QTest::addRow("not JSON") << QByteArrayLiteral("{\"format\": ") << ":1:";
}

void TestManifest::invalidManifestIsError()
{
    QFETCH(QByteArray, manifest);
    QFETCH(QString, detail);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString zip = dir.filePath(QStringLiteral("bundle.zip"));
    rf::ZipWriter writer(zip);
    QVERIFY(writer.open().ok());
    QVERIFY(writer.addData(QStringLiteral("README.html"), QByteArrayLiteral("<p>hello</p>")).ok());
    QVERIFY(writer.addData(Manifest::kEntryName, manifest).ok());
    QVERIFY(writer.commit().ok());
    const rf::Result<BundleCheck> check = BundleVerifier::verify(zip);
    QVERIFY(!check.ok());
    QCOMPARE(check.error().code, rf::ErrorCode::Invalid);
    const QString source = QStringLiteral("manifest.json in ") + QDir::toNativeSeparators(zip);
    QVERIFY2(
        check.error().message.startsWith(source + QStringLiteral(": invalid bundle manifest")), qPrintable(errorText(check)));
    QCOMPARE(check.error().details.size(), 1);
    QVERIFY2(check.error().details.at(0).startsWith(source), qPrintable(errorText(check)));
    QVERIFY2(check.error().details.at(0).contains(detail), qPrintable(errorText(check)));
}

QTEST_GUILESS_MAIN(TestManifest)
#include "TestManifest.moc"
