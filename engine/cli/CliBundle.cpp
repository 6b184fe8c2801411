// SPDX-License-Identifier: GPL-3.0-or-later
// rightsflow item and bundle: the case file of a request and the response
// bundle the requester receives.
#include "Cli.h"
#include "CliSupport.h"

#include "bundle/BundleVerifier.h"
#include "bundle/Exemptions.h"
#include "bundle/ProcessingRegister.h"
#include "core/InputLimits.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

#include <optional>

namespace rf {

using namespace cli;

namespace cli {

QCommandLineOption processingRegisterOption()
{
    return QCommandLineOption(QStringLiteral("processing-register"),
        QStringLiteral("The council's processing register (JSON; default: $RIGHTSFLOW_PROCESSING_REGISTER). "
                       "resources/processing-register.md describes it."),
        QStringLiteral("FILE"));
}

Result<ProcessingRegister> loadProcessingRegister(const QCommandLineParser &parser)
{
    QString path = parser.value(QStringLiteral("processing-register"));
    if (path.isEmpty())
        path = qEnvironmentVariable("RIGHTSFLOW_PROCESSING_REGISTER");
    if (path.isEmpty())
        return makeError(ErrorCode::Invalid,
            QStringLiteral("no processing register: give --processing-register FILE or set RIGHTSFLOW_PROCESSING_REGISTER "
                           "(resources/processing-register.example.json shows the format). Items are described by the "
                           "source systems it lists, and the covering letter quotes it."));
    return ProcessingRegister::load(path);
}

} // namespace cli

namespace {

QCommandLineOption exemptionsOption()
{
    return QCommandLineOption(QStringLiteral("exemptions"),
        QStringLiteral("The exemptions officers may record (JSON; default: $RIGHTSFLOW_EXEMPTIONS, else the shipped list)."),
        QStringLiteral("FILE"));
}

QCommandLineOption asOption(const QString &what)
{
    return QCommandLineOption(QStringLiteral("as"), what, QStringLiteral("USER"));
}

Result<ExemptionList> loadExemptions(const QCommandLineParser &parser)
{
    QString path = parser.value(QStringLiteral("exemptions"));
    if (path.isEmpty())
        path = qEnvironmentVariable("RIGHTSFLOW_EXEMPTIONS");
    if (path.isEmpty())
        return ExemptionList::shipped();
    return ExemptionList::load(path);
}

QString megabytes(qint64 bytes)
{
    return QString::number(double(bytes) / (1024.0 * 1024.0), 'f', 1);
}

QJsonObject itemJson(const CaseItem &item)
{
    QJsonObject o {{QStringLiteral("item"), item.number}, {QStringLiteral("kind"), item.kind},
        {QStringLiteral("name"), item.name}, {QStringLiteral("mediaType"), item.mediaType},
        {QStringLiteral("source"), item.source}, {QStringLiteral("category"), item.category},
        {QStringLiteral("date"), item.date.isValid() ? item.date.toString(Qt::ISODate) : QString()},
        {QStringLiteral("sha256"), item.sha256}, {QStringLiteral("size"), item.size},
        {QStringLiteral("disposition"), item.disposition}, {QStringLiteral("exemption"), item.exemption},
        {QStringLiteral("addedBy"), item.addedBy}, {QStringLiteral("addedAt"), isoUtc(item.addedAt)}};
    if (item.kind == CaseItem::kRecords)
        o.insert(QStringLiteral("records"), item.records);
    if (item.disposition == CaseItem::kRedacted)
        o.insert(QStringLiteral("redacted"),
            QJsonObject {{QStringLiteral("name"), item.redactedName}, {QStringLiteral("sha256"), item.redactedSha256},
                {QStringLiteral("size"), item.redactedSize}});
    if (item.markedAt.isValid()) {
        o.insert(QStringLiteral("markedBy"), item.markedBy);
        o.insert(QStringLiteral("markedAt"), isoUtc(item.markedAt));
    }
    return o;
}

// Progress on stderr: a line per tenth of the work, so a log stays short and
// a person watching a large bundle sees it move.
class ProgressLines
{
public:
    ProgressLines(QTextStream &err, bool quiet)
        : m_err(err)
        , m_quiet(quiet)
    { }
    void operator()(const QString &phase, int entriesDone, int entriesTotal, qint64 bytesDone, qint64 bytesTotal)
    {
        if (m_quiet || entriesTotal == 0)
            return;
        const int percent = bytesTotal > 0 ? int(bytesDone * 100 / bytesTotal) : 100;
        if (phase == m_phase && percent / 10 == m_tenth)
            return;
        m_phase = phase;
        m_tenth = percent / 10;
        m_err << "  " << phase << ": " << entriesDone << " of " << entriesTotal << " files, " << megabytes(bytesDone) << " of "
              << megabytes(bytesTotal) << " MB (" << percent << "%)" << Qt::endl;
    }

private:
    QTextStream &m_err;
    bool m_quiet;
    QString m_phase;
    int m_tenth = -1;
};

} // namespace

int Cli::cmdItem(const QStringList &args)
{
    const QString sub = args.value(0);
    const QStringList rest = args.mid(1);
    QCommandLineParser parser;
    parser.addOption(dbOption());
    if (sub == QLatin1String("add")) {
        const QCommandLineOption as = asOption(QStringLiteral("The officer adding it (required)."));
        const QCommandLineOption source(QStringLiteral("source"),
            QStringLiteral("The source system it came from: a system id of the processing register (required)."),
            QStringLiteral("SYSTEM"));
        const QCommandLineOption category(QStringLiteral("category"),
            QStringLiteral("The kind of personal data, exactly as that system's categories in the processing register name it "
                           "(required)."),
            QStringLiteral("C"));
        const QCommandLineOption date(
            QStringLiteral("date"), QStringLiteral("The date of the document or records (YYYY-MM-DD)."), QStringLiteral("DATE"));
        const QCommandLineOption recordJson(QStringLiteral("record-json"),
            QStringLiteral("Add structured records instead of a document: a JSON array of flat objects, or {\"columns\": [...], "
                           "\"records\": [...]}. They go into the bundle's data/ folder as JSON and CSV."),
            QStringLiteral("FILE"));
        parser.addOptions({as, source, category, date, recordJson, processingRegisterOption()});
        parser.addPositionalArgument(QStringLiteral("REF"), QStringLiteral("The request."));
        parser.addPositionalArgument(QStringLiteral("FILE"),
            QStringLiteral("The document as collected (any size; it is stored in chunks)."), QStringLiteral("[FILE]"));
        const Parsed parsed = parseArgs(parser, QStringLiteral("item add"),
            QStringLiteral("Add a document or a set of records found in a source system to a request's case file. Audited."),
            rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        const QStringList positional = parser.positionalArguments();
        const bool records = parser.isSet(recordJson);
        if (positional.isEmpty() || positional.size() > 2)
            return usageError(
                QStringLiteral("item add: give REF and FILE, or REF with --record-json FILE"), QStringLiteral("item add"));
        if (records == (positional.size() == 2))
            return usageError(records ? QStringLiteral("item add: give either a document FILE or --record-json FILE, not both")
                                      : QStringLiteral("item add: give the document FILE, or --record-json FILE for records"),
                QStringLiteral("item add"));
        if (!parser.isSet(as))
            return usageError(QStringLiteral("item add: --as USER is required"), QStringLiteral("item add"));
        if (!parser.isSet(source) || !parser.isSet(category))
            return usageError(QStringLiteral("item add: --source SYSTEM and --category C are required: the letter explains each "
                                             "item by them"),
                QStringLiteral("item add"));
        NewItem item;
        item.kind = records ? CaseItem::kRecords : CaseItem::kDocument;
        item.source = parser.value(source);
        item.category = parser.value(category);
        if (parser.isSet(date)) {
            Result<QDate> given = parsePersonDate(parser.value(date), QStringLiteral("item add: --date"));
            if (!given)
                return usageError(given.error().message, QStringLiteral("item add"));
            item.date = *given;
        }
        const QString path = records ? parser.value(recordJson) : positional.at(1);
        QFile file(path);
        if (!QFileInfo(path).isFile() || !file.open(QIODevice::ReadOnly))
            return fail(makeError(ErrorCode::NotFound,
                QStringLiteral("%1: cannot read it: %2")
                    .arg(path, QFileInfo::exists(path) ? file.errorString() : QStringLiteral("no such file"))));
        item.name = QFileInfo(path).fileName();
        if (records) {
            Result<QByteArray> content = readInputFile(path, InputKind::Records);
            if (!content)
                return fail(content.error());
            item.records = *content;
        } else {
            item.content = &file;
        }
        Result<ProcessingRegister> processing = loadProcessingRegister(parser);
        if (!processing)
            return fail(processing.error());
        Result<std::unique_ptr<Session>> session = openSession(parser);
        if (!session)
            return fail(session.error());
        Result<CaseItem> added = (*session)->engine->addItem(positional.at(0), parser.value(as), item, *processing);
        if (!added)
            return fail(added.error());
        m_out << "Added item " << added->number << " to " << positional.at(0).trimmed().toUpper() << ": "
              << printable(added->name) << " ("
              << (records ? QStringLiteral("%1 records").arg(added->records) : QStringLiteral("%1 bytes").arg(added->size))
              << ", " << added->source << ", sha256 " << added->sha256 << ")" << Qt::endl;
        return Ok;
    }
    if (sub == QLatin1String("list")) {
        parser.addOption(jsonOption());
        parser.addPositionalArgument(QStringLiteral("REF"), QStringLiteral("The request."));
        const Parsed parsed = parseArgs(parser, QStringLiteral("item list"),
            QStringLiteral("The case file of a request: every item, where it came from and how it is marked."), rest, m_out,
            m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        if (parser.positionalArguments().size() != 1)
            return usageError(QStringLiteral("item list: give one REF"), QStringLiteral("item list"));
        Result<std::unique_ptr<Session>> session = openSession(parser);
        if (!session)
            return fail(session.error());
        Result<QList<CaseItem>> items = (*session)->engine->caseItems(parser.positionalArguments().at(0));
        if (!items)
            return fail(items.error());
        if (parser.isSet(QStringLiteral("json"))) {
            QJsonArray list;
            for (const CaseItem &item : *items)
                list.append(itemJson(item));
            m_out << jsonText(list) << Qt::endl;
            return Ok;
        }
        if (items->isEmpty()) {
            m_out << "No items yet: add what was found with 'rightsflow item add'." << Qt::endl;
            return Ok;
        }
        int pending = 0;
        for (const CaseItem &item : *items) {
            const QString what = item.kind == CaseItem::kRecords ? QStringLiteral("%1 records").arg(item.records)
                                                                 : QStringLiteral("%1 bytes").arg(item.size);
            QString marking = item.disposition;
            if (!item.exemption.isEmpty())
                marking += QStringLiteral(" (%1)").arg(item.exemption);
            if (item.disposition == CaseItem::kRedacted)
                marking += QStringLiteral(", copy %1").arg(printable(item.redactedName));
            if (item.disposition == CaseItem::kPending)
                ++pending;
            m_out << QStringLiteral("%1  %2  %3  [%4 / %5%6]  %7")
                         .arg(item.number, 3)
                         .arg(printable(item.name), what, item.source, printable(item.category),
                             item.date.isValid() ? QStringLiteral(", ") + item.date.toString(Qt::ISODate) : QString(), marking)
                  << Qt::endl;
        }
        if (pending > 0)
            m_out << pending
                  << " not marked yet: 'rightsflow item mark REF ITEM --disclose | --redact FILE --exemption E | "
                     "--withhold --exemption E'"
                  << Qt::endl;
        return Ok;
    }
    if (sub == QLatin1String("mark")) {
        const QCommandLineOption as = asOption(QStringLiteral("The officer marking it (required)."));
        const QCommandLineOption disclose(QStringLiteral("disclose"), QStringLiteral("Disclose it in full."));
        const QCommandLineOption redact(QStringLiteral("redact"),
            QStringLiteral("Disclose this redacted copy instead (records: a records JSON file); needs --exemption."),
            QStringLiteral("REDACTED-FILE"));
        const QCommandLineOption withhold(QStringLiteral("withhold"), QStringLiteral("Withhold it in full; needs --exemption."));
        const QCommandLineOption exemption(QStringLiteral("exemption"),
            QStringLiteral("The exemption a redaction or withholding rests on (see --list-exemptions)."), QStringLiteral("E"));
        const QCommandLineOption list(QStringLiteral("list-exemptions"), QStringLiteral("List the exemptions and stop."));
        parser.addOptions({as, disclose, redact, withhold, exemption, list, exemptionsOption()});
        parser.addPositionalArgument(QStringLiteral("REF"), QStringLiteral("The request."));
        parser.addPositionalArgument(QStringLiteral("ITEM"), QStringLiteral("The item number, as 'item list' shows it."));
        const Parsed parsed = parseArgs(parser, QStringLiteral("item mark"),
            QStringLiteral(
                "Mark a case-file item disclosed, redacted or withheld. Audited; may be changed until the request closes."),
            rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        Result<ExemptionList> exemptions = loadExemptions(parser);
        if (!exemptions)
            return fail(exemptions.error());
        if (parser.isSet(list)) {
            for (const Exemption &e : exemptions->exemptions())
                m_out << e.id << "  " << e.title << " (" << e.provision << ")"
                      << (e.allowsRedact ? QStringLiteral(" redact") : QString())
                      << (e.allowsWithhold ? QStringLiteral(" withhold") : QString()) << Qt::endl;
            return Ok;
        }
        const QStringList positional = parser.positionalArguments();
        bool ok = false;
        const int number = positional.value(1).toInt(&ok);
        if (positional.size() != 2 || !ok || number < 1)
            return usageError(QStringLiteral("item mark: give REF and an ITEM number"), QStringLiteral("item mark"));
        const int chosen = int(parser.isSet(disclose)) + int(parser.isSet(redact)) + int(parser.isSet(withhold));
        if (chosen != 1)
            return usageError(
                QStringLiteral("item mark: choose one of --disclose, --redact FILE or --withhold"), QStringLiteral("item mark"));
        if (!parser.isSet(as))
            return usageError(QStringLiteral("item mark: --as USER is required"), QStringLiteral("item mark"));
        ItemMarking marking;
        marking.disposition = parser.isSet(disclose) ? CaseItem::kDisclosed
            : parser.isSet(redact)                   ? CaseItem::kRedacted
                                                     : CaseItem::kWithheld;
        marking.exemption = parser.value(exemption);
        QFile redacted(parser.value(redact));
        if (parser.isSet(redact)) {
            if (!QFileInfo(redacted.fileName()).isFile() || !redacted.open(QIODevice::ReadOnly))
                return fail(
                    makeError(ErrorCode::NotFound, QStringLiteral("%1: cannot read the redacted copy").arg(redacted.fileName())));
            marking.redacted = &redacted;
            marking.redactedName = QFileInfo(redacted.fileName()).fileName();
        }
        Result<std::unique_ptr<Session>> session = openSession(parser);
        if (!session)
            return fail(session.error());
        Result<CaseItem> marked = (*session)->engine->markItem(positional.at(0), parser.value(as), number, marking, *exemptions);
        if (!marked)
            return fail(marked.error());
        m_out << "Item " << marked->number << " of " << positional.at(0).trimmed().toUpper() << " is " << marked->disposition
              << (marked->exemption.isEmpty() ? QString() : QStringLiteral(" under %1").arg(marked->exemption)) << Qt::endl;
        return Ok;
    }
    if (sub == QLatin1String("export")) {
        const QCommandLineOption out(QStringLiteral("out"),
            QStringLiteral("Where to write it (required): a new file, or a folder to write REF-item-N.EXT into."),
            QStringLiteral("FILE"));
        const QCommandLineOption redactedCopy(QStringLiteral("redacted"), QStringLiteral("Write the redacted copy instead."));
        parser.addOptions({out, redactedCopy, forceOption()});
        parser.addPositionalArgument(QStringLiteral("REF"), QStringLiteral("The request."));
        parser.addPositionalArgument(QStringLiteral("ITEM"), QStringLiteral("The item number."));
        const Parsed parsed = parseArgs(parser, QStringLiteral("item export"),
            QStringLiteral("Write an item's content (or its redacted copy) to a file, checking its SHA-256. An existing "
                           "file is replaced only with --force."),
            rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        bool ok = false;
        const int number = parser.positionalArguments().value(1).toInt(&ok);
        if (parser.positionalArguments().size() != 2 || !ok)
            return usageError(QStringLiteral("item export: give REF and an ITEM number"), QStringLiteral("item export"));
        if (!parser.isSet(out))
            return usageError(QStringLiteral("item export: --out FILE is required"), QStringLiteral("item export"));
        Result<std::unique_ptr<Session>> session = openSession(parser);
        if (!session)
            return fail(session.error());
        Result<ExportedFile> written = (*session)->engine->exportItem(
            parser.positionalArguments().at(0), number, parser.isSet(redactedCopy), parser.value(out), overwriteChoice(parser));
        if (!written)
            return fail(written.error());
        m_out << "Wrote " << printable(QDir::toNativeSeparators(written->path)) << Qt::endl;
        return Ok;
    }
    return groupHelpOrUsage(QStringLiteral("item"), sub,
        {QStringLiteral("add"), QStringLiteral("list"), QStringLiteral("mark"), QStringLiteral("export")});
}

int Cli::cmdBundle(const QStringList &args)
{
    const QString sub = args.value(0);
    const QStringList rest = args.mid(1);
    QCommandLineParser parser;
    const QCommandLineOption quiet(QStringLiteral("quiet"), QStringLiteral("Print no progress."));
    if (sub == QLatin1String("build")) {
        const QCommandLineOption as = asOption(QStringLiteral("The officer building it (required)."));
        const QCommandLineOption out(QStringLiteral("out"),
            QStringLiteral("The zip file to write (required): a new file, or a folder to write REF.zip into."),
            QStringLiteral("FILE.zip"));
        parser.addOptions({dbOption(), as, out, quiet, processingRegisterOption(), exemptionsOption(), forceOption()});
        parser.addPositionalArgument(QStringLiteral("REF"), QStringLiteral("The access or portability request."));
        const Parsed parsed = parseArgs(parser, QStringLiteral("bundle build"),
            QStringLiteral("Build the zip the requester receives: README.html, letter.pdf, data/ (JSON and CSV per source "
                           "system), documents/ and manifest.json. Every item must be marked first. The zip appears only "
                           "when complete, and its SHA-256 is recorded in the audit trail. An existing file is replaced "
                           "only with --force; the register and the files Rightsflow reads never are."),
            rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        if (parser.positionalArguments().size() != 1)
            return usageError(QStringLiteral("bundle build: give one REF"), QStringLiteral("bundle build"));
        if (!parser.isSet(out) || !parser.isSet(as))
            return usageError(
                QStringLiteral("bundle build: --out FILE.zip and --as USER are required"), QStringLiteral("bundle build"));
        const QString target = parser.value(out);
        Result<ProcessingRegister> processing = loadProcessingRegister(parser);
        if (!processing)
            return fail(processing.error());
        Result<ExemptionList> exemptions = loadExemptions(parser);
        if (!exemptions)
            return fail(exemptions.error());
        Result<std::unique_ptr<Session>> session = openSession(parser);
        if (!session)
            return fail(session.error());
        ProgressLines lines(m_err, parser.isSet(quiet));
        Result<BuiltBundle> built = (*session)->engine->buildBundle(
            parser.positionalArguments().at(0), parser.value(as), target, *processing, *exemptions,
            [&](const BundleProgress &p) { lines(p.phase, p.entriesDone, p.entriesTotal, p.bytesDone, p.bytesTotal); },
            overwriteChoice(parser));
        if (!built)
            return fail(built.error());
        int documents = 0;
        int data = 0;
        for (const ManifestFile &f : built->manifest.files) {
            documents += f.kind == QLatin1String("document") ? 1 : 0;
            data += f.kind == QLatin1String("data") ? 1 : 0;
        }
        m_out << "Built " << QDir::toNativeSeparators(built->path) << ": " << built->entries << " files (" << documents
              << " documents, " << data << " data files, " << built->manifest.withheld.size() << " items withheld), "
              << megabytes(built->size) << " MB, sha256 " << built->sha256 << Qt::endl;
        return Ok;
    }
    if (sub == QLatin1String("verify")) {
        parser.addOptions({quiet, jsonOption()});
        parser.addPositionalArgument(QStringLiteral("FILE.zip"), QStringLiteral("A bundle built by 'rightsflow bundle build'."));
        const Parsed parsed = parseArgs(parser, QStringLiteral("bundle verify"),
            QStringLiteral("Re-read a bundle and check every file against its manifest.json: missing, extra or altered files "
                           "and unsafe names are reported, and so is a zip that other readers would read differently (local "
                           "headers that disagree with the central directory, bytes outside the archive). Exit 0 when intact, 1 "
                           "when not."),
            rest, m_out, m_err);
        if (!parsed.proceed)
            return parsed.exitCode;
        if (parser.positionalArguments().size() != 1)
            return usageError(QStringLiteral("bundle verify: give one FILE.zip"), QStringLiteral("bundle verify"));
        ProgressLines lines(m_err, parser.isSet(quiet) || parser.isSet(QStringLiteral("json")));
        const QString path = parser.positionalArguments().at(0);
        const qint64 total = QFileInfo(path).size();
        Result<BundleCheck> check = BundleVerifier::verify(path, [&](const BundleVerifier::Progress &p) {
            lines(QStringLiteral("checking"), p.entriesDone, p.entriesTotal, p.bytesDone, qMax(total, p.bytesDone));
        });
        if (!check)
            return fail(check.error());
        if (parser.isSet(QStringLiteral("json"))) {
            m_out << jsonText(QJsonObject {{QStringLiteral("intact"), check->intact()},
                {QStringLiteral("reference"), check->manifest.reference},
                {QStringLiteral("entriesChecked"), check->entriesChecked}, {QStringLiteral("bytesChecked"), check->bytesChecked},
                {QStringLiteral("missing"), QJsonArray::fromStringList(check->missing)},
                {QStringLiteral("extra"), QJsonArray::fromStringList(check->extra)},
                {QStringLiteral("altered"), QJsonArray::fromStringList(check->altered)},
                {QStringLiteral("unsafe"), QJsonArray::fromStringList(check->unsafe)},
                {QStringLiteral("structure"), QJsonArray::fromStringList(check->structure)}})
                  << Qt::endl;
            return check->intact() ? Ok : Failed;
        }
        if (check->intact()) {
            m_out << path << ": intact, the bundle for " << check->manifest.reference << " (" << check->entriesChecked
                  << " files checked against manifest.json, " << megabytes(check->bytesChecked) << " MB)" << Qt::endl;
            return Ok;
        }
        m_out << path << ": NOT intact" << Qt::endl;
        for (const QString &p : check->missing)
            m_out << "  missing: " << printable(p) << Qt::endl;
        for (const QString &p : check->extra)
            m_out << "  extra:   " << printable(p) << Qt::endl;
        for (const QString &p : check->altered)
            m_out << "  altered: " << printable(p) << Qt::endl;
        for (const QString &p : check->unsafe)
            m_out << "  unsafe name: " << printable(p) << Qt::endl;
        for (const QString &p : check->structure)
            m_out << "  structure: " << printable(p) << Qt::endl;
        return Failed;
    }
    return groupHelpOrUsage(QStringLiteral("bundle"), sub, {QStringLiteral("build"), QStringLiteral("verify")});
}

} // namespace rf
