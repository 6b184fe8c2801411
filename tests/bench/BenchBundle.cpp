// SPDX-License-Identifier: GPL-3.0-or-later
//
// bench_bundle: how fast Rightsflow builds a citizen's response bundle, and in
// how much memory, beside Debian's `zip -r -6` on the same files in the same
// run. The targets: no slower than 1.2x that zip, and under 64 MB
// resident for a 2 GB bundle. It prints the figures beside the targets and
// asserts nothing (STYLE.md, habit 12): timings depend on the machine, so a
// reader judges them.
//
// Run it from a Release build, by hand:
//
//   bench_bundle                      1 GB of documents, in a folder under /tmp
//   bench_bundle --size-mb 2048       the 2 GB bundle the memory target is stated for
//   bench_bundle --dir /srv/scratch   somewhere else (--keep keeps the files)
//
// It needs about 4.4 times the size in free space (the documents, the
// register's copy of them and two zips) and refuses to start without it.
//
// What each figure means (MB are MiB, as the CLI prints them):
//   1. documents: the mix, made from a fixed seed so every run has the same
//      bytes: scanned letters and photos (.jpg, random bytes), PDFs (random
//      image streams between repeated page text: half compressible), text
//      (.eml, .csv, .txt from a small vocabulary: 3-4x compressible) and
//      Word documents (.docx, random bytes: already zipped). 20 KB to 40 MB.
//      Written and flushed to disk before anything is timed.
//   2. collecting: every document added to one access request's case file
//      with Engine::addItem (hashed, typed, stored in the register in 1 MB
//      chunks, one transaction each), in this process. "add MB/s" is the
//      documents' MB over that time: a figure of its own, not part of the
//      comparison with zip. Then every item is marked disclosed.
//   3. build: `rightsflow bundle build` run as a child process, as an officer
//      runs it. "wall s" is from spawning it to reaping it; "MB/s" is the
//      documents' MB over that; "peak RSS" is the child's ru_maxrss from
//      wait4(); CPU is its user and system time. Then `zip -r -6 -q` over the
//      same files (from inside their folder), measured the same way. The
//      ratio is our wall time over zip's (target at most 1.20x); the ratio of
//      CPU times beside it moves less when other work shares the machine.
//      zip does not flush its archive to disk and the bundle build does
//      (QSaveFile), so the time the kernel then takes to write zip's archive
//      is shown too.
//   4. verify: `rightsflow bundle verify` on the bundle, measured the same way.
//
// Before each timed command the scratch file system is synced, so that one
// step's pending writes are not billed to the next. Both tools read their
// input from the page cache when the machine has the memory for it; the
// figures are then about CPU and writing, not about reading a cold disk.

#include "BenchEngine.h"
#include "BenchSupport.h"
#include "bundle/Exemptions.h"
#include "bundle/ProcessingRegister.h"
#include "core/Clock.h"
#include "store/SqlStore.h"
#include "workflow/Engine.h"
#include "workflow/WorkflowLoader.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QStorageInfo>
#include <QTemporaryDir>
#include <QThread>
#include <QTimeZone>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

using namespace rf;
using namespace rf::bench;
using rf::kKiB;
using rf::kMiB;
using rf::test::mb;
using rf::test::processingRegisterFile;
using rf::test::secondsSince;

namespace {

constexpr quint32 kSeed = 20260302;
constexpr qint64 kBlockBytes = kMiB; // documents are made and written a block at a time
constexpr double kRatioTarget = 1.2;
constexpr double kRssTargetMb = 64;
// Documents, the register's copy of them, two zips, the register's WAL and
// the bundle's own files: what the scratch folder must have free.
constexpr double kSpaceFactor = 4.4;
constexpr qint64 kSpaceMarginBytes = 256 * kMiB;

const QString kOfficer = QStringLiteral("alice");
const QString kSource = QStringLiteral("council-tax");
const QString kCategory = QStringLiteral("Bills, payments and arrears");

QString perSecond(qint64 bytes, double seconds)
{
    return seconds > 0 ? fixed(mb(bytes) / seconds, 1) : QStringLiteral("-");
}

// --- 1. the documents ----------------------------------------------------------------

enum class Content {
    Incompressible, // JPEG scans and photos
    HalfCompressible, // PDF: image streams between page text
    Text, // e-mails, CSV exports, case notes
    Zipped, // .docx: a zip already
};

struct DocumentKind {
    QString label;
    int percent = 0; // of the total size
    Content content = Content::Text;
    QList<std::pair<QString, QString>> names; // stem and extension, taken in turn
    qint64 smallest = 0;
    qint64 largest = 0;
};

QList<DocumentKind> documentKinds()
{
    return {
        {QStringLiteral("scanned letters and photos (.jpg; random bytes)"), 35, Content::Incompressible,
            {{QStringLiteral("scan"), QStringLiteral("jpg")}, {QStringLiteral("photo"), QStringLiteral("jpg")}}, 100 * kKiB,
            12 * kMiB},
        {QStringLiteral("PDF (random image streams, repeated page text)"), 25, Content::HalfCompressible,
            {{QStringLiteral("statement"), QStringLiteral("pdf")}, {QStringLiteral("bill"), QStringLiteral("pdf")},
                {QStringLiteral("summons"), QStringLiteral("pdf")}},
            20 * kKiB, 40 * kMiB},
        {QStringLiteral("text (.eml, .csv, .txt; English-like words)"), 25, Content::Text,
            {{QStringLiteral("email"), QStringLiteral("eml")}, {QStringLiteral("payments"), QStringLiteral("csv")},
                {QStringLiteral("case-notes"), QStringLiteral("txt")}},
            20 * kKiB, 4 * kMiB},
        {QStringLiteral("Word documents (.docx; random bytes: zipped)"), 15, Content::Zipped,
            {{QStringLiteral("letter"), QStringLiteral("docx")}}, 20 * kKiB, 8 * kMiB},
    };
}

struct PlannedFile {
    QString name;
    qsizetype kind = 0; // index into documentKinds()
    QString extension;
    qint64 size = 0;
    quint32 seed = 0;
};

qint64 logUniform(QRandomGenerator &rng, qint64 smallest, qint64 largest)
{
    const double low = std::log(double(smallest));
    const double high = std::log(double(largest));
    return qBound(smallest, qint64(std::exp(low + rng.generateDouble() * (high - low))), largest);
}

// Which files to make, and how big: each kind's share of the total in sizes
// spread evenly on a log scale (many small e-mails, a few big scans), the
// first PDF as big as a document gets, all shuffled together.
std::vector<PlannedFile> planDocuments(qint64 totalBytes, const QList<DocumentKind> &kinds)
{
    QRandomGenerator rng(kSeed);
    std::vector<PlannedFile> files;
    qint64 assigned = 0;
    for (qsizetype k = 0; k < kinds.size(); ++k) {
        const DocumentKind &kind = kinds.at(k);
        // The last kind takes what rounding left, so the total is exact.
        qint64 budget = k + 1 == kinds.size() ? totalBytes - assigned : totalBytes * kind.percent / 100;
        assigned += budget;
        qsizetype turn = 0;
        while (budget > 0) {
            qint64 size = turn == 0 && kind.content == Content::HalfCompressible && budget >= 2 * kind.largest
                ? kind.largest
                : logUniform(rng, kind.smallest, kind.largest);
            // No leftover smaller than the kind's smallest file: the last one takes it.
            if (budget - size < kind.smallest)
                size = budget;
            const auto &[stem, extension] = kind.names.at(turn % kind.names.size());
            files.push_back(PlannedFile {stem, k, extension, size, 0});
            budget -= size;
            ++turn;
        }
    }
    for (std::size_t i = files.size(); i > 1; --i)
        std::swap(files[i - 1], files[std::size_t(rng.bounded(quint32(i)))]);
    for (std::size_t i = 0; i < files.size(); ++i) {
        PlannedFile &file = files[i];
        file.name = QStringLiteral("%1-%2.%3").arg(file.name).arg(i + 1, 4, 10, QLatin1Char('0')).arg(file.extension);
        file.seed = kSeed + quint32(i) + 1;
    }
    return files;
}

// Words of council correspondence, the common ones first: text picks from
// the front more often, as English does, which makes it compress 3-4x.
const QList<QByteArray> &vocabulary()
{
    static const QList<QByteArray> words = [] {
        const char *const list[] = {"the", "of", "to", "and", "a", "in", "your", "is", "for", "that", "we", "on", "you", "this",
            "be", "with", "as", "council", "tax", "have", "by", "account", "payment", "from", "will", "at", "are", "it", "not",
            "an", "or", "has", "been", "our", "please", "which", "if", "property", "bill", "year", "date", "can", "would",
            "amount", "period", "reduction", "discount", "direct", "debit", "balance", "arrears", "letter", "contact", "address",
            "information", "notice", "reminder", "summons", "liability", "order", "instalment", "instalments", "due", "paid",
            "pay", "outstanding", "received", "request", "review", "evidence", "benefit", "household", "occupier", "resident",
            "tenant", "landlord", "owner", "band", "valuation", "charge", "charges", "exemption", "single", "person", "student",
            "empty", "premium", "refund", "credit", "recovery", "enforcement", "agent", "court", "hearing", "magistrates",
            "costs", "agreement", "arrangement", "monthly", "weekly", "telephone", "email", "visit", "office", "team", "officer",
            "customer", "services", "department", "borough", "ward", "street", "road", "house", "flat", "moved", "move", "since",
            "until", "before", "after", "between", "about", "regarding", "further", "details", "enclosed", "attached", "copy",
            "form", "application", "decision", "appeal", "tribunal", "assessment", "income", "savings", "universal", "housing",
            "support", "circumstances", "change", "changes", "notify", "confirm", "confirmed", "records", "show", "shows",
            "shown", "current", "previous", "financial", "annual", "statement", "reference", "number", "name", "signed", "dear",
            "sincerely", "regards", "thank", "kind", "apologise", "delay", "reply", "respond", "within", "days", "weeks",
            "months", "working", "calendar", "deadline", "possible", "also", "only", "all", "any", "some", "more", "no", "there",
            "their", "they", "them", "these", "those", "was", "were", "had", "did", "do", "does", "may", "must", "should",
            "could", "shall", "when", "where", "what", "who", "how", "why", "because", "however", "therefore", "although",
            "unless", "whether", "so", "than", "then", "new", "old", "first", "last", "next", "full", "part", "remaining",
            "total", "sum", "pounds", "pence", "mrs", "mr", "ms", "ellis", "margaret"};
        QList<QByteArray> made;
        for (const char *word : list)
            made << QByteArray(word);
        return made;
    }();
    return words;
}

// Makes one document's bytes a block at a time, from the document's own seed.
class DocumentMaker
{
public:
    DocumentMaker(Content content, QString extension, quint32 seed)
        : m_content(content)
        , m_extension(std::move(extension))
        , m_rng(seed)
    { }

    // Replaces `block` with the next kBlockBytes or so of the document.
    void next(QByteArray &block)
    {
        block.clear();
        switch (m_content) {
        case Content::Incompressible:
            if (m_blocks == 0)
                block.append("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00", 20);
            appendRandom(block, kBlockBytes - block.size());
            break;
        case Content::Zipped:
            if (m_blocks == 0)
                block.append("PK\x03\x04\x14\x00\x06\x00\x08\x00", 10);
            appendRandom(block, kBlockBytes - block.size());
            break;
        case Content::HalfCompressible:
            if (m_blocks == 0)
                block.append("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
            while (block.size() < kBlockBytes)
                appendPdfPage(block);
            break;
        case Content::Text:
            while (block.size() < kBlockBytes) {
                if (m_extension == QLatin1String("eml"))
                    appendEmail(block);
                else if (m_extension == QLatin1String("csv"))
                    appendCsvRows(block);
                else
                    appendCaseNote(block);
            }
            break;
        }
        ++m_blocks;
    }

private:
    void appendRandom(QByteArray &block, qint64 bytes)
    {
        const qsizetype start = block.size();
        block.resize(start + qsizetype(bytes));
        m_words.resize(std::size_t((bytes + 3) / 4));
        m_rng.fillRange(m_words.data(), qsizetype(m_words.size()));
        std::memcpy(block.data() + start, m_words.data(), std::size_t(bytes));
    }

    const QByteArray &word()
    {
        const QList<QByteArray> &words = vocabulary();
        const double u = m_rng.generateDouble();
        return words.at(qsizetype(u * std::sqrt(u) * double(words.size())));
    }

    void appendSentence(QByteArray &block)
    {
        const int count = 5 + int(m_rng.bounded(14));
        for (int i = 0; i < count; ++i) {
            const QByteArray &w = word();
            if (i == 0) {
                block.append(char(std::toupper(static_cast<unsigned char>(w.front()))));
                block.append(w.constData() + 1, w.size() - 1);
            } else {
                block.append(' ');
                block.append(w);
            }
        }
        block.append(". ");
    }

    void appendParagraph(QByteArray &block)
    {
        const int sentences = 2 + int(m_rng.bounded(5));
        for (int i = 0; i < sentences; ++i)
            appendSentence(block);
        block.append("\n\n");
    }

    void appendDigits(QByteArray &block, int digits)
    {
        for (int i = 0; i < digits; ++i)
            block.append(char('0' + m_rng.bounded(10)));
    }

    void appendEmail(QByteArray &block)
    {
        ++m_item;
        block.append("From: Council Tax Team <counciltax@council.example>\r\n"
                     "To: Margaret Ellis <m.ellis@example.org>\r\n"
                     "Subject: Re: Council Tax account 004512345 - ");
        appendSentence(block);
        block.append("\r\nDate: Mon, 02 Mar 2026 09:15:00 +0000\r\nMessage-ID: <");
        appendDigits(block, 12);
        block.append(QByteArray::number(m_item));
        block.append("@council.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                     "Dear Mrs Ellis,\r\n\r\n");
        const int paragraphs = 2 + int(m_rng.bounded(4));
        for (int i = 0; i < paragraphs; ++i)
            appendParagraph(block);
        block.append("Yours sincerely,\r\n\r\nCouncil Tax Team\r\nRevenues and Benefits\r\nAnytown Borough Council\r\n\r\n");
    }

    void appendCsvRows(QByteArray &block)
    {
        static const char *const descriptions[] = {"Direct Debit payment", "Council Tax charge 2025/26", "Single person discount",
            "Reminder fee", "Payment - thank you", "Summons costs", "Council Tax Reduction award", "Refund to account holder"};
        if (m_blocks == 0 && block.isEmpty())
            block.append("date,account,transaction,description,amount,balance\n");
        for (int row = 0; row < 64; ++row) {
            ++m_item;
            const QDate day = QDate(2019, 4, 1).addDays(m_item % 2500);
            block.append(day.toString(Qt::ISODate).toLatin1());
            block.append(",004512345,TXN");
            appendDigits(block, 8);
            block.append(',');
            block.append(descriptions[m_rng.bounded(8)]);
            block.append(',');
            appendDigits(block, 1 + int(m_rng.bounded(3)));
            block.append('.');
            appendDigits(block, 2);
            block.append(",");
            appendDigits(block, 1 + int(m_rng.bounded(4)));
            block.append('.');
            appendDigits(block, 2);
            block.append('\n');
        }
    }

    void appendCaseNote(QByteArray &block)
    {
        ++m_item;
        block.append("Case note ");
        block.append(QByteArray::number(m_item));
        block.append(" - ");
        block.append(QDate(2019, 4, 1).addDays(m_item % 2500).toString(Qt::ISODate).toLatin1());
        block.append(" - recorded by ");
        block.append(m_item % 2 ? "alice" : "bilal");
        block.append("\n\n");
        appendParagraph(block);
    }

    // One page: a scanned image (random, as compressed image data is), then
    // the page's text, which repeats from page to page as a letter's does.
    void appendPdfPage(QByteArray &block)
    {
        static const char *const lines[] = {"Anytown Borough Council - Revenues and Benefits",
            "Council Tax account 004512345 - Mrs Margaret Ellis", "Statement of account for the financial year 2025/26",
            "Please keep this statement with your Council Tax bill.", "If you pay by Direct Debit you need do nothing.",
            "Instalments are due on the first day of each month from April to January.",
            "If you think this bill is wrong please contact us within one month.",
            "Ask us about discounts, exemptions and Council Tax Reduction."};
        const int object = ++m_item;
        const qint64 imageBytes = 32 * kKiB + qint64(m_rng.bounded(int(32 * kKiB)));
        block.append(QByteArray::number(2 * object));
        block.append(" 0 obj\n<< /Type /XObject /Subtype /Image /Width 2480 /Height 3508 /ColorSpace /DeviceGray "
                     "/BitsPerComponent 8 /Filter /DCTDecode /Length ");
        block.append(QByteArray::number(imageBytes));
        block.append(" >>\nstream\n");
        appendRandom(block, imageBytes);
        block.append("\nendstream\nendobj\n");
        QByteArray text;
        int y = 800;
        while (text.size() < imageBytes) {
            for (const char *line : lines) {
                text.append("BT /F1 11 Tf 72 ");
                text.append(QByteArray::number(y));
                text.append(" Td (");
                text.append(line);
                text.append(") Tj ET\n");
                y = y > 60 ? y - 14 : 800;
            }
        }
        block.append(QByteArray::number(2 * object + 1));
        block.append(" 0 obj\n<< /Length ");
        block.append(QByteArray::number(text.size()));
        block.append(" >>\nstream\n");
        block.append(text);
        block.append("\nendstream\nendobj\n");
    }

    Content m_content;
    QString m_extension;
    QRandomGenerator m_rng;
    qint64 m_blocks = 0;
    int m_item = 0; // e-mails, rows, notes or pages so far
    std::vector<quint32> m_words;
};

// Writes a planned document and flushes it to disk, so that its writing is
// done before anything is timed.
Status writeDocument(const QString &path, const PlannedFile &file, Content content)
{
    QFile target(path);
    if (!target.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return makeError(ErrorCode::Storage, QStringLiteral("cannot write %1: %2").arg(path, target.errorString()));
    DocumentMaker maker(content, file.extension, file.seed);
    QByteArray block;
    qint64 written = 0;
    while (written < file.size) {
        maker.next(block);
        const qint64 take = qMin<qint64>(block.size(), file.size - written);
        if (target.write(block.constData(), take) != take)
            return makeError(ErrorCode::Storage, QStringLiteral("cannot write %1: %2").arg(path, target.errorString()));
        written += take;
    }
    if (!target.flush() || ::fdatasync(target.handle()) != 0)
        return makeError(ErrorCode::Storage, QStringLiteral("cannot flush %1 to disk").arg(path));
    return {};
}

// --- 2. collecting into the register ----------------------------------------------------

struct Collected {
    QString reference;
    int items = 0;
    double addSeconds = 0;
    double markSeconds = 0;
};

Status fireAction(Engine &engine, const QString &reference, const QString &action, const QMap<QString, QString> &inputs = {})
{
    Result<FireOutcome> fired = engine.fire(reference, action, kOfficer, inputs, QString());
    if (!fired)
        return makeError(fired.error().code, QStringLiteral("'%1' on %2: %3").arg(action, reference, fired.error().fullText()));
    return {};
}

// A fresh register with the shipped workflows and the IG team; one access
// request taken to "reviewing"; every document added to its case file and
// marked disclosed. The register is closed on return, for the CLI to open.
Result<Collected> collect(const QString &registerFile, const QString &documentsDir, const std::vector<PlannedFile> &files,
    const ProcessingRegister &processing, const QDateTime &now)
{
    test::ScratchEngine scratch(registerFile, now);
    if (Status s = scratch.open(); !s)
        return s.error();
    Engine &engine = *scratch.engine;

    // As the suites' sampleForm: a citizen asking for everything, an hour ago.
    IntakeForm form;
    form.right = QStringLiteral("access");
    form.channel = QStringLiteral("email");
    form.requester
        = Person {QStringLiteral("Margaret Ellis"), QStringLiteral("m.ellis@example.org"), {}, {}, QStringLiteral("L20 7AB")};
    form.scope = QStringLiteral("Everything the council holds about me");
    form.assignee = kOfficer;
    form.received = now.addSecs(-3600);
    Result<FiledRequest> filed = engine.fileRequest(form, kOfficer);
    if (!filed)
        return filed.error();
    Collected collected;
    collected.reference = filed->request.reference;
    const QString &reference = collected.reference;
    for (const QString &action : {QStringLiteral("acknowledge"), QStringLiteral("start-work")}) {
        if (Status s = fireAction(engine, reference, action); !s)
            return s.error();
    }
    if (Status s = fireAction(engine, reference, QStringLiteral("collected"),
            {{QStringLiteral("systems-searched"), QStringLiteral("Council Tax (revenues system and document store)")}});
        !s)
        return s.error();

    const QDir dir(documentsDir);
    QList<int> numbers;
    numbers.reserve(qsizetype(files.size()));
    qint64 total = 0;
    for (const PlannedFile &file : files)
        total += file.size;
    qint64 added = 0;
    int tenth = 0;
    QElapsedTimer timer;
    timer.start();
    for (const PlannedFile &file : files) {
        QFile content(dir.filePath(file.name));
        if (!content.open(QIODevice::ReadOnly))
            return makeError(
                ErrorCode::Storage, QStringLiteral("cannot read %1: %2").arg(content.fileName(), content.errorString()));
        const NewItem item {CaseItem::kDocument, file.name, &content, QByteArray(), kSource, kCategory, QDate()};
        Result<CaseItem> stored = engine.addItem(reference, kOfficer, item, processing);
        if (!stored)
            return stored.error();
        numbers << stored->number;
        added += file.size;
        if (added * 10 / total > tenth) {
            tenth = int(added * 10 / total);
            err() << QStringLiteral("  collecting: %1 of %2 MB").arg(fixed(mb(added)), fixed(mb(total))) << Qt::endl;
        }
    }
    collected.addSeconds = secondsSince(timer);
    collected.items = int(numbers.size());

    timer.start();
    const ItemMarking disclosed {CaseItem::kDisclosed, QString(), nullptr, QString()};
    for (const int number : numbers) {
        if (Result<CaseItem> marked = engine.markItem(reference, kOfficer, number, disclosed, ExemptionList::shipped()); !marked)
            return marked.error();
    }
    collected.markSeconds = secondsSince(timer);
    return collected;
}

// --- 3 and 4. timing a command -------------------------------------------------------

// How long a file's pages still in memory take to reach the disk.
Result<double> flushSeconds(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Storage, QStringLiteral("cannot open %1: %2").arg(path, file.errorString()));
    QElapsedTimer timer;
    timer.start();
    if (::fdatasync(file.handle()) != 0)
        return makeError(ErrorCode::Storage, QStringLiteral("cannot flush %1").arg(path));
    return secondsSince(timer);
}

// --- the machine ---------------------------------------------------------------------------

QString zipVersion(const QString &zip)
{
    QProcess process;
    process.setStandardInputFile(QProcess::nullDevice());
    process.start(zip, {QStringLiteral("-h")});
    if (!process.waitForFinished(10000))
        return QStringLiteral("unknown");
    // "Zip 3.0 (July 5th 2008). Usage:"
    const QStringList lines = QString::fromLocal8Bit(process.readAllStandardOutput()).split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        if (line.startsWith(QLatin1String("Zip ")))
            return line.section(QStringLiteral(". Usage"), 0, 0).trimmed();
    }
    return QStringLiteral("unknown");
}

QString fileSystemOf(const QStorageInfo &storage)
{
    if (!storage.isValid())
        return QStringLiteral("(unknown)");
    return QStringLiteral("%1 on %2").arg(QString::fromUtf8(storage.fileSystemType()), QString::fromUtf8(storage.device()));
}

QString gigabytes(double bytes)
{
    return fixed(bytes / double(1024 * kMiB), 1) + QStringLiteral(" GB");
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_bundle"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Times building a response bundle with 'rightsflow bundle build' from a register holding N MB of mixed documents, "
        "beside 'zip -r -6' on the same files in the same run: MB/s, peak resident memory, the ratio of the two times. "
        "Then times 'rightsflow bundle verify'. Prints figures beside their targets; asserts nothing."));
    parser.addHelpOption();
    const QCommandLineOption sizeOption(QStringLiteral("size-mb"),
        QStringLiteral("Megabytes (MiB) of documents to make (default 1024). Needs about %1 times that free.").arg(kSpaceFactor),
        QStringLiteral("N"), QStringLiteral("1024"));
    const QCommandLineOption dirOption(QStringLiteral("dir"),
        QStringLiteral("Where to make the scratch folder (default: the temporary directory, %1). Its contents are removed "
                       "at the end unless --keep.")
            .arg(QDir::tempPath()),
        QStringLiteral("DIR"));
    const QCommandLineOption keepOption(
        QStringLiteral("keep"), QStringLiteral("Keep the scratch folder: the documents, the register and both archives."));
    parser.addOptions({sizeOption, dirOption, keepOption});
    parser.process(app);

    QTextStream &errors = err();
    bool sizeOk = false;
    const int sizeMb = parser.value(sizeOption).toInt(&sizeOk);
    if (!sizeOk || sizeMb < 1 || sizeMb > 1024 * 1024) {
        errors << QStringLiteral("bench_bundle: --size-mb takes a whole number of megabytes, at least 1") << Qt::endl;
        return 2;
    }
    const qint64 totalBytes = qint64(sizeMb) * kMiB;
    auto failed = [&errors](const Error &error) {
        out().flush();
        errors << QStringLiteral("bench_bundle: ") << error.fullText() << Qt::endl;
        return 1;
    };

    const QString cli = QStringLiteral(RIGHTSFLOW_CLI);
    if (!QFileInfo(cli).isExecutable()) {
        errors << QStringLiteral("bench_bundle: %1 is not there: build the rightsflow target too").arg(cli) << Qt::endl;
        return 2;
    }
    const QString zip = QStandardPaths::findExecutable(QStringLiteral("zip"));
    if (zip.isEmpty()) {
        errors << QStringLiteral("bench_bundle: no zip on the PATH: the baseline is Debian's zip (apt-get install zip)")
               << Qt::endl;
        return 2;
    }

    const QString parent = QDir(parser.isSet(dirOption) ? parser.value(dirOption) : QDir::tempPath()).absolutePath();
    if (!QDir().mkpath(parent)) {
        errors << QStringLiteral("bench_bundle: cannot create %1").arg(parent) << Qt::endl;
        return 2;
    }
    const QStorageInfo storage(parent);
    const double needed = kSpaceFactor * double(totalBytes) + double(kSpaceMarginBytes);
    if (storage.isValid() && double(storage.bytesAvailable()) < needed) {
        errors << QStringLiteral("bench_bundle: %1 has %2 free and %3 MB of documents need about %4 (the documents, the "
                                 "register's copy, two zips); give --dir on a larger disk or a smaller --size-mb")
                      .arg(parent, gigabytes(double(storage.bytesAvailable())))
                      .arg(sizeMb)
                      .arg(gigabytes(needed))
               << Qt::endl;
        return 2;
    }
    // A folder of its own inside DIR, so that only what the benchmark made is removed.
    QTemporaryDir scratch(QDir(parent).filePath(QStringLiteral("bench_bundle-XXXXXX")));
    if (!scratch.isValid()) {
        errors << QStringLiteral("bench_bundle: cannot make a folder in %1: %2").arg(parent, scratch.errorString()) << Qt::endl;
        return 2;
    }
    scratch.setAutoRemove(!parser.isSet(keepOption));
    const QDir root(scratch.path());
    const QString documentsDir = root.filePath(QStringLiteral("documents"));
    const QString registerFile = root.filePath(QStringLiteral("register.sqlite"));
    const QString bundleZip = root.filePath(QStringLiteral("bundle.zip"));
    const QString zipZip = root.filePath(QStringLiteral("zip-r-6.zip"));
    if (!root.mkpath(QStringLiteral("documents")))
        return failed(makeError(ErrorCode::Storage, QStringLiteral("cannot create %1").arg(documentsDir)));

    heading(QStringLiteral("== machine =="));
    figure(QStringLiteral("CPU"), cpuModel());
    figure(QStringLiteral("cores (logical)"), QString::number(QThread::idealThreadCount()));
    figure(QStringLiteral("load average at the start"), loadAverage());
    figure(QStringLiteral("Qt version"), QString::fromLatin1(qVersion()));
    figure(QStringLiteral("compiler"), compilerName());
    const QString buildType = QStringLiteral(RIGHTSFLOW_BUILD_TYPE);
    figure(QStringLiteral("build type"), buildType.isEmpty() ? QStringLiteral("(none set)") : buildType);
    figure(QStringLiteral("rightsflow"), QDir::toNativeSeparators(cli));
    figure(QStringLiteral("baseline"), QStringLiteral("%1 (%2)").arg(QDir::toNativeSeparators(zip), zipVersion(zip)));
    figure(QStringLiteral("scratch folder"), QDir::toNativeSeparators(root.path()));
    figure(QStringLiteral("its file system"), fileSystemOf(storage));
    figure(QStringLiteral("free there / needed"),
        QStringLiteral("%1 / about %2").arg(gigabytes(double(storage.bytesAvailable())), gigabytes(needed)));

    // 1. The documents.
    const QList<DocumentKind> kinds = documentKinds();
    const std::vector<PlannedFile> files = planDocuments(totalBytes, kinds);
    heading(QStringLiteral("== 1. documents: %1 MB in %2 files (seed %3) ==").arg(sizeMb).arg(files.size()).arg(kSeed));
    errors << QStringLiteral("making %1 MB of documents").arg(sizeMb) << Qt::endl;
    QElapsedTimer timer;
    timer.start();
    for (const PlannedFile &file : files) {
        if (Status s = writeDocument(QDir(documentsDir).filePath(file.name), file, kinds.at(file.kind).content); !s)
            return failed(s.error());
    }
    const double makeSeconds = secondsSince(timer);
    for (qsizetype k = 0; k < kinds.size(); ++k) {
        int count = 0;
        qint64 bytes = 0;
        qint64 smallest = totalBytes;
        qint64 largest = 0;
        for (const PlannedFile &file : files) {
            if (file.kind != k)
                continue;
            ++count;
            bytes += file.size;
            smallest = qMin(smallest, file.size);
            largest = qMax(largest, file.size);
        }
        figure(kinds.at(k).label,
            count == 0 ? QStringLiteral("none")
                       : QStringLiteral("%1 files, %2 MB (%3%), %4 KB to %5 MB")
                             .arg(count)
                             .arg(fixed(mb(bytes)))
                             .arg(qRound(100.0 * double(bytes) / double(totalBytes)))
                             .arg(qRound(double(smallest) / double(kKiB)))
                             .arg(fixed(mb(largest))));
    }
    figure(QStringLiteral("made and flushed to disk in, s (MB/s)"),
        QStringLiteral("%1 (%2)").arg(fixed(makeSeconds), perSecond(totalBytes, makeSeconds)));

    // 2. Collecting into the register.
    Result<ProcessingRegister> processing = ProcessingRegister::load(processingRegisterFile());
    if (!processing)
        return failed(processing.error());
    const QDateTime now(QDate(2026, 3, 2), QTime(9, 0), QTimeZone::utc());
    errors << QStringLiteral("collecting into the register") << Qt::endl;
    settleDisk(root.path());
    Result<Collected> collected = collect(registerFile, documentsDir, files, *processing, now);
    if (!collected)
        return failed(collected.error());
    const QString &reference = collected->reference;
    heading(QStringLiteral("== 2. collecting into the register (Engine::addItem, SQLite, one transaction each) =="));
    figure(QStringLiteral("request / items added"), QStringLiteral("%1 / %2").arg(reference).arg(collected->items));
    figure(QStringLiteral("add: seconds"), fixed(collected->addSeconds));
    figure(QStringLiteral("add: MB/s (hash, media type, 1 MB chunks into the register)"),
        perSecond(totalBytes, collected->addSeconds));
    figure(QStringLiteral("mark every item disclosed: seconds"), fixed(collected->markSeconds));
    figure(QStringLiteral("register file, MB"), fixed(mb(QFileInfo(registerFile).size())));

    // 3. The bundle, then zip on the same files.
    const QList<QByteArray> clockAt {QByteArrayLiteral("RIGHTSFLOW_NOW=") + now.toString(Qt::ISODate).toLatin1()};
    errors << QStringLiteral("rightsflow bundle build") << Qt::endl;
    settleDisk(root.path());
    Result<ChildRun> built = runMeasured(cli,
        {QStringLiteral("bundle"), QStringLiteral("build"), reference, QStringLiteral("--out"), bundleZip, QStringLiteral("--as"),
            kOfficer, QStringLiteral("--db"), registerFile, QStringLiteral("--processing-register"), processingRegisterFile(),
            QStringLiteral("--quiet")},
        root.path(), clockAt, root.filePath(QStringLiteral("build.log")));
    if (!built)
        return failed(built.error());
    errors << QStringLiteral("zip -r -6") << Qt::endl;
    settleDisk(root.path());
    Result<ChildRun> zipped
        = runMeasured(zip, {QStringLiteral("-r"), QStringLiteral("-6"), QStringLiteral("-q"), zipZip, QStringLiteral(".")},
            documentsDir, {}, root.filePath(QStringLiteral("zip.log")));
    if (!zipped)
        return failed(zipped.error());
    Result<double> zipFlush = flushSeconds(zipZip);
    if (!zipFlush)
        return failed(zipFlush.error());

    const qint64 bundleBytes = QFileInfo(bundleZip).size();
    const qint64 zipBytes = QFileInfo(zipZip).size();
    heading(QStringLiteral("== 3. building the bundle of %1 MB, beside zip -r -6 on the same files ==").arg(sizeMb));
    columns(QString(), {QStringLiteral("rightsflow build"), QStringLiteral("zip -r -6")});
    columns(QStringLiteral("wall seconds"), {fixed(built->wallSeconds, 2), fixed(zipped->wallSeconds, 2)});
    columns(QStringLiteral("MB/s (documents' MB / wall seconds)"),
        {perSecond(totalBytes, built->wallSeconds), perSecond(totalBytes, zipped->wallSeconds)});
    columns(QStringLiteral("CPU seconds, user + system"), {cpuSeconds(*built), cpuSeconds(*zipped)});
    columns(QStringLiteral("peak RSS, MB (ru_maxrss)"), {rssMb(*built), rssMb(*zipped)});
    columns(QStringLiteral("archive, MB"), {fixed(mb(bundleBytes)), fixed(mb(zipBytes))});
    columns(QStringLiteral("archive / documents, %"),
        {fixed(100.0 * double(bundleBytes) / double(totalBytes)), fixed(100.0 * double(zipBytes) / double(totalBytes))});
    const double ratio = zipped->wallSeconds > 0 ? built->wallSeconds / zipped->wallSeconds : 0;
    figure(QStringLiteral("wall time, rightsflow / zip"), fixed(ratio, 2) + QLatin1Char('x'),
        QStringLiteral("(target at most %1x)  %2")
            .arg(kRatioTarget, 0, 'f', 2)
            .arg(ratio > kRatioTarget ? QStringLiteral("OVER") : QStringLiteral("ok")));
    // Other work on the machine stretches wall time, not CPU time: a reader
    // of a busy machine's figures wants both.
    const double builtCpu = built->userSeconds + built->systemSeconds;
    const double zipCpu = zipped->userSeconds + zipped->systemSeconds;
    figure(QStringLiteral("CPU time, rightsflow / zip"), fixed(zipCpu > 0 ? builtCpu / zipCpu : 0, 2) + QLatin1Char('x'),
        QStringLiteral("(for comparison; the target is on wall time)"));
    const double rss = double(built->peakRssKiB) / 1024.0;
    figure(QStringLiteral("peak RSS of the build, MB"), rssMb(*built),
        QStringLiteral("(target under %1 MB for a 2 GB bundle)  %2")
            .arg(kRssTargetMb, 0, 'f', 0)
            .arg(rss >= kRssTargetMb ? QStringLiteral("OVER") : QStringLiteral("ok")));
    const double zipDurable = zipped->wallSeconds + *zipFlush;
    figure(QStringLiteral("zip's archive flushed to disk after it exited, s"), fixed(*zipFlush, 2),
        QStringLiteral("(the build flushes its own: with this, the ratio is %1x)")
            .arg(fixed(zipDurable > 0 ? built->wallSeconds / zipDurable : 0, 2)));
    figure(QStringLiteral("rightsflow said"),
        built->output.section(QLatin1Char('\n'), -1).replace(root.path() + QLatin1Char('/'), QString()));

    // 4. Verifying the bundle.
    errors << QStringLiteral("rightsflow bundle verify") << Qt::endl;
    settleDisk(root.path());
    Result<ChildRun> verified
        = runMeasured(cli, {QStringLiteral("bundle"), QStringLiteral("verify"), bundleZip, QStringLiteral("--quiet")},
            root.path(), clockAt, root.filePath(QStringLiteral("verify.log")));
    if (!verified)
        return failed(verified.error());
    heading(QStringLiteral("== 4. verifying the bundle (rightsflow bundle verify) =="));
    figure(QStringLiteral("wall seconds"), fixed(verified->wallSeconds, 2));
    figure(QStringLiteral("MB/s (documents' MB / wall seconds)"), perSecond(totalBytes, verified->wallSeconds));
    figure(QStringLiteral("CPU seconds, user + system"), cpuSeconds(*verified));
    figure(QStringLiteral("peak RSS, MB (ru_maxrss)"), rssMb(*verified));
    figure(QStringLiteral("rightsflow said"),
        verified->output.section(QLatin1Char('\n'), -1).replace(root.path() + QLatin1Char('/'), QString()));

    heading(QStringLiteral("== end =="));
    figure(QStringLiteral("load average at the end"), loadAverage());
    if (parser.isSet(keepOption))
        figure(QStringLiteral("scratch folder kept"), QDir::toNativeSeparators(root.path()));
    else
        errors << QStringLiteral("removing %1").arg(QDir::toNativeSeparators(root.path())) << Qt::endl;
    out().flush();
    return 0;
}
