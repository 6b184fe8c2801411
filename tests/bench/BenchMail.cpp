// SPDX-License-Identifier: GPL-3.0-or-later
//
// bench_mail: how fast the worker delivers e-mail notices to the council's
// relay, and in how much memory. The issue's wording: messages per second
// delivered to the local server from a queue of 1,000 notices with one 1 MB
// attachment in every tenth, and the peak memory while doing it. It prints
// the figures and asserts nothing about them (STYLE.md, habit 12); it does
// fail when the mail that arrived is not the mail that was queued.
//
// Run it from a Release build, by hand:
//
//   bench_mail                        1,000 notices, a 1 MB bundle in every tenth
//   bench_mail --notices 5000 --every 20 --attachment-kb 2048
//   bench_mail --dir /srv/scratch     somewhere else (--keep keeps the files)
//
// What each figure means (MB are MiB):
//   1. the queue, made in this process and not part of the figures after it:
//      a fresh SQLite register with the shipped workflows and the IG team,
//      and one access request per notice position, each acknowledged by
//      e-mail (the acknowledgement is one notice). Every tenth position is
//      instead the response to the access request acknowledged at the start
//      of its ten: that request gets one document of 1 MB of random bytes
//      (incompressible, as scans are), marked disclosed; its bundle is built
//      (small enough for e-mail, so the register keeps it) and the response
//      is sent with delivery=email, which queues the response notice with
//      the bundle to attach. So in queue order every tenth message carries
//      an attachment. The outbox is counted before anything is timed.
//   2. delivery: the test suites' SMTP server (tests/mail/smtp-server.py,
//      aiosmtpd on loopback, plain SMTP, writing each message to a file) is
//      started, then one `rightsflow worker --once --smtp ...` sweep runs as
//      a child process, as cron runs it. "wall s" is from spawning it to
//      reaping it; messages/s and MB/s are the messages and the bytes the
//      server received (the sum of its .eml files) over that; peak RSS is the
//      worker's ru_maxrss from wait4(), CPU its user and system time.
//   3. verification: the server received every queued message once (by the
//      idempotency key each carries), the right number with an attachment,
//      and the outbox holds every message as sent.
//   4. where the time goes: from the times the server wrote each message,
//      the time from one message to the next (what a message costs: the
//      worker claiming, composing and recording it, one SMTP session for it,
//      the server taking it), split by messages with and without a bundle.
//      Beside it the server alone: the same .eml bytes sent again by
//      Python's smtplib to a fresh server, timed inside Python, once with a
//      session per message (as the worker does) and once in one session.
//      The worker's wall time less the first is what the worker itself
//      adds. Then the CPU time per message of the worker and of the server
//      during the sweep (they overlap on two cores, so they are not summed).

#include "BenchEngine.h"
#include "BenchSupport.h"
#include "bundle/Exemptions.h"
#include "bundle/ProcessingRegister.h"
#include "core/Clock.h"
#include "store/SqlStore.h"
#include "workflow/Engine.h"
#include "workflow/WorkflowLoader.h"

#include <QBuffer>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QStorageInfo>
#include <QTemporaryDir>
#include <QThread>
#include <QTimeZone>

#include <unistd.h>

#include <cstring>
#include <optional>
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
// The register keeps a bundle for e-mail up to EngineOptions' default limit
// (10 MB); the letter, README and manifest need room beside the document.
constexpr int kMaxAttachmentKb = 9 * 1024;
constexpr int kDefaultBatch = 2000;
constexpr qint64 kSpaceMarginBytes = 256 * kMiB;

const QString kOfficer = QStringLiteral("alice");
const QString kSource = QStringLiteral("council-tax");
const QString kCategory = QStringLiteral("Bills, payments and arrears");
const QString kPython = QStringLiteral("/usr/bin/python3"); // Debian's, with python3-aiosmtpd
const QByteArray kMailFrom = QByteArrayLiteral("Example Borough Council <ig@example-council.gov.uk>");
const QByteArray kAttachmentMark = QByteArrayLiteral("Content-Disposition: attachment");

QString smtpServerScript()
{
    return QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/tests/mail/smtp-server.py");
}

QString perSecond(double amount, double seconds, int decimals = 1)
{
    return seconds > 0 ? fixed(amount / seconds, decimals) : QStringLiteral("-");
}

QString okOr(bool ok, const QString &otherwise = QStringLiteral("MISMATCH"))
{
    return ok ? QStringLiteral("ok") : otherwise;
}

// --- 1. the queue ----------------------------------------------------------------------

struct QueueShape {
    int notices = 1000;
    int every = 10; // every Nth message carries a bundle; 0: none does
    qint64 attachmentBytes = 1024 * kKiB; // the one document in each of those bundles

    [[nodiscard]] int attachments() const { return every > 0 ? notices / every : 0; }
    // 1-based position in the queue: does the message there carry a bundle?
    [[nodiscard]] bool carriesBundle(int position) const { return every > 0 && position % every == 0; }
};

struct Prepared {
    int requests = 0;
    int bundles = 0;
    qint64 smallestBundle = 0;
    qint64 largestBundle = 0;
    double seconds = 0;
    double bundleSeconds = 0; // of which: adding the documents, building the bundles, sending the responses
};

Status fireAction(Engine &engine, const QString &reference, const QString &action, const QMap<QString, QString> &inputs = {})
{
    Result<FireOutcome> fired = engine.fire(reference, action, kOfficer, inputs, QString());
    if (!fired)
        return makeError(fired.error().code, QStringLiteral("'%1' on %2: %3").arg(action, reference, fired.error().fullText()));
    return {};
}

// Files an access request from requester number `n` and acknowledges it:
// one e-mail notice queued.
Result<QString> fileAndAcknowledge(Engine &engine, int n, const QDateTime &now)
{
    const QString number = QStringLiteral("%1").arg(n, 4, 10, QLatin1Char('0'));
    IntakeForm form;
    form.right = QStringLiteral("access");
    form.channel = QStringLiteral("email");
    form.requester = Person {QStringLiteral("Requester %1").arg(number), QStringLiteral("requester%1@example.org").arg(number),
        {}, {}, QStringLiteral("L20 7AB")};
    form.scope = QStringLiteral("Everything the council holds about me");
    form.assignee = kOfficer;
    form.received = now.addSecs(-3600);
    Result<FiledRequest> filed = engine.fileRequest(form, Engine::kIntakeActor);
    if (!filed)
        return filed.error();
    const QString reference = filed->request.reference;
    if (Status s = fireAction(engine, reference, QStringLiteral("acknowledge")); !s)
        return s.error();
    return reference;
}

// Takes an acknowledged access request to its response by e-mail: one
// document of random bytes, disclosed; the bundle built (and kept in the
// register for e-mail); send-response queues the notice that carries it.
Result<qint64> respondWithBundle(Engine &engine, const QString &reference, qint64 documentBytes, quint32 seed,
    const ProcessingRegister &processing, const QString &folder)
{
    if (Status s = fireAction(engine, reference, QStringLiteral("start-work")); !s)
        return s.error();
    if (Status s = fireAction(engine, reference, QStringLiteral("collected"),
            {{QStringLiteral("systems-searched"), QStringLiteral("Council Tax (revenues system and document store)")}});
        !s)
        return s.error();

    // A scanned letter: a JPEG's first bytes, then random ones.
    QByteArray bytes(qsizetype(documentBytes), Qt::Uninitialized);
    std::vector<quint32> words(std::size_t((documentBytes + 3) / 4));
    QRandomGenerator(seed).fillRange(words.data(), qsizetype(words.size()));
    std::memcpy(bytes.data(), words.data(), std::size_t(documentBytes));
    const QByteArray jfif("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00", 20);
    std::memcpy(bytes.data(), jfif.constData(), std::size_t(qMin(jfif.size(), bytes.size())));
    QBuffer content(&bytes);
    content.open(QIODevice::ReadOnly);
    const NewItem item {
        CaseItem::kDocument, QStringLiteral("scanned-letter.jpg"), &content, QByteArray(), kSource, kCategory, QDate()};
    Result<CaseItem> stored = engine.addItem(reference, kOfficer, item, processing);
    if (!stored)
        return stored.error();
    const ItemMarking disclosed {CaseItem::kDisclosed, QString(), nullptr, QString()};
    if (Result<CaseItem> marked = engine.markItem(reference, kOfficer, stored->number, disclosed, ExemptionList::shipped());
        !marked)
        return marked.error();
    if (Status s = fireAction(engine, reference, QStringLiteral("review-complete")); !s)
        return s.error();

    const QString zip = QDir(folder).filePath(reference + QStringLiteral(".zip"));
    Result<BuiltBundle> built = engine.buildBundle(reference, kOfficer, zip, processing, ExemptionList::shipped());
    if (!built)
        return built.error();
    // The register holds the copy the worker attaches: this one is not needed.
    QFile::remove(zip);
    if (built->size > engine.options().emailAttachmentLimit)
        return makeError(ErrorCode::Invalid,
            QStringLiteral("the bundle of %1 is %2 MB, over the %3 MB the register keeps for e-mail: it would not be attached")
                .arg(reference, fixed(mb(built->size)), fixed(mb(engine.options().emailAttachmentLimit))));
    if (Status s
        = fireAction(engine, reference, QStringLiteral("send-response"), {{QStringLiteral("delivery"), QStringLiteral("email")}});
        !s)
        return s.error();
    return built->size;
}

// A fresh register holding the queue `shape` describes, in queue order.
// The register is closed on return, for the worker to open.
Result<Prepared> prepareQueue(const QString &registerFile, const QString &folder, const QueueShape &shape,
    const ProcessingRegister &processing, const QDateTime &now)
{
    test::ScratchEngine scratch(registerFile, now);
    if (Status s = scratch.open(); !s)
        return s.error();
    Engine &engine = *scratch.engine;

    Prepared prepared;
    QElapsedTimer total;
    total.start();
    QElapsedTimer bundling;
    qint64 bundleNanoseconds = 0;
    QString awaiting; // acknowledged at the start of its run of `every`; its response ends the run
    int tenth = 0;
    for (int position = 1; position <= shape.notices; ++position) {
        if (shape.carriesBundle(position)) {
            bundling.start();
            Result<qint64> size
                = respondWithBundle(engine, awaiting, shape.attachmentBytes, kSeed + quint32(position), processing, folder);
            if (!size)
                return size.error();
            bundleNanoseconds += bundling.nsecsElapsed();
            prepared.smallestBundle = prepared.bundles == 0 ? *size : qMin(prepared.smallestBundle, *size);
            prepared.largestBundle = qMax(prepared.largestBundle, *size);
            ++prepared.bundles;
            awaiting.clear();
        } else {
            Result<QString> reference = fileAndAcknowledge(engine, ++prepared.requests, now);
            if (!reference)
                return reference.error();
            // The first of a run of `every` that ends with a response.
            if (shape.every > 0 && (position - 1) % shape.every == 0 && position + shape.every - 1 <= shape.notices)
                awaiting = *reference;
        }
        if (position * 10 / shape.notices > tenth) {
            tenth = position * 10 / shape.notices;
            err() << QStringLiteral("  queued %1 of %2 notices").arg(position).arg(shape.notices) << Qt::endl;
        }
    }
    prepared.seconds = secondsSince(total);
    prepared.bundleSeconds = double(bundleNanoseconds) / 1e9;
    return prepared;
}

// What the outbox holds.
struct OutboxCount {
    int email = 0;
    int other = 0; // letters, calls, staff notices: not this benchmark's
    int withBundle = 0;
    int misplaced = 0; // a bundle where the queue's shape has none, or none where it has one
    int sent = 0;
    int queued = 0;
    int parked = 0;
    int firstAttempt = 0; // sent with one attempt
    QSet<QString> keys; // of the e-mail messages
    QStringList otherKinds;
};

Result<OutboxCount> countOutbox(const QString &registerFile, const QueueShape &shape)
{
    SqlStore store(SqlDialect::Sqlite, registerFile);
    if (Status s = store.open(); !s)
        return s.error();
    // More than there can be, so that a surplus shows.
    Result<QList<OutboxMessage>> all = store.outboxByStatus(QString(), 2 * shape.notices + 100);
    if (!all)
        return all.error();
    OutboxCount count;
    int position = 0;
    for (const OutboxMessage &message : *all) {
        if (message.channel != QLatin1String("email")) {
            ++count.other;
            count.otherKinds << QStringLiteral("%1 %2 by %3").arg(message.reference, message.templateName, message.channel);
            continue;
        }
        ++count.email;
        ++position;
        const bool attached = message.payload.value(QStringLiteral("bundle")).toObject().value(QStringLiteral("attach")).toBool();
        count.withBundle += attached ? 1 : 0;
        count.misplaced += attached != shape.carriesBundle(position) ? 1 : 0;
        if (message.status == QLatin1String("sent")) {
            ++count.sent;
            count.firstAttempt += message.attempts == 1 ? 1 : 0;
        } else if (message.status == QLatin1String("parked")) {
            ++count.parked;
        } else {
            ++count.queued;
        }
        count.keys.insert(message.idempotencyKey);
    }
    return count;
}

// --- 2. the SMTP server ----------------------------------------------------------------

// tests/mail/smtp-server.py as a child process, writing every message it
// accepts into `maildir`; stopped when this goes (closing its stdin alone
// would stop it too).
class SmtpServerProcess
{
public:
    explicit SmtpServerProcess(QString maildir)
        : m_maildir(std::move(maildir))
    { }
    SmtpServerProcess(const SmtpServerProcess &) = delete;
    SmtpServerProcess &operator=(const SmtpServerProcess &) = delete;
    ~SmtpServerProcess() { stop(); }

    // Starts it and reads its port from "READY PORT"; its stderr goes to `logPath`.
    Status start(const QString &logPath)
    {
        m_process.setProgram(kPython);
        m_process.setArguments({smtpServerScript(), QStringLiteral("--maildir"), m_maildir});
        m_process.setStandardErrorFile(logPath);
        m_process.start();
        if (!m_process.waitForStarted(30000))
            return makeError(ErrorCode::Storage,
                QStringLiteral("cannot start the SMTP server (%1 %2): %3")
                    .arg(kPython, smtpServerScript(), m_process.errorString()));
        while (!m_process.canReadLine()) {
            if (!m_process.waitForReadyRead(30000)) // a safety net against a broken server
                return makeError(ErrorCode::Storage,
                    QStringLiteral("the SMTP server said nothing (is python3-aiosmtpd installed?); see %1").arg(logPath));
        }
        const QByteArray line = m_process.readLine().trimmed();
        bool ok = false;
        m_port = quint16(line.mid(6).toUInt(&ok));
        if (!line.startsWith("READY ") || !ok || m_port == 0)
            return makeError(ErrorCode::Storage,
                QStringLiteral("the SMTP server's first line was '%1', not READY PORT; see %2")
                    .arg(QString::fromUtf8(line), logPath));
        return {};
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(10000)) { // a safety net, not a timing
            m_process.terminate();
            if (!m_process.waitForFinished(10000)) {
                m_process.kill();
                m_process.waitForFinished(10000);
            }
        }
    }

    [[nodiscard]] quint16 port() const { return m_port; }

    // Its CPU time so far, every thread's, user and system.
    [[nodiscard]] std::optional<double> cpuSeconds() const
    {
        QFile stat(QStringLiteral("/proc/%1/stat").arg(m_process.processId()));
        if (!stat.open(QIODevice::ReadOnly))
            return std::nullopt;
        // After "pid (comm) ": state is the first field, utime the 12th, stime the 13th.
        const QByteArray text = stat.readAll();
        const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
        if (fields.size() < 13)
            return std::nullopt;
        const double ticks = double(::sysconf(_SC_CLK_TCK));
        return (fields.at(11).toDouble() + fields.at(12).toDouble()) / ticks;
    }

    // Its peak resident set so far (VmHWM), in MB.
    [[nodiscard]] std::optional<double> peakRssMb() const
    {
        QFile status(QStringLiteral("/proc/%1/status").arg(m_process.processId()));
        if (!status.open(QIODevice::ReadOnly | QIODevice::Text))
            return std::nullopt;
        const QList<QByteArray> lines = status.readAll().split('\n');
        for (const QByteArray &line : lines) {
            if (line.startsWith("VmHWM:"))
                return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
        }
        return std::nullopt;
    }

private:
    QString m_maildir;
    QProcess m_process;
    quint16 m_port = 0;
};

// The same messages sent again by Python's smtplib, timed inside Python:
// how fast the test server takes them when composing, the register and
// the worker's SMTP client cost nothing. argv: maildir, port, and "each"
// (a session per message, as the worker does) or "one" (one session).
const char kReplayScript[] = R"PY(
import glob, json, os, smtplib, sys, time
folder, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
messages = [open(f, "rb").read() for f in sorted(glob.glob(os.path.join(folder, "*.eml")))]
mark = b"Content-Disposition: attachment"
plain, attached = [], []
session = None
started = time.perf_counter()
for message in messages:
    t = time.perf_counter()
    if session is None:
        session = smtplib.SMTP("127.0.0.1", port)
        session.ehlo("bench-mail")
    session.sendmail("ig@example-council.gov.uk", ["requester@example.org"], message)
    if mode == "each":
        session.quit()
        session = None
    (attached if mark in message else plain).append(time.perf_counter() - t)
if session is not None:
    session.quit()
seconds = time.perf_counter() - started
print(json.dumps({"messages": len(messages), "seconds": seconds,
                  "plainMs": 1000 * sum(plain) / len(plain) if plain else None,
                  "attachedMs": 1000 * sum(attached) / len(attached) if attached else None}))
)PY";

struct Replay {
    int messages = 0;
    double seconds = 0;
    std::optional<double> plainMs;
    std::optional<double> attachedMs;
};

// Replays the messages in `maildir` to a fresh server of its own, a
// session per message or all in one.
Result<Replay> replay(const QString &maildir, const QDir &root, bool sessionEach)
{
    const QString name = sessionEach ? QStringLiteral("each") : QStringLiteral("one");
    const QString folder = root.filePath(QStringLiteral("replay-") + name);
    Replay result;
    {
        SmtpServerProcess relay(folder);
        if (!QDir().mkpath(folder))
            return makeError(ErrorCode::Storage, QStringLiteral("cannot create %1").arg(folder));
        if (Status s = relay.start(root.filePath(QStringLiteral("replay-%1-server.log").arg(name))); !s)
            return s.error();
        Result<ChildRun> run = runMeasured(kPython,
            {QStringLiteral("-c"), QString::fromUtf8(kReplayScript), maildir, QString::number(relay.port()), name}, root.path(),
            {}, root.filePath(QStringLiteral("replay-%1.log").arg(name)));
        if (!run)
            return run.error();
        const QJsonObject figures = QJsonDocument::fromJson(run->output.section(QLatin1Char('\n'), -1).toUtf8()).object();
        result.messages = figures.value(QStringLiteral("messages")).toInt();
        result.seconds = figures.value(QStringLiteral("seconds")).toDouble();
        if (figures.value(QStringLiteral("plainMs")).isDouble())
            result.plainMs = figures.value(QStringLiteral("plainMs")).toDouble();
        if (figures.value(QStringLiteral("attachedMs")).isDouble())
            result.attachedMs = figures.value(QStringLiteral("attachedMs")).toDouble();
        if (result.messages == 0)
            return makeError(ErrorCode::Invalid, QStringLiteral("the smtplib replay said: %1").arg(run->output));
    }
    // Its copies are not needed: only how fast they went.
    QDir(folder).removeRecursively();
    return result;
}

QString aiosmtpdVersion()
{
    QProcess process;
    process.setStandardInputFile(QProcess::nullDevice());
    process.start(kPython,
        {QStringLiteral("-c"),
            QStringLiteral("import sys, aiosmtpd; print('aiosmtpd %s on Python %s' % "
                           "(aiosmtpd.__version__, sys.version.split()[0]))")});
    if (!process.waitForFinished(30000) || process.exitCode() != 0)
        return {};
    return QString::fromLocal8Bit(process.readAllStandardOutput()).trimmed();
}

// --- 3. what arrived -----------------------------------------------------------------------

struct Arrival {
    qint64 writtenMs = 0; // when the server finished writing it, ms since the epoch
    qint64 bytes = 0;
    bool attachment = false;
    QString key; // X-Rightsflow-Idempotency-Key
};

QString headerValue(const QByteArray &message, const QByteArray &name)
{
    qsizetype end = message.indexOf("\r\n\r\n");
    if (end < 0)
        end = message.indexOf("\n\n");
    QByteArray head = message.left(end < 0 ? message.size() : end);
    head.replace("\r\n", "\n").replace("\n ", " ").replace("\n\t", " ");
    const QByteArray wanted = name.toLower() + ':';
    const QList<QByteArray> lines = head.split('\n');
    for (const QByteArray &line : lines) {
        if (line.toLower().startsWith(wanted))
            return QString::fromLatin1(line.mid(wanted.size()).trimmed());
    }
    return {};
}

// The messages the server wrote, in the order it received them.
Result<QList<Arrival>> readArrivals(const QString &maildir, int *records)
{
    const QDir dir(maildir);
    *records = int(dir.entryList({QStringLiteral("*.json")}, QDir::Files).size());
    QList<Arrival> arrivals;
    for (const QString &name : dir.entryList({QStringLiteral("*.eml")}, QDir::Files, QDir::Name)) {
        QFile file(dir.filePath(name));
        if (!file.open(QIODevice::ReadOnly))
            return makeError(ErrorCode::Storage, QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString()));
        const QByteArray bytes = file.readAll();
        Arrival arrival;
        arrival.writtenMs = QFileInfo(file).fileTime(QFileDevice::FileModificationTime).toMSecsSinceEpoch();
        arrival.bytes = bytes.size();
        arrival.attachment = bytes.contains(kAttachmentMark);
        arrival.key = headerValue(bytes, QByteArrayLiteral("X-Rightsflow-Idempotency-Key"));
        arrivals << arrival;
    }
    return arrivals;
}

// --- the machine ---------------------------------------------------------------------------

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

QString milliseconds(const std::optional<double> &value)
{
    return value ? fixed(*value, 1) : QStringLiteral("-");
}

struct Mean {
    int count = 0;
    double sum = 0;
    void add(double value)
    {
        ++count;
        sum += value;
    }
    [[nodiscard]] std::optional<double> value() const { return count > 0 ? std::optional<double>(sum / count) : std::nullopt; }
};

} // namespace

int main(int argc, char *argv[])
{
    // The bundles' letters are PDF, typeset with Qt GUI classes: a GUI
    // application, on no screen. The worker inherits the setting.
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_mail"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Times one 'rightsflow worker --once --smtp' sweep delivering a queue of e-mail notices to a local SMTP server "
        "(aiosmtpd on loopback), every Nth carrying a response bundle of about the given size: messages/s, MB/s, the "
        "worker's peak resident memory. Checks that every notice arrived once. Prints figures; asserts nothing about them."));
    parser.addHelpOption();
    const QCommandLineOption noticesOption(QStringLiteral("notices"),
        QStringLiteral("E-mail notices to queue and deliver (default 1000)."), QStringLiteral("N"), QStringLiteral("1000"));
    const QCommandLineOption everyOption(QStringLiteral("every"),
        QStringLiteral("Every Nth notice is an access response carrying its bundle (default 10; 0: none). At least 2: the "
                       "request's acknowledgement is one of the others."),
        QStringLiteral("N"), QStringLiteral("10"));
    const QCommandLineOption attachmentOption(QStringLiteral("attachment-kb"),
        QStringLiteral("Size of the one document in each of those bundles, KB (default 1024; at most %1, as the register "
                       "keeps bundles up to 10 MB for e-mail).")
            .arg(kMaxAttachmentKb),
        QStringLiteral("N"), QStringLiteral("1024"));
    const QCommandLineOption dirOption(QStringLiteral("dir"),
        QStringLiteral("Where to make the scratch folder (default: the temporary directory, %1). Its contents are removed "
                       "at the end unless --keep.")
            .arg(QDir::tempPath()),
        QStringLiteral("DIR"));
    const QCommandLineOption keepOption(
        QStringLiteral("keep"), QStringLiteral("Keep the scratch folder: the register, the server's messages and the logs."));
    parser.addOptions({noticesOption, everyOption, attachmentOption, dirOption, keepOption});
    parser.process(app);

    QTextStream &errors = err();
    auto wholeNumber = [&parser](const QCommandLineOption &option, int lowest, int highest) -> std::optional<int> {
        bool ok = false;
        const int value = parser.value(option).toInt(&ok);
        if (!ok || value < lowest || value > highest)
            return std::nullopt;
        return value;
    };
    const std::optional<int> notices = wholeNumber(noticesOption, 1, 1000000);
    const std::optional<int> every = wholeNumber(everyOption, 0, 1000000);
    const std::optional<int> attachmentKb = wholeNumber(attachmentOption, 1, kMaxAttachmentKb);
    if (!notices || !every || *every == 1 || !attachmentKb) {
        errors << QStringLiteral("bench_mail: --notices takes a whole number from 1, --every 0 or a whole number from 2, "
                                 "--attachment-kb a whole number from 1 to %1")
                      .arg(kMaxAttachmentKb)
               << Qt::endl;
        return 2;
    }
    const QueueShape shape {*notices, *every, qint64(*attachmentKb) * kKiB};
    auto failed = [&errors](const Error &error) {
        out().flush();
        errors << QStringLiteral("bench_mail: ") << error.fullText() << Qt::endl;
        return 1;
    };

    const QString cli = QStringLiteral(RIGHTSFLOW_CLI);
    if (!QFileInfo(cli).isExecutable()) {
        errors << QStringLiteral("bench_mail: %1 is not there: build the rightsflow target too").arg(cli) << Qt::endl;
        return 2;
    }
    const QString server = aiosmtpdVersion();
    if (server.isEmpty()) {
        errors << QStringLiteral("bench_mail: %1 cannot import aiosmtpd: the test SMTP server needs Debian's python3-aiosmtpd")
                      .arg(kPython)
               << Qt::endl;
        return 2;
    }

    const QString parent = QDir(parser.isSet(dirOption) ? parser.value(dirOption) : QDir::tempPath()).absolutePath();
    if (!QDir().mkpath(parent)) {
        errors << QStringLiteral("bench_mail: cannot create %1").arg(parent) << Qt::endl;
        return 2;
    }
    // The register's copies of each document and bundle, the message the
    // server writes with the bundle in base64, and a replay's copy of it.
    const QStorageInfo storage(parent);
    const double needed = double(shape.attachments()) * double(shape.attachmentBytes) * 5.0 + double(kSpaceMarginBytes);
    if (storage.isValid() && double(storage.bytesAvailable()) < needed) {
        errors << QStringLiteral("bench_mail: %1 has %2 free and the queue needs about %3; give --dir on a larger disk")
                      .arg(parent, gigabytes(double(storage.bytesAvailable())), gigabytes(needed))
               << Qt::endl;
        return 2;
    }
    QTemporaryDir scratch(QDir(parent).filePath(QStringLiteral("bench_mail-XXXXXX")));
    if (!scratch.isValid()) {
        errors << QStringLiteral("bench_mail: cannot make a folder in %1: %2").arg(parent, scratch.errorString()) << Qt::endl;
        return 2;
    }
    scratch.setAutoRemove(!parser.isSet(keepOption));
    const QDir root(scratch.path());
    const QString registerFile = root.filePath(QStringLiteral("register.sqlite"));
    const QString maildir = root.filePath(QStringLiteral("maildir"));
    if (!root.mkpath(QStringLiteral("bundles")) || !root.mkpath(QStringLiteral("maildir")))
        return failed(makeError(ErrorCode::Storage, QStringLiteral("cannot create folders in %1").arg(root.path())));

    heading(QStringLiteral("== machine =="));
    figure(QStringLiteral("CPU"), cpuModel());
    figure(QStringLiteral("cores (logical)"), QString::number(QThread::idealThreadCount()));
    figure(QStringLiteral("load average at the start"), loadAverage());
    figure(QStringLiteral("Qt version"), QString::fromLatin1(qVersion()));
    figure(QStringLiteral("compiler"), compilerName());
    const QString buildType = QStringLiteral(RIGHTSFLOW_BUILD_TYPE);
    figure(QStringLiteral("build type"), buildType.isEmpty() ? QStringLiteral("(none set)") : buildType);
    figure(QStringLiteral("rightsflow"), QDir::toNativeSeparators(cli));
    figure(QStringLiteral("SMTP server"), QStringLiteral("tests/mail/smtp-server.py, %1, 127.0.0.1, no TLS").arg(server));
    figure(QStringLiteral("scratch folder"), QDir::toNativeSeparators(root.path()));
    figure(QStringLiteral("its file system"), fileSystemOf(storage));

    // 1. The queue.
    Result<ProcessingRegister> processing = ProcessingRegister::load(processingRegisterFile());
    if (!processing)
        return failed(processing.error());
    const QDateTime now(QDate(2026, 3, 2), QTime(9, 0), QTimeZone::utc());
    errors << QStringLiteral("queueing %1 notices").arg(shape.notices) << Qt::endl;
    Result<Prepared> prepared = prepareQueue(registerFile, root.filePath(QStringLiteral("bundles")), shape, *processing, now);
    if (!prepared)
        return failed(prepared.error());
    Result<OutboxCount> queued = countOutbox(registerFile, shape);
    if (!queued)
        return failed(queued.error());
    heading(QStringLiteral("== 1. the queue: %1 e-mail notices, %2 carrying a bundle (made here; not timed below) ==")
                .arg(shape.notices)
                .arg(shape.every == 0 ? QStringLiteral("none") : QStringLiteral("one in %1").arg(shape.every)));
    figure(QStringLiteral("access requests filed, each acknowledged by e-mail"), QString::number(prepared->requests));
    figure(QStringLiteral("of which answered by e-mail with their bundle attached"), QString::number(prepared->bundles));
    figure(QStringLiteral("e-mail messages queued / expected"), QStringLiteral("%1 / %2").arg(queued->email).arg(shape.notices),
        okOr(queued->email == shape.notices && queued->queued == shape.notices));
    figure(QStringLiteral("of which carrying a bundle / expected"),
        QStringLiteral("%1 / %2").arg(queued->withBundle).arg(shape.attachments()),
        okOr(queued->withBundle == shape.attachments() && queued->misplaced == 0,
            QStringLiteral("MISMATCH (%1 out of place)").arg(queued->misplaced)));
    figure(QStringLiteral("other messages queued (letters, staff notices)"), QString::number(queued->other),
        queued->other == 0 ? QString() : queued->otherKinds.mid(0, 3).join(QStringLiteral("; ")));
    figure(QStringLiteral("document in each bundle, KB (random bytes)"), QString::number(*attachmentKb));
    figure(QStringLiteral("bundle size, MB (smallest to largest)"),
        prepared->bundles == 0
            ? QStringLiteral("-")
            : QStringLiteral("%1 to %2").arg(fixed(mb(prepared->smallestBundle), 3), fixed(mb(prepared->largestBundle), 3)));
    figure(QStringLiteral("preparing the queue, s"), fixed(prepared->seconds, 1));
    figure(QStringLiteral("    of which the responses (document, bundle, send-response), s"), fixed(prepared->bundleSeconds, 1));
    figure(QStringLiteral("register file, MB"), fixed(mb(QFileInfo(registerFile).size())));
    if (queued->email != shape.notices || queued->withBundle != shape.attachments() || queued->misplaced != 0
        || queued->queued != shape.notices)
        return failed(makeError(ErrorCode::Invalid, QStringLiteral("the queue is not the one asked for: see above")));

    // 2. Delivery.
    SmtpServerProcess relay(maildir);
    if (Status s = relay.start(root.filePath(QStringLiteral("smtp-server.log"))); !s)
        return failed(s.error());
    const QString url = QStringLiteral("smtp://127.0.0.1:%1?starttls=none").arg(relay.port());
    const QList<QByteArray> environment {QByteArrayLiteral("RIGHTSFLOW_NOW=") + now.toString(Qt::ISODate).toLatin1(),
        QByteArrayLiteral("RIGHTSFLOW_MAIL_FROM=") + kMailFrom};
    const QStringList arguments {QStringLiteral("worker"), QStringLiteral("--once"), QStringLiteral("--batch"),
        QString::number(qMax(kDefaultBatch, shape.notices)), QStringLiteral("--db"), registerFile, QStringLiteral("--smtp"), url,
        QStringLiteral("--processing-register"), processingRegisterFile()};
    errors << QStringLiteral("rightsflow worker --once --smtp %1").arg(url) << Qt::endl;
    settleDisk(root.path());
    const std::optional<double> serverCpuBefore = relay.cpuSeconds();
    const qint64 spawnedMs = QDateTime::currentMSecsSinceEpoch();
    Result<ChildRun> worker = runMeasured(cli, arguments, root.path(), environment, root.filePath(QStringLiteral("worker.log")));
    if (!worker)
        return failed(worker.error());
    const std::optional<double> serverCpuAfter = relay.cpuSeconds();
    const std::optional<double> serverRss = relay.peakRssMb();
    relay.stop();

    int records = 0;
    Result<QList<Arrival>> arrived = readArrivals(maildir, &records);
    if (!arrived)
        return failed(arrived.error());
    Result<OutboxCount> after = countOutbox(registerFile, shape);
    if (!after)
        return failed(after.error());
    qint64 receivedBytes = 0;
    int withAttachment = 0;
    qint64 plainBytes = 0;
    qint64 attachedBytes = 0;
    QSet<QString> keys;
    int repeatedKeys = 0;
    for (const Arrival &arrival : *arrived) {
        receivedBytes += arrival.bytes;
        withAttachment += arrival.attachment ? 1 : 0;
        (arrival.attachment ? attachedBytes : plainBytes) += arrival.bytes;
        repeatedKeys += keys.contains(arrival.key) ? 1 : 0;
        keys.insert(arrival.key);
    }
    const int received = int(arrived->size());
    const double seconds = worker->wallSeconds;

    heading(QStringLiteral("== 2. delivering them: one rightsflow worker --once sweep, SMTP to 127.0.0.1 =="));
    figure(QStringLiteral("wall seconds (spawn to exit)"), fixed(seconds, 2));
    figure(QStringLiteral("messages/s"), perSecond(double(received), seconds, 1));
    figure(QStringLiteral("MB received (the server's .eml files)"), fixed(mb(receivedBytes), 1));
    figure(QStringLiteral("MB/s"), perSecond(mb(receivedBytes), seconds, 2));
    figure(QStringLiteral("peak RSS of the worker, MB (ru_maxrss)"), rssMb(*worker));
    figure(QStringLiteral("CPU seconds of the worker, user + system"), cpuSeconds(*worker));
    figure(QStringLiteral("mean message, KB: without / with the bundle"),
        QStringLiteral("%1 / %2").arg(received > withAttachment
                ? fixed(double(plainBytes) / double(received - withAttachment) / double(kKiB), 1)
                : QStringLiteral("-"),
            withAttachment > 0 ? fixed(double(attachedBytes) / double(withAttachment) / double(kKiB), 1) : QStringLiteral("-")));
    figure(QStringLiteral("rightsflow said"), worker->output.section(QLatin1Char('\n'), -1));

    // 3. Verification.
    QSet<QString> missing = queued->keys;
    missing.subtract(keys);
    QSet<QString> unknown = keys;
    unknown.subtract(queued->keys);
    const bool allArrived = received == shape.notices && records == received;
    const bool attachmentsArrived = withAttachment == shape.attachments();
    const bool allSent = after->sent == shape.notices && after->queued == 0 && after->parked == 0;
    const bool keysMatch = repeatedKeys == 0 && missing.isEmpty() && unknown.isEmpty();
    heading(QStringLiteral("== 3. what arrived =="));
    figure(QStringLiteral("messages the server received / queued"), QStringLiteral("%1 / %2").arg(received).arg(shape.notices),
        okOr(allArrived));
    figure(QStringLiteral("of which with an attachment / expected"),
        QStringLiteral("%1 / %2").arg(withAttachment).arg(shape.attachments()), okOr(attachmentsArrived));
    figure(QStringLiteral("outbox: sent / queued / parked"),
        QStringLiteral("%1 / %2 / %3").arg(after->sent).arg(after->queued).arg(after->parked), okOr(allSent));
    figure(QStringLiteral("sent at the first attempt"), QString::number(after->firstAttempt));
    figure(QStringLiteral("idempotency keys: distinct / arrived twice / not arrived"),
        QStringLiteral("%1 / %2 / %3").arg(keys.size()).arg(repeatedKeys).arg(missing.size()),
        okOr(keysMatch,
            unknown.isEmpty() ? QStringLiteral("MISMATCH")
                              : QStringLiteral("MISMATCH (%1 not in the outbox)").arg(unknown.size())));

    // 4. Where the time goes: the gap before each message is what the worker
    // spent on it, from the end of the one before to the server's writing it.
    // Beside it, the server alone: the same bytes sent by Python's smtplib.
    Mean plainGap;
    Mean attachedGap;
    for (qsizetype i = 1; i < arrived->size(); ++i)
        (arrived->at(i).attachment ? attachedGap : plainGap).add(double(arrived->at(i).writtenMs - arrived->at(i - 1).writtenMs));
    errors << QStringLiteral("the same messages again with Python's smtplib, a session each, then one session") << Qt::endl;
    settleDisk(root.path());
    Result<Replay> each = replay(maildir, root, true);
    if (!each)
        return failed(each.error());
    settleDisk(root.path());
    Result<Replay> one = replay(maildir, root, false);
    if (!one)
        return failed(one.error());
    heading(QStringLiteral("== 4. where the time goes: the worker beside the server alone (the same bytes by smtplib) =="));
    columns(QString(),
        {QStringLiteral("rightsflow worker"), QStringLiteral("smtplib: a session"), QStringLiteral("smtplib: one session")});
    columns(
        QStringLiteral("messages"), {QString::number(received), QString::number(each->messages), QString::number(one->messages)});
    columns(QStringLiteral("seconds"), {fixed(seconds, 2), fixed(each->seconds, 2), fixed(one->seconds, 2)});
    columns(QStringLiteral("messages/s"),
        {perSecond(double(received), seconds), perSecond(double(each->messages), each->seconds),
            perSecond(double(one->messages), one->seconds)});
    columns(QStringLiteral("mean ms per message without a bundle"),
        {milliseconds(plainGap.value()), milliseconds(each->plainMs), milliseconds(one->plainMs)});
    columns(QStringLiteral("mean ms per message with a bundle"),
        {milliseconds(attachedGap.value()), milliseconds(each->attachedMs), milliseconds(one->attachedMs)});
    const double beyond = seconds - each->seconds;
    figure(QStringLiteral("the worker's time beyond the server's (a session each), s"), fixed(beyond, 2),
        QStringLiteral("(%1% of its wall time)").arg(seconds > 0 ? qRound(100.0 * beyond / seconds) : 0));
    const qint64 exitedMs = spawnedMs + qint64(seconds * 1000.0);
    figure(QStringLiteral("spawn to the first message written by the server, ms"),
        arrived->isEmpty() ? QStringLiteral("-") : QString::number(arrived->constFirst().writtenMs - spawnedMs));
    figure(QStringLiteral("last message written to the worker's exit, ms"),
        arrived->isEmpty() ? QStringLiteral("-") : QString::number(exitedMs - arrived->constLast().writtenMs));
    const double workerCpu = worker->userSeconds + worker->systemSeconds;
    const std::optional<double> serverCpu
        = serverCpuBefore && serverCpuAfter ? std::optional<double>(*serverCpuAfter - *serverCpuBefore) : std::nullopt;
    // The two overlap on two cores (the server writes a message out while
    // the worker records it and claims the next), so they are not summed.
    figure(QStringLiteral("CPU ms per message in the sweep: worker / SMTP server"),
        QStringLiteral("%1 / %2").arg(perSecond(1000.0 * workerCpu, double(received), 1),
            serverCpu ? perSecond(1000.0 * *serverCpu, double(received), 1) : QStringLiteral("-")));
    figure(QStringLiteral("peak RSS of the SMTP server, MB (VmHWM)"), serverRss ? fixed(*serverRss, 1) : QStringLiteral("-"));

    heading(QStringLiteral("== end =="));
    figure(QStringLiteral("load average at the end"), loadAverage());
    if (parser.isSet(keepOption))
        figure(QStringLiteral("scratch folder kept"), QDir::toNativeSeparators(root.path()));
    else
        errors << QStringLiteral("removing %1").arg(QDir::toNativeSeparators(root.path())) << Qt::endl;
    out().flush();
    if (!allArrived || !attachmentsArrived || !allSent || !keysMatch) {
        errors << QStringLiteral("bench_mail: what arrived is not what was queued: see section 3; the worker's log is %1")
                      .arg(parser.isSet(keepOption) ? root.filePath(QStringLiteral("worker.log"))
                                                    : QStringLiteral("gone (run again with --keep)"))
               << Qt::endl;
        return 1;
    }
    return 0;
}
