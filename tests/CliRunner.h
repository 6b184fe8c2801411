// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Runs the real rightsflow program (RIGHTSFLOW_CLI) as separate processes,
// with the environment cleared of a developer's RIGHTSFLOW_ settings, and
// gives back what each printed and how it exited. runTogether starts a batch
// of them behind a barrier and releases them at the same moment: what the
// concurrency, worker and register suites need to race real processes.

#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <QTest>

#include <memory>
#include <vector>

namespace rf::test {

struct ProcessRun {
    QStringList args;
    int exitCode = -1;
    bool finished = false; // exited normally (no crash, no safety-net timeout)
    QString out;
    QString err;

    // stderr split into its non-empty lines.
    [[nodiscard]] QStringList errLines() const
    {
        QStringList lines;
        for (const QString &line : err.split(QLatin1Char('\n'))) {
            if (!line.trimmed().isEmpty())
                lines << line;
        }
        return lines;
    }

    [[nodiscard]] QString describe() const
    {
        // A register URL's password stays out of the test log.
        static const QRegularExpression password(QStringLiteral("(://[^:/@\\s]+:)[^@\\s]+@"));
        return QStringLiteral("rightsflow %1\n  %2\n  stdout: %3\n  stderr: %4")
            .arg(args.join(QLatin1Char(' ')).replace(password, QStringLiteral("\\1***@")),
                finished ? QStringLiteral("exit %1").arg(exitCode) : QStringLiteral("did not exit normally"), out.left(3000),
                err.left(3000));
    }
};

// The environment a test's rightsflow process starts with: none of the
// developer's RIGHTSFLOW_ variables, then `env` (a null value removes).
inline QProcessEnvironment cliEnvironment(const QMap<QString, QString> &env = {})
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &key : environment.keys()) {
        if (key.startsWith(QLatin1String("RIGHTSFLOW_")))
            environment.remove(key);
    }
    for (auto it = env.constBegin(); it != env.constEnd(); ++it) {
        if (it.value().isNull())
            environment.remove(it.key());
        else
            environment.insert(it.key(), it.value());
    }
    return environment;
}

// Runs one program per command, all at once. A child first waits on its
// standard input, then becomes the program: every child is started and
// parked at that barrier before any is released, and only then is any
// waited for. When a child cannot be started, none is released (closing the
// pipe makes `read` fail, so the program never runs). The waits are a safety
// net against a hang, not timing assertions.
inline QList<ProcessRun> runTogether(const QList<QStringList> &commands, const QMap<QString, QString> &env = {})
{
    static const QString barrier = QStringLiteral("read -r go && exec \"$0\" \"$@\"");
    QList<ProcessRun> runs(commands.size());
    std::vector<std::unique_ptr<QProcess>> processes;
    const QProcessEnvironment environment = cliEnvironment(env);
    for (qsizetype i = 0; i < commands.size(); ++i) {
        runs[i].args = commands.at(i);
        auto process = std::make_unique<QProcess>();
        process->setProcessEnvironment(environment);
        process->start(QStringLiteral("/bin/sh"),
            QStringList {QStringLiteral("-c"), barrier, QStringLiteral(RIGHTSFLOW_CLI)} + commands.at(i));
        processes.push_back(std::move(process));
    }
    bool allStarted = true;
    for (qsizetype i = 0; i < commands.size(); ++i) {
        if (!processes.at(i)->waitForStarted(60000)) {
            allStarted = false;
            runs[i].err = QStringLiteral("could not start: %1").arg(processes.at(i)->errorString());
        }
    }
    for (const auto &process : processes) {
        if (process->state() == QProcess::Running) {
            if (allStarted)
                process->write("go\n");
            process->waitForBytesWritten(60000);
            process->closeWriteChannel();
        }
    }
    for (qsizetype i = 0; i < commands.size(); ++i) {
        QProcess &process = *processes.at(i);
        if (process.state() != QProcess::NotRunning && !process.waitForFinished(300000)) {
            process.kill();
            process.waitForFinished(10000);
            runs[i].err += QStringLiteral("safety net: no exit after 300 s; killed");
            continue;
        }
        if (!allStarted) {
            runs[i].err += QStringLiteral(" (not released: a process of the batch did not start)");
            continue;
        }
        runs[i].finished = process.exitStatus() == QProcess::NormalExit;
        runs[i].exitCode = runs[i].finished ? process.exitCode() : -1;
        runs[i].out = QString::fromUtf8(process.readAllStandardOutput());
        runs[i].err += QString::fromUtf8(process.readAllStandardError());
    }
    return runs;
}

// Runs rightsflow once, to completion.
inline ProcessRun runCli(const QStringList &args, const QMap<QString, QString> &env = {})
{
    return runTogether({args}, env).constFirst();
}

} // namespace rf::test

// Checks a run's exit code, printing the whole run when it differs.
#define VERIFY_EXIT(cliRun, code)                                                                                                \
    do {                                                                                                                         \
        const auto &verifiedRun = (cliRun);                                                                                      \
        QVERIFY2(verifiedRun.finished &&verifiedRun.exitCode == (code),                                                          \
            qPrintable(QStringLiteral("expected exit %1 from ").arg(code) + verifiedRun.describe()));                            \
    } while (false)

// Stops the calling test when a helper it called has failed.
#define CHECKED(call)                                                                                                            \
    do {                                                                                                                         \
        call;                                                                                                                    \
        if (QTest::currentTestFailed())                                                                                          \
            return;                                                                                                              \
    } while (false)

namespace rf::test {

// A successful run's standard output as JSON; fails the test, showing the
// whole run, when it exited otherwise or printed something else.
inline void parseJson(const ProcessRun &run, QJsonDocument *document)
{
    VERIFY_EXIT(run, 0);
    QJsonParseError error;
    *document = QJsonDocument::fromJson(run.out.toUtf8(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError,
        qPrintable(QStringLiteral("not JSON (%1): ").arg(error.errorString()) + run.describe()));
}

// The request object `request show REF --json` printed.
inline void requestFromShow(const ProcessRun &run, QJsonObject *request)
{
    QJsonDocument document;
    CHECKED(parseJson(run, &document));
    QVERIFY2(document.isObject(), document.toJson().constData());
    *request = document.object();
}

// The number of events `audit verify --json` checked, from a trail that verifies.
inline void eventsFromVerify(const ProcessRun &run, int *events)
{
    QJsonDocument document;
    CHECKED(parseJson(run, &document));
    QVERIFY2(document.object().value(QStringLiteral("intact")).toBool(), document.toJson().constData());
    *events = document.object().value(QStringLiteral("eventsChecked")).toInt(-1);
}

} // namespace rf::test
