// SPDX-License-Identifier: GPL-3.0-or-later
//
// crash_burst: a burst of real engine actions on one register, as fast as the
// register takes them, for TestCrash to kill (SIGKILL) in the middle. Before
// each action it writes a line saying so, and after the action has returned
// success, and so has committed, one acknowledging it; each line reaches the
// pipe whole before the program goes on:
//
//   start <n> <kind> <reference|->
//   ack <n> <kind> <reference> <version> <audit seq|-> <queued idempotency keys, comma-separated|->
//
// <n> counts actions from 1; a filing's reference is not known when it starts; <kind> is "file", "note" or the action fired;
// <version> is the request's version after the action; a filing's audit
// sequence is not returned by the engine and prints as "-". A note's text is
// "burst note <n>". Any failure is printed to standard error and ends the
// program with exit code 1: the burst never acts on a refusal.
//
// Requests follow one of two paths in turn, so that actions queueing one
// notice and actions queueing none alternate:
//   A: file, acknowledge, note, extend, request-clarification, clarification-received, withdraw
//   B: file, acknowledge, start-work, note, collected, review-complete, send-response

#include "core/Clock.h"
#include "store/Register.h"
#include "workflow/Engine.h"
#include "workflow/WorkflowLoader.h"

#include <QByteArray>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTimeZone>

#include <unistd.h>

#include <cerrno>
#include <cstdio>

using namespace rf;

namespace {

const QString kOfficer = QStringLiteral("alice");

struct Step {
    const char *kind; // "file", "note" or an action of the access workflow
    const char *input; // the one required input, if any
    const char *value;
};

const Step kPathA[] = {
    {"file", nullptr, nullptr},
    {"acknowledge", nullptr, nullptr},
    {"note", nullptr, nullptr},
    {"extend", "reason", "Complex request: records held in several systems"},
    {"request-clarification", "question", "Which years do you mean?"},
    {"clarification-received", "answer", "2019 to 2023"},
    {"withdraw", "reason", "The requester withdrew by e-mail"},
};

const Step kPathB[] = {
    {"file", nullptr, nullptr},
    {"acknowledge", nullptr, nullptr},
    {"start-work", nullptr, nullptr},
    {"note", nullptr, nullptr},
    {"collected", "systems-searched", "Council tax, housing"},
    {"review-complete", nullptr, nullptr},
    {"send-response", "delivery", "email"},
};

// One write(2) per line: a line is in the pipe, whole, before the next action.
bool writeLine(const QByteArray &line)
{
    const char *data = line.constData();
    qsizetype left = line.size();
    while (left > 0) {
        const ssize_t written = ::write(STDOUT_FILENO, data, size_t(left));
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return false;
        data += written;
        left -= written;
    }
    return true;
}

int fail(const QString &what)
{
    std::fprintf(stderr, "crash_burst: %s\n", qPrintable(what));
    return 1;
}

// A different requester each time: a shared e-mail address, or a shared name
// and postcode, would flag every filing as a duplicate of all the ones before.
IntakeForm formFor(qint64 n, const QDateTime &received)
{
    IntakeForm form;
    form.right = QStringLiteral("access");
    form.channel = QStringLiteral("email");
    form.requester = Person {QStringLiteral("Burst Requester %1").arg(n), QStringLiteral("requester%1@example.org").arg(n), {},
        {}, QStringLiteral("L20 7AB")};
    form.scope = QStringLiteral("Everything the council holds about me");
    form.assignee = kOfficer;
    form.received = received;
    return form;
}

QString keysOf(const QList<OutboxMessage> &queued)
{
    QStringList keys;
    for (const OutboxMessage &message : queued)
        keys << message.idempotencyKey;
    return keys.isEmpty() ? QStringLiteral("-") : keys.join(QLatin1Char(','));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("crash_burst"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Fires engine actions on a register until killed; one 'ack' line each."));
    parser.addHelpOption();
    const QCommandLineOption dbOption(
        QStringLiteral("db"), QStringLiteral("The register: an SQLite path or a postgresql:// URL."), QStringLiteral("location"));
    const QCommandLineOption workflowsOption(QStringLiteral("workflows"),
        QStringLiteral("Directory of workflow definitions (default: the source tree's)."), QStringLiteral("dir"),
        QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/workflows"));
    const QCommandLineOption countOption(
        QStringLiteral("count"), QStringLiteral("Stop after this many actions."), QStringLiteral("n"), QStringLiteral("1000000"));
    const QCommandLineOption nowOption(QStringLiteral("now"), QStringLiteral("The engine's fixed clock (ISO date-time)."),
        QStringLiteral("when"), QStringLiteral("2026-03-02T09:00:00Z"));
    parser.addOptions({dbOption, workflowsOption, countOption, nowOption});
    parser.process(app);

    if (!parser.isSet(dbOption))
        return fail(QStringLiteral("--db is required"));
    bool countOk = false;
    const qint64 count = parser.value(countOption).toLongLong(&countOk);
    if (!countOk || count < 1)
        return fail(QStringLiteral("--count: '%1' is not a positive number").arg(parser.value(countOption)));
    const QDateTime now = parseIsoDateTime(parser.value(nowOption));
    if (!now.isValid())
        return fail(QStringLiteral("--now: '%1' is not an ISO date-time").arg(parser.value(nowOption)));

    Result<std::unique_ptr<Store>> store = Register::open(parser.value(dbOption), false);
    if (!store)
        return fail(store.error().fullText());
    Result<WorkflowLibrary> library = WorkflowLibrary::load(parser.value(workflowsOption));
    if (!library)
        return fail(library.error().fullText());
    const FixedClock clock(now);
    Engine engine(**store, *library, clock);

    QString reference;
    qint64 version = 0;
    qint64 requestNumber = 0;
    qint64 n = 0;
    while (n < count) {
        ++requestNumber;
        const bool pathA = requestNumber % 2 == 1;
        for (const Step &step : pathA ? kPathA : kPathB) {
            if (n >= count)
                break;
            ++n;
            const QString kind = QLatin1String(step.kind);
            const QString started = QStringLiteral("start %1 %2 %3\n")
                                        .arg(n)
                                        .arg(kind, kind == QLatin1String("file") ? QStringLiteral("-") : reference);
            if (!writeLine(started.toUtf8()))
                return fail(QStringLiteral("cannot write to standard output"));
            QString line;
            if (kind == QLatin1String("file")) {
                Result<FiledRequest> filed = engine.fileRequest(formFor(requestNumber, now.addSecs(-3600)), Engine::kIntakeActor);
                if (!filed)
                    return fail(QStringLiteral("action %1: file: %2").arg(n).arg(filed.error().fullText()));
                reference = filed->request.reference;
                version = filed->request.version;
                line = QStringLiteral("ack %1 file %2 %3 - -").arg(n).arg(reference).arg(filed->request.version);
            } else if (kind == QLatin1String("note")) {
                if (Status s = engine.addNote(reference, kOfficer, QStringLiteral("burst note %1").arg(n)); !s)
                    return fail(QStringLiteral("action %1: note on %2: %3").arg(n).arg(reference, s.error().fullText()));
                // A note leaves the version as it was.
                line = QStringLiteral("ack %1 note %2 %3 - -").arg(n).arg(reference).arg(version);
            } else {
                QMap<QString, QString> inputs;
                if (step.input)
                    inputs.insert(QLatin1String(step.input), QLatin1String(step.value));
                Result<FireOutcome> fired = engine.fire(reference, kind, kOfficer, inputs, {});
                if (!fired)
                    return fail(QStringLiteral("action %1: %2 on %3: %4").arg(n).arg(kind, reference, fired.error().fullText()));
                version = fired->request.version;
                line = QStringLiteral("ack %1 %2 %3 %4 %5 %6")
                           .arg(n)
                           .arg(kind, reference)
                           .arg(version)
                           .arg(fired->event.seq)
                           .arg(keysOf(fired->queued));
            }
            if (!writeLine(line.toUtf8() + '\n'))
                return fail(QStringLiteral("cannot write to standard output"));
        }
    }
    return 0;
}
