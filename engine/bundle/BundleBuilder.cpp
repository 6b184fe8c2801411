// SPDX-License-Identifier: GPL-3.0-or-later
#include "bundle/BundleBuilder.h"

#include "bundle/EntryNames.h"
#include "bundle/Exemptions.h"
#include "bundle/ProcessingRegister.h"
#include "bundle/RecordSet.h"
#include "bundle/ResponseDocuments.h"
#include "bundle/ZipWriter.h"
#include "core/Clock.h"
#include "core/Csv.h"
#include "store/ContentDevice.h"
#include "store/Store.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace rf {

namespace {

const QString kAccess = QStringLiteral("access");
const QString kPortability = QStringLiteral("portability");

// The whole of a small content (records), checked against its SHA-256.
Result<QByteArray> readContent(Store &store, qint64 requestId, const QString &sha256, qint64 size, int item)
{
    ContentDevice device(store, requestId, sha256, size);
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    if (Status s = device.copyTo(&buffer); !s)
        return makeError(s.error().code, QStringLiteral("item %1: %2").arg(item).arg(s.error().message));
    return buffer.data();
}

QString hex(const QByteArray &raw)
{
    return QString::fromLatin1(raw.toHex());
}

// The columns every data/ file starts with, before the system's own.
const QList<DataColumn> &caseColumns()
{
    static const QList<DataColumn> columns {
        {QStringLiteral("case_item"), QStringLiteral("The number of the item in our case file that the record came from.")},
        {QStringLiteral("data_category"), QStringLiteral("The kind of personal data, as our record of processing names it.")},
        {QStringLiteral("item_date"), QStringLiteral("The date of the records (YYYY-MM-DD), where we know it.")},
    };
    return columns;
}

// One data/ system's records, gathered from its items.
struct SystemData {
    const SourceSystem *system = nullptr;
    QList<int> items;
    QString redactedUnder; // the exemption of the first redacted item among them, if any
    QStringList columns; // the system's own columns, in order of first appearance
    QList<QJsonObject> rows; // case columns and the record's own
};

bool isWanted(const CaseItem &item)
{
    return item.disposition == CaseItem::kDisclosed || item.disposition == CaseItem::kRedacted;
}

} // namespace

QString BundleBuilder::caseFileDigest(const QList<CaseItem> &items)
{
    QCryptographicHash digest(QCryptographicHash::Sha256);
    for (const CaseItem &item : items) {
        const QStringList fields {QString::number(item.number), item.kind, item.sha256, QString::number(item.size), item.source,
            item.category, item.date.isValid() ? item.date.toString(Qt::ISODate) : QString(), item.name, item.disposition,
            item.exemption, item.redactedName, item.redactedSha256, QString::number(item.redactedSize)};
        // Each field's length first: no two different lists give the same bytes.
        for (const QString &field : fields) {
            const QByteArray utf8 = field.toUtf8();
            digest.addData(QByteArray::number(utf8.size()) + ':' + utf8 + '\n');
        }
    }
    return hex(digest.result());
}

Status BundleBuilder::checkReady(const Input &input)
{
    const Request &request = input.request;
    if (request.right != kAccess && request.right != kPortability)
        return makeError(ErrorCode::Unsupported,
            QStringLiteral("%1 is a %2 request: response bundles are for access and portability requests")
                .arg(request.reference, request.right));
    QStringList problems;
    if (input.items.isEmpty())
        problems << QStringLiteral("the case file is empty: add what was found with 'rightsflow item add', or close the "
                                   "request with the workflow's no-data action");
    for (const CaseItem &item : input.items) {
        if (item.disposition == CaseItem::kPending)
            problems << QStringLiteral("item %1 (%2) is not marked: mark it disclosed, redacted or withheld")
                            .arg(item.number)
                            .arg(item.name);
        if (!input.processing.system(item.source))
            problems << QStringLiteral("item %1: its source system '%2' is not in the processing register %3")
                            .arg(item.number)
                            .arg(item.source, input.processing.source());
        if (!item.exemption.isEmpty() && !input.exemptions.find(item.exemption))
            problems << QStringLiteral("item %1: its exemption '%2' is not in the exemption list")
                            .arg(item.number)
                            .arg(item.exemption);
    }
    if (!problems.isEmpty())
        return makeError(ErrorCode::Refused,
            QStringLiteral("the bundle for %1 cannot be built yet (%2 to put right)").arg(request.reference).arg(problems.size()),
            problems);
    return {};
}

Result<BuiltBundle> BundleBuilder::build(
    Store &store, const Input &input, const OutputTarget &target, const BundleProgressHook &progress)
{
    const QString &outPath = target.path;
    if (Status ready = checkReady(input); !ready)
        return ready.error();
    const Request &request = input.request;
    const bool portability = request.right == kPortability;
    BundleProgress state;
    state.phase = QStringLiteral("preparing");
    auto report = [&] {
        if (progress)
            progress(state);
    };
    report();

    // What goes in, and what the letter says about what does not.
    ResponseSummary summary;
    summary.reference = request.reference;
    summary.right = request.right;
    summary.received = request.received.toTimeZone(councilTimeZone()).date();
    summary.letterDate = input.letterDate;
    summary.due = request.deadline.due;
    summary.addresseeName = request.requester.name;
    summary.addresseeAddress = request.requester.address;
    summary.addresseePostcode = request.requester.postcode;
    summary.addresseeEmail = request.requester.email;
    summary.subjectName = request.dataSubject().name;
    summary.actingForSubject = request.actingForSubject;
    summary.scope = request.scope;
    summary.officerName = input.officerName;
    summary.searchRecord = input.searchRecord;

    Manifest manifest;
    manifest.reference = request.reference;
    manifest.right = request.right;
    manifest.built = input.builtAt.toUTC();
    manifest.caseFile = caseFileDigest(input.items);

    QStringList systemIds;
    QList<const CaseItem *> documents;
    QMap<QString, SystemData> data; // by system id
    QSet<QString> excludedSeen;
    for (const CaseItem &item : input.items) {
        const SourceSystem *system = input.processing.system(item.source);
        if (!systemIds.contains(item.source))
            systemIds << item.source;
        const Exemption *exemption = input.exemptions.find(item.exemption);
        if (item.disposition == CaseItem::kWithheld) {
            summary.withheld.append(WithheldEntry {item.number, item.source, system->name, item.category, item.date,
                exemption ? exemption->title : item.exemption, exemption ? exemption->provision : QString(),
                exemption ? exemption->letter : QString()});
            manifest.withheld.append(ManifestWithheld {item.number, item.source, item.exemption});
            continue;
        }
        if (!isWanted(item))
            continue;
        if (portability) {
            QString reason;
            if (item.kind != CaseItem::kRecords)
                reason = QStringLiteral("documents: portability covers structured data you gave us; a copy of documents is "
                                        "available through a subject access request");
            else if (!system->portabilityApplies())
                reason = QStringLiteral("%1 (%2): we hold it under %3, not on your consent or under a contract with you, so "
                                        "the right to data portability does not apply (UK GDPR Article 20)")
                             .arg(item.category, system->name, system->lawfulBasis);
            else if (!system->subjectProvided.contains(item.category))
                reason = QStringLiteral("%1 (%2): you did not provide this data to us; portability covers the data you "
                                        "provided")
                             .arg(item.category, system->name);
            if (!reason.isEmpty()) {
                if (!excludedSeen.contains(reason))
                    summary.portabilityExcluded << reason;
                excludedSeen.insert(reason);
                continue;
            }
        }
        if (item.kind == CaseItem::kDocument) {
            documents.append(&item);
            continue;
        }
        Result<QByteArray> json = readContent(store, request.id, item.releasedSha256(), item.releasedSize(), item.number);
        if (!json)
            return json.error();
        Result<RecordSet> records = RecordSet::parse(*json, QStringLiteral("item %1").arg(item.number));
        if (!records)
            return makeError(ErrorCode::Storage,
                QStringLiteral("item %1: its stored records no longer read: %2")
                    .arg(item.number)
                    .arg(records.error().fullText()));
        SystemData &sd = data[item.source];
        sd.system = system;
        sd.items.append(item.number);
        if (item.disposition == CaseItem::kRedacted && sd.redactedUnder.isEmpty())
            sd.redactedUnder = item.exemption;
        for (const QString &column : records->columns()) {
            if (!sd.columns.contains(column))
                sd.columns.append(column);
        }
        for (const QJsonObject &record : records->records()) {
            QJsonObject row;
            for (auto it = record.constBegin(); it != record.constEnd(); ++it)
                row.insert(it.key(), *it);
            // The case columns win a clash: a system's own "item_date" is
            // kept as "record_item_date".
            for (const DataColumn &c : caseColumns()) {
                if (row.contains(c.name)) {
                    row.insert(QStringLiteral("record_") + c.name, row.take(c.name));
                    const qsizetype at = sd.columns.indexOf(c.name);
                    if (at >= 0)
                        sd.columns[at] = QStringLiteral("record_") + c.name;
                }
            }
            row.insert(caseColumns().at(0).name, item.number);
            row.insert(caseColumns().at(1).name, item.category);
            row.insert(
                caseColumns().at(2).name, item.date.isValid() ? QJsonValue(item.date.toString(Qt::ISODate)) : QJsonValue());
            sd.rows.append(row);
        }
    }

    // The systems searched, in register order, with Art 15(1)(a)-(h).
    Result<SupplementaryInformation> info = input.processing.supplementaryInformation(systemIds);
    if (!info)
        return info.error();
    summary.info = *info;
    summary.systemsSearched = info->systems;

    // data/: one JSON and one CSV file per system, in register order.
    struct Generated {
        QString path;
        QByteArray bytes;
        ManifestFile meta;
    };
    QList<Generated> dataFiles;
    for (const SourceSystem &system : input.processing.systems()) {
        auto found = data.constFind(system.id);
        if (found == data.cend())
            continue;
        const SystemData &sd = *found;
        QList<DataColumn> columns = caseColumns();
        for (const QString &column : sd.columns)
            columns.append(DataColumn {column, QStringLiteral("As recorded in %1.").arg(system.name)});
        QStringList names;
        for (const DataColumn &c : columns)
            names << c.name;
        QByteArray csv(Csv::kBom);
        csv += Csv::line(names);
        QJsonArray rows;
        for (const QJsonObject &row : sd.rows) {
            QStringList fields;
            for (const QString &name : names)
                fields << RecordSet::cellText(row.value(name));
            csv += Csv::line(fields);
            rows.append(row);
        }
        const QByteArray json = QJsonDocument(
            QJsonObject {{QStringLiteral("source"), system.id}, {QStringLiteral("system"), system.name},
                {QStringLiteral("reference"), request.reference}, {QStringLiteral("columns"), QJsonArray::fromStringList(names)},
                {QStringLiteral("records"),
                    rows}}).toJson(QJsonDocument::Indented);
        for (const auto &[extension, bytes] :
            {std::pair {QStringLiteral("json"), json}, std::pair {QStringLiteral("csv"), csv}}) {
            EnclosedFile file;
            file.path = QStringLiteral("data/%1.%2").arg(system.id, extension);
            file.kind = QStringLiteral("data");
            file.sourceId = system.id;
            file.sourceName = system.name;
            QStringList categories;
            for (const CaseItem &item : input.items) {
                if (sd.items.contains(item.number) && !categories.contains(item.category))
                    categories << item.category;
            }
            file.category = categories.join(QStringLiteral(", "));
            file.size = bytes.size();
            file.columns = columns;
            file.records = int(sd.rows.size());
            // Records redacted before they went in: the letter and the
            // manifest say so, as for a redacted document.
            file.disposition = sd.redactedUnder.isEmpty() ? CaseItem::kDisclosed : CaseItem::kRedacted;
            if (const Exemption *exemption = input.exemptions.find(sd.redactedUnder)) {
                file.exemptionTitle = exemption->title;
                file.exemptionProvision = exemption->provision;
                file.exemptionLetter = exemption->letter;
            }
            summary.dataFiles.append(file);
            ManifestFile meta;
            meta.path = file.path;
            if (!sd.redactedUnder.isEmpty()) {
                meta.disposition = CaseItem::kRedacted;
                meta.exemption = sd.redactedUnder;
            }
            meta.kind = file.kind;
            meta.source = system.id;
            meta.items = sd.items;
            dataFiles.append(Generated {file.path, bytes, meta});
        }
    }

    // documents/: safe, unique names, in item order.
    EntryNamer namer(QStringLiteral("documents"));
    QStringList documentPaths;
    for (const CaseItem *item : documents) {
        QString wanted = item->name;
        if (item->disposition == CaseItem::kRedacted) {
            // The requester gets the redacted copy under the original's name,
            // marked, with the copy's own extension (a redacted scan may be a PDF).
            const QFileInfo original(item->name);
            const QString extension = QFileInfo(item->redactedName).suffix();
            wanted = original.completeBaseName() + QStringLiteral(" (redacted)")
                + (extension.isEmpty() ? QString() : QLatin1Char('.') + extension);
        }
        const QString path = namer.add(wanted);
        documentPaths << path;
        const SourceSystem *system = input.processing.system(item->source);
        const Exemption *exemption = input.exemptions.find(item->exemption);
        EnclosedFile file;
        file.path = path;
        file.kind = QStringLiteral("document");
        file.sourceId = item->source;
        file.sourceName = system->name;
        file.category = item->category;
        file.date = item->date;
        file.size = item->releasedSize();
        file.disposition = item->disposition;
        if (item->disposition == CaseItem::kRedacted && exemption) {
            file.exemptionTitle = exemption->title;
            file.exemptionProvision = exemption->provision;
            file.exemptionLetter = exemption->letter;
        }
        summary.documents.append(file);
    }

    // The two documents people read.
    const QByteArray readme = ResponseDocuments::readmeHtml(summary);
    Result<QByteArray> letter = ResponseDocuments::letterPdf(summary, manifest.built);
    if (!letter)
        return letter.error();

    state.entriesTotal = int(2 + dataFiles.size() + documents.size() + 1);
    state.bytesTotal = readme.size() + letter->size();
    for (const Generated &g : dataFiles)
        state.bytesTotal += g.bytes.size();
    for (const CaseItem *item : documents)
        state.bytesTotal += item->releasedSize();
    state.phase = QStringLiteral("writing");

    ZipWriter::Options options;
    // Entries carry the build's moment in council time, as a person's
    // computer shows file dates.
    const QDateTime councilTime = input.builtAt.toTimeZone(councilTimeZone());
    options.timestamp = QDateTime(councilTime.date(), councilTime.time());
    ZipWriter writer(target, options);
    writer.setProgressHook([&](const ZipWriter::Progress &p) {
        state.bytesDone = p.bytesDone;
        state.entriesDone = p.entriesDone;
        report();
    });
    if (Status s = writer.open(); !s)
        return s.error();

    auto add = [&](const QString &path, const QByteArray &bytes, ManifestFile meta) -> Status {
        state.current = path;
        Result<ZipWriter::Entry> entry = writer.addData(path, bytes);
        if (!entry)
            return entry.error();
        meta.path = entry->name;
        meta.size = entry->size;
        meta.sha256 = hex(entry->sha256);
        manifest.files.append(meta);
        return {};
    };
    if (Status s = add(QStringLiteral("README.html"), readme, ManifestFile {{}, QStringLiteral("readme"), 0, {}, {}, {}, {}, {}});
        !s)
        return s.error();
    if (Status s = add(QStringLiteral("letter.pdf"), *letter, ManifestFile {{}, QStringLiteral("letter"), 0, {}, {}, {}, {}, {}});
        !s)
        return s.error();
    for (const Generated &g : dataFiles) {
        if (Status s = add(g.path, g.bytes, g.meta); !s)
            return s.error();
    }
    for (qsizetype i = 0; i < documents.size(); ++i) {
        const CaseItem &item = *documents.at(i);
        state.current = documentPaths.at(i);
        ContentDevice content(store, request.id, item.releasedSha256(), item.releasedSize());
        if (!content.open(QIODevice::ReadOnly))
            return makeError(ErrorCode::Storage, QStringLiteral("item %1: cannot read its content").arg(item.number));
        Result<ZipWriter::Entry> entry = writer.addFile(documentPaths.at(i), &content);
        if (!entry)
            return makeError(entry.error().code, QStringLiteral("item %1: %2").arg(item.number).arg(entry.error().message));
        if (hex(entry->sha256) != item.releasedSha256()) {
            writer.discard();
            return makeError(ErrorCode::Storage,
                QStringLiteral("item %1: its content in the register does not match its SHA-256; the register is damaged, "
                               "so no bundle was written")
                    .arg(item.number));
        }
        ManifestFile meta;
        meta.path = entry->name;
        meta.kind = QStringLiteral("document");
        meta.size = entry->size;
        meta.sha256 = hex(entry->sha256);
        meta.source = item.source;
        meta.items = {item.number};
        meta.disposition = item.disposition;
        if (item.disposition == CaseItem::kRedacted)
            meta.exemption = item.exemption;
        manifest.files.append(meta);
    }
    state.current = Manifest::kEntryName;
    // The manifest's own size is known only now: the total grows by it, so
    // the last progress report is exactly the total.
    const QByteArray manifestJson = manifest.toJson();
    state.bytesTotal += manifestJson.size();
    Result<ZipWriter::Entry> written = writer.addData(Manifest::kEntryName, manifestJson);
    if (!written)
        return written.error();
    Result<std::unique_ptr<OutputFile>> finished = writer.complete();
    if (!finished)
        return finished.error();
    std::shared_ptr<OutputFile> output = std::move(finished).value();

    // The archive's own SHA-256, for the audit trail, read back from disk.
    state.phase = QStringLiteral("checking");
    state.current.clear();
    QFile zip(output->temporaryPath());
    if (!zip.open(QIODevice::ReadOnly))
        return makeError(
            ErrorCode::Storage, QStringLiteral("%1: written, but cannot be read back: %2").arg(outPath, zip.errorString()));
    state.bytesDone = 0;
    state.bytesTotal = zip.size();
    Result<ContentDigest> digest = streamDigest(&zip, nullptr, [&](qint64 done) {
        state.bytesDone = done;
        report();
    });
    if (!digest)
        return makeError(ErrorCode::Storage, QStringLiteral("%1: written, but %2").arg(outPath, digest.error().message));
    BuiltBundle built;
    built.path = outPath;
    built.output = std::move(output);
    built.sha256 = digest->sha256;
    built.size = digest->size;
    built.entries = int(writer.entries().size());
    built.manifest = manifest;
    built.summary = summary;
    return built;
}

} // namespace rf
