// SPDX-License-Identifier: GPL-3.0-or-later
// Notices by e-mail end to end: a request's notices go from the outbox through
// `rightsflow worker --smtp` to a real SMTP server (aiosmtpd on loopback), and
// are read back with Python's email package. A relay that is down delays a
// notice and sends it once when it is back; a relay that refuses it parks it
// with the reason; a template with an unknown placeholder stops the worker
// before it sends anything. Runs on SQLite and, as TestNoticeMail.postgres,
// on PostgreSQL.
#include "Checks.h"
#include "CliRunner.h"
#include "SmtpServer.h"
#include "TestSupport.h"

#include "bundle/Exemptions.h"
#include "bundle/ProcessingRegister.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace rf;

namespace {

const QString kPython = QStringLiteral("/usr/bin/python3");
const QString kRegister = QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/resources/processing-register.example.json");
const QString kFrom = QStringLiteral("Example Borough Council <ig@example-council.gov.uk>");

// What Python's email package reads in a message.
const char kParseScript[] = R"PY(
import email, email.policy, hashlib, json, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
plain = m.get_body(("plain",))
html = m.get_body(("html",))
print(json.dumps({
    "subject": str(m["Subject"]), "to": m["To"].addresses[0].addr_spec, "toName": m["To"].addresses[0].display_name,
    "from": m["From"].addresses[0].addr_spec, "key": str(m["X-Rightsflow-Idempotency-Key"]),
    "messageId": str(m["Message-ID"]), "text": plain.get_content() if plain else "",
    "html": html.get_content() if html else "",
    "defects": len(m.defects) + sum(len(p.defects) for p in m.walk()),
    "attachments": [{"name": a.get_filename(), "type": a.get_content_type(),
                     "sha256": hashlib.sha256(a.get_payload(decode=True)).hexdigest()} for a in m.iter_attachments()]}))
)PY";

QJsonObject parsed(const QByteArray &bytes)
{
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("m.eml")));
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return {};
    file.close();
    const test::ToolRun run = test::runTool(kPython, {QStringLiteral("-c"), QString::fromUtf8(kParseScript), file.fileName()});
    if (run.exitCode != 0)
        qWarning().noquote() << run.describe();
    return QJsonDocument::fromJson(run.out).object();
}

QString nowText(test::Fixture &fx)
{
    return isoUtc(fx.clock->now());
}

// Runs one worker sweep on the fixture's register with the relay `url`.
test::ProcessRun sweep(test::Fixture &fx, const QString &url, const QStringList &extra = {})
{
    return test::runCli(QStringList {QStringLiteral("worker"), QStringLiteral("--once"), QStringLiteral("--db"), fx.location(),
                            QStringLiteral("--smtp"), url, QStringLiteral("--processing-register"), kRegister}
            + extra,
        {{QStringLiteral("RIGHTSFLOW_NOW"), nowText(fx)}, {QStringLiteral("RIGHTSFLOW_MAIL_FROM"), kFrom}});
}

QString relay(quint16 port, const QString &options = QStringLiteral("?starttls=none"))
{
    return QStringLiteral("smtp://127.0.0.1:%1%2").arg(port).arg(options);
}

// A request whose acknowledgement is queued for the requester's e-mail.
QString acknowledged(test::Fixture &fx)
{
    IntakeForm form = test::sampleForm(QStringLiteral("access"));
    form.requester.name = QStringLiteral("Zoë Ní Bhriain");
    Result<FiledRequest> filed = fx.engine->fileRequest(form, Engine::kIntakeActor);
    if (!filed)
        return {};
    if (!fx.engine->fire(filed->request.reference, QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}))
        return {};
    return filed->request.reference;
}

QList<OutboxMessage> messagesOf(test::Fixture &fx, const QString &reference)
{
    Result<QList<OutboxMessage>> all = fx.store->outbox(reference);
    return all ? *all : QList<OutboxMessage>();
}

// An access request in ready-to-send with one disclosed document, its bundle
// built by an engine whose e-mail attachment limit is `limit`.
Result<BuiltBundle> readyWithBundle(test::Fixture &fx, qint64 limit, const QString &folder, QString *reference)
{
    const QString ref = acknowledged(fx);
    *reference = ref;
    const QString alice = QStringLiteral("alice");
    if (ref.isEmpty() || !fx.engine->fire(ref, QStringLiteral("start-work"), alice, {}, {})
        || !fx.engine->fire(
            ref, QStringLiteral("collected"), alice, {{QStringLiteral("systems-searched"), QStringLiteral("Council Tax")}}, {}))
        return makeError(ErrorCode::Invalid, QStringLiteral("could not drive %1 to reviewing").arg(ref));
    Result<ProcessingRegister> council = ProcessingRegister::load(kRegister);
    if (!council)
        return council.error();
    QBuffer bill;
    bill.setData(QByteArrayLiteral("Council Tax bill 2026/27, account CT-0042"));
    bill.open(QIODevice::ReadOnly);
    NewItem item {
        CaseItem::kDocument, QStringLiteral("Bill.txt"), &bill, {}, QStringLiteral("council-tax"), QStringLiteral("Bills"), {}};
    Result<CaseItem> added = fx.engine->addItem(ref, alice, item, *council);
    if (!added)
        return added.error();
    if (Result<CaseItem> marked = fx.engine->markItem(
            ref, alice, added->number, ItemMarking {CaseItem::kDisclosed, {}, nullptr, {}}, ExemptionList::shipped());
        !marked)
        return marked.error();
    if (!fx.engine->fire(ref, QStringLiteral("review-complete"), alice, {}, {}))
        return makeError(ErrorCode::Invalid, QStringLiteral("could not move %1 to ready-to-send").arg(ref));
    EngineOptions options;
    options.emailAttachmentLimit = limit;
    Engine engine(*fx.store, fx.library, *fx.clock, ActionRegistry::builtin(), options);
    return engine.buildBundle(
        ref, alice, QDir(folder).filePath(ref + QStringLiteral(".zip")), *council, ExemptionList::shipped());
}

// The message in `received` whose subject contains `words`.
QJsonObject mailAbout(const QList<test::Received> &received, const QString &words)
{
    for (const test::Received &r : received) {
        const QJsonObject mail = parsed(r.data);
        if (mail.value(QStringLiteral("subject")).toString().contains(words))
            return mail;
    }
    return {};
}

} // namespace

class TestNoticeMail : public QObject
{
    Q_OBJECT

private slots:
    void theAcknowledgementArrivesAsTheRequesterShouldReadIt()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = acknowledged(fx);
        QVERIFY(!ref.isEmpty());
        START_SERVER(server, {});
        const test::ProcessRun run = sweep(fx, relay(server.port()));
        QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
        const QList<test::Received> received = server.received();
        QCOMPARE(received.size(), 1);
        const QJsonObject mail = parsed(received.constFirst().data);
        QCOMPARE(mail.value(QStringLiteral("defects")).toInt(), 0);
        QCOMPARE(mail.value(QStringLiteral("to")).toString(), QStringLiteral("m.ellis@example.org"));
        QCOMPARE(mail.value(QStringLiteral("toName")).toString(), QStringLiteral("Zoë Ní Bhriain"));
        QCOMPARE(mail.value(QStringLiteral("from")).toString(), QStringLiteral("ig@example-council.gov.uk"));
        QVERIFY2(mail.value(QStringLiteral("subject")).toString().contains(ref),
            qPrintable(mail.value(QStringLiteral("subject")).toString()));
        const QList<OutboxMessage> outbox = messagesOf(fx, ref);
        QCOMPARE(outbox.size(), 1);
        QCOMPARE(outbox.constFirst().status, QStringLiteral("sent"));
        QCOMPARE(mail.value(QStringLiteral("key")).toString(), outbox.constFirst().idempotencyKey);
        // Dates the British way, the council's contacts from the processing register.
        const QString text = mail.value(QStringLiteral("text")).toString();
        const Request request = *fx.engine->request(ref);
        QVERIFY2(text.contains(DeadlineCalculator::britishDate(request.deadline.due)), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Zoë Ní Bhriain")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Example Borough Council")), qPrintable(text));
        QVERIFY2(!text.contains(QStringLiteral("{{")), qPrintable(text));
        QVERIFY(mail.value(QStringLiteral("html")).toString().contains(ref));
    }

    void aRelayThatIsDownDelaysTheNoticeAndItIsSentOnce()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = acknowledged(fx);
        QVERIFY(!ref.isEmpty());
        // Nobody listens on the relay's port yet.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();
        const test::ProcessRun down = sweep(fx, relay(port));
        QVERIFY2(down.exitCode == 0, qPrintable(down.describe()));
        OutboxMessage queued = messagesOf(fx, ref).constFirst();
        QCOMPARE(queued.status, QStringLiteral("queued"));
        QCOMPARE(queued.attempts, 1);
        QVERIFY2(queued.lastError.contains(QStringLiteral("connect")), qPrintable(queued.lastError));

        // Back up, after the retry time: sent once, and never again.
        START_SERVER(server, {QStringLiteral("--port"), QString::number(port)});
        fx.clock->set(queued.nextAttemptAt);
        QVERIFY2(sweep(fx, relay(port)).exitCode == 0, "the second sweep failed");
        QVERIFY2(sweep(fx, relay(port)).exitCode == 0, "the third sweep failed");
        QCOMPARE(server.received().size(), 1);
        QCOMPARE(messagesOf(fx, ref).constFirst().status, QStringLiteral("sent"));
        QCOMPARE(parsed(server.received().constFirst().data).value(QStringLiteral("key")).toString(), queued.idempotencyKey);
    }

    void aRelayThatGoesAwayMidRunLosesNothingAndSendsNothingTwice()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        QStringList refs;
        for (int i = 0; i < 12; ++i) {
            refs << acknowledged(fx);
            QVERIFY(!refs.constLast().isEmpty());
        }
        // The relay takes five notices and dies as the sixth begins.
        START_SERVER(first, {QStringLiteral("--exit-after"), QStringLiteral("5")});
        const quint16 port = first.port();
        QVERIFY(sweep(fx, relay(port)).exitCode == 0);
        QCOMPARE(first.received().size(), 5);
        QList<OutboxMessage> all;
        for (const QString &ref : refs)
            all += messagesOf(fx, ref);
        QCOMPARE(all.size(), 12);
        QDateTime retryAt;
        int sent = 0;
        for (const OutboxMessage &m : all) {
            if (m.status == QLatin1String("sent")) {
                ++sent;
                continue;
            }
            QCOMPARE(m.status, QStringLiteral("queued"));
            QVERIFY2(!m.lastError.isEmpty(), qPrintable(m.idempotencyKey));
            retryAt = std::max(retryAt, m.nextAttemptAt);
        }
        QCOMPARE(sent, 5);

        // Back on the same port: the other seven go, each once.
        START_SERVER(second, {QStringLiteral("--port"), QString::number(port)});
        fx.clock->set(retryAt);
        QVERIFY(sweep(fx, relay(port)).exitCode == 0);
        QVERIFY(sweep(fx, relay(port)).exitCode == 0);
        QCOMPARE(second.received().size(), 7);
        QStringList keys;
        for (const test::Received &r : first.received() + second.received())
            keys << parsed(r.data).value(QStringLiteral("key")).toString();
        keys.sort();
        QStringList expected;
        for (const QString &ref : refs) {
            for (const OutboxMessage &m : messagesOf(fx, ref)) {
                expected << m.idempotencyKey;
                QCOMPARE(m.status, QStringLiteral("sent"));
            }
        }
        expected.sort();
        QCOMPARE(keys, expected);
    }

    void aRelayThatRefusesTheNoticeParksItWithTheReason()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = acknowledged(fx);
        QVERIFY(!ref.isEmpty());
        START_SERVER(server, {QStringLiteral("--reply-code"), QStringLiteral("RCPT:550")});
        QVERIFY(sweep(fx, relay(server.port())).exitCode == 0);
        const OutboxMessage parked = messagesOf(fx, ref).constFirst();
        QCOMPARE(parked.status, QStringLiteral("parked"));
        QVERIFY2(parked.lastError.contains(QStringLiteral("550")), qPrintable(parked.lastError));
        QCOMPARE(server.received().size(), 0);
    }

    void aTemplateWithAnUnknownPlaceholderStopsTheWorkerFirst()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = acknowledged(fx);
        QVERIFY(!ref.isEmpty());
        // The council's own set: the shipped one with a mistake in it.
        QTemporaryDir templates;
        for (const QString &name : QDir(QStringLiteral(":/templates")).entryList(QDir::Files)) {
            QFile in(QStringLiteral(":/templates/") + name);
            QVERIFY(in.open(QIODevice::ReadOnly));
            QByteArray bytes = in.readAll();
            if (name == QLatin1String("acknowledgement.txt"))
                bytes.replace("{{reference}}", "{{referance}}");
            QFile out(templates.filePath(name));
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(bytes);
        }
        START_SERVER(server, {});
        const test::ProcessRun run = sweep(fx, relay(server.port()), {QStringLiteral("--templates"), templates.path()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("acknowledgement.txt")) && run.err.contains(QStringLiteral("referance")),
            qPrintable(run.describe()));
        QCOMPARE(server.received().size(), 0);
        QCOMPARE(messagesOf(fx, ref).constFirst().status, QStringLiteral("queued"));
        QCOMPARE(messagesOf(fx, ref).constFirst().attempts, 0);
    }

    void theResponseCarriesTheBundleWhoseHashTheAuditTrailHolds()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        QTemporaryDir folder;
        QString ref;
        Result<BuiltBundle> built = readyWithBundle(fx, 10 * 1024 * 1024, folder.path(), &ref);
        VERIFY_OK(built);
        VERIFY_OK(fx.engine->fire(ref, QStringLiteral("send-response"), QStringLiteral("alice"),
            {{QStringLiteral("delivery"), QStringLiteral("email")}}, {}));
        START_SERVER(server, {});
        const test::ProcessRun run = sweep(fx, relay(server.port()));
        QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
        const QJsonObject response = mailAbout(server.received(), QStringLiteral("our response"));
        QVERIFY2(!response.isEmpty(), "no response e-mail arrived");
        QCOMPARE(response.value(QStringLiteral("defects")).toInt(), 0);
        const QJsonArray attachments = response.value(QStringLiteral("attachments")).toArray();
        QCOMPARE(attachments.size(), 1);
        const QJsonObject zip = attachments.first().toObject();
        QCOMPARE(zip.value(QStringLiteral("name")).toString(), ref + QStringLiteral(".zip"));
        QCOMPARE(zip.value(QStringLiteral("type")).toString(), QStringLiteral("application/zip"));
        QCOMPARE(zip.value(QStringLiteral("sha256")).toString(), built->sha256);
        // The same hash as the audit trail's build-bundle event.
        bool recorded = false;
        const Result<QList<AuditEvent>> trail = fx.store->auditEvents(ref);
        VERIFY_OK(trail);
        for (const AuditEvent &e : *trail) {
            if (e.action == Engine::kBuildBundleAction)
                recorded = e.inputs.value(QStringLiteral("bundle")).toObject().value(QStringLiteral("sha256")).toString()
                    == built->sha256;
        }
        QVERIFY(recorded);
        QVERIFY2(response.value(QStringLiteral("text")).toString().contains(QStringLiteral("attached zip file")),
            qPrintable(response.value(QStringLiteral("text")).toString()));
    }

    void theResponseWaitsForABundleOfTheCaseFileAsItIsNow()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        QTemporaryDir folder;
        QString ref;
        Result<BuiltBundle> built = readyWithBundle(fx, 10 * 1024 * 1024, folder.path(), &ref);
        VERIFY_OK(built);
        // Item 1 is withheld after the bundle was built: the bundle is stale.
        VERIFY_OK(fx.engine->markItem(ref, QStringLiteral("alice"), 1,
            ItemMarking {CaseItem::kWithheld, QStringLiteral("third-party"), nullptr, {}}, ExemptionList::shipped()));
        const QMap<QString, QString> byEmail {{QStringLiteral("delivery"), QStringLiteral("email")}};
        for (const QString &action : {QStringLiteral("send-response"), QStringLiteral("send-by-download")}) {
            const Result<FireOutcome> stale = fx.engine->fire(ref, action, QStringLiteral("alice"),
                action == QLatin1String("send-response") ? byEmail : QMap<QString, QString>(), {});
            QVERIFY2(!stale, qPrintable(action));
            QCOMPARE(stale.error().code, ErrorCode::Refused);
            QVERIFY2(stale.error().message.contains(QStringLiteral("changed since its bundle was built")),
                qPrintable(stale.error().message));
        }
        Result<ProcessingRegister> council = ProcessingRegister::load(kRegister);
        VERIFY_OK(council);
        VERIFY_OK(fx.engine->buildBundle(
            ref, QStringLiteral("alice"), folder.filePath(QStringLiteral("again.zip")), *council, ExemptionList::shipped()));
        VERIFY_OK(fx.engine->fire(ref, QStringLiteral("send-response"), QStringLiteral("alice"), byEmail, {}));
    }

    void theLimitIsOnTheMessageNotTheZip()
    {
        // How big this case's bundle is, on a register of its own.
        qint64 zipSize = 0;
        {
            test::Fixture probe;
            QVERIFY(probe.setUp());
            QTemporaryDir folder;
            QString ref;
            Result<BuiltBundle> built = readyWithBundle(probe, 10 * 1024 * 1024, folder.path(), &ref);
            VERIFY_OK(built);
            zipSize = built->size;
        }
        // The same case with a limit the zip meets but its base64 e-mail
        // does not: it is not kept for e-mail, and e-mail is refused.
        test::Fixture fx;
        QVERIFY(fx.setUp());
        QTemporaryDir folder;
        QString ref;
        Result<BuiltBundle> built = readyWithBundle(fx, zipSize + 1024, folder.path(), &ref);
        VERIFY_OK(built);
        QCOMPARE(built->size, zipSize);
        const Result<FireOutcome> byEmail = fx.engine->fire(ref, QStringLiteral("send-response"), QStringLiteral("alice"),
            {{QStringLiteral("delivery"), QStringLiteral("email")}}, {});
        QVERIFY(!byEmail);
        QVERIFY2(byEmail.error().message.contains(QStringLiteral("secure download")), qPrintable(byEmail.error().message));
    }

    void aResponseByPostCarriesNoAttachment()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        QTemporaryDir folder;
        QString ref;
        Result<BuiltBundle> built = readyWithBundle(fx, 10 * 1024 * 1024, folder.path(), &ref);
        VERIFY_OK(built);
        VERIFY_OK(fx.engine->fire(ref, QStringLiteral("send-response"), QStringLiteral("alice"),
            {{QStringLiteral("delivery"), QStringLiteral("post")}}, {}));
        START_SERVER(server, {});
        QVERIFY(sweep(fx, relay(server.port())).exitCode == 0);
        const QJsonObject response = mailAbout(server.received(), QStringLiteral("our response"));
        QVERIFY2(!response.isEmpty(), "no response e-mail arrived");
        QVERIFY(response.value(QStringLiteral("attachments")).toArray().isEmpty());
        QVERIFY2(response.value(QStringLiteral("text")).toString().contains(QStringLiteral("sent by post")),
            qPrintable(response.value(QStringLiteral("text")).toString()));
    }

    void aBundleTooLargeForEmailIsNotAttached()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        QTemporaryDir folder;
        QString ref;
        Result<BuiltBundle> built = readyWithBundle(fx, 1000, folder.path(), &ref);
        VERIFY_OK(built);
        QVERIFY(built->size > 1000);
        // By e-mail it is refused: the bundle would not go with it.
        const Result<FireOutcome> byEmail = fx.engine->fire(ref, QStringLiteral("send-response"), QStringLiteral("alice"),
            {{QStringLiteral("delivery"), QStringLiteral("email")}}, {});
        QVERIFY(!byEmail);
        QCOMPARE(byEmail.error().code, ErrorCode::Refused);
        QVERIFY2(byEmail.error().message.contains(QStringLiteral("secure download")), qPrintable(byEmail.error().message));
        // The request waits for the download, in a state that says so.
        Result<FireOutcome> byDownload
            = fx.engine->fire(ref, QStringLiteral("send-by-download"), QStringLiteral("alice"), {}, {});
        VERIFY_OK(byDownload);
        QCOMPARE(byDownload->request.state, QStringLiteral("awaiting-download"));
        QVERIFY(!byDownload->request.closedAt.isValid());
        START_SERVER(server, {});
        QVERIFY(sweep(fx, relay(server.port())).exitCode == 0);
        const QJsonObject response = mailAbout(server.received(), QStringLiteral("our response"));
        QVERIFY2(!response.isEmpty(), "no response e-mail arrived");
        QVERIFY(response.value(QStringLiteral("attachments")).toArray().isEmpty());
        const QString text = response.value(QStringLiteral("text")).toString();
        QVERIFY2(text.contains(QStringLiteral("download it securely")) && text.contains(QStringLiteral("zip password")),
            qPrintable(text));
        Result<FireOutcome> done = fx.engine->fire(ref, QStringLiteral("download-provided"), QStringLiteral("alice"),
            {{QStringLiteral("how"), QStringLiteral("Link sent from the council's file transfer service")}}, {});
        VERIFY_OK(done);
        QCOMPARE(done->request.state, QStringLiteral("completed"));
        QVERIFY(done->request.respondedAt.isValid());
    }

    void aNoticeWithoutATemplateStopsTheWorkerFirst()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const QString ref = acknowledged(fx);
        QVERIFY(!ref.isEmpty());
        // A council's own set that lacks the extension notice.
        QTemporaryDir templates;
        for (const QString &name : QDir(QStringLiteral(":/templates")).entryList(QDir::Files)) {
            if (name.startsWith(QLatin1String("extension.")))
                continue;
            QVERIFY(QFile::copy(QStringLiteral(":/templates/") + name, templates.filePath(name)));
        }
        START_SERVER(server, {});
        const test::ProcessRun run = sweep(fx, relay(server.port()), {QStringLiteral("--templates"), templates.path()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("extension (workflow access)")), qPrintable(run.describe()));
        QCOMPARE(server.received().size(), 0);
        QCOMPARE(messagesOf(fx, ref).constFirst().attempts, 0);
    }

    void lettersWaitForADropFolderAndGoThereWhenGiven()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        IntakeForm form = test::sampleForm(QStringLiteral("access"));
        form.requester.email.clear();
        form.requester.address = QStringLiteral("3 Marsh Lane, Bootle");
        Result<FiledRequest> filed = fx.engine->fileRequest(form, Engine::kIntakeActor);
        QVERIFY(filed);
        const QString ref = filed->request.reference;
        QVERIFY(fx.engine->fire(ref, QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}));
        START_SERVER(server, {});
        QVERIFY(sweep(fx, relay(server.port())).exitCode == 0);
        OutboxMessage letter = messagesOf(fx, ref).constFirst();
        QCOMPARE(letter.channel, QStringLiteral("post"));
        QCOMPARE(letter.status, QStringLiteral("queued"));
        QVERIFY2(letter.lastError.contains(QStringLiteral("--drop-dir")), qPrintable(letter.lastError));

        QTemporaryDir drop;
        fx.clock->set(letter.nextAttemptAt);
        QVERIFY(sweep(fx, relay(server.port()), {QStringLiteral("--drop-dir"), drop.path()}).exitCode == 0);
        QCOMPARE(messagesOf(fx, ref).constFirst().status, QStringLiteral("sent"));
        QCOMPARE(QDir(drop.filePath(QStringLiteral("post"))).entryList(QDir::Files).size(), 1);
        QCOMPARE(server.received().size(), 0);
    }
};

QTEST_MAIN(TestNoticeMail)
#include "TestNoticeMail.moc"
