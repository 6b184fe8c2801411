// SPDX-License-Identifier: GPL-3.0-or-later
// The case file and the response bundle: what officers collect, how they mark
// it, and the archive the requester receives.
#include "workflow/Engine.h"

#include "bundle/Exemptions.h"
#include "bundle/ProcessingRegister.h"
#include "bundle/RecordSet.h"
#include "core/InputLimits.h"
#include "core/SafeOutput.h"
#include "core/Text.h"
#include "store/ContentDevice.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QMimeDatabase>
#include <QRegularExpression>

namespace rf {

namespace {

using Digest = ContentDigest;

// The SHA-256 and size of everything `device` holds from its start.
Result<Digest> digestOf(QIODevice *device, const QString &what)
{
    if (!device->isOpen() && !device->open(QIODevice::ReadOnly))
        return makeError(ErrorCode::NotFound, QStringLiteral("%1: cannot open it: %2").arg(what, device->errorString()));
    if (device->isSequential() || !device->seek(0))
        return makeError(ErrorCode::Invalid, QStringLiteral("%1: it must be a file that can be read twice").arg(what));
    Result<Digest> digest = streamDigest(device);
    if (!digest)
        return makeError(ErrorCode::Invalid, QStringLiteral("%1: %2").arg(what, digest.error().message));
    return digest;
}

QString mediaTypeOf(const QString &name, QIODevice *device)
{
    device->seek(0);
    const QString type = QMimeDatabase().mimeTypeForFileNameAndData(name, device).name();
    device->seek(0);
    return type;
}

// The file name without any folder, whichever separator the officer's
// computer uses ("C:\\scans\\Bill.pdf" from Windows is "Bill.pdf").
QString baseName(const QString &path)
{
    const QString trimmed = path.trimmed();
    const qsizetype cut = qMax(trimmed.lastIndexOf(QLatin1Char('/')), trimmed.lastIndexOf(QLatin1Char('\\')));
    return trimmed.mid(cut + 1).trimmed();
}

Status refuseClosed(const Request &request)
{
    if (request.closedAt.isValid())
        return makeError(ErrorCode::Refused,
            QStringLiteral("%1 is closed (%2): its case file is final").arg(request.reference, request.state));
    return {};
}

// "DSR-…: no item 7 (its items are 1 to 5)".
Error noSuchItem(Store &store, const Request &request, int number)
{
    Result<int> last = store.lastItemNumber(request.id);
    if (!last)
        return last.error();
    return makeError(ErrorCode::NotFound,
        *last == 0 ? QStringLiteral("%1 has no case-file items yet").arg(request.reference)
                   : QStringLiteral("%1 has no item %2 (its items are 1 to %3)").arg(request.reference).arg(number).arg(*last));
}

} // namespace

Status Engine::storeContent(qint64 requestId, QIODevice *device, const QString &sha256, qint64 size)
{
    Result<bool> present = m_store.hasContent(requestId, sha256);
    if (!present)
        return present.error();
    if (*present)
        return {}; // the same bytes, already kept for this request
    const int chunks = int((size + CaseItem::kChunkBytes - 1) / CaseItem::kChunkBytes);
    if (Status s = m_store.addContent(requestId, sha256, size, chunks); !s)
        return s;
    if (!device->seek(0))
        return makeError(ErrorCode::Invalid, QStringLiteral("cannot read the file again: %1").arg(device->errorString()));
    QCryptographicHash check(QCryptographicHash::Sha256);
    qint64 stored = 0;
    for (int seq = 0; seq < chunks; ++seq) {
        const QByteArray chunk = device->read(qMin(CaseItem::kChunkBytes, size - stored));
        if (chunk.isEmpty())
            return makeError(ErrorCode::Invalid, QStringLiteral("the file got shorter while it was being stored"));
        check.addData(chunk);
        if (Status s = m_store.addContentChunk(requestId, sha256, seq, chunk); !s)
            return s;
        stored += chunk.size();
    }
    // The file must not have changed between the hash and the copy.
    if (stored != size || !device->atEnd() || QString::fromLatin1(check.result().toHex()) != sha256)
        return makeError(
            ErrorCode::Invalid, QStringLiteral("the file changed while it was being stored; nothing was kept, try again"));
    return {};
}

Result<CaseItem> Engine::addItem(
    const QString &reference, const QString &userName, const NewItem &input, const ProcessingRegister &processing)
{
    // Everything that can be checked without the register first.
    QStringList problems;
    const bool records = input.kind == CaseItem::kRecords;
    if (input.kind != CaseItem::kDocument && !records)
        problems << QStringLiteral("kind: '%1' is not a kind of item (document or records)").arg(input.kind);
    const QString name = baseName(input.name);
    const bool badText = checkText(problems, QStringLiteral("name"), input.name, TextRule::kFileName)
        | checkText(problems, QStringLiteral("source"), input.source, TextRule::kShortText)
        | checkText(problems, QStringLiteral("category"), input.category, TextRule::kShortText);
    if (!badText && name.isEmpty())
        problems << QStringLiteral("name: the item needs a file name");
    if (input.date.isValid() && !isPlausibleDate(input.date))
        problems << QStringLiteral("date: %1").arg(implausibleDateProblem(input.date));
    const SourceSystem *system = processing.system(input.source);
    // Categories are the register's own sentences: an officer may type the
    // start of one ("bills" for "Bills, payments and arrears").
    QString category;
    if (system) {
        QStringList matches;
        for (const QString &known : system->categories) {
            if (known.compare(input.category.trimmed(), Qt::CaseInsensitive) == 0) {
                matches = {known};
                break;
            }
            if (!input.category.trimmed().isEmpty() && known.startsWith(input.category.trimmed(), Qt::CaseInsensitive))
                matches << known;
        }
        if (matches.size() == 1)
            category = matches.constFirst();
    }
    if (input.source.isEmpty()) {
        problems << QStringLiteral("source: say which system it came from (one of: %1)").arg([&] {
            QStringList ids;
            for (const SourceSystem &s : processing.systems())
                ids << s.id;
            return ids.join(QStringLiteral(", "));
        }());
    } else if (!system) {
        QStringList ids;
        for (const SourceSystem &s : processing.systems())
            ids << s.id;
        problems << QStringLiteral("source: '%1' is not a system of the processing register %2 (it has: %3)")
                        .arg(printable(input.source.left(100)), processing.source(), ids.join(QStringLiteral(", ")));
    } else if (category.isEmpty()) {
        problems << QStringLiteral("category: '%1' is not one category of data %2 holds according to the processing register "
                                   "(it lists: %3); give one of them, or the start of one. If it does hold such data, the "
                                   "register needs updating first")
                        .arg(printable(input.category.left(200)), system->name, system->categories.join(QStringLiteral("; ")));
    }
    QBuffer recordsDevice;
    QByteArray canonical;
    int recordCount = 0;
    if (records) {
        if (Status size = checkInputSize(input.records.size(), InputKind::Records, name); !size)
            problems << size.error().message;
        else if (Result<RecordSet> set = RecordSet::parse(input.records, name); !set)
            return set.error();
        else {
            canonical = set->canonicalJson();
            recordCount = int(set->records().size());
        }
        recordsDevice.setData(canonical);
        recordsDevice.open(QIODevice::ReadOnly);
    } else if (!input.content) {
        problems << QStringLiteral("content: a document item needs its file");
    }
    if (!problems.isEmpty())
        return makeError(
            ErrorCode::Invalid, QStringLiteral("the item was not added to %1").arg(reference.trimmed().toUpper()), problems);
    QIODevice *device = records ? static_cast<QIODevice *>(&recordsDevice) : input.content;
    // Hashing a large file happens before the register is locked.
    Result<Digest> digest = digestOf(device, name);
    if (!digest)
        return digest.error();

    Transaction tx(m_store);
    Result<Acting> acting = beginAction(tx, reference, userName);
    if (!acting)
        return acting.error();
    if (Status s = refuseClosed(acting->request); !s)
        return s.error();
    AuditEvent event = eventOn(acting->request, acting->user.name, QStringLiteral("item-add"));
    CaseItem item;
    item.requestId = acting->request.id;
    item.kind = input.kind;
    item.name = name;
    item.mediaType = records ? QStringLiteral("application/json") : mediaTypeOf(name, device);
    item.source = input.source;
    item.category = category;
    item.date = input.date;
    item.sha256 = digest->sha256;
    item.size = digest->size;
    item.records = recordCount;
    item.addedBy = acting->user.name;
    item.addedAt = event.at;
    if (Status s = storeContent(item.requestId, device, item.sha256, item.size); !s)
        return makeError(s.error().code, QStringLiteral("%1: %2").arg(name, s.error().message));
    Result<CaseItem> stored = m_store.addItem(item);
    if (!stored)
        return stored.error();
    event.inputs = QJsonObject {{QStringLiteral("item"), stored->number}, {QStringLiteral("kind"), item.kind},
        {QStringLiteral("name"), item.name}, {QStringLiteral("source"), item.source}, {QStringLiteral("category"), item.category},
        {QStringLiteral("date"), item.date.isValid() ? item.date.toString(Qt::ISODate) : QString()},
        {QStringLiteral("sha256"), item.sha256}, {QStringLiteral("size"), QString::number(item.size)}};
    if (records)
        event.inputs.insert(QStringLiteral("records"), recordCount);
    if (Result<AuditEvent> appended = m_store.appendAudit(event); !appended)
        return appended.error();
    if (Status s = tx.commit(); !s)
        return s.error();
    return stored;
}

Result<QList<CaseItem>> Engine::caseItems(const QString &reference)
{
    Result<Request> request = m_store.loadRequest(reference.trimmed().toUpper(), RequestDetail::Record);
    if (!request)
        return request.error();
    return m_store.caseItems(request->id);
}

Result<CaseItem> Engine::markItem(
    const QString &reference, const QString &userName, int number, const ItemMarking &marking, const ExemptionList &exemptions)
{
    const QString ref = reference.trimmed().toUpper();
    const QString what = QStringLiteral("item %1 of %2").arg(number).arg(ref);
    const Exemption *exemption = exemptions.find(marking.exemption);
    QStringList problems;
    const bool redacting = marking.disposition == CaseItem::kRedacted;
    if (marking.disposition == CaseItem::kDisclosed) {
        if (!marking.exemption.isEmpty())
            problems << QStringLiteral("exemption: an item disclosed in full rests on no exemption (leave out '%1')")
                            .arg(marking.exemption);
    } else if (redacting || marking.disposition == CaseItem::kWithheld) {
        const QString verb = redacting ? QStringLiteral("redacting") : QStringLiteral("withholding");
        if (marking.exemption.isEmpty())
            problems << QStringLiteral("exemption: %1 needs the exemption it rests on (one of: %2)")
                            .arg(verb, exemptions.ids().join(QStringLiteral(", ")));
        else if (!exemption)
            problems << QStringLiteral("exemption: '%1' is not in the exemption list (it has: %2)")
                            .arg(marking.exemption, exemptions.ids().join(QStringLiteral(", ")));
        else if (redacting && !exemption->allowsRedact)
            problems << QStringLiteral("exemption: '%1' (%2) is not one that a redaction can rest on")
                            .arg(exemption->id, exemption->title);
        else if (!redacting && !exemption->allowsWithhold)
            problems << QStringLiteral("exemption: '%1' (%2) does not allow withholding a whole item; redact it instead")
                            .arg(exemption->id, exemption->title);
        if (redacting && !marking.redacted)
            problems << QStringLiteral("redacted copy: redacting needs the redacted file the requester will receive");
        if (!redacting && marking.redacted)
            problems << QStringLiteral("redacted copy: only a redacted item has one");
    } else {
        problems << QStringLiteral("disposition: '%1' is not a way to mark an item (disclosed, redacted or withheld)")
                        .arg(marking.disposition);
    }
    if (!problems.isEmpty())
        return makeError(ErrorCode::Invalid, QStringLiteral("%1 was not marked").arg(what), problems);

    if (const std::optional<QString> problem
        = textProblem(QStringLiteral("redacted copy name"), marking.redactedName, TextRule::kFileName))
        return makeError(ErrorCode::Invalid, QStringLiteral("%1 was not marked: %2").arg(what, *problem));
    const QString redactedName = baseName(marking.redactedName);
    std::optional<Digest> redactedDigest;
    if (redacting) {
        Result<Digest> digest = digestOf(marking.redacted, redactedName);
        if (!digest)
            return digest.error();
        redactedDigest = *digest;
    }

    Transaction tx(m_store);
    Result<Acting> acting = beginAction(tx, ref, userName);
    if (!acting)
        return acting.error();
    if (Status s = refuseClosed(acting->request); !s)
        return s.error();
    Result<std::optional<CaseItem>> found = m_store.caseItem(acting->request.id, number);
    if (!found)
        return found.error();
    if (!found->has_value())
        return noSuchItem(m_store, acting->request, number);
    CaseItem item = **found;
    AuditEvent event = eventOn(acting->request, acting->user.name, QStringLiteral("item-mark"));
    item.disposition = marking.disposition;
    item.exemption = marking.disposition == CaseItem::kDisclosed ? QString() : marking.exemption;
    item.redactedName.clear();
    item.redactedMediaType.clear();
    item.redactedSha256.clear();
    item.redactedSize = 0;
    QBuffer canonicalRecords;
    if (redacting) {
        QIODevice *device = marking.redacted;
        Digest digest = *redactedDigest;
        if (item.kind == CaseItem::kRecords) {
            // A redacted set of records is records too: the data files are built from it.
            // Checked before the copy is read whole.
            if (Status size = checkInputSize(digest.size, InputKind::Records, redactedName); !size)
                return size.error();
            device->seek(0);
            Result<RecordSet> set = RecordSet::parse(device->readAll(), redactedName);
            if (!set)
                return set.error();
            canonicalRecords.setData(set->canonicalJson());
            canonicalRecords.open(QIODevice::ReadOnly);
            device = &canonicalRecords;
            Result<Digest> canonicalDigest = digestOf(device, redactedName);
            if (!canonicalDigest)
                return canonicalDigest.error();
            digest = *canonicalDigest;
        }
        if (digest.sha256 == item.sha256)
            return makeError(ErrorCode::Invalid,
                QStringLiteral("%1 was not marked: the redacted copy %2 is identical to the original").arg(what, redactedName));
        if (Status s = storeContent(item.requestId, device, digest.sha256, digest.size); !s)
            return makeError(s.error().code, QStringLiteral("%1: %2").arg(redactedName, s.error().message));
        item.redactedName = redactedName;
        item.redactedMediaType
            = item.kind == CaseItem::kRecords ? QStringLiteral("application/json") : mediaTypeOf(redactedName, device);
        item.redactedSha256 = digest.sha256;
        item.redactedSize = digest.size;
    }
    item.markedBy = acting->user.name;
    item.markedAt = event.at;
    if (Status s = m_store.updateItemMarking(item); !s)
        return s.error();
    event.inputs = QJsonObject {{QStringLiteral("item"), item.number}, {QStringLiteral("disposition"), item.disposition},
        {QStringLiteral("exemption"), item.exemption}};
    if (redacting) {
        event.inputs.insert(QStringLiteral("redactedName"), item.redactedName);
        event.inputs.insert(QStringLiteral("redactedSha256"), item.redactedSha256);
        event.inputs.insert(QStringLiteral("redactedSize"), QString::number(item.redactedSize));
    }
    if (Result<AuditEvent> appended = m_store.appendAudit(event); !appended)
        return appended.error();
    if (Status s = tx.commit(); !s)
        return s.error();
    return item;
}

Result<Engine::FoundItem> Engine::findItem(const QString &reference, int number, bool redacted)
{
    Result<Request> request = m_store.loadRequest(reference.trimmed().toUpper(), RequestDetail::Record);
    if (!request)
        return request.error();
    Result<std::optional<CaseItem>> found = m_store.caseItem(request->id, number);
    if (!found)
        return found.error();
    if (!found->has_value())
        return noSuchItem(m_store, *request, number);
    if (redacted && (*found)->disposition != CaseItem::kRedacted)
        return makeError(
            ErrorCode::NotFound, QStringLiteral("item %1 of %2 has no redacted copy").arg(number).arg(request->reference));
    return FoundItem {*request, **found};
}

Status Engine::copyItem(const FoundItem &found, bool redacted, QIODevice *out)
{
    const CaseItem &item = found.item;
    ContentDevice content(
        m_store, found.request.id, redacted ? item.redactedSha256 : item.sha256, redacted ? item.redactedSize : item.size);
    if (Status s = content.copyTo(out); !s)
        return makeError(
            s.error().code, QStringLiteral("item %1 of %2: %3").arg(item.number).arg(found.request.reference, s.error().message));
    return {};
}

Status Engine::exportItem(const QString &reference, int number, bool redacted, QIODevice *out)
{
    Result<FoundItem> found = findItem(reference, number, redacted);
    if (!found)
        return found.error();
    return copyItem(*found, redacted, out);
}

namespace {

// The name a file exported into a folder takes: the reference and number,
// and the original's extension when it is a plain one (the original name
// itself came from outside and is never trusted as a path).
QString exportName(const QString &reference, const QString &what, qint64 number, const QString &originalName)
{
    static const QRegularExpression plainSuffix(QStringLiteral("^[A-Za-z0-9]{1,10}$"));
    const QString suffix = QFileInfo(originalName).suffix();
    const QString base = QStringLiteral("%1-%2-%3").arg(reference, what).arg(number);
    return plainSuffix.match(suffix).hasMatch() ? base + QLatin1Char('.') + suffix.toLower() : base;
}

} // namespace

Result<ExportedFile> Engine::exportItem(
    const QString &reference, int number, bool redacted, const QString &outPath, Overwrite overwrite)
{
    Result<FoundItem> found = findItem(reference, number, redacted);
    if (!found)
        return found.error();
    const CaseItem &item = found->item;
    const QString name = redacted ? item.redactedName : item.name;
    Result<OutputTarget> target = SafeOutput::resolve(outPath,
        exportName(found->request.reference, QStringLiteral("item"), number, name), overwrite, QStringLiteral("the item"));
    if (!target)
        return target.error();
    Result<std::unique_ptr<OutputFile>> file = OutputFile::create(*target, QStringLiteral("the item"));
    if (!file)
        return file.error();
    if (Status s = copyItem(*found, redacted, (*file)->device()); !s)
        return s.error();
    if (Status s = (*file)->commit(); !s)
        return s.error();
    return ExportedFile {
        target->path, name, redacted ? item.redactedSize : item.size, redacted ? item.redactedSha256 : item.sha256};
}

Result<ExportedFile> Engine::exportAttachment(
    const QString &reference, qint64 attachmentId, const QString &outPath, Overwrite overwrite)
{
    Result<Request> r = request(reference);
    if (!r)
        return r.error();
    const auto meta = std::find_if(
        r->attachments.cbegin(), r->attachments.cend(), [attachmentId](const Attachment &a) { return a.id == attachmentId; });
    if (meta == r->attachments.cend())
        return makeError(ErrorCode::NotFound, QStringLiteral("%1 has no attachment %2").arg(r->reference).arg(attachmentId));
    Result<OutputTarget> target
        = SafeOutput::resolve(outPath, exportName(r->reference, QStringLiteral("attachment"), attachmentId, meta->name),
            overwrite, QStringLiteral("the attachment"));
    if (!target)
        return target.error();
    Result<QByteArray> content = m_store.attachmentContent(r->id, attachmentId);
    if (!content)
        return content.error();
    const QString sha = QString::fromLatin1(QCryptographicHash::hash(*content, QCryptographicHash::Sha256).toHex());
    if (sha != meta->sha256)
        return makeError(ErrorCode::Storage,
            QStringLiteral("attachment %1 of %2 does not match the SHA-256 recorded when it was attached; it was not written")
                .arg(attachmentId)
                .arg(r->reference));
    Result<std::unique_ptr<OutputFile>> file = OutputFile::create(*target, QStringLiteral("the attachment"));
    if (!file)
        return file.error();
    if ((*file)->device()->write(*content) != content->size())
        return makeError(ErrorCode::Storage,
            QStringLiteral("Cannot write the attachment as %1: %2 (nothing was written there)")
                .arg(target->path, (*file)->device()->errorString()));
    if (Status s = (*file)->commit(); !s)
        return s.error();
    return ExportedFile {target->path, meta->name, content->size(), sha};
}

Result<QList<BundleRecord>> Engine::bundles(const QString &reference)
{
    Result<Request> request = m_store.loadRequest(reference.trimmed().toUpper(), RequestDetail::Record);
    if (!request)
        return request.error();
    return m_store.bundles(request->id);
}

Result<BuiltBundle> Engine::buildBundle(const QString &reference, const QString &userName, const QString &outPath,
    const ProcessingRegister &processing, const ExemptionList &exemptions, const BundleProgressHook &progress,
    Overwrite overwrite)
{
    const QString ref = reference.trimmed().toUpper();
    Result<Request> request = m_store.loadRequest(ref, RequestDetail::Record);
    if (!request)
        return request.error();
    // The target is checked first, before anything is built or recorded:
    // never the register, a configuration file, a device or (unless asked)
    // an existing file.
    Result<OutputTarget> target
        = SafeOutput::resolve(outPath, ref + QStringLiteral(".zip"), overwrite, QStringLiteral("the bundle"));
    if (!target)
        return target.error();
    if (request->purgedAt.isValid())
        return makeError(
            ErrorCode::Refused, QStringLiteral("%1 was purged under the retention period; it has no case file").arg(ref));
    Result<User> user = requireUser(userName);
    if (!user)
        return user.error();
    if (request->right != QLatin1String("access") && request->right != QLatin1String("portability"))
        return makeError(ErrorCode::Refused,
            QStringLiteral("%1 is a %2 request: response bundles are for access and portability requests")
                .arg(ref, request->right));
    // Whether the workflow lets this user build it now, before the long part.
    // A request opened under a workflow version from before bundles existed
    // has no build-bundle action: an officer or the DPO may still build its
    // bundle while it is open, recorded by an audit event of the same name.
    Result<std::shared_ptr<const WorkflowDefinition>> pinned = definitionOf(*request);
    if (!pinned)
        return pinned.error();
    const bool legacy = !(*pinned)->transition(kBuildBundleAction);
    if (legacy) {
        if (request->closedAt.isValid())
            return makeError(
                ErrorCode::Refused, QStringLiteral("%1 is closed (%2): its case file is final").arg(ref, request->state));
        if (user->role != QLatin1String("officer") && user->role != QLatin1String("dpo"))
            return makeError(ErrorCode::Forbidden,
                QStringLiteral("%1 (role %2) may not build the bundle of %3; that needs the role officer or dpo")
                    .arg(user->name, user->role, ref));
    } else {
        Result<QList<ActionOffer>> offers = actions(*request, userName);
        if (!offers)
            return offers.error();
        const auto offer
            = std::find_if(offers->cbegin(), offers->cend(), [](const ActionOffer &o) { return o.name == kBuildBundleAction; });
        if (offer == offers->cend())
            return makeError(ErrorCode::Refused,
                QStringLiteral("%1 is %2: its workflow (%3) offers no '%4' there; a bundle is built once the data has been "
                               "reviewed (states with '%4')")
                    .arg(ref, request->state, request->workflowId, kBuildBundleAction));
        if (!offer->allowed)
            return makeError(ErrorCode::Refused, QStringLiteral("%1: %2").arg(ref, offer->whyNot));
    }
    Result<QList<CaseItem>> items = m_store.caseItems(request->id);
    if (!items)
        return items.error();

    const QDateTime builtAt = QDateTime::fromSecsSinceEpoch(m_clock.now().toSecsSinceEpoch(), Qt::UTC);
    // What the officer recorded as searched when collecting ended: the letter repeats it.
    QString searchRecord;
    Result<QList<AuditEvent>> events = m_store.auditEvents(ref);
    if (!events)
        return events.error();
    for (const AuditEvent &event : *events) {
        if (const QString searched = event.inputs.value(QStringLiteral("systems-searched")).toString(); !searched.isEmpty())
            searchRecord = searched;
    }
    const BundleBuilder::Input input {*request, *items, processing, exemptions, builtAt, today(), user->name, searchRecord};
    // Written beside the target and given its name only in the same step as
    // the record: a build that fails, or is not recorded, leaves nothing
    // behind, and a file already at that name as it was.
    Result<BuiltBundle> built = BundleBuilder::build(m_store, input, *target, progress);
    if (!built)
        return built.error();
    std::shared_ptr<OutputFile> output = built->output;
    built->output.reset();

    auto abandon = [&](const Error &error) -> Error {
        output.reset(); // the unplaced archive goes
        return makeError(
            error.code, QStringLiteral("%1 (no bundle was written: it could not be recorded)").arg(error.message), error.details);
    };
    Transaction tx(m_store);
    Result<Acting> acting = beginAction(tx, ref, userName);
    if (!acting)
        return abandon(acting.error());
    Result<QList<CaseItem>> now = m_store.caseItems(acting->request.id);
    if (!now)
        return abandon(now.error());
    if (BundleBuilder::caseFileDigest(*now) != built->manifest.caseFile)
        return abandon(makeError(ErrorCode::Conflict,
            QStringLiteral("the case file of %1 changed while its bundle was being written; build it again").arg(ref)));
    const QString fileName = QFileInfo(target->path).fileName();
    const QJsonObject facts {{QStringLiteral("bundle"),
        QJsonObject {{QStringLiteral("sha256"), built->sha256}, {QStringLiteral("size"), QString::number(built->size)},
            {QStringLiteral("entries"), built->entries}, {QStringLiteral("caseFile"), built->manifest.caseFile},
            {QStringLiteral("file"), fileName}}}};
    qint64 auditSeq = 0;
    if (legacy) {
        if (acting->request.version != request->version)
            return abandon(makeError(ErrorCode::Conflict,
                QStringLiteral("%1 changed while its bundle was being written (version %2, now %3); build it again")
                    .arg(ref)
                    .arg(request->version)
                    .arg(acting->request.version)));
        AuditEvent event = eventOn(acting->request, acting->user.name, kBuildBundleAction);
        event.inputs = facts;
        Result<AuditEvent> appended = m_store.appendAudit(event);
        if (!appended)
            return abandon(appended.error());
        auditSeq = appended->seq;
    } else {
        m_engineFacts = &facts;
        // The version the bundle was built from: a change to the request
        // meanwhile (an extension, a new address) would make its letter stale.
        Result<FireOutcome> outcome
            = fireInTransaction(acting->user, acting->request, kBuildBundleAction, {}, QString(), request->version);
        m_engineFacts = nullptr;
        if (!outcome)
            return abandon(outcome.error());
        auditSeq = outcome->event.seq;
    }
    BundleRecord record;
    record.requestId = acting->request.id;
    record.sha256 = built->sha256;
    record.size = built->size;
    record.entries = built->entries;
    record.caseFile = built->manifest.caseFile;
    record.fileName = fileName;
    record.builtBy = acting->user.name;
    record.builtAt = builtAt;
    record.auditSeq = auditSeq;
    if (Result<qint64> id = m_store.addBundle(record); !id)
        return abandon(id.error());
    // Small enough to go with the response e-mail: kept in the register, so
    // the worker attaches exactly these bytes wherever it runs.
    // The limit is on the e-mail as it travels: base64 makes the zip a third
    // bigger, and the notice itself needs room too.
    const qint64 onTheWire = built->size / 3 * 4 + 4 + 64 * 1024;
    if (onTheWire <= m_options.emailAttachmentLimit) {
        QFile zip(output->temporaryPath());
        if (!zip.open(QIODevice::ReadOnly))
            return abandon(
                makeError(ErrorCode::Storage, QStringLiteral("cannot read the bundle back: %1").arg(zip.errorString())));
        if (Status s = storeContent(acting->request.id, &zip, built->sha256, built->size); !s)
            return abandon(s.error());
    }
    // Named just before the commit, so that a name taken meanwhile (or a
    // folder that became read-only) stops the record; a commit that fails
    // then takes the name back, restoring a file it replaced.
    if (Status placed = output->place(); !placed)
        return abandon(placed.error());
    if (Status s = tx.commit(); !s) {
        output->rollback();
        return abandon(s.error());
    }
    output->finish();
    built->path = target->path;
    return built;
}

} // namespace rf
