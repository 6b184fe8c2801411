// SPDX-License-Identifier: GPL-3.0-or-later
#include "Checks.h"
#include "bundle/ZipWriter.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using rf::ZipWriter;

using rf::test::errorText;
using rf::test::runTool;
using rf::test::ToolRun;

namespace {

// The archives are read back with readers that share no code with QuaZip.
const QString kPython = QStringLiteral("/usr/bin/python3");
const QString kUnzip = QStringLiteral("/usr/bin/unzip");

// Prints, as JSON, what Python's zipfile sees in the archive: every entry's
// name (decoded as the UTF-8 flag says), flag bits, sizes, CRC, the SHA-256 of
// its content, and whether its local header carries a zip64 extra field; and
// testzip()'s verdict (null when every CRC matches).
const char kReadScript[] = R"PY(
import hashlib, json, struct, sys, zipfile
path = sys.argv[1]
result = {"entries": []}
with zipfile.ZipFile(path) as archive, open(path, "rb") as raw:
    result["testzip"] = archive.testzip()
    for info in archive.infolist():
        digest = hashlib.sha256()
        with archive.open(info) as member:
            for block in iter(lambda: member.read(1 << 20), b""):
                digest.update(block)
        raw.seek(info.header_offset)
        header = struct.unpack("<IHHHHHIIIHH", raw.read(30))
        raw.read(header[9])
        extra = raw.read(header[10])
        ids, at = [], 0
        while at + 4 <= len(extra):
            ident, length = struct.unpack("<HH", extra[at:at + 4])
            ids.append(ident)
            at += 4 + length
        result["entries"].append({
            "name": info.filename, "flags": info.flag_bits, "localFlags": header[2],
            "size": info.file_size, "compressType": info.compress_type, "crc": info.CRC,
            "sha256": digest.hexdigest(), "localZip64": 1 in ids,
            "dateTime": list(info.date_time), "mode": info.external_attr >> 16})
print(json.dumps(result))
)PY";

// What Python's zipfile reads from `zip`, or an empty object with `why` set.
QJsonObject readWithPython(const QString &zip, QString *why)
{
    const ToolRun run = runTool(kPython, {QStringLiteral("-c"), QString::fromUtf8(kReadScript), zip});
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(run.out, &error);
    if (run.exitCode != 0 || !doc.isObject()) {
        *why = QStringLiteral("python3 zipfile could not read %1 (exit %2): %3")
                   .arg(zip)
                   .arg(run.exitCode)
                   .arg(QString::fromUtf8(run.err + run.out));
        return {};
    }
    return doc.object();
}

QStringList folderContents(const QString &path)
{
    return QDir(path).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
}

QByteArray sha256Hex(const QByteArray &data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

// A source that delivers `failAfter` bytes and then reports a read error, like
// a file on a disk that dies or a network share that goes away.
class FailingDevice : public QIODevice
{
public:
    explicit FailingDevice(qint64 failAfter)
        : m_failAfter(failAfter)
    { }
    bool isSequential() const override { return true; }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        if (m_given >= m_failAfter) {
            setErrorString(QStringLiteral("simulated disk error"));
            return -1;
        }
        const qint64 n = qMin(maxSize, m_failAfter - m_given);
        for (qint64 i = 0; i < n; ++i)
            data[i] = static_cast<char>('a' + (m_given + i) % 26);
        m_given += n;
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    qint64 m_failAfter;
    qint64 m_given = 0;
};

ZipWriter::Options fixedOptions()
{
    ZipWriter::Options options;
    options.timestamp = QDateTime(QDate(2024, 3, 14), QTime(9, 26, 52));
    return options;
}

} // namespace

class TestZipWriter : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void namesContentAndProgress();
    void largeStreamedFile();
    void unsafeNameRefused_data();
    void unsafeNameRefused();
    void duplicateNameRefused();
    void destroyedWithoutCommitLeavesNothing();
    void readErrorMidwayLeavesNothing();
    void sameInputsGiveSameArchive();
    void forcedZip64();
    void compressionChoice_data();
    void compressionChoice();

private:
    // Fills `zip` with a fixed set of small entries; returns what the writer reported.
    QList<ZipWriter::Entry> buildSmallArchive(const QString &zip, const ZipWriter::Options &options);
};

void TestZipWriter::initTestCase()
{
    // Not skipped when missing: these readers are what the tests trust.
    QVERIFY2(QFileInfo(kPython).isExecutable(),
        "/usr/bin/python3 is missing: install the Debian package python3 (see packaging/debian-packages.txt)");
    QVERIFY2(QFileInfo(kUnzip).isExecutable(),
        "/usr/bin/unzip is missing: install the Debian package unzip (see packaging/debian-packages.txt)");
}

QList<ZipWriter::Entry> TestZipWriter::buildSmallArchive(const QString &zip, const ZipWriter::Options &options)
{
    ZipWriter writer(zip, options);
    const rf::Status opened = writer.open();
    if (!opened)
        qFatal("cannot open %s", qPrintable(errorText(opened)));
    const auto add = [&](const QString &name, const QByteArray &data) {
        const auto added = writer.addData(name, data);
        if (!added)
            qFatal("cannot add %s", qPrintable(errorText(added)));
    };
    add(QStringLiteral("manifest.json"), QByteArrayLiteral("{\"files\": []}\n"));
    add(QStringLiteral("documents/Zo\u00eb \u2013 Stra\u00dfe.pdf"), QByteArray("%PDF-1.7 letter ").repeated(500));
    add(QStringLiteral("documents/\U0001F4C4 notes \U0001F600.txt"), QByteArrayLiteral("emoji"));
    add(QStringLiteral("data/council-tax/records.csv"), QByteArrayLiteral("date,amount\n2024-01-01,12.50\n"));
    add(QStringLiteral("documents/photo.jpg"), QByteArray(3000, '\xff'));
    if (const rf::Status committed = writer.commit(); !committed)
        qFatal("cannot commit %s", qPrintable(errorText(committed)));
    return writer.entries();
}

void TestZipWriter::namesContentAndProgress()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString zip = dir.filePath(QStringLiteral("bundle.zip"));

    ZipWriter writer(zip, fixedOptions());
    QList<ZipWriter::Progress> progress;
    writer.setProgressHook([&](const ZipWriter::Progress &p) { progress.append(p); });
    const rf::Status opened = writer.open();
    QVERIFY2(opened.ok(), qPrintable(errorText(opened)));

    const QList<QPair<QString, QByteArray>> inputs {
        {QStringLiteral("manifest.json"), QByteArrayLiteral("{\"files\": []}\n")},
        {QStringLiteral("documents/Zo\u00eb \u2013 Stra\u00dfe.pdf"), QByteArray("%PDF-1.7 letter ").repeated(5000)},
        {QStringLiteral("documents/\U0001F4C4 notes \U0001F600.txt"), QByteArrayLiteral("emoji")},
        {QStringLiteral("data/council-tax/2024/records.csv"), QByteArrayLiteral("date,amount\n2024-01-01,12.50\n")},
        {QStringLiteral("empty.txt"), QByteArray()},
    };
    qint64 total = 0;
    for (const auto &[name, data] : inputs) {
        const auto added = writer.addData(name, data);
        QVERIFY2(added.ok(), qPrintable(errorText(added)));
        QCOMPARE(added->name, name);
        QCOMPARE(added->size, data.size());
        QCOMPARE(added->sha256.toHex(), sha256Hex(data));
        total += data.size();
    }
    // One entry streamed from a real file, stored because it is a JPEG.
    const QByteArray photo = QByteArray("\xff\xd8\xff\xe0 not really a jpeg ").repeated(20000);
    {
        QFile source(dir.filePath(QStringLiteral("photo-source.jpg")));
        QVERIFY(source.open(QIODevice::WriteOnly));
        source.write(photo);
    }
    QFile source(dir.filePath(QStringLiteral("photo-source.jpg")));
    const auto streamed = writer.addFile(QStringLiteral("documents/photo.jpg"), &source);
    QVERIFY2(streamed.ok(), qPrintable(errorText(streamed)));
    QVERIFY(!streamed->deflated);
    total += photo.size();

    const rf::Status committed = writer.commit();
    QVERIFY2(committed.ok(), qPrintable(errorText(committed)));

    QString why;
    const QJsonObject read = readWithPython(zip, &why);
    QVERIFY2(!read.isEmpty(), qPrintable(why));
    QVERIFY2(read.value(QStringLiteral("testzip")).isNull(), "python zipfile testzip() found a bad CRC");
    const QJsonArray entries = read.value(QStringLiteral("entries")).toArray();
    QCOMPARE(entries.size(), writer.entries().size());
    QStringList names;
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QJsonObject e = entries.at(i).toObject();
        const ZipWriter::Entry &written = writer.entries().at(i);
        QCOMPARE(e.value(QStringLiteral("name")).toString(), written.name);
        QVERIFY2(e.value(QStringLiteral("flags")).toInt() & 0x800, qPrintable(written.name + QStringLiteral(": no UTF-8 flag")));
        QVERIFY(e.value(QStringLiteral("localFlags")).toInt() & 0x800);
        QCOMPARE(e.value(QStringLiteral("size")).toInteger(), written.size);
        QCOMPARE(e.value(QStringLiteral("sha256")).toString().toLatin1(), written.sha256.toHex());
        QCOMPARE(quint32(e.value(QStringLiteral("crc")).toInteger()), written.crc32);
        QCOMPARE(e.value(QStringLiteral("compressType")).toInt(), written.deflated ? 8 : 0);
        QCOMPARE(e.value(QStringLiteral("localZip64")).toBool(), false); // small entries keep plain headers
        QCOMPARE(e.value(QStringLiteral("dateTime")).toArray(), (QJsonArray {2024, 3, 14, 9, 26, 52}));
        QCOMPARE(e.value(QStringLiteral("mode")).toInt() & 0777, 0644);
        names.append(written.name);
    }
    QCOMPARE(names.at(1), QStringLiteral("documents/Zo\u00eb \u2013 Stra\u00dfe.pdf"));

    const ToolRun test = runTool(kUnzip, {QStringLiteral("-t"), zip});
    QVERIFY2(test.exitCode == 0, test.out + test.err);
    const ToolRun list = runTool(kUnzip, {QStringLiteral("-Z1"), zip});
    QVERIFY2(list.exitCode == 0, list.err);
    QCOMPARE(QString::fromUtf8(list.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts), names);

    // Progress: monotonic, and it ends with every entry and every byte.
    QVERIFY(!progress.isEmpty());
    for (qsizetype i = 1; i < progress.size(); ++i) {
        QVERIFY(progress.at(i).entriesDone >= progress.at(i - 1).entriesDone);
        QVERIFY(progress.at(i).bytesDone >= progress.at(i - 1).bytesDone);
    }
    QCOMPARE(progress.last().entriesDone, int(inputs.size() + 1));
    QCOMPARE(progress.last().bytesDone, total);
    QCOMPARE(folderContents(dir.path()), (QStringList {QStringLiteral("bundle.zip"), QStringLiteral("photo-source.jpg")}));
}

void TestZipWriter::largeStreamedFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // 64 MiB: alternating random and repetitive blocks, so it neither compresses
    // to nothing nor is all incompressible.
    const QString sourcePath = dir.filePath(QStringLiteral("big.bin"));
    constexpr qint64 kBlock = 256 * 1024;
    constexpr int kBlocks = 256;
    QCryptographicHash expected(QCryptographicHash::Sha256);
    {
        QFile out(sourcePath);
        QVERIFY(out.open(QIODevice::WriteOnly));
        QRandomGenerator random(20240314);
        QByteArray block(kBlock, Qt::Uninitialized);
        for (int b = 0; b < kBlocks; ++b) {
            if (b % 2 == 0) {
                random.fillRange(reinterpret_cast<quint32 *>(block.data()), kBlock / 4);
            } else {
                const QByteArray line = QByteArrayLiteral("Council tax account 12345678, Flat %1, 10 High Street\n");
                block = line.repeated(kBlock / line.size() + 1).left(kBlock);
            }
            expected.addData(block);
            QCOMPARE(out.write(block), kBlock);
        }
    }
    const qint64 total = kBlock * kBlocks;

    const QString zip = dir.filePath(QStringLiteral("big.zip"));
    ZipWriter writer(zip, fixedOptions());
    QList<ZipWriter::Progress> progress;
    writer.setProgressHook([&](const ZipWriter::Progress &p) { progress.append(p); });
    QVERIFY(writer.open().ok());
    QFile source(sourcePath); // not opened: the writer opens it
    const auto added = writer.addFile(QStringLiteral("documents/recordings/big.bin"), &source);
    QVERIFY2(added.ok(), qPrintable(errorText(added)));
    QCOMPARE(added->size, total);
    QCOMPARE(added->sha256, expected.result());
    QVERIFY(added->deflated);
    QVERIFY(writer.commit().ok());

    // Streamed in chunks: many progress reports, monotonic, ending at the total.
    QVERIFY(progress.size() >= total / (1024 * 1024));
    for (qsizetype i = 1; i < progress.size(); ++i)
        QVERIFY(progress.at(i).bytesDone >= progress.at(i - 1).bytesDone);
    QCOMPARE(progress.last().entriesDone, 1);
    QCOMPARE(progress.last().bytesDone, total);
    QVERIFY(QFileInfo(zip).size() < total); // the repetitive half was compressed

    QString why;
    const QJsonObject read = readWithPython(zip, &why);
    QVERIFY2(!read.isEmpty(), qPrintable(why));
    QVERIFY(read.value(QStringLiteral("testzip")).isNull());
    const QJsonObject entry = read.value(QStringLiteral("entries")).toArray().at(0).toObject();
    QCOMPARE(entry.value(QStringLiteral("size")).toInteger(), total);
    QCOMPARE(entry.value(QStringLiteral("sha256")).toString().toLatin1(), expected.result().toHex());
    const ToolRun test = runTool(kUnzip, {QStringLiteral("-t"), zip});
    QVERIFY2(test.exitCode == 0, test.out + test.err);
}

void TestZipWriter::unsafeNameRefused_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("parent") << QStringLiteral("../x");
    QTest::newRow("nested parent") << QStringLiteral("documents/../../x");
    QTest::newRow("absolute") << QStringLiteral("/etc/passwd");
    QTest::newRow("drive") << QStringLiteral("C:\\x");
    QTest::newRow("backslash") << QStringLiteral("documents\\x.pdf");
    QTest::newRow("empty") << QString();
    QTest::newRow("directory") << QStringLiteral("documents/");
    QTest::newRow("control") << QStringLiteral("documents/a\nb.txt");
    QTest::newRow("device") << QStringLiteral("documents/CON.txt");
}

void TestZipWriter::unsafeNameRefused()
{
    QFETCH(QString, name);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString zip = dir.filePath(QStringLiteral("bundle.zip"));
    {
        ZipWriter writer(zip, fixedOptions());
        QVERIFY(writer.open().ok());
        const auto refused = writer.addData(name, QByteArrayLiteral("payload"));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, rf::ErrorCode::Invalid);
        QVERIFY2(refused.error().message.contains(name), qPrintable(errorText(refused)));
        QBuffer buffer;
        buffer.setData(QByteArrayLiteral("payload"));
        QVERIFY(!writer.addFile(name, &buffer).ok());
        QVERIFY(writer.isOpen()); // a refused name does not spoil the archive
    }
    QCOMPARE(folderContents(dir.path()), QStringList()); // never committed: nothing left

    // Committed with a good entry: only that entry is in the archive.
    ZipWriter writer(zip, fixedOptions());
    QVERIFY(writer.open().ok());
    QVERIFY(!writer.addData(name, QByteArrayLiteral("payload")).ok());
    QVERIFY(writer.addData(QStringLiteral("ok.txt"), QByteArrayLiteral("fine")).ok());
    QVERIFY(writer.commit().ok());
    const ToolRun list = runTool(kUnzip, {QStringLiteral("-Z1"), zip});
    QCOMPARE(list.exitCode, 0);
    QCOMPARE(list.out, QByteArrayLiteral("ok.txt\n"));
}

void TestZipWriter::duplicateNameRefused()
{
    QTemporaryDir dir;
    ZipWriter writer(dir.filePath(QStringLiteral("bundle.zip")), fixedOptions());
    QVERIFY(writer.open().ok());
    QVERIFY(writer.addData(QStringLiteral("documents/Report.pdf"), QByteArrayLiteral("1")).ok());
    const auto clash = writer.addData(QStringLiteral("documents/report.PDF"), QByteArrayLiteral("2"));
    QVERIFY(!clash.ok());
    QCOMPARE(clash.error().code, rf::ErrorCode::Conflict);
    QVERIFY(writer.commit().ok());
    QCOMPARE(writer.entries().size(), 1);
}

void TestZipWriter::destroyedWithoutCommitLeavesNothing()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString zip = dir.filePath(QStringLiteral("bundle.zip"));
    {
        ZipWriter writer(zip, fixedOptions());
        QVERIFY(writer.open().ok());
        QVERIFY(writer.addData(QStringLiteral("a.txt"), QByteArray(100000, 'a')).ok());
        QVERIFY(!QFileInfo::exists(zip)); // only ever a temporary file (unnamed where Linux allows)
    }
    QCOMPARE(folderContents(dir.path()), QStringList());

    // An older bundle at the target survives an abandoned rebuild untouched.
    {
        QFile old(zip);
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("previous bundle");
    }
    {
        // A rebuild meant to replace it, abandoned before it was complete.
        ZipWriter::Options replacing = fixedOptions();
        replacing.overwrite = rf::Overwrite::Replace;
        ZipWriter writer(zip, replacing);
        QVERIFY(writer.open().ok());
        QVERIFY(writer.addData(QStringLiteral("a.txt"), QByteArrayLiteral("new")).ok());
    }
    QCOMPARE(folderContents(dir.path()), QStringList {QStringLiteral("bundle.zip")});
    QFile old(zip);
    QVERIFY(old.open(QIODevice::ReadOnly));
    QCOMPARE(old.readAll(), QByteArrayLiteral("previous bundle"));
}

void TestZipWriter::readErrorMidwayLeavesNothing()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString zip = dir.filePath(QStringLiteral("bundle.zip"));
    {
        ZipWriter writer(zip, fixedOptions());
        QVERIFY(writer.open().ok());
        QVERIFY(writer.addData(QStringLiteral("manifest.json"), QByteArrayLiteral("{}")).ok());
        FailingDevice failing(3 * 1024 * 1024 + 17); // fails after several full chunks
        QVERIFY(failing.open(QIODevice::ReadOnly));
        const auto added = writer.addFile(QStringLiteral("documents/Zo\u00eb.pdf"), &failing);
        QVERIFY(!added.ok());
        const QString message = added.error().message;
        QVERIFY2(message.contains(QStringLiteral("documents/Zo\u00eb.pdf")), qPrintable(message));
        QVERIFY2(message.contains(zip), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("simulated disk error")), qPrintable(message));
        // Discarded at once, not only when the writer goes away.
        QCOMPARE(folderContents(dir.path()), QStringList());
        QVERIFY(!writer.isOpen());
        QVERIFY(!writer.addData(QStringLiteral("more.txt"), QByteArrayLiteral("x")).ok());
        QVERIFY(!writer.commit().ok());
    }
    QCOMPARE(folderContents(dir.path()), QStringList());
}

void TestZipWriter::sameInputsGiveSameArchive()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString first = dir.filePath(QStringLiteral("first.zip"));
    const QString second = dir.filePath(QStringLiteral("second.zip"));
    const QList<ZipWriter::Entry> a = buildSmallArchive(first, fixedOptions());
    const QList<ZipWriter::Entry> b = buildSmallArchive(second, fixedOptions());
    QCOMPARE(a.size(), b.size());
    for (qsizetype i = 0; i < a.size(); ++i) {
        QCOMPARE(a.at(i).name, b.at(i).name);
        QCOMPARE(a.at(i).size, b.at(i).size);
        QCOMPARE(a.at(i).crc32, b.at(i).crc32);
        QCOMPARE(a.at(i).sha256, b.at(i).sha256);
    }
    QFile one(first);
    QFile two(second);
    QVERIFY(one.open(QIODevice::ReadOnly));
    QVERIFY(two.open(QIODevice::ReadOnly));
    QCOMPARE(sha256Hex(one.readAll()), sha256Hex(two.readAll())); // byte-identical
}

void TestZipWriter::forcedZip64()
{
    // A real entry over 4 GiB would take minutes; forcing zip64 headers checks
    // that the readers accept what QuaZip writes in that mode.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString zip = dir.filePath(QStringLiteral("zip64.zip"));
    ZipWriter::Options options = fixedOptions();
    options.forceZip64 = true;
    const QList<ZipWriter::Entry> written = buildSmallArchive(zip, options);
    QString why;
    const QJsonObject read = readWithPython(zip, &why);
    QVERIFY2(!read.isEmpty(), qPrintable(why));
    QVERIFY(read.value(QStringLiteral("testzip")).isNull());
    const QJsonArray entries = read.value(QStringLiteral("entries")).toArray();
    QCOMPARE(entries.size(), written.size());
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QJsonObject e = entries.at(i).toObject();
        QVERIFY(written.at(i).zip64);
        QVERIFY2(e.value(QStringLiteral("localZip64")).toBool(), qPrintable(written.at(i).name));
        QCOMPARE(e.value(QStringLiteral("name")).toString(), written.at(i).name);
        QCOMPARE(e.value(QStringLiteral("sha256")).toString().toLatin1(), written.at(i).sha256.toHex());
    }
    const ToolRun test = runTool(kUnzip, {QStringLiteral("-t"), zip});
    QVERIFY2(test.exitCode == 0, test.out + test.err);

    // A source of unknown length (a pipe) always gets zip64 headers.
    QTemporaryDir other;
    ZipWriter writer(other.filePath(QStringLiteral("pipe.zip")), fixedOptions());
    QVERIFY(writer.open().ok());
    QProcess producer;
    producer.start(kPython, {QStringLiteral("-c"), QStringLiteral("import sys; sys.stdout.write('x' * 300000)")});
    QVERIFY(producer.waitForStarted());
    const auto piped = writer.addFile(QStringLiteral("piped.txt"), &producer);
    QVERIFY2(piped.ok(), qPrintable(errorText(piped)));
    QVERIFY(piped->zip64);
    QCOMPARE(piped->size, 300000);
    QVERIFY(writer.commit().ok());
    const ToolRun pipeTest = runTool(kUnzip, {QStringLiteral("-t"), writer.targetPath()});
    QVERIFY2(pipeTest.exitCode == 0, pipeTest.out + pipeTest.err);
}

void TestZipWriter::compressionChoice_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("stored");
    QTest::newRow("jpeg") << QStringLiteral("documents/photo.JPG") << true;
    QTest::newRow("png") << QStringLiteral("scan.png") << true;
    QTest::newRow("docx") << QStringLiteral("documents/letter.docx") << true;
    QTest::newRow("zip") << QStringLiteral("export.zip") << true;
    QTest::newRow("mp3") << QStringLiteral("call.mp3") << true;
    QTest::newRow("pdf") << QStringLiteral("letter.pdf") << false;
    QTest::newRow("csv") << QStringLiteral("data/records.csv") << false;
    QTest::newRow("json") << QStringLiteral("manifest.json") << false;
    QTest::newRow("no suffix") << QStringLiteral("README") << false;
}

void TestZipWriter::compressionChoice()
{
    QFETCH(QString, name);
    QFETCH(bool, stored);
    QCOMPARE(ZipWriter::isAlreadyCompressed(name), stored);
}

QTEST_GUILESS_MAIN(TestZipWriter)
#include "TestZipWriter.moc"
