// SPDX-License-Identifier: GPL-3.0-or-later
// The case file of a request: items added with their content in chunks under
// their SHA-256, marked disclosed, redacted or withheld with an exemption,
// read back intact, and deleted by a retention purge. Runs on SQLite and, as
// TestCaseFile.postgres, on PostgreSQL.
#include "Checks.h"
#include "TestSupport.h"

#include "bundle/Exemptions.h"
#include "bundle/ProcessingRegister.h"
#include "bundle/RecordSet.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

using namespace rf;

namespace {

const QString kAlice = QStringLiteral("alice");
const QString kCouncilTax = QStringLiteral("council-tax");
const QString kBills = QStringLiteral("Bills, payments and arrears");

const ProcessingRegister &processing()
{
    static const ProcessingRegister loaded = [] {
        Result<ProcessingRegister> r
            = ProcessingRegister::load(QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/resources/processing-register.example.json"));
        if (!r)
            qFatal("%s", qPrintable(r.error().fullText()));
        return *r;
    }();
    return loaded;
}

QString sha256Of(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QRandomGenerator generator(seed);
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char(generator.generate() & 0xFF);
    return bytes;
}

// A document item from bytes in memory.
Result<CaseItem> addDocument(test::Fixture &fx, const QString &ref, const QString &name, const QByteArray &bytes,
    const QString &source = kCouncilTax, const QString &category = kBills)
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    NewItem item;
    item.kind = CaseItem::kDocument;
    item.name = name;
    item.content = &buffer;
    item.source = source;
    item.category = category;
    item.date = QDate(2026, 2, 1);
    return fx.engine->addItem(ref, kAlice, item, processing());
}

Result<CaseItem> addRecords(test::Fixture &fx, const QString &ref, const QByteArray &json)
{
    NewItem item;
    item.kind = CaseItem::kRecords;
    item.name = QStringLiteral("account.json");
    item.records = json;
    item.source = kCouncilTax;
    item.category = kBills;
    return fx.engine->addItem(ref, kAlice, item, processing());
}

Result<CaseItem> mark(test::Fixture &fx, const QString &ref, int number, const QString &disposition,
    const QString &exemption = {}, const QByteArray *redacted = nullptr)
{
    QBuffer copy;
    ItemMarking marking;
    marking.disposition = disposition;
    marking.exemption = exemption;
    if (redacted) {
        copy.setData(*redacted);
        copy.open(QIODevice::ReadOnly);
        marking.redacted = &copy;
        marking.redactedName = QStringLiteral("redacted.pdf");
    }
    return fx.engine->markItem(ref, kAlice, number, marking, ExemptionList::shipped());
}

QString fileAccess(test::Fixture &fx)
{
    Result<FiledRequest> filed = fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), Engine::kIntakeActor);
    return filed ? filed->request.reference : QString();
}

Result<QByteArray> exported(test::Fixture &fx, const QString &ref, int number, bool redacted = false)
{
    QBuffer out;
    out.open(QIODevice::WriteOnly);
    if (Status s = fx.engine->exportItem(ref, number, redacted, &out); !s)
        return s.error();
    return out.data();
}

// How many rows a table holds for a request, read straight from the register.
int rowsFor(test::Fixture &fx, const QString &table, qint64 requestId)
{
    QSqlQuery query(QSqlDatabase::database(fx.store->connectionName()));
    query.prepare(QStringLiteral("SELECT count(*) FROM %1 WHERE request_id = ?").arg(table));
    query.addBindValue(requestId);
    if (!query.exec() || !query.next())
        return -1;
    return query.value(0).toInt();
}

QList<AuditEvent> eventsNamed(test::Fixture &fx, const QString &ref, const QString &action)
{
    QList<AuditEvent> found;
    Result<QList<AuditEvent>> all = fx.store->auditEvents(ref);
    for (const AuditEvent &e : all ? *all : QList<AuditEvent>()) {
        if (e.action == action)
            found << e;
    }
    return found;
}

} // namespace

class TestCaseFile : public QObject
{
    Q_OBJECT

private slots:
    void aDocumentIsKeptInChunksAndComesBackIntact()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx);
        QVERIFY(!ref.isEmpty());
        // Two and a half chunks: the last one is short.
        const QByteArray bytes = randomBytes(CaseItem::kChunkBytes * 5 / 2, 7);
        Result<CaseItem> added = addDocument(fx, ref, QStringLiteral("C:\\scans\\Bill 2025.pdf"), bytes);
        VERIFY_OK(added);
        QCOMPARE(added->number, 1);
        QCOMPARE(added->name, QStringLiteral("Bill 2025.pdf"));
        QCOMPARE(added->sha256, sha256Of(bytes));
        QCOMPARE(added->size, bytes.size());
        QCOMPARE(added->disposition, CaseItem::kPending);
        QCOMPARE(added->date, QDate(2026, 2, 1));
        Result<Request> request = fx.engine->request(ref);
        VERIFY_OK(request);
        Result<int> chunks = fx.store->contentChunks(request->id, added->sha256);
        VERIFY_OK(chunks);
        QCOMPARE(*chunks, 3);
        Result<QByteArray> last = fx.store->contentChunk(request->id, added->sha256, 2);
        VERIFY_OK(last);
        QCOMPARE(last->size(), CaseItem::kChunkBytes / 2);

        Result<QByteArray> back = exported(fx, ref, 1);
        VERIFY_OK(back);
        QCOMPARE(sha256Of(*back), sha256Of(bytes));

        const QList<AuditEvent> adds = eventsNamed(fx, ref, QStringLiteral("item-add"));
        QCOMPARE(adds.size(), 1);
        QCOMPARE(adds.constFirst().actor, kAlice);
        QCOMPARE(adds.constFirst().inputs.value(QStringLiteral("sha256")).toString(), sha256Of(bytes));
        QCOMPARE(adds.constFirst().inputs.value(QStringLiteral("item")).toInt(), 1);
        Result<AuditVerification> verified = fx.store->verifyAudit();
        VERIFY_OK(verified);
        QVERIFY(verified->intact);
    }

    void theSameContentIsStoredOnceAndNumbersFollowOn()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx);
        const QString other = fileAccess(fx);
        const QByteArray bytes = randomBytes(300000, 11);
        VERIFY_OK(addDocument(fx, ref, QStringLiteral("a.pdf"), bytes));
        Result<CaseItem> second = addDocument(fx, ref, QStringLiteral("copy of a.pdf"), bytes);
        VERIFY_OK(second);
        QCOMPARE(second->number, 2);
        Result<CaseItem> elsewhere = addDocument(fx, other, QStringLiteral("a.pdf"), bytes);
        VERIFY_OK(elsewhere);
        QCOMPARE(elsewhere->number, 1);
        const qint64 refId = fx.engine->request(ref)->id;
        const qint64 otherId = fx.engine->request(other)->id;
        QCOMPARE(rowsFor(fx, QStringLiteral("case_items"), refId), 2);
        // One copy per request: content is never shared between requests, so
        // a purge of one cannot touch another's.
        QCOMPARE(rowsFor(fx, QStringLiteral("item_contents"), refId), 1);
        QCOMPARE(rowsFor(fx, QStringLiteral("item_chunks"), refId), 1);
        QCOMPARE(rowsFor(fx, QStringLiteral("item_contents"), otherId), 1);
        Result<QList<CaseItem>> items = fx.engine->caseItems(ref);
        VERIFY_OK(items);
        QCOMPARE(items->size(), 2);
        QCOMPARE(items->at(0).sha256, items->at(1).sha256);
    }

    void recordsAreStoredInOneCanonicalForm()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx);
        Result<CaseItem> first = addRecords(fx, ref, QByteArrayLiteral(R"([{"b": 1, "a": "x"}, {"a": "y"}])"));
        VERIFY_OK(first);
        QCOMPARE(first->kind, CaseItem::kRecords);
        QCOMPARE(first->records, 2);
        Result<CaseItem> same = addRecords(fx, ref, QByteArrayLiteral("[\n  {\"a\": \"x\",\n \"b\": 1},\n  {\"a\": \"y\"}\n]\n"));
        VERIFY_OK(same);
        QCOMPARE(same->sha256, first->sha256);
        Result<QByteArray> stored = exported(fx, ref, 1);
        VERIFY_OK(stored);
        Result<RecordSet> set = RecordSet::parse(*stored, QStringLiteral("stored"));
        VERIFY_OK(set);
        QCOMPARE(set->columns(), (QStringList {QStringLiteral("a"), QStringLiteral("b")}));
        QCOMPARE(set->records().size(), 2);

        // Column order as given, when given.
        Result<CaseItem> ordered = addRecords(
            fx, ref, QByteArrayLiteral(R"({"columns": ["when", "what"], "records": [{"what": "Bill", "when": "2026-01-02"}]})"));
        VERIFY_OK(ordered);
        Result<RecordSet> orderedSet = RecordSet::parse(*exported(fx, ref, 3), QStringLiteral("stored"));
        VERIFY_OK(orderedSet);
        QCOMPARE(orderedSet->columns(), (QStringList {QStringLiteral("when"), QStringLiteral("what")}));
    }

    void badItemsAreRefusedWithEveryProblemNamed_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("category");
        QTest::addColumn<QByteArray>("records");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("unknown system") << QStringLiteral("parking") << kBills << QByteArray()
                                        << QStringList {
                                               QStringLiteral("'parking' is not a system"), QStringLiteral("council-tax")};
        QTest::newRow("no system") << QString() << kBills << QByteArray()
                                   << QStringList {QStringLiteral("source: say which system"), QStringLiteral("webchat")};
        QTest::newRow("category the system does not hold")
            << kCouncilTax << QStringLiteral("Parking fines") << QByteArray()
            << QStringList {QStringLiteral("'Parking fines' is not one category"), QStringLiteral("National Insurance number")};
        QTest::newRow("ambiguous start of a category")
            << QStringLiteral("webchat") << QStringLiteral("") << QByteArray() << QStringList {QStringLiteral("category:")};
        QTest::newRow("nested record") << kCouncilTax << kBills
                                       << QByteArrayLiteral(R"([{"address": {"line1": "3 Marsh Lane"}}])")
                                       << QStringList {QStringLiteral("$[0].address"), QStringLiteral("one value per column")};
        QTest::newRow("not JSON") << kCouncilTax << kBills << QByteArrayLiteral("[{\"a\": 1,]")
                                  << QStringList {QStringLiteral("account.json:1:")};
        QTest::newRow("no records") << kCouncilTax << kBills << QByteArrayLiteral("[]")
                                    << QStringList {QStringLiteral("there are no records")};
        QTest::newRow("column not listed") << kCouncilTax << kBills
                                           << QByteArrayLiteral(R"({"columns": ["a"], "records": [{"a": 1, "b": 2}]})")
                                           << QStringList {
                                                  QStringLiteral("$.records[0].b"), QStringLiteral("not one of the columns")};
    }

    void badItemsAreRefusedWithEveryProblemNamed()
    {
        QFETCH(QString, source);
        QFETCH(QString, category);
        QFETCH(QByteArray, records);
        QFETCH(QStringList, expected);
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx);
        QBuffer buffer;
        buffer.setData(QByteArrayLiteral("scan"));
        buffer.open(QIODevice::ReadOnly);
        NewItem item;
        item.kind = records.isNull() ? CaseItem::kDocument : CaseItem::kRecords;
        item.name = QStringLiteral("account.json");
        item.content = &buffer;
        item.records = records;
        item.source = source;
        item.category = category;
        Result<CaseItem> added = fx.engine->addItem(ref, kAlice, item, processing());
        QVERIFY(!added);
        QCOMPARE(added.error().code, ErrorCode::Invalid);
        const QString text = added.error().fullText();
        for (const QString &part : expected)
            QVERIFY2(text.contains(part), qPrintable(text));
        // Nothing was kept, nothing audited.
        QCOMPARE(rowsFor(fx, QStringLiteral("case_items"), fx.engine->request(ref)->id), 0);
        QCOMPARE(rowsFor(fx, QStringLiteral("item_contents"), fx.engine->request(ref)->id), 0);
        QVERIFY(eventsNamed(fx, ref, QStringLiteral("item-add")).isEmpty());
    }

    void theStartOfACategoryIsEnough()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx);
        Result<CaseItem> added
            = addDocument(fx, ref, QStringLiteral("bill.pdf"), QByteArrayLiteral("bill"), kCouncilTax, QStringLiteral("bills"));
        VERIFY_OK(added);
        QCOMPARE(added->category, kBills);
    }

    void itemsOnlyJoinOpenRequestsOfKnownUsers()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        QCOMPARE(
            addDocument(fx, QStringLiteral("DSR-2026-999999"), QStringLiteral("a.pdf"), "a").error().code, ErrorCode::NotFound);
        const QString ref = fileAccess(fx);
        QBuffer buffer;
        buffer.setData(QByteArrayLiteral("a"));
        buffer.open(QIODevice::ReadOnly);
        NewItem item {CaseItem::kDocument, QStringLiteral("a.pdf"), &buffer, {}, kCouncilTax, kBills, {}};
        QVERIFY(!fx.engine->addItem(ref, QStringLiteral("mallory"), item, processing()));
        VERIFY_OK(
            fx.engine->fire(ref, QStringLiteral("withdraw"), kAlice, {{QStringLiteral("reason"), QStringLiteral("done")}}, {}));
        Result<CaseItem> late = addDocument(fx, ref, QStringLiteral("a.pdf"), "a");
        QVERIFY(!late);
        QCOMPARE(late.error().code, ErrorCode::Refused);
        QVERIFY2(late.error().message.contains(QStringLiteral("closed")), qPrintable(late.error().message));
    }

    void markingFollowsTheExemptionRules_data()
    {
        QTest::addColumn<QString>("disposition");
        QTest::addColumn<QString>("exemption");
        QTest::addColumn<bool>("withCopy");
        QTest::addColumn<QString>("expected"); // empty: accepted
        QTest::newRow("disclose") << CaseItem::kDisclosed << QString() << false << QString();
        QTest::newRow("disclose with an exemption")
            << CaseItem::kDisclosed << QStringLiteral("third-party") << false << QStringLiteral("rests on no exemption");
        QTest::newRow("withhold without an exemption")
            << CaseItem::kWithheld << QString() << false << QStringLiteral("withholding needs the exemption");
        QTest::newRow("withhold with an unknown exemption") << CaseItem::kWithheld << QStringLiteral("embarrassing") << false
                                                            << QStringLiteral("'embarrassing' is not in the exemption list");
        QTest::newRow("withhold") << CaseItem::kWithheld << QStringLiteral("crime-and-taxation") << false << QString();
        QTest::newRow("redact without a copy")
            << CaseItem::kRedacted << QStringLiteral("third-party") << false << QStringLiteral("needs the redacted file");
        QTest::newRow("redact without an exemption")
            << CaseItem::kRedacted << QString() << true << QStringLiteral("redacting needs the exemption");
        QTest::newRow("redact on a withhold-only exemption") << CaseItem::kRedacted << QStringLiteral("confidential-references")
                                                             << true << QStringLiteral("not one that a redaction");
        QTest::newRow("redact") << CaseItem::kRedacted << QStringLiteral("third-party") << true << QString();
        QTest::newRow("a copy when not redacting")
            << CaseItem::kWithheld << QStringLiteral("third-party") << true << QStringLiteral("only a redacted item has one");
        QTest::newRow("unknown disposition") << QStringLiteral("hidden") << QString() << false << QStringLiteral("'hidden'");
    }

    void markingFollowsTheExemptionRules()
    {
        QFETCH(QString, disposition);
        QFETCH(QString, exemption);
        QFETCH(bool, withCopy);
        QFETCH(QString, expected);
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx);
        const QByteArray original = QByteArrayLiteral("Notes: Mrs Ellis and her neighbour Mr Jones");
        const QByteArray copy = QByteArrayLiteral("Notes: Mrs Ellis and her neighbour [redacted]");
        VERIFY_OK(addDocument(fx, ref, QStringLiteral("notes.pdf"), original));
        Result<CaseItem> marked = mark(fx, ref, 1, disposition, exemption, withCopy ? &copy : nullptr);
        const CaseItem stored = fx.engine->caseItems(ref)->constFirst();
        if (expected.isEmpty()) {
            VERIFY_OK(marked);
            QCOMPARE(stored.disposition, disposition);
            QCOMPARE(stored.exemption, exemption);
            QCOMPARE(stored.markedBy, kAlice);
            QCOMPARE(eventsNamed(fx, ref, QStringLiteral("item-mark")).size(), 1);
            if (disposition == CaseItem::kRedacted) {
                QCOMPARE(stored.redactedSha256, sha256Of(copy));
                QCOMPARE(*exported(fx, ref, 1, true), copy);
                QCOMPARE(*exported(fx, ref, 1, false), original);
            } else {
                QVERIFY(stored.redactedSha256.isEmpty());
                QVERIFY(!exported(fx, ref, 1, true));
            }
            return;
        }
        QVERIFY(!marked);
        QCOMPARE(marked.error().code, ErrorCode::Invalid);
        QVERIFY2(marked.error().fullText().contains(expected), qPrintable(marked.error().fullText()));
        QCOMPARE(stored.disposition, CaseItem::kPending);
        QVERIFY(eventsNamed(fx, ref, QStringLiteral("item-mark")).isEmpty());
    }

    void aRedactedCopyMustDifferAndAMarkCanChange()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx);
        const QByteArray original = QByteArrayLiteral("the same bytes");
        VERIFY_OK(addDocument(fx, ref, QStringLiteral("notes.pdf"), original));
        Result<CaseItem> same = mark(fx, ref, 1, CaseItem::kRedacted, QStringLiteral("third-party"), &original);
        QVERIFY(!same);
        QVERIFY2(same.error().message.contains(QStringLiteral("identical")), qPrintable(same.error().message));
        QCOMPARE(mark(fx, ref, 2, CaseItem::kDisclosed).error().code, ErrorCode::NotFound);

        const QByteArray copy = QByteArrayLiteral("the [redacted] bytes");
        VERIFY_OK(mark(fx, ref, 1, CaseItem::kRedacted, QStringLiteral("third-party"), &copy));
        // Changed to disclosed: the redacted copy no longer goes out.
        VERIFY_OK(mark(fx, ref, 1, CaseItem::kDisclosed));
        const CaseItem item = fx.engine->caseItems(ref)->constFirst();
        QCOMPARE(item.disposition, CaseItem::kDisclosed);
        QVERIFY(item.redactedSha256.isEmpty());
        QVERIFY(item.exemption.isEmpty());
        QCOMPARE(item.releasedSha256(), sha256Of(original));
        QCOMPARE(eventsNamed(fx, ref, QStringLiteral("item-mark")).size(), 2);
    }

    void aRedactedRecordSetMustBeRecords()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx);
        VERIFY_OK(addRecords(fx, ref, QByteArrayLiteral(R"([{"payer": "Mrs Ellis"}, {"payer": "Mr Jones"}])")));
        const QByteArray notRecords = QByteArrayLiteral("a scanned page");
        Result<CaseItem> bad = mark(fx, ref, 1, CaseItem::kRedacted, QStringLiteral("third-party"), &notRecords);
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, ErrorCode::Invalid);
        const QByteArray fewer = QByteArrayLiteral(R"([{"payer": "Mrs Ellis"}])");
        Result<CaseItem> good = mark(fx, ref, 1, CaseItem::kRedacted, QStringLiteral("third-party"), &fewer);
        VERIFY_OK(good);
        Result<RecordSet> set = RecordSet::parse(*exported(fx, ref, 1, true), QStringLiteral("copy"));
        VERIFY_OK(set);
        QCOMPARE(set->records().size(), 1);
    }

    void aPurgeDeletesTheCaseFile()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx);
        const QString kept = fileAccess(fx);
        const QByteArray bytes = randomBytes(CaseItem::kChunkBytes + 10, 3);
        VERIFY_OK(addDocument(fx, ref, QStringLiteral("bill.pdf"), bytes));
        VERIFY_OK(addRecords(fx, ref, QByteArrayLiteral(R"([{"amount": 12}])")));
        const QByteArray copy = QByteArrayLiteral("redacted");
        VERIFY_OK(mark(fx, ref, 1, CaseItem::kRedacted, QStringLiteral("third-party"), &copy));
        VERIFY_OK(addDocument(fx, kept, QStringLiteral("bill.pdf"), bytes));
        VERIFY_OK(
            fx.engine->fire(ref, QStringLiteral("withdraw"), kAlice, {{QStringLiteral("reason"), QStringLiteral("done")}}, {}));
        const qint64 id = fx.engine->request(ref)->id;
        QCOMPARE(rowsFor(fx, QStringLiteral("item_chunks"), id), 4); // two of the bill, one each of the records and the copy

        VERIFY_OK(fx.engine->setRetentionMonths(12, QStringLiteral("root")));
        fx.clock->set(fx.clock->now().addMonths(13));
        Result<PurgeSweep> sweep = fx.engine->purgeExpired();
        VERIFY_OK(sweep);
        QCOMPARE(sweep->purged, 1);
        QCOMPARE(rowsFor(fx, QStringLiteral("case_items"), id), 0);
        QCOMPARE(rowsFor(fx, QStringLiteral("item_contents"), id), 0);
        QCOMPARE(rowsFor(fx, QStringLiteral("item_chunks"), id), 0);
        QVERIFY(fx.engine->caseItems(ref)->isEmpty());
        const QList<AuditEvent> purges = eventsNamed(fx, ref, QStringLiteral("purge"));
        QCOMPARE(purges.size(), 1);
        QCOMPARE(purges.constFirst().inputs.value(QStringLiteral("items")).toInt(), 2);
        // The open request with the same bytes keeps its own copy.
        Result<QByteArray> other = exported(fx, kept, 1);
        VERIFY_OK(other);
        QCOMPARE(sha256Of(*other), sha256Of(bytes));
        // And a purged request takes no new items.
        QCOMPARE(addDocument(fx, ref, QStringLiteral("late.pdf"), "late").error().code, ErrorCode::Refused);
        Result<AuditVerification> verified = fx.store->verifyAudit();
        VERIFY_OK(verified);
        QVERIFY(verified->intact);
    }

    void damagedContentIsNoticed()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = fileAccess(fx);
        VERIFY_OK(addDocument(fx, ref, QStringLiteral("bill.pdf"), QByteArrayLiteral("the true bytes")));
        QSqlQuery query(QSqlDatabase::database(fx.store->connectionName()));
        query.prepare(QStringLiteral("UPDATE item_chunks SET data = ?"));
        query.addBindValue(QByteArrayLiteral("the fake bytes"));
        QVERIFY(query.exec());
        Result<QByteArray> back = exported(fx, ref, 1);
        QVERIFY(!back);
        QCOMPARE(back.error().code, ErrorCode::Storage);
        QVERIFY2(back.error().message.contains(QStringLiteral("does not match")), qPrintable(back.error().message));
    }
};

QTEST_GUILESS_MAIN(TestCaseFile)
#include "TestCaseFile.moc"
